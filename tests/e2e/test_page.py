"""The bundle on a plain page with a fake model: rendering paths, hostile state, GL limits.

No Jupyter here, so these run in seconds; the JupyterLab suites cover the real host.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page

from grandtour import Tour

from .conftest import console_log
from .page_host import gl_stats, mount, open_host, render_again, unmount, wait_frames, wire_state
from .pixels import distinct_colour_buckets, non_background_fraction, read_png

pytestmark = pytest.mark.e2e


def blobs(n: int = 2000, d: int = 15, k: int = 5, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(k), n // k)
    return rng.normal(scale=3.0, size=(k, d))[codes] + rng.normal(scale=0.6, size=(len(codes), d)), [
        f"class {c}" for c in codes
    ]


def canvas_png(page: Page, selector: str = "#out0 .grandtour-canvas") -> Any:
    """The canvas's own pixels (toDataURL), without the overlays drawn above it."""
    url = page.evaluate("s => document.querySelector(s).toDataURL('image/png')", selector)
    return read_png(base64.b64decode(url.split(",", 1)[1]))


@pytest.mark.parametrize("d", [2, 15, 64, 100])
def test_any_dimension_renders_in_colour(page: Page, d: int) -> None:
    # 2 and 15 fit vertex attributes; 64 and 100 take the float-texture path.
    X, labels = blobs(d=d)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, labels, playing=False, class_handles=False)))
    wait_frames(page, "#out0 .grandtour")
    assert page.locator("#out0 .grandtour").get_attribute("data-status") == "ready"
    image = canvas_png(page)
    assert non_background_fraction(image) > 0.005
    assert distinct_colour_buckets(image, min_pixels=30) >= 4
    assert not console_log(page).errors()


def truncate(buffers: list[str], index: int) -> None:
    # Base64 of half the bytes: a buffer cut short, as a hand-edited notebook might carry.
    import base64

    raw = base64.b64decode(buffers[index])
    buffers[index] = base64.b64encode(raw[: len(raw) // 2]).decode()


def drop_layers(state: dict[str, Any], buffers: list[str], paths: list[list[Any]]) -> None:
    for i in reversed(range(len(paths))):
        if paths[i][0] == "_layers":
            del paths[i], buffers[i]
    state["_layers"] = []


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda s, b, p: truncate(b, p.index(["_layers", 0, "points", "view"])), "_layers[0].points"),
        (lambda s, b, p: s["_layers"][0]["points"].__setitem__("shape", [7, 3]), "needs 84 bytes"),
        (lambda s, b, p: s["_layers"][0]["points"].__setitem__("dtype", "float64"), "dtype must be one of float32"),
        (lambda s, b, p: s["_label_names"].pop(), "names"),
        (lambda s, b, p: s["_labels"].__setitem__("shape", [3]), "_labels"),
        (lambda s, b, p: drop_layers(s, b, p), "non-empty list of layers"),
    ],
    ids=["truncated points", "wrong shape", "wrong dtype", "too few label names", "labels length", "no layers"],
)
def test_malformed_state_shows_a_readable_error_in_the_widget(page: Page, breakage: Any, message: str) -> None:
    X, labels = blobs(n=500)
    state, paths, buffers = wire_state(Tour(X, labels, class_handles=False))
    breakage(state, buffers, paths)
    open_host(page)
    mount(page, "m", (state, paths, buffers))
    root = page.locator("#out0 .grandtour")
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.status === 'error'")
    text = root.locator(".grandtour-error").inner_text()
    assert text.startswith("[grandtour]") and message in text, text
    log = console_log(page)
    assert any("[grandtour]" in line for line in log.errors())
    # The error stays inside the widget: nothing escaped as an uncaught exception.
    assert not [line for line in log.lines if line.startswith("[pageerror]")]


