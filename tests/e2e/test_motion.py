"""Motion lenses end to end: the guided tour, depth cues, turning about a handle, the fps readout.

Most tests mount the real bundle on a page with a fake model (tests/e2e/page_host.py), so
they run in seconds; one JupyterLab test checks that `t.guided = True` from the kernel
turns guidance on in the view.
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page

from grandtour import Tour
from grandtour._wire import selection_from_json

from .conftest import close_page, console_log
from .lab import JupyterServer, Notebook
from .page_host import mount, open_host, wait_frames, wire_state
from .pixels import Image, difference_fraction, read_png

pytestmark = pytest.mark.e2e

ROOT = "#out0 .grandtour"


def planted(n: int = 1200, d: int = 12, k: int = 4, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """k classes that differ only along coordinates 2 and 5, with more noise everywhere else
    than between the classes: most projections show a blur, the right one k clusters."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % k
    X = rng.normal(scale=0.7, size=(n, d))
    X[:, 2] = np.cos(2 * np.pi * codes / k) + rng.normal(scale=0.12, size=n)
    X[:, 5] = np.sin(2 * np.pi * codes / k) + rng.normal(scale=0.12, size=n)
    return X, codes


def fisher_index(points: np.ndarray, codes: np.ndarray, projection: np.ndarray) -> float:
    """tr((PᵀWP)⁻¹ PᵀBP) of the projected points: the criterion the guided tour climbs
    (without its small ridge on W, so this is the plain LDA index of the view)."""
    Y = points.astype(np.float64) @ projection
    mean = Y.mean(axis=0)
    W = np.zeros((2, 2))
    B = np.zeros((2, 2))
    for c in np.unique(codes):
        Yc = Y[codes == c]
        mc = Yc.mean(axis=0)
        W += (Yc - mc).T @ (Yc - mc)
        B += len(Yc) * np.outer(mc - mean, mc - mean)
    return float(np.trace(np.linalg.solve(W, B)))


def canvas_png(page: Page, selector: str = f"{ROOT} .grandtour-canvas") -> Image:
    url = page.evaluate("s => document.querySelector(s).toDataURL('image/png')", selector)
    return read_png(base64.b64decode(url.split(",", 1)[1]))


def projection_of(page: Page, model: str) -> np.ndarray:
    return np.asarray(page.evaluate(f"window.{model}.state.projection"), dtype=np.float64)


def pause(page: Page, model: str) -> None:
    """Pause from the model side, as Python would: the view reports the basis it stopped on."""
    page.evaluate(f"window.{model}.set('playing', false)")


def press(page: Page, key: str, selector: str = ROOT) -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def no_errors(page: Page) -> None:
    errors = [line for line in console_log(page).errors() if "grandtour" in line.lower() or "pageerror" in line]
    assert not errors, errors


# ---------------------------------------------------------------------------- guided tour


def test_guided_tour_separates_the_classes_more_than_the_random_tour(page: Page) -> None:
    X, codes = planted()
    labels = [f"class {c}" for c in codes]
    random_tour = Tour(X, labels, seed=3, class_handles=False, height=300)
    guided_tour = Tour(X, labels, seed=3, class_handles=False, height=300, guided=True)
    points = guided_tour.points()
    start = fisher_index(points, codes, np.asarray(guided_tour.projection, dtype=np.float64))
    open_host(page, containers=2, width=520)
    mount(page, "r", wire_state(random_tour), container="out0")
    mount(page, "g", wire_state(guided_tour), container="out1")
    wait_frames(page, "#out0 .grandtour", more_than=2)
    wait_frames(page, "#out1 .grandtour", more_than=2)
    assert page.locator("#out1 button.grandtour-guided").get_attribute("aria-pressed") == "true"
    assert page.locator("#out0 button.grandtour-guided").get_attribute("aria-pressed") == "false"
    indices: dict[str, list[float]] = {"r": [], "g": []}
    # Both tours play the same seeded path; the guided one is pulled toward the separating
    # plane. Sample the view a few times (pause → the reported basis → play on).
    for _ in range(3):
        time.sleep(1.5)
        for model in ("r", "g"):
            pause(page, model)
            indices[model].append(fisher_index(points, codes, projection_of(page, model)))
            page.evaluate(f"window.{model}.set('playing', true)")
    print(f"start {start:.3f}; random {indices['r']}; guided {indices['g']}")
    assert indices["g"][-1] > 4 * max(start, indices["r"][-1]), indices
    # At least one of the two discriminant directions found (the best plane has both).
    assert indices["g"][-1] > 0.3 * max_fisher(points, codes), (indices, max_fisher(points, codes))
    # The projection stays orthonormal through the blend.
    P = projection_of(page, "g")
    assert np.allclose(P.T @ P, np.eye(2), atol=1e-6)
    no_errors(page)


