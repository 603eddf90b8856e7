"""The walking skeleton, end to end: a Tour of 5,000 labelled 15-D points in JupyterLab.

One notebook (one kernel, one widget) serves the whole module; each test sets up the
state it needs from Python or the UI instead of relying on the order tests run in.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

from .conftest import close_page, console_log

pytestmark = pytest.mark.e2e
from .lab import JupyterServer, Notebook
from .pixels import (
    Image,
    difference_fraction,
    distinct_colour_buckets,
    grey_pixels,
    hue_buckets,
    non_background_fraction,
    read_png,
    saturated_pixels,
)

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
FIT_MARGIN = 0.06  # src/core/viewport.ts

SETUP = """\
import json
import numpy as np
from grandtour import Tour

# Five well-separated Gaussian blobs in 15-D, 1,000 points each.
rng = np.random.default_rng(20240501)
n_per, k, d = 1000, 5, 15
centres = rng.normal(scale=3.0, size=(k, d))
codes = np.repeat(np.arange(k), n_per)
X = centres[codes] + rng.normal(scale=0.6, size=(n_per * k, d))
labels = np.array([f"class {c}" for c in codes])


def lasso_check(polygon, tol=1e-5):
    \"\"\"Selection vs. the points of t.project() inside polygon (even-odd), as JSON.\"\"\"
    P = t.project()
    poly = np.asarray(polygon, dtype=np.float64)
    x, y = P[:, 0], P[:, 1]
    inside = np.zeros(len(P), dtype=bool)
    near = np.zeros(len(P), dtype=bool)
    for (x1, y1), (x2, y2) in zip(poly, np.roll(poly, -1, axis=0)):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
        # Points this close to an edge may fall either way in float32 on the JS side.
        ex, ey = x2 - x1, y2 - y1
        u = np.clip(((x - x1) * ex + (y - y1) * ey) / max(ex * ex + ey * ey, 1e-300), 0.0, 1.0)
        near |= np.hypot(x - (x1 + u * ex), y - (y1 + u * ey)) < tol
    print(json.dumps({
        "selected": t.selected.tolist(),
        "expected": np.flatnonzero(inside).tolist(),
        "ambiguous": np.flatnonzero(near).tolist(),
        "dtype": str(t.selected.dtype),
        "sorted": bool(np.all(np.diff(t.selected) > 0)),
        "projection": t.projection.tolist(),
    }))
