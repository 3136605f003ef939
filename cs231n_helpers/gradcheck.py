"""Numeric gradients and one checker for every parameter of a layer or model.

CS231n-compatible (the names and behaviour of the official ``cs231n/gradient_check.py``):
``eval_numerical_gradient``, ``eval_numerical_gradient_array``,
``eval_numerical_gradient_blobs``, ``eval_numerical_gradient_net`` and ``grad_check_sparse``
(which draws its entries from Python's ``random`` module, as the official one does), and
``rel_error`` (the official notebooks define it in their setup cell). On top of these,
:func:`compare_gradients`, :func:`check_layer_gradients` and :func:`check_model_gradients`
print one verdict line per parameter (pass/fail, error, threshold) and raise
``CheckFailed`` (an ``AssertionError``) on failure.

Gradient checks need float64: with float32 the round-off of a centred difference with
h = 1e-5 is about 1e-3 relative, which hides real bugs; the checkers warn when handed float32.
"""
from __future__ import annotations

import random
import warnings

import numpy as np

from .checks import CheckFailed, diagnose, name_mistake, rel_error

__all__ = ["rel_error", "eval_numerical_gradient", "eval_numerical_gradient_array",
           "eval_numerical_gradient_blobs", "eval_numerical_gradient_net", "grad_check_sparse", "compare_gradients", "check_layer_gradients",
           "check_model_gradients"]


def _warn_float32(x, name="x"):
    if isinstance(x, np.ndarray) and x.dtype != np.float64 and np.issubdtype(x.dtype, np.floating):
        warnings.warn(f"gradient check on {name} of dtype {x.dtype}: use float64, round-off in "
                      "lower precision makes numeric gradients unreliable", RuntimeWarning, stacklevel=3)


def _iter_indices(x):
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        yield it.multi_index
        it.iternext()


def _centred(f, x, ix, h):
    """f(x + h e_ix) and f(x - h e_ix), with x restored afterwards (as float64 arrays)."""
    old = x[ix]
    try:
        x[ix] = old + h
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        minus = np.array(f(x), dtype=np.float64, copy=True)
    finally:
        x[ix] = old
    return plus, minus


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Centred-difference gradient of a scalar function ``f`` at ``x`` (``x`` is modified
    in place during the evaluation and restored)."""
    _warn_float32(x)
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in _iter_indices(x):
        plus, minus = _centred(f, x, ix, h)
        grad[ix] = (plus - minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numeric gradient of sum(f(x) * df) with respect to ``x``, for array-valued ``f``."""
    _warn_float32(x)
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in _iter_indices(x):
        plus, minus = _centred(f, x, ix, h)
        grad[ix] = np.sum((plus - minus) * df) / (2 * h)
    return grad


def _blob_arrays(blob, name):
    if not (hasattr(blob, "vals") and hasattr(blob, "diffs")):
        raise ValueError(f"{name} must be a blob: an object with arrays .vals and .diffs, got {type(blob).__name__}")
    return blob


def eval_numerical_gradient_blobs(f, inputs, output, h=1e-5):
    """Numeric gradients for a function that works on blobs (CS231n).

    A blob has ``.vals`` (its values) and ``.diffs`` (its gradient). ``f(*inputs, output)``
    reads the input blobs and writes its result into ``output.vals``; ``output.diffs`` is the
    upstream gradient. Returns one array per input blob: the numeric gradient of
    ``sum(output.vals * output.diffs)`` with respect to that blob's ``vals``.
    """
    inputs = tuple(_blob_arrays(b, f"inputs[{i}]") for i, b in enumerate(inputs))
    output = _blob_arrays(output, "output")
    numeric_diffs = []
    for blob in inputs:
        diff = np.zeros_like(blob.diffs)
        for ix in _iter_indices(blob.vals):
            old = blob.vals[ix]
            try:
                blob.vals[ix] = old + h
                f(*(inputs + (output,)))
                pos = np.copy(output.vals)
                blob.vals[ix] = old - h
                f(*(inputs + (output,)))
                neg = np.copy(output.vals)
            finally:
                blob.vals[ix] = old
            diff[ix] = np.sum((pos - neg) * output.diffs) / (2.0 * h)
        numeric_diffs.append(diff)
    return numeric_diffs


def eval_numerical_gradient_net(net, inputs, output, h=1e-5):
    """:func:`eval_numerical_gradient_blobs` for a net whose ``forward()`` reads the input blobs
    and writes ``output`` (CS231n)."""
    return eval_numerical_gradient_blobs(lambda *args: net.forward(), inputs, output, h=h)


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None, verbose=True):
    """Compare numeric and analytic gradients at ``num_checks`` random entries (CS231n).

    Entries are drawn as the official one draws them, with ``random.randrange`` from Python's
    ``random`` module: ``random.seed(n)`` fixes which entries are checked (``np.random.seed``
    does not, in the official code either). ``seed`` (ours) draws from a generator of its own
    instead. Prints one line per entry like the official one, and returns the list of relative
    errors; where both gradients are zero (a dead ReLU, say) the error is 0, not 0 / 0.
    """
    if seed is None:
        def draw(m):
            return random.randrange(m)
    else:
        rng = np.random.default_rng(seed)

        def draw(m):
            return int(rng.integers(m))
    errors = []
    for _ in range(num_checks):
        ix = tuple(draw(m) for m in x.shape)
        plus, minus = _centred(f, x, ix, h)
        num = float(plus - minus) / (2 * h)
        ana = analytic_grad[ix]
        denom = abs(num) + abs(ana)
        err = 0.0 if denom == 0 else abs(num - ana) / max(denom, 1e-12)
        errors.append(float(err))
        if verbose:
            print(f"numerical: {num:f} analytic: {ana:f}, relative error: {err:e}")
    return errors


