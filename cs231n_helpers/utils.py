"""Small language helpers for the notebooks.

``add_to_class`` lets a notebook build a class one method per cell (the d2l pattern), so an
exercise never hides inside a long class cell::

    class KNearestNeighbor:
        def train(self, X, y): ...

    @add_to_class(KNearestNeighbor)            # a later cell, next to its explanation
    def compute_distances_two_loops(self, X):
        ...

The exported module contains the same cells in the same order, so it works there too.
"""
from __future__ import annotations

__all__ = ["add_to_class"]


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as a method (under its own name) and
    return it unchanged. Re-running the cell replaces the method, so edits take effect."""
    if not isinstance(cls, type):
        raise ValueError(f"add_to_class needs a class, got {cls!r}")

    def attach(fn):
        setattr(cls, fn.__name__, fn)
        return fn

    return attach
