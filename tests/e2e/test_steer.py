"""Steering and exploring, end to end: handles, drag-to-steer, shortcuts, thumbnails, hover.

One notebook (one kernel) serves the whole module. It shows two widgets: `t`, 2,400
labelled 15-D points in four well-separated classes, and `g`, scikit-learn's digits
(PCA-10, with their 8×8 images as thumbnails). Each test sets up the state it needs from
Python (paused, a known projection, its own handles) instead of relying on test order.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import close_page, console_log
from .lab import JupyterServer, Notebook
from .pixels import Image, difference_fraction, grey_pixels, non_background_fraction, read_png

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-steer.png"
FIT_MARGIN = 0.06  # src/core/viewport.ts
TOOLBAR_PX = 44  # the toolbar covers the plot's top ~40 px
# JupyterLab's own binding for "d d" (delete cell); "x" (cut) uses the same selector.
DELETE_CELL_SELECTOR = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"

SETUP = """\
import json
import numpy as np
from grandtour import Tour

# Four well-separated Gaussian blobs in 15-D, 600 points each.
rng = np.random.default_rng(20240611)
n_per, k, d = 600, 4, 15
centres = rng.normal(scale=3.0, size=(k, d))
codes = np.repeat(np.arange(k), n_per)
X = centres[codes] + rng.normal(scale=0.6, size=(n_per * k, d))
labels = np.array([f"class {c}" for c in codes])


def members(name):
    return np.flatnonzero(labels == name)


def class_handles(*numbers):
    return [{"name": f"class {c}", "indices": members(f"class {c}")} for c in numbers]


def spread_view(tour, first="class 0"):
    \"\"\"The plane of the class centroids' two main axes, signed so that `first` sits lower right.\"\"\"
    P = tour.points().astype(np.float64)
    C = np.array([P[members(f"class {c}")].mean(axis=0) for c in range(k)])
    _, _, vt = np.linalg.svd(C - C.mean(axis=0))
    B = vt[:2].T.copy()
    x, y = P[members(first)].mean(axis=0) @ B
    B[:, 0] *= 1 if x >= 0 else -1
    B[:, 1] *= -1 if y > 0 else 1
    return B


def reset(tour, **traits):
    \"\"\"Paused, nothing selected, nothing hidden, then `traits`.\"\"\"
    tour.playing = False
    tour.selected = []
    tour.hidden_classes = []
    for name, value in traits.items():
        setattr(tour, name, value)


def in_polygon(tour, polygon, tol=1e-5):
    \"\"\"Points of tour.project() inside polygon (even-odd), and those within tol of an edge.\"\"\"
    P = tour.project()
    poly = np.asarray(polygon, dtype=np.float64)
    x, y = P[:, 0], P[:, 1]
    inside = np.zeros(len(P), dtype=bool)
    near = np.zeros(len(P), dtype=bool)
    for (x1, y1), (x2, y2) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
        ex, ey = x2 - x1, y2 - y1
        u = np.clip(((x - x1) * ex + (y - y1) * ey) / max(ex * ex + ey * ey, 1e-300), 0.0, 1.0)
        near |= np.hypot(x - (x1 + u * ex), y - (y1 + u * ey)) < tol
    return np.flatnonzero(inside).tolist(), np.flatnonzero(near).tolist()


def handles_json(tour):
    return [{"name": h["name"], "indices": h["indices"].tolist(), "position": list(h["position"])}
            for h in tour.handles]


def report(**values):
    print(json.dumps(values))
"""

BLOBS = (
    "t = Tour(X, labels, class_handles=['class 0', 'class 1', 'class 2'], playing=False)\n"
    "t.projection = spread_view(t)\n"
    "t"
)

DIGITS = """\
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

