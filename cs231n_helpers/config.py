"""One place for run-time settings: quick mode, where data lives, seeds.

Quick mode (``CS231N_QUICK=1``, set by the test suite) shrinks sizes and epochs so that every
notebook runs in at most 90 s on 2 CPU cores. Learners get full sizes by default. Notebooks
choose their sizes in one visible cell with :func:`pick`.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}


def quick_mode() -> bool:
    """True when ``CS231N_QUICK`` is set to 1/true/yes/on (the test suite sets it)."""
    return os.environ.get("CS231N_QUICK", "").strip().lower() in _TRUE


def pick(full, quick):
    """Return ``quick`` in quick mode, else ``full``: ``num_train = pick(5000, 1000)``."""
    return quick if quick_mode() else full


def data_dir() -> Path:
    """Folder that holds (or will hold) ``cifar-10-batches-py``: ``$CS231N_DATA`` or ``data/``."""
    env = os.environ.get("CS231N_DATA", "").strip()
    return Path(env).expanduser().resolve() if env else REPO_ROOT / "data"


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and (if imported) PyTorch; return the seed."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    return int(seed)


def mode_line() -> str:
    return "quick mode (CS231N_QUICK=1): sizes shrunk for CI" if quick_mode() else "full mode"
