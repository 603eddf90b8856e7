"""Lenses: colour by attributes, epochs, movement, difference, layer similarity and its map."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _remove_buffers

import grandtour
from grandtour import SimilarityMap, Tour, layer_similarity, movement
from grandtour.lenses import difference


def wire(widget: Any) -> tuple[dict[str, Any], list[list[Any]], list[memoryview]]:
    return _remove_buffers(widget.get_state())


def rotation(d: int, seed: int = 0) -> np.ndarray:
    """A random proper rotation (det +1)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


@pytest.fixture
def points() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(40, 5))


# -- colour by: attributes --------------------------------------------------------------------


def attrs(tour: Tour) -> dict[str, dict[str, Any]]:
    return tour.attributes


def test_attributes_travel_as_binary_with_their_kinds(points: np.ndarray) -> None:
    n = len(points)
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "confidence": rng.random(n),
            "correct": rng.random(n) > 0.3,
            "digit": rng.integers(0, 10, n),  # ≤ 12 distinct ints: classes
            "step": np.arange(n) * 7,  # many distinct ints: a scale
            "split": rng.choice(["train", "test"], n),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"], ordered=True),
            "kind": pd.Categorical(rng.choice(["x", "y"], n)),
        }
    )
    t = Tour(points, data=df)
    kinds = {name: a["kind"] for name, a in attrs(t).items()}
    assert kinds == {
        "confidence": "continuous",
        "correct": "categorical",
        "digit": "categorical",
        "step": "continuous",
        "split": "categorical",
        "size": "ordinal",
        "kind": "categorical",
    }
    state, paths, buffers = wire(t)
    for i, entry in enumerate(state["_attributes"]):
        assert ["_attributes", i, "values", "view"] in paths
        assert set(entry) >= {"name", "kind", "values", "categories"}
    confidence = state["_attributes"][0]
    assert confidence["values"]["dtype"] == "float32" and confidence["categories"] == []
    np.testing.assert_allclose(confidence["range"], [df.confidence.min(), df.confidence.max()])
    raw = buffers[paths.index(["_attributes", 0, "values", "view"])]
    np.testing.assert_array_equal(np.frombuffer(raw, dtype="<f4"), df.confidence.to_numpy(np.float32))
    assert state["_attributes"][1]["categories"] == ["False", "True"]
    assert state["_attributes"][1]["values"]["dtype"] == "uint8"
    # The ordered categorical keeps its order: it is the scale.
    size = attrs(t)["size"]
    assert size["categories"] == ["S", "M", "L"]
    np.testing.assert_array_equal(size["values"], df["size"].cat.codes.to_numpy())
    assert "range" not in state["_attributes"][1]
    assert t.color_by == "label"


