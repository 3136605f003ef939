"""Immediate feedback for exercises: one-line verdicts, hints, and short failures.

Every check either prints one line starting with ``✓`` or raises :class:`CheckFailed` (a
subclass of ``AssertionError``) whose message says what was checked, the error, the threshold
and, where it can tell, the likely mistake. In Jupyter the failure renders as those lines only,
not as a long traceback. A function that is still a stub (``raise NotImplementedError()``)
is reported as "not implemented yet".

Typical check cell::

    with checking("svm_loss_naive"):
        loss, grad = svm_loss_naive(W, X_dev, y_dev, 0.0)
        check_close(loss, 9.0, tol=0.5, name="initial SVM loss", metric="abs")

**Hints that name the mistake.** A check can be told the classic mistakes of its exercise as
:class:`Mistake` objects: a hint plus what the mistake does to the output (``like``: the
output the mistaken code produces, computed from the same inputs; or ``test``: a predicate on
the learner's output). When the check fails, the first mistake that matches is named::

    check_close(dx, dx_expected, tol=1e-8, name="dx", mistakes=[
        Mistake("`=` instead of `+=`: overlapping windows must add up", like=lambda: dx_assigned),
    ])

The notebooks' exercise checks, with their mistakes, live in ``cs231n_helpers.feedback``; the
tests inject each mistake into the solution and assert that its hint is named.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

PASS, FAIL, TODO = "✓", "✗", "…"


class CheckFailed(AssertionError):
    """A check that failed; rendered in Jupyter as its message alone (no traceback)."""

    def _render_traceback_(self):  # IPython hook: show the verdict, not 30 frames of stack
        return [f"\x1b[31m{line}\x1b[0m" for line in str(self).splitlines()]


class NotImplementedYet(CheckFailed):
    """Raised by a check when the function under test still raises NotImplementedError."""


def rel_error(x, y) -> float:
    """max |x - y| / max(1e-8, |x| + |y|), elementwise, as in CS231n."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _verdict(ok: bool, name: str, detail: str) -> str:
    return f"{PASS if ok else FAIL} {name}: {detail}"


def passed(name: str, detail: str = "all checks passed") -> None:
    print(_verdict(True, name, detail))


def fail(name: str, detail: str, hint: str | None = None):
    msg = _verdict(False, name, detail)
    if hint:
        msg += f"\n  hint: {hint}"
    raise CheckFailed(msg)


def diagnose(actual, expected) -> str | None:
    """Guess the likely mistake behind a wrong array: shape, factor of N, sign, transpose."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    if a.shape != e.shape:
        if a.shape == e.shape[::-1] and a.ndim == 2:
            return f"shape {a.shape} is the transpose of the expected {e.shape}"
        if a.size == e.size:
            return f"shape {a.shape} should be {e.shape}: same numbers, wrong reshape?"
        return f"wrong shape: got {a.shape}, expected {e.shape}"
    if not np.all(np.isfinite(a.astype(np.float64, copy=False))):
        return "the result contains NaN or inf: look for a division by zero, log(0) or an overflowing exp (shift scores by their max)"
    a64 = a.astype(np.float64).ravel()
    e64 = e.astype(np.float64).ravel()
    mask = np.abs(e64) > 1e-12
    if mask.sum() >= 1:
        ratios = a64[mask] / e64[mask]
        r = float(np.median(ratios))
        if np.allclose(ratios, r, rtol=1e-6, atol=1e-9) and abs(r - 1) > 1e-6:
            if abs(r + 1) < 1e-6:
                return "off by a sign: check the direction of the update or of the subtraction"
            for n in (2, 3, 4, 5, 10, 50, 100, 500, 1000):
                if abs(r - n) < 1e-6 * n:
                    return f"off by a factor of {n}: did you forget to divide by the number of examples (or a factor 2 from the square)?"
                if abs(r - 1 / n) < 1e-6 / n:
                    return f"off by a factor of 1/{n}: did you divide by the number of examples twice?"
            return f"off by a constant factor {r:.4g}"
    return None


def close_to(a, b, rtol=1e-5) -> bool:
    """Same shape and ``||a - b|| <= rtol * max(||a||, ||b||)`` (float64, Frobenius): "the same
    numbers, up to round-off"."""
    try:
        a64 = np.asarray(a, dtype=np.float64)
        b64 = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a64.shape != b64.shape or not (np.all(np.isfinite(a64)) and np.all(np.isfinite(b64))):
        return False
    scale = max(float(np.linalg.norm(a64)), float(np.linalg.norm(b64)), 1e-300)
    return float(np.linalg.norm(a64 - b64)) <= rtol * scale


