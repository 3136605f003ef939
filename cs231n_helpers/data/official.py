"""CS231n's ``cs231n/data_utils.py``, with the official names, signatures and results.

What the official assignment notebooks import (2024-2026 starter code), made safe and clear:

* :func:`load_pickle` (``f``: an open file) - through the restricted unpickler: a batch file
  that carries code is refused before any of it runs;
* :func:`load_CIFAR_batch` (``filename``) and :func:`load_CIFAR10` (``ROOT``) - images
  ``N x 32 x 32 x 3`` **float64** (pixel values 0..255), labels int64, as the official ones;
* :func:`get_CIFAR10_data` - the official dict: ``X_train y_train X_val y_val X_test y_test``,
  images NCHW float64 with the training mean image subtracted, labels int64.

Differences, each deliberate: the data are found where ours are (``ROOT`` or ``root``, else
``$CS231N_DATA`` or ``data/``; ``ROOT`` may be ``cifar-10-batches-py`` itself, as in the official
notebooks, or the folder that holds it) rather than inside the package; a missing file is a
:class:`~cs231n_helpers.data.cifar10.DataError` that says how to download; short batches (the
CI subset: 1,017 images each) load; asking :func:`get_CIFAR10_data` for more images than the
files hold is a ValueError naming the argument (the official one fails with an IndexError).
No synthetic fallback here: these names mean CIFAR-10.

Our own loaders keep their names and stay the default in our notebooks: ``load_cifar10``
(uint8), ``get_cifar10_data`` (float32, layouts, dev split, the synthetic fallback).
"""
from __future__ import annotations

import os

import numpy as np

from ..validation import as_int
from .cifar10 import load_batch, load_cifar10, require_cifar10, restricted_load

__all__ = ["load_pickle", "load_CIFAR_batch", "load_CIFAR10", "get_CIFAR10_data"]


def load_pickle(f):
    """Unpickle ``f`` (a file opened with ``open(path, "rb")``, or a path) as the official
    ``load_pickle`` does (``encoding="latin1"``), but with the restricted unpickler: only NumPy
    arrays, lists, dicts, strings and numbers; anything else is an ``UnpicklingError``."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return restricted_load(fh)
    if not (hasattr(f, "read") and hasattr(f, "readline")):
        raise ValueError(f"f must be a file opened with open(path, 'rb') (or a path), got {type(f).__name__}")
    return restricted_load(f)


def load_CIFAR_batch(filename):
    """One batch file: X (N, 32, 32, 3) float64 with values 0..255, y (N,) int64."""
    X, y = load_batch(filename)
    return X.astype(np.float64), y


def load_CIFAR10(ROOT=None):
    """All of CIFAR-10 as the official loader returns it: Xtr (50000, 32, 32, 3) float64,
    Ytr (50000,) int64, Xte (10000, 32, 32, 3) float64, Yte (10000,) int64 (fewer images for a
    subset). ``ROOT``: ``cifar-10-batches-py`` or the folder that holds it (default: ours)."""
    Xtr, Ytr, Xte, Yte = load_cifar10(ROOT)
    return Xtr.astype(np.float64), Ytr, Xte.astype(np.float64), Yte


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True, *, root=None):
    """The official splits: the first ``num_training`` training images, the next
    ``num_validation`` for validation, the first ``num_test`` test images; float64, the mean
    training image subtracted (``subtract_mean``), transposed to NCHW. Returns the dict
    ``{X_train, y_train, X_val, y_val, X_test, y_test}`` and nothing else.

    ``root`` (keyword only, ours): where to look, as ``ROOT`` of :func:`load_CIFAR10`.
    """
    num_training = as_int(num_training, "num_training", minimum=1)
    num_validation = as_int(num_validation, "num_validation", minimum=0)
    num_test = as_int(num_test, "num_test", minimum=0)
    folder = require_cifar10(root)
    Xtr, ytr, Xte, yte = load_cifar10(root)
    n_train, n_test = len(Xtr), len(Xte)
    if num_training + num_validation > n_train:
        val = min(num_validation, n_train // 5)
        raise ValueError(
            f"num_training + num_validation = {num_training:,} + {num_validation:,} = "
            f"{num_training + num_validation:,}, but the CIFAR-10 files in {folder} hold {n_train:,} "
            f"training images: ask for at most {n_train:,} in total, for example "
            f"get_CIFAR10_data(num_training={n_train - val}, num_validation={val}, num_test={min(num_test, n_test)})")
    if num_test > n_test:
        raise ValueError(f"num_test = {num_test:,}, but the CIFAR-10 files in {folder} hold {n_test:,} test "
                         f"images: ask for at most {n_test:,}")
    X_train = Xtr[:num_training].astype(np.float64)
    X_val = Xtr[num_training:num_training + num_validation].astype(np.float64)
    X_test = Xte[:num_test].astype(np.float64)
    if subtract_mean:
        mean_image = np.mean(X_train, axis=0)
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image
    return {
        "X_train": X_train.transpose(0, 3, 1, 2).copy(), "y_train": ytr[:num_training].copy(),
        "X_val": X_val.transpose(0, 3, 1, 2).copy(), "y_val": ytr[num_training:num_training + num_validation].copy(),
        "X_test": X_test.transpose(0, 3, 1, 2).copy(), "y_test": yte[:num_test].copy(),
    }
