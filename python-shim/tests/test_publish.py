"""Publishing without a browser: the saved page's contents, notebook conversion, PNG pictures.

The browser suite (tests/e2e/test_publish.py) opens these pages offline in Chromium.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import ipywidgets
import nbformat
import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers

import grandtour
from grandtour import Tour
from grandtour import publish
from grandtour.publish import STANDALONE_BUNDLE, categorical_colors, script_json, viridis

REPO = Path(__file__).resolve().parents[2]
# nbconvert re-serialises its HTML (attribute order may change), so match either order.
STATE_BLOCK = re.compile(
    r'<script (?:type="application/json" class="grandtour-state"|class="grandtour-state" type="application/json")>'
    r"(.*?)</script>",
    re.S,
)

needs_bundle = pytest.mark.skipif(
    not STANDALONE_BUNDLE.exists(), reason="static/standalone.js is not built (npm run build)"
)


def blobs(n: int = 1000, d: int = 15, k: int = 5, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(k), n // k)
    return rng.normal(scale=3.0, size=(k, d))[codes] + rng.normal(size=(len(codes), d)), [f"class {c}" for c in codes]


def page_state(text: str) -> dict[str, Any]:
    blocks = STATE_BLOCK.findall(text)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0] and "&" not in blocks[0]
    return json.loads(blocks[0])


def decode_buffer(buffer: dict[str, Any]) -> bytes:
    data = base64.b64decode(buffer["data"])
    if buffer["encoding"] == "base64":
        return data
    data = zlib.decompress(data)
    if buffer["encoding"] == "delta32-deflate-base64":
        return np.cumsum(np.frombuffer(data, dtype="<u4"), dtype=np.uint32).astype("<u4").tobytes()
    assert buffer["encoding"] == "deflate-base64"
    return data


# -- saved pages ------------------------------------------------------------------------


@needs_bundle
def test_saved_page_carries_the_bundle_and_the_exact_data(tmp_path: Path) -> None:
    X, labels = blobs()
    tour = Tour(X, labels, selected=[1, 5, 9], seed=4)
    path = tour.save_html(tmp_path / "t.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<div class="grandtour-published" data-grandtour-model="tour-0"></div>' in text
    assert '<script type="module">' in text
    assert "ModelRegistry" in text  # the standalone bundle itself, inlined
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "the page loads something remote"
    state = page_state(text)
    model = state["models"]["tour-0"]
    assert "_esm" not in model["state"] and "_css" not in model["state"]
    assert model["state"]["seed"] == 4 and model["state"]["_label_names"] == [f"class {c}" for c in range(5)]
    buffers = {tuple(b["path"]): decode_buffer(b) for b in model["buffers"]}
    points = buffers[("_layers", 0, "points", "view")]
    assert points == tour.points().astype("<f4").tobytes()
    assert np.frombuffer(buffers[("selected", "view")], dtype="<u4").tolist() == [1, 5, 9]
    encodings = {tuple(b["path"]): b["encoding"] for b in model["buffers"]}
    assert encodings[("_layers", 0, "points", "view")] == "deflate-base64"  # floats: deflate saves ~7%
    assert encodings[("_handles", 0, "indices", "view")] == "delta32-deflate-base64"  # a class: runs of indices
    handle = np.frombuffer(buffers[("_handles", 0, "indices", "view")], dtype="<u4")
    assert handle.tolist() == list(range(200))


def test_buffer_encodings_round_trip() -> None:
    rng = np.random.default_rng(1)
    cases = {
        "random floats": (rng.normal(size=500).astype("<f4").tobytes(), "float32"),
        "sorted indices": (np.sort(rng.choice(10**6, 500, replace=False)).astype("<u4").tobytes(), "uint32"),
        "unsorted uint32": (rng.integers(0, 2**32, 500, dtype=np.uint64).astype("<u4").tobytes(), "uint32"),
        "wrapping uint32": (np.array([2**32 - 1, 0, 5, 2**32 - 2] * 50, dtype="<u4").tobytes(), "uint32"),
        "empty": (b"", "uint32"),
    }
    for name, (data, dtype) in cases.items():
        assert decode_buffer(publish.encode_buffer(data, dtype)) == data, name


@needs_bundle
@pytest.mark.parametrize("d", [2, 15, 64])
def test_saved_page_size_is_within_budget(tmp_path: Path, d: int) -> None:
    """At most 1.4 × the raw float32 data, plus the bundle (class handles included)."""
    X, labels = blobs(n=3000, d=d, k=5)
    path = grandtour.save_html(tmp_path / "t.html", Tour(X, labels))
    raw = 4 * X.size
    size, bundle = path.stat().st_size, STANDALONE_BUNDLE.stat().st_size
    print(f"d={d}: page {size:,} B, bundle {bundle:,} B, data part {(size - bundle) / raw:.3f} × raw {raw:,} B")
    assert size <= 1.4 * raw + bundle


@needs_bundle
def test_user_text_is_never_markup(tmp_path: Path) -> None:
    nasty = "</script><script>alert('x')</script><!-- & \u2028"
    X, _ = blobs(n=20, d=3, k=2)
    tour = Tour(X, [nasty, "b"] * 10, class_handles=False, handles=[{"name": nasty, "indices": [0, 1]}])
    text = grandtour.save_html(tmp_path / "t.html", tour, title=nasty).read_text(encoding="utf-8")
    assert text.count("<script") == 2  # the state block and the bundle: nothing user-made
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;!-- &amp; \u2028</title>" in text
    state = page_state(text)
    assert nasty in state["models"]["tour-0"]["state"]["_label_names"]
    assert state["models"]["tour-0"]["state"]["_handles"][-1]["name"] == nasty


def test_script_json_escapes_what_html_would_read() -> None:
    text = script_json({"a": "</script><!--&>", "b": "\u2028\u2029"})
    assert not set("<>&") & set(text)
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!--&>", "b": "\u2028\u2029"}


def test_bundle_text_cannot_close_its_script() -> None:
    safe = publish._script_safe('a = "</SCRIPT>"; b = /<\\/script>/; c = `<!--`;')
    assert "</script" not in safe.lower() and "<!--" not in safe
    assert safe == 'a = "<\\/SCRIPT>"; b = /<\\/script>/; c = `\\x3C!--`;'


@needs_bundle
def test_the_shipped_bundle_is_safe_to_inline() -> None:
    bundle = STANDALONE_BUNDLE.read_text(encoding="utf-8")
    assert publish.standalone_bundle() == bundle  # nothing needed escaping
    assert "import(" not in bundle.replace("import(\"", "")  # no chunks loaded at run time


@needs_bundle
def test_several_tours_one_shown_twice_and_their_links(tmp_path: Path) -> None:
    a = Tour(*blobs(n=50, d=4, k=2))
    b = Tour(*blobs(n=50, d=5, k=2, seed=1))
    link = ipywidgets.jslink((a, "selected"), (b, "selected"))
    try:
        text = grandtour.save_html(tmp_path / "t.html", a, b, a).read_text(encoding="utf-8")
    finally:
        link.unlink()
    ids = re.findall(r'data-grandtour-model="([^"]+)"', text)
    assert ids == ["tour-0", "tour-1", "tour-0"]
    state = page_state(text)
    assert sorted(state["models"]) == ["tour-0", "tour-1"]
    assert state["links"] == [
        {"source": ["tour-0", "selected"], "target": ["tour-1", "selected"], "directional": False}
    ]


@needs_bundle
def test_a_comparison_is_laid_out_side_by_side(tmp_path: Path) -> None:
    X, labels = blobs(n=60, d=4, k=3)
    comparison = grandtour.compare(X, X[:, ::-1] * 2, labels, names=("before <b>", "after"))
    text = grandtour.save_html(tmp_path / "t.html", comparison).read_text(encoding="utf-8")
    row = text.index('flex-direction: row')
    assert row < text.index("before &lt;b&gt;") < text.index('"tour-0"') < text.index("after") < text.index('"tour-1"')
    models = page_state(text)["models"]
    assert models["tour-0"]["state"]["_link"] == models["tour-1"]["state"]["_link"]  # still linked on the page
    assert models["tour-0"]["state"]["_link"]["group"]


def test_save_html_needs_tours(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one Tour"):
        grandtour.save_html(tmp_path / "t.html")
    with pytest.raises(TypeError, match="takes Tours"):
        grandtour.save_html(tmp_path / "t.html", np.zeros((3, 3)))
    with pytest.raises(TypeError, match="IntSlider"):
        grandtour.save_html(tmp_path / "t.html", ipywidgets.HBox([ipywidgets.IntSlider()]))
    assert not (tmp_path / "t.html").exists()


# -- notebooks --------------------------------------------------------------------------


def saved_widget_state(*widgets: Any) -> dict[str, Any]:
    """Widget state as a kernel-side save (nbclient, JupyterLab) writes it into a notebook."""
    state = {}
    for widget in widgets:
        plain, paths, buffers = _remove_buffers(widget.get_state())
        state[widget.model_id] = {
            "model_name": plain["_model_name"],
            "model_module": plain["_model_module"],
            "model_module_version": plain["_model_module_version"],
            "state": plain,
            "buffers": [
                {"path": path, "encoding": "base64", "data": base64.b64encode(bytes(b)).decode()}
                for path, b in zip(paths, buffers)
            ],
        }
    return {"version_major": 2, "version_minor": 0, "state": state}


def widget_output(widget: Any, text: str) -> Any:
    return nbformat.v4.new_output(
        "execute_result",
        data={
            "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0, "model_id": widget.model_id},
            "text/plain": text,
        },
        execution_count=1,
    )


@pytest.fixture
def saved_notebook() -> tuple[Any, Tour, Any]:
    tour = Tour(*blobs(n=200, d=6, k=3), selected=[0, 2])
    slider = ipywidgets.IntSlider(value=7)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title with $x^2$"),
        nbformat.v4.new_code_cell("t", outputs=[widget_output(tour, repr(tour))]),
        nbformat.v4.new_code_cell("s", outputs=[widget_output(slider, "IntSlider(value=7)")]),
    ]
    nb.metadata["widgets"] = {publish.WIDGET_STATE_MIME: saved_widget_state(tour, slider)}
    return nb, tour, slider


@needs_bundle
def test_notebook_tours_become_offline_views(saved_notebook: tuple[Any, Tour, Any]) -> None:
    nb, tour, slider = saved_notebook
    text, report = publish.notebook_to_html(nb)
    assert report == {"tours": [tour.model_id], "missing": [], "other_widgets": [slider.model_id]}
    assert f'data-grandtour-model="{tour.model_id}"' in text
    assert "IntSlider(value=7)" in text  # the other widget, as its text fallback
    # Nothing from a CDN: no require.js, no widget manager, no MathJax, no widget-state block.
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?https?:""", text)
    for gone in ("require.min.js", "html-manager", "embed-amd", "mathjax", publish.WIDGET_STATE_MIME):
        assert gone not in text.lower(), gone
    model = page_state(text)["models"][tour.model_id]
    points = next(b for b in model["buffers"] if b["path"] == ["_layers", 0, "points", "view"])
    assert decode_buffer(points) == tour.points().astype("<f4").tobytes()
    assert "_esm" not in model["state"]
    assert nb.metadata["widgets"][publish.WIDGET_STATE_MIME]["state"][tour.model_id]["state"]["_esm"]  # input untouched


