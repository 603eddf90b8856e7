"""Colour by attribute, movement and difference: the canvas, the colour key, the menu, tooltips.

The page-level tests mount the bundle on a fake model fed a real Tour's state (no kernel, so
they run in seconds and can read every pixel); the last test runs in JupyterLab with a kernel:
`t.color_by` from Python recolours the canvas and the menu's choice reaches Python.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page

import grandtour
from grandtour import Tour
from grandtour.lenses import difference, movement

from .conftest import close_page, console_log
from .lab import JupyterServer, Notebook
from .page_host import mount, open_host, wait_frames, wire_state
from .pixels import Image, background_colour, colour_counts, difference_fraction, read_png

pytestmark = pytest.mark.e2e

FIT_MARGIN = 0.06  # src/core/viewport.ts
VIRIDIS_ENDS = ((0x44, 0x01, 0x54), (0xFD, 0xE7, 0x25))
MISSING = (190, 190, 190)


def attributed(n: int = 1200, d: int = 10, k: int = 4, seed: int = 3) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    """k blobs in d dims, with a continuous (one value missing), a categorical and an ordinal column."""
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(k), n // k)
    X = rng.normal(scale=3.0, size=(k, d))[codes] + rng.normal(scale=0.6, size=(len(codes), d))
    # Confidence follows the first coordinate, so its colour runs across the cloud.
    confidence = (X[:, 0] - X[:, 0].min()) / np.ptp(X[:, 0]) * 0.8 + 0.15
    confidence[5] = np.nan
    df = pd.DataFrame(
        {
            "confidence": confidence,
            "parity": ["even" if i % 2 == 0 else "odd" for i in range(len(codes))],
            "size": pd.Categorical(
                [("S", "M", "L")[i % 3] for i in range(len(codes))], categories=["S", "M", "L"], ordered=True
            ),
        }
    )
    return X, [f"class {c}" for c in codes], df


def canvas_png(page: Page, selector: str = "#out0 .grandtour-canvas") -> Image:
    url = page.evaluate("s => document.querySelector(s).toDataURL('image/png')", selector)
    return read_png(base64.b64decode(url.split(",", 1)[1]))


def settle(page: Page, selector: str, quiet_s: float = 0.5, timeout_s: float = 20.0) -> None:
    """Wait until the widget has drawn and then drawn nothing for `quiet_s`."""
    wait_frames(page, selector)
    deadline = time.monotonic() + timeout_s
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        frames = page.locator(selector).get_attribute("data-frames")
        if frames != last:
            last, since = frames, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.1)
    raise AssertionError(f"{selector} kept drawing")


def set_trait(page: Page, model: str, name: str, value: Any) -> None:
    """What a kernel's change does: the model changes and fires change:<name>."""
    page.evaluate("([m, k, v]) => window[m].set(k, v)", [model, name, value])


def near(colour: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 10) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target))


def pixels_near(image: Image, target: tuple[int, int, int], tolerance: int = 10) -> int:
    return sum(n for colour, n in colour_counts(image).items() if near(colour, target, tolerance))


def key_text(page: Page, selector: str = "#out0") -> dict[str, str]:
    return page.evaluate(
        """s => {
            const key = document.querySelector(s + ' .grandtour-color-key');
            const text = (c) => { const e = key.querySelector(c); return e ? e.textContent : null; };
            return {kind: key.dataset.kind, title: text('.grandtour-key-title'), min: text('.grandtour-key-min'),
                    max: text('.grandtour-key-max'), shown: getComputedStyle(key).display !== 'none',
                    dataMin: key.dataset.min ?? null, dataMax: key.dataset.max ?? null};
        }""",
        selector,
    )


def fmt(value: float) -> str:
    """The key's number format (src/view/color-by.ts formatValue) for values in [1e-3, 1e5)."""
    return f"{float(f'{value:.3g}'):g}".replace("-", "−")


