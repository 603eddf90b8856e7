"""Widget state in JupyterLab: saved with the notebook, one session for two views, text only.

Each test has its own notebook (and kernel). Reads of kernel state go through
`Notebook.kernel_run`, which adds no cell, so the widgets stay where they are on screen
(a view draws only while it is visible).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Locator, Page

from .conftest import close_page, console_log
from .lab import JupyterServer, Notebook
from .pixels import Image, difference_fraction, non_background_fraction, read_png

pytestmark = pytest.mark.e2e

WIDGETS_PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TOOLBAR_PX = 44  # the toolbar covers the plot's top ~40 px


# ------------------------------------------------------------------ helpers


def canvas_png(canvas: Locator) -> Image:
    """The canvas's own pixels (toDataURL), without the DOM overlays above it."""
    url = canvas.evaluate("c => c.toDataURL('image/png')")
    return read_png(base64.b64decode(url.split(",", 1)[1]))


def canvases_at_once(page: Page, canvases: Locator) -> list[Image]:
    """Every matching canvas read in one task: no frame can be drawn between the reads."""
    urls = canvases.evaluate_all("cs => cs.map((c) => c.toDataURL('image/png'))")
    return [read_png(base64.b64decode(url.split(",", 1)[1])) for url in urls]


def frames(root: Locator) -> int:
    return int(root.get_attribute("data-frames") or 0)


def wait_ready(root: Locator, timeout_ms: int = 60_000) -> None:
    """Wait for the widget to draw (or fail); a failure is reported with its message."""
    root.wait_for(state="visible", timeout=timeout_ms)
    root.scroll_into_view_if_needed()
    root.page.wait_for_function(
        "e => ['ready', 'error'].includes(e.dataset.status)", arg=root.element_handle(), timeout=timeout_ms
    )
    if root.get_attribute("data-status") == "error":
        raise AssertionError(f"widget error: {root.locator('.grandtour-error').inner_text()}")


def wait_frames_after(root: Locator, count: int, timeout_s: float = 20.0) -> int:
    root.page.wait_for_function(
        "([e, n]) => Number(e.dataset.frames) > n", arg=[root.element_handle(), count], timeout=timeout_s * 1000
    )
    return frames(root)


def wait_still(roots: list[Locator], quiet_s: float = 0.6, timeout_s: float = 15.0) -> list[int]:
    """Wait until none of `roots` has drawn a frame for `quiet_s`; returns their frame counts."""
    deadline = time.monotonic() + timeout_s
    last, since = [frames(r) for r in roots], time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = [frames(r) for r in roots]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return now
    raise AssertionError(f"the widgets kept drawing for {timeout_s}s (frames {last})")


def poll(probe: Callable[[], Any], timeout_s: float, what: str) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.1)


def kernel_json(notebook: Notebook, code: str) -> Any:
    """Run `code` in the kernel (no cell); the last line it prints is JSON."""
    return json.loads(notebook.kernel_run(code).strip().splitlines()[-1])


def grandtour_errors(page: Page) -> list[str]:
    return [line for line in console_log(page).errors() if "grandtour" in line.lower()]


def lasso(page: Page, canvas: Locator, half: float = 70.0) -> None:
    """A closed, slightly skewed square lasso around the canvas's middle (below the toolbar)."""
    box = canvas.bounding_box()
    assert box, "canvas not laid out"
    cx = round(box["x"] + box["width"] / 2)
    cy = round(box["y"] + max(box["height"] / 2, TOOLBAR_PX + half + 6))
    corners = [(cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half), (cx - half, cy - half + 5)]
    page.mouse.move(cx - half, cy - half)
    page.mouse.down()
    for x, y in corners:
        page.mouse.move(x, y, steps=5)
    page.mouse.up()


# ------------------------------------------------------------------ 1. saved state

BUILD = """\
import json
import numpy as np
from grandtour import Tour

rng = np.random.default_rng(20240707)
codes = np.repeat(np.arange(4), 300)
A = rng.normal(scale=3.0, size=(4, 15))[codes] + rng.normal(scale=0.6, size=(1200, 15))
B = rng.normal(scale=3.0, size=(4, 10))[codes] + rng.normal(scale=0.6, size=(1200, 10))
labels = np.array([f"class {c}" for c in codes])
t = Tour({"a": A, "b": B}, labels, playing=False, class_handles=False, height=360)
t"""

CHANGE = """\
t.selected = np.arange(40)
t.add_handle(np.arange(100, 160), name="kept")
t.layer = "b"
"""

