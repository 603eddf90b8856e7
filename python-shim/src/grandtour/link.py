"""Tours that move together: linked tours in adjacent cells, and two models side by side."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import ipywidgets
import numpy as np

from .tour import Tour

if TYPE_CHECKING:
    from .lenses import SimilarityMap


class Link:
    """A link between tours (see :func:`link`); :meth:`unlink` undoes it."""

    def __init__(self, tours: tuple[Tour, ...], group: str) -> None:
        self.tours = tours
        self.group = group

    def unlink(self) -> None:
        """Let each tour move on its own again."""
        for tour in self.tours:
            if tour._link and tour._link.get("group") == self.group:
                tour._link = None

    def __repr__(self) -> str:
        return f"Link({len(self.tours)} tours, group {self.group[:8]})"


def link(*tours: Tour, selection: bool = True, handles: bool = False) -> Link:
    """Make tours rotate in lockstep and steer together, in the browser.

    The linked tours share one rotation clock and, for layers of the same dimension, one
    orientation: they turn together, a drag in one steers all, and pausing one pauses all.
    It all happens in the front end (no kernel round trip), so it holds in published HTML.

    Parameters
    ----------
    *tours : Tour
        Two or more tours. Shown in adjacent cells, they move as one.
    selection : bool, default True
        Share the selection too (the tours must have the same number of points, matched by
        index). Each tour's ``selected`` follows.
    handles : bool, default False
        Share handles as well.

    Returns
    -------
    Link
        Call ``.unlink()`` to undo.
    """
    if len(tours) < 2:
        raise ValueError(f"link needs at least two tours; got {len(tours)}")
    for i, tour in enumerate(tours):
        if not isinstance(tour, Tour):
            raise TypeError(f"link takes Tour objects; argument {i} is a {type(tour).__name__}")
    if selection or handles:
        sizes = [tour._n for tour in tours]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"linked selection or handles need the same number of points in every tour; got {sizes}"
            )
    group = uuid.uuid4().hex
    for tour in tours:
        tour._link = {"group": group, "selection": bool(selection), "handles": bool(handles)}
    return Link(tours, group)


class Comparison(ipywidgets.HBox):
    """Two embeddings of the same points side by side (see :func:`compare`).

    With a layer-similarity map (``compare(..., similarity="cka")``) the box holds one column:
    the pair, then the map under it (``.map``); without one, the two titled views directly.
    """

    def __init__(
        self, left: Tour, right: Tour, names: tuple[str, str], similarity_map: SimilarityMap | None = None
    ) -> None:
        self.left = left
        self.right = right
        self.names = names
        self.map = similarity_map
        self._link = link(left, right, selection=True, handles=True)
        # Each side may colour by "difference": the tour knows its partner.
        left._partner, right._partner = right, left
        titled = [
            ipywidgets.VBox([ipywidgets.Label(value=name), tour], layout=ipywidgets.Layout(flex="1 1 0", min_width="0"))
            for name, tour in zip(names, (left, right))
        ]
        if similarity_map is None:
            children: list[ipywidgets.Widget] = titled
        else:
            # An HBox of one column keeps `Comparison` an HBox (and the plain pair's widget tree
            # as it was) while the map sits under the pair.
            pair = ipywidgets.HBox(titled, layout=ipywidgets.Layout(width="100%"))
            children = [ipywidgets.VBox([pair, similarity_map], layout=ipywidgets.Layout(flex="1 1 0", min_width="0"))]
        super().__init__(children, layout=ipywidgets.Layout(width="100%"))

    @property
    def selected(self) -> np.ndarray:
        """The shared selection (indices into both embeddings)."""
        return self.left.selected

    @selected.setter
    def selected(self, value: Any) -> None:
        self.left.selected = value
        self.right.selected = self.left.selected

    @property
    def aligned(self) -> bool:
        """Whether the left view is rotated onto the right (the ⇄ align toggle)."""
        return bool(self.left._align and self.left._align.get("enabled"))

    @aligned.setter
    def aligned(self, value: bool) -> None:
        self.left._align = {"partner": self.right._uid, "enabled": bool(value)}


def compare(
    left: Any,
    right: Any,
    labels: Any = None,
    *,
    names: tuple[str, str] = ("left", "right"),
    align: bool = False,
    height: int = 420,
    similarity: str | None = None,
    activations: Any = None,
    **options: Any,
) -> Comparison:
    """Two models' embeddings of the same inputs, side by side, touring as one.

    Both views share one WebGL context, one tour and one steering; points are matched by
    index, so brushing in one selects in both, and handles appear in both at each side's
    own centroid. The left view's ⇄ align toggle (or ``aligned = True``) rotates it onto
    the right one by orthogonal Procrustes, computed in the browser on a deterministic
    sample of the matched points, so that corresponding clusters line up.

    Parameters
    ----------
    left, right : array-like (n, d) or mapping of layers
        The two embeddings; same n, and the same d for the layers compared (embed both with
        :func:`grandtour.embed_layers` to give every layer the same dimension).
    labels : array-like of shape (n,), optional
        Shared labels.
    names : (str, str)
        Titles above the two views.
    align : bool, default False
        Start aligned.
    height : int
        Height of each view in pixels.
    similarity : {"cka", "nuclear"}, optional
        Show a layer-similarity map of the two models under the pair (rows: left layers,
        columns: right layers; see :func:`grandtour.layer_similarity`). Hovering a cell marks
        both layer strips, clicking sets both views' layers.
    activations : pair of mappings, optional
        With ``similarity``: compute it from ``(activations_left, activations_right)``
        (``{layer: array}``, keys among each side's layer names) instead of the embeddings.
    **options
        Passed to both :class:`Tour` objects (``color_by="difference"`` included).
    """
    from .lenses import METHODS, similarity_map

    if similarity is not None and similarity not in METHODS:
        raise ValueError(f"similarity must be None or one of {list(METHODS)}; got {similarity!r}")
    if activations is not None and similarity is None:
        raise ValueError("activations= is for the similarity map: pass similarity='cka' or 'nuclear' too")
    # "difference" needs the pair: set it once both tours are compared.
    color_by = options.pop("color_by", None)
    left_tour = Tour(left, labels, height=height, **options)
    try:
        right_tour = Tour(right, labels, height=height, **options)
    except Exception:
        left_tour.close()
        raise
    made: list[Any] = [left_tour, right_tour]
    try:
        if left_tour._n != right_tour._n:
            raise ValueError(f"compare needs the same points on both sides; got {left_tour._n} and {right_tour._n}")
        pair_map = (
            None
            if similarity is None
            else similarity_map(left_tour, right_tour, similarity, activations)  # type: ignore[arg-type]
        )
        if pair_map is not None:
            made.append(pair_map)
        comparison = Comparison(left_tour, right_tour, names, pair_map)
        made.append(comparison)
        comparison.aligned = align
        if color_by is not None:
            left_tour.color_by = right_tour.color_by = color_by
    except Exception:
        # Nothing half-built: close whatever widgets this call opened.
        for widget in made:
            widget.close()
        raise
    return comparison
