"""Every kind of bad input is refused at the call that received it, with a message that
names the argument and the problem, and leaves nothing behind."""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances

from grandtour import Tour

GOOD = np.arange(40, dtype=float).reshape(10, 4)
LABELS = ["a", "b"] * 5


def nan_at(row: int, col: int) -> np.ndarray:
    bad = GOOD.copy()
    bad[row, col] = np.nan
    return bad


CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("NaN", {"embedding": nan_at(3, 2)}, ValueError, r"embedding has 1 non-finite value .*row 3, column 2"),
    ("inf", {"embedding": np.where(GOOD > 30, np.inf, GOOD)}, ValueError, r"embedding has 9 non-finite values .*row 7, column 3"),
    ("ragged list", {"embedding": [[1, 2], [3]]}, ValueError, r"embedding is ragged"),
    ("strings", {"embedding": [["a", "b"], ["c", "d"]]}, TypeError, r"embedding has dtype <U1"),
    ("a string", {"embedding": "points"}, TypeError, r"embedding is a str"),
    ("object array", {"embedding": np.array([[1, None], [2, 3]], dtype=object)}, TypeError, r"embedding has dtype object"),
    ("complex", {"embedding": GOOD.astype(complex)}, TypeError, r"embedding is complex"),
    ("1-D", {"embedding": np.arange(5.0)}, ValueError, r"embedding must be 2-D .* got shape \(5,\)"),
    ("3-D", {"embedding": np.zeros((2, 3, 4))}, ValueError, r"got shape \(2, 3, 4\); pass one \(n, d\) array, or a dict"),
    ("d = 1", {"embedding": np.zeros((5, 1))}, ValueError, r"embedding has d = 1 dimension; a tour needs at least 2"),
    ("n = 0", {"embedding": np.zeros((0, 3))}, ValueError, r"embedding has no points"),
    ("None", {"embedding": None}, TypeError, r"embedding is None"),
    ("beyond float32", {"embedding": GOOD * 1e300}, ValueError, r"beyond float32 range"),
    ("empty layers", {"embedding": {}}, ValueError, r"embedding is an empty mapping"),
    ("layers with different n", {"embedding": {"a": GOOD, "b": GOOD[:5]}}, ValueError, r"same number of points; got \{'a': 10, 'b': 5\}"),
    ("NaN in a layer", {"embedding": {"a": GOOD, "b": nan_at(0, 0)}}, ValueError, r"embedding\['b'\] has 1 non-finite"),
    ("labels too short", {"labels": ["a"] * 9}, ValueError, r"labels has 9 entries but the embedding has 10 points"),
    ("labels too long", {"labels": ["a"] * 11}, ValueError, r"labels has 11 entries"),
    ("labels with None", {"labels": ["a"] * 9 + [None]}, ValueError, r"labels has 1 missing values .* index 9"),
    ("labels with NaN", {"labels": [1.0] * 4 + [np.nan] + [2.0] * 5}, ValueError, r"labels has 1 missing values .* index 4"),
    ("labels 2-D", {"labels": np.zeros((10, 2))}, ValueError, r"labels must be 1-D"),
    ("labels mixed types", {"labels": ["a"] * 5 + [1] * 5}, TypeError, r"labels mix types \(int, str\)"),
    ("labels non-integer floats", {"labels": np.linspace(0, 1, 10)}, TypeError, r"non-integer floats"),
    ("categorical with missing", {"labels": pd.Categorical(["a"] * 9 + [None])}, ValueError, r"labels has 1 missing values"),
    ("selected out of range", {"selected": [3, 10]}, ValueError, r"selected has 1 indices outside \[0, 10\); the first is 10"),
    ("selected negative", {"selected": [-1]}, ValueError, r"selected has 1 indices outside \[0, 10\); the first is -1"),
    ("selected float", {"selected": [1.5]}, TypeError, r"selected must hold integer indices"),
    ("selected duplicated", {"selected": [2, 2, 3]}, ValueError, r"selected has 1 duplicated indices"),
    ("selected mask of wrong length", {"selected": np.ones(4, dtype=bool)}, ValueError, r"boolean mask of length 4 but there are 10"),
    ("speed negative", {"speed": -1}, ValueError, r"speed must be finite and >= 0; got -1.0"),
    ("speed NaN", {"speed": float("nan")}, ValueError, r"speed must be finite"),
    ("speed inf", {"speed": float("inf")}, ValueError, r"speed must be finite"),
    ("speed a string", {"speed": "fast"}, TypeError, r"speed must be a number; got str"),
    ("projection not orthonormal", {"projection": np.ones((4, 2))}, ValueError, r"projection columns must be orthonormal"),
    ("projection wrong shape", {"projection": np.eye(3)[:, :2]}, ValueError, r"projection must have shape \(4, 2\)"),
    ("unknown layer", {"layer": "conv9"}, ValueError, r"layer 'conv9' is not one of \['embedding'\]"),
    ("seed a float", {"seed": 1.5}, TypeError, r"seed must be an int"),
    ("height too small", {"height": 3}, ValueError, r"height must be an int from 50 to 5000"),
]


@pytest.mark.parametrize(("case", "kwargs", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(
    case: str, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    args = {"embedding": GOOD, "labels": LABELS, **kwargs}
    embedding = args.pop("embedding")
    gc.collect()
    before = len(_instances)
    with pytest.raises(error, match=message):
        Tour(embedding, **args)
    # Nothing half-built: no widget (and no comm) was opened.
    assert len(_instances) == before


ASSIGNMENTS: list[tuple[str, Any, type[Exception], str]] = [
    ("selected", [99], ValueError, r"outside \[0, 10\)"),
    ("selected", [0.5], TypeError, r"integer indices"),
    ("selected", [1, 1], ValueError, r"duplicated"),
    ("speed", -2.0, ValueError, r"speed must be finite and >= 0"),
    ("speed", float("nan"), ValueError, r"speed must be finite"),
    ("projection", np.ones((4, 2)), ValueError, r"orthonormal"),
    ("projection", np.eye(5)[:, :2], ValueError, r"shape \(4, 2\)"),
    ("layer", "nope", ValueError, r"not one of"),
    ("height", 10, ValueError, r"height must be from 50"),
]


@pytest.mark.parametrize(("trait", "value", "error", "message"), ASSIGNMENTS, ids=[f"{a[0]}={a[1]!r}"[:40] for a in ASSIGNMENTS])
def test_rejected_assignment_leaves_state_as_it_was(trait: str, value: Any, error: type[Exception], message: str) -> None:
    t = Tour(GOOD, LABELS, selected=[1, 2])
    before = {name: t.get_state()[name] for name in ("selected", "speed", "projection", "layer", "height")}
    with pytest.raises(error, match=message):
        setattr(t, trait, value)
    after = {name: t.get_state()[name] for name in before}
    assert bytes(after["selected"]["view"]) == bytes(before["selected"]["view"])
    assert after["speed"] == before["speed"]
    assert after["projection"] == before["projection"]
    assert after["layer"] == before["layer"]
    assert after["height"] == before["height"]
    t.close()
