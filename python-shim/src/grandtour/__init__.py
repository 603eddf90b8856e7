"""grandtour: the Grand Tour of neural-network activations, live in Jupyter."""

from .tour import Tour

__all__ = ["Tour"]
__version__ = "0.1.0"
