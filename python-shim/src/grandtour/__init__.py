"""grandtour: the Grand Tour of neural-network activations, live in Jupyter."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .activations import activations
from .embed import embed_layers
from .lenses import SimilarityMap, difference, layer_similarity, movement, similarity_map
from .link import Comparison, Link, compare, link
from .tour import Tour

__all__ = [
    "Comparison",
    "Link",
    "SimilarityMap",
    "Tour",
    "activations",
    "compare",
    "difference",
    "embed_layers",
    "layer_similarity",
    "link",
    "movement",
    "save_html",
    "similarity_map",
]
__version__ = "0.1.0"


def save_html(path: str | os.PathLike[str], *tours: Any, title: str | None = None) -> Path:
    """Write `tours` to one self-contained HTML file that works offline; returns its path.

    See :func:`grandtour.publish.save_html`.
    """
    # Imported here, so that ``python -m grandtour.publish`` runs a module not yet imported.
    from .publish import save_html as _save_html

    return _save_html(path, *tours, title=title)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt JupyterLab extension sits (for ``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "grandtour"}]