def test_colour_by_a_continuous_attribute_recolours_and_shows_its_range(page: Page) -> None:
    X, labels, df = attributed()
    t = Tour(X, labels, data=df, playing=False, class_handles=False)
    open_host(page)
    mount(page, "m", wire_state(t))
    root = "#out0 .grandtour"
    settle(page, root)
    by_class = canvas_png(page)
    assert not key_text(page)["shown"], "colouring by class: the class legend is the key"
    assert page.locator("#out0 .grandtour-legend-note").is_hidden()

    set_trait(page, "m", "color_by", "confidence")
    settle(page, root)
    by_confidence = canvas_png(page)
    assert difference_fraction(by_class, by_confidence) > 0.01
    # Both ends of viridis are on screen (confidence runs across the cloud), and the missing grey.
    bg = background_colour(by_confidence)
    assert bg not in VIRIDIS_ENDS
    assert pixels_near(by_confidence, VIRIDIS_ENDS[0], 25) > 5
    assert pixels_near(by_confidence, VIRIDIS_ENDS[1], 25) > 5
    key = key_text(page)
    low, high = np.nanmin(df["confidence"]), np.nanmax(df["confidence"])
    assert key["shown"] and key["kind"] == "range" and key["title"] == "confidence"
    assert (key["min"], key["max"]) == (fmt(low), fmt(high))
    assert float(key["dataMin"]) == pytest.approx(low, rel=1e-6)
    assert float(key["dataMax"]) == pytest.approx(high, rel=1e-6)
    assert page.locator("#out0 .grandtour-key-missing").is_visible()
    # The class legend stays, marked as not the colours shown.
    note = page.locator("#out0 .grandtour-legend-note")
    assert note.is_visible() and "confidence" in note.inner_text()
    assert page.locator("#out0 .grandtour-legend-classes.grandtour-legend-muted").count() == 1

    set_trait(page, "m", "color_by", "label")
    settle(page, root)
    assert difference_fraction(by_class, canvas_png(page)) < 1e-4
    assert not key_text(page)["shown"]
    assert not console_log(page).errors()


def test_categorical_and_ordinal_attributes_show_swatches(page: Page) -> None:
    X, labels, df = attributed()
    open_host(page)
    mount(page, "m", wire_state(Tour(X, labels, data=df, playing=False, class_handles=False)))
    settle(page, "#out0 .grandtour")
    set_trait(page, "m", "color_by", "parity")
    settle(page, "#out0 .grandtour")
    assert key_text(page)["kind"] == "categorical"
    assert page.locator("#out0 .grandtour-key-name").all_inner_texts() == ["even", "odd"]
    parity = canvas_png(page)
    set_trait(page, "m", "color_by", "size")
    settle(page, "#out0 .grandtour")
    assert key_text(page)["kind"] == "ordinal"
    assert page.locator("#out0 .grandtour-key-name").all_inner_texts() == ["S", "M", "L"]
    swatches = page.locator("#out0 .grandtour-key-swatch").evaluate_all(
        "es => es.map(e => getComputedStyle(e).backgroundColor)"
    )
    # Viridis at the band centres 1/6, 3/6, 5/6: lightness rises with the order.
    greens = [int(s.split(",")[1]) for s in swatches]
    assert greens == sorted(greens) and len(set(greens)) == 3, swatches
    assert difference_fraction(parity, canvas_png(page)) > 0.01


def test_the_menu_lists_the_colourings_and_tells_the_model(page: Page) -> None:
    X, labels, df = attributed(n=600)
    layers = {"first": X, "second": X[:, ::-1] * 1.3}
    open_host(page)
    mount(page, "m", wire_state(Tour(layers, labels, data=df, playing=False, class_handles=False)))
    settle(page, "#out0 .grandtour")
    menu = page.locator("#out0 select.grandtour-color-by")
    assert menu.is_visible()
    options = menu.locator("option")
    assert options.all_inner_texts() == ["class", "confidence", "parity", "size", "movement"]
    assert [options.nth(i).get_attribute("value") for i in range(options.count())][0] == "label"
    saved = page.evaluate("window.m.saved.length")
    menu.select_option("parity")
    page.wait_for_function("() => window.m.get('color_by') === 'parity'")
    assert page.evaluate("window.m.saved.length") == saved + 1
    assert key_text(page)["kind"] == "categorical"
    # A change from the model moves the menu.
    set_trait(page, "m", "color_by", "size")
    page.wait_for_function("() => document.querySelector('#out0 select.grandtour-color-by').value === 'size'")
    assert page.evaluate("window.m.saved.length") == saved + 1, "a change from the model is not sent back"


def test_a_tour_without_attributes_has_no_menu(page: Page) -> None:
    X, labels, _ = attributed(n=400)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, labels, playing=False, class_handles=False)))
    settle(page, "#out0 .grandtour")
    assert page.locator("#out0 select.grandtour-color-by").is_hidden()


def test_without_labels_color_opens_coloured_and_keyed(page: Page) -> None:
    X, _, df = attributed(n=500)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, color=df["confidence"], playing=False)))
    settle(page, "#out0 .grandtour")
    key = key_text(page)
    assert key["shown"] and key["title"] == "confidence" and key["kind"] == "range"
    assert page.locator("#out0 .grandtour-legend").is_visible()
    # No classes, so no note about class swatches.
    assert page.locator("#out0 .grandtour-legend-note").is_hidden()
    assert page.locator("#out0 select.grandtour-color-by").input_value() == "confidence"


