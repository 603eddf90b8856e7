from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def blobs() -> tuple[np.ndarray, list[str]]:
    """600 points in 8-D, three labelled classes."""
    rng = np.random.default_rng(0)
    codes = np.repeat(np.arange(3), 200)
    points = rng.normal(size=(3, 8))[codes] * 3 + rng.normal(size=(600, 8))
    return points, [f"class {c}" for c in codes]
