"""Publishing tours outside a live notebook: one-file HTML pages, notebooks as HTML, PNG pictures.

Pages written here need nothing at view time: the standalone front end (``static/standalone.js``)
and each tour's state are inlined, so the file opens from disk (``file://``) with no server, no
kernel and no network, and stays interactive (touring, lasso, handles, legend). A lasso in a
published page selects within the page; nothing goes back to Python.

Command line::

    python -m grandtour.publish notebook.ipynb out.html [--execute]

converts a notebook with nbconvert's HTML exporter and mounts every grandtour widget from the
widget state saved in the notebook (``--execute`` runs it first with nbclient, which saves it).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import html
import json
import math
import os
import re
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tour import Tour

STATIC = Path(__file__).parent / "static"
STANDALONE_BUNDLE = STATIC / "standalone.js"
TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "grandtour_offline"

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

#: Traits a published page does not need: the anywidget module text, and widget-manager plumbing.
_DROPPED = {"_esm", "_css", "_anywidget_id", "layout", "_dom_classes", "tabbable", "tooltip", "_view_count"}
_DROPPED_PREFIXES = ("_model_", "_view_")
#: Buffers are deflated when that saves at least this share (floats save ~7%, indices far more).
_DEFLATE_WORTH = 0.02
_PAGE_VERSION = 1

# -- the page ---------------------------------------------------------------------------


def standalone_bundle() -> str:
    """The standalone front end, safe to inline in a ``<script type="module">``."""
    if not STANDALONE_BUNDLE.exists():
        raise FileNotFoundError(
            f"{STANDALONE_BUNDLE} is missing: run 'npm run build' in the grandtour source tree "
            "(or reinstall grandtour)"
        )
    return _script_safe(STANDALONE_BUNDLE.read_text(encoding="utf-8"))


def _script_safe(code: str) -> str:
    """JavaScript text that cannot end or derail its ``<script>`` element.

    ``</script`` becomes ``<\\/script`` and ``<!--`` becomes ``\\x3C!--``: outside string,
    template and regex literals neither can occur in valid code, and inside them the escaped
    forms mean the same (in every regex mode).
    """
    code = re.sub(r"</(?=script)", r"<\\/", code, flags=re.IGNORECASE)
    return code.replace("<!--", "\\x3C!--")


def script_json(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``<``, ``>`` or ``&`` appear."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def encode_buffer(data: bytes, dtype: str | None = None) -> dict[str, str]:
    """A buffer as base64, deflated first when that is worth it.

    uint32 buffers (selections, handle indices: sorted) may be delta-coded before deflating,
    which shrinks runs of consecutive indices to almost nothing; the page adds them back up.
    """
    data = bytes(data)
    best = {"data": data, "encoding": "base64"}
    packed = zlib.compress(data, 6)
    if len(packed) < (1 - _DEFLATE_WORTH) * len(data):
        best = {"data": packed, "encoding": "deflate-base64"}
    if dtype == "uint32" and len(data) % 4 == 0 and len(data) >= 8:
        values = np.frombuffer(data, dtype="<u4")
        deltas = np.diff(values, prepend=np.uint32(0)).astype("<u4")  # wraps modulo 2³², as the page undoes
        packed = zlib.compress(deltas.tobytes(), 6)
        if len(packed) < (1 - _DEFLATE_WORTH) * len(best["data"]):
            best = {"data": packed, "encoding": "delta32-deflate-base64"}
    return {"data": base64.b64encode(best["data"]).decode("ascii"), "encoding": str(best["encoding"])}


def _dtype_at(state: Any, path: list[Any]) -> str | None:
    """The ``dtype`` next to a buffer in a wire array ``{view, dtype, shape}``, if any."""
    node = state
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node.get("dtype") if isinstance(node, Mapping) else None


def _plain_state(state: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in state.items()
        if key not in _DROPPED and not key.startswith(_DROPPED_PREFIXES)
    }


def tour_model(tour: Tour) -> dict[str, Any]:
    """One tour's saved model: plain JSON state plus its binary buffers, base64-encoded."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers(tour.get_state())
    return {
        "state": _plain_state(state),
        "buffers": [
            {"path": list(path), **encode_buffer(bytes(buffer), _dtype_at(state, list(path)))}
            for path, buffer in zip(paths, buffers)
        ],
    }