def test_missing_values(points: np.ndarray) -> None:
    n = len(points)
    values = np.linspace(0, 1, n)
    values[[3, 7]] = np.nan
    words: list[Any] = ["a", "b"] * (n // 2)
    words[5] = None
    counts = pd.array([1, 2, None, 4] * (n // 4), dtype="Int64")
    flags: list[Any] = [True, False] * (n // 2)
    flags[0] = None
    t = Tour(points, data={"score": values, "word": words, "count": counts, "flag": flags})
    a = attrs(t)
    # Continuous: NaN stays NaN (drawn grey); the range is over the finite values.
    assert np.isnan(a["score"]["values"][[3, 7]]).all()
    assert a["score"]["range"] == (0.0, 1.0)
    # Categorical: missing values join a last category "missing".
    assert a["word"]["categories"] == ["a", "b", "missing"]
    assert a["word"]["values"][5] == 2
    assert a["count"]["kind"] == "categorical" and a["count"]["categories"] == ["1", "2", "4", "missing"]
    assert a["count"]["values"][2] == 3
    assert a["flag"]["categories"] == ["False", "True", "missing"] and a["flag"]["values"][0] == 2


def test_color_as_array_or_series_or_column(points: np.ndarray) -> None:
    n = len(points)
    score = np.arange(n, dtype=float)
    t = Tour(points, color=score)
    assert t.color_by == "color" and list(t.attributes) == ["color"]
    t = Tour(points, color=pd.Series(score, name="loss"))
    assert t.color_by == "loss" and list(t.attributes) == ["loss"]
    df = pd.DataFrame({"loss": score, "ok": score > 3})
    t = Tour(points, data=df, color="ok")
    assert t.color_by == "ok" and list(t.attributes) == ["loss", "ok"]
    t = Tour(points, data=df, color=df["loss"])  # the same column: not added twice
    assert t.color_by == "loss" and list(t.attributes) == ["loss", "ok"]
    t.color_by = "ok"
    t.color_by = "label"
    assert t.color_by == "label"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"color": np.arange(39.0)}, ValueError, "39 values but the embedding has 40"),
        ({"data": {"x": np.arange(41)}}, ValueError, "41 values but the embedding has 40"),
        ({"data": {"x": np.ones((40, 2))}}, ValueError, "1-D"),
        ({"color": "nope", "data": {"x": np.arange(40)}}, ValueError, r"not a column of data; the columns are \['x'\]"),
        ({"color": "x"}, ValueError, "no data= was given"),
        ({"data": {"x": np.r_[np.inf, np.arange(39.0)]}}, ValueError, "1 infinite value; the first is at index 0"),
        ({"data": {"x": np.full(40, np.nan)}}, ValueError, "every entry is missing"),
        ({"data": {"x": np.arange(40) + 1j}}, TypeError, "unsupported dtype complex"),
        ({"data": {"when": pd.date_range("2020", periods=40).to_numpy()}}, TypeError, "unsupported dtype datetime64"),
        ({"data": {"x": ["a", 1] * 20}}, TypeError, "mixes value types"),
        ({"data": {"x": [object()] * 40}}, TypeError, "unsupported values"),
        ({"data": {"label": np.arange(40)}}, ValueError, "clashes with the built-in colouring 'label'"),
        ({"data": [1, 2]}, TypeError, "DataFrame or a mapping"),
        ({"color_by": "nope"}, ValueError, r"choose one of \['label'\]"),
        ({"color_by": "movement"}, ValueError, "not available"),  # one layer: nothing moves
        ({"color_by": "difference"}, ValueError, "not available"),  # not in a comparison
        ({"color": np.arange(40.0), "color_by": "label"}, ValueError, "disagree"),
        ({"depth": "yes"}, TypeError, "depth must be a bool"),
    ],
)
def test_bad_colour_arguments_are_rejected(points: np.ndarray, kwargs: dict[str, Any], error: type, match: str) -> None:
    import gc

    from ipywidgets.widgets.widget import _instances

    gc.collect()
    before = len(_instances)
    with pytest.raises(error, match=match):
        Tour(points, **kwargs)
    assert len(_instances) == before  # nothing half-built


def test_color_by_assignment_is_validated_and_names_the_choices(points: np.ndarray) -> None:
    t = Tour({"a": points, "b": points[:, :3]}, data={"score": np.arange(40.0)})
    assert t.colorings == ["label", "score", "movement"]
    t.color_by = "movement"
    with pytest.raises(ValueError, match=r"choose one of \['label', 'score', 'movement'\]"):
        t.color_by = "difference"
    assert t.color_by == "movement"  # unchanged


def test_view_options_are_traits(points: np.ndarray) -> None:
    t = Tour(points, depth=True, guided=True, show_fps=True)
    state, _, _ = wire(t)
    assert (state["depth"], state["guided"], state["show_fps"]) == (True, True, True)
    t = Tour(points)
    assert (t.depth, t.guided, t.show_fps) == (False, False, False)


# -- epochs -----------------------------------------------------------------------------------


