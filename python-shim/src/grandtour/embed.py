"""Embed every layer of a network with UMAP so that consecutive layers keep their orientation.

A Grand Tour animates between layers, so layer *i*'s embedding must sit in layer *i − 1*'s
frame: a cluster that does not change between layers should not jump. Independent UMAP runs
give each layer an arbitrary orientation (and a centred Procrustes rotation only recovers part
of it). This module chains the layers instead: layer *i*'s optimisation starts from layer
*i − 1*'s result, runs a short, gentle schedule, and is then rotated onto layer *i − 1*.

The chain relies on one detail of umap-learn. ``umap.UMAP(init=array)`` min-max normalises the
array per axis to [0, 10] before optimising. That is a per-axis stretch, not a rotation, so no
Procrustes rotation can undo it, and the full default schedule that follows moves points far
from where they started. The default reducer here therefore drives umap-learn's own graph
construction and optimiser directly and starts from the previous layer exactly as it is: it is
already a UMAP layout, so it is already at the scale the optimiser expects.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Protocol, Union

import numpy as np

from ._validate import to_numpy

#: Most values per point a conv map keeps after pooling (the UMAP Tour pipeline's budget).
MAX_CONV_VALUES = 51_200
#: Widest pooled conv map (pixels per side), also from that pipeline.
MAX_POOL_WIDTH = 16

#: Bumped whenever the algorithm changes, so disk entries written by older code are never reused.
_CACHE_VERSION = 1
#: Points sampled to judge a warm start (neighbour overlap is computed among them, exactly).
_QUALITY_SAMPLE = 1000
#: How many results the in-memory cache keeps (each is n × n_components × layers float32).
_MEMORY_CACHE_SIZE = 16

Init = Union[str, np.ndarray]


class Reducer(Protocol):
    """What ``embed_layers`` calls to embed one layer.

    ``init`` is ``"spectral"`` or ``"pca"`` for a cold start, or an ``(n, n_components)``
    float32 layout to start from *as given* (no rescaling). ``n_epochs`` is the length of the
    schedule (``embed_layers`` always passes a number; :class:`UMAPReducer` also takes ``None``
    for umap-learn's default). The result must be an ``(n, n_components)`` array.
    """

    def __call__(
        self, data: np.ndarray, n_components: int, init: Init, n_epochs: int | None, random_state: int
    ) -> np.ndarray: ...


# --------------------------------------------------------------------------------------------
# Procrustes
# --------------------------------------------------------------------------------------------


def procrustes(source: Any, target: Any) -> tuple[np.ndarray, float]:
    """Best rotation of centred ``source`` onto centred ``target`` (orthogonal Procrustes).

    Solves ``min ‖(S − s̄) Q − (T − t̄)‖_F`` over rotations ``Q`` (``QᵀQ = I``, ``det Q = +1``) in
    closed form from the SVD ``(S − s̄)ᵀ (T − t̄) = U Σ Vᵀ``. When the best orthogonal map is a
    reflection, the direction with the smallest singular value is flipped (Kabsch), which gives
    the best *rotation*: a Grand Tour only rotates, so a mirrored layer would make the animation
    between layers turn the cloud inside out.

    Parameters
    ----------
    source, target : array-like, shape (n, d)
        Two finite point clouds with the same rows in the same order.

    Returns
    -------
    rotation : ndarray, shape (d, d)
        Apply as ``(source - source.mean(0)) @ rotation + target.mean(0)``.
    residual : float
        ``‖(S − s̄) Q − (T − t̄)‖_F / ‖T − t̄‖_F``: 0 for a perfect fit, about 1.4 for unrelated
        clouds of the same spread. ``inf`` if ``target`` has no spread but ``source`` does.
    """
    src = _finite_matrix(source, "source")
    tgt = _finite_matrix(target, "target")
    if src.shape != tgt.shape:
        raise ValueError(f"source and target must have the same shape; got {src.shape} and {tgt.shape}")
    src_c = src - src.mean(axis=0)
    tgt_c = tgt - tgt.mean(axis=0)
    u, _, vt = np.linalg.svd(src_c.T @ tgt_c)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        u[:, -1] = -u[:, -1]
    rotation = u @ vt
    error = float(np.linalg.norm(src_c @ rotation - tgt_c))
    scale = float(np.linalg.norm(tgt_c))
    if scale == 0.0:
        return rotation, 0.0 if error == 0.0 else math.inf
    return rotation, error / scale


def _finite_matrix(value: Any, name: str) -> np.ndarray:
    array = to_numpy(value, name)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n points, d dimensions); got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.number) and not np.issubdtype(array.dtype, np.complexfloating)):
        raise TypeError(f"{name} has dtype {array.dtype}; expected real numbers")
    matrix = array.astype(np.float64)
    if not np.isfinite(matrix).all():
        raise ValueError(f"{name} has {int((~np.isfinite(matrix)).sum())} non-finite values (NaN or inf)")
    return matrix


# --------------------------------------------------------------------------------------------
# Conv-map pooling
# --------------------------------------------------------------------------------------------


def pool_conv(maps: Any, max_values: int = MAX_CONV_VALUES, max_width: int = MAX_POOL_WIDTH) -> np.ndarray:
    """Adaptive average pooling of ``(n, c, h, w)`` maps that hold more than ``max_values`` per point.

    The output side is ``min(⌊√(max_values / c)⌋, max_width)`` (never below 1, never above the
    input's own height or width), which is how the UMAP Tour pipeline kept conv layers
    tractable: UMAP's neighbour search cost grows with the width of each point. Windows follow
    PyTorch's ``adaptive_avg_pool2d`` (cell ``i`` averages rows ``⌊i·h/out⌋ … ⌈(i+1)·h/out⌉ − 1``),
    so pooled maps match what a torch pipeline would produce. Maps within budget are returned
    unchanged.

    Parameters
    ----------
    maps : array-like, shape (n, c, h, w)
    max_values : int
        Budget of values per point (default 51,200).
    max_width : int
        Largest pooled side (default 16).

    Returns
    -------
    ndarray, shape (n, c, out_h, out_w)
        Floating point (integer input becomes float64).
    """
    array = to_numpy(maps, "maps")
    if array.ndim != 4:
        raise ValueError(f"maps must be 4-D (n, channels, height, width); got shape {array.shape}")
    n, c, h, w = array.shape
    if c * h * w <= max_values:
        return array
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    side = max(1, min(math.isqrt(max_values // max(c, 1)), max_width))
    out_h, out_w = min(h, side), min(w, side)
    # Separable: pool rows, then columns. Windows can overlap when the side does not divide
    # evenly, so reshape-and-mean would be wrong; at most 16 windows per axis makes a loop cheap.
    rows = np.stack([array[:, :, a:b, :].mean(axis=2) for a, b in _windows(h, out_h)], axis=2)
    return np.stack([rows[:, :, :, a:b].mean(axis=3) for a, b in _windows(w, out_w)], axis=3)


def _windows(size: int, out: int) -> list[tuple[int, int]]:
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


# --------------------------------------------------------------------------------------------
# The default reducer: umap-learn's pieces, warm-startable
# --------------------------------------------------------------------------------------------


class UMAPReducer:
    """UMAP built from umap-learn's own parts, so a layout can be continued rather than restarted.

    Cold starts (``init`` a string) do what ``umap.UMAP(init=init, random_state=seed)`` does:
    neighbour graph, spectral or PCA layout scaled into [0, 10], then the full schedule (500
    epochs up to 10,000 points, 200 beyond) at learning rate ``learning_rate``.

    Warm starts (``init`` an array) skip umap-learn's per-axis [0, 10] normalisation and start
    from ``init`` exactly, with ``n_epochs`` epochs at ``warm_learning_rate``. That is what keeps
    a chain of layers in one orientation.

    Everything runs single-threaded in numba (as umap-learn does when seeded) so the result is
    identical for identical input and seed.

    Parameters
    ----------
    n_neighbors : int
        Size of the local neighbourhood (UMAP's ``n_neighbors``).
    min_dist : float
        UMAP's ``min_dist``.
    learning_rate : float
        Initial SGD step for cold starts (umap-learn's default, 1.0).
    warm_learning_rate : float
        Initial SGD step for warm starts.
    negative_sample_rate : int
        Negative samples per positive edge sample (umap-learn's default, 5).
    """

    def __init__(
        self,
        n_neighbors: int = 15,
        min_dist: float = 0.1,
        *,
        learning_rate: float = 1.0,
        warm_learning_rate: float = 0.25,
        negative_sample_rate: int = 5,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.learning_rate = learning_rate
        self.warm_learning_rate = warm_learning_rate
        self.negative_sample_rate = negative_sample_rate

    @property
    def cache_key(self) -> str:
        """Identifies every setting that changes the output, including umap-learn's version."""
        from importlib.metadata import version  # not ``import umap``: that takes seconds, and a cache hit should not

        return (
            f"UMAPReducer umap-learn={version('umap-learn')} n_neighbors={self.n_neighbors} "
            f"min_dist={self.min_dist!r} learning_rate={self.learning_rate!r} "
            f"warm_learning_rate={self.warm_learning_rate!r} negative_sample_rate={self.negative_sample_rate}"
        )

    def __call__(
        self, data: np.ndarray, n_components: int, init: Init, n_epochs: int | None, random_state: int
    ) -> np.ndarray:
        from umap.layouts import optimize_layout_euclidean
        from umap.umap_ import find_ab_params, make_epochs_per_sample

        rng = np.random.RandomState(random_state)
        data = np.ascontiguousarray(data, dtype=np.float32)
        graph = self.graph(data, rng)
        n = data.shape[0]
        default_epochs = 500 if n <= 10_000 else 200
        if n_epochs is None:
            n_epochs = default_epochs
        if isinstance(init, str):
            layout = self._cold_layout(data, graph, n_components, init, rng)
            alpha = self.learning_rate
        else:
            layout = np.array(init, dtype=np.float32, order="C")  # a copy: the optimiser works in place
            alpha = self.warm_learning_rate

        # As umap-learn does: edges too weak to be sampled once in n_epochs are dropped.
        graph = graph.tocoo()
        graph.sum_duplicates()
        floor_epochs = n_epochs if n_epochs > 10 else default_epochs
        graph.data[graph.data < graph.data.max() / float(floor_epochs)] = 0.0
        graph.eliminate_zeros()
        a, b = find_ab_params(1.0, self.min_dist)
        rng_state = rng.randint(np.iinfo(np.int32).min + 1, np.iinfo(np.int32).max - 1, 3).astype(np.int64)
        return optimize_layout_euclidean(
            layout,
            layout,
            graph.row,
            graph.col,
            int(n_epochs),
            n,
            make_epochs_per_sample(graph.data, n_epochs),
            a,
            b,
            rng_state,
            1.0,
            alpha,
            float(self.negative_sample_rate),
            parallel=False,
            move_other=True,
        )

    def graph(self, data: np.ndarray, rng: np.random.RandomState) -> Any:
        """UMAP's fuzzy neighbour graph (sparse ``(n, n)``) of float32 ``data``."""
        from umap.umap_ import fuzzy_simplicial_set, nearest_neighbors

        k = min(self.n_neighbors, data.shape[0] - 1)
        if data.shape[0] < 4096:
            # umap-learn's own cut-off: below it, exact neighbours are cheaper than NN-descent.
            indices, distances = _exact_neighbors(data, k)
        else:
            indices, distances, _ = nearest_neighbors(
                data, k, "euclidean", {}, False, rng, low_memory=True, use_pynndescent=True, n_jobs=1
            )
        graph, _, _ = fuzzy_simplicial_set(data, k, rng, "euclidean", {}, indices, distances)
        return graph

    @staticmethod
    def _cold_layout(
        data: np.ndarray, graph: Any, n_components: int, init: str, rng: np.random.RandomState
    ) -> np.ndarray:
        if init == "spectral":
            from umap.spectral import spectral_layout

            layout = spectral_layout(data, graph, n_components, rng)
        elif init == "pca":
            # scikit-learn (a dependency of umap-learn) picks a randomised solver for wide
            # layers, where an exact SVD of a pooled conv layer would take minutes.
            from sklearn.decomposition import PCA

            layout = PCA(n_components=n_components, random_state=rng).fit_transform(data)
        else:
            raise ValueError(f"init must be 'spectral' or 'pca'; got {init!r}")
        # umap-learn's noisy_scale_coords followed by its per-axis min-max to [0, 10].
        layout = layout * (10.0 / np.abs(layout).max())
        layout = layout + rng.normal(scale=0.0001, size=layout.shape)
        low, high = layout.min(axis=0), layout.max(axis=0)
        return (10.0 * (layout - low) / np.where(high > low, high - low, 1.0)).astype(np.float32, order="C")


def _exact_neighbors(data: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's ``k`` nearest points (itself first) and their distances, by brute force."""
    points = data.astype(np.float64)
    n = points.shape[0]
    squared = np.einsum("ij,ij->i", points, points)
    indices = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, 1024):
        stop = min(start + 1024, n)
        block = squared[start:stop, None] + squared[None, :] - 2.0 * points[start:stop] @ points.T
        # Put each point first among its own neighbours even when it has exact duplicates.
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(block, nearest, axis=1), axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(nearest, order, axis=1)
    # Recompute the kept distances directly: the Gram-matrix shortcut loses digits for close pairs.
    distances = np.sqrt(((points[indices] - points[:, None, :]) ** 2).sum(axis=2))
    return indices.astype(np.int32), distances.astype(np.float32)


# --------------------------------------------------------------------------------------------
# embed_layers
# --------------------------------------------------------------------------------------------

_INITS = ("spectral", "pca")
_memory_cache: OrderedDict[str, tuple[Any, list[str], list[np.ndarray]]] = OrderedDict()


def embed_layers(
    activations: Mapping[str, Any],
    n_components: int = 15,
    *,
    random_state: int = 0,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    reducer: Reducer | Callable[..., Any] | None = None,
    cache: bool = True,
    progress: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    init: str = "spectral",
    n_epochs: int = 200,
    warm_epochs: int = 30,
    warm_learning_rate: float = 0.1,
    restart_below: float = 2 / 3,
) -> dict[str, np.ndarray]:
    """UMAP every layer into ``n_components`` dimensions, each layer aligned with the one before.

    Layer 0 is an ordinary UMAP with a deterministic ``init``. Every later layer starts its
    optimisation from the previous layer's result (a warm start: ``warm_epochs`` epochs at
    ``warm_learning_rate`` instead of the full schedule), so structure the two layers share
    stays where it was, and is then rotated onto the previous layer by a centred orthogonal
    Procrustes fit (:func:`procrustes`, a rotation, never a reflection). The result is ready
    for ``Tour(embedding=...)``: the animation between two layers shows what changed, not an
    arbitrary re-orientation.

    Parameters
    ----------
    activations : mapping of str to array-like
        Layer name → activations with one row per point, in network order (numpy, pandas,
        or torch). ``(n, k)`` is used as is; ``(n, c, h, w)`` conv maps with more than 51,200
        values per point are first average-pooled to at most 16 × 16 per channel
        (:func:`pool_conv`); any other shape is flattened to ``(n, k)``. Every layer must have
        the same ``n``.
    n_components : int
        Dimensions of every embedding (at least 2). A layer with only ``k < n_components``
        values per point cannot be embedded in more dimensions than it has: it is embedded in
        ``k`` dimensions and zero-padded to ``n_components``, so all layers share one shape
        (after alignment the padding is rotated too, so the layer lies in a ``k``-dimensional
        subspace rather than in its first ``k`` columns). The layer after such a narrow layer
        has nothing to warm-start its extra dimensions from, so it starts cold (full schedule)
        and is then aligned.
    random_state : int
        Seed. The same activations, parameters and seed always give identical output.
    n_neighbors, min_dist : int, float
        UMAP's neighbourhood size and minimum distance.
    reducer : callable, optional
        ``reducer(data, n_components, init, n_epochs, random_state) -> (n, n_components)``
        replaces UMAP (see :class:`Reducer`); ``init`` is ``"spectral"``/``"pca"`` for a cold
        start or a float32 layout to start from *as given*. Give it a string ``cache_key``
        attribute to let its results be cached on disk; otherwise they are cached in memory
        only, for this very reducer object.
    cache : bool
        Reuse earlier results for the same input: in memory, and as ``.npz`` files on disk.
    progress : bool
        Show a tqdm progress bar that advances once per layer.
    cache_dir : path, optional
        Where the disk cache lives. Default: ``$GRANDTOUR_CACHE`` if set, else
        ``~/.cache/grandtour``.
    init : {"spectral", "pca"}
        Layout layer 0 (and any cold-started layer) starts from.
    n_epochs : int
        Epochs for cold starts (layer 0, and any layer started afresh). umap-learn uses 200
        above 10,000 points and 500 below; on the benchmark's layers 500 raised a cold layer's
        trustworthiness by about 0.003 (0.0003 on the 10-layer mean, since the warm starts
        catch up) for 2.5 times the time, and layer 0 is a third of the whole chain's time.
    warm_epochs : int
        Epochs for warm-started layers. Measured on the benchmark (10 layers × 10,000 points)
        and on scikit-learn's digits: 50 instead of 30 gains 0.001-0.002 mean trustworthiness
        for 50 % more time per layer, and the layers drift a little further apart.
    warm_learning_rate : float
        Initial learning rate for warm-started layers (cold starts use umap-learn's 1.0). Low
        on purpose: a warm start at umap-learn's rate scrambles the layout it was given (on the
        benchmark's layers, rate 1.0 lost 0.01-0.03 mean trustworthiness against 0.1 at
        20-50 epochs).
    restart_below : float
        Safety net for layers too different from their predecessor to be reached by a short
        warm start. After each warm start, the share of a point's 10 nearest neighbours (on a
        fixed sample of up to 1,000 points) that the layout keeps is compared with the same
        share for the previous layer; below ``restart_below`` times that, the layer is
        embedded again from scratch, and the better of the two is kept (either way it is then
        aligned by rotation). 0 disables the check.

    Returns
    -------
    dict of str to ndarray
        Layer name → float32 ``(n, n_components)`` embedding, in the input's order.

    Raises
    ------
    TypeError
        ``activations`` is not a mapping, a name is not a string, an array is not numeric,
        or a parameter has the wrong type.
    ValueError
        No layers, layers with different ``n``, NaN or inf values, too few points for UMAP,
        or a parameter out of range.
    """
    _check_int("n_components", n_components, 2)
    _check_int("random_state", random_state, 0)
    _check_int("n_neighbors", n_neighbors, 2)
    _check_int("warm_epochs", warm_epochs, 1)
    _check_int("n_epochs", n_epochs, 1)
    _check_number("min_dist", min_dist, 0.0, inclusive=True)
    _check_number("warm_learning_rate", warm_learning_rate, 0.0, inclusive=False)
    _check_number("restart_below", restart_below, 0.0, inclusive=True)
    if restart_below > 1:
        raise ValueError(f"restart_below must be between 0 and 1; got {restart_below}")
    if init not in _INITS:
        raise ValueError(f"init must be one of {_INITS}; got {init!r}")
    if reducer is not None and not callable(reducer):
        raise TypeError(f"reducer must be callable (data, n_components, init, n_epochs, random_state); got {type(reducer).__name__}")
    for flag, value in (("cache", cache), ("progress", progress)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{flag} must be True or False; got {type(value).__name__}")

    layers = _as_layers(activations)
    n = next(iter(layers.values())).shape[0]
    smallest = max(n_neighbors, n_components) + 2
    if n < smallest:
        raise ValueError(
            f"activations have n = {n} points; UMAP with n_neighbors = {n_neighbors} and "
            f"n_components = {n_components} needs at least {smallest} (lower n_neighbors or "
            f"n_components, or pass more points)"
        )

    if reducer is None:
        reducer = UMAPReducer(n_neighbors, min_dist, warm_learning_rate=warm_learning_rate)
    params = (
        f"n_components={n_components} random_state={random_state} n_neighbors={n_neighbors} "
        f"min_dist={min_dist!r} init={init} n_epochs={n_epochs} warm_epochs={warm_epochs} "
        f"warm_learning_rate={warm_learning_rate!r} restart_below={restart_below!r} "
        f"pool={MAX_CONV_VALUES}/{MAX_POOL_WIDTH}"
    )
    reducer_key = getattr(reducer, "cache_key", None)
    if not isinstance(reducer_key, str):
        reducer_key = None
    key = _content_hash(layers, params, reducer_key or f"object {id(reducer)}") if cache else ""
    directory = _cache_directory(cache_dir) if cache and reducer_key is not None else None

    if cache:
        hit = _cache_get(key, reducer, reducer_key is None, directory, list(layers), (n, n_components))
        if hit is not None:
            return hit

    result = _embed_chain(
        layers, n_components, random_state, reducer, init, n_epochs, warm_epochs, restart_below, progress
    )
    if cache:
        _cache_put(key, reducer, result, directory)
    return {name: embedding.copy() for name, embedding in result.items()}


def _embed_chain(
    layers: dict[str, np.ndarray],
    n_components: int,
    random_state: int,
    reducer: Callable[..., Any],
    init: str,
    n_epochs: int,
    warm_epochs: int,
    restart_below: float,
    progress: bool,
) -> dict[str, np.ndarray]:
    from tqdm.auto import tqdm

    # Independent, reproducible seeds per layer: layer i's randomness does not depend on how
    # many draws earlier layers happened to make.
    seeds = np.random.SeedSequence(random_state).generate_state(len(layers))
    n = next(iter(layers.values())).shape[0]
    sample = np.sort(np.random.default_rng(random_state).permutation(n)[:_QUALITY_SAMPLE])
    result: dict[str, np.ndarray] = {}
    previous: np.ndarray | None = None
    previous_dims = 0
    previous_quality = 0.0
    with tqdm(total=len(layers), desc="embed_layers", unit="layer", disable=not progress) as bar:
        for (name, raw), seed in zip(layers.items(), seeds):
            bar.set_postfix_str(name, refresh=True)
            data = _flatten(raw)
            n = data.shape[0]
            dims = min(data.shape[1], n_components)
            warm = previous is not None and previous_dims >= dims
            start: Init = _warm_start(previous, dims) if warm else init  # type: ignore[arg-type]
            layout = _check_layout(reducer(data, dims, start, warm_epochs if warm else n_epochs, int(seed)), name, (n, dims))
            if restart_below > 0:
                neighbours = _sample_neighbours(data[sample])
                quality = _overlap(neighbours, _sample_neighbours(layout[sample]))
                if warm and quality < restart_below * previous_quality:
                    cold = _check_layout(reducer(data, dims, init, n_epochs, int(seed)), name, (n, dims))
                    cold_quality = _overlap(neighbours, _sample_neighbours(cold[sample]))
                    if cold_quality > quality:
                        layout, quality = cold, cold_quality
                previous_quality = quality
            embedding = np.zeros((n, n_components))
            embedding[:, :dims] = layout
            if previous is not None:
                rotation, _ = procrustes(embedding, previous)
                embedding = (embedding - embedding.mean(axis=0)) @ rotation + previous.mean(axis=0)
            result[name] = embedding.astype(np.float32)
            previous, previous_dims = embedding, dims
            bar.update(1)
    return result


def _sample_neighbours(points: np.ndarray, k: int = 10) -> np.ndarray:
    """Each sampled point's ``k`` nearest among the sample (exact; the sample is small)."""
    points = points.astype(np.float64)
    squared = np.einsum("ij,ij->i", points, points)
    distances = squared[:, None] + squared[None, :] - 2.0 * points @ points.T
    np.fill_diagonal(distances, np.inf)
    k = min(k, len(points) - 1)
    return np.argpartition(distances, k - 1, axis=1)[:, :k]


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Mean share of row i of ``a`` found in row i of ``b`` (neighbour sets, as index rows)."""
    rows = np.arange(len(a))[:, None]
    membership = np.zeros((len(a), len(a)), dtype=bool)
    membership[rows, b] = True
    return float(membership[rows, a].mean())


def _warm_start(previous: np.ndarray, dims: int) -> np.ndarray:
    """The previous layer's layout in ``dims`` dimensions, at the scale the optimiser left it."""
    if previous.shape[1] == dims:
        return previous.astype(np.float32)
    # A narrower layer: keep the previous layout's ``dims`` widest directions (principal axes).
    centred = previous - previous.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return (centred @ vt[:dims].T).astype(np.float32)


def _check_layout(layout: Any, name: str, shape: tuple[int, int]) -> np.ndarray:
    array = np.asarray(layout, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"reducer returned shape {array.shape} for layer {name!r}; expected {shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"reducer returned {int((~np.isfinite(array)).sum())} non-finite values for layer {name!r}")
    return array


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _as_layers(activations: Any) -> dict[str, np.ndarray]:
    """Ordered name → numpy array, each checked; shapes are left as given (pooled later)."""
    if not isinstance(activations, Mapping):
        hint = "; wrap a list as {f'layer {i}': a for i, a in enumerate(arrays)}" if isinstance(activations, (list, tuple)) else ""
        raise TypeError(f"activations must be a mapping {{layer name: array}}; got {type(activations).__name__}{hint}")
    if not activations:
        raise ValueError("activations is an empty mapping; pass at least one layer")
    layers: dict[str, np.ndarray] = {}
    for name, value in activations.items():
        if not isinstance(name, str):
            raise TypeError(f"activations layer names must be strings; got {name!r} ({type(name).__name__})")
        label = f"activations[{name!r}]"
        array = to_numpy(value, label)
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
            raise TypeError(f"{label} has dtype {array.dtype}; expected real numbers")
        if array.ndim < 2:
            raise ValueError(
                f"{label} must have one row per point, shape (n, k); got shape {array.shape}"
                + ("; use .reshape(-1, 1) for a single unit" if array.ndim == 1 else "")
            )
        if array.shape[0] == 0 or array.size == 0:
            raise ValueError(f"{label} is empty (shape {array.shape})")
        if np.issubdtype(array.dtype, np.floating):
            bad = ~np.isfinite(array)
            if bad.any():
                rows = bad.reshape(bad.shape[0], -1).any(axis=1)
                count = int(bad.sum())
                raise ValueError(
                    f"{label} has {count} non-finite value{'s' if count != 1 else ''} (NaN or inf); "
                    f"the first is in row {int(np.argmax(rows))}"
                )
        layers[name] = array
    sizes = {name: array.shape[0] for name, array in layers.items()}
    if len(set(sizes.values())) > 1:
        listing = ", ".join(f"{name!r}: {size}" for name, size in sizes.items())
        raise ValueError(f"activations layers must all have the same number of points (rows); got {listing}")
    return layers


def _flatten(array: np.ndarray) -> np.ndarray:
    if array.ndim == 4:
        array = pool_conv(array)
    return np.ascontiguousarray(array.reshape(array.shape[0], -1), dtype=np.float32)


def _check_int(name: str, value: Any, low: int) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}; got {value}")


def _check_number(name: str, value: Any, low: float, *, inclusive: bool) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not math.isfinite(value) or value < low or (value == low and not inclusive):
        raise ValueError(f"{name} must be finite and {'>=' if inclusive else '>'} {low}; got {value}")


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def clear_cache() -> None:
    """Forget every in-memory result (the disk cache is left alone; delete its files to clear it)."""
    _memory_cache.clear()


def _content_hash(layers: dict[str, np.ndarray], params: str, reducer_key: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for part in (f"grandtour.embed_layers v{_CACHE_VERSION}", params, reducer_key):
        _update(digest, part.encode())
    for name, array in layers.items():
        _update(digest, name.encode())
        _update(digest, f"{array.dtype.str} {array.shape}".encode())
        # The bytes alone would make a (10, 6) and a (6, 10) array, or int32 and float32 data, equal.
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _update(digest: Any, part: bytes) -> None:
    # Length-prefixed, so ("ab", "c") and ("a", "bc") never hash alike.
    digest.update(len(part).to_bytes(8, "little"))
    digest.update(part)


def _cache_directory(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is None:
        cache_dir = os.environ.get("GRANDTOUR_CACHE") or Path.home() / ".cache" / "grandtour"
    return Path(cache_dir).expanduser()


def _cache_get(
    key: str,
    reducer: Any,
    by_identity: bool,
    directory: Path | None,
    names: list[str],
    shape: tuple[int, int],
) -> dict[str, np.ndarray] | None:
    entry = _memory_cache.get(key)
    # An id() can be reused once its object is gone; the entry holds the reducer, so check it.
    if entry is not None and (not by_identity or entry[0] is reducer):
        _memory_cache.move_to_end(key)
        return {name: array.copy() for name, array in zip(entry[1], entry[2])}
    if directory is None:
        return None
    path = directory / f"embed_layers-{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            stored_names = [str(name) for name in stored["names"]]
            arrays = [np.array(stored[f"layer_{i}"], dtype=np.float32) for i in range(len(stored_names))]
    except Exception as error:  # a truncated or foreign file: recompute rather than fail
        warnings.warn(f"grandtour: ignoring unreadable cache file {path} ({error})", RuntimeWarning, stacklevel=3)
        return None
    if stored_names != names or any(array.shape != shape for array in arrays):
        return None
    _remember(key, reducer, stored_names, arrays)
    return {name: array.copy() for name, array in zip(stored_names, arrays)}


def _cache_put(key: str, reducer: Any, result: dict[str, np.ndarray], directory: Path | None) -> None:
    names, arrays = list(result), [array.copy() for array in result.values()]
    _remember(key, reducer, names, arrays)
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash or a second kernel never leaves a half-written file.
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as file:
            np.savez(file, names=np.array(names, dtype=str), **{f"layer_{i}": a for i, a in enumerate(arrays)})
        os.replace(temporary, directory / f"embed_layers-{key}.npz")
    except OSError as error:
        warnings.warn(f"grandtour: could not write the embedding cache in {directory} ({error})", RuntimeWarning, stacklevel=3)


def _remember(key: str, reducer: Any, names: list[str], arrays: list[np.ndarray]) -> None:
    _memory_cache[key] = (reducer, names, arrays)
    _memory_cache.move_to_end(key)
    while len(_memory_cache) > _MEMORY_CACHE_SIZE:
        _memory_cache.popitem(last=False)