def max_fisher(points: np.ndarray, codes: np.ndarray) -> float:
    """The best index over all planes: the sum of the top two eigenvalues of W⁻¹B."""
    X = points.astype(np.float64)
    mean = X.mean(axis=0)
    d = X.shape[1]
    W = np.zeros((d, d))
    B = np.zeros((d, d))
    for c in np.unique(codes):
        Xc = X[codes == c]
        mc = Xc.mean(axis=0)
        W += (Xc - mc).T @ (Xc - mc)
        B += len(Xc) * np.outer(mc - mean, mc - mean)
    values = np.sort(np.linalg.eigvals(np.linalg.solve(W, B)).real)[::-1]
    return float(values[0] + values[1])


def test_g_toggles_guidance_and_the_model_hears_it_without_echo(page: Page) -> None:
    X, codes = planted(n=600)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, [f"c{c}" for c in codes], class_handles=False)))
    wait_frames(page, ROOT)
    button = page.locator(f"{ROOT} button.grandtour-guided")
    assert button.get_attribute("aria-pressed") == "false"
    saves = page.evaluate("window.m.saved.length")
    press(page, "g")
    page.wait_for_function("() => window.m.state.guided === true")
    assert button.get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.m.saved.length") == saves + 1
    # From the model side (Python), off again: the view follows and sends nothing back.
    page.evaluate("window.m.set('guided', false)")
    page.wait_for_function("b => b.getAttribute('aria-pressed') === 'false'", arg=button.element_handle())
    assert page.evaluate("window.m.saved.length") == saves + 1
    # The button does the same as the key.
    button.click()
    page.wait_for_function("() => window.m.state.guided === true")
    # Turning it off resumes the random tour from where the view is: no jump between frames.
    before = page.evaluate("() => window.m.state.projection")
    press(page, "g")
    page.wait_for_function("() => window.m.state.guided === false")
    time.sleep(0.8)
    pause(page, "m")
    after = page.evaluate("() => window.m.state.projection")
    assert before != after  # still touring
    # The help lists the new keys.
    press(page, "?")
    help_text = page.locator(f"{ROOT} .grandtour-help").inner_text()
    assert "guided tour" in help_text and "depth cues" in help_text and "frame-rate" in help_text
    assert "turn about handle" in help_text
    no_errors(page)


# ---------------------------------------------------------------------------- depth cues


def test_depth_toggle_changes_pixels_and_back(page: Page) -> None:
    X, codes = planted(n=1500)
    open_host(page)
    mount(page, "m", wire_state(Tour(X, [f"c{c}" for c in codes], class_handles=False, playing=False)))
    wait_frames(page, ROOT)
    time.sleep(0.3)
    flat = canvas_png(page)
    frames = int(page.locator(ROOT).get_attribute("data-frames") or 0)
    press(page, "z")
    page.wait_for_function("() => window.m.state.depth === true")
    wait_frames(page, ROOT, more_than=frames)
    time.sleep(0.3)
    deep = canvas_png(page)
    changed = difference_fraction(flat, deep)
    print(f"depth cues changed {changed:.4f} of the pixels")
    assert changed > 0.01
    assert page.locator(f"{ROOT} button.grandtour-depth").get_attribute("aria-pressed") == "true"
    # Off from the model side: the same picture as before (the tour is paused).
    frames = int(page.locator(ROOT).get_attribute("data-frames") or 0)
    page.evaluate("window.m.set('depth', false)")
    wait_frames(page, ROOT, more_than=frames)
    time.sleep(0.3)
    assert difference_fraction(flat, canvas_png(page)) < 0.001
    no_errors(page)


# ---------------------------------------------------------------------------- rotate about a handle


def ring_centre(page: Page, index: int = 0) -> tuple[float, float]:
    return page.evaluate(
        """i => { const r = document.querySelectorAll('#out0 .grandtour-handle-ring')[i].getBoundingClientRect();
                  return [r.left + r.width / 2, r.top + r.height / 2]; }""",
        index,
    )


