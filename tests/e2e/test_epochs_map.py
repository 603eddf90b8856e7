"""Epochs and the layer-similarity map in a real JupyterLab with a real kernel."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import close_page
from .lab import JupyterServer, Notebook
from .pixels import difference_fraction
from .tours import NotebookTours

pytestmark = pytest.mark.e2e

SETUP = """\
import numpy as np
import grandtour
from grandtour import Tour

rng = np.random.default_rng(11)
codes = np.repeat(np.arange(5), 240)
labels = [f"class {c}" for c in codes]
centres = rng.normal(scale=3.0, size=(5, 12))

def rotation(seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(12, 12)))
    return q * np.sign(np.diag(r))

def cloud(spread, seed):
    noise = np.random.default_rng(seed).normal(scale=spread, size=(1200, 12))
    return centres[codes] + noise

# Three checkpoints of two layers: training tightens the classes and turns the space.
E = {
    name: {"a": cloud(spread, k) @ rotation(10 + k), "b": np.tanh(cloud(spread, 50 + k) @ rotation(20 + k) / 3)}
    for k, (name, spread) in enumerate([("e0", 2.5), ("e5", 1.2), ("e10", 0.4)])
}
# Two models with three layers each, for the map.
LA = {f"l{k + 1}": cloud(0.6 + 0.4 * k, 100 + k) @ rotation(200 + k) for k in range(3)}
LB = {f"l{k + 1}": cloud(0.5 + 0.5 * k, 300 + k) @ rotation(400 + k) for k in range(3)}
"""
EPOCHS = 't = Tour(E, labels, playing=False, class_handles=False, height=320)\nt'
COMPARE = (
    'pair = grandtour.compare(LA, LB, labels, similarity="cka", playing=False, class_handles=False, height=280)\npair'
)
# A map of a tour against itself, shown before its tour is.
LONELY_MAP = "t3 = Tour(LA, labels, playing=False, class_handles=False, height=280)\nm3 = grandtour.similarity_map(t3)\nm3"


class Lab(NotebookTours):
    def epoch_messages(self) -> int:
        """Messages the front end sent to the kernel with `epoch` in their state."""
        return sum(1 for m in self.notebook.comm_messages() if m["direction"] == "send" and "epoch" in m["keys"])


@pytest.fixture(scope="module")
def lab(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> Iterator[Lab]:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "epochs_map.ipynb", [SETUP, EPOCHS, COMPARE, LONELY_MAP]).open(page)
    notebook.run_all()
    notebook.cell_output_locator(1).locator("div.grandtour").wait_for(state="attached", timeout=60_000)
    notebook.cell_output_locator(2).locator("div.grandtour").nth(1).wait_for(state="attached", timeout=60_000)
    notebook.cell_output_locator(2).locator(".grandtour-map").wait_for(state="attached", timeout=60_000)
    yield Lab(notebook, page)
    close_page(page)


def test_the_epoch_slider_moves_the_tour_and_reaches_the_kernel(lab: Lab) -> None:
    root = lab.root(1)
    root.scroll_into_view_if_needed()
    bar = root.locator(".grandtour-epochs")
    bar.wait_for(state="visible", timeout=30_000)
    slider = bar.locator("input.grandtour-epoch-slider")
    name = bar.locator(".grandtour-epoch-name")
    assert name.inner_text() == "e0"
    assert slider.get_attribute("max") == "2"
    lab.settle(root)
    before = lab.canvases(root)[0]
    frames = int(root.get_attribute("data-frames") or "0")
    lab.notebook.record_comm_messages()

    # Drag the slider's thumb to the far end and let go.
    box = slider.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    lab.page.mouse.move(box["x"] + 4, y)
    lab.page.mouse.down()
    lab.page.mouse.move(box["x"] + box["width"] / 2, y, steps=4)
    lab.page.mouse.move(box["x"] + box["width"] - 2, y, steps=4)
    lab.page.mouse.up()
    assert name.inner_text() == "e10"
    lab.settle(root)
    # Paused: every frame since the drag belongs to the epoch switch, which animates.
    assert int(root.get_attribute("data-frames") or "0") - frames >= 3
    assert difference_fraction(before, lab.canvases(root)[0]) > 0.002, "another epoch should look different"
    lab.wait_kernel("print(t.epoch, t.layer)", "e10 a")
    # Scrubbed through e5 live, but Python heard once: on release.
    assert lab.epoch_messages() == 1, lab.notebook.comm_messages()


def test_an_epoch_set_in_python_moves_the_slider_without_an_echo(lab: Lab) -> None:
    root = lab.root(1)
    root.scroll_into_view_if_needed()
    lab.notebook.record_comm_messages()
    lab.kernel("t.epoch = 'e5'")
    bar = root.locator(".grandtour-epochs")
    lab.page.wait_for_function(
        "el => el.querySelector('.grandtour-epoch-slider').value === '1'"
        " && el.querySelector('.grandtour-epoch-name').textContent === 'e5'",
        arg=bar.element_handle(),
        timeout=15_000,
    )
    lab.settle(root)
    assert lab.epoch_messages() == 0, "the view must not send back what Python set"
    assert lab.kernel("print(t.epoch)") == "e5"


def test_brackets_step_epochs_and_the_strip_keeps_the_layer(lab: Lab) -> None:
    root = lab.root(1)
    root.scroll_into_view_if_needed()
    root.locator(".grandtour-layer", has_text="b").click()
    lab.wait_kernel("print(t.layer)", "b")
    root.focus()
    lab.page.keyboard.press("[")
    lab.wait_kernel("print(t.epoch, t.layer)", "e0 b")
    assert root.locator(".grandtour-epoch-name").inner_text() == "e0"
    lab.page.keyboard.press("[")  # at the first epoch already: stays
    lab.page.keyboard.press("]")
    lab.wait_kernel("print(t.epoch, t.layer)", "e5 b")
    assert root.locator(".grandtour-layer[aria-pressed=true]").inner_text() == "b"


def test_a_single_level_tour_shows_no_epoch_slider(lab: Lab) -> None:
    left = lab.root(2, 0)
    left.scroll_into_view_if_needed()
    assert left.locator(".grandtour-epochs").is_hidden()


def test_hovering_the_map_marks_both_strips_and_a_click_switches_both_layers(lab: Lab) -> None:
    output = lab.notebook.cell_output_locator(2)
    left, right = lab.root(2, 0), lab.root(2, 1)
    themap = output.locator(".grandtour-map")
    themap.scroll_into_view_if_needed()
    assert themap.get_attribute("data-tours") == "ready"
    assert "linear CKA" in themap.locator(".grandtour-map-method").inner_text()
    assert themap.locator(".grandtour-map-colname").all_inner_texts() == ["l1", "l2", "l3"]
    assert themap.locator(".grandtour-map-rowname").all_inner_texts() == ["l1", "l2", "l3"]
    assert themap.locator(".grandtour-map-cell").count() == 9
    assert themap.locator(".grandtour-map-tick").count() == 3

    cell = themap.locator('.grandtour-map-cell[data-row="2"][data-col="0"]')
    cell.hover()
    left_marked = left.locator('.grandtour-layer[data-layer="l3"]')
    right_marked = right.locator('.grandtour-layer[data-layer="l1"]')
    for button in (left_marked, right_marked):
        lab.page.wait_for_function("el => el.dataset.marked === 'true'", arg=button.element_handle(), timeout=5_000)
    assert left.locator(".grandtour-layer[data-marked]").count() == 1
    assert right.locator(".grandtour-layer[data-marked]").count() == 1
    tooltip = themap.locator(".grandtour-map-tooltip")
    value = lab.kernel("print(f'{pair.map.matrix[2, 0]:.3f}')")
    text = tooltip.inner_text()
    assert value in text and "row: l3" in text and "column: l1" in text, text

    cell.click()
    lab.wait_kernel("print(pair.left.layer, pair.right.layer)", "l3 l1")
    assert left.locator(".grandtour-layer[aria-pressed=true]").inner_text() == "l3"
    assert right.locator(".grandtour-layer[aria-pressed=true]").inner_text() == "l1"
    lab.page.wait_for_function("el => el.dataset.current === 'true'", arg=cell.element_handle(), timeout=5_000)

    # Leaving the map clears the marks.
    lab.page.mouse.move(5, 5)
    lab.page.wait_for_function(
        "els => els.every(el => !el.querySelector('.grandtour-layer[data-marked]'))",
        arg=[left.element_handle(), right.element_handle()],
        timeout=5_000,
    )
    assert tooltip.is_hidden()

    # A layer chosen in a tour's strip moves the map's current cell.
    right.locator(".grandtour-layer", has_text="l2").click()
    lab.wait_kernel("print(pair.right.layer)", "l2")
    current = themap.locator('.grandtour-map-cell[data-row="2"][data-col="1"]')
    lab.page.wait_for_function("el => el.dataset.current === 'true'", arg=current.element_handle(), timeout=5_000)


def test_the_map_works_from_the_keyboard(lab: Lab) -> None:
    themap = lab.notebook.cell_output_locator(2).locator(".grandtour-map")
    themap.scroll_into_view_if_needed()
    grid = themap.locator(".grandtour-map-grid")
    grid.focus()
    for key in ("ArrowDown", "ArrowRight", "ArrowRight", "ArrowDown"):  # (0, 0) first, then (0,1), (0,2), (1,2)
        lab.page.keyboard.press(key)
    hovered = themap.locator(".grandtour-map-cell[data-hover=true]")
    assert (hovered.get_attribute("data-row"), hovered.get_attribute("data-col")) == ("1", "2")
    assert "row: l2" in themap.locator(".grandtour-map-tooltip").inner_text()
    lab.page.keyboard.press("Enter")
    lab.wait_kernel("print(pair.left.layer, pair.right.layer)", "l2 l3")
    lab.page.keyboard.press("Escape")
    assert themap.locator(".grandtour-map-cell[data-hover=true]").count() == 0
    # The notebook kept its cells: Enter and the arrows stayed in the map.
    assert lab.notebook.cell_count() == 4


def test_a_map_waits_for_its_tour_and_then_drives_it(lab: Lab) -> None:
    output = lab.notebook.cell_output_locator(3)
    themap = output.locator(".grandtour-map")
    themap.scroll_into_view_if_needed()
    assert themap.get_attribute("data-tours") == "waiting"
    assert "not on this page yet" in themap.locator(".grandtour-map-status").inner_text()
    # Against itself: the diagonal is 1.
    assert themap.locator('.grandtour-map-cell[data-row="1"][data-col="1"]').get_attribute("aria-label") == "l2 × l2: 1.000"
    lab.notebook.add_and_run("t3")
    tour = lab.notebook.cell_output_locator(4).locator("div.grandtour")
    tour.wait_for(state="attached", timeout=60_000)
    lab.page.wait_for_function("el => el.dataset.tours === 'ready'", arg=themap.element_handle(), timeout=10_000)
    assert themap.locator(".grandtour-map-status").is_hidden()
    themap.scroll_into_view_if_needed()
    cell = themap.locator('.grandtour-map-cell[data-row="0"][data-col="2"]')
    cell.hover()
    tour.locator(".grandtour-layer").first.wait_for(state="attached")
    marked = lab.page.evaluate(
        "el => [...el.querySelectorAll('.grandtour-layer[data-marked]')].map(b => b.dataset.layer)", tour.element_handle()
    )
    assert marked == ["l1", "l3"]
    # One tour against itself: the click shows the row's layer, then moves to the column's.
    cell.click()
    lab.wait_kernel("print(t3.layer)", "l3")


def test_a_published_page_keeps_the_map_working_without_a_kernel(page: Page, tmp_path: Path) -> None:
    import numpy as np

    import grandtour

    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(4), 150)
    centres = rng.normal(scale=3.0, size=(4, 8))
    side = [{f"l{k}": centres[codes] + rng.normal(scale=0.5 + k, size=(600, 8)) for k in range(3)} for _ in range(2)]
    pair = grandtour.compare(*side, [str(c) for c in codes], similarity="nuclear", playing=False, class_handles=False)
    # A tour's epochs travel too.
    epochs = grandtour.Tour({"early": side[0], "late": side[1]}, playing=False, class_handles=False, epoch="late")
    path = grandtour.save_html(tmp_path / "map.html", pair, epochs, title="Map")
    page.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    page.goto(path.as_uri())
    themap = page.locator(".grandtour-map")
    themap.wait_for(timeout=60_000)
    roots = page.locator("div.grandtour")
    page.wait_for_function("() => document.querySelectorAll('div.grandtour').length === 3", timeout=60_000)
    page.wait_for_function("el => el.dataset.tours === 'ready'", arg=themap.element_handle(), timeout=20_000)
    assert "nuclear" in themap.locator(".grandtour-map-method").inner_text()
    cell = themap.locator('.grandtour-map-cell[data-row="0"][data-col="2"]')
    cell.hover()
    assert roots.nth(0).locator('.grandtour-layer[data-layer="l0"]').get_attribute("data-marked") == "true"
    assert roots.nth(1).locator('.grandtour-layer[data-layer="l2"]').get_attribute("data-marked") == "true"
    cell.click()
    assert roots.nth(0).locator(".grandtour-layer[aria-pressed=true]").inner_text() == "l0"
    assert roots.nth(1).locator(".grandtour-layer[aria-pressed=true]").inner_text() == "l2"
    # The third view: epochs, opened at "late", scrubbed with the keys.
    third = roots.nth(2)
    assert third.locator(".grandtour-epoch-name").inner_text() == "late"
    third.focus()
    page.keyboard.press("[")
    assert third.locator(".grandtour-epoch-name").inner_text() == "early"