def test_movement_matches_python_and_follows_the_layer(page: Page) -> None:
    X, labels, _ = attributed(n=800)
    rng = np.random.default_rng(0)
    layers = {"a": X, "b": X + rng.normal(scale=0.8, size=X.shape), "c": np.hstack([X, X[:, :3]])}
    t = Tour(layers, labels, playing=False, class_handles=False, layer="b", color_by="movement")
    open_host(page)
    mount(page, "m", wire_state(t))
    settle(page, "#out0 .grandtour")
    key = key_text(page)
    assert key["kind"] == "range" and key["title"] == "movement"
    assert float(key["dataMin"]) == 0
    assert float(key["dataMax"]) == pytest.approx(movement(t, "b").max(), rel=1e-4)
    assert "from a to b" in page.locator("#out0 .grandtour-key-note").inner_text()
    # Another layer (wider: zero-padded), recomputed once on the switch.
    set_trait(page, "m", "layer", "c")
    settle(page, "#out0 .grandtour")
    assert float(key_text(page)["dataMax"]) == pytest.approx(movement(t, "c").max(), rel=1e-4)
    # The first layer has nothing to move from: all at the dark end.
    set_trait(page, "m", "layer", "a")
    settle(page, "#out0 .grandtour")
    image = canvas_png(page)
    assert key_text(page)["max"] == "0"
    assert pixels_near(image, VIRIDIS_ENDS[0], 12) > 50
    assert pixels_near(image, VIRIDIS_ENDS[1], 40) == 0


def test_difference_in_a_comparison_matches_python(page: Page) -> None:
    X, labels, _ = attributed(n=900, d=8)
    rng = np.random.default_rng(5)
    q, r = np.linalg.qr(rng.normal(size=(8, 8)))
    rotated = X @ (q * np.sign(np.diag(r)))
    bent = rotated.copy()
    bent[:100] += rng.normal(scale=2.0, size=(100, 8))  # 100 points placed differently
    pair = grandtour.compare(X, bent, labels, playing=False, class_handles=False, color_by="difference")
    open_host(page, containers=2, width=520)
    mount(page, "left", wire_state(pair.left), container="out0")
    mount(page, "right", wire_state(pair.right), container="out1")
    for side in ("#out0", "#out1"):
        settle(page, f"{side} .grandtour")
        key = key_text(page, side)
        assert key["kind"] == "range" and key["title"] == "difference", (side, key)
    expected = difference(pair)
    assert float(key_text(page, "#out0")["dataMax"]) == pytest.approx(expected.max(), rel=2e-3)
    # The other side rotates onto this one: the same distances (R is orthogonal).
    assert float(key_text(page, "#out1")["dataMax"]) == pytest.approx(difference(pair.right, pair.left).max(), rel=2e-3)
    for side in ("#out0", "#out1"):
        assert "difference" in page.locator(f"{side} select.grandtour-color-by option").all_inner_texts()
    assert not console_log(page).errors()


def test_tooltips_show_the_attributes(page: Page) -> None:
    # Few points, far apart, in a known projection: hover exactly on one of them.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(12, 4))
    df = pd.DataFrame({"confidence": np.linspace(0.1, 0.99, 12), "kind": ["cat", "dog"] * 6})
    t = Tour(X, [f"class {i % 3}" for i in range(12)], data=df, playing=False, class_handles=False)
    basis = np.zeros((4, 2))
    basis[0, 0] = basis[1, 1] = 1.0
    t.projection = basis
    open_host(page)
    mount(page, "m", wire_state(t))
    settle(page, "#out0 .grandtour")
    P = t.project()
    gaps = np.linalg.norm(P[:, None] - P[None], axis=2) + np.eye(len(P)) * 9
    index = int(np.argmax(gaps.min(axis=1)))
    box = page.locator("#out0 .grandtour-canvas").bounding_box()
    assert box
    zoom = float(page.locator("#out0 .grandtour").get_attribute("data-zoom") or "1")
    s = 0.5 * min(box["width"], box["height"]) * (1 - FIT_MARGIN) * zoom
    x, y = box["x"] + box["width"] / 2 + s * P[index, 0], box["y"] + box["height"] / 2 - s * P[index, 1]
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y, steps=3)
    tooltip = page.locator("#out0 .grandtour-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    assert f"#{index}" in text
    assert f"confidence: {fmt(df['confidence'][index])}" in text, text
    assert f"kind: {df['kind'][index]}" in text, text


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda s: s["_attributes"][0].__setitem__("kind", "fuzzy"), "kind: expected one of"),
        (lambda s: s["_attributes"][1].__setitem__("categories", ["even"]), "category 1 but there are 1 names"),
        (lambda s: s["_attributes"][0].__setitem__("range", [1, 0]), "range: expected [min, max]"),
        (lambda s: s["_attributes"][1].__setitem__("name", "movement"), "built-in colouring"),
        (lambda s: s.__setitem__("color_by", "nonsense"), 'color_by: "nonsense" is not available'),
    ],
    ids=["unknown kind", "code out of range", "inverted range", "reserved name", "unknown colouring"],
)
def test_malformed_attributes_show_a_readable_error(page: Page, breakage: Callable[[dict[str, Any]], None], message: str) -> None:
    X, labels, df = attributed(n=300)
    state, paths, buffers = wire_state(Tour(X, labels, data=df, class_handles=False))
    breakage(state)
    open_host(page)
    mount(page, "m", (state, paths, buffers))
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.status === 'error'")
    text = page.locator("#out0 .grandtour-error").inner_text()
    assert text.startswith("[grandtour]") and message in text, text
    assert not [line for line in console_log(page).lines if line.startswith("[pageerror]")]


