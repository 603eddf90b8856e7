"""Turn what users pass into checked numpy arrays, or say precisely what is wrong.

Every function here raises ``TypeError`` (wrong kind of thing) or ``ValueError``
(right kind, bad content) with a message that names the argument. They build nothing,
so a rejected call leaves no half-made widget behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: Largest class count whose codes still fit the label texture and legend comfortably.
MAX_CLASSES = 65535


def to_numpy(value: Any, name: str) -> np.ndarray:
    """View array-likes (numpy, pandas, lists, torch tensors) as a numpy array."""
    if value is None:
        raise TypeError(f"{name} is None; expected an array")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        value = value.detach().cpu().numpy()
    elif hasattr(value, "to_numpy"):  # pandas DataFrame / Series
        value = value.to_numpy()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} is a {type(value).__name__}; expected an array of numbers")
    try:
        return np.asarray(value)
    except ValueError as error:  # numpy's "inhomogeneous shape" for ragged lists
        raise ValueError(f"{name} is ragged: its rows do not all have the same length ({error})") from None


def as_matrix(value: Any, name: str = "embedding") -> np.ndarray:
    """Check an ``(n, d)`` finite real matrix with ``n >= 1`` and ``d >= 2``.

    Returns float32 input as it is and anything else as float64: a float64 copy of a
    million float32 rows is 120 MB of fresh memory that only :func:`normalise` would read.
    """
    array = to_numpy(value, name)
    if array.dtype == object:
        raise TypeError(f"{name} has dtype object (mixed or non-numeric values); expected real numbers")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} is complex ({array.dtype}); expected real numbers")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{name} has dtype {array.dtype}; expected real numbers")
    if array.ndim != 2:
        hint = (
            "; pass one (n, d) array, or a dict {name: (n, d) array} for several layers"
            if array.ndim == 3
            else ""
        )
        raise ValueError(f"{name} must be 2-D (n points, d dimensions); got shape {array.shape}{hint}")
    n, d = array.shape
    if n < 1:
        raise ValueError(f"{name} has no points (shape {array.shape}); need at least 1")
    if d < 2:
        raise ValueError(f"{name} has d = {d} dimension; a tour needs at least 2 (shape {array.shape})")
    # The checks run on the input's own type (float32 is half the bytes of the float64 copy)
    # and without full-size temporaries: at 1M × 15 they took 270 ms of Tour() on float64.
    if np.issubdtype(array.dtype, np.inexact) and not np.isfinite(array).all():
        finite = np.isfinite(array)
        bad = np.argwhere(~finite)
        row, col = (int(i) for i in bad[0])
        raise ValueError(
            f"{name} has {len(bad)} non-finite value{'s' if len(bad) != 1 else ''} (NaN or inf); "
            f"the first is at row {row}, column {col} ({float(array[row, col])})"
        )
    matrix = array if array.dtype == np.float32 else array.astype(np.float64, copy=False)
    if array.dtype.itemsize > 4 or not np.issubdtype(array.dtype, np.floating):
        largest = max(abs(float(matrix.max())), abs(float(matrix.min())))
        if largest > float(np.finfo(np.float32).max):
            raise ValueError(f"{name} has values beyond float32 range (largest |x| = {largest:.3g})")
    return matrix


def as_layers(embedding: Any, label: str = "embedding") -> dict[str, np.ndarray]:
    """One matrix, a mapping name → matrix, or a list of matrices → ordered layers.

    ``label`` names the argument in messages (``embedding[3]`` for an epoch's layers).
    """
    if isinstance(embedding, Mapping):
        items = list(embedding.items())
        if not items:
            raise ValueError(f"{label} is an empty mapping; pass at least one layer")
        layers = {}
        for key, value in items:
            if not isinstance(key, str):
                raise TypeError(f"{label} layer names must be strings; got {key!r}")
            layers[key] = as_matrix(value, f"{label}[{key!r}]")
    elif isinstance(embedding, (list, tuple)) and embedding and all(
        getattr(item, "ndim", None) == 2 for item in embedding
    ):
        layers = {f"layer {i}": as_matrix(item, f"{label}[{i}]") for i, item in enumerate(embedding)}
    else:
        layers = {"embedding": as_matrix(embedding, label)}
    sizes = {name: matrix.shape[0] for name, matrix in layers.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"{label} layers must all have the same number of points; got {sizes}")
    return layers


def as_labels(labels: Any, n: int) -> tuple[np.ndarray, list[str]]:
    """Labels → (integer codes in [0, k), k names). Categorical order is kept; else sorted."""
    categories = None
    if hasattr(labels, "cat") and hasattr(labels.cat, "categories"):  # pandas Series of category
        labels = labels.array
    if hasattr(labels, "categories") and hasattr(labels, "codes"):  # pandas Categorical
        codes = np.asarray(labels.codes)
        if (codes < 0).any():
            first = int(np.argmax(codes < 0))
            raise ValueError(f"labels has {int((codes < 0).sum())} missing values; the first is at index {first}")
        categories = [str(c) for c in labels.categories]
        values = codes
    else:
        if isinstance(labels, (list, tuple)):
            _check_python_labels(labels)
        values = to_numpy(labels, "labels")
    if values.ndim != 1:
        raise ValueError(f"labels must be 1-D with one label per point; got shape {values.shape}")
    if len(values) != n:
        raise ValueError(f"labels has {len(values)} entries but the embedding has {n} points")
    if categories is not None:
        return _narrow_codes(values, len(categories)), categories
    if values.dtype.kind == "f":
        missing = ~np.isfinite(values)
        if missing.any():
            raise ValueError(
                f"labels has {int(missing.sum())} missing values (NaN or inf); "
                f"the first is at index {int(np.argmax(missing))}"
            )
        if not np.all(values == np.round(values)):
            raise TypeError("labels are non-integer floats; pass class ids, names, or a pandas Categorical")
    if values.dtype.kind == "c":
        raise TypeError(f"labels are complex ({values.dtype}); pass class ids or names")
    if values.dtype == object:
        missing = [i for i, v in enumerate(values) if v is None or (isinstance(v, float) and not np.isfinite(v))]
        if missing:
            raise ValueError(f"labels has {len(missing)} missing values (None or NaN); the first is at index {missing[0]}")
        kinds = {type(v) for v in values}
        if len(kinds) > 1:
            names = ", ".join(sorted(k.__name__ for k in kinds))
            raise TypeError(f"labels mix types ({names}); use one type for every label")
        values = values.astype(str) if kinds <= {str} else values
    uniques, codes = _unique_codes(values)
    if len(uniques) > MAX_CLASSES:
        raise ValueError(f"labels has {len(uniques)} distinct classes; at most {MAX_CLASSES} are supported")
    names = [_label_name(u) for u in uniques]
    return _narrow_codes(codes.reshape(-1), len(names)), names


def _unique_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``; for integers over a small range by counting.

    np.unique sorts: 127 ms for a million int labels, against a few ms for a bincount.
    """
    if values.dtype.kind in "iu" and values.size:
        low, high = int(values.min()), int(values.max())
        if high - low < 1 << 20:
            offsets = (values - low).astype(np.intp, copy=False)
            present = np.flatnonzero(np.bincount(offsets, minlength=high - low + 1))
            lookup = np.zeros(high - low + 1, dtype=np.intp)
            lookup[present] = np.arange(len(present))
            return (present + low).astype(values.dtype), lookup[offsets]
    return np.unique(values, return_inverse=True)


def _check_python_labels(labels: Sequence[Any]) -> None:
    # numpy would quietly turn ["a", 1] into strings and None into "None": catch both here.
    missing = [i for i, v in enumerate(labels) if v is None or (isinstance(v, float) and not np.isfinite(v))]
    if missing:
        raise ValueError(f"labels has {len(missing)} missing values (None or NaN); the first is at index {missing[0]}")
    text = {isinstance(v, (str, np.str_)) for v in labels}
    if len(text) > 1:
        kinds = ", ".join(sorted({type(v).__name__ for v in labels}))
        raise TypeError(f"labels mix types ({kinds}); use one type for every label")


def _label_name(value: Any) -> str:
    if isinstance(value, (np.floating, float)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _narrow_codes(codes: np.ndarray, k: int) -> np.ndarray:
    """The smallest unsigned type that holds k classes: fewer bytes on the wire."""
    dtype = np.uint8 if k <= 256 else np.uint16 if k <= 65536 else np.uint32
    return np.ascontiguousarray(codes, dtype=dtype)


def as_selection(value: Any, n: int, name: str = "selected") -> np.ndarray:
    """Indices (or a boolean mask of length n) → sorted unique int64 indices in [0, n)."""
    if value is None:
        return np.zeros(0, dtype=np.int64)
    array = to_numpy(value, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D indices or a boolean mask; got shape {array.shape}")
    if array.dtype == np.bool_:
        if len(array) != n:
            raise ValueError(f"{name} is a boolean mask of length {len(array)} but there are {n} points")
        return np.flatnonzero(array).astype(np.int64)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must hold integer indices; got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise TypeError(f"{name} must hold integer indices; got non-integer values of dtype {array.dtype}")
        raise TypeError(f"{name} must hold integer indices; got floats ({array.dtype}); use .astype(int)")
    indices = array.astype(np.int64)
    out_of_range = (indices < 0) | (indices >= n)
    if out_of_range.any():
        first = int(indices[np.argmax(out_of_range)])
        raise ValueError(
            f"{name} has {int(out_of_range.sum())} indices outside [0, {n}); the first is {first}"
        )
    # The front end always sends sorted, unique indices: check that in O(n) before paying
    # for a sort (np.unique took 640 ms for 650k indices; this check takes under 1 ms).
    if len(indices) < 2 or bool(np.all(indices[1:] > indices[:-1])):
        return indices
    unique = np.unique(indices)
    if len(unique) != len(indices):
        raise ValueError(f"{name} has {len(indices) - len(unique)} duplicated indices")
    return unique


def as_speed(value: Any) -> float:
    """A finite, non-negative speed multiplier."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"speed must be a number; got {type(value).__name__}")
    speed = float(value)
    if not np.isfinite(speed) or speed < 0:
        raise ValueError(f"speed must be finite and >= 0; got {speed}")
    return speed


def as_projection(value: Any, d: int, name: str = "projection") -> np.ndarray:
    """A (d, 2) basis with orthonormal columns (to 1e-6), as float64."""
    array = to_numpy(value, name)
    if array.dtype == object or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise TypeError(f"{name} must be a real (d, 2) array; got dtype {array.dtype}")
    if array.shape != (d, 2):
        raise ValueError(f"{name} must have shape ({d}, 2) for d = {d}; got {array.shape}")
    basis = array.astype(np.float64)
    if not np.isfinite(basis).all():
        raise ValueError(f"{name} has non-finite values")
    error = float(np.abs(basis.T @ basis - np.eye(2)).max())
    if error > 1e-6:
        raise ValueError(
            f"{name} columns must be orthonormal (PᵀP = I); the largest deviation is {error:.3g}"
        )
    return basis


def normalise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre on the mean and divide by the largest row norm → float32 data in the unit ball.

    The largest row norm does not change under rotation, so the front end can fit the
    unit disc once and never rescale while touring.

    The mean is taken in float64, the rest in float32, in one output array: the float64
    temporaries took 353 ms at 1M × 15 against 124 ms (bench/, the kernel's share). Each
    value is rounded to float32 once after centring and once after scaling.
    """
    center = matrix.mean(axis=0, dtype=np.float64)
    points = np.empty(matrix.shape, dtype=np.float32)
    # Subtracts in float64 (matrix's type) chunk by chunk and rounds into the float32 output.
    np.subtract(matrix, center, out=points, casting="unsafe")
    scale = float(np.sqrt(np.einsum("ij,ij->i", points, points).max(initial=0.0)))
    if scale == 0.0 or not np.isfinite(scale):
        scale = 1.0
    points *= np.float32(1.0 / scale)
    return points, center, scale


def check_sequence_of_str(value: Any, name: str) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TypeError(f"{name} must be a list of strings")
    return [str(v) for v in value]


def as_images(images: Any, n: int) -> np.ndarray:
    """``(n, h, w)`` or ``(n, h, w, 3|4)``, uint8 or floats in [0, 1] → uint8 ``(n, h, w, c)``."""
    array = to_numpy(images, "images")
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"images must be numeric (uint8, or floats in [0, 1]); got dtype {array.dtype}")
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[3] not in (1, 3, 4):
        raise ValueError(
            f"images must have shape (n, h, w) or (n, h, w, 3 or 4); got {tuple(images.shape) if hasattr(images, 'shape') else array.shape}"
        )
    if array.shape[0] != n:
        raise ValueError(f"images has {array.shape[0]} images but the embedding has {n} points")
    height, width = array.shape[1:3]
    if not (1 <= height <= 256 and 1 <= width <= 256):
        raise ValueError(f"images must be 1 to 256 pixels on a side (thumbnails); got {height}×{width}")
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError("images has non-finite values")
    if np.issubdtype(array.dtype, np.integer):
        if values.min() < 0 or values.max() > 255:
            raise ValueError("integer images must be in [0, 255]; convert them to uint8")
        return np.ascontiguousarray(values.astype(np.uint8))
    if values.min() < 0 or values.max() > 1:
        raise ValueError(
            f"float images must be in [0, 1]; got values from {values.min():.3g} to {values.max():.3g}"
        )
    return np.ascontiguousarray(np.round(values * 255).astype(np.uint8))


def as_handles(value: Any, n: int) -> list[dict[str, Any]]:
    """A list of ``{name, indices}`` (position ignored) → checked handles with unique names."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"handles must be a list of dicts {{name, indices}}; got {type(value).__name__}")
    handles: list[dict[str, Any]] = []
    names: set[str] = set()
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping) or "indices" not in entry:
            raise TypeError(f"handles[{i}] must be a dict with 'indices' (and optionally 'name')")
        name = entry.get("name")
        name = str(_next_handle_name(names) if name is None else name)
        if not name.strip():
            raise ValueError(f"handles[{i}] has an empty name")
        if name in names:
            raise ValueError(f"handles[{i}]: the name {name!r} is used twice")
        indices = as_selection(entry["indices"], n, f"handles[{i}].indices")
        if len(indices) == 0:
            raise ValueError(f"handles[{i}] ({name!r}) has no points")
        names.add(name)
        handles.append({"name": name, "indices": indices})
    return handles


def _next_handle_name(taken: set[str]) -> str:
    k = 1
    while str(k) in taken:
        k += 1
    return str(k)


# -- epochs -------------------------------------------------------------------------------


def is_epoch_mapping(embedding: Any) -> bool:
    """Whether ``embedding`` is ``{epoch: {layer: (n, d)}}`` (every value itself a mapping)."""
    return (
        isinstance(embedding, Mapping)
        and len(embedding) > 0
        and any(isinstance(value, Mapping) for value in embedding.values())
    )


def epoch_name(key: Any, name: str = "epoch") -> str:
    """Epoch keys may be strings or ints (training steps); on the wire they are strings."""
    if isinstance(key, str):
        if not key:
            raise ValueError(f"{name} names must not be empty")
        return key
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return str(int(key))
    raise TypeError(f"{name} names must be strings or ints; got {key!r}")


def as_epochs(embedding: Mapping[Any, Any]) -> dict[str, dict[str, np.ndarray]]:
    """``{epoch: {layer: (n, d)}}`` → ordered epochs, each with the same layer names and ``n``."""
    epochs: dict[str, dict[str, np.ndarray]] = {}
    for key, value in embedding.items():
        epoch = epoch_name(key)
        if epoch in epochs:
            raise ValueError(f"epoch {epoch!r} appears twice (as {key!r} and as a string)")
        if not isinstance(value, Mapping):
            raise TypeError(
                f"embedding[{key!r}] is a {type(value).__name__}; with epochs every value must be a "
                "mapping {layer name: (n, d) array}"
            )
        epochs[epoch] = as_layers(value, f"embedding[{key!r}]")
    first_epoch, first = next(iter(epochs.items()))
    names = list(first)
    n = next(iter(first.values())).shape[0]
    for epoch, layers in epochs.items():
        if list(layers) != names:
            raise ValueError(
                f"every epoch needs the same layer names in the same order; epoch {first_epoch!r} has "
                f"{names}, epoch {epoch!r} has {list(layers)}"
            )
        size = next(iter(layers.values())).shape[0]
        if size != n:
            raise ValueError(
                f"every epoch needs the same number of points; epoch {first_epoch!r} has {n}, "
                f"epoch {epoch!r} has {size}"
            )
    return epochs


# -- attributes (colour by) -------------------------------------------------------------------

#: Integer attributes with at most this many distinct values are classes, not a scale.
MAX_INT_CATEGORIES = 12
#: Colourings that are not attributes; a data column may not take these names.
RESERVED_COLORINGS = ("label", "movement", "difference")
#: The category that missing values (None, NaN, pandas NA) of a categorical attribute join.
MISSING = "missing"


def attribute(value: Any, n: int, name: str) -> dict[str, Any]:
    """One per-point attribute → ``{name, kind, values, categories[, range]}`` (numpy values).

    ``kind`` is ``"categorical"`` (booleans, strings, unordered pandas Categoricals, integers
    with at most 12 distinct values), ``"ordinal"`` (ordered pandas Categoricals) or
    ``"continuous"`` (other numbers). Categorical and ordinal attributes hold narrowed unsigned
    codes into ``categories``; missing values (None, NaN, pandas NA) get a last category
    ``"missing"``. Continuous ones hold float32 values with NaN for missing, and ``range`` is
    ``[min, max]`` over the finite values. Infinities are rejected: no colour stands for them.
    """
    label = f"attribute {name!r}"
    if hasattr(value, "cat") and hasattr(value.cat, "categories"):  # pandas Series of category
        value = value.array
    if hasattr(value, "categories") and hasattr(value, "codes"):  # pandas Categorical
        codes = np.asarray(value.codes).astype(np.int64)
        _check_shape(codes, n, label)
        categories = [str(c) for c in value.categories]
        kind = "ordinal" if bool(getattr(value, "ordered", False)) else "categorical"
        return _categorical(name, kind, codes, codes < 0, categories)
    missing: np.ndarray | None = None
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not isinstance(dtype, np.dtype) and getattr(dtype, "kind", "") in ("i", "u", "b"):
        # pandas' nullable Int64 / boolean: to_numpy() would turn ints with NA into floats,
        # and the column would lose its classes. Keep the ints and the NA mask apart.
        missing = np.asarray(value.isna(), dtype=bool)
        value = value.to_numpy(dtype=np.bool_ if dtype.kind == "b" else np.int64, na_value=0)
    if isinstance(value, (list, tuple)):
        # numpy would quietly turn ["a", 1] into strings and None into "None": keep the types.
        array = np.empty(len(value), dtype=object)
        array[:] = list(value)
    else:
        array = to_numpy(value, label)
    _check_shape(array, n, label)
    if array.dtype == object:
        array, missing = _typed_objects(array, label)
    elif missing is None:
        missing = np.zeros(len(array), dtype=bool)
    kind_code = array.dtype.kind
    if kind_code == "b":
        return _categorical(name, "categorical", array.astype(np.int64), missing, ["False", "True"])
    if kind_code in "US":
        uniques, codes = np.unique(array[~missing], return_inverse=True)
        full = np.zeros(len(array), dtype=np.int64)
        full[~missing] = codes.reshape(-1)
        return _categorical(name, "categorical", full, missing, [_text(u) for u in uniques])
    if kind_code in "iu":
        uniques, codes = np.unique(array[~missing], return_inverse=True)
        if len(uniques) <= MAX_INT_CATEGORIES:
            full = np.zeros(len(array), dtype=np.int64)
            full[~missing] = codes.reshape(-1)
            return _categorical(name, "categorical", full, missing, [str(int(u)) for u in uniques])
        values = array.astype(np.float64)
        values[missing] = np.nan
        return _continuous(name, values, label)
    if kind_code == "f":
        return _continuous(name, array.astype(np.float64), label)
    raise TypeError(
        f"{label} has unsupported dtype {array.dtype}; use booleans, numbers, strings or a pandas "
        "Categorical (convert dates and durations to numbers first, or leave the column out)"
    )


def _check_shape(array: np.ndarray, n: int, label: str) -> None:
    if array.ndim != 1:
        raise ValueError(f"{label} must be 1-D with one value per point; got shape {array.shape}")
    if len(array) != n:
        raise ValueError(f"{label} has {len(array)} values but the embedding has {n} points")


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    # pandas.NA and pandas.NaT, recognised without importing pandas.
    return type(value).__name__ in ("NAType", "NaTType")


def _value_kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, (str, np.str_, bytes)):
        return "str"
    return type(value).__name__


_PLACEHOLDERS: dict[str, Any] = {"bool": False, "int": 0, "float": np.nan, "str": ""}
_DTYPES: dict[str, Any] = {"bool": np.bool_, "int": np.int64, "float": np.float64, "str": str}


def _typed_objects(array: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    """An object array (Python lists with None, pandas' nullable columns) → (typed, missing).

    Missing entries are filled with a placeholder in the typed array; the mask says where.
    """
    missing = np.fromiter((_is_missing(v) for v in array), dtype=bool, count=len(array))
    kinds = {_value_kind(v) for v in array[~missing]}
    if "int" in kinds and "float" in kinds:  # 1 and 2.5 in one column: a number scale
        kinds = {"float"}
    if len(kinds) > 1:
        raise TypeError(f"{label} mixes value types ({', '.join(sorted(kinds))}); use one type for every value")
    kind = kinds.pop() if kinds else "float"
    if kind not in _DTYPES:
        raise TypeError(f"{label} holds unsupported values of type {kind}; use booleans, numbers or strings")
    filled = np.where(missing, _PLACEHOLDERS[kind], array)
    if kind == "str":
        return np.array([_text(v) for v in filled], dtype=str), missing
    return filled.astype(_DTYPES[kind]), missing


def _categorical(
    name: str, kind: str, codes: np.ndarray, missing: np.ndarray, categories: list[str]
) -> dict[str, Any]:
    if missing.any():
        codes = np.where(missing, len(categories), codes)
        categories = [*categories, MISSING]
    if len(categories) > MAX_CLASSES:
        raise ValueError(
            f"attribute {name!r} has {len(categories)} distinct values; at most {MAX_CLASSES} categories "
            "are supported (pass numbers for a continuous scale)"
        )
    return {"name": name, "kind": kind, "values": _narrow_codes(codes, len(categories)), "categories": categories}


def _continuous(name: str, values: np.ndarray, label: str) -> dict[str, Any]:
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"{label} has {int(infinite.sum())} infinite value{'s' if infinite.sum() != 1 else ''}; "
            f"the first is at index {int(np.argmax(infinite))} (NaN marks a missing value, inf has no colour)"
        )
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError(f"{label} has no values: every entry is missing (NaN)")
    if np.abs(finite).max() > np.finfo(np.float32).max:
        raise ValueError(f"{label} has values beyond float32 range (largest |x| = {np.abs(finite).max():.3g})")
    return {
        "name": name,
        "kind": "continuous",
        "values": values.astype(np.float32),
        "categories": [],
        "range": [float(finite.min()), float(finite.max())],
    }


def as_attributes(data: Any, color: Any, n: int) -> tuple[list[dict[str, Any]], str | None]:
    """``data`` (DataFrame or mapping name → values) and ``color`` → (attributes, color name).

    ``color`` may name a column of ``data`` or be per-point values itself; values become an
    attribute named after the pandas Series they come from, else ``"color"``. The second result
    is the attribute ``color`` selects (``None`` without ``color``).
    """
    columns: list[tuple[str, Any]] = []
    if data is not None:
        if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # pandas DataFrame
            keys = list(data.columns)
            if hasattr(data, "iloc"):
                columns = [(key, data.iloc[:, i]) for i, key in enumerate(keys)]
            else:
                columns = [(key, data[key]) for key in keys]
        elif isinstance(data, Mapping):
            columns = list(data.items())
        else:
            raise TypeError(f"data must be a pandas DataFrame or a mapping {{name: values}}; got {type(data).__name__}")
    names: list[str] = []
    for key, _ in columns:
        if not isinstance(key, (str, int, np.integer)) or isinstance(key, (bool, np.bool_)):
            raise TypeError(f"data column names must be strings (or ints); got {key!r}")
        name = str(key)
        if not name:
            raise ValueError("data has a column with an empty name")
        if name in RESERVED_COLORINGS:
            raise ValueError(
                f"data column {name!r} clashes with the built-in colouring {name!r}; rename it "
                f"(e.g. df.rename(columns={{{name!r}: 'true {name}'}})). Reserved: {list(RESERVED_COLORINGS)}"
            )
        if name in names:
            raise ValueError(f"data has two columns named {name!r}")
        names.append(name)
    attributes = [attribute(value, n, name) for name, (_, value) in zip(names, columns)]

    chosen: str | None = None
    if isinstance(color, str):
        if data is None:
            raise ValueError(f"color={color!r} names a column, but no data= was given; pass data= or the values")
        if color not in names:
            raise ValueError(f"color={color!r} is not a column of data; the columns are {names}")
        chosen = color
    elif color is not None:
        series_name = getattr(color, "name", None)
        name = (
            series_name
            if isinstance(series_name, str) and series_name and series_name not in RESERVED_COLORINGS
            else "color"
        )
        made = attribute(color, n, name if name not in names else f"color {name!r}")
        made["name"] = name
        if name in names:
            # color=df["confidence"] with data=df: the same column, nothing to add.
            existing = attributes[names.index(name)]
            if not _same_attribute(existing, made):
                raise ValueError(
                    f"color is named {name!r} like a column of data but holds other values; "
                    "rename one of them"
                )
        else:
            attributes.append(made)
        chosen = name
    return attributes, chosen


def _same_attribute(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return (
        a["kind"] == b["kind"]
        and a["categories"] == b["categories"]
        and np.array_equal(a["values"], b["values"], equal_nan=a["kind"] == "continuous")
    )


def check_color_by(value: Any, allowed: Sequence[str]) -> str:
    """A colouring among ``allowed``; the error lists them."""
    if not isinstance(value, str):
        raise TypeError(f"color_by must be a string; got {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"color_by={value!r} is not available; choose one of {list(allowed)}")
    return value