@needs_bundle
def test_notebook_comparisons_are_drawn_with_their_names() -> None:
    X, labels = blobs(n=60, d=4, k=3)
    comparison = grandtour.compare(X, X * 2, labels, names=("Model Alpha", "Model Beta"))
    boxes = [comparison, *comparison.children]
    parts = [*boxes, *(w for box in comparison.children for w in box.children)]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("c", outputs=[widget_output(comparison, "Comparison")])]
    nb.metadata["widgets"] = {publish.WIDGET_STATE_MIME: saved_widget_state(*parts)}
    text, report = publish.notebook_to_html(nb)
    assert report["tours"] == [comparison.model_id]
    left, right = comparison.left.model_id, comparison.right.model_id
    assert text.index("Model Alpha") < text.index(f'"{left}"') < text.index("Model Beta") < text.index(f'"{right}"')
    assert sorted(page_state(text)["models"]) == sorted([left, right])


def test_mathjax_only_when_asked(saved_notebook: tuple[Any, Tour, Any]) -> None:
    nb, _, _ = saved_notebook
    assert "mathjax" not in publish.notebook_to_html(nb)[0].lower()
    assert "mathjax" in publish.notebook_to_html(nb, mathjax=True)[0].lower()


def test_tour_models_are_recognised() -> None:
    tour = Tour(*blobs(n=30, d=3, k=3))
    entry = saved_widget_state(tour)["state"][tour.model_id]
    assert publish.is_tour_model(entry)
    assert publish.is_tour_model({"model_module": "grandtour", "model_name": "TourModel", "state": {}})
    assert not publish.is_tour_model(saved_widget_state(ipywidgets.IntSlider())["state"].popitem()[1])
    assert not publish.is_tour_model({"model_module": "anywidget", "state": {"_anywidget_id": "other.Widget"}})


