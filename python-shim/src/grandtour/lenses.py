"""Lenses on a tour: how far points move, how two models differ, how similar layers are.

- :func:`movement`: per point, the distance between its normalised positions in a layer and
  in the layer before (what ``color_by="movement"`` shows);
- :func:`difference`: per point, how differently two compared tours place it once the first
  is rotated onto the second (what ``color_by="difference"`` shows);
- :func:`layer_similarity`: a layer-by-layer similarity matrix (linear CKA or the nuclear-norm
  / Procrustes similarity) between two models, or one model and itself;
- :class:`SimilarityMap`: that matrix as a heatmap widget tied to the tours' layer strips.

The front end computes movement and difference itself (from the same definitions, on the
points it holds); these functions give the same numbers in Python, for analysis and tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import anywidget
import numpy as np
import traitlets

from . import _validate as v
from ._wire import wire_array
from .tour import Tour

Method = Literal["cka", "nuclear"]
METHODS: tuple[str, ...] = ("cka", "nuclear")

#: Above this many points the Procrustes rotation of :func:`difference` is fitted on an evenly
#: strided sample, exactly as the front end does (``PROCRUSTES_SAMPLE`` in src/core/movement.ts).
PROCRUSTES_SAMPLE = 20_000


# --------------------------------------------------------------------------------------------
# movement and difference
# --------------------------------------------------------------------------------------------


def _padded(a: np.ndarray, d: int) -> np.ndarray:
    """Zero-pad columns to ``d``: a narrower layer has no extent along the extra directions."""
    out = np.zeros((a.shape[0], d), dtype=np.float64)
    out[:, : a.shape[1]] = a
    return out


def movement(tour: Tour, layer: str | None = None, epoch: str | int | None = None) -> np.ndarray:
    """How far each point moved into ``layer`` from the layer before it.

    ``movement_i = ‖x_i^(ℓ) − x_i^(ℓ−1)‖₂`` over the normalised points the front end holds
    (:meth:`Tour.points`: each layer centred and scaled to a largest row norm of 1), the
    narrower layer zero-padded to the wider one's ``d``. The first layer has nothing before it:
    zeros. Layers are taken from the same epoch. No rotation is fitted: layers from
    :func:`grandtour.embed_layers` are already aligned, and what the animation shows between
    two layers is exactly this displacement.

    Parameters
    ----------
    tour : Tour
    layer : str, optional
        Default: the tour's current layer.
    epoch : str or int, optional
        Default: the tour's current epoch.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        Each value lies in [0, 2] (both points lie in the unit ball).
    """
    if not isinstance(tour, Tour):
        raise TypeError(f"movement takes a Tour; got {type(tour).__name__}")
    names = list(tour.layers)
    name = tour.layer if layer is None else layer
    if name not in names:
        raise ValueError(f"layer {name!r} is not one of {names}")
    index = names.index(name)
    if index == 0:
        return np.zeros(tour._n)
    current = tour.points(name, epoch).astype(np.float64)
    previous = tour.points(names[index - 1], epoch).astype(np.float64)
    d = max(current.shape[1], previous.shape[1])
    return np.linalg.norm(_padded(current, d) - _padded(previous, d), axis=1)


def _rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Proper rotation (det +1) of centred ``source`` onto centred ``target`` (Kabsch).

    The same solution as src/core/procrustes.ts: a mirror image must never win, since the
    views only ever rotate.
    """
    a = source - source.mean(axis=0)
    b = target - target.mean(axis=0)
    u, _, vt = np.linalg.svd(a.T @ b)
    if np.linalg.det(u @ vt) < 0:
        u[:, -1] = -u[:, -1]
    return u @ vt