def test_labels_and_handle_names_are_text_never_markup(page: Page) -> None:
    evil = '<img src=x onerror="window.__pwned=1">'
    X, _ = blobs(n=400, k=2)
    labels = [evil if i % 2 else "<b>bold</b>" for i in range(400)]
    t = Tour(X, labels, class_handles=False, handles=[{"name": evil, "indices": [0, 1, 2]}])
    open_host(page)
    mount(page, "m", wire_state(t))
    wait_frames(page, "#out0 .grandtour")
    root = page.locator("#out0 .grandtour")
    assert evil in root.locator(".grandtour-legend-name").all_inner_texts()
    assert root.locator(".grandtour-handle-name").input_value() == evil
    assert root.locator("img").count() == 0 and root.locator("b").count() == 0
    # Hover a point for the tooltip, which shows the label too.
    box = root.locator(".grandtour-canvas").bounding_box()
    assert box
    for dx in range(-60, 61, 6):
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2)
    time.sleep(0.3)
    assert page.evaluate("window.__pwned") is None


def test_forty_display_close_cycles_then_twenty_live_tours(page: Page) -> None:
    X, labels = blobs(n=300)
    wire = wire_state(Tour(X, labels, class_handles=False, height=120))
    # Small widgets, all on screen: views scrolled out of sight rightly skip drawing.
    open_host(page, containers=20, width=170)
    for cycle in range(40):
        mount(page, f"c{cycle}", wire, container="out0")
        wait_frames(page, "#out0 .grandtour")
        unmount(page, f"c{cycle}")
        # The last view gone, the shared context is released with everything in it.
        assert gl_stats(page) is None
    for i in range(20):
        mount(
            page,
            f"t{i}",
            wire_state(Tour(X, labels, class_handles=False, seed=i, height=120)),
            container=f"out{i}",
            own_module=i % 2 == 1,  # half from their own bundle instance, as in JupyterLab
        )
    for i in range(20):
        wait_frames(page, f"#out{i} .grandtour", more_than=1)
    stats = gl_stats(page)
    assert stats and stats["users"] == 20
    # One set of buffers per tour (layer, colours, states, index), not per frame or view.
    assert stats["buffers"] == 20 * 4
    assert not any("WebGL" in line and "context" in line.lower() for line in console_log(page).lines)
    for i in range(20):
        unmount(page, f"t{i}")
    assert gl_stats(page) is None


def test_drawing_resumes_after_the_context_is_lost_and_restored(page: Page) -> None:
    X, labels = blobs(n=1000)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, labels, class_handles=False)))
    wait_frames(page, "#out0 .grandtour", more_than=2)
    page.evaluate("window.__loss = grandtourTest.module.testing.simulateContextLoss(); window.__loss.lose()")
    page.wait_for_function("() => grandtourTest.module.testing.glStats().lost")
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.status === 'lost'")
    page.evaluate("window.__loss.restore()")
    page.wait_for_function("() => !grandtourTest.module.testing.glStats().lost")
    frames = int(page.locator("#out0 .grandtour").get_attribute("data-frames") or "0")
    wait_frames(page, "#out0 .grandtour", more_than=frames + 2)
    assert page.locator("#out0 .grandtour").get_attribute("data-status") == "ready"
    assert distinct_colour_buckets(canvas_png(page), min_pixels=30) >= 4


def test_one_tour_in_two_views_shows_one_tour(page: Page) -> None:
    X, labels = blobs(n=1000)
    open_host(page, containers=2)
    mount(page, "m", wire_state(Tour(X, labels, class_handles=False, playing=False)), container="out0")
    render_again(page, "m", "out1")
    wait_frames(page, "#out0 .grandtour")
    wait_frames(page, "#out1 .grandtour")
    # A lasso in the first view selects in both, and the model hears it once.
    box = page.locator("#out0 .grandtour-canvas").bounding_box()
    assert box
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 80, cy - 80)
    page.mouse.down()
    for x, y in [(cx + 80, cy - 80), (cx + 80, cy + 80), (cx - 80, cy + 80), (cx - 80, cy - 75)]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    time.sleep(0.3)
    assert page.evaluate("window.m.saved.length") == 1
    counts = page.locator(".grandtour-count").all_inner_texts()
    assert len(counts) == 2 and counts[0] == counts[1] and "selected" in counts[0]
    # Both views show the same frame: same basis, same pixels.
    a, b = canvas_png(page, "#out0 .grandtour-canvas"), canvas_png(page, "#out1 .grandtour-canvas")
    assert a.rgba == b.rgba