PROJECT = """\
Q, _ = np.linalg.qr(rng.normal(size=(10, 2)))
t.projection = Q
print(json.dumps(t.projection.tolist()))"""


@pytest.fixture
def save_widget_state(jupyter_server: JupyterServer) -> Iterator[None]:
    """Settings → "Save Widget State Automatically", for this test only."""
    previous = jupyter_server.lab_setting_raw(WIDGETS_PLUGIN)
    jupyter_server.set_lab_setting(WIDGETS_PLUGIN, {"saveState": True})
    try:
        yield
    finally:
        jupyter_server.set_lab_setting(WIDGETS_PLUGIN, previous)


def test_state_survives_save_and_reopen_without_a_kernel(
    jupyter_server: JupyterServer, new_page: Callable[[], Page], save_widget_state: None
) -> None:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "saved_state.ipynb", [BUILD, CHANGE, PROJECT]).open(page)
    notebook.run_cell(0)
    root = notebook.cell_output_locator(0).locator("div.grandtour")
    canvas = root.locator("canvas.grandtour-canvas")
    wait_ready(root)

    notebook.run_cell(1)
    root.scroll_into_view_if_needed()
    count = root.locator(".grandtour-count")
    poll(lambda: count.inner_text().endswith("· 40 selected") or None, 20, "40 selected in the view")
    poll(lambda: "kept" in root.locator("input.grandtour-handle-name").evaluate_all("es => es.map(e => e.value)"),
         20, "the handle 'kept'")
    poll(lambda: root.locator(".grandtour-layer[aria-pressed=true]").all_inner_texts() == ["b"], 20, "layer b")
    wait_still([root])
    identity_view = canvas_png(canvas)

    before_frames = frames(root)
    projection = json.loads(notebook.run_cell(2).strip().splitlines()[-1])
    root.scroll_into_view_if_needed()
    wait_frames_after(root, before_frames)
    wait_still([root])
    before = canvas_png(canvas)
    ink = non_background_fraction(before)
    turned = difference_fraction(identity_view, before)
    print(f"canvas {before.width}x{before.height}, ink {ink:.4f}; the Python projection changed {turned:.4f}")
    assert turned > 0.2 * ink, "setting t.projection from Python did not change the view"

    # Save: the widget manager writes the state into the notebook's metadata.
    notebook.save()
    saved = json.loads(notebook.path.read_text())
    outputs = saved["cells"][0]["outputs"]
    model_id = next(o["data"][WIDGET_VIEW]["model_id"] for o in outputs if WIDGET_VIEW in o.get("data", {}))
    widget_state = saved["metadata"]["widgets"][WIDGET_STATE]["state"]
    assert model_id in widget_state, f"model {model_id} not in the saved widget state ({list(widget_state)})"
    model = widget_state[model_id]
    assert model["model_name"] == "AnyModel", model["model_name"]
    state = model["state"]
    assert state["layer"] == "b" and state["playing"] is False
    assert np.allclose(np.asarray(state["projection"]), np.asarray(projection), atol=1e-12)
    assert [h["name"] for h in state["_handles"]] == ["kept"]
    # The selection travels as a base64 buffer, never as a JSON list of numbers.
    selected = state["selected"]
    assert isinstance(selected, dict) and selected["dtype"] == "uint32" and selected["shape"] == [40], selected
    assert not isinstance(selected.get("view"), list)
    buffers = {tuple(b["path"]): b for b in model.get("buffers", [])}
    assert ("selected", "view") in buffers, f"buffers saved: {sorted(buffers)}"
    buffer = buffers[("selected", "view")]
    assert buffer["encoding"] == "base64"
    assert np.array_equal(np.frombuffer(base64.b64decode(buffer["data"]), dtype="<u4"), np.arange(40))
    assert ("_handles", 0, "indices", "view") in buffers
    assert ("_layers", 0, "points", "view") in buffers and ("_layers", 1, "points", "view") in buffers
    counts = [cell["execution_count"] for cell in saved["cells"]]

    # Close the page, end the kernel, and open the notebook afresh: a new kernel knows
    # nothing of `t`, and no cell is run, so the widget can only come from the saved state.
    old_kernel = notebook.kernel_id()
    close_page(page)
    notebook.shutdown_kernel()
    poll(lambda: notebook.kernel_id() is None, 20, "the old session to end")
    page = new_page()
    reopened = Notebook(jupyter_server, notebook.name).open(page)
    assert reopened.kernel_id() not in (None, old_kernel)
    root = reopened.cell_output_locator(0).locator("div.grandtour")
    canvas = root.locator("canvas.grandtour-canvas")
    wait_ready(root)
    wait_still([root])
    assert root.get_attribute("data-status") == "ready"
    assert root.locator(".grandtour-count").inner_text() == "1,200 points · 40 selected"
    names = root.locator("input.grandtour-handle-name").evaluate_all("es => es.map(e => e.value)")
    assert names == ["kept"], names
    assert root.locator(".grandtour-layer[aria-pressed=true]").all_inner_texts() == ["b"]
    after = canvas_png(canvas)
    changed = difference_fraction(before, after)
    print(f"after reopening: {changed:.5f} of pixels differ from before (ink {ink:.4f})")
    assert (after.width, after.height) == (before.width, before.height)
    assert changed < 0.05 * ink, f"the restored picture differs in {changed:.3%} of pixels (ink {ink:.3%})"
    # Nothing ran: the prompts are the saved ones.
    assert [cell["count"] for cell in reopened.state()["cells"]] == counts
    assert not grandtour_errors(page), grandtour_errors(page)