@dataclass
class Mistake:
    """A classic mistake of an exercise, recognised by what it does to the output.

    hint: what the learner most likely wrote, and what to do instead.
    like: the output the mistaken code would produce on the same inputs: an array (or number),
        or a function of no arguments that computes it (only called when a check fails).
    test: alternatively, a predicate ``test(actual) -> bool`` on the learner's output.
    """

    hint: str
    like: Any = None
    test: Callable | None = None

    def matches(self, actual) -> bool:
        try:
            if self.test is not None:
                return bool(self.test(actual))
            like = self.like() if callable(self.like) else self.like
            return like is not None and close_to(actual, like)
        except Exception:  # a detector must never mask the real failure
            return False


def name_mistake(actual, mistakes) -> str | None:
    """The hint of the first mistake in ``mistakes`` that matches ``actual``, else None."""
    for m in mistakes or ():
        if m.matches(actual):
            return m.hint
    return None


def check_close(actual, expected, tol=1e-7, name="result", hint=None, metric="rel", mistakes=(), quiet=False):
    """Check that ``actual`` matches ``expected``.

    metric: ``"rel"`` (CS231n rel_error), ``"abs"`` (max absolute difference) or ``"fro"``
    (Frobenius norm of the difference). Prints one verdict line; raises CheckFailed with a
    hint on failure: the first of ``mistakes`` (:class:`Mistake`) that matches the output,
    else ``hint`` and what :func:`diagnose` can tell (shape, factor, sign).
    """
    if metric not in ("rel", "abs", "fro"):
        raise ValueError(f"metric must be 'rel', 'abs' or 'fro', got {metric!r}")
    a = np.asarray(actual)
    e = np.asarray(expected)
    if a.shape != e.shape:
        fail(name, f"shape {a.shape}, expected {e.shape}", name_mistake(a, mistakes) or hint or diagnose(a, e))
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    if metric == "rel":
        err = rel_error(a64, e64)
    elif metric == "abs":
        err = float(np.max(np.abs(a64 - e64))) if a.size else 0.0
    else:
        err = float(np.linalg.norm((a64 - e64).ravel()))
    label = {"rel": "relative error", "abs": "max abs difference", "fro": "Frobenius difference"}[metric]
    if not (err <= tol):  # also catches NaN
        named = name_mistake(a, mistakes)
        auto = None if named else diagnose(a, e)
        hints = "; ".join(h for h in (named, hint, auto) if h)
        fail(name, f"{label} {err:.3g} > {tol:.0e}", hints or None)
    if not quiet:
        passed(name, f"{label} {err:.2e} <= {tol:.0e}")
    return err


def check_true(condition: bool, name: str, detail: str = "", hint: str | None = None):
    """Check a boolean property with a readable verdict."""
    if not condition:
        fail(name, detail or "condition is false", hint)
    passed(name, detail or "ok")


def check_band(value: float, band, name: str, hint: str | None = None, fmt="{:.3f}"):
    """Check ``lo <= value <= hi`` (an accuracy band for the dataset actually loaded)."""
    lo, hi = band
    v = fmt.format(value)
    if not (lo <= value <= hi):
        fail(name, f"{v} outside the expected band [{fmt.format(lo)}, {fmt.format(hi)}]", hint)
    passed(name, f"{v} in the expected band [{fmt.format(lo)}, {fmt.format(hi)}]")
    return value


def check_shape(arr, shape, name="result"):
    a = np.asarray(arr)
    if a.shape != tuple(shape):
        fail(name, f"shape {a.shape}, expected {tuple(shape)}", diagnose(a, np.zeros(shape)))
    passed(name, f"shape {a.shape}")


@contextlib.contextmanager
def checking(what: str, error_hint: str | None = None):
    """Wrap a check cell: stubs report "not implemented yet", failures stay short.

    On success prints ``✓ <what>: all checks passed``. When the learner's code raises an
    ordinary error (a shape or index bug), the failure says so with ``error_hint`` - what that
    error usually means in this exercise - or a generic hint about shapes.
    """
    try:
        yield
    except NotImplementedError as exc:
        raise NotImplementedYet(
            f"{TODO} {what}: not implemented yet - fill in the code between "
            f"'# YOUR CODE HERE' and 'raise NotImplementedError()' above, run that cell, then this one."
            + (f" ({exc})" if str(exc) else "")
        ) from None
    except CheckFailed:
        raise
    except AssertionError as exc:
        raise CheckFailed(f"{FAIL} {what}: {exc}") from None
    except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, FloatingPointError) as exc:
        raise CheckFailed(
            f"{FAIL} {what}: your code raised {type(exc).__name__}: {exc}\n"
            f"  hint: {error_hint or 'print the shapes of your intermediate arrays; most bugs here are shape bugs'}"
        ) from None
    else:
        passed(what, "all checks passed")


def is_finite_number(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
