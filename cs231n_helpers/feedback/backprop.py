"""Checks for the exercises of notebook 03 (backpropagation, layers, nets, optimizers,
normalization, dropout), with the classic mistakes of each.

Each ``check_*`` takes the learner's function(s) or class, compares them with CS231n's printed
numbers, numeric gradients and PyTorch (:mod:`cs231n_helpers.reference`), and names the mistake
it recognises when they disagree. What a mistake computes is worked out here, on the same
inputs, with the package's finished layers.
"""
from __future__ import annotations

import math

import numpy as np

from cs231n_helpers import layers as L
from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_shape, check_true, checking, close_to
from cs231n_helpers.gradcheck import check_layer_gradients, check_model_gradients, eval_numerical_gradient

__all__ = ["check_sigmoid_neuron", "check_affine_forward", "check_affine_backward", "check_relu_forward",
           "check_relu_backward", "check_affine_relu", "check_svm_loss", "check_softmax_loss",
           "check_two_layer_net", "check_fully_connected_net", "check_sgd_momentum", "check_rmsprop",
           "check_adam", "check_batchnorm_forward", "check_batchnorm_backward", "check_batchnorm_backward_alt",
           "check_layernorm", "check_dropout_forward", "check_dropout_backward"]

SHAPE_HINT = "print the shapes of your intermediate arrays; most bugs here are shape bugs"


def _differs(hint, like, expected):
    """A Mistake that computes ``like()`` and matches only where the mistake changes the result
    (no regularization mistake is named when reg = 0, say)."""
    def test(actual):
        wrong = like()
        return close_to(actual, wrong) and not close_to(wrong, expected, rtol=1e-9)
    return Mistake(hint, test=test)


def _exact(hint, like):
    """A Mistake for a formula slip whose effect may be small: the output equals what the mistaken
    formula gives to 1e-9 (the learner computes the same arithmetic)."""
    return Mistake(hint, test=lambda a: close_to(a, like(), rtol=1e-9))


def _any_close(*candidates):
    """A Mistake test: the output is close to any of ``candidates`` (functions of no argument)."""
    return lambda a: any(close_to(a, c()) for c in candidates)


# --------------------------------------------------------------------------- 1. a sigmoid neuron
SIG_LOCAL = ("the sigmoid's local gradient is sigma(t) * (1 - sigma(t)), computed from the gate's OUTPUT "
             "f = sigma(t): dt = (1 - f) * f, not (1 - t) * t")
SIG_NO_SWAP = ("a multiply gate swaps its inputs: w_i receives x_i * dt and x_i receives w_i * dt "
               "(this gives w_i its own value)")
SIG_NO_CHAIN = ("chain rule: multiply each local gradient by the upstream gradient dt = df/dt; "
                "dw_i = x_i * dt, not x_i")
SIG_SIGN = "sigma(t) = 1 / (1 + exp(-t)): the minus sign in the exponent is missing"


def _neuron(w, x, local="f", swap=True, chain=True, sign=-1.0):
    """[f, dw0, dw1, dw2, dx0, dx1] of the sigmoid neuron, as the right or a mistaken code gives it."""
    t = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + np.exp(sign * t))
    dt = (1 - f) * f if local == "f" else (1 - t) * t
    g = dt if chain else 1.0
    a, b = (x, w) if swap else (w, x)
    return np.array([f, a[0] * g, a[1] * g, g, b[0] * g, b[1] * g])


def _in_part(wrong):
    """A test: dw (entries 1-2) or dx (entries 4-5) of [f, dw, dx] equals the mistaken one."""
    return lambda a: any(close_to(np.asarray(a)[sl], wrong[sl]) for sl in (slice(1, 3), slice(4, 6)))


def check_sigmoid_neuron(sigmoid_neuron):
    """CS231n's worked example (w = (2, -3, -3), x = (-1, -2)) and numeric gradients elsewhere."""
    with checking("sigmoid_neuron"):
        for w, x, name in ((np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]), "CS231n's example"),
                           (np.array([0.5, -1.2, 0.3]), np.array([1.5, 0.7]), "another point")):
            f, dw, dx = sigmoid_neuron(w, x)
            got = np.concatenate([np.ravel(f), np.ravel(dw), np.ravel(dx)])
            v = np.concatenate([w, x])
            num = eval_numerical_gradient(lambda v: 1 / (1 + np.exp(-(v[0] * v[3] + v[1] * v[4] + v[2]))), v.copy(),
                                          verbose=False)
            expected = np.concatenate([[_neuron(w, x)[0]], num])
            check_close(got, expected, tol=1e-7, name=f"f, dw, dx at {name} (vs numeric gradient)", mistakes=[
                Mistake(SIG_SIGN, like=lambda: _neuron(w, x, sign=1.0)),
                Mistake(SIG_LOCAL, like=lambda: _neuron(w, x, local="t")),
                Mistake(SIG_NO_SWAP, test=_in_part(_neuron(w, x, swap=False))),   # in dw or in dx
                Mistake(SIG_NO_CHAIN, test=_in_part(_neuron(w, x, chain=False))),
            ])
        f, dw, dx = sigmoid_neuron(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
        check_close(np.array([f, *dw, *dx]), [0.73, -0.20, -0.39, 0.20, 0.39, -0.59], tol=0.005, metric="abs",
                    name="the numbers of the text: f = 0.73, dw = (-0.20, -0.39, 0.20), dx = (0.39, -0.59)")


# --------------------------------------------------------------------------- 2. affine
AFFINE_ERROR = ("x has shape (N, d_1, ..., d_k): flatten each example first, x.reshape(x.shape[0], -1) "
                "(N rows of D values), then multiply by w of shape (D, M)")
NO_BIAS = "the bias is missing: add b (shape (M,)) to every row of x_flat @ w"
BAD_RESHAPE = ("the examples are scrambled: reshape x to (N, D) directly, x.reshape(x.shape[0], -1); "
               "x.reshape(D, N).T mixes values of different examples")
DX_SHAPE = ("dx must have the shape of x, (N, d_1, ..., d_k): reshape dout @ w.T back with "
            ".reshape(x.shape)")
DW_TRANSPOSED = ("dw is transposed: dw = x_flat.T @ dout has w's shape (D, M); dout.T @ x_flat gives "
                 "(M, D)")
DB_AXIS = ("db sums dout over the examples, axis=0 (one entry per output unit, shape (M,)); this sums "
           "over the units (axis=1)")
DB_MEAN = "db is the SUM of dout over the examples (dout.sum(axis=0)), not the mean"

# CS231n's affine test (assignment 2, FullyConnectedNets.ipynb) and the output it prints
CS231N_AFFINE_OUT = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])


