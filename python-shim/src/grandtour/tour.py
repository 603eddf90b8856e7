"""The ``Tour`` widget: traits and their checks. The drawing happens in the browser."""

from __future__ import annotations

import os
import pathlib
import uuid
from typing import Any

import anywidget
import numpy as np
import traitlets

from . import _validate as v
from ._wire import (
    handles_from_json,
    handles_to_json,
    projection_from_json,
    projection_to_json,
    selection_from_json,
    selection_to_json,
    wire_array,
)

_BUNDLE = pathlib.Path(__file__).parent / "static" / "tour.js"

# Without the built front end the widget still imports and says what to do, in its own area.
_MISSING_BUNDLE = """
export default { render({ el }) {
  const box = document.createElement('div');
  box.className = 'grandtour-error';
  box.textContent = "[grandtour] the front-end bundle is missing: run 'npm run build' in the grandtour source tree.";
  el.appendChild(box);
} };
"""


class Tour(anywidget.AnyWidget):
    """A live Grand Tour of points in d dimensions.

    Parameters
    ----------
    embedding : array-like of shape (n, d), mapping of name to (n, d) arrays, or mapping of epoch to such mappings
        The points: numpy, pandas, nested lists or torch tensors; finite reals,
        ``n >= 1``, ``d >= 2``. A mapping (or a list of arrays) gives one layer each;
        all layers need the same ``n``. A nested mapping ``{epoch: {layer: (n, d)}}`` gives
        training checkpoints (epoch names are strings or ints, kept in the given order):
        every epoch needs the same layer names, in the same order, and the same ``n``.
    labels : array-like of shape (n,), optional
        Class of each point: ints, strings, or a pandas Categorical (its category order is
        kept). Points are coloured by class and a legend is shown.
    seed : int, default 0
        Seeds the tour's rotation: the same seed gives the same tour.
    playing : bool, default True
        Whether the tour is rotating.
    speed : float, default 1.0
        Rotation speed, as a multiple of a comfortable default.
    height : int, default 480
        Height of the widget in pixels; it fills the output's width.
    selected : array-like of int, or boolean mask, optional
        Initially selected points.
    layer : str, optional
        The layer shown first (default: the first).
    projection : array-like of shape (d, 2), optional
        The initial view: orthonormal columns onto which the (normalised) points project.
    images : array-like of shape (n, h, w) or (n, h, w, 3 or 4), optional
        A thumbnail per point (uint8, or floats in [0, 1]); ``i`` in the view or
        ``show_images`` switches between dots and thumbnails.
    show_images : bool, default False
        Draw thumbnails instead of dots (needs ``images``).
    images_selected_only : bool, default False
        With ``show_images``, draw thumbnails only for selected points.
    class_handles : "auto", bool or list of str, default "auto"
        Start with a handle at the centroid of these classes ("auto": every class when
        there are at most 6, none otherwise). Handles are added and removed from the
        legend's ◎ buttons too.
    handles : list of dict, optional
        Initial handles, as ``{"name": str, "indices": array-like}``.
    hidden_classes : list of str, optional
        Classes hidden from the view (the legend toggles them).
    level_of_detail : bool, default True
        When a full frame takes longer than ~40 ms (a million points in software WebGL),
        draw a fixed random sample while the view moves, with a badge saying how many points
        are drawn, and every point as soon as it is still. False always draws every point.
    data : pandas.DataFrame or mapping of name to array-like, optional
        Per-point attributes to colour by (and to show in tooltips), one row per point, in
        point order (a DataFrame's index is ignored). Booleans, strings, unordered pandas
        Categoricals and integers with at most 12 distinct values are categorical; ordered
        Categoricals are ordinal; other numbers are continuous. Missing values (None, NaN,
        pandas NA) are drawn grey. Column names ``"label"``, ``"movement"`` and
        ``"difference"`` are reserved.
    color : str or array-like of shape (n,), optional
        What to colour by at first: a column name of ``data``, or per-point values, which
        become an attribute named after their pandas Series (else ``"color"``).
    color_by : str, optional
        The colouring: ``"label"`` (default), an attribute name, ``"movement"`` (with two or
        more layers) or ``"difference"`` (in a comparison). Same as ``color`` when a column name.
    epoch : str or int, optional
        The epoch shown first (default: the first), with epochs.
    depth : bool, default False
        Depth cues: the third projected axis sets point size and fade.
    guided : bool, default False
        Blend the random tour with a guided tour toward projections that separate the classes.
    show_fps : bool, default False
        A frame-rate readout in a corner.

    Attributes
    ----------
    selected : numpy.ndarray of int64
        Sorted indices of the points brushed in the view; assign indices or a mask to
        select from Python.
    handles : list of dict
        ``{"name", "indices", "position"}`` for each handle, ``position`` being the
        centroid's view coordinates under :attr:`projection`. Assign a list of
        ``{"name", "indices"}`` to replace them; see also :meth:`add_handle`.
    projection : numpy.ndarray of shape (d, 2)
        The basis of the view, as of the last brush, pause or Python assignment (the
        front end does not report every frame while touring). Assign to set the view.
    color_by : str
        The colouring; assigning a name that is not available raises and names those that are.
    epoch : str
        The epoch shown ("" without epochs); :attr:`epochs` lists them.

    Notes
    -----
    Each layer is centred on its mean and scaled so that its largest row norm is 1
    before it is sent; view coordinates are ``normalised_points @ projection`` and always
    lie in the unit disc. :meth:`project` computes them.

    Examples
    --------
    >>> t = Tour(embedding, labels)   # doctest: +SKIP
    >>> t                             # doctest: +SKIP
    >>> t.selected                    # doctest: +SKIP
    """

    _esm = _BUNDLE if _BUNDLE.exists() else _MISSING_BUNDLE

    # Keys the front end's shared state, so that two views of one Tour show one tour.
    _uid = traitlets.Unicode().tag(sync=True)
    _layers = traitlets.List().tag(sync=True)
    _labels = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _label_names = traitlets.List(traitlets.Unicode()).tag(sync=True)

    layer = traitlets.Unicode().tag(sync=True)
    # Any, not Instance: the validators below turn lists and masks into arrays first.
    selected = traitlets.Any(np.zeros(0, dtype=np.int64)).tag(
        sync=True, to_json=selection_to_json, from_json=selection_from_json
    )
    playing = traitlets.Bool(True).tag(sync=True)
    speed = traitlets.Float(1.0).tag(sync=True)
    projection = traitlets.Any(np.zeros((0, 2))).tag(
        sync=True, to_json=projection_to_json, from_json=projection_from_json
    )
    seed = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(480).tag(sync=True)
    _handles = traitlets.List().tag(sync=True, to_json=handles_to_json, from_json=handles_from_json)
    _images = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    show_images = traitlets.Bool(False).tag(sync=True)
    # While moving, draw a random sample when full frames are too slow (a badge says so).
    level_of_detail = traitlets.Bool(True).tag(sync=True)
    images_selected_only = traitlets.Bool(False).tag(sync=True)
    hidden_classes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    # Set by grandtour.link / grandtour.compare: the front end shares clock and steering.
    _link = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _align = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    # Lenses (issue 8): per-point attributes as binary, the colouring, epochs, view options.
    _attributes = traitlets.List().tag(sync=True)
    color_by = traitlets.Unicode("label").tag(sync=True)
    _epochs = traitlets.List(traitlets.Unicode()).tag(sync=True)
    epoch = traitlets.Unicode("").tag(sync=True)
    depth = traitlets.Bool(False).tag(sync=True)
    guided = traitlets.Bool(False).tag(sync=True)
    show_fps = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        embedding: Any,
        labels: Any = None,
        *,
        seed: int = 0,
        playing: bool = True,
        speed: float = 1.0,
        height: int = 480,
        selected: Any = None,
        layer: str | None = None,
        projection: Any = None,
        images: Any = None,
        show_images: bool = False,
        images_selected_only: bool = False,
        class_handles: Any = "auto",
        handles: Any = None,
        hidden_classes: Any = None,
        level_of_detail: bool = True,
        data: Any = None,
        color: Any = None,
        color_by: str | None = None,
        epoch: str | int | None = None,
        depth: bool = False,
        guided: bool = False,
        show_fps: bool = False,
        **kwargs: Any,
    ) -> None:
        # Check everything before the widget (and its comm) exists: a bad argument
        # must leave nothing half-built.
        if v.is_epoch_mapping(embedding):
            stack = v.as_epochs(embedding)
            epoch = next(iter(stack)) if epoch is None else v.epoch_name(epoch)
            if epoch not in stack:
                raise ValueError(f"epoch {epoch!r} is not one of {list(stack)}")
        else:
            if epoch is not None:
                raise ValueError("epoch= needs epochs: pass {epoch: {layer: (n, d) array}}")
            stack = {"": v.as_layers(embedding)}
            epoch = ""
        layers = stack[epoch]
        n = next(iter(layers.values())).shape[0]
        codes, names = v.as_labels(labels, n) if labels is not None else (None, [])
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed must be an int; got {type(seed).__name__}")
        if not isinstance(playing, (bool, np.bool_)):
            raise TypeError(f"playing must be a bool; got {type(playing).__name__}")
        speed = v.as_speed(speed)
        if isinstance(height, bool) or not isinstance(height, (int, np.integer)) or not 50 <= height <= 5000:
            raise ValueError(f"height must be an int from 50 to 5000 pixels; got {height!r}")
        layer = next(iter(layers)) if layer is None else layer
        if layer not in layers:
            raise ValueError(f"layer {layer!r} is not one of {list(layers)}")
        d = layers[layer].shape[1]
        chosen = v.as_selection(selected, n)
        basis = np.eye(d)[:, :2] if projection is None else v.as_projection(projection, d)
        thumbnails = None if images is None else v.as_images(images, n)
        if show_images and thumbnails is None:
            raise ValueError("show_images=True needs images")
        initial_handles = self._class_handles(class_handles, codes, names) + list(handles or [])
        checked_handles = v.as_handles(initial_handles, n)
        hidden = self._check_hidden(hidden_classes or [], names)
        for option, value in (("depth", depth), ("guided", guided), ("show_fps", show_fps)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{option} must be a bool; got {type(value).__name__}")
        attributes, color_name = v.as_attributes(data, color, n)
        if color_by is not None and color_name is not None and color_by != color_name:
            raise ValueError(f"color={color_name!r} and color_by={color_by!r} disagree; pass one of them")
        color_by = color_by if color_by is not None else color_name or "label"
        self._attribute_names = [a["name"] for a in attributes]
        self._partner: Tour | None = None  # the compared tour, set by grandtour.compare
        v.check_color_by(color_by, self._colorings(len(layers), compared=False))

        self._n = n
        # epoch ("" without epochs) → layer → normalised float32 points, as the front end has them.
        self._stack: dict[str, dict[str, np.ndarray]] = {}
        self._normalisation: dict[tuple[str, str], tuple[np.ndarray, float]] = {}
        wire_layers = []
        for epoch_key, epoch_layers in stack.items():
            self._stack[epoch_key] = {}
            for name, matrix in epoch_layers.items():
                points, center, scale = v.normalise(matrix)
                self._stack[epoch_key][name] = points
                self._normalisation[(epoch_key, name)] = (center, scale)
                entry: dict[str, Any] = {"name": name, "points": wire_array(points)}
                if epoch_key:
                    entry["epoch"] = epoch_key
                wire_layers.append(entry)
        wire_attributes = [{**a, "values": wire_array(a["values"])} for a in attributes]

        super().__init__(
            _uid=uuid.uuid4().hex,
            _layers=wire_layers,
            _labels=None if codes is None else wire_array(codes),
            _label_names=names,
            layer=layer,
            selected=chosen,
            playing=bool(playing),
            speed=speed,
            projection=basis,
            seed=int(seed),
            height=int(height),
            _handles=checked_handles,
            _images=None if thumbnails is None else wire_array(thumbnails),
            show_images=bool(show_images),
            images_selected_only=bool(images_selected_only),
            hidden_classes=hidden,
            level_of_detail=bool(level_of_detail),
            _attributes=wire_attributes,
            color_by=color_by,
            _epochs=[e for e in stack if e],
            epoch=epoch,
            depth=bool(depth),
            guided=bool(guided),
            show_fps=bool(show_fps),
            **kwargs,
        )

    # -- checks on assignment: a rejected value leaves the trait as it was ----------

    @traitlets.validate("selected")
    def _check_selected(self, proposal: dict[str, Any]) -> np.ndarray:
        return v.as_selection(proposal["value"], self._n)

    @traitlets.validate("speed")
    def _check_speed(self, proposal: dict[str, Any]) -> float:
        return v.as_speed(proposal["value"])

    @traitlets.validate("projection")
    def _check_projection(self, proposal: dict[str, Any]) -> np.ndarray:
        return v.as_projection(proposal["value"], self._points[self.layer].shape[1])

    @traitlets.validate("layer")
    def _check_layer(self, proposal: dict[str, Any]) -> str:
        name = proposal["value"]
        if name not in self._points:
            raise ValueError(f"layer {name!r} is not one of {list(self._points)}")
        return str(name)

    @traitlets.validate("epoch")
    def _check_epoch(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        if not self._epochs:
            if value != "":
                raise ValueError(f"epoch {value!r}: this tour has no epochs")
            return ""
        name = v.epoch_name(value) if not isinstance(value, str) else value
        if name not in self._stack:
            raise ValueError(f"epoch {name!r} is not one of {list(self._epochs)}")
        return name

    @traitlets.validate("color_by")
    def _check_color_by(self, proposal: dict[str, Any]) -> str:
        return v.check_color_by(proposal["value"], self.colorings)

    @traitlets.observe("_align")
    def _on_align(self, change: dict[str, Any]) -> None:
        # Leaving a comparison takes "difference" away.
        if self.color_by == "difference" and "difference" not in self.colorings:
            self.color_by = "label"

    def _colorings(self, layer_count: int, compared: bool) -> list[str]:
        allowed = ["label", *self._attribute_names]
        if layer_count >= 2:
            allowed.append("movement")
        if compared:
            allowed.append("difference")
        return allowed

    @property
    def colorings(self) -> list[str]:
        """The values :attr:`color_by` accepts now."""
        compared = self._align is not None or self._partner is not None
        return self._colorings(len(self.layers), compared)

    @traitlets.validate("height")
    def _check_height(self, proposal: dict[str, Any]) -> int:
        height = proposal["value"]
        if not 50 <= height <= 5000:
            raise ValueError(f"height must be from 50 to 5000 pixels; got {height}")
        return int(height)

    @traitlets.validate("_handles")
    def _check_handles(self, proposal: dict[str, Any]) -> list[dict[str, Any]]:
        return v.as_handles(proposal["value"], self._n)

    @traitlets.validate("hidden_classes")
    def _check_hidden_classes(self, proposal: dict[str, Any]) -> list[str]:
        return self._check_hidden(proposal["value"], self._label_names)

    @traitlets.validate("show_images")
    def _check_show_images(self, proposal: dict[str, Any]) -> bool:
        if proposal["value"] and self._images is None:
            raise ValueError("show_images=True needs images: pass images= to Tour")
        return bool(proposal["value"])

    @staticmethod
    def _check_hidden(value: Any, names: list[str]) -> list[str]:
        if isinstance(value, str):
            raise TypeError("hidden_classes must be a list of class names, not one string")
        unknown = [str(x) for x in value if str(x) not in names]
        if unknown:
            raise ValueError(f"hidden_classes has unknown classes {unknown}; the classes are {names[:20]}")
        return [str(x) for x in value]

    @staticmethod
    def _class_handles(option: Any, codes: np.ndarray | None, names: list[str]) -> list[dict[str, Any]]:
        if codes is None or option is False or option is None:
            return []
        if option == "auto":
            chosen = names if len(names) <= 6 else []
        elif option is True:
            chosen = names
        elif isinstance(option, (list, tuple)):
            unknown = [str(x) for x in option if str(x) not in names]
            if unknown:
                raise ValueError(f"class_handles names unknown classes {unknown}")
            chosen = [str(x) for x in option]
        else:
            raise TypeError(f"class_handles must be 'auto', a bool or a list of class names; got {option!r}")
        return [{"name": name, "indices": np.flatnonzero(codes == names.index(name))} for name in chosen]

    # -- handles ----------------------------------------------------------------------

    @property
    def handles(self) -> list[dict[str, Any]]:
        """Handles as ``{"name", "indices", "position"}``; position in view units."""
        points = self.points().astype(np.float64)
        out = []
        for handle in self._handles:
            centroid = points[handle["indices"]].mean(axis=0)
            x, y = centroid @ self.projection
            out.append({"name": handle["name"], "indices": handle["indices"], "position": (float(x), float(y))})
        return out

    @handles.setter
    def handles(self, value: Any) -> None:
        self._handles = [{"name": h.get("name"), "indices": h["indices"]} if isinstance(h, dict) else h for h in value]

    def add_handle(self, indices: Any, name: str | None = None) -> str:
        """Add a handle at the centroid of ``indices``; returns its name ("1", "2", … by default)."""
        self._handles = [*self._handles, {"name": name, "indices": indices}]
        return str(self._handles[-1]["name"])

    def remove_handle(self, name: str) -> None:
        """Remove the handle called ``name``."""
        if name not in {h["name"] for h in self._handles}:
            raise ValueError(f"no handle named {name!r}; handles are {[h['name'] for h in self._handles]}")
        self._handles = [h for h in self._handles if h["name"] != name]

    def rename_handle(self, name: str, new_name: str) -> None:
        """Rename a handle."""
        if name not in {h["name"] for h in self._handles}:
            raise ValueError(f"no handle named {name!r}; handles are {[h['name'] for h in self._handles]}")
        self._handles = [{**h, "name": new_name} if h["name"] == name else h for h in self._handles]

    @traitlets.observe("layer", "epoch")
    def _on_layer(self, change: dict[str, Any]) -> None:
        # A layer of another dimension cannot keep the old basis.
        d = self._points[self.layer].shape[1]
        if self.projection.shape[0] != d:
            self.projection = np.eye(d)[:, :2]

    def __repr__(self) -> str:
        d = self._points[self.layer].shape[1]
        classes = f", {len(self._label_names)} classes" if self._label_names else ""
        layers = f", layer {self.layer!r} of {len(self._points)}" if len(self._points) > 1 else ""
        epochs = f", epoch {self.epoch!r} of {len(self._epochs)}" if self._epochs else ""
        return f"Tour({self._n} points × {d} dims{classes}{layers}{epochs}, {len(self.selected)} selected)"

    # -- reading the view -----------------------------------------------------------

    @property
    def _points(self) -> dict[str, np.ndarray]:
        # The current epoch's layers ("" holds them without epochs).
        return self._stack[self.epoch]

    @property
    def layers(self) -> tuple[str, ...]:
        """Names of the layers, in order (the same in every epoch)."""
        return tuple(self._points)

    @property
    def epochs(self) -> tuple[str, ...]:
        """Names of the epochs, in order (empty without epochs)."""
        return tuple(self._epochs)

    @property
    def attributes(self) -> dict[str, dict[str, Any]]:
        """Per-point attributes from ``data``/``color``: name → ``{"kind", "categories", "values"}``.

        ``values`` are what the front end has: codes into ``categories`` (categorical, ordinal)
        or float32 with NaN for missing (continuous, which also has ``"range"``).
        """
        out = {}
        for entry in self._attributes:
            wire = entry["values"]
            values = np.frombuffer(bytes(wire["view"]), dtype=wire["dtype"]).reshape(wire["shape"])
            extra = {"range": tuple(entry["range"])} if "range" in entry else {}
            out[entry["name"]] = {"kind": entry["kind"], "categories": list(entry["categories"]), "values": values, **extra}
        return out

    @property
    def label_names(self) -> list[str]:
        """Class names, indexed by label code (empty without labels)."""
        return list(self._label_names)

    def points(self, layer: str | None = None, epoch: str | int | None = None) -> np.ndarray:
        """The normalised float32 points of a layer (default: the current layer and epoch),
        exactly as the front end has them."""
        layers = self._stack[self._epoch_key(epoch)]
        name = self.layer if layer is None else layer
        if name not in layers:
            raise ValueError(f"layer {name!r} is not one of {list(layers)}")
        return layers[name]

    def _epoch_key(self, epoch: str | int | None) -> str:
        if epoch is None:
            return self.epoch
        name = v.epoch_name(epoch)
        if name not in self._stack:
            raise ValueError(f"epoch {name!r} is not one of {list(self._epochs)}")
        return name

    def project(self, layer: str | None = None) -> np.ndarray:
        """View coordinates ``(n, 2)`` of a layer's points under :attr:`projection`."""
        return self.points(layer).astype(np.float64) @ self.projection

    def movement(self, layer: str | None = None, epoch: str | int | None = None) -> np.ndarray:
        """How far each point moved into ``layer`` from the layer before; see :func:`grandtour.lenses.movement`."""
        from .lenses import movement

        return movement(self, layer=layer, epoch=epoch)

    # -- publishing -----------------------------------------------------------------

    def save_html(self, path: str | os.PathLike[str], title: str | None = None) -> pathlib.Path:
        """Write this tour to one self-contained HTML file that works offline; returns its path.

        The page inlines the front end and the data, so it opens from disk with no server,
        kernel or network, and stays interactive (a lasso there selects within the page).
        ``grandtour.save_html(path, *tours)`` puts several tours on one page.
        """
        from .publish import save_html

        return save_html(path, self, title=title)

    def to_png(
        self,
        path: str | os.PathLike[str] | None = None,
        width: int = 800,
        height: int = 600,
        *,
        zoom: float | str | None = None,
        point_size: float | None = None,
    ) -> bytes:
        """A PNG of the current view (``projection``), for papers and slides; returns its bytes.

        Drawn in Python with numpy like the front end draws: view units map to pixels as
        ``s = 0.47 · min(width, height) · zoom``; dots in the colours of ``color_by``, and with a
        selection the other points faded grey behind it; hidden classes left out. ``zoom``
        defaults to the one that fits every point of this view; ``"widget"`` takes the zoom
        the widget opens at (fitted to the cloud's spread, so rare points may fall outside).
        ``point_size`` is the dot diameter in px (default: as the widget). Written to ``path``
        too when given.
        """
        from .publish import to_png

        return to_png(self, path, width, height, zoom=zoom, point_size=point_size)
