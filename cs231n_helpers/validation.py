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
           "check_same_features", "check_finite", "check_dict", "check_dtype_float", "compute_dtype",
           "check_conv_inputs"]


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


def check_conv_inputs(x, w, b, conv_param):
    """The inputs of a conv layer, checked: x (N, C, H, W), w (F, C, HH, WW) with the depth of x,
    b (F,), ``conv_param = {'stride': S >= 1, 'pad': P >= 0}``, and a filter that fits in the
    padded input. Returns ``(stride, pad)``."""
    check_array(x, "x", ndim=4, what="(N, C, H, W)")
    check_array(w, "w", ndim=4, what="(F, C, HH, WW)")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w: filter depth w.shape[1] = {w.shape[1]} does not match the input depth "
                         f"x.shape[1] = {x.shape[1]}; a filter spans the full depth of its input")
    if np.shape(b) != (w.shape[0],):
        raise ValueError(f"b must have shape ({w.shape[0]},), one bias per filter, got {np.shape(b)}")
    check_dict(conv_param, "conv_param", ("stride", "pad"), example="{'stride': 1, 'pad': 1}")
    stride = as_int(conv_param["stride"], "conv_param['stride']", minimum=1)
    pad = as_int(conv_param["pad"], "conv_param['pad']", minimum=0)
    for axis, size, fsize in (("height", x.shape[2], w.shape[2]), ("width", x.shape[3], w.shape[3])):
        if fsize > size + 2 * pad:
            raise ValueError(f"w: a filter {axis} of {fsize} does not fit in an input {axis} of {size} + 2*{pad} "
                             "padding; use a smaller filter or more padding")
    return stride, pad


# --------------------------------------------------------------------------- notebook 03: layers, nets, optimizers
__all__ += ["check_shape_as", "check_affine_inputs", "check_scores_labels", "check_norm_inputs", "check_dropout_param",
            "check_examples", "as_int_list", "check_config", "CONFIG_ALIASES"]


def check_shape_as(a, name, shape, of):
    """``a`` if its shape is ``shape``, the shape of ``of`` (an upstream gradient and the output it
    belongs to, say); ValueError naming ``name`` otherwise."""
    if np.shape(a) != tuple(shape):
        raise ValueError(f"{name} must have the shape of {of}, {tuple(shape)}, got {np.shape(a)}")
    return a


def check_affine_inputs(x, w, b):
    """The inputs of an affine layer, checked: x (N, d_1, ..., d_k), w (D, M) with
    D = d_1 * ... * d_k, b (M,). Returns D."""
    check_array(x, "x", what="(N, d_1, ..., d_k)")
    if x.ndim < 1:
        raise ValueError("x must have shape (N, d_1, ..., d_k), got a scalar")
    D = int(np.prod(x.shape[1:]))
    check_array(w, "w", ndim=2, what="(D, M)")
    if w.shape[0] != D:
        raise ValueError(f"w must have shape ({D}, M) for x of shape {x.shape} (D = {D} values per example), "
                         f"got {w.shape}")
    if np.shape(b) != (w.shape[1],):
        raise ValueError(f"b must have shape ({w.shape[1]},) to match w of shape {w.shape}, got {np.shape(b)}")
    return D


def check_scores_labels(x, y):
    """Scores ``x`` of shape (N, C) and their labels ``y`` (N integers in 0..C-1), for a loss
    layer. Returns ``y`` as an array."""
    check_array(x, "x", ndim=2, what="(N, C) of scores")
    return check_labels(y, "y", n=x.shape[0], num_classes=x.shape[1])


def check_norm_inputs(x, gamma, beta, param, name, modes=None):
    """The inputs of a normalization layer, checked: x (N, D), gamma and beta (D,), ``param`` a
    dict (``name``: 'bn_param', 'ln_param'); with ``modes``, ``param['mode']`` must be one of
    them. Returns ``(eps, mode)`` (eps defaults to 1e-5; mode is None without ``modes``)."""
    check_array(x, "x", ndim=2, what="(N, D)")
    D = x.shape[1]
    for arg, v in (("gamma", gamma), ("beta", beta)):
        if np.shape(v) != (D,):
            raise ValueError(f"{arg} must have shape ({D},) for x of shape {x.shape}, got {np.shape(v)}")
    check_dict(param, name, ("mode",) if modes else (), example="{'mode': 'train'}" if modes else None)
    mode = check_choice(param["mode"], f"{name}['mode']", modes) if modes else None
    return as_float(param.get("eps", 1e-5), f"{name}['eps']", minimum=0, strict_min=True), mode


def check_dropout_param(dropout_param):
    """``dropout_param = {'p': keep probability in (0, 1], 'mode': 'train' | 'test'}``, checked.
    Returns ``(p, mode)``."""
    check_dict(dropout_param, "dropout_param", ("p", "mode"), example="{'p': 0.5, 'mode': 'train'}")
    p = as_float(dropout_param["p"], "dropout_param['p'], the keep probability,", minimum=0, maximum=1,
                 strict_min=True)
    return p, check_choice(dropout_param["mode"], "dropout_param['mode']", ("train", "test"))