"""

# Class handles off: this module is about the tour and the lasso, not steering.
SHOW = "t = Tour(X, labels, class_handles=False)\nt"


@dataclass
class TourUnderTest:
    """The open notebook and the displayed widget's handles."""

    notebook: Notebook
    page: Page
    root: Locator
    canvas: Locator

    def frames(self) -> int:
        return int(self.root.get_attribute("data-frames") or 0)

    def run_json(self, code: str) -> Any:
        """Run `code` in a new cell; its output's last line is JSON."""
        output = self.notebook.add_and_run(code)
        return json.loads(output.strip().splitlines()[-1])

    def show(self) -> None:
        """Scroll the widget into view: the tour only draws while it is visible."""
        self.root.scroll_into_view_if_needed()

    def screenshot(self) -> Image:
        return read_png(self.canvas.screenshot())

    def canvas_rect(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) of the canvas in CSS px, as the widget measures it."""
        rect = self.canvas.evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }"
        )
        return rect[0], rect[1], rect[2], rect[3]

    def wait_frames_after(self, count: int, timeout_s: float = 10.0) -> int:
        """Wait until more than `count` frames have been drawn; returns the new count."""
        return _poll(lambda: self.frames() if self.frames() > count else None, timeout_s, "a new frame")

    def wait_still(self, quiet_s: float = 0.5, timeout_s: float = 10.0) -> int:
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
        raise AssertionError(f"the widget kept drawing for {timeout_s}s (frames {last})")

    def set_from_python(self, code: str) -> None:
        """Run a trait assignment and wait for the redraw it causes."""
        before = self.frames()
        self.notebook.add_and_run(code)
        self.show()
        self.wait_frames_after(before)


def _poll(probe: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def tour(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> Iterator[TourUnderTest]:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "spine.ipynb", [SETUP, SHOW]).open(page)
    notebook.run_all()
    root = notebook.cell_output_locator(1).locator("div.grandtour")
    root.wait_for(state="visible", timeout=30_000)
    widget = TourUnderTest(notebook, page, root, root.locator("canvas.grandtour-canvas"))
    widget.show()
    page.wait_for_function(
        "e => ['ready', 'error'].includes(e.dataset.status)", arg=root.element_handle(), timeout=60_000
    )
    if root.get_attribute("data-status") == "error":
        raise AssertionError(f"widget error: {root.locator('.grandtour-error').inner_text()}")
    yield widget
    close_page(page)


def _lasso_pixels(centre: tuple[float, float], radius: float, vertices: int = 20) -> list[tuple[float, float]]:
    """A non-convex closed path (a rounded three-lobed star) around `centre`, in canvas px."""
    cx, cy = centre
    path = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        r = radius * (1 + 0.3 * math.sin(3 * angle))
        path.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return path


def test_tour_shows_rotates_and_lasso_selects(tour: TourUnderTest) -> None:
    """The issue's acceptance test: colours, motion, lasso -> Python, Python -> highlight."""
    page, root = tour.page, tour.root
    assert root.get_attribute("tabindex") == "0"
    legend = root.locator(".grandtour-legend .grandtour-legend-item")
    assert legend.count() == 5
    assert legend.locator(".grandtour-legend-name").all_inner_texts() == [f"class {k}" for k in range(5)]

    # Several label colours on the canvas.
    tour.show()
    first = tour.screenshot()
    min_pixels = max(50, first.width * first.height // 2000)
    buckets = distinct_colour_buckets(first, min_pixels=min_pixels)
    print(f"canvas {first.width}x{first.height}; hue buckets {hue_buckets(first)}; min {min_pixels}")
    assert buckets >= 5, f"only {buckets} saturated colour buckets with >= {min_pixels} px"
    DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(DOCS_SCREENSHOT))

    # The tour rotates: frames advance and the picture moves.
    frames_before = tour.frames()
    time.sleep(1.0)
    second = tour.screenshot()
    assert tour.frames() > frames_before, "data-frames did not increase while playing"
    # Points cover a few per cent of the canvas: compare changes with that ink.
    ink = non_background_fraction(first)
    moved = difference_fraction(first, second)
    print(f"frames {frames_before} -> {tour.frames()}; ink {ink:.4f}; moved {moved:.4f}")
    assert moved > 0.1 * ink, f"canvas barely changed in 1 s ({moved:.3%} of pixels, ink {ink:.3%})"

    # Pause, so the view holds still for the lasso.
    root.locator("button.grandtour-play").click()
    tour.wait_still()
    state = tour.run_json("print(json.dumps({'playing': t.playing}))")
    assert state == {"playing": False}

    # Aim the lasso at the data point nearest the middle-left of the view, preferring points
    # that leave the lasso room inside the canvas and clear of the toolbar.
    # The view starts at the zoom that fits the tour (data-zoom); at zoom 1 the unit disc
    # would fill the plot. Positions below are in view units times that zoom.
    zoom = float(root.get_attribute("data-zoom") or "1")
    aimed = tour.run_json(
        f"P = t.project() * {zoom!r}\n"
        "cost = np.hypot(P[:, 0] + 0.35, P[:, 1]) + 10 * ((np.abs(P[:, 1]) > 0.4) | (P[:, 0] < -0.7))\n"
        "print(json.dumps({'target': P[int(np.argmin(cost))].tolist(), 'projection': t.projection.tolist()}))"
    )
    target, paused_projection = aimed["target"], aimed["projection"]
    tour.show()
    left, top, width, height = tour.canvas_rect()
    scale = 0.5 * min(width, height) * (1 - FIT_MARGIN)
    radius = 0.12 * min(width, height)
    pixels_per_unit = scale * zoom
    reach = 1.3 * radius + 4  # the star's outermost vertices, plus slack
    cx = min(max(width / 2 + scale * target[0], reach), width - reach)
    cy = min(max(height / 2 - scale * target[1], 44 + reach), height - reach)  # toolbar: top ~40 px
    # Whole page pixels, so the pointer events land exactly where the polygon says.
    path = [(round(left + x), round(top + y)) for x, y in _lasso_pixels((cx, cy), radius)]
    polygon = [
        ((px - left - width / 2) / pixels_per_unit, -(py - top - height / 2) / pixels_per_unit)
        for px, py in path
    ]
    before_lasso = tour.screenshot()

    page.mouse.move(*path[0])
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*point)
    page.mouse.up()
    time.sleep(0.5)
    after_lasso = tour.screenshot()

    result = tour.run_json(f"lasso_check({json.dumps(polygon)})")
    selected, expected, ambiguous = set(result["selected"]), set(result["expected"]), set(result["ambiguous"])
    print(f"lasso centre ({cx:.0f}, {cy:.0f}) px: {len(selected)} selected, {len(expected)} expected, "
          f"{len(ambiguous)} on edges")
    assert result["dtype"] == "int64" and result["sorted"]
    assert selected, "the lasso selected nothing"
    assert len(ambiguous) < 10, f"{len(ambiguous)} points sit on the lasso's edges"
    mismatch = selected ^ expected
    assert mismatch <= ambiguous, (
        f"selection differs from t.project() inside the lasso: {len(selected)} selected, "
        f"{len(expected)} expected, {len(mismatch - ambiguous)} off (e.g. {sorted(mismatch - ambiguous)[:10]})"
    )
    # Paused, the basis sent on release is the one sent on pause: the view never moved.
    assert len(paused_projection) == 15 and all(len(row) == 2 for row in paused_projection)
    drift = max(abs(a - b) for r, q in zip(paused_projection, result["projection"]) for a, b in zip(r, q))
    assert drift < 1e-9, f"t.projection moved by {drift} between pause and lasso release"
    lasso_change = difference_fraction(before_lasso, after_lasso)
    assert lasso_change > 0.2 * non_background_fraction(before_lasso), "the selection is not highlighted"

    # Python -> view: no selection, then 100 selected points: the rest fade to grey.
    tour.set_from_python("t.selected = []")
    tour.wait_still()
    plain = tour.screenshot()
    tour.set_from_python("t.selected = list(range(100))")
    tour.wait_still()
    highlighted = tour.screenshot()
    changed = difference_fraction(plain, highlighted)
    plain_ink = non_background_fraction(plain)
    assert changed > 0.3 * plain_ink, f"highlight changed {changed:.3%} of pixels (ink {plain_ink:.3%})"
    grey_plain, grey_high = grey_pixels(plain), grey_pixels(highlighted)
    assert grey_high > 2 * grey_plain + 500, f"grey pixels {grey_plain} -> {grey_high}"
    sat_plain, sat_high = saturated_pixels(plain), saturated_pixels(highlighted)
    print(f"selected=range(100): changed {changed:.4f} of ink {plain_ink:.4f}; grey {grey_plain} -> {grey_high}; "
          f"saturated {sat_plain} -> {sat_high}")
    assert sat_high < 0.5 * sat_plain, f"saturated pixels {sat_plain} -> {sat_high}"
    assert not [line for line in console_log(page).errors() if "grandtour" in line.lower()]


def test_escape_clears_selection(tour: TourUnderTest) -> None:
    tour.set_from_python("t.selected = [3, 1, 4]")
    assert tour.run_json("print(json.dumps(t.selected.tolist()))") == [1, 3, 4]
    tour.show()
    tour.root.focus()
    tour.page.keyboard.press("Escape")
    time.sleep(0.3)
    assert tour.run_json("print(json.dumps(t.selected.tolist()))") == []


def test_playing_false_from_python_stops_frames(tour: TourUnderTest) -> None:
    tour.notebook.add_and_run("t.playing = True")
    tour.show()
    start = tour.frames()
    tour.wait_frames_after(start + 5)
    tour.notebook.add_and_run("t.playing = False")
    tour.show()
    stopped = tour.wait_still(quiet_s=1.0)
    time.sleep(0.5)
    assert tour.frames() == stopped
