"""CIFAR-10 on disk: the folder layout, the batch format and loading it safely.

The python version of CIFAR-10 is a folder ``cifar-10-batches-py/`` with ``data_batch_1..5``
and ``test_batch`` (pickled dicts: ``data`` N x 3072 uint8, each row the R, G and B planes of
32 x 32 pixels; ``labels`` a list of ints) and ``batches.meta`` (``label_names``). Pickles can
run code when loaded, so they are read with a restricted unpickler that allows only what a
NumPy array of bytes needs.
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..config import data_dir

COMMAND = "python -m cs231n_helpers.data"  # the command line, as the messages name it
FOLDER = "cifar-10-batches-py"
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"
BATCH_FILES = TRAIN_FILES + [TEST_FILE]
META_FILE = "batches.meta"
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
FULL_TRAIN, FULL_TEST = 50_000, 10_000


class DataError(RuntimeError):
    """Data could not be found, downloaded, verified or loaded; the message says what to do."""


def data_root(root=None) -> Path:
    """``root`` as a Path, or the data folder (``$CS231N_DATA`` or the repository's ``data/``)."""
    return Path(root) if root is not None else data_dir()


def is_full_size(num_train, num_test) -> bool:
    """True for all 50,000 training and 10,000 test images, False for a subset."""
    return (num_train, num_test) == (FULL_TRAIN, FULL_TEST)


# --------------------------------------------------------------------------- safe loading
class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler for the CIFAR-10 batches: only what a NumPy array of bytes needs is allowed."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name} from a CIFAR-10 batch file: only NumPy arrays, "
            "lists, dicts, strings and numbers are allowed. The file is not a genuine CIFAR-10 "
            f"batch; delete it and download again ({COMMAND} download)."
        )


def restricted_load(f):
    """Unpickle the open binary file ``f`` with the restricted unpickler (``latin1`` strings,
    as CIFAR-10's Python 2 pickles need): NumPy arrays, lists, dicts, strings and numbers only;
    anything else is a ``pickle.UnpicklingError`` before any of it runs."""
    return _RestrictedUnpickler(f, encoding="latin1").load()


def safe_unpickle(path) -> dict:
    """Load one CIFAR-10 pickle with the restricted unpickler; keys come back as ``str``."""
    path = Path(path)
    with open(path, "rb") as f:
        obj = restricted_load(f)
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a pickled dict, found {type(obj).__name__}")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in obj.items()}


def load_batch(path):
    """Load one batch: X of shape (N, 32, 32, 3) uint8 and y of shape (N,) int64.

    Works for short batches (fewer than 10,000 rows) as well.
    """
    d = safe_unpickle(path)
    if "data" not in d or "labels" not in d:
        raise DataError(f"{path}: not a CIFAR-10 batch (keys {sorted(d)}; expected 'data' and 'labels')")
    X = np.asarray(d["data"], dtype=np.uint8)
    y = np.asarray(d["labels"], dtype=np.int64)
    if X.ndim != 2 or X.shape[1] != 3072 or len(y) != len(X):
        raise DataError(f"{path}: 'data' has shape {X.shape} with {len(y)} labels; expected N x 3072 and N labels")
    if len(y) and (y.min() < 0 or y.max() > 9):
        raise DataError(f"{path}: labels outside 0..9")
    # rows are R plane, G plane, B plane (32 x 32 each) -> (N, 32, 32, 3)
    return X.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), y


# --------------------------------------------------------------------------- the folder
def cifar10_folder(root=None) -> Path:
    """The ``cifar-10-batches-py`` folder in ``root``, or ``root`` itself if it is that folder
    (by name, or because it holds the batch files directly, as CS231n's ``ROOT`` does)."""
    root = data_root(root)
    return root if root.name == FOLDER or (root / TEST_FILE).is_file() else root / FOLDER


def cifar10_present(root=None) -> bool:
    """True when all six batch files are in :func:`cifar10_folder`."""
    folder = cifar10_folder(root)
    return all((folder / f).is_file() for f in BATCH_FILES)


def require_cifar10(root=None) -> Path:
    """:func:`cifar10_folder`, or a DataError that says how to get CIFAR-10 when a file is missing."""
    folder = cifar10_folder(root)
    if not cifar10_present(root):
        raise DataError(
            f"CIFAR-10 not found in {folder}. Run `{COMMAND} download` "
            "(or `... download --from PATH` with a local cifar-10-python.tar.gz), or set "
            "CS231N_DATA to the folder that holds cifar-10-batches-py/."
        )
    return folder


def load_cifar10(root=None):
    """Our loader: Xtr, Ytr, Xte, Yte with images N x 32 x 32 x 3 **uint8** (4x smaller than
    the official float64, see :func:`cs231n_helpers.data.official.load_CIFAR10`) and int64
    labels, from ``root`` (default ``$CS231N_DATA`` or ``data/``)."""
    folder = require_cifar10(root)
    parts = [load_batch(folder / f) for f in TRAIN_FILES]
    Xtr = np.concatenate([p[0] for p in parts])
    Ytr = np.concatenate([p[1] for p in parts])
    Xte, Yte = load_batch(folder / TEST_FILE)
    return Xtr, Ytr, Xte, Yte


def class_names(root=None) -> list[str]:
    """The class names from ``batches.meta`` when it is there, else :data:`CLASS_NAMES`."""
    meta = cifar10_folder(root) / META_FILE
    if meta.is_file():
        names = safe_unpickle(meta).get("label_names")
        if names:
            return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    return list(CLASS_NAMES)