digits = load_digits()
digit_labels = np.array([f"digit {v}" for v in digits.target])
Z = PCA(n_components=10, random_state=0).fit_transform(digits.data)
digit_images = digits.images / 16.0
# The initial projection is the first two principal components.
g = Tour(Z, digit_labels, images=digit_images, class_handles=False, playing=False)
g
"""


@dataclass
class TourUnderTest:
    """One displayed widget (`var` is its Python name) in the module's notebook."""

    notebook: Notebook
    page: Page
    root: Locator
    canvas: Locator
    var: str

    def frames(self) -> int:
        return int(self.root.get_attribute("data-frames") or 0)

    def zoom(self) -> float:
        return float(self.root.get_attribute("data-zoom") or "1")

    def show(self) -> None:
        """Centre the widget in the viewport and wait until it stays put.

        The tour only draws while it is visible, and Lab may still be scrolling to the cell
        it just ran, so this scrolls again until the widget's position is steady.
        """
        deadline = time.monotonic() + 20.0
        steady, last = 0, None
        while steady < 3:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.var}: the widget would not stay in view (at {self.root_rect()})")
            rect = self.root.evaluate(
                """e => { const r = e.getBoundingClientRect();
                          const box = e.closest('.jp-WindowedPanel-outer') || document.documentElement;
                          const v = box.getBoundingClientRect();
                          if (r.top < v.top || r.bottom > v.bottom) e.scrollIntoView({block: 'center'});
                          return [Math.round(r.left), Math.round(r.top)]; }"""
            )
            steady = steady + 1 if rect == last else 0
            last = rect
            time.sleep(0.1)

    def screenshot(self) -> Image:
        return read_png(self.canvas.screenshot())

    def canvas_rect(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) of the canvas in page CSS px."""
        rect = self.canvas.evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
        )
        return rect[0], rect[1], rect[2], rect[3]

    def scale(self) -> float:
        """CSS px per view unit: 0.5 · min(w, h) · (1 − margin) · zoom."""
        _, _, width, height = self.canvas_rect()
        return 0.5 * min(width, height) * (1 - FIT_MARGIN) * self.zoom()

    def view_to_page(self, x: float, y: float) -> tuple[float, float]:
        left, top, width, height = self.canvas_rect()
        s = self.scale()
        return left + width / 2 + s * x, top + height / 2 - s * y

    def page_to_view(self, px: float, py: float) -> tuple[float, float]:
        left, top, width, height = self.canvas_rect()
        s = self.scale()
        return (px - left - width / 2) / s, -(py - top - height / 2) / s

    def wait_still(self, quiet_s: float = 0.5, timeout_s: float = 15.0) -> int:
        """Wait until no frame has been drawn for `quiet_s`; returns the frame count."""
        deadline = time.monotonic() + timeout_s
        last, since = self.frames(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.frames()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return now
        raise AssertionError(f"{self.var}: the widget kept drawing for {timeout_s}s (frames {last})")

    def handles(self) -> list[dict[str, Any]]:
        """The handles in the DOM: name (the input's value), ring centre in page px, shown."""
        return self.root.evaluate(
            """root => Array.from(root.querySelectorAll('.grandtour-handle')).map((h) => {
                 const r = h.querySelector('.grandtour-handle-ring').getBoundingClientRect();
                 return {name: h.querySelector('.grandtour-handle-name').value,
                         x: r.left + r.width / 2, y: r.top + r.height / 2,
                         w: r.width, h: r.height, shown: h.style.display !== 'none'};
               })"""
        )

    def wait_handle_names(self, names: list[str], timeout_ms: int = 15_000) -> None:
        """Wait until the DOM's handles carry exactly `names`, in order, and are placed."""
        try:
            self.page.wait_for_function(
                """([root, names]) => {
                     const handles = Array.from(root.querySelectorAll('.grandtour-handle'));
                     return handles.length === names.length
                       && handles.every((h, i) => h.querySelector('.grandtour-handle-name').value === names[i]
                                                  && h.style.transform !== '');
                   }""",
                arg=[self.root.element_handle(), names],
                timeout=timeout_ms,
            )
        except PlaywrightTimeoutError:
            raise AssertionError(
                f"{self.var}: handles {names} did not show within {timeout_ms} ms; the DOM has "
                f"{self.handles()} (frames {self.frames()}, widget at {self.root_rect()})"
            ) from None

    def root_rect(self) -> list[float]:
        return self.root.evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height, window.innerHeight]; }"
        )

    def pressed(self, button: str) -> str | None:
        """aria-pressed of a toolbar button (by class suffix: 'play', 'handle-mode', 'images')."""
        return self.root.locator(f"button.grandtour-{button}").get_attribute("aria-pressed")

    def focus(self) -> None:
        """Give the widget root keyboard focus (element.focus(), as a click on it would)."""
        self.root.focus()
        self.page.wait_for_function(
            "e => document.activeElement === e", arg=self.root.element_handle(), timeout=10_000
        )

    def press(self, key: str) -> None:
        """Press `key` while something inside the widget has focus (checked first)."""
        try:
            self.page.wait_for_function(
                "e => e.contains(document.activeElement)", arg=self.root.element_handle(), timeout=5_000
            )
        except PlaywrightTimeoutError:
            focused = self.page.evaluate(
                "() => { const e = document.activeElement; return e ? e.tagName + '.' + e.className : null; }"
            )
            raise AssertionError(f"{self.var}: focus left the widget before {key!r} (it is on {focused})") from None
        self.page.keyboard.press(key)


