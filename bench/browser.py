"""Headless Chromium (Debian's, SwiftShader WebGL) with the bench page served from the repo.

No server process: every request to http://grandtour.localhost/ is answered by Playwright's
router from files in the repository (the bench page, node_modules, the built bundle).
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright, Route

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = "http://grandtour.localhost"  # *.localhost is a secure context: needed for isolation (below)
BUNDLE = ROOT / "python-shim" / "src" / "grandtour" / "static" / "tour.js"
CHROMIUM = os.environ.get("GRANDTOUR_E2E_CHROMIUM", "/usr/bin/chromium")
# The same flags as the browser tests (tests/e2e/conftest.py): WebGL in SwiftShader.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--enable-precise-memory-info",
]
VIEWPORT = {"width": 1280, "height": 900}
SERVED = ("bench/page/", "node_modules/", "python-shim/src/grandtour/static/")
# A cross-origin isolated page: performance.now() then ticks in 5 µs steps instead of
# 100 µs, which matters when the figure is a fraction of a millisecond per frame.
ISOLATED = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}


def launch(playwright: Playwright) -> Browser:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _serve(route: Route) -> None:
    path = route.request.url[len(ORIGIN) :].split("?", 1)[0].lstrip("/") or "bench/page/index.html"
    file = (ROOT / path).resolve()
    if not path.startswith(SERVED) or ROOT not in file.parents or not file.is_file():
        route.fulfill(status=404, body=f"not served: {path}")
        return
    kind = "text/javascript" if file.suffix in (".js", ".mjs") else mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=file.read_bytes(), headers={"Content-Type": kind, "Cache-Control": "no-store", **ISOLATED})


class BenchPage:
    """A fresh browser context with the bench page loaded (window.bench ready)."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        self.context.set_default_timeout(600_000)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.route(f"{ORIGIN}/**", _serve)
        for attempt in range(2):
            # Once more on failure: another job may be rewriting node_modules or the bundle.
            self.page.goto(f"{ORIGIN}/bench/page/index.html")
            try:
                self.page.wait_for_function("window.benchReady === true", timeout=60_000)
                break
            except Exception as error:
                if attempt == 1:
                    raise RuntimeError(f"the bench page did not load: {error}; page errors: {self.errors[:3]}") from None
                self.errors.clear()
        self.cdp = self.context.new_cdp_session(self.page)

    def call(self, function: str, *args: Any) -> Any:
        """Call `bench.<function>(...args)` in the page and return its (awaited) result."""
        return self.page.evaluate(f"(args) => window.bench.{function}(...args)", list(args))

    def heap(self, collect: bool = True) -> dict[str, Any]:
        """V8 heap usage after a full collection (bytes), with ArrayBuffer backing stores."""
        if collect:
            for _ in range(2):
                self.cdp.send("HeapProfiler.collectGarbage")
        usage = self.cdp.send("Runtime.getHeapUsage")
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]} if self._metrics() else {}
        return {**usage, "metrics": {k: metrics[k] for k in ("JSHeapUsedSize", "JSHeapTotalSize") if k in metrics}}

    def _metrics(self) -> bool:
        if not getattr(self, "_metrics_on", False):
            self.cdp.send("Performance.enable")
            self._metrics_on = True
        return True

    def close(self) -> None:
        try:
            self.context.close()
        except Exception:
            pass