# ------------------------------------------------------------------ 2. one tour, two views

TWO_VIEWS = """\
import json, numpy as np
from grandtour import Tour
rng = np.random.default_rng(11); codes = np.repeat(np.arange(4), 500)
X = rng.normal(scale=3.0, size=(4, 15))[codes] + rng.normal(scale=0.6, size=(2000, 15))
t = Tour(X, [f"class {c}" for c in codes], class_handles=False, playing=False, height=250)
t"""


def play_pause_rate(page: Page, play: Locator, pause: Locator, notebook: Notebook, window_s: float = 1.5) -> float:
    """Frobenius distance the view's basis moved per wall second between a play and a pause click.

    Both clicks send t.projection (the basis at that moment); their times are the events'
    own timestamps in the page.
    """
    page.evaluate(
        """() => {
            window.__clicks = [];
            if (window.__clickProbe) return;
            window.__clickProbe = true;
            document.addEventListener('click', (e) => {
                if (e.target.closest && e.target.closest('button.grandtour-play')) window.__clicks.push(e.timeStamp);
            }, true);
        }"""
    )
    play.click()
    poll(lambda: kernel_json(notebook, "print(json.dumps(t.playing))"), 20, "t.playing to become True")
    start = np.asarray(kernel_json(notebook, "print(json.dumps(t.projection.tolist()))"))
    time.sleep(window_s)  # the measurement window itself, not a wait for some condition
    pause.click()
    poll(lambda: kernel_json(notebook, "print(json.dumps(not t.playing))"), 20, "t.playing to become False")
    end = np.asarray(kernel_json(notebook, "print(json.dumps(t.projection.tolist()))"))
    clicks = page.evaluate("() => window.__clicks")
    assert len(clicks) == 2, clicks
    return float(np.linalg.norm(end - start) / ((clicks[1] - clicks[0]) / 1000))