@dataclass
class SteerNotebook:
    notebook: Notebook
    page: Page
    blobs: TourUnderTest
    digits: TourUnderTest

    def run_json(self, code: str) -> Any:
        """Run `code` in a new cell; its output's last line is JSON."""
        output = self.notebook.add_and_run(code)
        return json.loads(output.strip().splitlines()[-1])

    def run(self, code: str, *then_show: TourUnderTest) -> str:
        """Run `code` in a new cell and bring `then_show` back into view, drawn and still."""
        output = self.notebook.add_and_run(code)
        for tour in then_show:
            tour.show()
            tour.wait_still()
        return output


def _wait_ready(page: Page, root: Locator) -> None:
    root.wait_for(state="attached", timeout=60_000)
    root.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_function(
        "e => ['ready', 'error'].includes(e.dataset.status)", arg=root.element_handle(), timeout=60_000
    )
    if root.get_attribute("data-status") == "error":
        raise AssertionError(f"widget error: {root.locator('.grandtour-error').inner_text()}")


@pytest.fixture(scope="module")
def steer(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> Iterator[SteerNotebook]:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "steer.ipynb", [SETUP, BLOBS, DIGITS]).open(page)
    notebook.run_all()
    tours = []
    for cell, var in ((1, "t"), (2, "g")):
        root = notebook.cell_output_locator(cell).locator("div.grandtour")
        _wait_ready(page, root)
        tours.append(TourUnderTest(notebook, page, root, root.locator("canvas.grandtour-canvas"), var))
    yield SteerNotebook(notebook, page, tours[0], tours[1])
    close_page(page)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _star(centre: tuple[float, float], radius: float, vertices: int = 20) -> list[tuple[int, int]]:
    """A closed, non-convex path (a rounded three-lobed star) around `centre`, whole page px."""
    cx, cy = centre
    path = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        r = radius * (1 + 0.3 * math.sin(3 * angle))
        path.append((round(cx + r * math.cos(angle)), round(cy + r * math.sin(angle))))
    return path


def _wait_pressed(tour: TourUnderTest, button: str, value: str) -> None:
    tour.page.wait_for_function(
        "([e, b, v]) => e.querySelector('button.grandtour-' + b).getAttribute('aria-pressed') === v",
        arg=[tour.root.element_handle(), button, value],
        timeout=10_000,
    )


def _no_widget_errors(page: Page) -> None:
    errors = [line for line in console_log(page).errors() if "grandtour" in line.lower()]
    assert not errors, f"widget errors in the console: {errors}"


# ----------------------------------------------------------------------------- tests