def test_a_bad_colouring_is_an_error_until_a_good_one_arrives(page: Page) -> None:
    X, labels, df = attributed(n=300)
    state, paths, buffers = wire_state(Tour(X, labels, data=df, class_handles=False, playing=False))
    state["color_by"] = "nonsense"
    open_host(page)
    mount(page, "m", (state, paths, buffers))
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.status === 'error'")
    set_trait(page, "m", "color_by", "confidence")
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.status === 'ready'")
    settle(page, "#out0 .grandtour")
    assert key_text(page)["title"] == "confidence"
    assert page.locator("#out0 .grandtour-error").is_hidden()


# ------------------------------------------------------------------------- JupyterLab

SETUP = """\
import numpy as np
import pandas as pd
from grandtour import Tour

rng = np.random.default_rng(11)
codes = np.repeat(np.arange(4), 400)
X = rng.normal(scale=3.0, size=(4, 12))[codes] + rng.normal(scale=0.6, size=(1600, 12))
labels = [f"class {c}" for c in codes]
df = pd.DataFrame({
    "confidence": (X[:, 0] - X[:, 0].min()) / np.ptp(X[:, 0]),
    "parity": np.where(np.arange(1600) % 2 == 0, "even", "odd"),
})
"""
TOUR = "t = Tour(X, labels, data=df, playing=False, class_handles=False, height=360)\nt"


def test_colour_by_in_jupyterlab(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> None:
    page = new_page()
    try:
        notebook = Notebook.create(jupyter_server, "colour.ipynb", [SETUP, TOUR]).open(page)
        notebook.run_all()
        root = notebook.cell_output_locator(1).locator("div.grandtour")
        root.wait_for(state="attached", timeout=60_000)
        root.scroll_into_view_if_needed()
        canvas = root.locator("canvas.grandtour-canvas")

        def pixels() -> Image:
            url = canvas.evaluate("c => c.toDataURL('image/png')")
            return read_png(base64.b64decode(url.split(",", 1)[1]))

        def settle_root() -> None:
            deadline = time.monotonic() + 30
            last, since = None, time.monotonic()
            while time.monotonic() < deadline:
                frames = root.get_attribute("data-frames")
                if frames != last and frames != "0":
                    last, since = frames, time.monotonic()
                elif frames != "0" and time.monotonic() - since >= 0.6:
                    return
                time.sleep(0.1)
            raise AssertionError("the widget kept drawing")

        settle_root()
        before = pixels()
        # From the kernel: the canvas recolours and the colour bar shows the range.
        notebook.kernel_run("t.color_by = 'confidence'")
        root.locator(".grandtour-color-key[data-kind=range]").wait_for(state="visible", timeout=15_000)
        settle_root()
        after = pixels()
        assert difference_fraction(before, after) > 0.01
        assert root.locator(".grandtour-key-title").inner_text() == "confidence"
        assert root.locator(".grandtour-key-min").inner_text() == "0"
        assert root.locator(".grandtour-key-max").inner_text() == "1"
        assert root.locator("select.grandtour-color-by").input_value() == "confidence"
        # From the menu: the kernel hears it.
        root.locator("select.grandtour-color-by").select_option("parity")
        deadline = time.monotonic() + 15
        while notebook.kernel_run("print(t.color_by)").strip() != "parity":
            assert time.monotonic() < deadline, "the menu's choice did not reach the kernel"
            time.sleep(0.2)
        root.locator(".grandtour-color-key[data-kind=categorical]").wait_for(state="visible", timeout=15_000)
        assert root.locator(".grandtour-key-name").all_inner_texts() == ["even", "odd"]
        settle_root()
        assert difference_fraction(after, pixels()) > 0.01
    finally:
        close_page(page)