def check_examples(X, name, num_features):
    """``X`` as an array of examples, shape (N, d_1, ..., d_k) with d_1 * ... * d_k = num_features."""
    X = np.asarray(X)
    if X.ndim < 2 or int(np.prod(X.shape[1:])) != num_features:
        raise ValueError(f"{name} must have shape (N, ...) with {num_features} values per example, got {X.shape}")
    return X


def as_int_list(value, name, minimum=1):
    """``value`` as a non-empty list of ints >= ``minimum`` (layer sizes, say)."""
    if isinstance(value, (numbers.Integral, str)) or not hasattr(value, "__len__") or len(value) == 0:
        raise ValueError(f"{name} must be a non-empty list of integers, got {value!r}")
    return [as_int(v, f"{name} entries", minimum=minimum) for v in value]


# misspellings of optimizer hyperparameters, named in the error message
CONFIG_ALIASES = {"lr": "learning_rate", "eps": "epsilon", "mu": "momentum", "decay": "decay_rate",
                  "rho": "decay_rate", "beta_1": "beta1", "beta_2": "beta2"}


def check_config(config, rule, defaults, state=(), w=None, dw=None):
    """An update rule's ``config``, checked and completed: a dict (or None) whose keys are
    hyperparameters of ``defaults`` or names in ``state``; missing hyperparameters get their
    default, every hyperparameter becomes a finite non-negative Python float (a NumPy float64
    would upcast float32 weights); with ``w``, ``dw`` and the state arrays must have its shape.
    Returns the (same) dict. A misspelt key is a ValueError that names the expected keys."""
    config = {} if config is None else config
    if not isinstance(config, dict):
        raise ValueError(f"{rule}: config must be a dict or None, got {type(config).__name__}")
    allowed = tuple(defaults) + tuple(state)
    unknown = [k for k in config if k not in allowed]
    if unknown:
        hints = [f"{k!r} -> {CONFIG_ALIASES[k]!r}" for k in unknown if CONFIG_ALIASES.get(k) in allowed]
        raise ValueError(f"{rule}: unknown config key(s) {unknown}; expected keys {list(allowed)}"
                         + (f" (did you mean {', '.join(hints)}?)" if hints else ""))
    for k, v in defaults.items():
        config[k] = as_float(config.get(k, v), f"{rule}: config[{k!r}]", minimum=0)
    if w is not None:
        if dw is not None and np.shape(dw) != np.shape(w):
            raise ValueError(f"{rule}: dw must have the shape of w {np.shape(w)}, got {np.shape(dw)}")
        for k in state:
            if config.get(k) is not None and k != "t" and np.shape(config[k]) != np.shape(w):
                raise ValueError(f"{rule}: config[{k!r}] has shape {np.shape(config[k])} but w has shape "
                                 f"{np.shape(w)}; use one config dict per parameter")
    return config


# --------------------------------------------------------------------------- notebook 02: linear classifiers
class TrainingDiverged(ValueError, FloatingPointError):
    """The training loss stopped being finite: the learning rate (or reg) is too large."""


