"""Publishing, end to end: saved pages and published notebooks work offline in Chromium;
the JupyterLab extension is installed; the quick start runs in Jupyter Notebook 7.

Offline means offline: every request that is not a file:// URL is aborted and recorded,
and each test checks that none was made.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets
import nbformat
import numpy as np
import pytest
from playwright.sync_api import Locator, Page, Route

import grandtour
from grandtour import Tour, save_html
from grandtour._wire import selection_from_json
from grandtour.publish import STANDALONE_BUNDLE, categorical_colors

from .conftest import console_log
from .lab import JupyterServer, Notebook
from .pixels import Image, difference_fraction, non_background_fraction, read_png

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FIT_MARGIN = 0.06  # src/core/viewport.ts
TOOLBAR_PX = 44  # keep gestures clear of the toolbar at the top of the plot


def blobs(n: int = 2000, d: int = 15, k: int = 5, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(k), n // k)
    points = rng.normal(scale=3.0, size=(k, d))[codes] + rng.normal(scale=0.6, size=(len(codes), d))
    return points, [f"class {c}" for c in codes]


# -- an offline page --------------------------------------------------------------------


class Offline:
    """A page that may load file:// URLs only; everything else is aborted and recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requested: list[str] = []
        self.blocked: list[str] = []
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("dialog", lambda dialog: self.blocked.append(f"dialog: {dialog.message}") or dialog.dismiss())
        page.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri())

    def network_requests(self) -> list[str]:
        """Requests that were not for local files or in-page data (should be none)."""
        local = ("file://", "data:", "blob:")
        assert any(url.startswith("file://") for url in self.requested), "requests are not being recorded"
        return self.blocked + [url for url in self.requested if not url.startswith(local)]


