"""Torch for the reference side, imported once with its thread count set."""
from __future__ import annotations

_STATE = {"torch": None, "threads": None}


def setup(threads: int | None):
    """Import torch and give it ``threads`` intra-op threads (numpy's BLAS thread count)."""
    import torch

    if threads:
        torch.set_num_threads(int(threads))
    _STATE["torch"], _STATE["threads"] = torch, torch.get_num_threads()
    return torch


def get():
    if _STATE["torch"] is None:
        return setup(None)
    return _STATE["torch"]