def canvas_centre(page: Page) -> tuple[float, float]:
    return page.evaluate(
        """() => { const r = document.querySelector('#out0 .grandtour-canvas').getBoundingClientRect();
                   return [r.left + r.width / 2, r.top + r.height / 2]; }"""
    )


def test_key_1_turns_about_handle_1_and_0_resets(page: Page) -> None:
    X, codes = planted(n=1200)
    # Handle 1: the points farthest from the mean, so its centroid is far from the origin.
    norms = np.linalg.norm(X - X.mean(axis=0), axis=1)
    far = np.argsort(norms)[-60:]
    tour = Tour(X, [f"c{c}" for c in codes], class_handles=False, seed=1,
                handles=[{"name": "far", "indices": far}, {"name": "all c0", "indices": np.flatnonzero(codes == 0)}])
    open_host(page)
    mount(page, "m", wire_state(tour))
    wait_frames(page, ROOT, more_than=2)
    centre = canvas_centre(page)
    press(page, "1")
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.centre === '1'")
    badge = page.locator(f"{ROOT} .grandtour-centre")
    assert badge.is_visible() and "far" in badge.inner_text()
    assert "grandtour-centred" in (page.locator(f"{ROOT} .grandtour-handle-ring").first.get_attribute("class") or "")
    time.sleep(0.5)  # the centre eases in over 0.3 s
    offsets, others = [], []
    for _ in range(8):
        x, y = ring_centre(page, 0)
        offsets.append(math.hypot(x - centre[0], y - centre[1]))
        others.append(ring_centre(page, 1))
        time.sleep(0.2)
    print(f"handle 1 from the centre while turning: {[round(o, 2) for o in offsets]}")
    assert max(offsets) < 1.5, offsets
    # The tour does turn: the other handle moves on screen.
    assert max(math.dist(others[0], p) for p in others) > 3, others

    # The hit-test agrees with the picture: paused, a lasso round the view's centre
    # selects the points drawn there, which are those near handle 1's projected centroid.
    pause(page, "m")
    P = projection_of(page, "m")
    points = tour.points().astype(np.float64)
    shift = points[far].mean(axis=0) @ P
    zoom = float(page.locator(ROOT).get_attribute("data-zoom") or 1)
    box = page.locator(f"{ROOT} .grandtour-canvas").bounding_box()
    assert box
    scale = 0.5 * min(box["width"], box["height"]) * (1 - 0.06) * zoom
    radius_px = 40
    # Starting below the centre: the handle's ring and name sit at and right of it.
    polygon = [(centre[0] + radius_px * math.cos(a), centre[1] + radius_px * math.sin(a))
               for a in np.linspace(0.5 * math.pi, 2.5 * math.pi, 24, endpoint=False)]
    page.mouse.move(*polygon[0])
    page.mouse.down()
    for x, y in polygon[1:] + [polygon[0]]:
        page.mouse.move(x, y, steps=2)
    page.mouse.up()
    time.sleep(0.3)
    wire = page.evaluate("""() => { const w = window.m.state.selected, v = w.view;
              let s = ''; const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
              for (const x of b) s += String.fromCharCode(x); return { dtype: w.dtype, shape: w.shape, b64: btoa(s) }; }""")
    # Decoded by the kernel's own codec: uint32 indices, or a bitmask for a dense selection.
    selected = selection_from_json({**wire, "view": memoryview(base64.b64decode(wire["b64"]))})
    P = projection_of(page, "m")  # the basis the brush was computed with
    view = points @ P - shift
    dist = np.hypot(view[:, 0], view[:, 1]) * scale
    inside = set(np.flatnonzero(dist < radius_px - 3).tolist())
    outside = set(np.flatnonzero(dist > radius_px + 3).tolist())
    got = set(selected.tolist())
    print(f"lasso about the centre: {len(got)} selected, {len(inside)} clearly inside")
    assert inside and inside <= got and not (got & outside)

    # 0: back to turning about the origin; handle 1 leaves the middle as the tour turns.
    page.evaluate("window.m.set('playing', true)")
    press(page, "0")
    page.wait_for_function("() => document.querySelector('#out0 .grandtour').dataset.centre === ''")
    assert not badge.is_visible()
    time.sleep(0.5)
    offsets = []
    for _ in range(6):
        x, y = ring_centre(page, 0)
        offsets.append(math.hypot(x - centre[0], y - centre[1]))
        time.sleep(0.2)
    assert max(offsets) > 5, offsets
    no_errors(page)