def compare_gradients(analytic: dict, numeric: dict, threshold=1e-7, name="gradient check", mistakes=None):
    """Print one line per parameter and raise CheckFailed if any relative error > threshold.

    ``threshold`` may be a number or a dict {param name: threshold}. ``mistakes``: optional
    {param name: [Mistake, ...]}; a failing gradient names the first mistake that matches it.
    Returns {name: error}.
    """
    missing = set(numeric) - set(analytic)
    if missing:
        raise CheckFailed(f"✗ {name}: no analytic gradient for {sorted(missing)} "
                          "(the backward pass / loss must return a gradient for every parameter)")
    errors, failures = {}, []
    for key in numeric:
        thr = threshold.get(key, 1e-7) if isinstance(threshold, dict) else threshold
        a, n = np.asarray(analytic[key]), np.asarray(numeric[key])
        if a.shape != n.shape:
            line = f"✗ {name} d{key}: shape {a.shape}, expected {n.shape}"
            named = name_mistake(a, (mistakes or {}).get(key))
            errors[key] = float("inf")
            failures.append(line + (f"\n  hint: {named}" if named else ""))
            print(line)
            continue
        err = rel_error(a, n)
        errors[key] = err
        ok = err <= thr
        line = f"{'✓' if ok else '✗'} {name} d{key}: relative error {err:.2e} ({'<=' if ok else '>'} {thr:.0e})"
        print(line)
        if not ok:
            hint = name_mistake(a, (mistakes or {}).get(key)) or diagnose(a, n)
            failures.append(line + (f"\n  hint: {hint}" if hint else ""))
    if failures:
        raise CheckFailed("\n".join(failures))
    return errors


def check_layer_gradients(forward, inputs: dict, backward=None, dout=None, threshold=1e-7,
                          name="layer", seed=0, h=1e-5, mistakes=None):
    """Gradient-check a layer ``forward(**inputs) -> out`` or ``-> (out, cache)``.

    ``backward(dout, cache)`` must return the gradients in the order of ``inputs`` (a
    tuple, or a single array for one input). Without ``backward``, ``forward`` must return a
    scalar loss with gradients as ``(loss, grads)`` where grads is a dict or tuple ordered like
    ``inputs`` (losses such as ``softmax_loss(x, y)``: pass ``y`` through ``inputs`` with a
    threshold of None to skip it). ``mistakes``: {input name: [Mistake, ...]} named when that
    gradient fails (see :class:`cs231n_helpers.checks.Mistake`).
    """
    names = list(inputs)
    for k, v in inputs.items():
        _warn_float32(v, k)

    def run(**kw):
        return forward(**kw)

    if backward is not None:
        res = run(**inputs)
        out, cache = res if isinstance(res, tuple) else (res, None)
        if dout is None:
            dout = np.random.default_rng(seed).standard_normal(np.shape(out))
        grads = backward(dout, cache)
        grads = grads if isinstance(grads, tuple) else (grads,)
        analytic = dict(zip(names, grads))

        def out_of(_x):  # inputs[k] is perturbed in place, so forward sees the change
            r = run(**inputs)
            return r[0] if isinstance(r, tuple) else r
        numeric = {k: eval_numerical_gradient_array(out_of, inputs[k], dout, h=h)
                   for k in names if _checked(threshold, k)}
    else:
        loss, grads = run(**inputs)
        grads = grads if isinstance(grads, dict) else dict(zip(names, grads if isinstance(grads, tuple) else (grads,)))
        analytic = grads
        numeric = {k: eval_numerical_gradient(lambda _x: run(**inputs)[0], inputs[k], verbose=False, h=h)
                   for k in names if _checked(threshold, k)}
    thr = {k: v for k, v in threshold.items() if v is not None} if isinstance(threshold, dict) else threshold
    return compare_gradients(analytic, numeric, thr, name, mistakes)


def _checked(threshold, key):
    return not isinstance(threshold, dict) or threshold.get(key, 1e-7) is not None


def check_model_gradients(model, X, y, threshold=1e-6, name=None, h=1e-6, params=None, mistakes=None):
    """Gradient-check every parameter of a model with ``loss(X, y) -> (loss, grads)`` and a
    ``params`` dict (TwoLayerNet, FullyConnectedNet, ThreeLayerConvNet, ...)."""
    name = name or type(model).__name__
    for k, v in model.params.items():
        _warn_float32(v, k)
    _, grads = model.loss(X, y)
    keys = params or sorted(model.params)
    numeric = {k: eval_numerical_gradient(lambda _w: model.loss(X, y)[0], model.params[k], verbose=False, h=h)
               for k in keys}
    return compare_gradients({k: grads.get(k) for k in keys if k in grads}, numeric, threshold, name, mistakes)