def cs231n_affine_inputs():
    """CS231n's fixed affine test: x (2, 4, 5, 6), w (120, 3), b (3,)."""
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    D = int(np.prod(input_shape))
    x = np.linspace(-0.1, 0.5, num=num_inputs * D).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=output_dim * D).reshape(D, output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    return x, w, b


def check_affine_forward(affine_forward):
    """CS231n's printed output, PyTorch on random non-square shapes, float32 kept."""
    with checking("affine_forward", error_hint=AFFINE_ERROR):
        x, w, b = cs231n_affine_inputs()
        out, _ = affine_forward(x, w, b)
        N, D = x.shape[0], w.shape[0]
        mistakes = [Mistake(NO_BIAS, like=lambda: CS231N_AFFINE_OUT - b),
                    Mistake(BAD_RESHAPE, like=lambda: x.reshape(D, N).T @ w + b)]
        check_close(out, CS231N_AFFINE_OUT, tol=1e-8, name="CS231n's expected output", mistakes=mistakes)
        rng = np.random.default_rng(0)
        x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
        out, _ = affine_forward(x, w, b)
        check_close(out, reference.affine(x, w, b), tol=1e-12, name="vs PyTorch, x (4, 2, 3), w (6, 5)", mistakes=[
            Mistake(NO_BIAS, like=lambda: x.reshape(4, 6) @ w),
            Mistake(BAD_RESHAPE, like=lambda: x.reshape(6, 4).T @ w + b)])
        out32, _ = affine_forward(*(a.astype(np.float32) for a in (x, w, b)))
        check_true(out32.dtype == np.float32, "float32 in, float32 out", "no accidental float64")


def check_affine_backward(affine_forward, affine_backward):
    """Numeric gradients and PyTorch's autograd, on shapes where N, D and M all differ."""
    with checking("affine_backward", error_hint=("dx = dout @ w.T (reshaped to x's shape), dw = x_flat.T @ dout, "
                                                 "db = dout.sum(axis=0): check the shapes, (N, M) @ (M, D) etc.")):
        rng = np.random.default_rng(1)
        x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
        dout = rng.standard_normal((4, 5))
        x2 = x.reshape(4, 6)
        mistakes = {"x": [Mistake(DX_SHAPE, like=lambda: dout @ w.T)],
                    "w": [Mistake(DW_TRANSPOSED, like=lambda: dout.T @ x2)],
                    "b": [Mistake(DB_AXIS, like=lambda: dout.sum(axis=1)), Mistake(DB_MEAN, like=lambda: dout.mean(axis=0))]}
        check_layer_gradients(affine_forward, {"x": x, "w": w, "b": b}, affine_backward, dout=dout, threshold=1e-8,
                              name="affine", mistakes=mistakes)
        _, cache = affine_forward(x, w, b)
        grads = affine_backward(dout, cache)
        for got, ref, what in zip(grads, reference.affine(x, w, b, dout)[1:], "xwb"):
            check_close(got, ref, tol=1e-12, name=f"d{what} vs PyTorch autograd", mistakes=mistakes[what])


# --------------------------------------------------------------------------- 3. ReLU
RELU_NP_MAX = ("np.max(x, 0) is the maximum over axis 0 (a reduction); ReLU is the elementwise "
               "np.maximum(x, 0)")
RELU_IN_PLACE = ("relu_forward changed its input x in place (x[x < 0] = 0?): the caller's array is "
                 "destroyed; compute a new array, out = np.maximum(x, 0)")
RELU_DOUT_MASK = ("the mask must come from the layer's INPUT x (the cache), not from dout: the gradient "
                  "passes where x > 0, whatever its sign")
RELU_MASK_ONLY = "dx is dout where x > 0 and 0 elsewhere: multiply dout by the mask, don't return the mask"
RELU_AT_ZERO = ("at x == 0 the gradient must be 0, as in PyTorch: pass it where x > 0 (strictly), "
                "not x >= 0")
RELU_NO_MASK = "dx = dout everywhere: the gradient must be blocked (0) where x <= 0"
RELU_DOUT_CHANGED = ("relu_backward changed dout in place (dout[x <= 0] = 0?): the caller may still use it "
                     "(a gradient check does); build a new array, dout * (x > 0)")


def _relu_inputs():
    """Inputs with exact zeros (where ReLU's gradient convention matters) and negative dout."""
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 0.0, -1.0, 2.0, -3.0], [0.25, -0.25, 0.0, 4.0, -4.0]])
    dout = np.array([[1.0, -2.0, 3.0, -4.0, 5.0], [-1.5, 2.5, -3.5, 4.5, -5.5], [0.5, 1.5, -2.5, -0.5, 2.0]])
    return x, dout


def check_relu_forward(relu_forward):
    with checking("relu_forward"):
        x, _ = _relu_inputs()
        x_before = x.copy()
        out, _ = relu_forward(x)
        check_close(out, np.maximum(x_before, 0), tol=0, metric="abs", name="max(0, x) elementwise",
                    mistakes=[Mistake(RELU_NP_MAX, like=lambda: x_before.max(axis=0))])
        check_true(np.array_equal(x, x_before), "x unchanged", hint=RELU_IN_PLACE)
        out32, _ = relu_forward(x.astype(np.float32))
        check_true(out32.dtype == np.float32, "float32 in, float32 out", "no accidental float64")


def check_relu_backward(relu_forward, relu_backward):
    """The gradient at chosen points (zeros included) and numeric gradients at random ones."""
    with checking("relu_backward"):
        x, dout = _relu_inputs()
        dout_before = dout.copy()
        _, cache = relu_forward(x)
        dx = relu_backward(dout, cache)
        mistakes = [Mistake(RELU_MASK_ONLY, like=lambda: (x > 0).astype(float)),
                    Mistake(RELU_DOUT_MASK, like=lambda: np.where(dout_before > 0, dout_before, 0)),
                    Mistake(RELU_AT_ZERO, like=lambda: np.where(x >= 0, dout_before, 0)),
                    Mistake(RELU_NO_MASK, like=lambda: dout_before)]
        check_close(dx, reference.relu(x, dout_before)[1], tol=0, metric="abs",
                    name="dx = dout where x > 0 (PyTorch's autograd, zeros in x included)", mistakes=mistakes)
        check_true(np.array_equal(dout, dout_before), "dout unchanged", hint=RELU_DOUT_CHANGED)
        rng = np.random.default_rng(1)
        xr = rng.standard_normal((10, 10))
        check_layer_gradients(relu_forward, {"x": xr}, relu_backward, threshold=1e-10, name="relu")
        out32, cache32 = relu_forward(x.astype(np.float32))
        check_true(relu_backward(out32, cache32).dtype == np.float32, "float32 in, float32 out",
                   "no accidental float64")


def check_affine_relu(affine_relu_forward, affine_relu_backward):
    with checking("affine_relu_forward / affine_relu_backward"):
        rng = np.random.default_rng(2)
        inputs = {"x": rng.standard_normal((2, 3, 4)), "w": rng.standard_normal((12, 10)), "b": rng.standard_normal(10)}
        check_layer_gradients(affine_relu_forward, inputs, affine_relu_backward, threshold=1e-8, name="affine_relu")