def test_two_million_points_render_or_fail_plainly(page: Page) -> None:
    # 2,000,000 × 15 float32 is 120 MB: made in the page (tests/page/fake_host.js), since
    # making it in Python and sending it as base64 through the test driver would take longer
    # than drawing it. The rest of the state is a real Tour's.
    n, d, k = 2_000_000, 15, 5
    X, labels = blobs(n=100, d=d, k=k)
    state, paths, buffers = wire_state(Tour(X, labels, playing=False, class_handles=False))
    crashed: list[bool] = []
    page.on("crash", lambda _: crashed.append(True))
    open_host(page)
    started = time.monotonic()
    timing = page.evaluate(
        """async ([state, paths, buffers, n, d, k]) => {
            const t0 = performance.now();
            const model = grandtourTest.makeModel(state, paths, buffers);
            grandtourTest.fillBlobs(model.state, n, d, k);
            const built = performance.now();
            window.big = model;
            const el = document.getElementById('out0');
            window.__firstFrame = null;
            // The moment the widget says it drew (or failed), not when a poll happens to look.
            const observer = new MutationObserver(() => {
              const root = el.querySelector('.grandtour');
              if (root && ['ready', 'error'].includes(root.dataset.status) && window.__firstFrame === null) {
                window.__firstFrame = {ms: performance.now() - built, status: root.dataset.status};
                observer.disconnect();
              }
            });
            observer.observe(el, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status']});
            model.cleanups = [await grandtourTest.render(model, el)];
            return {buildMs: built - t0, renderCallMs: performance.now() - built};
        }""",
        [state, paths, buffers, n, d, k],
    )
    page.wait_for_function("() => window.__firstFrame !== null", timeout=150_000, polling=250)
    first = page.evaluate("() => window.__firstFrame")
    print(
        f"2M x 15: data built in page {timing['buildMs']:.0f} ms; render() {timing['renderCallMs']:.0f} ms; "
        f"first frame ({first['status']}) {first['ms']:.0f} ms after the data existed; "
        f"{time.monotonic() - started:.1f} s wall in all"
    )
    assert not crashed, "the tab crashed"
    root = page.locator("#out0 .grandtour")
    if first["status"] == "error":
        # Too big for this GPU is acceptable if the widget says so in words.
        text = root.locator(".grandtour-error").inner_text()
        print(f"2M x 15: error shown: {text}")
        assert text.startswith("[grandtour]") and len(text) > 20, text
    else:
        assert root.get_attribute("data-status") == "ready"
        assert root.locator(".grandtour-count").inner_text() == "2,000,000 points"
        image = canvas_png(page)
        assert non_background_fraction(image) > 0.01
        assert distinct_colour_buckets(image, min_pixels=30) >= 4
        # A few seconds of touring, for the record: how fast do 2M points turn here?
        frames = int(root.get_attribute("data-frames") or "0")
        page.evaluate("() => window.big.set('playing', true)")
        time.sleep(3.0)
        played = int(root.get_attribute("data-frames") or "0") - frames
        page.evaluate("() => window.big.set('playing', false)")
        print(f"2M x 15: {played} frames in 3 s while playing ({played / 3:.1f} fps)")
    # The tab still answers, and nothing escaped as an uncaught exception.
    assert page.evaluate("1+1") == 2
    assert not crashed, "the tab crashed"
    assert not [line for line in console_log(page).lines if line.startswith("[pageerror]")]
