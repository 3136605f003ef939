"""Checks for the exercises of notebook 02 (linear classifiers), with the classic mistakes.

Each ``check_*`` takes the learner's function (or class), runs it on fixed inputs, compares it
with PyTorch (:mod:`cs231n_helpers.reference`, CS231n's convention ``L = data loss + reg *
sum(W**2)``), numeric gradients and hand-made cases, and names the mistake it recognises when
they disagree: every classic mistake is a :class:`~cs231n_helpers.checks.Mistake` that computes
what the mistaken code outputs on the same inputs.

Also here, because the checks use them: :func:`hinge_kink_crossed` and
:func:`gradient_check_loss` (a numeric gradient check that forgives the SVM's kinks, and says
so), and the timing printouts :func:`report_speedup` and :func:`report_vs_pytorch` (printed,
never asserted: the benchmark suite measures speed under controlled conditions).
"""
from __future__ import annotations

import math

import numpy as np

from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_true, checking, close_to, fail, passed
from cs231n_helpers.gradcheck import grad_check_sparse
from cs231n_helpers.timing import format_seconds, measure
from cs231n_helpers.validation import TrainingDiverged

__all__ = ["check_append_bias", "check_svm_loss_naive", "check_svm_loss_vectorized", "check_softmax_loss_naive",
           "check_softmax_loss_vectorized", "check_train", "check_predict", "check_hyperparameter_search",
           "check_search_run", "hinge_kink_crossed", "gradient_check_loss", "report_speedup", "report_vs_pytorch"]

H = 1e-6            # step of the numeric gradient (see the notebook: why not CS231n's 1e-5)
REG = 1e3           # the regularization strength of the checks with reg > 0
GRAD_THRESHOLD = 1e-6

# --------------------------------------------------------------------------- hints
NO_N_LOSS = ("the loss is N times too large: average over the examples - divide the summed data loss by "
             "N (loss /= num_train) before adding the regularization")
NO_N_GRAD = ("dW is N times too large: the data part of the gradient is an average too - divide it by N "
             "(dW /= num_train), as the loss")
REG_DIVIDED = ("the regularization was divided by N as well: average the data part only, then add "
               "reg * np.sum(W * W) to the loss and 2 * reg * W to dW, undivided")
REG_MISSING_LOSS = "the regularization term is missing from the loss: add reg * np.sum(W * W)"
REG_HALF_LOSS = ("the loss has 0.5 * reg * sum(W**2), but this course (like CS231n's code) uses "
                 "reg * np.sum(W * W), whose gradient is 2 * reg * W")
REG_MISSING_GRAD = ("the gradient of the regularization is missing: the loss has reg * sum(W**2), "
                    "so add 2 * reg * W to dW")
REG_HALF_GRAD = "dW has reg * W, but the derivative of reg * sum(W**2) is 2 * reg * W"
SVM_CORRECT_COUNTED = ("the loss is exactly 1 too large per example: the correct class was counted as a margin "
                       "(max(0, s_y - s_y + 1) = 1) - skip j == y[i] (vectorized: set margins[rows, y] = 0)")
SVM_NO_DELTA = "the margin is missing: each hinge is max(0, s_j - s_y + 1), with delta = 1"
SVM_NOT_SUBTRACTED = ("the correct class's column of dW is missing: every active hinge also pushes w_y by -x_i, "
                      "so subtract x_i once per positive margin (vectorized: dscores[rows, y] = -(number of "
                      "positive margins in row i))")
SVM_SUBTRACTED_ONCE = ("the correct class's column subtracts x_i once per example, but it must subtract it once "
                       "per positive margin: -(count of positive margins) * x_i")
TRANSPOSED = ("dW is transposed: it has the shape of W, (D, C) = X.T @ dscores ((D, N) times (N, C)), "
              "not dscores.T @ X")
SOFTMAX_NO_SHIFT = ("the result is not finite for large scores: np.exp overflowed. Subtract each example's "
                    "maximum score before np.exp (vectorized: scores.max(axis=1, keepdims=True))")
SOFTMAX_MAX_AXIS = ("the maximum was taken over the wrong axis: scores.max(axis=0) is one number per class (over "
                    "the examples) and changes the probabilities; shift each example by its own maximum, "
                    "scores.max(axis=1, keepdims=True)")
SOFTMAX_SUM_AXIS = ("the probabilities were normalised over the wrong axis: each example's probabilities must sum "
                    "to 1 over the classes, exp_scores.sum(axis=1, keepdims=True), not over the examples (axis=0)")
SOFTMAX_NO_ONE = ("dW misses the -1 at the correct class: dL_i/ds_j = p_j - 1(j == y_i), so subtract 1 from "
                  "the correct class's probability before multiplying by X")
LOOP_HINT = ("an index error in the loops usually means X[i] (a row, D numbers) and W[:, j] (a column) were "
             "mixed up: scores = X[i].dot(W) has C entries, dW[:, j] is column j")