def test_drag_class_handle_steers_and_python_sees_it(steer: SteerNotebook) -> None:
    tour, page = steer.blobs, steer.page
    steer.run("reset(t, handles=class_handles(0, 1, 2), projection=spread_view(t))", tour)
    tour.wait_handle_names(["class 0", "class 1", "class 2"])
    assert tour.pressed("play") == "false"
    before = tour.handles()
    assert all(h["shown"] and round(h["w"]) == 18 and round(h["h"]) == 18 for h in before), before

    left, top, width, height = tour.canvas_rect()
    centre = (left + width / 2, top + height / 2)
    start = (round(before[0]["x"]), round(before[0]["y"]))
    gap = _distance(start, centre)
    assert gap > 100, f"'class 0' sits {gap:.0f} px from the centre: no room to drag it inwards"
    travel = min(90.0, 0.6 * gap)
    end = (
        round(start[0] + (centre[0] - start[0]) * travel / gap),
        round(start[1] + (centre[1] - start[1]) * travel / gap),
    )
    # The press must land on the first ring, not on another handle's label or the toolbar.
    on_ring = page.evaluate(
        "([x, y, root]) => document.elementFromPoint(x, y) === root.querySelectorAll('.grandtour-handle-ring')[0]",
        [start[0], start[1], tour.root.element_handle()],
    )
    assert on_ring, f"the first ring is covered at {start}"

    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=15)
    page.mouse.up()
    tour.wait_still()

    after = tour.handles()
    ring = (after[0]["x"], after[0]["y"])
    print(f"dragged 'class 0' {start} -> {end} ({travel:.0f} px); ring now at ({ring[0]:.1f}, {ring[1]:.1f})")
    assert _distance(ring, end) <= 3, f"ring centre {ring} is {_distance(ring, end):.1f} px from the pointer {end}"
    for b, a in zip(before[1:], after[1:]):
        moved = _distance((b["x"], b["y"]), (a["x"], a["y"]))
        assert moved <= 4, f"handle {a['name']!r} moved {moved:.1f} px while 'class 0' was dragged"

    # Python got the steered projection: its handle position lands under the pointer.
    state = steer.run_json("report(handles=handles_json(t), playing=t.playing)")
    tour.show()
    assert state["playing"] is False
    positions = {h["name"]: h["position"] for h in state["handles"]}
    assert list(positions) == ["class 0", "class 1", "class 2"]
    # Scrolling moved the page since the drag: compare in canvas coordinates.
    left_now, top_now, _, _ = tour.canvas_rect()
    shift = (left_now - left, top_now - top)
    python_px = tour.view_to_page(*positions["class 0"])
    python_px = (python_px[0] - shift[0], python_px[1] - shift[1])
    off = _distance(python_px, end)
    print(f"t.handles[0]['position'] -> ({python_px[0]:.1f}, {python_px[1]:.1f}) px, {off:.2f} px from the pointer")
    assert off <= 3, f"Python's 'class 0' position is {off:.1f} px from the pointer: t.projection is not the steered view"
    for b in before[1:]:
        other = tour.view_to_page(*positions[b["name"]])
        other = (other[0] - shift[0], other[1] - shift[1])
        assert _distance(other, (b["x"], b["y"])) <= 4, f"Python moved {b['name']!r}"
    _no_widget_errors(page)