class PublishedTour:
    """One mounted view on a published page, and its model in the page's registry."""

    def __init__(self, page: Page, index: int = 0) -> None:
        self.page = page
        self.root: Locator = page.locator("div.grandtour").nth(index)
        self.canvas: Locator = self.root.locator("canvas.grandtour-canvas")
        self.model_id: str = ""

    def wait_ready(self, timeout_ms: int = 60_000) -> PublishedTour:
        self.root.wait_for(state="attached", timeout=timeout_ms)
        self.show()
        self.page.wait_for_function(
            "e => ['ready', 'error'].includes(e.dataset.status) && Number(e.dataset.frames) > 0",
            arg=self.root.element_handle(),
            timeout=timeout_ms,
        )
        if self.root.get_attribute("data-status") == "error":
            raise AssertionError(f"widget error: {self.root.locator('.grandtour-error').inner_text()}")
        self.model_id = self.root.evaluate("e => e.closest('[data-grandtour-model]').dataset.grandtourModel")
        return self

    def show(self) -> None:
        """Centre the widget in the viewport: the tour only draws while it is visible."""
        self.root.evaluate("e => e.scrollIntoView({block: 'center', inline: 'nearest'})")

    def frames(self) -> int:
        return int(self.root.get_attribute("data-frames") or 0)

    def zoom(self) -> float:
        return float(self.root.get_attribute("data-zoom") or "1")

    def pixels(self) -> Image:
        """The canvas's own pixels (toDataURL), without the overlays drawn above it."""
        url = self.canvas.evaluate("c => c.toDataURL('image/png')")
        return read_png(base64.b64decode(url.split(",", 1)[1]))

    def rect(self) -> tuple[float, float, float, float]:
        r = self.canvas.evaluate("e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }")
        return r[0], r[1], r[2], r[3]

    def model(self, expression: str) -> Any:
        """Evaluate `expression` with `m` bound to this view's model in the page's registry."""
        return self.page.evaluate(
            f"async (id) => {{ const m = (await window.grandtour.ready).registry.get(id); return {expression}; }}",
            self.model_id,
        )

    def selected(self) -> list[int]:
        # The bytes as the page's model holds them, decoded by the kernel's own codec
        # (uint32 indices, or a bitmask for a dense selection).
        wire = self.model(
            "(() => { const w = m.get('selected'), v = w && w.view; if (!v) return null;"
            " return { dtype: w.dtype, shape: w.shape,"
            " bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) }; })()"
        )
        if wire is None:
            return []
        return selection_from_json({**wire, "view": memoryview(bytes(wire["bytes"]))}).tolist()

    def projection(self) -> np.ndarray:
        return np.asarray(self.model("m.get('projection')"), dtype=np.float64)

    def wait_frames_after(self, count: int, timeout_s: float = 15.0) -> int:
        deadline = time.monotonic() + timeout_s
        while self.frames() <= count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no frame after {count} in {timeout_s}s")
            time.sleep(0.05)
        return self.frames()

    def wait_still(self, quiet_s: float = 0.5, timeout_s: float = 15.0) -> int:
        deadline = time.monotonic() + timeout_s
        last, since = self.frames(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.frames()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return now
        raise AssertionError(f"the widget kept drawing for {timeout_s}s")

    def pause(self) -> None:
        if self.root.locator("button.grandtour-play").get_attribute("aria-pressed") == "true":
            self.root.locator("button.grandtour-play").click()
        self.wait_still()

    def drag(self, path: list[tuple[float, float]]) -> None:
        mouse = self.page.mouse
        mouse.move(*path[0])
        mouse.down()
        for point in path[1:]:
            mouse.move(*point)
        mouse.up()

    def lasso(self, path: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Drag a closed lasso along `path`, starting at a vertex that is not on a handle
        (a press on a handle steers instead). Returns the path as drawn."""
        clear = self.page.evaluate(
            """(points) => points.map(([x, y]) => { const e = document.elementFromPoint(x, y);
                 return !!e && !!e.closest('.grandtour-plot')
                   && !e.closest('.grandtour-handle, .grandtour-toolbar, .grandtour-help'); })""",
            [list(p) for p in path],
        )
        start = clear.index(True)
        path = path[start:] + path[:start]
        self.drag(path)
        return path

    def handle_rings(self) -> list[dict[str, Any]]:
        return self.root.evaluate(
            """root => Array.from(root.querySelectorAll('.grandtour-handle'))
                 .filter((h) => h.style.display !== 'none' && h.style.transform !== '')
                 .map((h) => { const ring = h.querySelector('.grandtour-handle-ring');
                               const r = ring.getBoundingClientRect();
                               const x = r.left + r.width / 2, y = r.top + r.height / 2;
                               const top = document.elementFromPoint(x, y);
                               // Only rings nothing covers (another handle's name, say) can be grabbed.
                               return {x, y, free: !!top && (top === ring || ring.contains(top))}; })"""
        )


def star(centre: tuple[float, float], radius: float, vertices: int = 20) -> list[tuple[float, float]]:
    """A non-convex closed path (a three-lobed star) around `centre`, in whole page pixels."""
    cx, cy = centre
    return [
        (
            round(cx + radius * (1 + 0.3 * math.sin(3 * a)) * math.cos(a)),
            round(cy + radius * (1 + 0.3 * math.sin(3 * a)) * math.sin(a)),
        )
        for a in (2 * math.pi * k / vertices for k in range(vertices))
    ]


def inside(points: np.ndarray, polygon: np.ndarray, tol: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Even-odd inside test of (n, 2) points, and which lie within `tol` of an edge."""
    x, y = points[:, 0], points[:, 1]
    result = np.zeros(len(points), dtype=bool)
    near = np.zeros(len(points), dtype=bool)
    for (x1, y1), (x2, y2) in zip(polygon, np.roll(polygon, -1, axis=0)):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            result ^= crosses & (x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
        ex, ey = x2 - x1, y2 - y1
        u = np.clip(((x - x1) * ex + (y - y1) * ey) / max(ex * ex + ey * ey, 1e-300), 0.0, 1.0)
        near |= np.hypot(x - (x1 + u * ex), y - (y1 + u * ey)) < tol
    return result, near


def check_tours_and_lasso(widget: PublishedTour, points: np.ndarray | None = None) -> None:
    """Not blank, moving, a lasso that selects (exactly, when the points are known)."""
    widget.show()
    first = widget.pixels()
    ink = non_background_fraction(first)
    assert ink > 0.005, f"the canvas is blank ({ink:.3%} ink)"
    frames = widget.frames()
    widget.wait_frames_after(frames + 10)
    time.sleep(0.5)
    second = widget.pixels()
    moved = difference_fraction(first, second)
    assert moved > 0.1 * ink, f"the canvas barely changed between frames ({moved:.3%}, ink {ink:.3%})"

    widget.pause()
    projection = widget.projection()
    left, top, width, height = widget.rect()
    s = 0.5 * min(width, height) * (1 - FIT_MARGIN) * widget.zoom()
    radius = 0.12 * min(width, height)
    reach = 1.3 * radius + 4
    if points is not None:
        view = points.astype(np.float64) @ projection
        # Aim at a data point that leaves the lasso room inside the plot, clear of the toolbar.
        px = width / 2 + s * view[:, 0]
        py = height / 2 - s * view[:, 1]
        room = (px > reach) & (px < width - reach) & (py > TOOLBAR_PX + reach) & (py < height - reach)
        target = int(np.argmin(np.hypot(px - width / 2, py - height / 2) + 1e6 * ~room))
        centre = (left + px[target], top + py[target])
    else:
        centre = (left + width / 2, top + max(height / 2, TOOLBAR_PX + reach))
    before = widget.pixels()
    path = widget.lasso(star(centre, radius))
    widget.page.wait_for_function(
        "e => /selected/.test(e.querySelector('.grandtour-count').textContent)",
        arg=widget.root.element_handle(),
        timeout=10_000,
    )
    count_text = widget.root.locator(".grandtour-count").inner_text()
    selected = widget.selected()
    assert selected, "the lasso selected nothing in the page's model"
    assert f"{len(selected):,} selected" in count_text, count_text
    widget.wait_frames_after(0)
    time.sleep(0.3)
    after = widget.pixels()
    assert difference_fraction(before, after) > 0.2 * non_background_fraction(before), "the selection is not highlighted"
    if points is not None:
        polygon = np.array([((x - left - width / 2) / s, -(y - top - height / 2) / s) for x, y in path])
        expected, ambiguous = inside(points.astype(np.float64) @ projection, polygon)
        mismatch = set(selected) ^ set(np.flatnonzero(expected).tolist())
        assert mismatch <= set(np.flatnonzero(ambiguous).tolist()), (
            f"{len(selected)} selected, {int(expected.sum())} inside the lasso; {len(mismatch)} differ"
        )


def check_handle_drag(widget: PublishedTour) -> None:
    """Dragging a handle steers: the view's basis and the picture change."""
    widget.pause()
    left, top, width, height = widget.rect()
    rings = [
        r
        for r in widget.handle_rings()
        if r["free"] and left + 60 < r["x"] < left + width - 60 and top + TOOLBAR_PX + 40 < r["y"] < top + height - 60
    ]
    assert rings, f"no handle well inside the plot: {widget.handle_rings()}"
    ring = rings[0]
    before_projection = widget.projection()
    before = widget.pixels()
    cx, cy = left + width / 2, top + height / 2
    # Drag towards the middle and beyond: a long way, in steps, as a person would.
    to = (ring["x"] + 0.6 * (cx - ring["x"]) + 40, ring["y"] + 0.6 * (cy - ring["y"]) - 30)
    widget.drag([(ring["x"] + (to[0] - ring["x"]) * k / 12, ring["y"] + (to[1] - ring["y"]) * k / 12) for k in range(13)])
    time.sleep(0.3)
    after_projection = widget.projection()
    assert after_projection.shape == before_projection.shape
    change = float(np.abs(after_projection - before_projection).max())
    assert change > 1e-3, f"the handle drag did not move the view (basis changed by {change})"
    moved = difference_fraction(before, widget.pixels())
    assert moved > 0.1 * non_background_fraction(before), f"the picture did not change ({moved:.3%})"


# -- saved pages ------------------------------------------------------------------------


def test_saved_page_works_offline(page: Page, tmp_path: Path) -> None:
    X, labels = blobs()
    tour = Tour(X, labels, seed=3)  # five classes: a handle at each class centroid
    title = "Digits </script><script>alert('x')</script> & <b>co</b>"
    path = save_html(tmp_path / "tour.html", tour, title=title)
    raw = 4 * X.size
    size, bundle = path.stat().st_size, STANDALONE_BUNDLE.stat().st_size
    print(f"saved page {size:,} B = bundle {bundle:,} B + {size - bundle:,} B for {raw:,} B of float32 data")
    assert size <= 1.4 * raw + bundle

    offline = Offline(page)
    offline.open(path)
    widget = PublishedTour(page).wait_ready()
    assert page.title() == title
    assert page.locator("h1").inner_text() == title
    check_tours_and_lasso(widget, tour.points())
    check_handle_drag(widget)
    assert offline.network_requests() == []
    assert not console_log(page).errors()


def test_saved_page_with_several_tours_links_and_the_palette(page: Page, tmp_path: Path) -> None:
    """A comparison (linked tours), a jslinked tour shown twice, and a 45-class tour on one page."""
    many = Tour(*blobs(n=900, d=6, k=45, seed=1), class_handles=False, playing=False)
    X, labels = blobs(n=600, d=8, k=3, seed=2)
    comparison = grandtour.compare(X, X[:, ::-1] * 2, labels, names=("left model", "right model"), playing=False)
    other = Tour(blobs(n=600, d=5, k=3, seed=3)[0], playing=False)
    jslink = ipywidgets.jslink((comparison.left, "selected"), (other, "selected"))
    try:
        path = save_html(tmp_path / "several.html", many, comparison, other, other)
    finally:
        jslink.unlink()
    offline = Offline(page)
    offline.open(path)
    views = [PublishedTour(page, i).wait_ready() for i in range(5)]
    assert [v.model_id for v in views] == ["tour-0", "tour-1", "tour-2", "tour-3", "tour-3"]
    assert page.locator(".grandtour-label").all_inner_texts() == ["left model", "right model"]
    swatches = views[0].root.locator(".grandtour-swatch").evaluate_all(
        "nodes => nodes.map((n) => getComputedStyle(n).backgroundColor)"
    )
    assert swatches == [f"rgb({r}, {g}, {b})" for r, g, b in categorical_colors(45).tolist()]
    # A lasso on the comparison's left selects on its right (grandtour.link), on the tour
    # jslinked to the left (the page's link registry), and in both views of that tour.
    views[1].show()
    left, top, width, height = views[1].rect()
    views[1].lasso(star((left + width / 2, top + height / 2 + 20), 0.2 * min(width, height)))
    for view in views[1:]:
        page.wait_for_function(
            "e => /selected/.test(e.querySelector('.grandtour-count').textContent)", arg=view.root.element_handle()
        )
    selected = views[1].selected()
    assert selected and all(view.selected() == selected for view in views[2:4])
    assert "selected" not in views[0].root.locator(".grandtour-count").inner_text()
    assert offline.network_requests() == []
    assert not console_log(page).errors()


# -- published notebooks ----------------------------------------------------------------

NOTEBOOK_CELLS = [
    ("markdown", "# A published tour\n\nFour classes in 12-D; <i>markup</i> in Markdown is fine."),
    (
        "code",
        "import ipywidgets\nimport numpy as np\nfrom grandtour import Tour\n\n"
        "rng = np.random.default_rng(7)\ncodes = np.repeat(np.arange(4), 300)\n"
        "X = rng.normal(scale=3.0, size=(4, 12))[codes] + rng.normal(scale=0.6, size=(1200, 12))\n"
        "t = Tour(X, [f'class {c}' for c in codes])\nt",
    ),
    ("code", "import grandtour\ngrandtour.compare(X, X[:, ::-1], [f'class {c}' for c in codes], names=('A', 'B'))"),
    ("code", "ipywidgets.IntSlider(value=3, description='other')"),
    ("code", "print(t)"),
]


def test_published_notebook_works_offline(page: Page, tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        for kind, source in NOTEBOOK_CELLS
    ]
    notebook = tmp_path / "published.ipynb"
    nbformat.write(nb, str(notebook))
    out = tmp_path / "published.html"
    # The kernel is this venv's (its own python3 kernelspec comes first on the data path).
    result = subprocess.run(
        [sys.executable, "-m", "grandtour.publish", str(notebook), str(out), "--execute", "--timeout", "300"],
        capture_output=True,
        text=True,
        timeout=400,
        cwd=tmp_path,
    )
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stderr
    assert "2 tour output(s) mounted offline" in result.stdout
    assert "1 other widget output(s) are shown as text" in result.stderr
    assert "RuntimeWarning" not in result.stderr

    text = out.read_text()
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", text), "the page loads something remote"
    assert "application/vnd.jupyter.widget-state+json" not in text  # the CDN widget manager's state is gone
    offline = Offline(page)
    offline.open(out)
    widget = PublishedTour(page).wait_ready()
    for index in (1, 2):  # the comparison's two sides
        PublishedTour(page, index).wait_ready()
    assert page.locator(".grandtour-label").all_inner_texts() == ["A", "B"]
    widget.show()
    outputs = page.locator(".jp-OutputArea-output")
    assert outputs.filter(has_text="IntSlider(value=3").count() == 1  # the other widget, as its text fallback
    assert outputs.filter(has_text="Tour(1200 points × 12 dims, 4 classes").count() == 1
    check_tours_and_lasso(widget)
    check_handle_drag(widget)
    assert offline.network_requests() == []
    assert not console_log(page).errors()


# -- the JupyterLab extension -------------------------------------------------------------


def jupyter_env() -> dict[str, str]:
    """The environment without per-test Jupyter dirs, so the venv's own paths are used."""
    env = dict(os.environ)
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_PATH", "JUPYTERLAB_DIR"):
        env.pop(key, None)
    return env


def test_labextension_is_installed_and_enabled() -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run(
        [str(jupyter), "labextension", "list"], capture_output=True, text=True, timeout=120, env=jupyter_env()
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # no colours
    print(listing)
    assert result.returncode == 0
    line = next((l for l in listing.splitlines() if re.match(r"\s+grandtour\s+v", l)), None)
    assert line is not None, f"grandtour is not in `jupyter labextension list`:\n{listing}"
    assert "enabled" in line and "OK" in line, line
    assert "(python, grandtour)" in line, line  # installed by the Python package, not by hand


def test_labextension_plugin_activates_in_jupyterlab(jupyter_server: JupyterServer, page: Page) -> None:
    """The federated extension loads in a real JupyterLab and registers its widget module."""
    page.goto(jupyter_server.url("lab"))
    page.wait_for_function("() => !!window.jupyterapp", timeout=90_000)
    state = page.evaluate(
        """async () => { const app = window.jupyterapp; await app.started; await app.restored;
                         return {has: app.hasPlugin('grandtour:plugin'),
                                 active: app.isPluginActivated('grandtour:plugin')}; }"""
    )
    assert state == {"has": True, "active": True}
    assert not [line for line in console_log(page).errors() if "grandtour" in line.lower()]


# -- Jupyter Notebook 7 -------------------------------------------------------------------

QUICK_START = [
    "import json\nimport numpy as np\nfrom grandtour import Tour\n"
    "rng = np.random.default_rng(11)\ncodes = np.repeat(np.arange(5), 400)\n"
    "X = rng.normal(scale=3.0, size=(5, 15))[codes] + rng.normal(scale=0.6, size=(2000, 15))\n"
    "labels = [f'class {c}' for c in codes]",
    "t = Tour(X, labels)\nt",
    "print(json.dumps({'selected': len(t.selected)}))",
]


def _nb7_prompt(page: Page, index: int) -> str:
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputArea-prompt").inner_text().strip()


def _nb7_run_cell(page: Page, index: int, timeout_s: float = 120.0) -> None:
    """Run a cell in Notebook 7 the way a person does: click into it, Ctrl+Enter; wait for [n].

    Until Notebook 7 has loaded its shortcuts a key press does nothing (the prompt stays
    "[ ]:"), so an ignored press is repeated; one that took shows "[*]:" or "[n]:".
    """
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    before = _nb7_prompt(page, index)
    deadline = time.monotonic() + timeout_s
    for _attempt in range(6):
        cell.locator(".jp-InputArea-editor .cm-content").click()
        page.locator(".jp-Notebook.jp-mod-editMode").wait_for(timeout=10_000)
        page.keyboard.press("Control+Enter")
        started = time.monotonic()
        while time.monotonic() - started < 5 and _nb7_prompt(page, index) == before:
            time.sleep(0.1)
        if _nb7_prompt(page, index) != before:
            break
    while not re.fullmatch(r"\[\d+\]:", _nb7_prompt(page, index)):
        if time.monotonic() > deadline:
            raise AssertionError(f"cell {index} did not finish: prompt {_nb7_prompt(page, index)!r}")
        time.sleep(0.1)
    errors = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, tracebacks


def test_quick_start_in_notebook_7(jupyter_server: JupyterServer, page: Page) -> None:
    status = subprocess.run(
        [sys.executable, "-c", "import notebook; print(notebook.__version__)"], capture_output=True, text=True
    )
    assert status.returncode == 0, "the notebook package (Notebook 7) is not installed: pip install notebook"
    assert status.stdout.startswith("7."), status.stdout
    Notebook.create(jupyter_server, "nb7_quickstart.ipynb", QUICK_START)
    # The notebook package's routes on the same server: /tree is the file browser,
    # /notebooks/<path> the Notebook 7 editor.
    page.goto(jupyter_server.url("tree"))
    page.locator("#main-panel, .jp-FileBrowser").first.wait_for(timeout=60_000)
    assert "JupyterLab" not in page.title()
    page.goto(jupyter_server.url("notebooks/nb7_quickstart.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").nth(2).wait_for(timeout=90_000)
    # Notebook 7, not Lab: its own shell.
    assert page.locator("#main-panel").count() == 1 and page.locator("#jp-main-dock-panel").count() == 0
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=90_000)
    assert page.evaluate("document.body.dataset.notebook") == "notebooks"  # Notebook 7's page

    _nb7_run_cell(page, 0)
    _nb7_run_cell(page, 1)
    root = page.locator(".jp-Notebook .jp-Cell").nth(1).locator("div.grandtour")
    root.wait_for(state="visible", timeout=60_000)
    widget = PublishedTour(page)
    widget.root, widget.canvas = root, root.locator("canvas.grandtour-canvas")
    widget.show()
    page.wait_for_function(
        "e => e.dataset.status === 'ready' && Number(e.dataset.frames) > 0", arg=root.element_handle(), timeout=60_000
    )
    frames = widget.frames()
    widget.wait_frames_after(frames + 10)  # it rotates

    widget.pause()
    left, top, width, height = widget.rect()
    widget.lasso(star((left + width / 2, top + height / 2 + 20), 0.25 * min(width, height)))
    page.wait_for_function(
        "e => /selected/.test(e.querySelector('.grandtour-count').textContent)", arg=root.element_handle()
    )
    count = int(re.search(r"([\d,]+) selected", root.locator(".grandtour-count").inner_text()).group(1).replace(",", ""))
    _nb7_run_cell(page, 2)
    output = page.locator(".jp-Notebook .jp-Cell").nth(2).locator(".jp-OutputArea-output").inner_text()
    assert json.loads(output.strip().splitlines()[-1]) == {"selected": count}
    assert count > 0
    assert not [line for line in console_log(page).errors() if "grandtour" in line.lower()]