VECTOR_HINT = ("a shape error here usually means an axis or a transpose: reduce over the classes with axis=1 "
               "(keepdims=True to broadcast back over the rows); dW has the shape of W, (D, C) = X.T @ dscores - "
               "dscores.T @ X is transposed (C, D), and X @ dscores does not fit")


# --------------------------------------------------------------------------- the problems the checks run on
def _problem(X, y, seed=1):
    """float64 copies of the learner's data and CS231n's small random W (1e-4 * N(0, 1))."""
    X64 = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    C = int(y.max()) + 1
    W = 1e-4 * np.random.default_rng(seed).standard_normal((X64.shape[1], C))
    return X64, y, W


def _svm_like(W, X, y, reg, delta=1.0, count_correct=False, correct="count"):
    """(loss, dW) of a multiclass SVM, computed the way a mistaken version would: margin ``delta``,
    the correct class counted as a margin, and the correct column of dS = ``"count"`` (right),
    ``"none"`` (nothing subtracted) or ``"once"`` (x_i subtracted once per example)."""
    N, rows = len(y), np.arange(len(y))
    S = X @ W
    M = S - S[rows, y][:, None] + delta
    if not count_correct:
        M[rows, y] = 0
    M = np.maximum(M, 0)
    dS = (M > 0).astype(np.float64)
    dS[rows, y] = {"count": -dS.sum(axis=1), "none": 0.0, "once": -1.0}[correct]
    return M.sum() / N + reg * np.sum(W * W), X.T @ dS / N + 2 * reg * W