def test_epochs_on_the_wire(points: np.ndarray) -> None:
    stack = {1: {"in": points, "out": points[:, :3]}, 10: {"in": points * 2, "out": points[:, 2:]}}
    t = Tour(stack, np.arange(40) % 2)
    assert t.epochs == ("1", "10") and t.epoch == "1" and t.layers == ("in", "out")
    state, paths, _ = wire(t)
    assert state["_epochs"] == ["1", "10"]
    assert [(e["epoch"], e["name"], e["points"]["shape"]) for e in state["_layers"]] == [
        ("1", "in", [40, 5]),
        ("1", "out", [40, 3]),
        ("10", "in", [40, 5]),
        ("10", "out", [40, 3]),
    ]
    assert ["_layers", 3, "points", "view"] in paths
    t.layer = "out"
    t.epoch = "10"
    np.testing.assert_array_equal(t.points(), t.points("out", 10))
    assert not np.array_equal(t.points("out", "1"), t.points("out", "10"))
    with pytest.raises(ValueError, match=r"epoch '3' is not one of \['1', '10'\]"):
        t.epoch = "3"
    assert t.epoch == "10"
    assert Tour(stack, epoch=10).epoch == "10"


def test_single_level_inputs_have_no_epochs(points: np.ndarray) -> None:
    t = Tour({"a": points, "b": points})
    state, _, _ = wire(t)
    assert state["_epochs"] == [] and state["epoch"] == ""
    assert all("epoch" not in layer for layer in state["_layers"])
    with pytest.raises(ValueError, match="no epochs"):
        t.epoch = "1"


@pytest.mark.parametrize(
    ("stack", "error", "match"),
    [
        ({"e1": {"a": "P", "b": "P"}, "e2": {"b": "P", "a": "P"}}, ValueError, "same layer names in the same order"),
        ({"e1": {"a": "P"}, "e2": {"a": "P", "b": "P"}}, ValueError, "same layer names"),
        ({"e1": {"a": "P"}, "e2": {"a": "Q"}}, ValueError, "same number of points"),
        ({"e1": {"a": "P"}, "e2": "P"}, TypeError, "every value must be a mapping"),
        ({1.5: {"a": "P"}}, TypeError, "strings or ints"),
        ({1: {"a": "P"}, "1": {"a": "P"}}, ValueError, "appears twice"),
        ({"e1": {}}, ValueError, "empty mapping"),
        ({"e1": {"a": "N"}}, ValueError, r"embedding\['e1'\]\['a'\] has 5 non-finite"),
    ],
)
def test_bad_epochs_are_rejected(points: np.ndarray, stack: dict[Any, Any], error: type, match: str) -> None:
    arrays = {"P": points, "Q": points[:30], "N": np.where(np.arange(40)[:, None] == 3, np.nan, points)}
    resolved = {e: (v if not isinstance(v, dict) else {k: arrays[x] for k, x in v.items()}) for e, v in stack.items()}
    resolved = {e: (arrays[v] if isinstance(v, str) else v) for e, v in resolved.items()}
    with pytest.raises(error, match=match):
        Tour(resolved)


def test_epoch_argument_needs_epochs(points: np.ndarray) -> None:
    with pytest.raises(ValueError, match="epoch= needs epochs"):
        Tour(points, epoch="1")
    with pytest.raises(ValueError, match="is not one of"):
        Tour({"1": {"a": points}}, epoch="2")


# -- movement and difference --------------------------------------------------------------------


def test_identical_layers_do_not_move(points: np.ndarray) -> None:
    t = Tour({"a": points, "b": points.copy(), "c": points * 3 + 1})  # normalised: all the same
    np.testing.assert_array_equal(movement(t, "a"), np.zeros(40))
    np.testing.assert_allclose(movement(t, "b"), 0, atol=1e-7)
    np.testing.assert_allclose(t.movement("c"), 0, atol=1e-6)


def test_a_known_shift_moves_by_its_distance() -> None:
    # Centred, largest row norm 1: normalisation leaves both layers as they are.
    a = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
    b = np.array([[1.0, 0, 0], [-1, 0, 0], [0, 0, 1], [0, 0, -1]])  # a 3rd dimension: zero-padded
    c = np.array([[1.0, 0, 0], [-1, 0, 0], [0, 0.5, 0], [0, -0.5, 0]])
    t = Tour({"a": a, "b": b, "c": c})
    np.testing.assert_allclose(t.movement("b"), [0, 0, np.sqrt(2), np.sqrt(2)], atol=1e-7)
    np.testing.assert_allclose(t.movement("c"), [0, 0, np.sqrt(1.25), np.sqrt(1.25)], atol=1e-7)
    t.layer = "c"
    np.testing.assert_allclose(t.movement(), t.movement("c"))