def test_brush_makes_a_handle_rename_and_delete(steer: SteerNotebook) -> None:
    tour, page = steer.blobs, steer.page
    aim = steer.run_json(
        "reset(t, handles=[], projection=spread_view(t))\n"
        "P = t.points().astype(float)\n"
        "report(centroids=[(P[members(f'class {c}')].mean(axis=0) @ t.projection).tolist() for c in range(k)])"
    )
    tour.show()
    tour.wait_still()
    tour.wait_handle_names([])

    # Lasso a three-lobed star around the class centroid with the most room around it.
    left, top, width, height = tour.canvas_rect()
    radius = 0.1 * min(width, height)
    reach = 1.3 * radius + 4

    def room(centroid: list[float]) -> float:
        x, y = tour.view_to_page(*centroid)
        return min(x - left, left + width - x, y - top - TOOLBAR_PX, top + height - y)

    roomiest = max(aim["centroids"], key=room)
    assert room(roomiest) > reach, f"no class centroid leaves room for the lasso: {aim['centroids']}"
    cx, cy = tour.view_to_page(*roomiest)
    path = _star((cx, cy), radius)
    polygon = [tour.page_to_view(px, py) for px, py in path]

    if tour.pressed("handle-mode") == "true":  # left armed by someone else: start disarmed
        tour.root.locator("button.grandtour-handle-mode").click()
    assert tour.pressed("handle-mode") == "false"
    tour.focus()
    tour.press("d")
    assert tour.pressed("handle-mode") == "true", "'d' did not arm handle mode"
    page.mouse.move(*path[0])
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*point)
    page.mouse.up()
    tour.wait_handle_names(["1"])
    assert tour.pressed("handle-mode") == "false", "handle mode should end with the lasso that used it"

    # Rename in the view: click the name, select all, type, Enter.
    name = tour.root.locator("input.grandtour-handle-name").first
    name.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("my cluster")
    page.keyboard.press("Enter")
    tour.wait_handle_names(["my cluster"])
    # The space typed into the name must not have toggled play.
    assert tour.pressed("play") == "false"

    state = steer.run_json(
        f"expected, ambiguous = in_polygon(t, {json.dumps(polygon)})\n"
        "report(handles=handles_json(t), expected=expected, ambiguous=ambiguous,"
        " selected=t.selected.tolist(), playing=t.playing)"
    )
    assert [h["name"] for h in state["handles"]] == ["my cluster"]
    indices = set(state["handles"][0]["indices"])
    expected, ambiguous = set(state["expected"]), set(state["ambiguous"])
    print(f"handle from a lasso at ({cx - left:.0f}, {cy - top:.0f}) px: {len(indices)} points, "
          f"{len(expected)} expected, {len(ambiguous)} on edges")
    assert expected, "the lasso enclosed no points"
    assert len(ambiguous) < 10
    mismatch = indices ^ expected
    assert mismatch <= ambiguous, (
        f"handle indices differ from t.project() inside the lasso: {len(mismatch - ambiguous)} off, "
        f"e.g. {sorted(mismatch - ambiguous)[:10]}"
    )
    assert state["selected"] == [], "a handle-mode lasso must not change the selection"
    assert state["playing"] is False

    # x (widget focused) deletes the most recent handle.
    tour.show()
    tour.focus()
    tour.press("x")
    tour.wait_handle_names([])
    assert steer.run_json("report(names=[h['name'] for h in t.handles])") == {"names": []}
    _no_widget_errors(page)


