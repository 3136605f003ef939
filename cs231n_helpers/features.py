"""Hand-made image features: CS231n's ``cs231n/features.py`` (assignment 1, features notebook).

``hog_feature`` (a histogram of oriented gradients: 9 orientation bins in every 8 x 8 cell of
the grey image), ``color_histogram_hsv`` (a histogram of the hue channel) and
``extract_features`` (every feature function on every image, one row per image), with the
official names, signatures and values, in NumPy and matplotlib only (the official HOG needs
SciPy for one box filter; here the cell averages are taken directly). Our notebooks do not
teach these: they are here so that the official features notebook runs against this package.
"""
from __future__ import annotations

import matplotlib.colors
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["extract_features", "rgb2gray", "hog_feature", "color_histogram_hsv"]

_CELL = 8           # pixels per HOG cell, each way (fixed in the official code)
_ORIENTATIONS = 9   # orientation bins over 0..180 degrees


def extract_features(imgs, feature_fns, verbose=False):
    """Apply every function of ``feature_fns`` to every image of ``imgs`` (N, H, W, C).

    Each function takes one image (H, W, C) and returns a 1-D array; the result is an array of
    shape (N, F_1 + ... + F_k) of float64, row i the features of image i side by side (an
    empty array when N is 0). ``verbose`` prints progress every 1,000 images.
    """
    imgs = np.asarray(imgs)
    if imgs.ndim < 1:
        raise ValueError(f"imgs must be an array of images (N, H, W, C), got a scalar {imgs!r}")
    feature_fns = list(feature_fns)
    if not feature_fns or not all(callable(fn) for fn in feature_fns):
        raise ValueError("feature_fns must be a non-empty list of functions (image -> 1-D array)")
    num_images = imgs.shape[0]
    if num_images == 0:
        return np.array([])
    first = []
    for k, fn in enumerate(feature_fns):
        feats = np.asarray(fn(imgs[0].squeeze()))
        if feats.ndim != 1:
            raise ValueError(f"feature_fns[{k}] must return a 1-D array, returned shape {feats.shape}")
        first.append(feats)
    dims = [f.size for f in first]
    out = np.zeros((num_images, sum(dims)))
    out[0] = np.concatenate(first)
    bounds = np.cumsum([0] + dims)
    for i in range(1, num_images):
        img = imgs[i].squeeze()
        for fn, lo, hi in zip(feature_fns, bounds[:-1], bounds[1:]):
            out[i, lo:hi] = fn(img)
        if verbose and i % 1000 == 999:
            print("Done extracting features for %d / %d images" % (i + 1, num_images))
    return out


def rgb2gray(rgb):
    """Grey levels of an RGB image (H, W, 3) as CS231n computes them: 0.299 R + 0.587 G +
    0.144 B (sic: the usual blue weight is 0.114; kept so that the features are the official
    ones)."""
    return np.dot(np.asarray(rgb)[..., :3], [0.299, 0.587, 0.144])


def _cell_means(a, c=_CELL):
    """The mean of ``a`` over the c x c window around every c-th pixel, starting at c // 2:
    the samples CS231n takes of SciPy's ``uniform_filter(a, c)`` (windows reach ``c // 2``
    pixels back and ``c - c // 2 - 1`` forward; past the border the image is mirrored)."""
    lo, hi = c // 2, c - c // 2 - 1
    padded = np.pad(a, ((lo, hi), (lo, hi)), mode="symmetric")
    start = round(c / 2)
    return sliding_window_view(padded, (c, c))[start::c, start::c].mean(axis=(-2, -1))


def hog_feature(im):
    """Histogram of oriented gradients of one image (grey or RGB), CS231n's version of
    ``skimage.feature.hog`` (Dalal and Triggs, CVPR 2005).

    Gradients are forward differences of the grey image; each pixel votes its gradient
    magnitude into one of 9 orientation bins of 20 degrees; the votes are averaged over 8 x 8
    cells. Returns a 1-D array of (H // 8) * (W // 8) * 9 values (144 for 32 x 32). (Sizes that
    are not multiples of 8 work too; the official code fails on some of them.)
    """
    im = np.asarray(im)
    if im.ndim not in (2, 3) or min(im.shape[:2]) < 1:
        raise ValueError(f"im must be one image, (H, W) or (H, W, 3); got shape {im.shape}")
    image = rgb2gray(im) if im.ndim == 3 else im.astype(np.float64)
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    magnitude = np.sqrt(gx ** 2 + gy ** 2)
    angle = np.arctan2(gy, gx + 1e-15) * (180 / np.pi) + 90     # 0..180 degrees
    width = 180 / _ORIENTATIONS
    rows, cols = image.shape[0] // _CELL, image.shape[1] // _CELL
    hist = np.zeros((cols, rows, _ORIENTATIONS))          # cell (column, row): the official order
    for i in range(_ORIENTATIONS):
        in_bin = (angle >= width * i) & (angle < width * (i + 1)) & (angle > 0)
        hist[:, :, i] = _cell_means(np.where(in_bin, magnitude, 0))[:rows, :cols].T
    return hist.ravel()


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Histogram of the hue of an RGB image (H, W, 3) with values in [xmin, xmax]: ``nbin``
    bins between xmin and xmax; with ``normalized`` the bins sum to 1. Returns shape (nbin,)."""
    im = np.asarray(im)
    if im.ndim != 3 or im.shape[-1] != 3:
        raise ValueError(f"im must be an RGB image of shape (H, W, 3), got shape {im.shape}")
    if int(nbin) != nbin or nbin < 1:
        raise ValueError(f"nbin must be a positive int, got {nbin!r}")
    bins = np.linspace(xmin, xmax, int(nbin) + 1)
    hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0] * xmax
    counts, edges = np.histogram(hue, bins=bins, density=normalized)
    return counts * np.diff(edges)