def test_movement_within_an_epoch(points: np.ndarray) -> None:
    t = Tour({"1": {"a": points, "b": points}, "2": {"a": points, "b": points[:, ::-1]}})
    np.testing.assert_allclose(t.movement("b", epoch="1"), 0, atol=1e-7)
    assert t.movement("b", epoch=2).max() > 0.1


def test_difference_of_a_rotated_copy_is_zero(points: np.ndarray) -> None:
    pair = grandtour.compare(points, points @ rotation(5), np.arange(40) % 2)
    np.testing.assert_allclose(difference(pair), 0, atol=1e-6)
    np.testing.assert_allclose(difference(pair.left, pair.right), 0, atol=1e-6)
    other = grandtour.compare(points, np.random.default_rng(9).normal(size=(40, 5)))
    assert difference(other).mean() > 0.2
    # A wider right side is compared zero-padded.
    padded = grandtour.compare(points, np.c_[points @ rotation(5, 1), np.zeros(40)])
    np.testing.assert_allclose(difference(padded), 0, atol=1e-6)


def test_difference_colouring_only_while_compared(points: np.ndarray) -> None:
    pair = grandtour.compare(points, points[:, ::-1], color_by="difference")
    assert pair.left.color_by == pair.right.color_by == "difference"
    assert "difference" in pair.right.colorings
    # A tour aligned onto another (``_align`` set) may colour by difference; unset, it may not.
    t = Tour(points)
    t._align = {"partner": pair.right._uid, "enabled": True}
    t.color_by = "difference"
    t._align = None
    assert t.color_by == "label"
    with pytest.raises(ValueError, match="not available"):
        t.color_by = "difference"


# -- layer similarity ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["cka", "nuclear"])
def test_similarity_of_identical_and_rotated_copies_is_one(points: np.ndarray, method: str) -> None:
    wide = np.random.default_rng(2).normal(size=(40, 90))  # wider than tall: the QR path
    layers = {"x": points, "rotated": points @ rotation(5) * 3 + 7, "wide": wide}
    copies = {"x": points.copy(), "rotated": points @ rotation(5, 4), "wide": wide @ rotation(90, 3)}
    matrix = layer_similarity(layers, copies, method=method)
    assert matrix.shape == (3, 3)
    np.testing.assert_allclose(matrix[:2, :2], 1, atol=1e-9)
    assert matrix[2, 2] == pytest.approx(1, abs=1e-9)
    np.testing.assert_allclose(layer_similarity(layers, method=method), layer_similarity(layers, method=method).T)


@pytest.mark.parametrize("method", ["cka", "nuclear"])
def test_unrelated_layers_are_far_less_similar(method: str) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2000, 10)), rng.normal(size=(2000, 10))
    assert layer_similarity({"a": a}, {"b": b}, method)[0, 0] < 0.2


def test_cka_matches_its_formula(points: np.ndarray) -> None:
    y = np.tanh(points @ np.random.default_rng(5).normal(size=(5, 7)))
    xc, yc = points - points.mean(0), y - y.mean(0)
    cka = np.linalg.norm(yc.T @ xc) ** 2 / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(yc.T @ yc))
    nuclear = np.linalg.svd(xc.T @ yc, compute_uv=False).sum() / (np.linalg.norm(xc) * np.linalg.norm(yc))
    assert layer_similarity({"x": points}, {"y": y}, "cka")[0, 0] == pytest.approx(cka)
    assert layer_similarity({"x": points}, {"y": y}, "nuclear")[0, 0] == pytest.approx(nuclear)
    # A subsample estimates it.
    assert 0 <= layer_similarity({"x": points}, {"y": y}, max_points=20)[0, 0] <= 1