def _softmax_like(W, X, y, reg, shift="row", normalise="row", minus_one=True):
    """(loss, dW) of softmax, the way a mistaken version would compute it: ``shift`` by the
    row max (right), the column max or nothing; probabilities ``normalise``d over the row (right)
    or over the column; with or without the -1 at the correct class."""
    N, rows = len(y), np.arange(len(y))
    S = X @ W
    if shift == "row":
        S = S - S.max(axis=1, keepdims=True)
    elif shift == "column":
        S = S - S.max(axis=0, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        E = np.exp(S)
        P = E / E.sum(axis=1 if normalise == "row" else 0, keepdims=True)
        loss = -np.log(P[rows, y]).sum() / N + reg * np.sum(W * W)
        if minus_one:
            P[rows, y] -= 1
        return loss, X.T @ P / N + 2 * reg * W


def _data_and_reg_mistakes(W, X, y, reg, kind):
    """The mistakes that both losses share: the 1/N and the L2 term. ``kind``: 'svm' or 'softmax'."""
    ref = reference.linear_svm_loss if kind == "svm" else reference.linear_softmax_loss
    N = len(y)
    data = {}

    def part():
        if not data:
            data["loss"], data["dW"] = ref(W, X, y, 0.0)
        return data["loss"], data["dW"]

    R = float(np.sum(W * W))
    loss = [
        Mistake(NO_N_LOSS, like=lambda: N * part()[0] + reg * R),
        Mistake(REG_DIVIDED, like=lambda: part()[0] + reg * R / N),
        Mistake(REG_MISSING_LOSS, like=lambda: part()[0]),
        Mistake(REG_HALF_LOSS, like=lambda: part()[0] + 0.5 * reg * R),
    ]
    grad = [
        Mistake(NO_N_GRAD, like=lambda: N * part()[1] + 2 * reg * W),
        Mistake(REG_DIVIDED, like=lambda: part()[1] + 2 * reg * W / N),
        Mistake(REG_MISSING_GRAD, like=lambda: part()[1]),
        Mistake(REG_HALF_GRAD, like=lambda: part()[1] + reg * W),
    ]
    return loss, grad


def _svm_mistakes(W, X, y, reg):
    loss, grad = _data_and_reg_mistakes(W, X, y, reg, "svm")
    loss += [Mistake(SVM_CORRECT_COUNTED, like=lambda: _svm_like(W, X, y, reg)[0] + 1),
             Mistake(SVM_NO_DELTA, like=lambda: _svm_like(W, X, y, reg, delta=0.0)[0])]
    grad += [Mistake(SVM_NOT_SUBTRACTED, like=lambda: _svm_like(W, X, y, reg, correct="none")[1]),
             Mistake(SVM_SUBTRACTED_ONCE, like=lambda: _svm_like(W, X, y, reg, correct="once")[1]),
             Mistake(TRANSPOSED, like=lambda: _svm_like(W, X, y, reg)[1].T)]
    return loss, grad


def _softmax_mistakes(W, X, y, reg):
    loss, grad = _data_and_reg_mistakes(W, X, y, reg, "softmax")
    loss += [Mistake(SOFTMAX_MAX_AXIS, like=lambda: _softmax_like(W, X, y, reg, shift="column")[0]),
             Mistake(SOFTMAX_SUM_AXIS, test=lambda a: any(  # with or without the shift
                 close_to(a, _softmax_like(W, X, y, reg, shift=s, normalise="column")[0]) for s in ("row", "none"))),
             Mistake(SOFTMAX_NO_SHIFT, test=lambda a: not np.isfinite(a))]
    grad += [Mistake(SOFTMAX_NO_ONE, like=lambda: _softmax_like(W, X, y, reg, minus_one=False)[1]),
             Mistake(TRANSPOSED, like=lambda: _softmax_like(W, X, y, reg)[1].T),
             Mistake(SOFTMAX_NO_SHIFT, test=lambda a: not np.all(np.isfinite(a)))]
    return loss, grad


def _against_pytorch(fn, W, X, y, reg, kind, tag=""):
    """The learner's loss and dW against PyTorch autograd, float64, to 1e-9; mistakes named."""
    loss, dW = fn(W, X, y, reg)
    ref_loss, ref_dW = (reference.linear_svm_loss if kind == "svm" else reference.linear_softmax_loss)(W, X, y, reg)
    m_loss, m_grad = (_svm_mistakes if kind == "svm" else _softmax_mistakes)(W, X, y, reg)
    check_close(loss, ref_loss, tol=1e-9, metric="abs", name=f"loss vs PyTorch, reg={reg:g}{tag}", mistakes=m_loss)
    check_close(dW, ref_dW, tol=1e-9, metric="fro", name=f"dW vs PyTorch autograd, reg={reg:g}{tag}", mistakes=m_grad)
    return loss, dW


def _float32_kept(fn, X, y, W):
    """float32 in, float32 out, and the same numbers as float64 up to float32 round-off."""
    W32, X32 = W.astype(np.float32), np.asarray(X, dtype=np.float32)
    loss32, dW32 = fn(W32, X32, y, REG)
    check_true(np.asarray(dW32).dtype == np.float32 and np.asarray(loss32).dtype == np.float32,
               "float32 stays float32", "loss and dW are float32 for float32 W and X",
               hint="compute in the dtype of X and W: np.zeros_like(W), no np.float64(...) and no .astype(float)")
    loss64, dW64 = fn(W32.astype(np.float64), X32.astype(np.float64), y, REG)
    check_close(dW32, dW64, tol=1e-4 * float(np.linalg.norm(dW64)), metric="fro",
                name="float32 dW = float64 dW up to round-off")


# --------------------------------------------------------------------------- numeric gradients and kinks
def hinge_kink_crossed(W, X, y, ix, h=H):
    """True if moving W[ix] by -h and +h switches some hinge max(0, s_j - s_yi + 1) on or off."""
    rows = np.arange(len(y))

    def active(delta):
        W2 = W.copy()
        W2[ix] += delta
        s = X @ W2
        m = s - s[rows, y][:, None] + 1
        m[rows, y] = 0
        return m > 0

    return bool(np.any(active(h) != active(-h)))


def gradient_check_loss(loss_fn, W, X, y, reg, name, num_checks=10, threshold=GRAD_THRESHOLD, seed=0, kink_fn=None):
    """Numeric vs analytic gradient of ``loss_fn(W, X, y, reg)`` at ``num_checks`` random entries
    of W (centred differences, step ``H``, float64).

    An entry whose error exceeds the threshold is forgiven only if ``kink_fn(W, X, y, ix)`` says
    that W[ix] +- h crosses a kink of the loss; such entries are counted and reported. Returns the
    relative errors of the entries that were checked.
    """
    _, grad = loss_fn(W, X, y, reg)
    if np.shape(grad) != W.shape:
        fail(name, f"dW has shape {np.shape(grad)}, expected the shape of W, {W.shape}")
    rng = np.random.default_rng(seed)
    errors, kinks = [], []
    for _ in range(num_checks):
        d, c = int(rng.integers(W.shape[0])), int(rng.integers(W.shape[1]))
        # a 1x1 view of W[d, c]: grad_check_sparse nudges it, and with it W, by +-h
        (err,) = grad_check_sparse(lambda _w: loss_fn(W, X, y, reg)[0], W[d:d + 1, c:c + 1],
                                   grad[d:d + 1, c:c + 1], num_checks=1, h=H, verbose=False)
        if err > threshold and kink_fn is not None and kink_fn(W, X, y, (d, c)):
            kinks.append(err)
            continue
        errors.append(err)
    if not errors:
        fail(name, f"all {num_checks} entries crossed a kink", "use a smaller h or other entries (seed)")
    worst = max(errors)
    note = f"; {len(kinks)} entr{'y' if len(kinks) == 1 else 'ies'} skipped (+-h crosses a hinge kink)" if kinks else ""
    if not worst <= threshold:
        fail(name, f"worst relative error {worst:.1e} > {threshold:.0e} over {len(errors)} entries of W{note}",
             "compare your dW with the formulas above, one term at a time (data term first: reg=0)")
    passed(name, f"worst relative error {worst:.1e} <= {threshold:.0e} over {len(errors)} entries of W{note}")
    return errors


# --------------------------------------------------------------------------- exercise 1: the bias trick
def check_append_bias(append_bias):
    """Scores with the bias folded into W equal scores with a separate bias; dtypes kept."""
    with checking("append_bias", error_hint="X has shape (N, D): the column of ones has shape (N, 1); "
                                            "join them side by side with np.hstack (or axis=1)"):
        rng = np.random.default_rng(0)
        X, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
        Xb = np.asarray(append_bias(X))
        ones, zeros = np.ones((5, 1)), np.zeros((5, 1))
        check_close(Xb, np.hstack([X, ones]), tol=0, metric="abs", name="[X, 1]: a last column of ones", mistakes=[
            Mistake("the column of ones is first: the bias trick appends it as the LAST column, so that the "
                    "bias is the last row of W", like=np.hstack([ones, X])),
            Mistake("the new column holds zeros: it must hold ones (x . w + 1 * b)", like=np.hstack([X, zeros])),
            Mistake("a row was appended: append a column, one 1 per example (np.hstack, shape (N, D + 1))",
                    like=np.vstack([X, np.ones((1, 4))])),
        ])
        check_close(Xb @ np.vstack([W, b]), X @ W + b, tol=1e-12, name="[X, 1] [W; b] == X W + b")
        X32 = X.astype(np.float32)
        check_true(np.asarray(append_bias(X32)).dtype == np.float32, "float32 stays float32",
                   "float32 X gives float32 [X, 1]",
                   hint="make the ones in the dtype of X (np.ones(..., dtype=dtype), dtype = X.dtype for float "
                        "X): float64 ones turn the whole array into float64, twice the memory")
        check_true(np.asarray(append_bias(X.astype(np.int64))).dtype == np.float64, "integers become float64",
                   "int64 X gives float64 [X, 1]")


# --------------------------------------------------------------------------- exercises 2-5: the losses
def check_svm_loss_naive(svm_loss_naive, X, y, gradcheck_rows=100):
    """Tiny W gives about C - 1; PyTorch's loss and gradient (reg 0 and 1e3); numeric gradients."""
    with checking("svm_loss_naive", error_hint=LOOP_HINT):
        X64, y, W = _problem(X, y)
        C = W.shape[1]
        loss, dW = svm_loss_naive(0.1 * W, X64, y, 0.0)
        print(f"   loss with tiny W: {loss:.4f}")
        check_close(loss, C - 1, tol=0.3, metric="abs", name=f"initial SVM loss ~ C - 1 = {C - 1}",
                    mistakes=_svm_mistakes(0.1 * W, X64, y, 0.0)[0])
        check_true(np.asarray(dW).dtype == np.float64 and np.shape(dW) == W.shape, "dW",
                   f"float64 in, float64 out, shape (D, C) = {W.shape}")
        for reg in (0.0, REG):
            _against_pytorch(svm_loss_naive, W, X64, y, reg, "svm")
        Xg, yg = X64[:gradcheck_rows], y[:gradcheck_rows]
        for reg in (0.0, REG):
            gradient_check_loss(svm_loss_naive, W, Xg, yg, reg, f"numeric gradient, reg={reg:g}",
                                kink_fn=hinge_kink_crossed)


def check_svm_loss_vectorized(svm_loss_vectorized, X, y):
    """PyTorch's loss and gradient (reg 0 and 1e3, float64), numeric gradients, float32 kept."""
    with checking("svm_loss_vectorized", error_hint=VECTOR_HINT):
        X64, y, W = _problem(X, y)
        for reg in (0.0, REG):
            _against_pytorch(svm_loss_vectorized, W, X64, y, reg, "svm")
        for reg in (0.0, REG):
            gradient_check_loss(svm_loss_vectorized, W, X64, y, reg, f"numeric gradient, reg={reg:g}",
                                kink_fn=hinge_kink_crossed)
        _float32_kept(svm_loss_vectorized, X, y, W)


def _stable(fn, W, X, y):
    """Scores in the thousands (W scaled up): the loss and dW must stay finite and right; an
    unshifted np.exp overflows above 709 in float64."""
    big = W * (5000.0 / float(np.abs(X @ W).max()))
    top = float(np.abs(X @ big).max())
    _against_pytorch(fn, big, X, y, 0.0, "softmax", tag=f", scores up to {top:.0f}")


def check_softmax_loss_naive(softmax_loss_naive, X, y, gradcheck_rows=100):
    """Tiny W gives log C; PyTorch's loss and gradient (reg 0, 1e3, huge scores); numeric gradients."""
    with checking("softmax_loss_naive", error_hint=LOOP_HINT):
        X64, y, W = _problem(X, y)
        C = W.shape[1]
        loss, dW = softmax_loss_naive(0.1 * W, X64, y, 0.0)
        print(f"   loss with tiny W: {loss:.4f}   -log(1/C) = {math.log(C):.4f}")
        check_close(loss, math.log(C), tol=0.03, metric="abs", name=f"initial softmax loss ~ log(C) = {math.log(C):.4f}",
                    mistakes=_softmax_mistakes(0.1 * W, X64, y, 0.0)[0])
        check_true(np.asarray(dW).dtype == np.float64 and np.shape(dW) == W.shape, "dW",
                   f"float64 in, float64 out, shape (D, C) = {W.shape}")
        for reg in (0.0, REG):
            _against_pytorch(softmax_loss_naive, W, X64, y, reg, "softmax")
        Xg, yg = X64[:gradcheck_rows], y[:gradcheck_rows]
        _stable(softmax_loss_naive, W, Xg, yg)
        for reg in (0.0, REG):
            gradient_check_loss(softmax_loss_naive, W, Xg, yg, reg, f"numeric gradient, reg={reg:g}")


def check_softmax_loss_vectorized(softmax_loss_vectorized, X, y):
    """PyTorch's loss and gradient (reg 0, 1e3, huge scores; float64), numeric gradients, float32 kept."""
    with checking("softmax_loss_vectorized", error_hint=VECTOR_HINT):
        X64, y, W = _problem(X, y)
        for reg in (0.0, REG):
            _against_pytorch(softmax_loss_vectorized, W, X64, y, reg, "softmax")
        _stable(softmax_loss_vectorized, W, X64, y)
        for reg in (0.0, REG):
            gradient_check_loss(softmax_loss_vectorized, W, X64, y, reg, f"numeric gradient, reg={reg:g}")
        _float32_kept(softmax_loss_vectorized, X, y, W)


# --------------------------------------------------------------------------- timing printouts
def report_speedup(naive_fn, fast_fn, X, y, reg=REG, repeat=3):
    """Print the best-of-runs times of ``naive_fn`` and ``fast_fn`` on float32 ``X`` and their
    ratio; return the ratio. Printed, not asserted: on a busy machine timings say more about the
    neighbours than about the code."""
    X32 = np.asarray(X, dtype=np.float32)
    W32 = (1e-4 * np.random.default_rng(2).standard_normal((X32.shape[1], int(np.max(y)) + 1))).astype(np.float32)
    args = (W32, X32, y, reg)
    t_naive = measure(naive_fn, repeat=repeat, warmup=0, args=args)["min"]
    t_fast = measure(fast_fn, repeat=10 * repeat, warmup=1, args=args)["min"]
    ratio = t_naive / t_fast
    note = "" if ratio > 10 else "  <- less than 10x: a loop left in the vectorized version, or a busy machine?"
    print(f"{naive_fn.__name__} {format_seconds(t_naive)}, {fast_fn.__name__} {format_seconds(t_fast)}: "
          f"{ratio:.0f}x faster ({X32.shape[0]} x {X32.shape[1]} x {W32.shape[1]}, float32){note}")
    return ratio


def _blas_threads():
    """The number of threads numpy's BLAS uses (None if threadpoolctl cannot tell)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - a dependency of the package
        return None
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else None


def report_vs_pytorch(losses, X, y, reg=REG, repeat=10):
    """For each ``name -> (our loss function, PyTorch oracle)`` in ``losses``: print the best-of-runs
    time of ours and of the oracle (:mod:`cs231n_helpers.reference`, autograd) on float32 ``X``,
    and their ratio (ours / PyTorch). PyTorch gets as many threads as numpy's BLAS for the
    measurement (then its setting is restored), so both use the same cores. Returns {name: ratio}."""
    import torch

    X32 = np.asarray(X, dtype=np.float32)
    W32 = (1e-4 * np.random.default_rng(2).standard_normal((X32.shape[1], int(np.max(y)) + 1))).astype(np.float32)
    threads, before = _blas_threads(), torch.get_num_threads()
    ratios = {}
    try:
        if threads:
            torch.set_num_threads(threads)
        for name, (ours, oracle) in losses.items():
            t_ours = measure(ours, repeat=repeat, warmup=2, args=(W32, X32, y, reg))["min"]
            t_torch = measure(oracle, repeat=repeat, warmup=2, args=(W32, X32, y, reg))["min"]
            ratios[name] = t_ours / t_torch
            print(f"   {name:8s} loss + gradient, {X32.shape[0]} x {X32.shape[1]} x {W32.shape[1]} float32: ours "
                  f"{format_seconds(t_ours)}, PyTorch autograd {format_seconds(t_torch)} (ratio {ratios[name]:.2f}; "
                  f"{torch.get_num_threads()} thread(s) each)")
    finally:
        torch.set_num_threads(before)
    return ratios


# --------------------------------------------------------------------------- exercise 6: train
TRAIN_ASCENT = ("W moved uphill: the update must subtract the gradient, self.W -= learning_rate * grad "
                "(with += it is gradient ascent and the loss grows)")
TRAIN_NO_LR = "the step ignores the learning rate: self.W -= learning_rate * grad"
TRAIN_LABELS = ("X_batch and y_batch do not belong together: draw the indices once and use them for both, "
                "idx = self.rng.integers(0, num_train, size=batch_size); X_batch, y_batch = X[idx], y[idx]")
TRAIN_FULL = "the loss was computed on all N examples: compute it on the minibatch, self.loss(X_batch, y_batch, reg)"
TRAIN_SIZE = "the minibatch must hold batch_size examples: self.rng.integers(0, num_train, size=batch_size)"
TRAIN_SAME = "every step used the same examples: draw a new random minibatch at every iteration"
TRAIN_RNG = ("two classifiers with the same seed drew different minibatches: sample with the classifier's own "
             "generator self.rng, not np.random")
TRAIN_NO_LOSS_CALL = ("train never called self.loss: compute the loss and gradient with self.loss(X_batch, "
                      "y_batch, reg), which LinearSVM and Softmax define")


def _probe_class(cls):
    """A subclass of the learner's classifier whose loss records what train hands it and returns
    a fixed gradient G, so that the check can see the minibatches and the update."""

    class Probe(cls):
        def loss(self, X_batch, y_batch, reg):
            self.seen.append((np.array(X_batch, copy=True), np.array(y_batch, copy=True), np.array(self.W, copy=True)))
            if self.G is None:
                self.G = np.random.default_rng(5).standard_normal(self.W.shape)
            return float(len(self.seen)), self.G

    Probe.__name__ = Probe.__qualname__ = cls.__name__
    return Probe


def _probe_run(cls, X, y, seed, learning_rate, num_iters, batch_size):
    model = _probe_class(cls)(seed=seed)
    model.seen, model.G = [], None
    hist = model.train(X, y, learning_rate=learning_rate, reg=0.0, num_iters=num_iters, batch_size=batch_size)
    return model, hist


def _blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    y = np.repeat(np.arange(3), 50)
    X = centers[y] + 0.5 * rng.standard_normal((150, 2))
    return np.hstack([X, np.ones((150, 1))]), y


def check_train(LinearSVM, Softmax, X, y):
    """What train hands to the loss (minibatches of matching rows and labels, drawn with self.rng)
    and the SGD step, seen through a probe; then real runs: the loss goes down on ``X, y`` (the
    dev set), float32 weights, three separable blobs fitted by both classifiers."""
    with checking("LinearClassifier.train"):
        rng = np.random.default_rng(0)
        N, lr, iters, bs = 60, 0.5, 5, 7
        Xp = np.hstack([np.arange(N, dtype=np.float64)[:, None], rng.standard_normal((N, 3))])  # column 0: row id
        yp = rng.integers(0, 3, N)
        yp[:3] = [0, 1, 2]
        probe, hist = _probe_run(LinearSVM, Xp, yp, 0, lr, iters, bs)
        if not probe.seen:
            fail("train", "self.loss was never called", TRAIN_NO_LOSS_CALL)
        check_true(len(probe.seen) == iters, "one loss per step", f"self.loss called {len(probe.seen)} times "
                   f"for num_iters={iters}", hint="call self.loss once per iteration, inside the loop")
        sizes = {len(xb) for xb, _, _ in probe.seen}
        check_true(sizes == {bs}, "minibatch size", f"{sorted(sizes)} rows per minibatch for batch_size={bs}",
                   hint=TRAIN_FULL if sizes == {N} else TRAIN_SIZE)
        pairs_ok = all(np.array_equal(yb, yp[xb[:, 0].astype(int)]) for xb, yb, _ in probe.seen)
        check_true(pairs_ok, "X_batch and y_batch match", "every label belongs to its row", hint=TRAIN_LABELS)
        batches = {tuple(xb[:, 0].astype(int)) for xb, _, _ in probe.seen}
        check_true(len(batches) > 1, "a new minibatch every step", f"{len(batches)} different minibatches in {iters} steps",
                   hint=TRAIN_SAME)
        W0, W1, G = probe.seen[0][2], probe.seen[1][2], probe.G
        check_close(W1, W0 - lr * G, tol=1e-12, metric="abs", name="one SGD step: W <- W - learning_rate * dW",
                    mistakes=[Mistake(TRAIN_ASCENT, like=W0 + lr * G), Mistake(TRAIN_NO_LR, like=W0 - G)])
        check_close(np.asarray(hist, dtype=np.float64), np.arange(1, iters + 1), tol=0, metric="abs",
                    name="loss history: the minibatch loss of every step",
                    hint="append each step's loss (the value self.loss returned) to loss_history")
        again, _ = _probe_run(LinearSVM, Xp, yp, 0, lr, iters, bs)
        same = all(np.array_equal(a[0], b[0]) for a, b in zip(probe.seen, again.seen))
        check_true(same, "reproducible", "the same seed draws the same minibatches", hint=TRAIN_RNG)

        svm = LinearSVM(seed=0)
        h = svm.train(X, y, learning_rate=1e-7, reg=2.5e4, num_iters=100, batch_size=100)
        check_true(len(h) == 100 and all(np.isfinite(h)), "loss history", "100 finite losses, one per iteration")
        first, last = np.mean(h[:10]), np.mean(h[-10:])
        check_true(last < 0.5 * first, "the loss goes down", f"{first:.2f} (first 10) -> {last:.2f} (last 10)",
                   hint=TRAIN_ASCENT if last > first else "compute grad on the minibatch and step with learning_rate")
        check_true(svm.W.dtype == np.asarray(X).dtype and svm.W.shape == (X.shape[1], int(np.max(y)) + 1), "W",
                   f"{np.asarray(X).dtype} data gives {np.asarray(X).dtype} weights of shape {svm.W.shape}")
        Xb, yb = _blobs()
        for cls in (LinearSVM, Softmax):
            model = cls(seed=0)
            model.train(Xb, yb, learning_rate=0.1, reg=1e-3, num_iters=200, batch_size=50)
            acc = np.mean(np.argmax(Xb @ model.W, axis=1) == yb)
            check_close(acc, 1.0, tol=0, metric="abs", name=f"{cls.__name__} separates three blobs")


# --------------------------------------------------------------------------- exercise 7: predict
def check_predict(LinearSVM):
    """The class with the highest score, on a hand-made and a random problem."""
    with checking("LinearClassifier.predict"):
        rng = np.random.default_rng(0)
        model = LinearSVM()
        model.W = rng.standard_normal((4, 5))
        X = rng.standard_normal((7, 4))
        S = X @ model.W
        pred = model.predict(X)
        check_close(pred, np.argmax(S, axis=1), tol=0, metric="abs", name="argmax of the scores, 7 examples, 5 classes",
                    mistakes=[
                        Mistake("argmax over the wrong axis: axis=0 gives one index per class; the prediction is "
                                "one class per example, np.argmax(scores, axis=1)", like=lambda: np.argmax(S, axis=0)),
                        Mistake("that is the lowest score: the prediction is the class with the HIGHEST score "
                                "(np.argmax)", like=lambda: np.argmin(S, axis=1)),
                        Mistake("those are the highest scores themselves: return their index, the class, "
                                "np.argmax(scores, axis=1)", like=lambda: S.max(axis=1)),
                        Mistake("those are the scores: predict returns one class label per example, "
                                "np.argmax(scores, axis=1)", test=lambda a: np.shape(a) == S.shape),
                    ])
        check_true(np.issubdtype(np.asarray(pred).dtype, np.integer), "labels", "integer class labels")
        toy = LinearSVM()
        toy.W = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -0.5]])   # features x0, x1, 1
        Xt = np.array([[2.0, 0.0, 1.0], [-2.0, 0.0, 1.0], [0.0, 3.0, 1.0]])
        check_close(toy.predict(Xt), [0, 1, 2], tol=0, metric="abs", name="predict picks the highest score")


# --------------------------------------------------------------------------- exercise 8: the search
_LRS, _REGS = [1e-3, 2e-3, 3e-3], [10.0, 20.0]
_TABLE = {  # (lr, reg) -> (train accuracy, validation accuracy); None: the training diverges
    (1e-3, 10.0): (0.60, 0.40),
    (1e-3, 20.0): (0.95, 0.45),   # the best training accuracy
    (2e-3, 10.0): (0.70, 0.65),   # the best validation accuracy
    (2e-3, 20.0): None,
    (3e-3, 10.0): (0.50, 0.30),   # the worst
    (3e-3, 20.0): (0.55, 0.50),   # the last pair
}
_BEST = (2e-3, 10.0)
SEARCH_NOT_CAUGHT = ("TrainingDiverged stopped the search: wrap model.train(...) in try/except TrainingDiverged, "
                     "record (nan, nan) for that pair and go on with the next one")
SEARCH_ONE_MODEL = "one model was trained for several pairs: create a new model_class(seed=seed) inside the loop"
SEARCH_SEED = "pass the seed on: model_class(seed=seed)"
SEARCH_BY_TRAIN = ("the best pair was chosen by training accuracy: choose it by validation accuracy "
                   "(training accuracy rewards overfitting)")
SEARCH_WORST = "that is the worst pair: keep the pair whose validation accuracy is HIGHER than the best so far"
SEARCH_LAST = ("that is the last pair of the grid: update best_val, best_params and best_model only when the "
               "validation accuracy beats best_val")
SEARCH_SWAPPED = "results hold (validation, training): the order is (train accuracy, validation accuracy)"
SEARCH_VAL_ON_TRAIN = "the validation accuracy equals the training accuracy: compute it on X_val, y_val"


def _fake_data():
    """20 training and 20 validation rows that carry their own label (column 1) and which set they
    are (column 0), so that the fake model can make a given accuracy on each set."""
    y = np.arange(20) % 3
    X_tr = np.column_stack([np.zeros(20), y, np.ones(20)])
    X_va = np.column_stack([np.ones(20), y, np.ones(20)])
    return X_tr, y, X_va, y.copy()


def _fake_model_class():
    made = []

    class FakeModel:
        """Stands in for LinearSVM: records its training; its accuracy is a fixed table of (lr, reg)."""

        def __init__(self, seed=0):
            self.seed, self.trained = seed, []
            made.append(self)

        def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
            self.trained.append((learning_rate, reg, num_iters, batch_size))
            if _TABLE[(learning_rate, reg)] is None:
                raise TrainingDiverged(f"training diverged (learning_rate={learning_rate:g}, reg={reg:g})")
            return [float(learning_rate * reg + k) for k in range(num_iters)]

        def predict(self, X):
            acc = _TABLE[self.trained[-1][:2]][int(X[0, 0])]
            out = X[:, 1].astype(np.int64)
            k = int(round(acc * len(X)))
            out[k:] = (out[k:] + 1) % 3
            return out

    return FakeModel, made


def check_hyperparameter_search(hyperparameter_search):
    """The search logic, on a fake classifier whose accuracies are known: every pair, a new model
    each, divergence survived, the best pair chosen by validation accuracy."""
    with checking("hyperparameter_search"):
        Model, made = _fake_model_class()
        X_tr, y_tr, X_va, y_va = _fake_data()
        try:
            s = hyperparameter_search(Model, X_tr, y_tr, X_va, y_va, _LRS, _REGS, num_iters=4, batch_size=5,
                                      seed=7, verbose=False)
        except TrainingDiverged:
            fail("hyperparameter_search", "a diverging pair stopped the search", SEARCH_NOT_CAUGHT)
        pairs = [(lr, reg) for lr in _LRS for reg in _REGS]
        check_true(all(len(m.trained) == 1 for m in made), "a new model for every pair",
                   f"{len(made)} models for {len(pairs)} pairs", hint=SEARCH_ONE_MODEL)
        check_true(all(m.seed == 7 for m in made), "seed", "every model made with model_class(seed=seed)",
                   hint=SEARCH_SEED)
        check_true(all(m.trained[0][2:] == (4, 5) for m in made), "num_iters, batch_size",
                   "passed on to train", hint="call model.train(..., num_iters=num_iters, batch_size=batch_size)")
        res = s["results"]
        check_true(set(res) == set(pairs), "results", f"one entry per (lr, reg) pair ({len(res)} of {len(pairs)})",
                   hint="record every pair, the diverged one included")
        check_true(all(np.isnan(v) for v in res[(2e-3, 20.0)]), "a diverged pair", "gets (nan, nan)",
                   hint="results[(lr, reg)] = (np.nan, np.nan) for a pair whose training diverged")
        ok = [p for p in pairs if _TABLE[p] is not None]
        got = np.array([res[p] for p in ok], dtype=np.float64)
        want = np.array([_TABLE[p] for p in ok])
        check_close(got, want, tol=1e-12, metric="abs", name="results hold (train accuracy, validation accuracy)",
                    mistakes=[Mistake(SEARCH_SWAPPED, like=want[:, ::-1]),
                              Mistake(SEARCH_VAL_ON_TRAIN, like=want[:, [0, 0]])])
        best = s["best_params"]
        check_close(np.array(best if best is not None else (np.nan, np.nan), dtype=np.float64), np.array(_BEST),
                    tol=0, metric="abs", name="best_params: the highest validation accuracy", mistakes=[
                        Mistake(SEARCH_BY_TRAIN, like=np.array((1e-3, 20.0))),
                        Mistake(SEARCH_WORST, like=np.array((3e-3, 10.0))),
                        Mistake(SEARCH_LAST, like=np.array((3e-3, 20.0)))])
        check_close(s["best_val"], _TABLE[_BEST][1], tol=1e-12, metric="abs", name="best_val")
        bm = s["best_model"]
        check_true(bm is not None and bm.trained[-1][:2] == _BEST, "best_model", "the model trained with best_params",
                   hint="keep the model together with best_val and best_params (best_model = model)")
        check_true(set(s["models"]) == set(ok) and all(s["models"][p].trained[-1][:2] == p for p in ok), "models",
                   "{(lr, reg): the model trained with them}, diverged pairs left out")
        check_true(all(s["histories"].get(p) == [float(p[0] * p[1] + k) for k in range(4)] for p in ok),
                   "histories", "{(lr, reg): the loss history that train returned}")


def check_search_run(search, X_train, y_train, X_val, y_val, learning_rates, regs, num_iters):
    """The results of a real search hold together (not an exercise check: the bands come after)."""
    name = type(search["best_model"]).__name__
    res = search["results"]
    pairs = {(lr, reg) for lr in learning_rates for reg in regs}
    check_true(set(res) == pairs, f"{name}: results", f"one entry per (lr, reg) pair ({len(res)})")
    vals = [v for _, v in res.values() if np.isfinite(v)]
    check_close(search["best_val"], max(vals), tol=0, metric="abs", name=f"{name}: best_val is the best validation accuracy")
    check_close(res[search["best_params"]][1], search["best_val"], tol=0, metric="abs", name=f"{name}: best_params")
    best = search["best_model"]
    check_close(np.mean(best.predict(X_val) == y_val), search["best_val"], tol=0, metric="abs",
                name=f"{name}: best_model has that validation accuracy")
    check_close(np.mean(best.predict(X_train) == y_train), res[search["best_params"]][0], tol=0, metric="abs",
                name=f"{name}: results hold (train accuracy, validation accuracy)")
    check_true(len({id(m) for m in search["models"].values()}) == len(search["models"]), f"{name}: models",
               "a new model for every pair")
    check_true(all(len(h) == num_iters for h in search["histories"].values()), f"{name}: histories",
               f"{num_iters} losses for every pair")
