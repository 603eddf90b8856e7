"""Binary trait codecs: numpy arrays travel as raw bytes plus dtype and shape.

The widget runtime turns ``memoryview`` values anywhere inside a trait into binary
buffers (a ``DataView`` in the browser), so no number is ever spelled out in JSON.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def wire_array(array: np.ndarray) -> dict[str, Any]:
    """``{view, dtype, shape}`` for a C-contiguous little-endian array."""
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return {"view": memoryview(array).cast("B"), "dtype": array.dtype.name, "shape": list(array.shape)}


def selection_to_json(value: np.ndarray, _widget: Any = None) -> dict[str, Any]:
    return wire_array(np.asarray(value, dtype=np.uint32))


def selection_from_json(value: Any, _widget: Any = None) -> np.ndarray:
    if value is None:
        return np.zeros(0, dtype=np.int64)
    if isinstance(value, dict):
        raw = value.get("view")
        data = np.frombuffer(bytes(raw) if raw is not None else b"", dtype=np.uint8)
        if value.get("dtype") == "bitmask":
            # A dense selection: one bit per point, least significant bit first.
            (n,) = value.get("shape") or [0]
            if len(data) != -(-n // 8):
                raise ValueError(f"selected: a bitmask of {n} bits needs {-(-n // 8)} bytes, got {len(data)}")
            return np.flatnonzero(np.unpackbits(data, bitorder="little")[:n]).astype(np.int64)
        if value.get("dtype") != "uint32":
            raise ValueError(f"selected: expected uint32 or a bitmask from the front end, got {value.get('dtype')!r}")
        return data.view("<u4").astype(np.int64)
    return np.asarray(value, dtype=np.int64)


def projection_to_json(value: np.ndarray, _widget: Any = None) -> list[list[float]]:
    # A d×2 basis is small, and a JSON list keeps it readable in saved notebook state.
    return np.asarray(value, dtype=np.float64).tolist()


def projection_from_json(value: Any, _widget: Any = None) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def handles_to_json(value: list[dict[str, Any]], _widget: Any = None) -> list[dict[str, Any]]:
    return [{"name": h["name"], "indices": selection_to_json(h["indices"])} for h in value]


def handles_from_json(value: Any, _widget: Any = None) -> list[dict[str, Any]]:
    if not value:
        return []
    return [{"name": str(h.get("name", "")), "indices": selection_from_json(h.get("indices"))} for h in value]
