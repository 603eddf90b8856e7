"""Layers, links and comparisons on a plain page (fake model; the bundle as shipped)."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from playwright.sync_api import Page

from grandtour import Tour, compare, link

from .page_host import mount, open_host, wait_frames, wire_state
from .pixels import difference_fraction, non_background_fraction, read_png

pytestmark = pytest.mark.e2e


def canvas(page: Page, container: str) -> object:
    url = page.evaluate("s => document.querySelector(s).toDataURL('image/png')", f"#{container} .grandtour-canvas")
    return read_png(base64.b64decode(url.split(",", 1)[1]))


def settle(page: Page, quiet_ms: int = 400, timeout_s: float = 15.0) -> None:
    """Wait until no widget on the page draws a new frame for `quiet_ms` (a paused view)."""
    deadline = time.monotonic() + timeout_s
    last = None
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        frames = page.evaluate("[...document.querySelectorAll('.grandtour')].map(r => r.dataset.frames).join()")
        if frames != last:
            last, quiet_since = frames, time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
        time.sleep(0.05)
    raise AssertionError("the widgets never stopped drawing")


def blobs(n: int = 1500, d: int = 15, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(5), n // 5)
    return rng.normal(scale=3.0, size=(5, d))[codes] + rng.normal(scale=0.6, size=(n, d)), [f"c{c}" for c in codes]


def random_rotation(d: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    q *= np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    return q


def test_layer_switch_animates_and_reports_the_layer(page: Page) -> None:
    X, labels = blobs()
    Y = np.roll(X, 3, axis=1) * 1.5  # a different picture of the same points
    t = Tour({"a": X, "b": Y}, labels, playing=False, class_handles=False)
    open_host(page)
    mount(page, "m", wire_state(t))
    wait_frames(page, "#out0 .grandtour")
    buttons = page.locator("#out0 .grandtour-layer")
    assert buttons.all_inner_texts() == ["a", "b"]
    start = canvas(page, "out0")
    before = int(page.locator("#out0 .grandtour").get_attribute("data-frames") or "0")
    buttons.nth(1).click()
    time.sleep(1.5)
    end = canvas(page, "out0")
    after = int(page.locator("#out0 .grandtour").get_attribute("data-frames") or "0")
    assert page.evaluate("window.m.state.layer") == "b"
    assert after - before >= 3, "the switch should draw several frames, not jump"
    assert difference_fraction(start, end) > 0.002
    # The tour is paused, so every frame drawn since the click belongs to the switch: several
    # frames mean it was animated, not cut. (Catching a mid-way frame on canvas is left to
    # luck on a loaded machine, where one frame can take the whole 0.7 s.)
    assert buttons.nth(1).get_attribute("aria-pressed") == "true"


def test_linked_tours_move_as_one(page: Page) -> None:
    X, labels = blobs()
    a = Tour(X, labels, seed=1, class_handles=False, handles=[{"name": "h", "indices": np.arange(300)}])
    b = Tour(X, labels, seed=2, class_handles=False)
    open_host(page, containers=2)
    mount(page, "a", wire_state(a), "out0")
    # Another instance of the bundle, as JupyterLab's anywidget gives each model its own.
    mount(page, "b", wire_state(b), "out1", own_module=True)
    wait_frames(page, "#out0 .grandtour", 2)
    # Unlinked, different seeds: different pictures.
    assert difference_fraction(canvas(page, "out0"), canvas(page, "out1")) > 0.002
    link(a, b)
    for name, tour in (("a", a), ("b", b)):
        page.evaluate("([n, v]) => window[n].set('_link', v)", [name, tour._link])
    # Pause through one of them: both stop, and show one picture.
    page.locator("#out0 button.grandtour-play").click()
    settle(page)
    assert page.locator("#out1 button.grandtour-play").get_attribute("aria-pressed") == "false"
    assert page.evaluate("window.b.state.playing") is False
    assert difference_fraction(canvas(page, "out0"), canvas(page, "out1")) < 1e-4
    # A drag in one steers both.
    before = canvas(page, "out1")
    ring = page.locator("#out0 .grandtour-handle-ring").bounding_box()
    assert ring
    x, y = ring["x"] + 9, ring["y"] + 9
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=8)
    page.mouse.up()
    # Off the handle: hovering it lights up its points in its own view only.
    page.mouse.move(1200, 880)
    settle(page)
    assert difference_fraction(before, canvas(page, "out1")) > 0.002
    assert difference_fraction(canvas(page, "out0"), canvas(page, "out1")) < 1e-4


def test_compare_align_lines_the_two_models_up(page: Page) -> None:
    X, labels = blobs(d=8)
    rotated = X @ random_rotation(8, 5)
    comparison = compare(rotated, X, labels, playing=False, class_handles=False)
    open_host(page, containers=2)
    mount(page, "l", wire_state(comparison.left), "out0")
    mount(page, "r", wire_state(comparison.right), "out1", own_module=True)
    wait_frames(page, "#out0 .grandtour")
    wait_frames(page, "#out1 .grandtour")
    left, right = canvas(page, "out0"), canvas(page, "out1")
    assert non_background_fraction(left) > 0.005
    unaligned = difference_fraction(left, right)
    assert unaligned > 0.002
    page.locator("#out0 button.grandtour-align").click()
    settle(page)
    aligned = difference_fraction(canvas(page, "out0"), canvas(page, "out1"))
    assert page.evaluate("window.l.state._align.enabled") is True
    # The same points under a recovered rotation: nearly the same picture.
    assert aligned < 0.2 * unaligned, (unaligned, aligned)


def test_a_slow_cloud_draws_a_sample_while_moving_and_says_so(page: Page) -> None:
    # 250k points in software WebGL: a full frame takes far longer than the moving budget.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(250_000, 15)).astype(np.float32)
    t = Tour(X, class_handles=False)
    open_host(page)
    mount(page, "m", wire_state(t))
    root = page.locator("#out0 .grandtour")
    badge = root.locator(".grandtour-lod")
    badge.wait_for(state="visible", timeout=60_000)
    text = badge.inner_text()
    assert text.startswith("Moving: drawing") and "of 250,000 points" in text
    # Still, it draws every point again and the badge goes.
    root.locator("button.grandtour-play").click()
    badge.wait_for(state="hidden", timeout=60_000)
    # The option is explicit: off, every frame draws every point even while moving.
    page.evaluate("window.m.set('level_of_detail', false)")
    root.locator("button.grandtour-play").click()
    wait_frames(page, "#out0 .grandtour", int(root.get_attribute("data-frames") or "0") + 2, timeout=120_000)
    assert not badge.is_visible()
