"""The synthetic dataset: what the notebooks use, loudly, when CIFAR-10 is not there."""
from __future__ import annotations

import numpy as np

from ..validation import as_int

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
    num_train = as_int(num_train, "num_train", minimum=1)
    num_test = as_int(num_test, "num_test", minimum=1)
    rng = np.random.default_rng(seed)
    n = num_train + num_test
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