# --------------------------------------------------------------------------- 4. losses
LOSS_ERROR = ("a shape error in a loss usually means an operation over the wrong axis: per example is "
              "axis=1 (over the classes, keepdims=True to broadcast back); x[np.arange(N), y] picks each "
              "example's correct-class score")
NO_MEAN = "divide by the number of examples N: the loss and its gradient are averages over the batch"
SVM_OWN_MARGIN = ("the correct class's own margin max(0, s_y - s_y + 1) = 1 is counted: set "
                  "margins[np.arange(N), y] = 0 (the sum is over j != y_i)")
SVM_NO_CORRECT = ("the correct class's score gets -1 for every positive margin of its example: "
                  "dx[rows, y] -= (number of positive margins in that row)")
SM_NO_SHIFT = ("exp(1000) overflows: subtract each row's maximum from the scores before the exponential "
               "(the probabilities do not change)")
SM_AXIS = ("the probabilities of an example are normalized over its classes, axis=1 (with "
           "keepdims=True); this normalizes each class over the batch (axis=0)")
SM_NO_ONE = "the gradient for the correct class is (p - 1) / N: subtract 1 at [np.arange(N), y]"


def _softmax_axis0(x, y, shift_axis=0):
    """Loss and dx of a softmax normalized over the batch instead of the classes (the scores
    shifted by each column's maximum, or by each row's)."""
    N = len(y)
    e = np.exp(x - x.max(axis=shift_axis, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    dx = p.copy()
    dx[np.arange(N), y] -= 1
    return -np.log(p[np.arange(N), y]).sum() / N, dx / N


def check_svm_loss(svm_loss):
    """The initial loss C - 1 and PyTorch's loss and gradient on random scores."""
    with checking("svm_loss", error_hint=LOSS_ERROR):
        rng = np.random.default_rng(3)
        N, C = 50, 10
        x = 0.001 * rng.standard_normal((N, C))
        y = rng.integers(C, size=N)
        loss, _ = svm_loss(x, y)
        check_close(loss, C - 1.0, tol=0.02, metric="abs", name="initial SVM loss = C - 1 (tiny scores)", mistakes=[
            Mistake(SVM_OWN_MARGIN, like=lambda: reference.svm_loss(x, y)[0] + 1.0),
            Mistake(NO_MEAN, like=lambda: reference.svm_loss(x, y)[0] * N)])
        x = 3 * x * 1000
        loss, dx = svm_loss(x, y)
        ref_loss, ref_dx = reference.svm_loss(x, y)
        check_close(loss, ref_loss, tol=1e-12, name="loss vs PyTorch (random scores)", mistakes=[
            Mistake(SVM_OWN_MARGIN, like=ref_loss + 1.0), Mistake(NO_MEAN, like=ref_loss * N)])
        dx_no_correct = np.where(ref_dx > 0, ref_dx, 0.0)  # only the +1/N terms of the wrong classes
        check_close(dx, ref_dx, tol=1e-12, name="dx vs PyTorch autograd", mistakes=[
            Mistake(NO_MEAN, like=ref_dx * N), Mistake(SVM_NO_CORRECT, like=dx_no_correct)])
        check_layer_gradients(svm_loss, {"x": x[:8, :5].copy() / 3000, "y": y[:8] % 5},
                              threshold={"x": 1e-8, "y": None}, name="svm_loss")


def check_softmax_loss(softmax_loss):
    """The initial loss log(C), PyTorch's loss and gradient, and scores of 1000 (no overflow)."""
    with checking("softmax_loss", error_hint=LOSS_ERROR):
        rng = np.random.default_rng(3)
        N, C = 50, 10
        x = 0.001 * rng.standard_normal((N, C))
        y = rng.integers(C, size=N)
        loss, _ = softmax_loss(x, y)
        check_close(loss, math.log(C), tol=0.02, metric="abs", name="initial softmax loss = log(C) (tiny scores)",
                    mistakes=[Mistake(NO_MEAN, like=lambda: reference.softmax_loss(x, y)[0] * N),
                              Mistake(SM_AXIS, test=_any_close(lambda: _softmax_axis0(x, y)[0], lambda: _softmax_axis0(x, y, 1)[0]))])
        x = 3 * x * 1000
        loss, dx = softmax_loss(x, y)
        ref_loss, ref_dx = reference.softmax_loss(x, y)
        check_close(loss, ref_loss, tol=1e-12, name="loss vs PyTorch (random scores)", mistakes=[
            Mistake(NO_MEAN, like=ref_loss * N), Mistake(SM_AXIS, test=_any_close(lambda: _softmax_axis0(x, y)[0], lambda: _softmax_axis0(x, y, 1)[0]))])
        onehot = np.eye(C)[y] / N
        check_close(dx, ref_dx, tol=1e-10, name="dx vs PyTorch autograd", mistakes=[
            Mistake(NO_MEAN, like=ref_dx * N), Mistake(SM_NO_ONE, like=ref_dx + onehot),
            Mistake(SM_AXIS, test=_any_close(lambda: _softmax_axis0(x, y)[1], lambda: _softmax_axis0(x, y, 1)[1]))])
        check_layer_gradients(softmax_loss, {"x": x[:8, :5].copy() / 3000, "y": y[:8] % 5},
                              threshold={"x": 1e-7, "y": None}, name="softmax_loss")
        huge = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
        with np.errstate(all="ignore"):
            loss, dx = softmax_loss(huge, np.array([1]))
        check_true(np.isfinite(loss) and np.all(np.isfinite(dx)), "scores of +-1000 in float32",
                   f"no overflow, loss {float(loss):g}", hint=SM_NO_SHIFT)
        check_close(loss, 1000.0, tol=1e-3, metric="abs", name="loss of scores (1000, 0, -1000), label 1")


# --------------------------------------------------------------------------- 5. the nets
NO_RELU_FWD = ("the hidden layer needs its ReLU: h = max(0, X W1 + b1) (affine_relu_forward); without it the "
               "two layers collapse into one linear map")
NO_RELU_BWD = ("the backward pass must go back through the ReLU: affine_relu_backward(dh, cache1) zeroes dh "
               "where the hidden unit was off (affine_backward alone skips that)")
NO_REG_LOSS = "the loss is missing the regularization term 0.5 * reg * sum of the squared weights"
REG_FACTOR_LOSS = ("regularization: the loss adds 0.5 * reg * sum(W**2) (CS231n's convention, whose "
                   "gradient is reg * W), not reg * sum(W**2)")
NO_REG_GRAD = "the gradient of 0.5 * reg * sum(W**2) is reg * W: add it to the weights' gradients"
REG_FACTOR_GRAD = ("with 0.5 * reg * sum(W**2) in the loss the gradient is reg * W, not 2 * reg * W")
HALF_REG_GRAD = ("with 0.5 * reg * sum(W**2) in the loss the gradient is reg * W, not 0.5 * reg * W "
                 "(the 0.5 cancels the 2 of the square)")
REG_LAST = ("regularize every weight matrix W1..WL: the last layer's W is missing (a loop over "
            "range(1, L) instead of range(1, L + 1)?)")
RELU_ON_SCORES = "the last layer is affine only: no ReLU (and no normalization or dropout) on the scores"
NO_DROPOUT_BWD = ("the backward pass must go back through dropout as well: dropout_backward(dout, drop_cache) "
                  "before each hidden layer's backward")
MISSING_GRADS = "grads must hold one gradient for every entry of params (gamma and beta too, with normalization)"


def _net_twin(model, X, y, relu_bwd=True, dropout_bwd=True, reg_loss=0.5, reg_grad=1.0, reg_layers=None,
              relu_last=False):
    """(scores, loss, grads) of a FullyConnectedNet / TwoLayerNet as the right code, or one of the
    mistaken versions, computes them (the package's layers; batchnorm in train mode; dropout
    with the model's own dropout_param, so with a seed it draws the learner's masks)."""
    p, reg = model.params, model.reg
    n_layers = sum(1 for k in p if k.startswith("W"))
    norm = getattr(model, "normalization", None)
    drop = dict(getattr(model, "dropout_param", {}) or {}, mode="train")
    use_dropout = getattr(model, "use_dropout", False)
    out, caches = X, []
    for i in range(1, n_layers):
        if norm is None:
            out, cache = L.affine_relu_forward(out, p[f"W{i}"], p[f"b{i}"])
        else:
            out, cache = L.affine_norm_relu_forward(out, p[f"W{i}"], p[f"b{i}"], p[f"gamma{i}"], p[f"beta{i}"],
                                                    {"mode": "train"}, norm)
        dcache = None
        if use_dropout:
            out, dcache = L.dropout_forward(out, drop)
        caches.append((cache, dcache))
    scores, last = L.affine_forward(out, p[f"W{n_layers}"], p[f"b{n_layers}"])
    if relu_last:
        scores, relu_cache = L.relu_forward(scores)
    loss, dout = L.softmax_loss(scores, y)
    if relu_last:
        dout = L.relu_backward(dout, relu_cache)
    grads = {}
    dout, grads[f"W{n_layers}"], grads[f"b{n_layers}"] = L.affine_backward(dout, last)
    for i in range(n_layers - 1, 0, -1):
        cache, dcache = caches[i - 1]
        if dcache is not None and dropout_bwd:
            dout = L.dropout_backward(dout, dcache)
        if norm is not None:
            dout, grads[f"W{i}"], grads[f"b{i}"], grads[f"gamma{i}"], grads[f"beta{i}"] = \
                L.affine_norm_relu_backward(dout, cache)
        elif relu_bwd:
            dout, grads[f"W{i}"], grads[f"b{i}"] = L.affine_relu_backward(dout, cache)
        else:
            dout, grads[f"W{i}"], grads[f"b{i}"] = L.affine_backward(dout, cache[0])
    for i in (reg_layers or range(1, n_layers + 1)):
        W = p[f"W{i}"]
        loss += reg_loss * reg * float(np.sum(W * W))
        grads[f"W{i}"] = grads[f"W{i}"] + reg_grad * reg * W
    return scores, loss, grads


def _no_relu_scores(model, X):
    """The scores of the net with every ReLU left out (a stack of affine layers)."""
    p = model.params
    n_layers = sum(1 for k in p if k.startswith("W"))
    h = X.reshape(len(X), -1)
    for i in range(1, n_layers + 1):
        h = h @ p[f"W{i}"] + p[f"b{i}"]
    return h


def check_two_layer_net(TwoLayerNet, X_images=None, y_images=None):
    """Shapes, the scores, the loss and every gradient against PyTorch and numeric gradients (with
    and without regularization); with images: the initial loss log(10) and float32 gradients."""
    with checking("TwoLayerNet.loss", error_hint=SHAPE_HINT):
        N, D, H, C = 3, 5, 50, 7
        rng = np.random.default_rng(4)
        X, y = rng.standard_normal((N, D)), rng.integers(C, size=N)
        for reg in (0.0, 0.7):
            model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-1, reg=reg,
                                dtype=np.float64, seed=0)
            check_shape(model.params["W1"], (D, H), name="W1")
            check_shape(model.loss(X), (N, C), name="scores")
            _check_net(model, X, y, f"reg={reg}")
            check_model_gradients(model, X, y, threshold=1e-5, h=1e-5, name=f"TwoLayerNet reg={reg} (numeric)")
        _check_on_images(TwoLayerNet(seed=0), X_images, y_images)


def _check_net(model, X, y, name):
    """Scores (without normalization), loss and gradients against PyTorch, naming the mistakes."""
    ref_scores = reference.fc_net(model.params, X)
    if getattr(model, "normalization", None) is None:
        check_close(model.loss(X), ref_scores, tol=1e-9, name=f"{name}: scores vs PyTorch", mistakes=[
            Mistake(NO_RELU_FWD, like=lambda: _no_relu_scores(model, X)),
            Mistake(RELU_ON_SCORES, like=lambda: np.maximum(ref_scores, 0))])
    _check_net_loss_grads(model, X, y, name)


def _check_net_loss_grads(model, X, y, name):
    """Loss and every gradient against PyTorch (reference.fc_net), naming the classic mistakes."""
    norm = getattr(model, "normalization", None)
    n_layers = sum(1 for k in model.params if k.startswith("W"))
    _, ref_loss, ref_grads = reference.fc_net(model.params, X, y, model.reg, norm)
    loss, grads = model.loss(X, y)
    twin = lambda **kw: _net_twin(model, X, y, **kw)  # noqa: E731
    reg_mistakes = [(NO_REG_LOSS, {"reg_loss": 0.0}), (REG_FACTOR_LOSS, {"reg_loss": 1.0}),
                    (REG_LAST, {"reg_layers": range(1, n_layers)})]
    check_close(loss, ref_loss, tol=1e-10, name=f"{name}: loss vs PyTorch", mistakes=[
        _differs(h, lambda kw=kw: twin(**kw)[1], ref_loss)
        for h, kw in reg_mistakes + [(RELU_ON_SCORES, {"relu_last": True})]])
    got = set(grads) if isinstance(grads, dict) else set()
    check_true(got == set(model.params), f"{name}: one gradient per parameter", f"keys {sorted(model.params)}",
               hint=f"{MISSING_GRADS}; missing {sorted(set(model.params) - got)}")
    grad_mistakes = [(NO_RELU_BWD, {"relu_bwd": False}), (NO_REG_GRAD, {"reg_grad": 0.0}),
                     (REG_FACTOR_GRAD, {"reg_grad": 2.0}), (HALF_REG_GRAD, {"reg_grad": 0.5}),
                     (RELU_ON_SCORES, {"relu_last": True}), (REG_LAST, {"reg_layers": range(1, n_layers)})]
    for k in sorted(model.params):
        before_bn = norm == "batchnorm" and k.startswith("b") and k != f"b{n_layers}"
        # a bias before batchnorm gets a gradient of exactly 0 (up to round-off): compare absolutely
        check_close(grads[k], ref_grads[k], tol=1e-10 if before_bn else 1e-8, metric="abs" if before_bn else "rel",
                    name=f"{name}: d{k} vs PyTorch autograd", mistakes=[
                        _differs(h, lambda kw=kw, k=k: twin(**kw)[2][k], ref_grads[k]) for h, kw in grad_mistakes])


def _check_on_images(model, X_images, y_images):
    if X_images is None:
        return
    loss, grads = model.loss(X_images[:500], y_images[:500])
    check_close(loss, math.log(10), tol=0.05, metric="abs", name="initial loss on CIFAR-10 images = log(10)")
    if X_images.dtype == np.float32:
        _, grads = model.loss(X_images[:8], y_images[:8])
        check_true(all(g.dtype == np.float32 for g in grads.values()), "float32 gradients", "training stays float32")


def check_fully_connected_net(FullyConnectedNet, X_images=None, y_images=None):
    """A 3-layer net against PyTorch and numeric gradients (with and without regularization), with
    batch/layer normalization, and with dropout (numeric gradients, fixed masks)."""
    with checking("FullyConnectedNet.loss", error_hint=SHAPE_HINT):
        N, D, H1, H2, C = 2, 15, 20, 30, 10
        rng = np.random.default_rng(5)
        X, y = rng.standard_normal((N, D)), rng.integers(C, size=N)
        for reg in (0.0, 3.14):
            model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2,
                                      dtype=np.float64, seed=0)
            _check_net(model, X, y, f"3-layer net, reg={reg}")
            check_model_gradients(model, X, y, threshold=1e-5, h=1e-5, name=f"3-layer net, reg={reg} (numeric)")
        X4, y4 = rng.standard_normal((4, D)), rng.integers(C, size=4)
        for norm in ("batchnorm", "layernorm"):
            model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, normalization=norm, reg=0.1,
                                      weight_scale=5e-2, dtype=np.float64, seed=0)
            _check_net_loss_grads(model, X4, y4, f"3-layer net with {norm}")
        for keep in (0.5, 0.75):
            model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, dropout_keep_ratio=keep,
                                      weight_scale=5e-2, dtype=np.float64, seed=123)
            mistakes = {k: [Mistake(NO_DROPOUT_BWD, like=lambda k=k: _net_twin(model, X, y, dropout_bwd=False)[2][k])]
                        for k in model.params}
            check_model_gradients(model, X, y, threshold=1e-5, h=1e-5, name=f"3-layer net, keep {keep} (numeric)",
                                  mistakes=mistakes)
            s1, s2 = model.loss(X), model.loss(X)
            check_true(np.array_equal(s1, s2), f"keep {keep}: scores without labels are deterministic",
                       "no dropout at test time")
        _check_on_images(FullyConnectedNet([100, 100], weight_scale=1e-3, seed=0), X_images, y_images)