def test_one_tour_in_two_outputs_is_one_session(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> None:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "two_views.ipynb", [TWO_VIEWS, "t"]).open(page)
    notebook.run_cell(0)
    first = notebook.cell_output_locator(0).locator("div.grandtour")
    wait_ready(first)
    first_play = first.locator("button.grandtour-play")
    one_view_rate = play_pause_rate(page, first_play, first_play, notebook)

    notebook.run_cell(1)
    second = notebook.cell_output_locator(1).locator("div.grandtour")
    wait_ready(second)
    roots = [first, second]
    canvases = page.locator(".jp-NotebookPanel:visible canvas.grandtour-canvas")
    assert canvases.count() == 2
    for root in roots:
        box = root.locator("canvas.grandtour-canvas").bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], (
            f"both views must be on screen to draw: {box}"
        )
    wait_still(roots)
    a, b = canvases_at_once(page, canvases)
    assert a.rgba == b.rgba, "the second view, joining a paused tour, shows another frame"

    # A lasso in the first view selects in both, and the kernel hears of it once.
    notebook.record_comm_messages()
    lasso(page, first.locator("canvas.grandtour-canvas"))
    counts = poll(
        lambda: (texts := page.locator(".jp-NotebookPanel:visible .grandtour-count").all_inner_texts())
        and all("selected" in s for s in texts) and texts,
        20,
        "a selection count in both views",
    )
    assert len(counts) == 2 and counts[0] == counts[1], counts
    shown = int(re.search(r"· ([\d,]+) selected", counts[0]).group(1).replace(",", ""))
    assert shown > 0
    poll(lambda: kernel_json(notebook, "print(len(t.selected))") == shown, 20, f"len(t.selected) == {shown}")

    # No echo loop: once settled, nothing is drawn, sent or changed for 2 s.
    settled = wait_still(roots, quiet_s=0.8)
    selection = kernel_json(notebook, "print(json.dumps(t.selected.tolist()))")
    sent_before = [m for m in notebook.comm_messages() if m["direction"] == "send"]
    time.sleep(2.0)  # the observation window
    assert [frames(r) for r in roots] == settled, "a paused view kept drawing after the lasso"
    assert kernel_json(notebook, "print(json.dumps(t.selected.tolist()))") == selection
    messages = notebook.comm_messages()
    sent = [m for m in messages if m["direction"] == "send"]
    print(f"comm messages after the lasso: {[(m['direction'], m['method'], m['keys']) for m in messages]}")
    assert sent == sent_before
    updates = [m for m in sent if m["method"] == "update"]
    # (projection goes along only if it changed: paused, it equals what the kernel has.)
    assert len(updates) == 1 and "selected" in updates[0]["keys"], sent
    assert set(updates[0]["keys"]) <= {"projection", "selected"}, sent

    # Playing from Python: both views draw the same frame at the same moment.
    notebook.kernel_run("t.playing = True")
    for root in roots:
        wait_frames_after(root, frames(root) + 3)
    for _ in range(3):
        a, b = canvases_at_once(page, canvases)
        assert a.rgba == b.rgba, (
            f"two views of one playing tour differ in {difference_fraction(a, b, tolerance=0):.3%} of pixels"
        )
        time.sleep(0.2)

    # Pausing the second view pauses both.
    second.locator("button.grandtour-play").click()
    poll(lambda: kernel_json(notebook, "print(json.dumps(not t.playing))"), 20, "t.playing to become False")
    still = wait_still(roots, quiet_s=1.0)
    for root in roots:
        assert root.locator("button.grandtour-play").get_attribute("aria-pressed") == "false"
    time.sleep(0.5)
    assert [frames(r) for r in roots] == still
    a, b = canvases_at_once(page, canvases)
    assert a.rgba == b.rgba

    # And the speed is the speed of one view: two views do not advance the clock twice.
    two_view_rate = play_pause_rate(page, first_play, second.locator("button.grandtour-play"), notebook)
    print(f"basis moved {one_view_rate:.3f}/s with one view, {two_view_rate:.3f}/s with two")
    assert 0.1 < one_view_rate < 1.0
    assert two_view_rate < 1.5 * one_view_rate, (one_view_rate, two_view_rate)
    assert not grandtour_errors(page), grandtour_errors(page)
    close_page(page)


# ------------------------------------------------------------------ 4. markup in names

EVIL = '<img src=x onerror="window.__pwned=1">'

XSS = f"""\
import numpy as np
from grandtour import Tour
evil = {EVIL!r}
rng = np.random.default_rng(3); codes = np.repeat(np.arange(2), 300)
X = rng.normal(scale=3.0, size=(2, 8))[codes] + rng.normal(scale=0.6, size=(600, 8))
t = Tour(X, [evil if c else "<b>bold</b>" for c in codes], class_handles=False, height=300)
t.add_handle(np.arange(10), name=evil)
t"""


def test_labels_and_handle_names_stay_text_in_jupyterlab(
    jupyter_server: JupyterServer, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "markup.ipynb", [XSS]).open(page)
    notebook.run_cell(0)
    root = notebook.cell_output_locator(0).locator("div.grandtour")
    wait_ready(root)
    poll(lambda: root.locator("input.grandtour-handle-name").count() == 1, 20, "the handle")
    assert EVIL in root.locator(".grandtour-legend-name").all_inner_texts()
    assert "<b>bold</b>" in root.locator(".grandtour-legend-name").all_inner_texts()
    assert root.locator("input.grandtour-handle-name").input_value() == EVIL
    # Hover across the points, so that the tooltip shows labels too.
    box = root.locator("canvas.grandtour-canvas").bounding_box()
    assert box
    for dx in range(-90, 91, 6):
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dx / 3)
    wait_frames_after(root, 0)
    time.sleep(0.3)
    assert root.locator("img").count() == 0 and root.locator("b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert not grandtour_errors(page), grandtour_errors(page)
    close_page(page)