# ---------------------------------------------------------------------------- fps readout


def test_fps_readout_with_f_and_from_show_fps(page: Page) -> None:
    X, codes = planted(n=800)
    open_host(page, containers=2, width=520)
    mount(page, "a", wire_state(Tour(X, [f"c{c}" for c in codes], class_handles=False, height=300)), container="out0")
    mount(page, "b", wire_state(Tour(X, [f"c{c}" for c in codes], class_handles=False, height=300, show_fps=True)),
          container="out1")
    wait_frames(page, "#out0 .grandtour", more_than=2)
    readout_a = page.locator("#out0 .grandtour-fps")
    readout_b = page.locator("#out1 .grandtour-fps")
    assert not readout_a.is_visible()
    assert readout_b.is_visible()
    press(page, "f", "#out0 .grandtour")
    page.wait_for_function("() => window.a.state.show_fps === true")
    assert readout_a.is_visible()
    time.sleep(1.3)
    for readout in (readout_a, readout_b):
        text = readout.inner_text()
        match = re.match(r"(\d+) fps · ([\d.]+) ms", text)
        assert match, text
        assert int(match.group(1)) > 0 and float(match.group(2)) > 0, text
    # From the model side: off.
    page.evaluate("window.b.set('show_fps', false)")
    page.wait_for_function("e => e.style.display === 'none'", arg=readout_b.element_handle())
    no_errors(page)


# ---------------------------------------------------------------------------- JupyterLab


def test_guided_from_the_kernel_turns_guidance_on(jupyter_server: JupyterServer, new_page: Callable[[], Page]) -> None:
    setup = (
        "import numpy as np\n"
        "from grandtour import Tour\n"
        "rng = np.random.default_rng(5)\n"
        "codes = np.arange(1200) % 4\n"
        "X = rng.normal(scale=0.7, size=(1200, 12))\n"
        "X[:, 2] = np.cos(np.pi * codes / 2) + rng.normal(scale=0.12, size=1200)\n"
        "X[:, 5] = np.sin(np.pi * codes / 2) + rng.normal(scale=0.12, size=1200)\n"
        "def fisher(t):\n"
        "    Y = t.points().astype(float) @ np.asarray(t.projection, float)\n"
        "    m = Y.mean(0); W = np.zeros((2, 2)); B = np.zeros((2, 2))\n"
        "    for c in range(4):\n"
        "        Yc = Y[codes == c]; mc = Yc.mean(0)\n"
        "        W += (Yc - mc).T @ (Yc - mc); B += len(Yc) * np.outer(mc - m, mc - m)\n"
        "    return float(np.trace(np.linalg.solve(W, B)))\n"
    )
    page = new_page()
    try:
        notebook = Notebook.create(
            jupyter_server, "motion.ipynb", [setup, "t = Tour(X, [f'c{c}' for c in codes], seed=3, class_handles=False)\nt"]
        ).open(page)
        notebook.run_all()
        root = notebook.cell_output_locator(1).locator("div.grandtour")
        root.wait_for(state="attached", timeout=60_000)
        root.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_function("e => e.dataset.status === 'ready'", arg=root.element_handle(), timeout=60_000)
        button = root.locator("button.grandtour-guided")
        assert button.get_attribute("aria-pressed") == "false"
        start = float(notebook.add_and_run("print(fisher(t))").strip().splitlines()[-1])
        notebook.add_and_run("t.guided = True")
        root.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_function(
            "b => b.getAttribute('aria-pressed') === 'true'", arg=button.element_handle(), timeout=15_000
        )
        time.sleep(4)
        # Pausing from Python brings back the view the tour stopped on.
        notebook.add_and_run("t.playing = False")
        time.sleep(1)
        end = float(notebook.add_and_run("print(fisher(t))").strip().splitlines()[-1])
        print(f"kernel-side Fisher index: {start:.3f} -> {end:.3f}")
        assert end > 4 * start
        assert notebook.add_and_run("print(t.guided)").strip().splitlines()[-1] == "True"
    finally:
        close_page(page)