def _links_among(tours: Mapping[int, str]) -> list[dict[str, Any]]:
    """ipywidgets ``jslink``/``jsdlink`` links whose two ends are among `tours` (id(tour) → model id)."""
    try:
        from ipywidgets.widgets.widget import _instances
        from ipywidgets.widgets.widget_link import DirectionalLink, Link
    except ImportError:  # pragma: no cover - ipywidgets is a dependency of anywidget
        return []
    links = []
    for widget in list(_instances.values()):
        if not isinstance(widget, Link):
            continue
        (source, source_trait), (target, target_trait) = widget.source, widget.target
        if id(source) in tours and id(target) in tours:
            links.append(
                {
                    "source": [tours[id(source)], source_trait],
                    "target": [tours[id(target)], target_trait],
                    "directional": isinstance(widget, DirectionalLink),
                }
            )
    return links


def page_scripts(models: Mapping[str, Any], links: Iterable[Mapping[str, Any]] = ()) -> str:
    """The state block and the inlined front end that mounts every ``[data-grandtour-model]`` div."""
    page = {"version": _PAGE_VERSION, "models": dict(models), "links": list(links)}
    return (
        f'<script type="application/json" class="grandtour-state">{script_json(page)}</script>\n'
        f'<script type="module">\n{standalone_bundle()}\n</script>\n'
    )


def view_div(model_id: str) -> str:
    return f'<div class="grandtour-published" data-grandtour-model="{html.escape(model_id, quote=True)}"></div>'


# Containers and text widgets around tours (``grandtour.compare`` is an HBox of labelled
# VBoxes) are laid out on the page; text is always shown as text, never as markup.
_BOX_DIRECTIONS = {"HBoxModel": "row", "BoxModel": "row", "GridBoxModel": "row", "VBoxModel": "column"}
_TEXT_MODELS = {"LabelModel", "HTMLModel", "HTMLMathModel"}


def _box_html(direction: str, parts: list[str]) -> str:
    child = "flex: 1 1 0; min-width: 0" if direction == "row" else "min-width: 0"
    inner = "".join(f'<div style="{child}">{part}</div>' for part in parts)
    return f'<div class="grandtour-box" style="display: flex; flex-direction: {direction}; gap: 8px">{inner}</div>'


def _label_html(text: Any) -> str:
    return f'<div class="grandtour-label" style="font-weight: 600; margin: 4px 0">{html.escape(str(text))}</div>'