def difference(left: Any, right: Tour | None = None) -> np.ndarray:
    """How differently two models place each point: ``‖a_i R − b_i‖₂``.

    ``a`` and ``b`` are the normalised points of the two tours' current layers (zero-padded to
    the larger ``d``); ``R`` is the orthogonal Procrustes rotation of ``a`` onto ``b`` (det +1),
    fitted on every point, or on an evenly strided sample of at most 20,000 points for larger
    clouds, as the front end does. A rotated copy gives zeros.

    Parameters
    ----------
    left : Tour or Comparison
        The first tour, or a :class:`~grandtour.Comparison` (then ``right`` is omitted).
    right : Tour, optional
        The second tour, with the same points in the same order.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
    """
    if right is None and hasattr(left, "left") and hasattr(left, "right"):
        left, right = left.left, left.right
    for name, tour in (("left", left), ("right", right)):
        if not isinstance(tour, Tour):
            raise TypeError(f"difference takes two Tours (or a Comparison); {name} is a {type(tour).__name__}")
    assert isinstance(left, Tour) and isinstance(right, Tour)
    if left._n != right._n:
        raise ValueError(f"difference needs the same points in both tours; got {left._n} and {right._n}")
    a = left.points().astype(np.float64)
    b = right.points().astype(np.float64)
    d = max(a.shape[1], b.shape[1])
    a, b = _padded(a, d), _padded(b, d)
    stride = max(1, -(-len(a) // PROCRUSTES_SAMPLE))
    rotation = _rotation(a[::stride], b[::stride])
    return np.linalg.norm(a @ rotation - b, axis=1)


# --------------------------------------------------------------------------------------------
# layer similarity
# --------------------------------------------------------------------------------------------


def _layers_of(source: Any, name: str) -> tuple[dict[str, np.ndarray], str | None]:
    """A Tour (its current epoch's layers), a mapping name → array, or a list → layers and uid."""
    if isinstance(source, Tour):
        return {layer: source.points(layer).astype(np.float64) for layer in source.layers}, source._uid
    if isinstance(source, Mapping):
        if not source:
            raise ValueError(f"{name} is an empty mapping; pass at least one layer")
        items = list(source.items())
    elif isinstance(source, Sequence) and not isinstance(source, (str, bytes)) and source:
        items = [(f"layer {i}", item) for i, item in enumerate(source)]
    else:
        raise TypeError(
            f"{name} must be a Tour, a mapping {{layer name: activations}} or a list of arrays; "
            f"got {type(source).__name__}"
        )
    layers: dict[str, np.ndarray] = {}
    for key, value in items:
        if not isinstance(key, str):
            raise TypeError(f"{name} layer names must be strings; got {key!r}")
        array = v.to_numpy(value, f"{name}[{key!r}]")
        if array.ndim == 1 or array.ndim == 0:
            raise ValueError(f"{name}[{key!r}] must have one row per point; got shape {array.shape}")
        # Conv maps and other >2-D activations: one row per point, every value a feature.
        matrix = array.reshape(array.shape[0], -1)
        if matrix.shape[1] < 1:
            raise ValueError(f"{name}[{key!r}] has no features (shape {array.shape})")
        if matrix.dtype == object or not (np.issubdtype(matrix.dtype, np.number) or matrix.dtype == np.bool_):
            raise TypeError(f"{name}[{key!r}] has dtype {matrix.dtype}; expected real numbers")
        if np.iscomplexobj(matrix):
            raise TypeError(f"{name}[{key!r}] is complex; expected real numbers")
        matrix = matrix.astype(np.float64)
        if not np.isfinite(matrix).all():
            raise ValueError(f"{name}[{key!r}] has {int((~np.isfinite(matrix)).sum())} non-finite values")
        layers[key] = matrix
    return layers, None


class _Prepared:
    """A centred layer, reduced to at most ``n`` columns, with its self-similarity terms.

    Both measures depend on a centred ``X`` only through ``X Xᵀ``, so ``X`` may be replaced by
    any ``X Q`` with ``Q`` orthonormal columns spanning its row space. For layers wider than
    they are tall (``d > n``) the QR factor ``Rᵀ`` of ``Xᵀ = Q R`` is such a replacement with
    ``n`` columns, so every product below costs at most ``n · min(n, d)²``.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        centred = matrix - matrix.mean(axis=0)
        if centred.shape[1] > centred.shape[0]:
            centred = np.linalg.qr(centred.T, mode="r").T
        self.x = centred
        gram = centred.T @ centred
        self.gram_norm = float(np.linalg.norm(gram))  # ‖XᵀX‖_F
        self.frobenius_sq = float(np.trace(gram))  # ‖X‖²_F = ‖XᵀX‖_*


def _cka(a: _Prepared, b: _Prepared) -> float:
    denominator = a.gram_norm * b.gram_norm
    if denominator <= 0.0:
        return float("nan")
    return float(np.linalg.norm(b.x.T @ a.x) ** 2 / denominator)


def _nuclear(a: _Prepared, b: _Prepared) -> float:
    denominator = np.sqrt(a.frobenius_sq * b.frobenius_sq)
    if denominator <= 0.0:
        return float("nan")
    return float(np.linalg.svd(a.x.T @ b.x, compute_uv=False).sum() / denominator)


def layer_similarity(
    layers_a: Any,
    layers_b: Any = None,
    method: Method = "cka",
    *,
    max_points: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Layer-by-layer similarity of two models (or of one model with itself).

    With ``X`` (``n × p``) and ``Y`` (``n × q``) the two layers' values for the same ``n``
    inputs, column-centred:

    - ``"cka"``, linear centred kernel alignment (Kornblith et al., 2019)::

          CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F)

    - ``"nuclear"``, the nuclear-norm similarity (as in the UMAP Tour; it is one minus half
      the squared orthogonal-Procrustes distance between ``X/‖X‖_F`` and ``Y/‖Y‖_F``)::

          S(X, Y) = ‖XᵀY‖_* / (‖X‖_F · ‖Y‖_F) = ‖XᵀY‖_* / sqrt(‖XᵀX‖_* · ‖YᵀY‖_*)

      with ``‖·‖_*`` the sum of singular values.

    Both lie in [0, 1], are 1 for identical layers and for rotated or reflected (orthogonal)
    copies, and do not change under a uniform scaling; layers of different widths compare
    directly. NaN where a layer has no variance (every point the same).

    Parameters
    ----------
    layers_a : Tour, mapping of str to array-like, or list of array-like
        The rows: a Tour (the layers of its current epoch, normalised points as sent), or
        activations / embeddings with one row per point (``(n, c, h, w)`` maps are flattened).
    layers_b : same as ``layers_a``, optional
        The columns (default: ``layers_a`` itself). Same ``n``, rows matched by index.
    method : {"cka", "nuclear"}
    max_points : int, optional
        Use an evenly spread random sample of this many points (seeded by ``seed``) when there
        are more: an estimate that makes very wide layers over many points affordable.

    Returns
    -------
    numpy.ndarray of float64, shape (len(layers_a), len(layers_b))
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}; got {method!r}")
    rows, _ = _layers_of(layers_a, "layers_a")
    cols, _ = (rows, None) if layers_b is None else _layers_of(layers_b, "layers_b")
    sizes = {f"layers_a[{k!r}]": m.shape[0] for k, m in rows.items()}
    sizes.update({f"layers_b[{k!r}]": m.shape[0] for k, m in cols.items()})
    if len(set(sizes.values())) > 1:
        raise ValueError(f"every layer needs the same points (rows); got {sizes}")
    n = next(iter(sizes.values()))
    pick: np.ndarray | slice = slice(None)
    if max_points is not None:
        if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 2:
            raise ValueError(f"max_points must be an int >= 2; got {max_points!r}")
        if n > max_points:
            pick = np.sort(np.random.default_rng(seed).choice(n, size=int(max_points), replace=False))
    prepared_rows = {k: _Prepared(m[pick]) for k, m in rows.items()}
    prepared_cols = prepared_rows if layers_b is None else {k: _Prepared(m[pick]) for k, m in cols.items()}
    measure = _cka if method == "cka" else _nuclear
    matrix = np.array([[measure(a, b) for b in prepared_cols.values()] for a in prepared_rows.values()])
    # Rounding can carry a perfect match a hair past 1.
    return np.where(np.isnan(matrix), np.nan, np.clip(matrix, 0.0, 1.0))


# --------------------------------------------------------------------------------------------
# the map widget
# --------------------------------------------------------------------------------------------


class SimilarityMap(anywidget.AnyWidget):
    """A heatmap of layer-to-layer similarity between two tours (or a tour and itself).

    Rows are the first model's layers, columns the second's. Hovering a cell marks the two
    layers in both tours' layer strips; clicking sets both tours' layers (in the browser, so it
    works in published pages too; ``layer`` reaches the kernel through each tour). Build it with
    :func:`similarity_map`, or ``grandtour.compare(..., similarity="cka")``.

    Attributes
    ----------
    matrix : numpy.ndarray of float64, shape (rows, cols)
        The similarities shown (NaN for a layer without variance).
    method : {"cka", "nuclear"}
        Assigning recomputes the matrix (when the map was built from tours or activations).
    title : str
        Shown above the map, as text.
    """

    _esm = Tour._esm
    # The front end's render dispatches on this: the same bundle draws tours and maps.
    _kind = traitlets.Unicode("similarity").tag(sync=True)
    _matrix = traitlets.Dict().tag(sync=True)
    row_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    col_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    # [uid of the row tour, uid of the column tour]; [] when built from plain arrays.
    _tours = traitlets.List(traitlets.Unicode()).tag(sync=True)
    method = traitlets.Unicode("cka").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        rows: Mapping[str, np.ndarray],
        cols: Mapping[str, np.ndarray] | None,
        *,
        method: Method = "cka",
        tours: Sequence[Tour] = (),
        title: str | None = None,
        follow_epochs: bool = False,
        **kwargs: Any,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}; got {method!r}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string; got {type(title).__name__}")
        self._rows = dict(rows)
        self._cols = None if cols is None else dict(cols)
        self._source_tours = tuple(tours)
        matrix = layer_similarity(self._rows, self._cols, method)
        row_names = list(self._rows)
        col_names = list(self._cols if self._cols is not None else self._rows)
        default_title = f"layer similarity ({'linear CKA' if method == 'cka' else 'nuclear norm'})"
        super().__init__(
            _matrix=wire_array(matrix.astype(np.float32)),
            row_names=row_names,
            col_names=col_names,
            _tours=[t._uid for t in self._source_tours],
            method=method,
            title=default_title if title is None else title,
            **kwargs,
        )
        self._matrix_values = matrix
        self._following: tuple[Tour, ...] = tuple(dict.fromkeys(self._source_tours)) if follow_epochs else ()
        # Built from the tours' own points: a new epoch means new layers to compare.
        for tour in self._following:
            tour.observe(self._on_epoch, names="epoch")

    def close(self) -> None:
        """Close the map; its tours stop updating it."""
        for tour in self._following:
            tour.unobserve(self._on_epoch, names="epoch")
        self._following = ()
        super().close()

    @property
    def matrix(self) -> np.ndarray:
        """The similarity matrix, float64, shape ``(len(row_names), len(col_names))``."""
        return self._matrix_values

    @traitlets.validate("method")
    def _check_method(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}; got {proposal['value']!r}")
        return str(proposal["value"])

    @traitlets.observe("method")
    def _on_method(self, change: dict[str, Any]) -> None:
        self._recompute()

    def _on_epoch(self, change: dict[str, Any]) -> None:
        row_tour, col_tour = self._source_tours[0], self._source_tours[-1]
        self._rows, _ = _layers_of(row_tour, "a")
        self._cols = None if row_tour is col_tour else _layers_of(col_tour, "b")[0]
        self._recompute()

    def _recompute(self) -> None:
        matrix = layer_similarity(self._rows, self._cols, self.method)  # type: ignore[arg-type]
        self._matrix_values = matrix
        self._matrix = wire_array(matrix.astype(np.float32))

    def __repr__(self) -> str:
        return f"SimilarityMap({len(self.row_names)} × {len(self.col_names)} layers, {self.method})"


def similarity_map(
    a: Any,
    b: Any = None,
    method: Method = "cka",
    activations: Any = None,
    *,
    title: str | None = None,
) -> SimilarityMap:
    """A layer-similarity heatmap for two models (or one against itself), tied to their tours.

    Parameters
    ----------
    a : Tour, or mapping of layer name to array-like
        The rows' model. A Tour's layers (current epoch) are compared through the normalised
        embeddings it holds, unless ``activations`` is given; the map then follows the tour's
        epoch.
    b : Tour or mapping, optional
        The columns' model (default: ``a`` against itself).
    method : {"cka", "nuclear"}
        See :func:`layer_similarity` for the formulas.
    activations : mapping, or pair of mappings, optional
        Compute the similarity from these instead (e.g. ``grandtour.activations(net, X)``):
        one mapping for ``a`` alone, or ``(acts_a, acts_b)``. With tours, every key must be
        one of the tour's layer names, so that a click can set that layer.
    title : str, optional
        Shown above the map (as text). Default: the method's name.

    Returns
    -------
    SimilarityMap
    """
    tours = [t for t in (a, b if b is not None else a) if isinstance(t, Tour)]
    if tours and len(tours) != 2:
        raise TypeError("similarity_map takes two Tours or two mappings, not a mix")
    if b is not None and isinstance(a, Tour) and a._n != b._n:
        raise ValueError(f"similarity_map needs the same points in both tours; got {a._n} and {b._n}")
    if activations is None:
        rows, _ = _layers_of(a, "a")
        cols = None if b is None or b is a else _layers_of(b, "b")[0]
    else:
        if isinstance(activations, Mapping):
            if b is not None and b is not a:
                raise ValueError("with two models, pass activations=(activations_a, activations_b)")
            pair: tuple[Any, Any] = (activations, None)
        elif isinstance(activations, (tuple, list)) and len(activations) == 2:
            pair = (activations[0], activations[1])
        else:
            raise TypeError("activations must be a mapping {layer: array} or a pair of them")
        rows, _ = _layers_of(pair[0], "activations[0]")
        cols = None if pair[1] is None else _layers_of(pair[1], "activations[1]")[0]
        for index, (names, tour) in enumerate(((rows, tours[0] if tours else None), (cols, tours[-1] if tours else None))):
            if names is None or tour is None:
                continue
            unknown = [k for k in names if k not in tour.layers]
            if unknown:
                raise ValueError(
                    f"activations[{index}] has layers {unknown} that the tour does not have; its layers are {list(tour.layers)}"
                )
    return SimilarityMap(
        rows, cols, method=method, tours=tours, title=title, follow_epochs=bool(tours) and activations is None
    )
