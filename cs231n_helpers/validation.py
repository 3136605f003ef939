"""Input validation, written once and used by every building block.

Bad input gets a ``ValueError`` that names the argument and says what was expected (and, where
it can, what to do), raised at the boundary of a function rather than deep inside a matrix
product. The building blocks that the notebooks teach call these helpers in one line, so their
cells show the idea and not the bookkeeping::

    stride = as_int(conv_param["stride"], "conv_param['stride']", minimum=1)
    y = check_labels(y, num_classes=scores.shape[1], n=scores.shape[0])
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["as_int", "as_float", "check_choice", "check_array", "check_float_2d", "check_labels",
           "check_same_features", "check_finite", "check_dict", "check_dtype_float", "compute_dtype"]


def as_int(value, name, minimum=None, maximum=None):
    """``value`` as a Python int in ``[minimum, maximum]``; ValueError naming ``name`` otherwise.

    Booleans are refused (``True`` is not a stride); NumPy integers are accepted.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        kind = {1: "a positive integer", 0: "a non-negative integer"}.get(minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {kind}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def as_float(value, name, minimum=None, maximum=None, strict_min=False, strict_max=False):
    """``value`` as a finite Python float in the given range; ValueError naming ``name`` otherwise.

    ``strict_min=True`` excludes the minimum itself (``> 0`` rather than ``>= 0``).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    if minimum is not None and (value <= minimum if strict_min else value < minimum):
        raise ValueError(f"{name} must be {'>' if strict_min else '>='} {minimum:g}, got {value:g}")
    if maximum is not None and (value >= maximum if strict_max else value > maximum):
        raise ValueError(f"{name} must be {'<' if strict_max else '<='} {maximum:g}, got {value:g}")
    return value


def check_choice(value, name, choices):
    """``value`` if it is one of ``choices`` (strings compared case-insensitively)."""
    key = value.lower() if isinstance(value, str) else value
    for choice in choices:
        if key == (choice.lower() if isinstance(choice, str) else choice):
            return choice
    raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def check_dict(value, name, keys, example=None):
    """``value`` if it is a dict holding every key in ``keys``."""
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a dict{' like ' + example if example else ''}, got {type(value).__name__}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} is missing the key(s) {', '.join(map(repr, missing))}"
                         f"{'; expected a dict like ' + example if example else ''}")
    return value


def check_array(x, name, ndim=None, shape=None, what=None):
    """``x`` as an ndarray (no copy) with ``ndim`` dimensions and/or exactly ``shape``.

    ``shape`` may hold ``None`` for "any size"; ``what`` names the axes in the message, e.g.
    ``"(N, C, H, W)"``.
    """
    if not isinstance(x, np.ndarray):
        if isinstance(x, (list, tuple, numbers.Number)):
            x = np.asarray(x)
        else:
            raise ValueError(f"{name} must be a NumPy array{' of shape ' + what if what else ''}, "
                             f"got {type(x).__name__}")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array{' of shape ' + what if what else ''}, got shape {x.shape}")
    if shape is not None:
        expected = tuple(shape)
        if x.ndim != len(expected) or any(e is not None and s != e for s, e in zip(x.shape, expected)):
            shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
            raise ValueError(f"{name} must have shape {what or shown}"
                             f"{' = ' + shown if what else ''}, got {x.shape}")
    return x


def check_float_2d(X, name):
    """``X`` as a 2-D float array (float64 stays float64, anything else becomes float32) with at
    least one row and one column; images must be flattened first."""
    X = np.asarray(X)
    if X.ndim != 2:
        hint = f"; flatten images first: {name}.reshape(len({name}), -1)" if X.ndim > 2 else ""
        raise ValueError(f"{name} must be a 2-D array (num_examples, num_features), got shape {X.shape}{hint}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}): expected at least one row and one feature")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
    return X if X.dtype == np.float64 else X.astype(np.float32, copy=False)


def check_same_features(X, X_ref, name="X", ref_name="X_train"):
    """Both 2-D float arrays with the same number of columns, cast to one common dtype."""
    X, X_ref = check_float_2d(X, name), check_float_2d(X_ref, ref_name)
    if X.shape[1] != X_ref.shape[1]:
        raise ValueError(f"{name} has {X.shape[1]} features per row but {ref_name} has {X_ref.shape[1]}: "
                         "they must have the same number of columns")
    dtype = np.result_type(X.dtype, X_ref.dtype)
    return X.astype(dtype, copy=False), X_ref.astype(dtype, copy=False)


def check_finite(x, name):
    """``x`` unchanged if every entry is finite; ValueError naming ``name`` otherwise."""
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf: expected finite numbers")
    return x


def check_labels(y, name="y", n=None, num_classes=None, what="example"):
    """``y`` as a 1-D integer array of class labels, one per ``what`` (``n`` of them), in
    ``0 .. num_classes - 1`` (only ``>= 0`` when ``num_classes`` is None)."""
    y = np.asarray(y)
    if y.ndim != 1 or (n is not None and y.shape[0] != n):
        count = f" ({n})" if n is not None else ""
        raise ValueError(f"{name} must be a 1-D array with one label per {what}{count}, got shape {y.shape}")
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype} (convert with {name}.astype(int))")
    if y.size:
        top = f"{num_classes - 1}" if num_classes is not None else "C-1"
        if y.min() < 0 or (num_classes is not None and y.max() >= num_classes):
            raise ValueError(f"{name} must hold labels in 0..{top}, got values in {y.min()}..{y.max()}")
    return y


def check_dtype_float(x, name):
    """``x`` if its dtype is float32 or float64."""
    if x.dtype not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {x.dtype}")
    return x


def compute_dtype(*arrays):
    """The dtype a layer computes in: float32 stays float32, float64 stays float64, integer input
    computes in float64 (and float32 mixed with float64 gives float64)."""
    return np.result_type(*(a.dtype for a in arrays), np.float32)