def test_notebook_links_between_tours_are_kept() -> None:
    a, b = Tour(*blobs(n=30, d=3, k=3)), Tour(*blobs(n=30, d=3, k=3, seed=1))
    link = ipywidgets.jsdlink((a, "selected"), (b, "selected"))
    try:
        state = saved_widget_state(a, b, link)["state"]
    finally:
        link.unlink()
    assert publish._notebook_links(state, {a.model_id, b.model_id}) == [
        {"source": [a.model_id, "selected"], "target": [b.model_id, "selected"], "directional": True}
    ]


@needs_bundle
def test_cli_writes_the_page_and_reports(tmp_path: Path, saved_notebook: tuple[Any, Tour, Any]) -> None:
    nb, _, _ = saved_notebook
    nb.cells.append(nbformat.v4.new_code_cell("u", outputs=[widget_output(Tour(*blobs(n=9, d=2, k=3)), "Tour")]))
    source = tmp_path / "saved.ipynb"
    nbformat.write(nb, str(source))
    result = subprocess.run(
        [sys.executable, "-m", "grandtour.publish", str(source)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "saved.html").exists()
    assert "1 tour output(s) mounted offline" in result.stdout
    assert "1 widget output(s) have no saved state" in result.stderr  # the last Tour: not in the state
    assert "RuntimeWarning" not in result.stderr


def test_cli_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert publish.main([str(tmp_path / "missing.ipynb"), str(tmp_path / "out.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grandtour.publish: FileNotFoundError") and err.count("\n") == 1


# -- pictures ---------------------------------------------------------------------------


def read_png(data: bytes) -> np.ndarray:
    """Decode the PNGs to_png writes (8-bit RGB), checking signature, chunk CRCs and filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = body
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    assert list(chunks)[0] == b"IHDR" and list(chunks)[-1] == b"IEND"
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + 3 * width)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(height, width, 3)


def near(image: np.ndarray, colour: Any, tolerance: int = 12) -> int:
    return int((np.abs(image.astype(int) - np.asarray(colour, dtype=int)).max(axis=2) <= tolerance).sum())


def test_to_png_is_a_valid_png_of_the_requested_size(tmp_path: Path) -> None:
    tour = Tour(*blobs())
    data = tour.to_png(width=320, height=200)
    image = read_png(data)
    assert image.shape == (200, 320, 3)
    assert tour.to_png(tmp_path / "view.png", width=320, height=200) == data
    assert (tmp_path / "view.png").read_bytes() == data


def test_to_png_draws_the_class_colours() -> None:
    tour = Tour(*blobs(n=1500, k=5), class_handles=False)
    image = read_png(tour.to_png())
    assert near(image, (255, 255, 255), 0) > 0.5 * image.shape[0] * image.shape[1]  # white background
    for rgb in categorical_colors(5):
        dot = 0.9 * rgb + 0.1 * 255  # one dot over white: α = 0.9
        assert near(image, dot) + near(image, rgb) > 50, f"class colour {rgb} missing"


def test_to_png_fades_the_unselected_and_leaves_hidden_classes_out() -> None:
    X, labels = blobs(n=1500, k=5)
    tour = Tour(X, labels, class_handles=False)
    plain = read_png(tour.to_png())
    tour.selected = np.arange(300)  # class 0
    highlighted = read_png(tour.to_png())
    colours = categorical_colors(5)
    assert near(highlighted, 0.9 * colours[0] + 25.5) + near(highlighted, colours[0]) > 50
    for rgb in colours[1:]:
        assert near(highlighted, 0.9 * rgb + 25.5, 6) < 0.05 * max(near(plain, 0.9 * rgb + 25.5, 6), 1)
    grey = lambda im: int(((im.max(axis=2).astype(int) - im.min(axis=2)) < 20).sum() - near(im, (255, 255, 255), 3))
    assert grey(highlighted) > 2 * grey(plain) + 500
    tour.selected = []
    tour.hidden_classes = ["class 1"]
    hidden = read_png(tour.to_png())
    assert near(hidden, 0.9 * colours[1] + 25.5, 6) == 0 and near(hidden, colours[1], 6) == 0


def test_to_png_draws_the_colouring_of_color_by() -> None:
    X, labels = blobs(n=1500, k=5)
    codes = np.repeat(np.arange(5), 300)
    tour = Tour(X, labels, class_handles=False, data={"score": codes * 0.25, "kind": codes % 2 == 0})
    ends = viridis(np.array([0.0, 1.0]))  # the lowest score (class 0) and the highest (class 4)
    tour.color_by = "score"
    scored = read_png(tour.to_png())
    for rgb in ends:
        assert near(scored, 0.9 * rgb + 25.5) + near(scored, rgb) > 50, f"viridis end {rgb} missing"
    assert near(scored, 0.9 * categorical_colors(5)[1] + 25.5, 3) == 0  # no class colour left
    tour.color_by = "kind"  # two categories: the palette's first two colours
    kinds = read_png(tour.to_png())
    for rgb in categorical_colors(2):
        assert near(kinds, 0.9 * rgb + 25.5) + near(kinds, rgb) > 50


def test_to_png_colours_movement_and_difference_as_the_view_does() -> None:
    X, labels = blobs(n=900, k=3)
    moved = X.copy()
    moved[:300] += 3.0  # class 0 moves, the rest stay
    tour = Tour({"a": X, "b": moved}, labels, class_handles=False, layer="b", color_by="movement")
    image = read_png(tour.to_png())
    distance = tour.movement()
    # Each layer is centred and scaled on its own, so the others move a little too, far less.
    top, still = viridis(np.array([1.0, float(np.median(distance[300:]) / distance.max())]))
    assert near(image, 0.9 * top + 25.5) + near(image, top) > 50  # the movers, at the bright end
    assert near(image, 0.9 * still + 25.5, 12) + near(image, still, 12) > 50  # the others, darker
    pair = grandtour.compare(X, moved, labels, class_handles=False)
    pair.left.color_by = "difference"
    assert read_png(pair.left.to_png()).tobytes() != read_png(pair.right.to_png()).tobytes()


def test_viridis_matches_the_front_ends_table_and_greys_missing_values() -> None:
    rgb = viridis(np.array([0.0, 0.5, 1.0, np.nan, -1.0]))
    assert rgb[0].tolist() == [68, 1, 84] and rgb[2].tolist() == [253, 231, 37]
    assert rgb[1].tolist() == [33, 144, 140]  # the middle stop, 0x21908c
    assert rgb[3].tolist() == [190, 190, 190] and rgb[4].tolist() == rgb[0].tolist()


def test_to_png_fits_every_point_and_follows_the_projection() -> None:
    tour = Tour(*blobs(n=600, d=6, k=3), class_handles=False)
    image = read_png(tour.to_png(width=300, height=300))
    ink = np.argwhere(image.min(axis=2) < 250)
    assert len(ink) > 0
    # Every point fits: the farthest dot's centre sits 0.47 · 300 px from the middle at most.
    assert np.hypot(ink[:, 0] - 150, ink[:, 1] - 150).max() <= 0.47 * 300 + 6
    before = tour.to_png(width=300, height=300)
    tour.projection = np.eye(6)[:, [2, 3]]
    assert tour.to_png(width=300, height=300) != before


def test_to_png_can_use_the_widgets_zoom() -> None:
    tour = Tour(*blobs(n=600, d=15, k=3), class_handles=False)
    points = tour.points().astype(np.float64)
    spread = np.sqrt(np.linalg.eigvalsh(np.cov(points.T, bias=True) + np.outer(points.mean(0), points.mean(0)))[-1])
    assert publish.widget_zoom(tour) == pytest.approx(np.clip(0.95 / (2.5 * spread), 1, 8))
    fitted, widget = (read_png(tour.to_png(width=300, height=300, zoom=z)) for z in (None, "widget"))
    radius = lambda im: np.percentile(np.hypot(*(np.argwhere(im.min(axis=2) < 250) - 150).T), 50)
    assert radius(widget) != pytest.approx(radius(fitted), rel=0.05)
    with pytest.raises(ValueError, match="zoom"):
        tour.to_png(zoom="lab")
    with pytest.raises(ValueError, match="zoom"):
        tour.to_png(zoom=-1.0)


def test_to_png_rejects_bad_sizes() -> None:
    tour = Tour(*blobs(n=30, d=3, k=3))
    for bad in (0, 10, 20_000, 3.5, True):
        with pytest.raises(ValueError, match="width"):
            tour.to_png(width=bad)


def test_palette_matches_the_front_end() -> None:
    colours = categorical_colors(45)
    assert colours[:3].tolist() == [[0x4E, 0x79, 0xA7], [0xF2, 0x8E, 0x2B], [0xE1, 0x57, 0x59]]
    # Past the 20 hand-picked colours: hue by the golden angle, lightness 0.45/0.62/0.32.
    assert colours[20].tolist() == [189, 40, 40]  # hsl(0°, 65%, 45%), rounded as Math.round does
    assert len({tuple(c) for c in colours.tolist()}) == 45
    source = REPO / "src" / "core" / "palette.ts"
    if source.exists():  # in the repository: the same 20 hex values as the TypeScript
        base = re.search(r"const BASE = \[(.*?)\];", source.read_text(), re.S)
        assert base is not None
        values = [int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]{6})", base.group(1))]
        assert [(v >> 16, (v >> 8) & 255, v & 255) for v in values] == [tuple(c) for c in colours[:20].tolist()]
