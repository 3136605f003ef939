"""CIFAR-10: verified download, offline import, safe loading, CS231n splits, synthetic fallback.

Where data lives: ``$CS231N_DATA`` if set, else the repository's ``data/`` folder; the
loader looks for ``cifar-10-batches-py/`` inside it.

Which dataset: ``CS231N_DATASET=cifar10`` (default; falls back to the synthetic set, loudly,
when CIFAR-10 is neither present nor downloadable) or ``CS231N_DATASET=synthetic``.

Command line::

    python -m cs231n_helpers.data status            # what is there, where
    python -m cs231n_helpers.data download          # fetch + verify + extract (resumes)
    python -m cs231n_helpers.data download --from ~/Downloads/cifar-10-python.tar.gz
    python -m cs231n_helpers.data verify            # md5 of the archive and sanity of the batches
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import pickle
import shutil
import sys
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import data_dir

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_SIZE = 170_498_071
ARCHIVE_NAME = "cifar-10-python.tar.gz"
FOLDER = "cifar-10-batches-py"
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
FULL_TRAIN, FULL_TEST = 50_000, 10_000


class DataError(RuntimeError):
    """Data could not be found, downloaded, verified or loaded; the message says what to do."""


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
            "batch; delete it and download again (python -m cs231n_helpers.data download)."
        )


def safe_unpickle(path) -> dict:
    """Load one CIFAR-10 pickle with the restricted unpickler; keys come back as ``str``."""
    path = Path(path)
    with open(path, "rb") as f:
        obj = _RestrictedUnpickler(f, encoding="latin1").load()
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


def cifar10_folder(root=None) -> Path:
    root = Path(root) if root is not None else data_dir()
    return root if root.name == FOLDER else root / FOLDER


def cifar10_present(root=None) -> bool:
    folder = cifar10_folder(root)
    return all((folder / f).is_file() for f in TRAIN_FILES + [TEST_FILE])


def load_CIFAR10(root=None):
    """CS231n-compatible: return Xtr, Ytr, Xte, Yte (images N x 32 x 32 x 3 uint8)."""
    folder = cifar10_folder(root)
    if not cifar10_present(root):
        raise DataError(
            f"CIFAR-10 not found in {folder}. Run `python -m cs231n_helpers.data download` "
            "(or `... download --from PATH` with a local cifar-10-python.tar.gz), or set "
            "CS231N_DATA to the folder that holds cifar-10-batches-py/."
        )
    parts = [load_batch(folder / f) for f in TRAIN_FILES]
    Xtr = np.concatenate([p[0] for p in parts])
    Ytr = np.concatenate([p[1] for p in parts])
    Xte, Yte = load_batch(folder / TEST_FILE)
    return Xtr, Ytr, Xte, Yte


def class_names(root=None) -> list[str]:
    meta = cifar10_folder(root) / META_FILE
    if meta.is_file():
        names = safe_unpickle(meta).get("label_names")
        if names:
            return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    return list(CLASS_NAMES)


# --------------------------------------------------------------------------- synthetic data
SYNTHETIC_CLASS_NAMES = ["disk", "square", "ring", "cross", "h-bars", "v-bars", "diamond",
                         "triangle", "checker", "two-dots"]


def make_synthetic(num_train=10_000, num_test=2_000, seed=0):
    """A deterministic 32x32x3, 10-class image dataset (uint8), made in well under a second.

    Each image shows one class-specific shape (disk, square, ring, ...) at a random position
    and size, in a colour only loosely tied to its class, on a random colour gradient with
    noise. Pixels alone say little (kNN does poorly), colour and average position say a bit
    (a linear classifier does better), the shape needs non-linear features (an MLP does better
    still) and, since it moves around, translation-equivariant ones most of all (a CNN wins).
    """
    for name, v in (("num_train", num_train), ("num_test", num_test)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    rng = np.random.default_rng(seed)
    n = int(num_train) + int(num_test)
    y = rng.integers(0, 10, size=n)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    cx = rng.uniform(9, 23, size=(n, 1, 1)).astype(np.float32)
    cy = rng.uniform(9, 23, size=(n, 1, 1)).astype(np.float32)
    r = rng.uniform(5, 9, size=(n, 1, 1)).astype(np.float32)
    shapes = [
        lambda dx, dy, d, ax, ay, r: d < r,
        lambda dx, dy, d, ax, ay, r: np.maximum(ax, ay) < r,
        lambda dx, dy, d, ax, ay, r: np.abs(d - 0.75 * r) < 0.25 * r + 0.5,
        lambda dx, dy, d, ax, ay, r: ((ax < r / 3) & (ay < r)) | ((ay < r / 3) & (ax < r)),
        lambda dx, dy, d, ax, ay, r: (np.maximum(ax, ay) < r) & (np.floor(dy / 2.5) % 2 == 0),
        lambda dx, dy, d, ax, ay, r: (np.maximum(ax, ay) < r) & (np.floor(dx / 2.5) % 2 == 0),
        lambda dx, dy, d, ax, ay, r: ax + ay < r,
        lambda dx, dy, d, ax, ay, r: (dy > -r) & (dy < r) & (ax < (dy + r) / 2),
        lambda dx, dy, d, ax, ay, r: (np.maximum(ax, ay) < r) & ((np.floor(dx / 3) + np.floor(dy / 3)) % 2 == 0),
        lambda dx, dy, d, ax, ay, r: (((dx - r / 2) ** 2 + dy ** 2) < (r / 2.2) ** 2) | (((dx + r / 2) ** 2 + dy ** 2) < (r / 2.2) ** 2),
    ]
    mask = np.zeros((n, 32, 32), dtype=bool)
    for c in range(10):
        sel = np.flatnonzero(y == c)
        dx, dy = xx[None] - cx[sel], yy[None] - cy[sel]
        mask[sel] = shapes[c](dx, dy, np.sqrt(dx * dx + dy * dy), np.abs(dx), np.abs(dy), r[sel])
    base_colors = np.array([[0.9, 0.2, 0.2], [0.2, 0.8, 0.2], [0.2, 0.3, 0.9], [0.9, 0.8, 0.1], [0.8, 0.2, 0.8],
                            [0.1, 0.8, 0.8], [0.95, 0.55, 0.1], [0.55, 0.35, 0.2], [0.9, 0.9, 0.9], [0.4, 0.4, 0.4]],
                           dtype=np.float32)
    fg = 0.35 * base_colors[y] + 0.65 * rng.uniform(0, 1, size=(n, 3)).astype(np.float32)
    c0 = rng.uniform(0, 1, size=(n, 3)).astype(np.float32)
    c1 = rng.uniform(0, 1, size=(n, 3)).astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi, size=(n, 1, 1)).astype(np.float32)
    t = ((xx[None] - 15.5) * np.cos(ang) + (yy[None] - 15.5) * np.sin(ang)) / 45.0 + 0.5  # (n,32,32) in ~[0,1]
    img = np.empty((n, 32, 32, 3), dtype=np.float32)
    np.multiply(t[..., None], (c1 - c0)[:, None, None, :] * 255.0, out=img)
    img += c0[:, None, None, :] * 255.0
    img[mask] = np.repeat(fg * 255.0, mask.reshape(n, -1).sum(1), axis=0)
    img += rng.integers(-48, 49, size=img.shape, dtype=np.int8)  # pixel noise
    X = np.clip(img, 0, 255, out=img).astype(np.uint8)
    return X[:num_train], y[:num_train].astype(np.int64), X[num_train:], y[num_train:].astype(np.int64)


# --------------------------------------------------------------------------- the one selector
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
    "!!   python -m cs231n_helpers.data download      (or: ... download --from FILE.tar.gz)\n"
    "!! or set CS231N_DATA to a folder that holds cifar-10-batches-py/.\n" + "!" * 78
)


def dataset_choice() -> str:
    choice = os.environ.get("CS231N_DATASET", "cifar10").strip().lower() or "cifar10"
    if choice not in ("cifar10", "synthetic"):
        raise ValueError(f"CS231N_DATASET must be 'cifar10' or 'synthetic', got {choice!r}")
    return choice


def load_dataset(name=None, root=None, download=None, verbose=True) -> Dataset:
    """Load the dataset chosen by ``name`` or ``$CS231N_DATASET``.

    ``cifar10``: load from ``root`` (default ``$CS231N_DATA`` or ``data/``); if missing and
    ``download`` is true (default: true unless ``CI`` is set), try to download it; if that
    fails too, fall back to the synthetic dataset with a loud notice.
    """
    name = (name or dataset_choice()).lower()
    if name not in ("cifar10", "synthetic"):
        raise ValueError(f"name must be 'cifar10' or 'synthetic', got {name!r}")
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
            Xtr, ytr, Xte, yte = load_CIFAR10(root)
            full = len(Xtr) == FULL_TRAIN and len(Xte) == FULL_TEST
            ds = Dataset(Xtr, ytr, Xte, yte, class_names(root), "cifar10" if full else "cifar10-subset",
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
    for nm, v in (("num_training", num_training), ("num_validation", num_validation),
                  ("num_test", num_test), ("num_dev", num_dev)):
        if not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{nm} must be a non-negative int, got {v!r}")
    if num_training < 1 or num_test < 1:
        raise ValueError("num_training and num_test must be at least 1")
    if layout not in ("NCHW", "NHWC", "flat"):
        raise ValueError(f"layout must be 'NCHW', 'NHWC' or 'flat', got {layout!r}")
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


# --------------------------------------------------------------------------- download
def md5sum(path, chunk=1 << 20) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _what_to_do(root) -> str:
    return (f"Download {CIFAR10_URL} by other means (browser, another machine) and run "
            f"`python -m cs231n_helpers.data download --from PATH/TO/{ARCHIVE_NAME}`, or set "
            f"CS231N_DATA to a folder that already holds {FOLDER}/ (now: {root}). Without it the "
            "notebooks use the synthetic dataset.")


def _fetch(url, part: Path, size, timeout, progress):
    """One attempt: append to ``part`` from where it stops (HTTP Range). Raises on failure."""
    have = part.stat().st_size if part.exists() else 0
    if size and have > size:  # a stale .part larger than the archive can only be garbage
        part.unlink()
        have = 0
    if size and have == size:
        return
    req = urllib.request.Request(url, headers={"User-Agent": "cs231n-helpers"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # asked beyond the end: start over
            part.unlink()
        raise
    with resp:
        status = getattr(resp, "status", 200)
        mode = "ab" if (have and status == 206) else "wb"
        if mode == "wb":
            have = 0
        total = size or (have + int(resp.headers.get("Content-Length") or 0)) or None
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=ARCHIVE_NAME, leave=True)
        try:
            with open(part, mode) as f:
                while True:
                    block = resp.read(1 << 16)
                    if not block:
                        break
                    f.write(block)
                    if bar is not None:
                        bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    got = part.stat().st_size
    if size and got < size:
        raise ConnectionError(f"connection closed after {got:,} of {size:,} bytes")


def download_archive(root=None, url=CIFAR10_URL, md5=CIFAR10_MD5, size=CIFAR10_SIZE, retries=4,
                     timeout=30.0, backoff=2.0, progress=True) -> Path:
    """Download the archive into ``root`` and return its path, verified.

    The bytes go to ``<name>.part``; an interrupted download resumes from there (HTTP Range)
    on the next attempt or the next call. Only once size and md5 match is the file renamed to
    its final name, so a later run never trusts a half-written or corrupt file. HTTP 404 fails
    at once; other errors are retried ``retries`` times with growing pauses.
    """
    root = Path(root) if root is not None else data_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / Path(urllib.request.urlparse(url).path).name
    part = final.with_name(final.name + ".part")
    if final.exists():
        if md5sum(final) == md5:
            return final
        final.unlink()  # not ours: only verified files are ever renamed to this name
    last = None
    for attempt in range(1, retries + 1):
        try:
            _fetch(url, part, size, timeout, progress)
            last = None
            break
        except urllib.error.HTTPError as exc:
            last = exc
            if exc.code in (401, 403, 404, 410):
                raise DataError(f"{url} answered HTTP {exc.code} {exc.reason}. {_what_to_do(root)}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last = exc
        if attempt < retries:
            wait = backoff * 2 ** (attempt - 1)
            print(f"download attempt {attempt}/{retries} failed ({last}); retrying in {wait:.0f} s")
            time.sleep(wait)
    if last is not None:
        kept = part.stat().st_size if part.exists() else 0
        raise DataError(f"download of {url} failed after {retries} attempts ({last}). "
                        + (f"{kept:,} bytes are kept in {part.name} and the next run resumes from there. " if kept else "")
                        + _what_to_do(root))
    got_size = part.stat().st_size
    digest = md5sum(part)
    if (size and got_size != size) or digest != md5:
        part.unlink()
        raise DataError(f"checksum mismatch for {url}: got md5 {digest} ({got_size:,} bytes), expected "
                        f"{md5} ({size:,} bytes). The file was deleted; run the download again. "
                        + _what_to_do(root))
    os.replace(part, final)
    return final


def _check_member(member: tarfile.TarInfo, dest: Path):
    target = (dest / member.name).resolve()
    if not (target == dest or dest in target.parents):
        raise DataError(f"refusing to extract {member.name!r}: it would land outside {dest}")
    if not (member.isfile() or member.isdir()):
        raise DataError(f"refusing to extract {member.name!r}: only files and folders are expected "
                        "in the CIFAR-10 archive (links and devices are not)")


def safe_extract(archive, dest) -> Path:
    """Extract a tar(.gz) archive into ``dest``, refusing members that would land outside it.

    Extraction goes to a temporary folder first; ``cifar-10-batches-py`` is moved into place
    only when complete.
    """
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    tmp = dest / ".extract-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for m in members:
                _check_member(m, tmp)
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.10.12
                tar.extractall(tmp, members=members)
        for item in tmp.iterdir():
            target = dest / item.name
            if target.exists():
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            os.replace(item, target)
    except tarfile.TarError as exc:
        raise DataError(f"{archive} is not a readable tar archive ({exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def download_cifar10(root=None, source=None, url=CIFAR10_URL, md5=None, size=None,
                     progress=True, **kw) -> Path:
    """Make CIFAR-10 available under ``root``: from ``source`` (a local tarball) if given, else
    by downloading it. Verifies the md5 either way; returns the ``cifar-10-batches-py`` folder."""
    root = Path(root) if root is not None else data_dir()
    md5 = md5 or CIFAR10_MD5
    size = CIFAR10_SIZE if size is None else size
    if source is not None:
        source = Path(source).expanduser()
        if not source.is_file():
            raise ValueError(f"source must be the path of a {ARCHIVE_NAME} file; {source} does not exist")
        digest = md5sum(source)
        if digest != md5:
            raise DataError(f"{source} has md5 {digest}, expected {md5}: it is not the CIFAR-10 python "
                            "archive, or it is incomplete. Download it again.")
        archive = source
    else:
        archive = download_archive(root, url=url, md5=md5, size=size, progress=progress, **kw)
    safe_extract(archive, root)
    if not cifar10_present(root):
        raise DataError(f"{archive} did not contain {FOLDER}/ with the expected batch files")
    return cifar10_folder(root)


# --------------------------------------------------------------------------- command line
def status(root=None) -> str:
    root = Path(root) if root is not None else data_dir()
    lines = [f"data folder: {root}" + ("  (from CS231N_DATA)" if os.environ.get("CS231N_DATA") else "  (default; set CS231N_DATA to change)"),
             f"dataset choice: {dataset_choice()}  (CS231N_DATASET)"]
    folder = cifar10_folder(root)
    if cifar10_present(root):
        n_tr = sum(len(load_batch(folder / f)[1]) for f in TRAIN_FILES)
        n_te = len(load_batch(folder / TEST_FILE)[1])
        kind = "full CIFAR-10" if (n_tr, n_te) == (FULL_TRAIN, FULL_TEST) else "a CIFAR-10 subset"
        lines.append(f"CIFAR-10: present in {folder}: {n_tr:,} train / {n_te:,} test images ({kind})")
    else:
        lines.append(f"CIFAR-10: not present in {folder}; notebooks will use the synthetic dataset")
    archive, part = root / ARCHIVE_NAME, root / (ARCHIVE_NAME + ".part")
    if archive.exists():
        lines.append(f"archive: {archive.name} ({archive.stat().st_size:,} bytes, verified when it was saved)")
    if part.exists():
        lines.append(f"partial download: {part.name} ({part.stat().st_size:,} of {CIFAR10_SIZE:,} bytes; "
                     "`download` resumes it)")
    return "\n".join(lines)


def verify(root=None) -> list[str]:
    """Return a list of problems (empty when all is well)."""
    root = Path(root) if root is not None else data_dir()
    problems = []
    archive = root / ARCHIVE_NAME
    if archive.exists() and md5sum(archive) != CIFAR10_MD5:
        problems.append(f"{archive} has the wrong md5 (expected {CIFAR10_MD5})")
    folder = cifar10_folder(root)
    for f in TRAIN_FILES + [TEST_FILE]:
        try:
            X, y = load_batch(folder / f)
            print(f"ok  {f}: {len(y):,} images, labels {np.bincount(y, minlength=10).tolist()}")
        except FileNotFoundError:
            problems.append(f"{folder / f} is missing")
        except (DataError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            problems.append(f"{folder / f}: {exc}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cs231n_helpers.data",
                                 description="Get, check and locate CIFAR-10 for the CS231n companion notebooks.")
    ap.add_argument("command", choices=["download", "status", "verify"])
    ap.add_argument("--from", dest="source", metavar="PATH", help=f"use a local {ARCHIVE_NAME} instead of downloading")
    ap.add_argument("--root", help="data folder (default: $CS231N_DATA or the repository's data/)")
    args = ap.parse_args(argv)
    try:
        if args.command == "status":
            print(status(args.root))
        elif args.command == "download":
            folder = download_cifar10(args.root, source=args.source)
            print(f"CIFAR-10 ready in {folder}")
        else:
            problems = verify(args.root)
            for p in problems:
                print(f"PROBLEM {p}")
            print("verify: all good" if not problems else f"verify: {len(problems)} problem(s)")
            return 1 if problems else 0
    except (DataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
