"""Mount the built bundle on a plain page with a fake widget model (no Jupyter).

The state comes from a real `grandtour.Tour` (its `get_state()`, buffers split out as
the widget protocol does), so these tests see exactly what a kernel would send, and
they can also send what a kernel never would (a hand-edited notebook's state).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from ipywidgets.widgets.widget import _remove_buffers
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "python-shim" / "src" / "grandtour" / "static" / "tour.js"
FAKE_HOST = ROOT / "tests" / "page" / "fake_host.js"


def wire_state(tour: Any) -> tuple[dict[str, Any], list[list[Any]], list[str]]:
    """A Tour's state as the front end receives it: JSON, buffer paths, base64 buffers."""
    state, paths, buffers = _remove_buffers(tour.get_state())
    state = {k: v for k, v in state.items() if k not in ("_esm", "_css")}
    return json.loads(json.dumps(state)), paths, [base64.b64encode(bytes(b)).decode() for b in buffers]


def open_host(page: Page, containers: int = 1, width: int = 640) -> None:
    """A blank page with `containers` divs (#out0, #out1, …), side by side, and the bundle loaded."""
    style = f"width:{width}px;margin:4px;display:inline-block;vertical-align:top"
    divs = "".join(f'<div id="out{i}" style="{style}"></div>' for i in range(containers))
    page.set_content(f"<!doctype html><html><body style='margin:0'>{divs}</body></html>")
    page.add_script_tag(path=str(FAKE_HOST))
    page.evaluate("bundle => grandtourTest.load(bundle)", BUNDLE.read_text())


def mount(
    page: Page,
    name: str,
    wire: tuple[dict[str, Any], list[list[Any]], list[str]],
    container: str = "out0",
    own_module: bool = False,
) -> None:
    """Create model `window[name]` from wire state and render a view into #container.

    With `own_module`, the view comes from a fresh import of the bundle (its own Blob URL),
    as anywidget gives each widget model in JupyterLab.
    """
    state, paths, buffers = wire
    page.evaluate(
        """async ([name, state, paths, buffers, container, bundle]) => {
            const model = grandtourTest.makeModel(state, paths, buffers);
            window[name] = model;
            model.cleanups = model.cleanups || [];
            const el = document.getElementById(container);
            model.cleanups.push(
                bundle ? await grandtourTest.renderFresh(bundle, model, el) : await grandtourTest.render(model, el),
            );
        }""",
        [name, state, paths, buffers, container, BUNDLE.read_text() if own_module else None],
    )


def render_again(page: Page, name: str, container: str) -> None:
    """A second view of the same model (the same Tour displayed twice)."""
    page.evaluate(
        """async ([name, container]) => {
            const model = window[name];
            model.cleanups.push(await grandtourTest.render(model, document.getElementById(container)));
        }""",
        [name, container],
    )


def unmount(page: Page, name: str) -> None:
    page.evaluate("name => { for (const c of window[name].cleanups) c(); window[name].cleanups = []; }", name)


def gl_stats(page: Page) -> dict[str, Any] | None:
    return page.evaluate("grandtourTest.module.testing.glStats()")


def wait_frames(page: Page, selector: str, more_than: int = 0, timeout: float = 30_000) -> int:
    """Wait until the widget at `selector` has drawn more than `more_than` frames."""
    page.wait_for_function(
        """([selector, n]) => {
            const root = document.querySelector(selector);
            return root && Number(root.dataset.frames) > n;
        }""",
        arg=[selector, more_than],
        timeout=timeout,
    )
    return int(page.locator(selector).get_attribute("data-frames") or "0")
