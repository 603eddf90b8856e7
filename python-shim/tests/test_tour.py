"""The widget's state on the wire, and the round trip of what the front end sends."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from grandtour import Tour
from grandtour._wire import selection_from_json


def wire(t: Tour) -> tuple[dict[str, Any], list[list[Any]], list[memoryview]]:
    return _remove_buffers(t.get_state())


def test_points_travel_as_float32_bytes_not_json(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, labels = blobs
    t = Tour(points, labels)
    state, paths, buffers = wire(t)
    assert ["_layers", 0, "points", "view"] in paths
    layer = state["_layers"][0]["points"]
    assert layer["dtype"] == "float32"
    assert layer["shape"] == [600, 8]
    data = buffers[paths.index(["_layers", 0, "points", "view"])]
    assert len(data) == 600 * 8 * 4
    np.testing.assert_array_equal(np.frombuffer(data, dtype="<f4").reshape(600, 8), t.points())
    # Labels are one byte per point here, plus a short list of names.
    assert state["_labels"]["dtype"] == "uint8"
    assert state["_label_names"] == ["class 0", "class 1", "class 2"]
    # What remains as JSON (besides the bundle itself) is small: nothing grows with n.
    data_state = {k: v for k, v in state.items() if k not in ("_esm", "_css")}
    assert len(json.dumps(data_state)) < 2000


def test_bytes_per_point_stay_within_4d_plus_8(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, labels = blobs
    _, _, buffers = wire(Tour(points, labels))
    assert sum(len(b) for b in buffers) <= (4 * 8 + 8) * 600


def test_points_are_centred_and_fit_the_unit_ball(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, _ = blobs
    t = Tour(points + 100.0)
    normalised = t.points().astype(np.float64)
    np.testing.assert_allclose(normalised.mean(axis=0), 0, atol=1e-6)
    assert np.linalg.norm(normalised, axis=1).max() == pytest.approx(1.0, abs=1e-6)
    assert np.abs(t.project()).max() <= 1.0 + 1e-6


def test_selected_round_trips_from_the_front_end(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, labels = blobs
    t = Tour(points, labels)
    sent: list[dict[str, Any]] = []
    t.comm.send = lambda data=None, buffers=None, **kw: sent.append({"data": data, "buffers": buffers})  # type: ignore[method-assign]
    chosen = np.array([3, 17, 599], dtype="<u4")
    basis = np.linalg.qr(np.random.default_rng(1).normal(size=(8, 2)))[0]
    # Exactly the message the front end sends on pointer-up: selection as binary uint32.
    t._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {"selected": {"dtype": "uint32", "shape": [3]}, "projection": basis.tolist()},
                    "buffer_paths": [["selected", "view"]],
                }
            },
            "buffers": [memoryview(chosen.tobytes())],
        }
    )
    assert t.selected.dtype == np.int64
    np.testing.assert_array_equal(t.selected, [3, 17, 599])
    np.testing.assert_allclose(t.projection, basis)
    # No echo loop: the kernel sends no fresh "update" of what the front end just set.
    # (ipywidgets' "echo_update" acknowledgements are the protocol's, and the front end
    # drops its own.)
    updates = [m["data"] for m in sent if (m["data"] or {}).get("method") == "update"]
    assert not any("selected" in u.get("state", {}) or "projection" in u.get("state", {}) for u in updates)


def test_a_dense_selection_arrives_as_a_bitmask(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, labels = blobs
    t = Tour(points, labels)
    n = len(points)
    chosen = np.flatnonzero(np.random.default_rng(2).random(n) < 0.6)
    bits = np.packbits(np.isin(np.arange(n), chosen), bitorder="little")
    t._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {"selected": {"dtype": "bitmask", "shape": [n]}},
                    "buffer_paths": [["selected", "view"]],
                }
            },
            "buffers": [memoryview(bits.tobytes())],
        }
    )
    np.testing.assert_array_equal(t.selected, chosen)
    with pytest.raises(ValueError, match="bitmask of"):
        selection_from_json({"dtype": "bitmask", "shape": [n], "view": memoryview(bits.tobytes()[:-1])})


def test_selected_assigned_in_python_is_sorted_int64_and_sent_as_uint32(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, labels = blobs
    t = Tour(points, labels)
    t.selected = [9, 2, 5]
    np.testing.assert_array_equal(t.selected, [2, 5, 9])
    assert t.selected.dtype == np.int64
    state, paths, buffers = wire(t)
    assert state["selected"]["dtype"] == "uint32"
    np.testing.assert_array_equal(np.frombuffer(buffers[paths.index(["selected", "view"])], "<u4"), [2, 5, 9])
    t.selected = np.arange(600) % 2 == 0
    assert len(t.selected) == 300


def test_accepts_pandas_lists_and_categoricals() -> None:
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 2.0], "z": [0.5, 0.5, 0.5]})
    t = Tour(frame, pd.Categorical(["dog", "cat", "dog"], categories=["dog", "cat"]))
    assert t.label_names == ["dog", "cat"]
    assert t.points().shape == (3, 3)
    t2 = Tour([[0, 1], [1, 0], [2, 2]], pd.Series([2, 1, 2]))
    assert t2.label_names == ["1", "2"]


def test_accepts_torch_like_tensors() -> None:
    class FakeTensor:
        def __init__(self, array: np.ndarray) -> None:
            self.array = array

        def detach(self) -> "FakeTensor":
            return self

        def cpu(self) -> "FakeTensor":
            return self

        def numpy(self) -> np.ndarray:
            return self.array

    t = Tour(FakeTensor(np.eye(3)))
    assert t.points().shape == (3, 3)


def test_projection_assignment_sets_the_view_and_project_follows() -> None:
    points = np.random.default_rng(2).normal(size=(50, 5))
    t = Tour(points)
    np.testing.assert_array_equal(t.projection, np.eye(5)[:, :2])
    basis = np.linalg.qr(np.random.default_rng(3).normal(size=(5, 2)))[0]
    t.projection = basis
    np.testing.assert_allclose(t.project(), t.points().astype(float) @ basis)
    assert t.get_state()["projection"] == basis.tolist()


def test_layers_from_a_mapping_keep_their_order_and_switch_by_name() -> None:
    rng = np.random.default_rng(4)
    t = Tour({"input": rng.normal(size=(20, 6)), "hidden": rng.normal(size=(20, 3))})
    assert t.layers == ("input", "hidden")
    assert t.layer == "input"
    t.layer = "hidden"
    # Another dimension cannot keep the old basis: it resets to the first two axes.
    assert t.projection.shape == (3, 2)


def test_the_same_seed_is_sent_and_each_tour_has_its_own_uid(blobs: tuple[np.ndarray, list[str]]) -> None:
    points, _ = blobs
    a, b = Tour(points, seed=7), Tour(points, seed=7)
    assert a.seed == b.seed == 7
    assert a._uid != b._uid


def test_handles_from_python_add_rename_remove_and_positions() -> None:
    rng = np.random.default_rng(5)
    points = rng.normal(size=(60, 4))
    t = Tour(points, ["a", "b", "c"] * 20, class_handles=["a"])
    assert [h["name"] for h in t.handles] == ["a"]
    assert t.add_handle(np.arange(10)) == "1"
    assert t.add_handle([20, 21], name="pair") == "pair"
    t.rename_handle("1", "first ten")
    t.remove_handle("a")
    assert [h["name"] for h in t.handles] == ["first ten", "pair"]
    first = t.handles[0]
    np.testing.assert_array_equal(first["indices"], np.arange(10))
    expected = t.points().astype(float)[:10].mean(axis=0) @ t.projection
    assert first["position"] == pytest.approx(tuple(expected))
    # On the wire: names and uint32 index bytes.
    state, paths, buffers = wire(t)
    assert state["_handles"][1]["name"] == "pair"
    np.testing.assert_array_equal(np.frombuffer(buffers[paths.index(["_handles", 1, "indices", "view"])], "<u4"), [20, 21])
    with pytest.raises(ValueError, match="no handle named 'zzz'"):
        t.remove_handle("zzz")
    with pytest.raises(ValueError, match="used twice"):
        t.add_handle([1], name="pair")
    with pytest.raises(ValueError, match="outside"):
        t.add_handle([600])
    assert [h["name"] for h in t.handles] == ["first ten", "pair"]
    t.handles = [{"name": "only", "indices": [1, 2, 3]}]
    assert [h["name"] for h in t.handles] == ["only"]


def test_class_handles_auto_follows_the_number_of_classes() -> None:
    few = Tour(np.eye(6)[np.arange(30) % 6] + 0.01 * np.arange(30)[:, None], np.arange(30) % 6)
    many = Tour(np.random.default_rng(1).normal(size=(40, 3)), np.arange(40) % 8)
    assert len(few.handles) == 6
    assert many.handles == []


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).integers(0, 10, 5000),
        np.random.default_rng(1).integers(-5, 300, 1000).astype(np.int16),
        np.array([7, 3, 3, 1_000_000_000], dtype=np.int64),  # too wide a range to count
        np.array([5], dtype=np.uint8),
    ],
)
def test_integer_labels_are_coded_as_np_unique_codes_them(values: np.ndarray) -> None:
    from grandtour._validate import as_labels

    codes, names = as_labels(values, len(values))
    uniques, inverse = np.unique(values, return_inverse=True)
    assert names == [str(u) for u in uniques]
    np.testing.assert_array_equal(codes, inverse.reshape(-1))


def test_float32_points_are_normalised_as_float64_ones_are() -> None:
    X = np.random.default_rng(3).normal(size=(2000, 7)).astype(np.float32)
    np.testing.assert_array_equal(Tour(X).points(), Tour(X.astype(np.float64)).points())