# --------------------------------------------------------------------------- 6. update rules
# CS231n's test of the update rules (FullyConnectedNets.ipynb) and the values it prints
def cs231n_optim_inputs():
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw, np.linspace(0.6, 0.9, num=N * D).reshape(N, D), np.linspace(0.7, 0.5, num=N * D).reshape(N, D)


CS231N_MOMENTUM_W = np.array([
    [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
    [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
    [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
    [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
CS231N_RMSPROP_W = np.array([
    [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
    [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
    [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
    [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
CS231N_RMSPROP_CACHE = np.array([
    [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
    [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
    [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
    [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
CS231N_ADAM_W = np.array([
    [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
    [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
    [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
    [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
CS231N_ADAM_V = np.array([
    [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
    [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
    [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
    [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
CS231N_ADAM_M = np.array([
    [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
    [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
    [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
    [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])

MOMENTUM_ORDER = ("update the velocity first, then step with the NEW velocity: v = mu * v - lr * dw; "
                  "next_w = w + v (this steps with the old one)")
MOMENTUM_SIGN = "the velocity accumulates the NEGATIVE gradient: v = mu * v - lr * dw, then next_w = w + v"
NO_MOMENTUM = "the momentum term is missing: v = mu * v - lr * dw keeps a fraction mu of the old velocity"
RMS_NO_SQRT = ("RMSProp divides by the SQUARE ROOT of the running average of squared gradients: "
               "dw / (np.sqrt(cache) + eps)")
RMS_DECAY_SWAPPED = ("cache = decay_rate * cache + (1 - decay_rate) * dw**2: the old cache keeps the weight "
                     "decay_rate (0.99), the new squared gradient gets 1 - decay_rate")
RMS_NO_SQUARE = "the cache averages the SQUARED gradients: (1 - decay_rate) * dw**2 (or dw * dw)"
RMS_EPS_INSIDE = ("epsilon goes outside the square root, np.sqrt(cache) + eps (as in CS231n and PyTorch): "
                  "it only guards the division; inside, it swamps tiny gradients")
ADAM_NO_BIAS = ("the bias correction is missing: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t), "
                "then step with m_hat / (np.sqrt(v_hat) + eps)")
ADAM_T_LATE = ("increment t BEFORE the bias correction: t counts the steps including this one (t = 1 on the "
               "first step; with t = 0, 1 - beta1**t = 0)")
ADAM_V_NO_SQUARE = "v averages the SQUARED gradients: v = beta2 * v + (1 - beta2) * dw**2"
ADAM_NO_SQRT = "step with m_hat / (np.sqrt(v_hat) + eps): the square root of v_hat is missing"


def _rms(w, dw, cache, lr=1e-2, rho=0.99, eps=1e-8, sqrt=True, swapped=False, square=True, eps_inside=False):
    g2 = dw * dw if square else dw
    cache = (1 - rho) * cache + rho * g2 if swapped else rho * cache + (1 - rho) * g2
    denom = np.sqrt(cache + eps) if eps_inside else (np.sqrt(cache) + eps if sqrt else cache + eps)
    return w - lr * dw / denom


def _adam(w, dw, m, v, t, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8, bias=True, t_late=False, square=True, sqrt=True):
    t_used = t if t_late else t + 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * (dw * dw if square else dw)
    with np.errstate(all="ignore"):
        m_hat, v_hat = (m / (1 - b1 ** t_used), v / (1 - b2 ** t_used)) if bias else (m, v)
        return w - lr * m_hat / ((np.sqrt(v_hat) if sqrt else v_hat) + eps)


def _against_torch(rule, name, config, mistakes=()):
    """Five steps from the same weights and gradients as torch.optim's version of the rule."""
    rng = np.random.default_rng(6)
    w0 = rng.standard_normal((4, 5))
    grads = [rng.standard_normal((4, 5)) for _ in range(5)]
    w, cfg = w0.copy(), dict(config)
    for g in grads:
        w, cfg = rule(w, g, cfg)
    check_close(w, reference.optimizer_steps(name, w0, grads, config), tol=1e-9,
                name=f"{name}: 5 steps vs torch.optim", mistakes=mistakes)


def _keeps_float32(rule, name):
    w, dw, _, _ = cs231n_optim_inputs()
    next_w, _ = rule(w.astype(np.float32), dw.astype(np.float32), {})
    check_true(next_w.dtype == np.float32, f"{name} keeps float32", "no accidental float64")


def check_sgd_momentum(sgd_momentum):
    with checking("sgd_momentum"):
        w, dw, v, _ = cs231n_optim_inputs()
        lr, mu = 1e-3, 0.9
        next_w, config = sgd_momentum(w, dw, {"learning_rate": lr, "velocity": v.copy()})
        check_close(next_w, CS231N_MOMENTUM_W, tol=1e-8, name="CS231n's expected weights", mistakes=[
            _exact(MOMENTUM_ORDER, lambda: w + v),
            _exact(MOMENTUM_SIGN, lambda: w + mu * v + lr * dw),
            _exact(NO_MOMENTUM, lambda: w - lr * dw)])
        check_close(config["velocity"], mu * v - lr * dw, tol=1e-12, name="the new velocity, in config['velocity']")
        _against_torch(sgd_momentum, "sgd_momentum", {"learning_rate": 1e-2})
        _keeps_float32(sgd_momentum, "sgd_momentum")


def check_rmsprop(rmsprop):
    with checking("rmsprop"):
        w, dw, cache, _ = cs231n_optim_inputs()
        next_w, config = rmsprop(w, dw, {"learning_rate": 1e-2, "cache": cache.copy()})
        mistakes = [_exact(RMS_NO_SQRT, lambda: _rms(w, dw, cache, sqrt=False)),
                    _exact(RMS_DECAY_SWAPPED, lambda: _rms(w, dw, cache, swapped=True)),
                    _exact(RMS_NO_SQUARE, lambda: _rms(w, dw, cache, square=False))]
        check_close(next_w, CS231N_RMSPROP_W, tol=1e-6, name="CS231n's expected weights", mistakes=mistakes)
        check_close(config["cache"], CS231N_RMSPROP_CACHE, tol=1e-6, name="CS231n's expected cache")
        tiny = 1e-6 * dw                      # tiny gradients: where epsilon's place matters
        next_w, _ = rmsprop(w, tiny, {"learning_rate": 1e-2})
        check_close(next_w, reference.optimizer_steps("rmsprop", w, [tiny], {"learning_rate": 1e-2}), tol=1e-9,
                    name="tiny gradients (1e-6) vs torch.optim", mistakes=[
                        _exact(RMS_EPS_INSIDE, lambda: _rms(w, tiny, 0.0, eps_inside=True))])
        _against_torch(rmsprop, "rmsprop", {"learning_rate": 1e-2})
        _keeps_float32(rmsprop, "rmsprop")


def check_adam(adam):
    with checking("adam"):
        w, dw, m, v = cs231n_optim_inputs()
        next_w, config = adam(w, dw, {"learning_rate": 1e-2, "m": m.copy(), "v": v.copy(), "t": 5})
        mistakes = [_exact(ADAM_NO_BIAS, lambda: _adam(w, dw, m, v, 5, bias=False)),
                    _exact(ADAM_T_LATE, lambda: _adam(w, dw, m, v, 5, t_late=True)),
                    _exact(ADAM_V_NO_SQUARE, lambda: _adam(w, dw, m, v, 5, square=False)),
                    _exact(ADAM_NO_SQRT, lambda: _adam(w, dw, m, v, 5, sqrt=False))]
        check_close(next_w, CS231N_ADAM_W, tol=1e-6, name="CS231n's expected weights", mistakes=mistakes)
        check_close(config["v"], CS231N_ADAM_V, tol=1e-6, name="CS231n's expected v")
        check_close(config["m"], CS231N_ADAM_M, tol=1e-6, name="CS231n's expected m")
        check_true(config["t"] == 6, "t counts the steps", f"t = {config['t']} after one step from t = 5",
                   hint="store the incremented t back in config['t']")
        with np.errstate(all="ignore"):
            first, _ = adam(w, dw, {"learning_rate": 1e-2})
        check_true(np.all(np.isfinite(first)), "first step from t = 0 is finite", hint=ADAM_T_LATE)
        _against_torch(adam, "adam", {"learning_rate": 1e-2})
        _keeps_float32(adam, "adam")


# --------------------------------------------------------------------------- 7. batch and layer normalization
BN_ERROR = ("batchnorm's mean and variance are per feature, over the batch: x.mean(axis=0) and "
            "x.var(axis=0) have shape (D,)")
BN_OVER_FEATURES = ("the statistics are over the wrong axis: batchnorm normalizes each FEATURE over the batch, "
                    "axis=0; axis=1 normalizes each example (that is layer normalization)")
BN_EPS_OUTSIDE = "epsilon goes inside the square root: x_hat = (x - mu) / np.sqrt(var + eps)"
BN_UNBIASED = ("batchnorm uses the biased variance, the mean of (x - mu)**2 (divide by N, np.var's default), "
               "not N - 1")
BN_MOMENTUM_SWAPPED = ("running = momentum * running + (1 - momentum) * batch statistic: the old running "
                       "average keeps the weight momentum (0.9)")
BN_TEST_BATCH = ("test mode must use the running averages bn_param['running_mean'] and ['running_var'], "
                 "not the statistics of the test batch: a prediction must not depend on the other examples")
BN_NO_MEAN_PATH = ("dx is missing the path through the mean: mu = mean(x) depends on every x_i, so each "
                   "x_i also receives dmu / N with dmu = -sum(dxc) (the gradients add)")
BN_NO_VAR_PATH = ("dx is missing the path through the variance: var = mean(xc**2) depends on x as well; "
                  "add (2 / N) * xc * dvar to dxc")
BN_VAR_FACTOR = "var = mean(xc**2), so d var / d xc = 2 * xc / N: the factor 2 / N is off"
BN_DMU_N = "mu = mean(x): each x_i receives dmu / N, not dmu"
BN_DVAR_HALF = "std = sqrt(var + eps), so d std / d var = 0.5 / std: the 0.5 is missing"
BN_NO_GAMMA = "y = gamma * x_hat + beta, so dx_hat = dout * gamma: the factor gamma is missing"
BN_DGAMMA = "dgamma = sum over the batch of dout * x_hat: gamma multiplies the NORMALIZED input x_hat"
BN_DBETA = "dbeta sums dout over the batch, axis=0 (shape (D,))"
ALT_NO_XHAT_TERM = ("the term x_hat * sum(dout * x_hat) (the path through the variance) is missing from "
                    "(gamma / (N std)) (N dout - sum(dout) - x_hat sum(dout * x_hat))")
ALT_NO_MEAN_TERM = "the term sum(dout) (the path through the mean) is missing"
ALT_NO_N = "the first term is N * dout (times gamma / (N std)): the factor N is missing"
LN_OVER_BATCH = ("layer normalization normalizes each EXAMPLE over its features: mean and variance over "
                 "axis=1 (keepdims=True); axis=0 normalizes each feature over the batch, which is batchnorm")
LN_ERROR = "layernorm's statistics are per example: x.mean(axis=1, keepdims=True) has shape (N, 1)"


def _bn(x, gamma, beta, eps=1e-5, axis_mu=0, axis_var=0, eps_outside=False, ddof=0):
    mu = x.mean(axis=axis_mu, keepdims=True)
    xc = x - mu
    var = (xc * xc).sum(axis=axis_var, keepdims=True) / (x.shape[axis_var] - ddof)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    return gamma * xc / std + beta


def _bn_features(rng, n=200):
    """Features with very different means and scales (a random 2-layer ReLU net of Gaussian input)."""
    W1, W2 = np.random.default_rng(7).standard_normal((50, 60)), np.random.default_rng(8).standard_normal((60, 3))
    return np.maximum(0, rng.standard_normal((n, 50)) @ W1) @ W2


def check_batchnorm_forward(batchnorm_forward):
    """Train mode: means beta, stds gamma, PyTorch's output, the running averages; test mode: the
    running averages, whatever the batch."""
    with checking("batchnorm_forward", error_hint=BN_ERROR):
        rng = np.random.default_rng(7)
        a = _bn_features(rng)
        gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
        bn_param = {"mode": "train"}
        out, _ = batchnorm_forward(a, gamma, beta, bn_param)
        check_close(out, reference.batchnorm(a, gamma, beta), tol=1e-10, name="train mode vs PyTorch", mistakes=[
            Mistake(BN_OVER_FEATURES, test=_any_close(lambda: _bn(a, gamma, beta, axis_var=1),
                                                     lambda: _bn(a, gamma, beta, axis_mu=1, axis_var=1))),
            Mistake(BN_EPS_OUTSIDE, like=lambda: _bn(a, gamma, beta, eps_outside=True)),
            Mistake(BN_UNBIASED, like=lambda: _bn(a, gamma, beta, ddof=1))])
        check_close(out.mean(axis=0), beta, tol=1e-8, metric="abs", name="train mode: each feature's mean = beta")
        check_close(out.std(axis=0), gamma, tol=1e-4, metric="abs", name="train mode: each feature's std = gamma")
        mu, var = a.mean(axis=0), a.var(axis=0)
        check_close(bn_param.get("running_mean"), 0.1 * mu, tol=1e-10, name="running_mean after one step from 0",
                    mistakes=[Mistake(BN_MOMENTUM_SWAPPED, like=0.9 * mu)])
        check_close(bn_param.get("running_var"), 0.1 * var, tol=1e-10, name="running_var after one step from 0",
                    mistakes=[Mistake(BN_MOMENTUM_SWAPPED, like=0.9 * var)])
        for _ in range(50):
            batchnorm_forward(_bn_features(rng), np.ones(3), np.zeros(3), bn_param)
        bn_param["mode"] = "test"
        x_test = _bn_features(rng, 40)
        rm, rv = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
        out, _ = batchnorm_forward(x_test, gamma, beta, bn_param)
        check_close(out, gamma * (x_test - rm) / np.sqrt(rv + 1e-5) + beta, tol=1e-10,
                    name="test mode: normalized with the running averages", mistakes=[
                        Mistake(BN_TEST_BATCH, like=lambda: _bn(x_test, gamma, beta))])
        check_true(np.array_equal(bn_param["running_mean"], rm), "test mode leaves the running averages alone",
                   hint="test mode must not update bn_param's running averages")
        plain, _ = batchnorm_forward(x_test, np.ones(3), np.zeros(3), bn_param)
        check_close(plain.mean(axis=0), np.zeros(3), tol=0.25, metric="abs",
                    name="test mode, fresh data: means about 0")
        check_close(plain.std(axis=0), np.ones(3), tol=0.25, metric="abs", name="test mode, fresh data: stds about 1")


def _bn_backward_variants(x, gamma, dout, eps=1e-5):
    """dx of the staged backward pass, right and with each classic mistake, from the same cache."""
    N = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    std = np.sqrt(var + eps)

    def dx(mean_path=True, var_path=True, var_factor=2.0 / N, dmu_scale=1.0 / N, half=0.5, use_gamma=True):
        dxhat = dout * gamma if use_gamma else dout
        dxc = dxhat / std
        dstd = -(dxhat * xc).sum(axis=0) / (std * std)
        dvar = half * dstd / std
        if var_path:
            dxc = dxc + var_factor * xc * dvar
        return dxc + (-dxc.sum(axis=0)) * dmu_scale if mean_path else dxc
    return dx, xc, (xc / std)


def check_batchnorm_backward(batchnorm_forward, batchnorm_backward):
    """Numeric gradients and PyTorch's autograd, with the classic mistakes of the staged pass."""
    with checking("batchnorm_backward", error_hint=BN_ERROR):
        rng = np.random.default_rng(8)
        for N, D, numeric in ((3, 5, True), (30, 7, False)):   # (not N = 4: 4 / N = 1 makes two mistakes alike)
            x, gamma, beta = 5 * rng.standard_normal((N, D)) + 12, rng.standard_normal(D), rng.standard_normal(D)
            dout = rng.standard_normal((N, D))
            dx_of, xc, xhat = _bn_backward_variants(x, gamma, dout)
            mistakes = {
                "x": [Mistake(BN_NO_MEAN_PATH, like=lambda: dx_of(mean_path=False)),
                      Mistake(BN_NO_VAR_PATH, like=lambda: dx_of(var_path=False)),
                      Mistake(BN_VAR_FACTOR, test=_any_close(lambda: dx_of(var_factor=1.0), lambda: dx_of(var_factor=2.0),
                                                             lambda: dx_of(var_factor=1.0 / N))),
                      Mistake(BN_DMU_N, like=lambda: dx_of(dmu_scale=1.0)),
                      Mistake(BN_DVAR_HALF, like=lambda: dx_of(half=1.0)),
                      Mistake(BN_NO_GAMMA, like=lambda: dx_of(use_gamma=False))],
                "gamma": [Mistake(BN_DGAMMA, test=_any_close(lambda: (dout * x).sum(axis=0), lambda: (dout * xc).sum(axis=0),
                                                             lambda: dout.sum(axis=0)))],
                "beta": [Mistake(BN_DBETA, like=lambda: dout.sum(axis=1))],
            }
            inputs = {"x": x, "gamma": gamma, "beta": beta}
            train = lambda x, gamma, beta: batchnorm_forward(x, gamma, beta, {"mode": "train"})  # noqa: E731
            if numeric:
                check_layer_gradients(train, inputs, batchnorm_backward, dout=dout, threshold=1e-8,
                                      name=f"batchnorm, x ({N}, {D})", mistakes=mistakes)
            else:
                _, cache = train(x, gamma, beta)
                for got, ref, what in zip(batchnorm_backward(dout, cache), reference.batchnorm(x, gamma, beta, dout)[1:],
                                          ("x", "gamma", "beta")):
                    check_close(got, ref, tol=1e-9, name=f"d{what} vs PyTorch autograd, x ({N}, {D})",
                                mistakes=mistakes[what])


def check_batchnorm_backward_alt(batchnorm_forward, batchnorm_backward_alt):
    """The simplified expression against PyTorch's autograd, on a batch of 100 x 500."""
    with checking("batchnorm_backward_alt", error_hint=BN_ERROR):
        rng = np.random.default_rng(9)
        N, D = 100, 500
        x = 5 * rng.standard_normal((N, D)) + 12
        gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
        _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
        dout = rng.standard_normal((N, D))
        ref = reference.batchnorm(x, gamma, beta, dout)
        xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
        std = np.sqrt(x.var(axis=0) + 1e-5)
        dbeta, dgamma = dout.sum(axis=0), (dout * xhat).sum(axis=0)
        k = gamma / (N * std)
        got = batchnorm_backward_alt(dout, cache)
        check_close(got[0], ref[1], tol=1e-8, name="dx vs PyTorch autograd", mistakes=[
            Mistake(BN_NO_GAMMA, like=lambda: ref[1] / gamma),
            Mistake(ALT_NO_XHAT_TERM, like=lambda: k * (N * dout - dbeta)),
            Mistake(ALT_NO_MEAN_TERM, like=lambda: k * (N * dout - xhat * dgamma)),
            Mistake(ALT_NO_N, like=lambda: k * (dout - dbeta - xhat * dgamma))])
        check_close(got[1], ref[2], tol=1e-8, name="dgamma vs PyTorch autograd",
                    mistakes=[Mistake(BN_DGAMMA, like=lambda: dbeta)])
        check_close(got[2], ref[3], tol=1e-8, name="dbeta vs PyTorch autograd")


def check_layernorm(layernorm_forward, layernorm_backward):
    """PyTorch's layer_norm, one example at a time = the whole batch, numeric gradients."""
    with checking("layernorm_forward", error_hint=LN_ERROR):
        rng = np.random.default_rng(10)
        x, gamma, beta = 5 * rng.standard_normal((4, 5)) + 12, rng.standard_normal(5), rng.standard_normal(5)
        out, _ = layernorm_forward(x, gamma, beta, {})
        check_close(out, reference.layernorm(x, gamma, beta), tol=1e-10, name="layernorm vs PyTorch", mistakes=[
            Mistake(LN_OVER_BATCH, like=lambda: reference.batchnorm(x, gamma, beta))])
        one, _ = layernorm_forward(x[2:3], gamma, beta, {})
        check_close(one, out[2:3], tol=1e-12, name="an example alone = in the batch",
                    hint="layernorm's statistics must come from each example alone")
        check_layer_gradients(lambda x, gamma, beta: layernorm_forward(x, gamma, beta, {}),
                              {"x": x, "gamma": gamma, "beta": beta}, layernorm_backward, threshold=1e-8,
                              name="layernorm")


# --------------------------------------------------------------------------- 8. dropout
DROP_KEEP_VS_DROP = ("p is the probability of KEEPING a unit: mask = (rand < p); this drops a fraction p "
                     "(keeps 1 - p)")
DROP_NOT_INVERTED = ("inverted dropout divides the kept units by p at train time (mask / p), so that the "
                     "expected activation is unchanged and test time needs no scaling")
DROP_TEST_SCALED = ("with inverted dropout test mode is the identity: out = x (the 1/p at train time "
                    "already keeps the expectation)")
DROP_TEST_DROPS = "no dropout at test time: test mode is the identity, out = x"
DROP_FLOAT64 = "the mask is float64: build it in x's dtype, e.g. (rng.random(x.shape) < p).astype(x.dtype)"
DROP_NEW_MASK = ("dx must use the mask of the forward pass (kept in the cache), not a new random one: the "
                 "gradient flows exactly through the units that were kept")
DROP_NO_SCALE = ("the kept units were scaled by 1/p in the forward pass, so their gradient is too: "
                 "dx = dout * mask with the mask that includes the 1/p")
DROP_NO_MASK = "dx = dout lets the gradient through the dropped units: multiply by the mask"


def check_dropout_forward(dropout_forward):
    """Fraction dropped 1 - p, the mean kept (inverted dropout), test mode the identity, float32."""
    with checking("dropout_forward"):
        rng = np.random.default_rng(12)
        x = rng.standard_normal((500, 500)) + 10
        for p in (0.25, 0.4, 0.7):
            out, _ = dropout_forward(x, {"mode": "train", "p": p})
            dropped = float((out == 0).mean())
            check_close(dropped, 1 - p, tol=0.01, metric="abs", name=f"p={p}: fraction dropped = 1 - p", mistakes=[
                Mistake(DROP_KEEP_VS_DROP, test=lambda a, p=p: abs(a - p) < 0.01)])
            check_close(out.mean(), x.mean(), tol=0.2, metric="abs", name=f"p={p}: mean kept (inverted dropout)",
                        mistakes=[Mistake(DROP_NOT_INVERTED, test=lambda a, p=p: abs(a - p * x.mean()) < 0.2),
                                  Mistake(DROP_NOT_INVERTED, test=lambda a, p=p: abs(a - p * p * x.mean()) < 0.2)])
            out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
            check_close(out_test, x, tol=0, metric="abs", name=f"p={p}: test mode is the identity", mistakes=[
                Mistake(DROP_TEST_SCALED, test=_any_close(lambda p=p: x * p, lambda p=p: x / p)),
                Mistake(DROP_TEST_DROPS, test=lambda a: np.mean(np.asarray(a) == 0) > 0.1)])
        out32, _ = dropout_forward(x.astype(np.float32), {"mode": "train", "p": 0.5})
        check_true(out32.dtype == np.float32, "float32 in, float32 out", hint=DROP_FLOAT64)


def check_dropout_backward(dropout_forward, dropout_backward):
    """Numeric gradients with a fixed mask; the gradient flows exactly through the kept units."""
    with checking("dropout_backward"):
        rng = np.random.default_rng(13)
        x = rng.standard_normal((10, 10)) + 10
        dp = {"mode": "train", "p": 0.2, "seed": 123}   # a fixed seed: the same mask in every call
        out, cache = dropout_forward(x, dp)
        dout = rng.standard_normal(x.shape)
        mask = out / x
        check_layer_gradients(lambda x: dropout_forward(x, dp), {"x": x}, dropout_backward, dout=dout,
                              threshold=1e-8, name="dropout", mistakes={"x": [
                                  Mistake(DROP_NO_MASK, like=dout),
                                  Mistake(DROP_NO_SCALE, like=lambda: dout * (mask != 0)),
                                  Mistake(DROP_NEW_MASK, test=lambda a: np.mean((np.asarray(a) == 0) != (mask == 0)) > 0.05)]})
        out_test, cache_test = dropout_forward(x, {"mode": "test", "p": 0.2})
        check_close(dropout_backward(dout, cache_test), dout, tol=0, metric="abs",
                    name="test mode: the gradient passes unchanged")
