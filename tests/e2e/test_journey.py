"""Layers, linked tours and a comparison in a real JupyterLab with a real kernel."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

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

rng = np.random.default_rng(7)
codes = np.repeat(np.arange(5), 300)
A = rng.normal(scale=3.0, size=(5, 12))[codes] + rng.normal(scale=0.6, size=(1500, 12))
q, r = np.linalg.qr(rng.normal(size=(12, 12)))
R = q * np.sign(np.diag(r))
if np.linalg.det(R) < 0:
    R[:, 0] *= -1
B = np.roll(A, 4, axis=1) * 1.7
labels = [f"class {c}" for c in codes]
"""
LAYERS = 't = Tour({"a": A, "b": B}, labels, playing=False, class_handles=False, height=320)\nt'
LINKED_1 = (
    "t1 = Tour(A, labels, seed=1, class_handles=False, height=320,"
    " handles=[{'name': 'h', 'indices': np.arange(300)}])\n"
    "t2 = Tour(A, labels, seed=2, class_handles=False, height=320)\n"
    "link = grandtour.link(t1, t2)\nt1"
)
LINKED_2 = "t2"
COMPARE = "pair = grandtour.compare(A @ R, A, labels, playing=False, class_handles=False, height=320)\npair"


Journey = NotebookTours


@pytest.fixture(scope="module")
def journey(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> Iterator[Journey]:
    page = new_page()
    notebook = Notebook.create(jupyter_server, "journey.ipynb", [SETUP, LAYERS, LINKED_1, LINKED_2, COMPARE]).open(page)
    notebook.run_all()
    for cell in (1, 2, 3):
        notebook.cell_output_locator(cell).locator("div.grandtour").wait_for(state="attached", timeout=60_000)
    notebook.cell_output_locator(4).locator("div.grandtour").nth(1).wait_for(state="attached", timeout=60_000)
    yield Journey(notebook, page)
    close_page(page)


def test_a_layer_switch_animates_and_reaches_the_kernel(journey: Journey) -> None:
    root = journey.root(1)
    root.scroll_into_view_if_needed()
    root.locator(".grandtour-layer").first.wait_for(timeout=30_000)
    journey.settle(root)
    before = int(root.get_attribute("data-frames") or "0")
    root.locator(".grandtour-layer", has_text="b").click()
    journey.settle(root)
    # The tour is paused: every frame since the click belongs to the switch.
    assert int(root.get_attribute("data-frames") or "0") - before >= 3
    assert journey.notebook.kernel_run("print(t.layer)").strip() == "b"


def test_linked_tours_in_adjacent_cells_turn_and_steer_as_one(journey: Journey) -> None:
    first, second = journey.root(2), journey.root(3)
    second.scroll_into_view_if_needed()
    first.scroll_into_view_if_needed()
    for _ in range(3):
        a, b = journey.canvases(first, second)
        assert difference_fraction(a, b) < 1e-4, "linked tours should show the same frame"
        time.sleep(0.3)
    # Pausing one pauses both, and the other's model hears it.
    first.locator("button.grandtour-play").click()
    journey.settle(first, second)
    assert journey.notebook.kernel_run("print(t1.playing, t2.playing)").split() == ["False", "False"]
    before = journey.canvases(second)[0]
    ring = first.locator(".grandtour-handle-ring").bounding_box()
    assert ring
    x, y = ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2
    journey.page.mouse.move(x, y)
    journey.page.mouse.down()
    journey.page.mouse.move(x + 50, y + 35, steps=10)
    journey.page.mouse.up()
    journey.page.mouse.move(5, 5)
    journey.settle(first, second)
    a, b = journey.canvases(first, second)
    assert difference_fraction(before, b) > 0.002, "a drag in one should steer the other"
    assert difference_fraction(a, b) < 1e-4


def test_the_compare_align_toggle_lines_the_models_up(journey: Journey) -> None:
    left, right = journey.root(4, 0), journey.root(4, 1)
    left.scroll_into_view_if_needed()
    journey.settle(left, right)
    unaligned = difference_fraction(*journey.canvases(left, right))
    assert unaligned > 0.002
    left.locator("button.grandtour-align").click()
    journey.settle(left, right)
    aligned = difference_fraction(*journey.canvases(left, right))
    assert aligned < 0.2 * unaligned, (unaligned, aligned)
    assert journey.notebook.kernel_run("print(pair.aligned)").strip() == "True"