def check_loss_inputs(W, X, y, reg):
    """The arguments of a linear classifier's loss ``(W, X, y, reg)``: W (D, C), X (N, D) with
    N >= 1, y (N,) integer labels in 0..C-1, reg a finite number >= 0 (the L2 strength).
    Returns W, X, y as arrays (no copies)."""
    W = check_array(W, "W", ndim=2, what="(D, C)")
    X = check_array(X, "X", ndim=2, what="(N, D)")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X must have shape (N, D) = (N, {W.shape[0]}) to match W of shape {W.shape}, got {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one example (N >= 1), got N = 0")
    y = check_labels(y, "y", n=X.shape[0], num_classes=W.shape[1])
    as_float(reg, "reg (the L2 regularization strength)", minimum=0)
    return W, X, y


def check_train_inputs(X, y, learning_rate, reg, num_iters, batch_size, W=None):
    """The arguments of a linear classifier's ``train``: X (N, D) with N >= 1 (integer data
    becomes float64), y (N,) integer labels >= 0, learning_rate > 0, reg >= 0, num_iters and
    batch_size >= 1; with the existing weights ``W`` (D, C), X and the labels must fit them.
    Returns X, y."""
    X = check_array(X, "X", ndim=2, what="(N, D)")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one example (N >= 1), got N = 0")
    X = X if X.dtype.kind == "f" else X.astype(np.float64)
    y = check_labels(y, "y", n=X.shape[0])
    as_float(learning_rate, "learning_rate", minimum=0, strict_min=True)
    as_float(reg, "reg (the L2 regularization strength)", minimum=0)
    as_int(num_iters, "num_iters", minimum=1)
    as_int(batch_size, "batch_size", minimum=1)
    if W is not None and (W.shape[0] != X.shape[1] or W.shape[1] <= y.max()):
        raise ValueError(f"X of shape {X.shape} with labels up to {y.max()} does not fit the existing W of "
                         f"shape {W.shape}; use a new classifier")
    return X, y


def check_finite_loss(loss, iteration, learning_rate, reg=0.0):
    """``loss`` unchanged if it is finite; otherwise :class:`TrainingDiverged`, which names the
    learning rate to lower (and reg, when ``learning_rate * reg`` is large)."""
    if np.isfinite(loss):
        return loss
    hint = (f" and/or reg (now {reg:g}; learning_rate * reg = {learning_rate * reg:g} should stay well below 1)"
            if learning_rate * reg > 0.5 else "")
    raise TrainingDiverged(f"training diverged: the loss is {loss} at iteration {iteration}. Lower learning_rate "
                           f"(now {learning_rate:g}; try {learning_rate / 10:g}){hint}.")


__all__ += ["TrainingDiverged", "check_loss_inputs", "check_train_inputs", "check_finite_loss"]


# --------------------------------------------------------------------------- notebook 05: pooling, ThreeLayerConvNet
__all__ += ["check_pool_param", "check_chw", "check_float_type"]


def check_pool_param(pool_param, x_shape):
    """CS231n's ``pool_param = {'pool_height': PH, 'pool_width': PW, 'stride': S}`` (``S`` an int
    or a pair ``(S_h, S_w)``) for an input of shape ``x_shape`` = (N, C, H, W), checked: positive
    integers, a window that fits inside the input, and a whole number of windows
    (``(H - PH) / S_h + 1``; there is no padding). Returns ``(PH, PW, S_h, S_w)``."""
    check_dict(pool_param, "pool_param", ("pool_height", "pool_width", "stride"),
               example="{'pool_height': 2, 'pool_width': 2, 'stride': 2}")
    if len(x_shape) != 4:
        raise ValueError(f"x must be 4-D with shape (N, C, H, W), got shape {tuple(x_shape)}")
    ph = as_int(pool_param["pool_height"], "pool_param['pool_height']", minimum=1)
    pw = as_int(pool_param["pool_width"], "pool_param['pool_width']", minimum=1)
    stride = pool_param["stride"]
    if isinstance(stride, (tuple, list)):
        if len(stride) != 2:
            raise ValueError(f"pool_param['stride'] must be a positive int or a pair (stride_h, stride_w), "
                             f"got {stride!r}")
        sh, sw = (as_int(s, "pool_param['stride']", minimum=1) for s in stride)
    else:
        sh = sw = as_int(stride, "pool_param['stride']", minimum=1)
    for dim, size, window, key, step in (("height", x_shape[2], ph, "pool_height", sh),
                                         ("width", x_shape[3], pw, "pool_width", sw)):
        if window > size:
            raise ValueError(f"pool_param['{key}']={window} is larger than the input {dim} {size}: "
                             "the pooling window must fit inside the input")
        if (size - window) % step:
            raise ValueError(f"pool_param['stride']={step} does not fit the input {dim}: ({dim} - {key}) / "
                             f"stride + 1 = ({size} - {window}) / {step} + 1 = {(size - window) / step + 1:g} is "
                             f"not a whole number; pick a stride that divides {size - window}, or change "
                             f"'{key}' or crop the input")
    return ph, pw, sh, sw


def check_chw(value, name="input_dim", even_hw=False):
    """``value`` as a tuple of three positive ints ``(C, H, W)``; with ``even_hw`` H and W must be
    even (a 2x2 / stride-2 pool halves them)."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise ValueError(f"{name} must be (C, H, W), got {value!r}")
    C, H, W = (as_int(v, name, minimum=1) for v in value)
    if even_hw and (H % 2 or W % 2):
        raise ValueError(f"{name}={tuple(value)}: H and W must be even for the 2x2 / stride-2 max pool")
    return C, H, W


def check_float_type(dtype, name="dtype"):
    """``dtype`` if it names a floating-point type (np.float32, np.float64, ...)."""
    try:
        ok = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name} must be a floating-point type (np.float32 or np.float64), got {dtype!r}")
    return dtype


def check_spatial_norm_inputs(x, gamma, beta, param, name, G=None):
    """The inputs of a spatial normalization layer (notebook 05), checked: x (N, C, H, W), ``param``
    a dict (``name``: 'bn_param' or 'gn_param'); spatial batch norm (``G`` None): gamma and beta
    of shape (C,); group norm: ``G`` a positive int dividing C, gamma and beta (1, C, 1, 1) as in
    CS231n; ``param['eps']`` (default 1e-5) positive. Returns ``(x, G, eps)`` (G an int, or None)."""
    x = check_array(x, "x", ndim=4, what="(N, C, H, W)")
    C = x.shape[1]
    if G is not None:
        G = as_int(G, "G, the number of groups,", minimum=1)
        if C % G:
            raise ValueError(f"G (the number of groups) must divide the number of channels C = {C}, got {G}")
    shape = (C,) if G is None else (1, C, 1, 1)
    for arg, v in (("gamma", gamma), ("beta", beta)):
        if np.shape(v) != shape:
            raise ValueError(f"{arg} must have shape {shape} for x of shape {x.shape}, got {np.shape(v)}")
    check_dict(param, name, ())
    return x, G, as_float(param.get("eps", 1e-5), f"{name}['eps']", minimum=0, strict_min=True)


__all__ += ["check_spatial_norm_inputs"]