def _live_view(widget: Any, add_tour: Callable[[Any], str], depth: int = 0) -> str:
    """HTML for a live widget to publish: a Tour, a similarity map, or a Box of them and labels."""
    import ipywidgets

    from .lenses import SimilarityMap
    from .tour import Tour

    # A similarity map is mounted like a tour (the front end dispatches on its `_kind`) and
    # drives the page's tours by their uids, so it works on the page as in the notebook.
    if isinstance(widget, (Tour, SimilarityMap)):
        return view_div(add_tour(widget))
    if isinstance(widget, ipywidgets.Box) and depth < 20:
        direction = "column" if isinstance(widget, ipywidgets.VBox) else "row"
        return _box_html(direction, [_live_view(child, add_tour, depth + 1) for child in widget.children])
    if isinstance(widget, (ipywidgets.Label, ipywidgets.HTML, ipywidgets.HTMLMath)):
        return _label_html(widget.value)
    raise TypeError(
        f"save_html takes Tours (or boxes of Tours, such as grandtour.compare's); got {type(widget).__name__}"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="grandtour {version}">
<title>{title}</title>
<style>
body {{ margin: 24px auto; max-width: 1100px; padding: 0 16px; font: 14px/1.4 system-ui, sans-serif;
  color: #222; background: #fff; }}
h1 {{ font-size: 20px; font-weight: 600; }}
.grandtour-published {{ margin: 0 0 24px; }}
</style>
</head>
<body>
{heading}{views}
<noscript>This page shows an interactive Grand Tour; it needs JavaScript.</noscript>
{scripts}</body>
</html>
"""


def to_html(*widgets: Any, title: str | None = None) -> str:
    """One self-contained HTML page showing `widgets`, one after another (see :func:`save_html`)."""
    from . import __version__

    if not widgets:
        raise ValueError("save_html needs at least one Tour")
    ids: dict[int, str] = {}
    models: dict[str, Any] = {}

    def add_tour(tour: Tour) -> str:
        if id(tour) not in ids:  # the same tour twice: one model, two views of one tour
            ids[id(tour)] = f"tour-{len(ids)}"
            models[ids[id(tour)]] = tour_model(tour)
        return ids[id(tour)]

    views = [_live_view(widget, add_tour) for widget in widgets]
    heading = f"<h1>{html.escape(title)}</h1>\n" if title else ""
    return _PAGE.format(
        version=html.escape(__version__),
        title=html.escape(title if title else "Grand Tour"),
        heading=heading,
        views="\n".join(views),
        scripts=page_scripts(models, _links_among(ids)),
    )


def save_html(path: str | os.PathLike[str], *tours: Any, title: str | None = None) -> Path:
    """Write `tours` to one self-contained HTML file that works offline; returns its path.

    The file inlines the front end and each tour's data (base64, deflated where that helps), so it
    opens from disk with no server, kernel or network and stays interactive. Besides Tours it
    takes boxes of them (``grandtour.compare(...)``, an ``HBox``), laid out as in the notebook.
    Links between the tours (``grandtour.link``, ipywidgets' ``jslink``) are kept. The same
    tour given twice is one tour in two views.
    """
    target = Path(path)
    target.write_text(to_html(*tours, title=title), encoding="utf-8")
    return target


# -- notebooks --------------------------------------------------------------------------


def is_tour_model(entry: Mapping[str, Any]) -> bool:
    """Whether a saved widget model (notebook widget state) is a grandtour Tour."""
    state = entry.get("state") or {}
    if entry.get("model_module") == "grandtour" and entry.get("model_name") == "TourModel":
        return True
    if entry.get("model_module") != "anywidget":
        return False
    if str(state.get("_anywidget_id", "")).startswith("grandtour."):
        return True
    # A user's subclass of Tour has its own anywidget id but the same traits.
    return {"_uid", "_layers", "_label_names", "projection"} <= set(state)


def _decode_saved_buffer(buffer: Mapping[str, Any]) -> bytes:
    data = buffer.get("data", "")
    encoding = buffer.get("encoding", "base64")
    if encoding == "base64":
        return base64.b64decode(data)
    if encoding == "hex":
        return binascii.unhexlify(data)
    raise ValueError(f"unknown buffer encoding {encoding!r} in the notebook's widget state")


def notebook_model(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A notebook's saved Tour model (ipywidgets widget-state format) as a page model."""
    state = entry.get("state") or {}
    return {
        "state": _plain_state(state),
        "buffers": [
            {
                "path": list(buffer["path"]),
                **encode_buffer(_decode_saved_buffer(buffer), _dtype_at(state, list(buffer["path"]))),
            }
            for buffer in entry.get("buffers") or []
        ],
    }


def _notebook_links(state: Mapping[str, Any], tours: set[str]) -> list[dict[str, Any]]:
    links = []
    for entry in state.values():
        if entry.get("model_name") not in ("LinkModel", "DirectionalLinkModel"):
            continue
        ends = []
        for key in ("source", "target"):
            value = (entry.get("state") or {}).get(key) or []
            if len(value) != 2 or not str(value[0]).startswith("IPY_MODEL_"):
                break
            ends.append([str(value[0])[len("IPY_MODEL_") :], str(value[1])])
        if len(ends) == 2 and ends[0][0] in tours and ends[1][0] in tours:
            links.append(
                {"source": ends[0], "target": ends[1], "directional": entry["model_name"] == "DirectionalLinkModel"}
            )
    return links


def _shown_models(nb: Any) -> list[str]:
    shown = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            view = (output.get("data") or {}).get(WIDGET_VIEW_MIME)
            if isinstance(view, Mapping) and view.get("model_id"):
                shown.append(str(view["model_id"]))
    return shown


def _saved_view(model_id: str, saved: Mapping[str, Any], tours: set[str], used: set[str], depth: int = 0) -> str | None:
    """HTML for a saved widget: a Tour, or a box holding Tours (and labels); None otherwise."""
    if model_id in tours:
        used.add(model_id)
        return view_div(model_id)
    entry = saved.get(model_id) or {}
    state = entry.get("state") or {}
    name = entry.get("model_name")
    if name in _BOX_DIRECTIONS and depth < 20:
        children = [str(c)[len("IPY_MODEL_") :] for c in state.get("children") or [] if str(c).startswith("IPY_MODEL_")]
        found: set[str] = set()
        parts = [_saved_view(child, saved, tours, found, depth + 1) for child in children]
        if not found:
            return None  # a box with no tour in it is not ours to draw
        used |= found
        return _box_html(_BOX_DIRECTIONS[name], [part for part in parts if part is not None])
    if name in _TEXT_MODELS:
        return _label_html(state.get("value", ""))
    return None


def execute_notebook(nb: Any, cwd: Path, timeout: int = 600, kernel_name: str | None = None) -> Any:
    """Run a notebook with nbclient, saving the widget state in its metadata."""
    from nbclient import NotebookClient

    kwargs: dict[str, Any] = {"timeout": timeout, "store_widget_state": True, "resources": {"metadata": {"path": str(cwd)}}}
    if kernel_name:
        kwargs["kernel_name"] = kernel_name
    NotebookClient(nb, **kwargs).execute()
    return nb


def notebook_to_html(nb: Any, *, mathjax: bool = False, resources: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """HTML for a notebook node, with its grandtour widgets mounted offline from its saved state.

    Tours, and boxes holding Tours (``grandtour.compare``), are drawn. Returns the page and a
    report: ``tours`` (outputs drawn), ``missing`` (widget outputs with no saved state, e.g. a
    notebook saved without widget state), ``other_widgets`` (other widget outputs, shown as
    their text fallback).
    """
    from nbconvert import HTMLExporter

    saved = ((nb.metadata.get("widgets") or {}).get(WIDGET_STATE_MIME) or {}).get("state") or {}
    tour_ids = {model_id for model_id, entry in saved.items() if is_tour_model(entry)}
    shown = _shown_models(nb)
    views: dict[str, str] = {}
    used: set[str] = set()
    for model_id in shown:
        view = _saved_view(model_id, saved, tour_ids, used)
        if view is not None:
            views[model_id] = view
    models = {model_id: notebook_model(saved[model_id]) for model_id in sorted(used)}
    links = _notebook_links(saved, used)

    nb = copy.deepcopy(nb)
    # nbconvert renders a widget output only if its model is in this state, so keeping just the
    # ids we draw (with no state) leaves every other widget to its text fallback, and the
    # template never loads the CDN widget manager.
    nb.metadata["widgets"] = {WIDGET_STATE_MIME: {"version_major": 2, "version_minor": 0, "state": {m: {} for m in views}}}

    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)])
    extra = dict(resources or {})
    extra["grandtour"] = {
        "views": views,
        "scripts": page_scripts(models, links) if models else "",
        "mathjax": bool(mathjax),
    }
    body, _ = exporter.from_notebook_node(nb, resources=extra)
    report = {
        "tours": [m for m in shown if m in views],
        "missing": [m for m in shown if m not in saved],
        "other_widgets": [m for m in shown if m in saved and m not in views],
    }
    return body, report


def publish_notebook(
    notebook: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    execute: bool = False,
    timeout: int = 600,
    kernel_name: str | None = None,
    mathjax: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """Convert `notebook` to one offline HTML file (``out`` defaults to ``<notebook>.html``)."""
    import nbformat

    source = Path(notebook)
    target = Path(output) if output is not None else source.with_suffix(".html")
    nb = nbformat.read(str(source), as_version=4)
    if execute:
        execute_notebook(nb, source.resolve().parent, timeout=timeout, kernel_name=kernel_name)
    body, report = notebook_to_html(nb, mathjax=mathjax, resources={"metadata": {"name": source.stem}})
    target.write_text(body, encoding="utf-8")
    return target, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grandtour.publish",
        description="Convert a notebook to one HTML file whose grandtour widgets work offline "
        "(no CDN, no server, no kernel).",
    )
    parser.add_argument("notebook", help="the .ipynb file")
    parser.add_argument("output", nargs="?", help="the .html file to write (default: next to the notebook)")
    parser.add_argument("--execute", action="store_true", help="run the notebook first (nbclient), saving widget state")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run with --execute (default 600)")
    parser.add_argument("--kernel", default=None, help="kernel name for --execute (default: the notebook's)")
    parser.add_argument(
        "--mathjax", action="store_true", help="typeset LaTeX with MathJax from its CDN (needs the network to view)"
    )
    args = parser.parse_args(argv)
    try:
        target, report = publish_notebook(
            args.notebook, args.output, execute=args.execute, timeout=args.timeout, kernel_name=args.kernel, mathjax=args.mathjax
        )
    except Exception as error:  # a CLI: say what failed, in one line, and exit non-zero
        print(f"grandtour.publish: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    size = target.stat().st_size
    print(f"wrote {target} ({size / 1e6:.2f} MB): {len(report['tours'])} tour output(s) mounted offline")
    if report["missing"]:
        print(
            f"grandtour.publish: {len(report['missing'])} widget output(s) have no saved state; run with --execute "
            "(or save the notebook with widget state) to include them",
            file=sys.stderr,
        )
    if report["other_widgets"]:
        print(
            f"grandtour.publish: {len(report['other_widgets'])} other widget output(s) are shown as text",
            file=sys.stderr,
        )
    return 0


# -- pictures ---------------------------------------------------------------------------

_PALETTE_BASE = (
    0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC,
    0x1F4E79, 0xB85B00, 0x8F1D21, 0x2F7D77, 0x2E6B2A, 0xA88A00, 0x6D3F66, 0x17BECF, 0x5E4030, 0x6F6A66,
)  # fmt: skip
#: Colour of points without labels (src/view/session.ts).
UNLABELLED = (78, 121, 167)
#: View units to pixels: s = 0.5 · min(w, h) · (1 − FIT_MARGIN) · zoom (src/core/viewport.ts).
FIT_MARGIN = 0.06


def _js_round(value: float) -> int:
    return math.floor(value + 0.5)  # Math.round: halves go up


def _hsl_to_hex(hue: float, saturation: float, lightness: float) -> int:
    a = saturation * min(lightness, 1 - lightness)

    def channel(n: int) -> int:
        k = (n + hue / 30) % 12
        return _js_round((lightness - a * max(-1.0, min(k - 3, 9 - k, 1.0))) * 255)

    return (channel(0) << 16) | (channel(8) << 8) | channel(4)


def categorical_colors(count: int) -> np.ndarray:
    """The front end's class colours (src/core/palette.ts), as a ``(count, 3)`` uint8 array."""
    rgb = np.zeros((max(count, 0), 3), dtype=np.uint8)
    for c in range(max(count, 0)):
        if c < len(_PALETTE_BASE):
            value = _PALETTE_BASE[c]
        else:
            step = c - len(_PALETTE_BASE)
            value = _hsl_to_hex((step * 137.508) % 360, 0.65, (0.45, 0.62, 0.32)[step % 3])
        rgb[c] = ((value >> 16) & 255, (value >> 8) & 255, value & 255)
    return rgb


# src/core/colormap.ts: viridis at 33 evenly spaced stops, and the grey for missing values.
_VIRIDIS = (
    0x440154, 0x470D60, 0x48186A, 0x482374, 0x472D7B, 0x453681, 0x424086, 0x3F4989,
    0x3B528B, 0x375A8D, 0x33638D, 0x2F6A8E, 0x2C728E, 0x297A8E, 0x26818E, 0x23898E,
    0x21908C, 0x1F988B, 0x1F9F88, 0x21A685, 0x28AE80, 0x31B57B, 0x3EBC74, 0x4CC26C,
    0x5DC963, 0x6ECE58, 0x82D34C, 0x96D83F, 0xABDC32, 0xC0DF24, 0xD5E21A, 0xEAE51A,
    0xFDE725,
)  # fmt: skip
MISSING_RGB = (190, 190, 190)


def viridis(t: np.ndarray) -> np.ndarray:
    """The front end's viridis at ``t`` (clamped to [0, 1]) as ``(n, 3)`` floats; NaN is grey."""
    t = np.asarray(t, dtype=np.float64)
    stops = np.array([((c >> 16) & 255, (c >> 8) & 255, c & 255) for c in _VIRIDIS], dtype=np.float64)
    x = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0) * (len(stops) - 1)
    i = np.minimum(np.floor(x).astype(np.int64), len(stops) - 2)
    f = (x - i)[:, None]
    rgb = np.round(stops[i] + (stops[i + 1] - stops[i]) * f)
    rgb[~np.isfinite(t)] = MISSING_RGB
    return rgb


def point_colours(tour: Tour) -> np.ndarray:
    """Each point's colour under the tour's ``color_by``, as the front end computes it (``(n, 3)``)."""
    n = tour._n
    if tour.color_by == "movement":
        return _distance_colours(tour.movement())
    if tour.color_by == "difference" and tour._partner is not None:
        from .lenses import difference

        return _distance_colours(difference(tour, tour._partner))
    attribute = tour.attributes.get(tour.color_by)
    if attribute is not None:
        values = attribute["values"]
        if attribute["kind"] == "continuous":
            low, high = attribute["range"]
            span = high - low
            return viridis((values - low) / span if span > 0 else np.where(np.isfinite(values), 0.5, np.nan))
        names = attribute["categories"]
        real = len(names) - 1 if names and names[-1] == "missing" else len(names)
        if attribute["kind"] == "ordinal":
            palette = viridis((np.arange(real) + 0.5) / max(real, 1))
        else:
            palette = categorical_colors(real).astype(np.float64)
        palette = np.vstack([palette, np.tile(MISSING_RGB, (len(names) - real, 1))])
        return palette[values.astype(np.int64)]
    if tour._labels is None:
        return np.tile(np.array(UNLABELLED, dtype=np.float64), (n, 1))
    codes = np.frombuffer(bytes(tour._labels["view"]), dtype=tour._labels["dtype"]).astype(np.int64)
    return categorical_colors(len(tour.label_names)).astype(np.float64)[codes]


def _distance_colours(values: np.ndarray) -> np.ndarray:
    # As the front end: viridis over [0, max], so that "nothing moved" is the dark end.
    top = float(np.nanmax(values)) if values.size else 0.0
    return viridis(values / (top if top > 0 else 1.0))


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an ``(h, w, 3)`` uint8 array."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width, channels = rgb.shape
    if channels != 3:
        raise ValueError(f"expected an (h, w, 3) array; got shape {rgb.shape}")
    raw = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # filter byte 0 (None) per row
    raw[:, 1:] = rgb.reshape(height, 3 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Software\x00grandtour")
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _splat(
    image: np.ndarray, px: np.ndarray, py: np.ndarray, colours: np.ndarray, alpha: float, size: float
) -> None:
    """Composite round dots (diameter `size` px) over `image` (h, w, 3 floats), in place.

    Within one call the dots blend order-independently: coverage 1 − Π(1 − αᵢ) and the
    α-weighted mean colour, which for a single dot is exactly "over".
    """
    if len(px) == 0:
        return
    height, width, _ = image.shape
    pixels = width * height
    radius = size / 2
    reach = int(math.ceil(radius)) + 1
    base_x, base_y = np.floor(px).astype(np.int64), np.floor(py).astype(np.int64)
    sums = np.zeros((5, pixels))  # log(1 − α) summed, α summed, α-weighted R, G, B
    pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    pending_size = 0

    def flush() -> None:
        nonlocal pending_size
        if not pending:
            return
        index = np.concatenate([p[0] for p in pending])
        a = np.concatenate([p[1] for p in pending])
        rgb = np.concatenate([p[2] for p in pending])
        sums[0] += np.bincount(index, weights=np.log1p(-a), minlength=pixels)
        sums[1] += np.bincount(index, weights=a, minlength=pixels)
        for ch in range(3):
            sums[2 + ch] += np.bincount(index, weights=a * rgb[:, ch], minlength=pixels)
        pending.clear()
        pending_size = 0

    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            ix, iy = base_x + dx, base_y + dy
            r2 = ((ix + 0.5 - px) ** 2 + (iy + 0.5 - py) ** 2) / (radius * radius)
            # The shader's dot: a disc with a soft rim, α · (1 − smoothstep(0.7, 1, r²)).
            a = alpha * (1.0 - _smoothstep(0.7, 1.0, r2))
            keep = (r2 < 1.0) & (a > 0) & (ix >= 0) & (iy >= 0) & (ix < width) & (iy < height)
            if not keep.any():
                continue
            pending.append((iy[keep] * width + ix[keep], a[keep], colours[keep]))
            pending_size += int(keep.sum())
            if pending_size > 4_000_000:
                flush()
    flush()
    hit = sums[1] > 0
    coverage = 1.0 - np.exp(sums[0, hit])
    mean = sums[2:, hit].T / sums[1, hit, None]
    flat = image.reshape(pixels, 3)
    flat[hit] = flat[hit] * (1.0 - coverage[:, None]) + mean * coverage[:, None]


def widget_zoom(tour: Tour, layer: str | None = None) -> float:
    """The zoom the widget opens at (src/view/session.ts): the cloud's widest spread, 2.5·√λ₁
    (λ₁ the largest eigenvalue of the normalised points' covariance), fills 95% of the plot."""
    points = tour.points(layer).astype(np.float64)
    largest = float(np.linalg.eigvalsh(points.T @ points / max(len(points), 1))[-1])
    return float(np.clip(0.95 / max(2.5 * math.sqrt(max(largest, 0.0)), 1e-9), 1.0, 8.0))


def render_view(
    tour: Tour,
    width: int = 800,
    height: int = 600,
    *,
    zoom: float | str | None = None,
    point_size: float | None = None,
) -> np.ndarray:
    """The tour's current view as an ``(height, width, 3)`` uint8 image (see :meth:`Tour.to_png`)."""
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 16 <= value <= 16384:
            raise ValueError(f"{name} must be an int from 16 to 16384 pixels; got {value!r}")
    view = tour.project()
    n = view.shape[0]
    names = tour.label_names
    codes = None
    if tour._labels is not None:
        codes = np.frombuffer(bytes(tour._labels["view"]), dtype=tour._labels["dtype"]).astype(np.int64)
    colours = point_colours(tour)

    visible = np.ones(n, dtype=bool)
    hidden = {names.index(name) for name in tour.hidden_classes if name in names}
    if codes is not None and hidden:
        visible &= ~np.isin(codes, list(hidden))
    selected = np.zeros(n, dtype=bool)
    selected[tour.selected] = True
    has_selection = bool(selected.any())

    if zoom is None:
        # Fit every visible point of this view.
        radii = np.hypot(view[visible, 0], view[visible, 1])
        farthest = float(radii.max()) if radii.size else 1.0
        zoom = float(np.clip(1.0 / max(farthest, 1e-12), 1.0, 8.0))
    elif isinstance(zoom, str) and zoom == "widget":
        zoom = widget_zoom(tour)
    elif isinstance(zoom, bool) or not (isinstance(zoom, (int, float)) and math.isfinite(zoom) and zoom > 0):
        raise ValueError(f"zoom must be a positive number, 'widget' or None; got {zoom!r}")
    scale = 0.5 * min(width, height) * (1 - FIT_MARGIN) * zoom
    px = width / 2 + scale * view[:, 0]
    py = height / 2 - scale * view[:, 1]
    if point_size is None:
        point_size = max(1.5, min(8.0, 0.4 * min(width, height) / math.sqrt(max(n, 1))))

    image = np.full((height, width, 3), 255.0)
    if has_selection:
        faded = visible & ~selected
        grey = colours[faded] + (0.62 * 255 - colours[faded]) * 0.7  # mix(colour, 0.62, 0.7)
        _splat(image, px[faded], py[faded], grey, 0.22, point_size)
        front = visible & selected
        _splat(image, px[front], py[front], colours[front], 0.9, point_size * 1.35)
    else:
        _splat(image, px[visible], py[visible], colours[visible], 0.9, point_size)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def to_png(
    tour: Tour,
    path: str | os.PathLike[str] | None = None,
    width: int = 800,
    height: int = 600,
    *,
    zoom: float | str | None = None,
    point_size: float | None = None,
) -> bytes:
    """PNG bytes of the tour's current view; also written to `path` if given.

    ``zoom``: None fits every point; ``"widget"`` is the zoom the widget opens at; or a number.
    """
    data = encode_png(render_view(tour, width, height, zoom=zoom, point_size=point_size))
    if path is not None:
        Path(path).write_bytes(data)
    return data


if __name__ == "__main__":
    sys.exit(main())