def test_similarity_of_tours_and_bad_input(points: np.ndarray) -> None:
    t = Tour({"a": points, "b": points @ rotation(5)})
    np.testing.assert_allclose(layer_similarity(t), 1, atol=1e-6)
    assert np.isnan(layer_similarity({"flat": np.ones((40, 3))}, {"x": points})[0, 0])
    with pytest.raises(ValueError, match="method must be one of"):
        layer_similarity(t, method="cca")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same points"):
        layer_similarity({"a": points}, {"b": points[:10]})
    with pytest.raises(TypeError, match="must be a Tour, a mapping"):
        layer_similarity(points)


# -- the similarity map -------------------------------------------------------------------------


def test_similarity_map_traits(points: np.ndarray) -> None:
    left = Tour({"in": points, "mid": points[:, :3], "out": points @ rotation(5)})
    right = Tour({"in": points, "out": points[:, ::-1]})
    m = grandtour.similarity_map(left, right, method="nuclear")
    assert isinstance(m, SimilarityMap)
    state, paths, buffers = wire(m)
    assert state["_kind"] == "similarity" and "_kind" not in Tour(points).keys
    assert state["_matrix"]["dtype"] == "float32" and state["_matrix"]["shape"] == [3, 2]
    assert ["_matrix", "view"] in paths
    np.testing.assert_allclose(np.frombuffer(buffers[0], dtype="<f4").reshape(3, 2), m.matrix, atol=1e-6)
    assert state["row_names"] == ["in", "mid", "out"] and state["col_names"] == ["in", "out"]
    assert state["_tours"] == [left._uid, right._uid]
    assert state["method"] == "nuclear" and "nuclear" in state["title"]
    assert str(m._esm) == str(left._esm)  # one bundle draws tours and maps
    m.method = "cka"
    np.testing.assert_allclose(m.matrix, layer_similarity(left, right, "cka"))
    with pytest.raises(ValueError, match="method must be one of"):
        m.method = "cca"
    alone = grandtour.similarity_map(left)
    assert alone._tours == [left._uid, left._uid] and alone.matrix.shape == (3, 3)


def test_similarity_map_from_activations_and_epochs(points: np.ndarray) -> None:
    acts = {"in": points, "out": np.tanh(points @ np.ones((5, 4)))}
    t = Tour({"1": {"in": points, "out": points}, "2": {"in": points, "out": points[:, :2]}})
    m = grandtour.similarity_map(t, activations=acts, title="<b>not markup</b>")
    assert m.title == "<b>not markup</b>" and m.row_names == ["in", "out"]
    np.testing.assert_allclose(m.matrix, layer_similarity(acts))
    with pytest.raises(ValueError, match="the tour does not have"):
        grandtour.similarity_map(t, activations={"hidden": points})
    follows = grandtour.similarity_map(t)
    assert follows.matrix[0, 1] == pytest.approx(1)
    t.epoch = "2"
    assert follows.matrix[0, 1] < 1 - 1e-3
    follows.close()  # a closed map no longer follows its tour
    t.epoch = "1"
    assert follows.matrix[0, 1] < 1 - 1e-3


def test_compare_shows_the_map_under_the_pair(points: np.ndarray) -> None:
    left = {"in": points, "out": points @ rotation(5)}
    right = {"in": points[:, ::-1], "out": points}
    pair = grandtour.compare(left, right, np.arange(40) % 2, similarity="cka")
    assert isinstance(pair.map, SimilarityMap)
    assert pair.map._tours == [pair.left._uid, pair.right._uid]
    (column,) = pair.children
    assert column.children[1] is pair.map
    assert pair.left in column.children[0].children[0].children
    plain = grandtour.compare(points, points)
    assert plain.map is None and len(plain.children) == 2  # as before
    with pytest.raises(ValueError, match="similarity must be None or one of"):
        grandtour.compare(points, points, similarity="cca")
    acts = ({"in": points, "out": points}, {"in": points, "out": points[:, :2]})
    with_acts = grandtour.compare(left, right, similarity="nuclear", activations=acts)
    assert with_acts.map.matrix.shape == (2, 2) and with_acts.map.method == "nuclear"
