"""The one selector: which dataset the notebooks get, and CS231n-style splits of it.

``CS231N_DATASET=cifar10`` (default) loads CIFAR-10, downloading it if it is missing and that
is allowed, and falls back to the synthetic dataset, loudly, when that fails;
``CS231N_DATASET=synthetic`` asks for the synthetic dataset directly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from ..validation import as_int, check_choice
from .cifar10 import (CLASS_NAMES, COMMAND, DataError, cifar10_folder, cifar10_present, class_names,
                      is_full_size, load_cifar10)
from .download import download_cifar10
from .synthetic import SYNTHETIC_CLASS_NAMES, make_synthetic

DATASETS = ("cifar10", "synthetic")
LAYOUTS = ("NCHW", "NHWC", "flat")


@dataclass
class Dataset:
    """Images (N, 32, 32, 3) uint8 and labels (N,) int64, with where they came from.

    ``name`` is ``"cifar10"`` (all 50,000/10,000 images), ``"cifar10-subset"`` (real
    CIFAR-10 files with fewer images, e.g. the CI subset) or ``"synthetic"``. Notebooks key
    their accuracy bands on it.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list = field(default_factory=lambda: list(CLASS_NAMES))
    name: str = "cifar10"
    source: str = ""

    @property
    def is_real(self) -> bool:
        return self.name != "synthetic"

    def describe(self) -> str:
        return (f"{self.name}: {len(self.X_train):,} train / {len(self.X_test):,} test images "
                f"of 32x32x3, {len(self.class_names)} classes, from {self.source}")


SYNTHETIC_NOTICE = (
    "!" * 78 + "\n"
    "!! CIFAR-10 NOT FOUND - USING THE SYNTHETIC DATASET (shapes on coloured noise).\n"
    "!! Accuracies below are NOT CIFAR-10 numbers. To get real images run\n"
    f"!!   {COMMAND} download      (or: ... download --from FILE.tar.gz)\n"
    "!! or set CS231N_DATA to a folder that holds cifar-10-batches-py/.\n" + "!" * 78
)


def dataset_choice() -> str:
    """``$CS231N_DATASET`` (default ``cifar10``), checked."""
    choice = os.environ.get("CS231N_DATASET", "").strip() or "cifar10"
    return check_choice(choice, "CS231N_DATASET", DATASETS)


def load_dataset(name=None, root=None, download=None, verbose=True) -> Dataset:
    """Load the dataset chosen by ``name`` or ``$CS231N_DATASET``.

    ``cifar10``: load from ``root`` (default ``$CS231N_DATA`` or ``data/``); if missing and
    ``download`` is true (default: true unless ``CI`` is set), try to download it; if that
    fails too, fall back to the synthetic dataset with a loud notice.
    """
    name = check_choice(name or dataset_choice(), "name", DATASETS)
    if name == "cifar10":
        if not cifar10_present(root):
            if download is None:
                download = not os.environ.get("CI")
            if download:
                try:  # a quick attempt: offline machines fail at once and fall back below
                    download_cifar10(root, retries=2, backoff=1.0)
                except DataError as exc:
                    if verbose:
                        print(f"download failed: {exc}")
        if cifar10_present(root):
            Xtr, ytr, Xte, yte = load_cifar10(root)
            ds = Dataset(Xtr, ytr, Xte, yte, class_names(root),
                         "cifar10" if is_full_size(len(Xtr), len(Xte)) else "cifar10-subset",
                         str(cifar10_folder(root)))
            if verbose:
                print("Loaded " + ds.describe())
            return ds
        if verbose:
            print(SYNTHETIC_NOTICE)
    Xtr, ytr, Xte, yte = make_synthetic()
    ds = Dataset(Xtr, ytr, Xte, yte, list(SYNTHETIC_CLASS_NAMES), "synthetic", "make_synthetic(seed=0)")
    if verbose:
        print("Loaded " + ds.describe())
    return ds


def get_cifar10_data(num_training=49_000, num_validation=1_000, num_test=1_000, num_dev=0,
                     subtract_mean=True, layout="NCHW", bias_trick=False, dtype=np.float32,
                     dataset=None, seed=0, verbose=True):
    """CS231n-style splits as a dict of arrays.

    Training is the first ``num_training`` images, validation the next ``num_validation``,
    test the first ``num_test`` test images; ``num_dev`` (optional) is a random sample of
    the training set. Sizes larger than what is available are capped, with a one-line notice.

    layout: ``"NCHW"`` (N, 3, 32, 32), ``"NHWC"`` (N, 32, 32, 3) or ``"flat"`` (N, 3072, rows
    flattened from NHWC, as CS231n assignment 1). ``bias_trick`` appends a column of ones
    (``"flat"`` only). Returns keys X_train, y_train, X_val, y_val, X_test, y_test, (X_dev,
    y_dev), class_names, mean_image (or None), dataset (the Dataset's name), source.
    """
    num_training = as_int(num_training, "num_training", minimum=1)
    num_validation = as_int(num_validation, "num_validation", minimum=0)
    num_test = as_int(num_test, "num_test", minimum=1)
    num_dev = as_int(num_dev, "num_dev", minimum=0)
    layout = check_choice(layout, "layout", LAYOUTS)
    if bias_trick and layout != "flat":
        raise ValueError("bias_trick=True needs layout='flat' (a column of ones is appended to each row)")
    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset, verbose=verbose)
    avail = len(ds.X_train)
    n_val = num_validation
    if num_training + n_val > avail:
        n_val = num_validation if avail >= 2 * num_validation else min(num_validation, avail // 5)
    n_tr = min(num_training, avail - n_val)
    n_te = min(num_test, len(ds.X_test))
    n_dev = min(num_dev, n_tr)
    if (n_tr, n_val, n_te, n_dev) != (num_training, num_validation, num_test, num_dev) and verbose:
        print(f"note: asked for {num_training:,} train / {num_validation:,} val / {num_test:,} test"
              f"{f' / {num_dev:,} dev' if num_dev else ''}, {ds.name} has {avail:,} train + "
              f"{len(ds.X_test):,} test: using {n_tr:,} / {n_val:,} / {n_te:,}{f' / {n_dev:,}' if num_dev else ''}")
    out = {
        "X_train": ds.X_train[:n_tr], "y_train": ds.y_train[:n_tr],
        "X_val": ds.X_train[n_tr:n_tr + n_val], "y_val": ds.y_train[n_tr:n_tr + n_val],
        "X_test": ds.X_test[:n_te], "y_test": ds.y_test[:n_te],
    }
    if num_dev:
        idx = np.random.default_rng(seed).choice(n_tr, n_dev, replace=False)
        out["X_dev"], out["y_dev"] = ds.X_train[idx], ds.y_train[idx]
    mean_image = out["X_train"].mean(axis=0, dtype=np.float64).astype(dtype) if subtract_mean else None
    for key in [k for k in out if k.startswith("X_")]:
        X = out[key].astype(dtype)
        if mean_image is not None:
            X -= mean_image
        if layout == "NCHW":
            X = X.transpose(0, 3, 1, 2).copy()
        elif layout == "flat":
            X = X.reshape(len(X), 32 * 32 * 3)
            if bias_trick:
                X = np.hstack([X, np.ones((len(X), 1), dtype=dtype)])
        out[key] = X
    if mean_image is not None and layout == "NCHW":
        mean_image = mean_image.transpose(2, 0, 1).copy()
    out.update(class_names=list(ds.class_names), mean_image=mean_image, dataset=ds.name, source=ds.source)
    return out
