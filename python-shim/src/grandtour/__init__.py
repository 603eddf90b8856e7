"""grandtour: the Grand Tour of neural-network activations, live in Jupyter."""

from .link import Comparison, Link, compare, link
from .tour import Tour

__all__ = ["Comparison", "Link", "Tour", "compare", "link"]
__version__ = "0.1.0"