def test_handles_added_from_python_show_their_names_as_text(steer: SteerNotebook) -> None:
    tour, page = steer.blobs, steer.page
    steer.run("reset(t, handles=[])", tour)
    tour.wait_handle_names([])

    output = steer.notebook.add_and_run('name = t.add_handle(np.arange(50), name="from python")\nprint(name)')
    assert output.strip() == "from python"
    tour.show()
    tour.wait_handle_names(["from python"], timeout_ms=10_000)

    evil = '<img src=x onerror="window.__pwned=1">'
    steer.notebook.add_and_run("t.add_handle([1, 2], name='<img src=x onerror=\"window.__pwned=1\">')")
    tour.show()
    tour.wait_handle_names(["from python", evil], timeout_ms=10_000)
    assert [h["name"] for h in tour.handles()] == ["from python", evil]
    markup = page.evaluate(
        "root => ({pwned: typeof window.__pwned, imgs: document.querySelectorAll('img[src=\"x\"]').length,"
        " inRoot: root.querySelectorAll('img').length})",
        tour.root.element_handle(),
    )
    assert markup == {"pwned": "undefined", "imgs": 0, "inRoot": 0}, markup
    names = steer.run_json("report(names=[h['name'] for h in t.handles])")["names"]
    assert names == ["from python", evil]
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_i_toggles_thumbnails(steer: SteerNotebook) -> None:
    tour, page = steer.digits, steer.page
    steer.run(
        "reset(g, handles=[], show_images=False, images_selected_only=False, projection=np.eye(10)[:, :2])", tour
    )
    assert tour.root.locator("button.grandtour-images").is_visible()
    assert tour.pressed("images") == "false"
    dots = tour.screenshot()

    tour.focus()
    tour.press("i")
    _wait_pressed(tour, "images", "true")
    tour.wait_still()
    thumbs = tour.screenshot()
    assert steer.run_json("report(show=g.show_images)") == {"show": True}

    tour.show()
    tour.focus()
    tour.press("i")
    _wait_pressed(tour, "images", "false")
    tour.wait_still()
    back = tour.screenshot()
    assert steer.run_json("report(show=g.show_images)") == {"show": False}

    ink_dots, ink_thumbs, ink_back = (non_background_fraction(image) for image in (dots, thumbs, back))
    grey_dots, grey_thumbs = grey_pixels(dots), grey_pixels(thumbs)
    print(f"ink: dots {ink_dots:.4f}, thumbnails {ink_thumbs:.4f}, back {ink_back:.4f}; "
          f"grey px {grey_dots} -> {grey_thumbs}")
    assert ink_thumbs > 2 * ink_dots, f"thumbnails cover {ink_thumbs:.2%} of the canvas, dots {ink_dots:.2%}"
    assert grey_thumbs > 3 * grey_dots + 1000, f"grey pixels {grey_dots} -> {grey_thumbs}"
    assert abs(ink_back - ink_dots) < 0.1 * ink_dots, f"ink {ink_dots:.4f} -> {ink_back:.4f} after a second 'i'"
    assert difference_fraction(dots, back) < 0.1 * ink_dots, "a second 'i' did not bring the dots back"
    _no_widget_errors(page)


def test_shortcuts_belong_to_the_focused_widget_only(steer: SteerNotebook) -> None:
    tour, page, notebook = steer.digits, steer.page, steer.notebook
    steer.run("reset(g, handles=[], show_images=False)", tour)
    # A scratch cell to type into.
    notebook.add_and_run("# scratch")
    scratch = notebook.cell_count() - 1

    notebook.focus_editor(scratch)
    assert notebook.mode() == "edit"
    for key in ("p", "Space", "i"):
        page.keyboard.press(key)
    source = notebook.state()["cells"][scratch]["source"]
    assert source.endswith("p i"), f"the editor should have taken the keys; it holds {source!r}"
    tour.show()
    assert tour.pressed("play") == "false" and tour.pressed("images") == "false"
    state = steer.run_json("report(playing=g.playing, show=g.show_images)")
    assert state == {"playing": False, "show": False}, f"keys typed in a cell reached the widget: {state}"
    tour.show()
    assert tour.pressed("play") == "false" and tour.pressed("images") == "false"

    # With the widget focused, Lab's command-mode keys would apply (command mode, and the
    # focused root matches their selector), but the widget keeps d, d and x to itself.
    tour.show()
    tour.focus()
    assert notebook.mode() == "command"
    assert page.evaluate("(s) => document.activeElement.matches(s)", DELETE_CELL_SELECTOR)
    cells = notebook.panel_locator().locator(".jp-Cell")
    count, sources = cells.count(), [c["source"] for c in notebook.state()["cells"]]
    tour.press("d")
    assert tour.pressed("handle-mode") == "true", "the widget did not get the first 'd'"
    tour.press("d")
    assert tour.pressed("handle-mode") == "false", "the widget did not get the second 'd'"
    tour.press("x")
    # Give Lab every chance to act on the keys before counting.
    notebook.wait_idle()
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert cells.count() == count, f"{count} cells became {cells.count()}: Lab saw the widget's keys"
    assert [c["source"] for c in notebook.state()["cells"]] == sources
    _no_widget_errors(page)


