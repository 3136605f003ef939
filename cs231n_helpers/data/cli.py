"""The command line: ``python -m cs231n_helpers.data status|download|verify`` (or ``cs231n-data``).

::

    python -m cs231n_helpers.data status            # what is there, where
    python -m cs231n_helpers.data download          # fetch + verify + extract (resumes)
    python -m cs231n_helpers.data download --from ~/Downloads/cifar-10-python.tar.gz
    python -m cs231n_helpers.data verify            # md5 of the archive and sanity of the batches
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys

import numpy as np

from .cifar10 import (BATCH_FILES, COMMAND, TEST_FILE, TRAIN_FILES, DataError, cifar10_folder, cifar10_present,
                      data_root, is_full_size, load_batch)
from .download import ARCHIVE_NAME, CIFAR10_MD5, CIFAR10_SIZE, download_cifar10, md5sum
from .loading import dataset_choice


def status(root=None) -> str:
    """What is where: the data folder, the dataset choice, CIFAR-10 (full or a subset), downloads."""
    root = data_root(root)
    lines = [f"data folder: {root}" + ("  (from CS231N_DATA)" if os.environ.get("CS231N_DATA") else "  (default; set CS231N_DATA to change)"),
             f"dataset choice: {dataset_choice()}  (CS231N_DATASET)"]
    folder = cifar10_folder(root)
    if cifar10_present(root):
        n_tr = sum(len(load_batch(folder / f)[1]) for f in TRAIN_FILES)
        n_te = len(load_batch(folder / TEST_FILE)[1])
        kind = "full CIFAR-10" if is_full_size(n_tr, n_te) else "a CIFAR-10 subset"
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
    root = data_root(root)
    problems = []
    archive = root / ARCHIVE_NAME
    if archive.exists() and md5sum(archive) != CIFAR10_MD5:
        problems.append(f"{archive} has the wrong md5 (expected {CIFAR10_MD5})")
    folder = cifar10_folder(root)
    for f in BATCH_FILES:
        try:
            X, y = load_batch(folder / f)
            print(f"ok  {f}: {len(y):,} images, labels {np.bincount(y, minlength=10).tolist()}")
        except FileNotFoundError:
            problems.append(f"{folder / f} is missing")
        except (DataError, pickle.UnpicklingError, EOFError, ValueError) as exc:
            problems.append(f"{folder / f}: {exc}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND,
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