def test_hover_shows_tooltip(steer: SteerNotebook) -> None:
    tour, page = steer.digits, steer.page
    aim = steer.run_json(
        "reset(g, handles=[], show_images=False, projection=np.eye(10)[:, :2])\n"
        "P = g.project()\n"
        "report(points=np.round(P, 5).tolist(), labels=digit_labels.tolist())"
    )
    tour.show()
    tour.wait_still()
    points, labels = aim["points"], aim["labels"]
    left, top, width, height = tour.canvas_rect()
    s = tour.scale()
    pixels = [(left + width / 2 + s * x, top + height / 2 - s * y) for x, y in points]
    inside = [
        i
        for i, (px, py) in enumerate(pixels)
        if left + 40 < px < left + width - 40 and top + TOOLBAR_PX + 20 < py < top + height - 40
    ]

    # Hover over the point with the most neighbours within 10 px, clear of the toolbar and edges.
    def crowd(i: int) -> int:
        px, py = pixels[i]
        return sum(1 for j in inside if abs(pixels[j][0] - px) < 10 and abs(pixels[j][1] - py) < 10)

    best = max(inside[::4], key=crowd)
    target = (round(pixels[best][0]), round(pixels[best][1]))
    page.mouse.move(target[0] + 30, target[1] + 30)
    page.mouse.move(*target, steps=4)
    tooltip = tour.root.locator("div.grandtour-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text().strip()
    print(f"hover at {target} (crowd {crowd(best)}): tooltip {text!r}")
    assert text.startswith("#") and "digit" in text, text
    index = int(re.match(r"#(\d+)", text).group(1))
    assert labels[index] in text, f"tooltip {text!r} does not name point {index}'s class {labels[index]!r}"
    assert _distance(pixels[index], target) <= 8, "the tooltip names a point away from the pointer"

    # Leaving the plot hides it.
    page.mouse.move(left + width / 2, top - 60)
    tooltip.wait_for(state="hidden", timeout=10_000)


def test_readme_screenshot_thumbnails_for_a_selection(steer: SteerNotebook) -> None:
    """docs/screenshot-steer.png: thumbnails of one digit class, three class handles.

    The view is the digits' two linear-discriminant axes (orthonormalised) and the
    thumbnails are inverted to ink on paper, which reads better on a white page.
    """
    notebook, page = steer.notebook, steer.page
    selected = int(
        notebook.add_and_run(
            "from sklearn.discriminant_analysis import LinearDiscriminantAnalysis\n"
            "lda = LinearDiscriminantAnalysis(n_components=2).fit(Z, digits.target)\n"
            "shot = Tour(Z, digit_labels, images=1 - digit_images, playing=False,\n"
            "            projection=np.linalg.qr(lda.scalings_[:, :2])[0],\n"
            "            class_handles=['digit 0', 'digit 3', 'digit 7'],\n"
            "            selected=np.flatnonzero(digits.target == 3),\n"
            "            show_images=True, images_selected_only=True)\n"
            "display(shot)\n"
            "print(len(shot.selected))"
        ).strip().splitlines()[-1]
    )
    root = notebook.cell_output_locator(notebook.cell_count() - 1).locator("div.grandtour")
    _wait_ready(page, root)
    shot = TourUnderTest(notebook, page, root, root.locator("canvas.grandtour-canvas"), "shot")
    shot.show()
    shot.wait_handle_names(["digit 0", "digit 3", "digit 7"])
    shot.wait_still()
    assert shot.pressed("images") == "true"
    assert f"{selected} selected" in root.locator(".grandtour-count").inner_text()
    image = shot.screenshot()
    assert grey_pixels(image) > 5000, "no thumbnails drawn"
    DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(DOCS_SCREENSHOT))
    _no_widget_errors(page)
