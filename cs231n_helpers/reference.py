"""PyTorch reference computations: the oracles that the notebooks, the tests and the benchmarks
compare our NumPy layers with. Written once, here.

Every function takes NumPy arrays and the CS231n parameter dicts, runs the same computation in
PyTorch (float64 stays float64, float32 stays float32) and returns NumPy arrays:

* layers return ``out``, or ``(out, dx, dw, ...)`` when an upstream gradient ``dout`` is given
  (autograd's gradients for every array input, in order);
* losses return ``(loss, grad)`` like ours.

For timing, :class:`Autograd` keeps the torch copies of the inputs so that a benchmark times
PyTorch's forward and backward, not the conversion::

    ref = Autograd(conv2d_op({"stride": 1, "pad": 1}), (x, w, b), dout)
    ref.run()                      # forward + backward in torch (what is timed)
    out, dx, dw, db = ref.results()

The module never changes PyTorch's thread count; the caller decides.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Autograd", "conv2d_op", "conv2d", "max_pool2d_op", "max_pool2d", "avg_pool2d_op", "avg_pool2d",
           "affine_op", "affine", "affine_relu_op", "affine_relu", "relu", "svm_loss", "softmax_loss",
           "linear_svm_loss", "linear_softmax_loss", "svm_scores_loss_op", "softmax_scores_loss_op"]


def _torch():
    import torch

    return torch


def _tensor(a, requires_grad=False):
    torch = _torch()
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t.requires_grad_(requires_grad) if requires_grad else t


class Autograd:
    """``op(*tensors)`` on torch copies of NumPy ``inputs``, forward and (with ``dout``) backward.

    ``grad_inputs``: which inputs get gradients (default: every floating-point array); the
    others (integer labels, say) are passed as plain tensors. ``run()`` computes and returns the
    torch output; ``results()`` returns NumPy ``out`` or ``(out, *grads)``; a scalar output
    (a loss) comes back as a Python float.
    """

    def __init__(self, op, inputs, dout=None, grad_inputs=None):
        self.op = op
        arrays = [np.asarray(a) for a in inputs]
        if grad_inputs is None:
            grad_inputs = [np.issubdtype(a.dtype, np.floating) for a in arrays]
        self.grad_inputs = list(grad_inputs)
        self.inputs = [_tensor(a, g and dout is not None) for a, g in zip(arrays, self.grad_inputs)]
        self.dout = None if dout is None else (dout if np.isscalar(dout) else _tensor(dout))
        self.out = None

    def run(self):
        for t in self.inputs:
            t.grad = None
        out = self.op(*self.inputs)
        if self.dout is not None:
            dout = self.dout
            if not hasattr(dout, "shape"):  # a scalar upstream gradient (1.0 for a loss)
                dout = _torch().tensor(dout, dtype=out.dtype)
            out.backward(dout)
        self.out = out
        return out

    def results(self):
        out = self.run() if self.out is None else self.out
        o = out.item() if out.ndim == 0 else out.detach().numpy()
        if self.dout is None:
            return o
        grads = tuple(t.grad.numpy() for t, g in zip(self.inputs, self.grad_inputs) if g)
        return (o, *grads)


def _compute(op, inputs, dout, grad_inputs=None):
    return Autograd(op, inputs, dout, grad_inputs).results()


# --------------------------------------------------------------------------- convolution
def conv2d_op(conv_param, dilation=1, groups=1):
    """``F.conv2d`` with CS231n's ``conv_param = {'stride': S, 'pad': P}``."""
    F = _torch().nn.functional
    stride, pad = conv_param["stride"], conv_param["pad"]
    return lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=pad, dilation=dilation, groups=groups)


def conv2d(x, w, b, conv_param, dout=None, dilation=1, groups=1):
    """PyTorch's convolution: ``out``, or ``(out, dx, dw, db)`` with ``dout``."""
    return _compute(conv2d_op(conv_param, dilation, groups), (x, w, b), dout)


# --------------------------------------------------------------------------- pooling
def _pool_args(pool_param):
    return (pool_param["pool_height"], pool_param["pool_width"]), pool_param["stride"]


def max_pool2d_op(pool_param):
    """``F.max_pool2d`` with CS231n's ``pool_param`` (stride an int or a pair)."""
    F = _torch().nn.functional
    kernel, stride = _pool_args(pool_param)
    return lambda x: F.max_pool2d(x, kernel, stride=stride)


def max_pool2d(x, pool_param, dout=None):
    """PyTorch's max pooling: ``out``, or ``(out, dx)`` with ``dout``. Within a window PyTorch
    routes the gradient to the first maximum in row-major order."""
    return _compute(max_pool2d_op(pool_param), (x,), dout)


def avg_pool2d_op(pool_param):
    F = _torch().nn.functional
    kernel, stride = _pool_args(pool_param)
    return lambda x: F.avg_pool2d(x, kernel, stride=stride)


def avg_pool2d(x, pool_param, dout=None):
    """PyTorch's average pooling: ``out``, or ``(out, dx)`` with ``dout``."""
    return _compute(avg_pool2d_op(pool_param), (x,), dout)


# --------------------------------------------------------------------------- affine, ReLU
def affine_op():
    """``x.reshape(N, -1) @ w + b`` (CS231n's affine layer flattens each example)."""
    torch = _torch()
    return lambda x, w, b: torch.addmm(b, x.reshape(x.shape[0], -1), w)


def affine(x, w, b, dout=None):
    """The affine layer in PyTorch: ``out``, or ``(out, dx, dw, db)`` with ``dout``."""
    return _compute(affine_op(), (x, w, b), dout)


def affine_relu_op():
    torch = _torch()
    return lambda x, w, b: torch.relu(torch.addmm(b, x.reshape(x.shape[0], -1), w))


def affine_relu(x, w, b, dout=None):
    """Affine then ReLU in PyTorch: ``out``, or ``(out, dx, dw, db)`` with ``dout``."""
    return _compute(affine_relu_op(), (x, w, b), dout)


def relu(x, dout=None):
    """ReLU in PyTorch: ``out``, or ``(out, dx)``."""
    return _compute(_torch().relu, (x,), dout)


# --------------------------------------------------------------------------- losses
def _hinge(scores, y):
    """CS231n's multiclass SVM loss: sum over j != y of max(0, s_j - s_y + 1), mean over N."""
    margins = (scores - scores.gather(1, y[:, None]) + 1).clamp(min=0)
    return margins.scatter(1, y[:, None], 0.0).sum() / scores.shape[0]


def svm_scores_loss_op():
    return lambda x, y: _hinge(x, y.long())


def softmax_scores_loss_op():
    F = _torch().nn.functional
    return lambda x, y: F.cross_entropy(x, y.long())


def svm_loss(x, y):
    """The SVM loss layer on scores ``x`` (N, C): ``(loss, dx)``."""
    return _compute(svm_scores_loss_op(), (x, np.asarray(y, dtype=np.int64)), 1.0, (True, False))


def softmax_loss(x, y):
    """The softmax (cross-entropy) loss layer on scores ``x`` (N, C): ``(loss, dx)``."""
    return _compute(softmax_scores_loss_op(), (x, np.asarray(y, dtype=np.int64)), 1.0, (True, False))


def _linear(data_loss):
    def op(W, X, y, reg):
        return data_loss(X @ W, y.long()) + reg * (W * W).sum()
    return op


def linear_svm_loss(W, X, y, reg):
    """A linear SVM's loss and gradient, CS231n's convention ``L = data loss + reg * sum(W**2)``:
    ``(loss, dW)``."""
    op = _linear(_hinge)
    return _compute(lambda W_, X_, y_: op(W_, X_, y_, reg), (W, X, np.asarray(y, dtype=np.int64)), 1.0,
                    (True, False, False))


def linear_softmax_loss(W, X, y, reg):
    """A softmax classifier's loss and gradient, ``L = cross-entropy + reg * sum(W**2)``:
    ``(loss, dW)``."""
    op = _linear(_torch().nn.functional.cross_entropy)
    return _compute(lambda W_, X_, y_: op(W_, X_, y_, reg), (W, X, np.asarray(y, dtype=np.int64)), 1.0,
                    (True, False, False))


def linear_svm_loss_op(reg):
    """``op(W, X, y)``: :func:`linear_svm_loss` as an op for :class:`Autograd` (timing)::

        Autograd(linear_svm_loss_op(reg), (W, X, y), 1.0, (True, False, False))
    """
    op = _linear(_hinge)
    return lambda W, X, y: op(W, X, y, reg)


def linear_softmax_loss_op(reg):
    """``op(W, X, y)``: :func:`linear_softmax_loss` as an op for :class:`Autograd` (timing)."""
    op = _linear(_torch().nn.functional.cross_entropy)
    return lambda W, X, y: op(W, X, y, reg)


__all__ += ["linear_svm_loss_op", "linear_softmax_loss_op"]


# --------------------------------------------------------------------------- notebook 03: normalization, nets, optimizers
def batchnorm(x, gamma, beta, dout=None, eps=1e-5):
    """Batch normalization in train mode (the batch's mean and biased variance) in PyTorch:
    ``out``, or ``(out, dx, dgamma, dbeta)`` with ``dout``."""
    F = _torch().nn.functional
    return _compute(lambda x_, g, b: F.batch_norm(x_, None, None, g, b, training=True, eps=eps), (x, gamma, beta), dout)


def layernorm(x, gamma, beta, dout=None, eps=1e-5):
    """Layer normalization of each row of ``x`` (N, D) in PyTorch: ``out``, or
    ``(out, dx, dgamma, dbeta)`` with ``dout``."""
    F = _torch().nn.functional
    return _compute(lambda x_, g, b: F.layer_norm(x_, (x_.shape[1],), g, b, eps=eps), (x, gamma, beta), dout)


def _norm_op(normalization, eps):
    F = _torch().nn.functional
    if normalization == "batchnorm":
        return lambda h, g, b: F.batch_norm(h, None, None, g, b, training=True, eps=eps)
    if normalization == "layernorm":
        return lambda h, g, b: F.layer_norm(h, (h.shape[1],), g, b, eps=eps)
    raise ValueError(f"normalization must be 'batchnorm' or 'layernorm', got {normalization!r}")


def affine_norm_relu(x, w, b, gamma, beta, normalization="batchnorm", dout=None, eps=1e-5):
    """Affine, batch or layer normalization (train mode), ReLU, in PyTorch: ``out``, or
    ``(out, dx, dw, db, dgamma, dbeta)`` with ``dout``."""
    torch, norm = _torch(), _norm_op(normalization, eps)
    return _compute(lambda x_, w_, b_, g, be: torch.relu(norm(torch.addmm(b_, x_.reshape(x_.shape[0], -1), w_), g, be)),
                    (x, w, b, gamma, beta), dout)


def fc_net(params, X, y=None, reg=0.0, normalization=None, eps=1e-5):
    """CS231n's fully connected net in PyTorch: ``{affine - [norm] - relu} x (L - 1) - affine -
    softmax`` with the parameters ``params`` (W1..WL, b1..bL, gamma1.., beta1.. with
    normalization; batchnorm in train mode) and ``L = cross-entropy + 0.5 * reg * sum ||W_i||^2``.

    Returns the scores (N, C) when ``y`` is None, else ``(scores, loss, grads)`` with one
    gradient per entry of ``params`` (no dropout)."""
    torch = _torch()
    P = {k: _tensor(v, y is not None) for k, v in params.items()}
    L = sum(1 for k in P if k.startswith("W"))
    norm = _norm_op(normalization, eps) if normalization else None
    h = _tensor(X).reshape(len(X), -1)
    for i in range(1, L):
        h = torch.addmm(P[f"b{i}"], h, P[f"W{i}"])
        if norm is not None:
            h = norm(h, P[f"gamma{i}"], P[f"beta{i}"])
        h = torch.relu(h)
    scores = torch.addmm(P[f"b{L}"], h, P[f"W{L}"])
    if y is None:
        return scores.detach().numpy()
    loss = torch.nn.functional.cross_entropy(scores, _tensor(np.asarray(y, dtype=np.int64)))
    loss = loss + 0.5 * reg * sum((P[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return scores.detach().numpy(), loss.item(), {k: v.grad.numpy() for k, v in P.items()}


def optimizer_steps(rule, w, grads, config=None):
    """The weights after one step per gradient in ``grads`` of ``torch.optim``'s version of a
    CS231n update rule ('sgd', 'sgd_momentum', 'rmsprop', 'adam'), configured with CS231n's
    hyperparameter names and defaults (``learning_rate``, ``momentum``, ``decay_rate``,
    ``epsilon``, ``beta1``, ``beta2``). With a constant learning rate PyTorch's momentum
    formulation gives the same weights as CS231n's."""
    torch = _torch()
    c = dict(config or {})
    makers = {
        "sgd": lambda p: torch.optim.SGD(p, lr=c.get("learning_rate", 1e-2)),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=c.get("learning_rate", 1e-2), momentum=c.get("momentum", 0.9)),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=c.get("learning_rate", 1e-2), alpha=c.get("decay_rate", 0.99),
                                                 eps=c.get("epsilon", 1e-8)),
        "adam": lambda p: torch.optim.Adam(p, lr=c.get("learning_rate", 1e-3),
                                           betas=(c.get("beta1", 0.9), c.get("beta2", 0.999)), eps=c.get("epsilon", 1e-8)),
    }
    if rule not in makers:
        raise ValueError(f"rule must be one of {sorted(makers)}, got {rule!r}")
    wt = torch.tensor(np.array(w, copy=True), requires_grad=True)
    opt = makers[rule]([wt])
    for g in grads:
        wt.grad = torch.tensor(np.asarray(g, dtype=wt.detach().numpy().dtype))
        opt.step()
    return wt.detach().numpy()


__all__ += ["batchnorm", "layernorm", "affine_norm_relu", "fc_net", "optimizer_steps"]


# --------------------------------------------------------------------------- notebook 05: ThreeLayerConvNet
def three_layer_convnet(params, X, y=None, reg=0.0):
    """CS231n's ThreeLayerConvNet in PyTorch: ``conv - relu - 2x2 max pool - affine - relu -
    affine - softmax`` with the parameters ``params`` (W1 (F, C, k, k), b1, W2, b2, W3, b3), a
    stride-1 "same" convolution (padding ``(k - 1) // 2``) and
    ``L = cross-entropy + 0.5 * reg * (||W1||^2 + ||W2||^2 + ||W3||^2)``.

    Returns the scores (N, num_classes) when ``y`` is None, else ``(scores, loss, grads)`` with
    one gradient per entry of ``params``."""
    torch = _torch()
    F = torch.nn.functional
    P = {k: _tensor(v, y is not None) for k, v in params.items()}
    pad = (P["W1"].shape[2] - 1) // 2
    h = F.max_pool2d(torch.relu(F.conv2d(_tensor(X), P["W1"], P["b1"], padding=pad)), 2, 2)
    h = torch.relu(torch.addmm(P["b2"], h.flatten(1), P["W2"]))
    scores = torch.addmm(P["b3"], h, P["W3"])
    if y is None:
        return scores.detach().numpy()
    loss = F.cross_entropy(scores, _tensor(np.asarray(y, dtype=np.int64)))
    loss = loss + 0.5 * reg * sum((P[k] ** 2).sum() for k in ("W1", "W2", "W3"))
    loss.backward()
    return scores.detach().numpy(), loss.item(), {k: v.grad.numpy() for k, v in P.items()}


__all__ += ["three_layer_convnet"]


# --------------------------------------------------------------------------- notebook 05: spatial batch norm, group norm
def _torch_norm_module(module, gamma, beta):
    """``module`` (BatchNorm2d or GroupNorm) in float64/float32 like ``gamma``, with weight and bias
    set to ``gamma`` and ``beta`` (any shape holding C numbers: (C,) or (1, C, 1, 1))."""
    torch = _torch()
    g, b = np.asarray(gamma), np.asarray(beta)
    dtype = torch.float64 if g.dtype == np.float64 else torch.float32
    module = module.to(dtype)
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(np.ascontiguousarray(g.reshape(-1))).to(dtype))
        module.bias.copy_(torch.from_numpy(np.ascontiguousarray(b.reshape(-1))).to(dtype))
    return module


def _run_norm_module(module, x, gamma, beta, dout, training):
    torch = _torch()
    module.train(training)
    xt = _tensor(np.asarray(x, dtype=np.asarray(gamma).dtype), dout is not None)
    out = module(xt)
    if dout is None:
        return out.detach().numpy()
    out.backward(_tensor(np.asarray(dout, dtype=np.asarray(gamma).dtype)))
    shape = np.shape(gamma)
    with torch.no_grad():
        return (out.detach().numpy(), xt.grad.numpy(), module.weight.grad.numpy().reshape(shape),
                module.bias.grad.numpy().reshape(np.shape(beta)))


def batchnorm2d(x, gamma, beta, dout=None, running_mean=None, running_var=None, momentum=0.9, eps=1e-5,
                training=True):
    """``torch.nn.BatchNorm2d`` on ``x`` (N, C, H, W) with weight ``gamma`` and bias ``beta`` (C,),
    its running statistics set to ``running_mean`` / ``running_var`` (default: zeros, CS231n's
    start; PyTorch's own default var is ones) and CS231n's ``momentum`` (PyTorch's is
    ``1 - momentum``). ``training``: train mode (the batch's statistics, running ones updated) or
    eval mode (the running statistics).

    Returns ``(out, running_mean, running_var)``, or with ``dout``
    ``(out, dx, dgamma, dbeta, running_mean, running_var)``: the running statistics after the
    call, in PyTorch's convention - its running_var averages the UNBIASED batch variance
    (divided by m - 1, m = N*H*W), where CS231n's averages the biased one (divided by m)."""
    torch = _torch()
    g = np.asarray(gamma)
    C = g.size
    bn = _torch_norm_module(torch.nn.BatchNorm2d(C, eps=eps, momentum=1 - momentum), gamma, beta)
    with torch.no_grad():
        for buf, v in ((bn.running_mean, running_mean), (bn.running_var, running_var)):
            buf.copy_(torch.zeros(C, dtype=buf.dtype) if v is None else torch.from_numpy(np.asarray(v, dtype=g.dtype)))
    res = _run_norm_module(bn, x, gamma, beta, dout, training)
    stats = (bn.running_mean.numpy().copy(), bn.running_var.numpy().copy())
    return (res, *stats) if dout is None else (*res, *stats)


def groupnorm(x, gamma, beta, G, dout=None, eps=1e-5, training=True):
    """``torch.nn.GroupNorm(G, C)`` on ``x`` (N, C, H, W) with weight ``gamma`` and bias ``beta``
    (C numbers, (1, C, 1, 1) as in CS231n or (C,)); the same in train and eval mode (no running
    statistics). Returns ``out``, or with ``dout`` ``(out, dx, dgamma, dbeta)``, the gradients of
    gamma and beta in their shapes."""
    torch = _torch()
    C = np.asarray(gamma).size
    gn = _torch_norm_module(torch.nn.GroupNorm(G, C, eps=eps), gamma, beta)
    return _run_norm_module(gn, x, gamma, beta, dout, training)


def conv_bn_relu(x, w, b, gamma, beta, conv_param, dout=None, eps=1e-5):
    """Convolution, batch normalization (train mode: the batch's statistics), ReLU in PyTorch:
    ``out``, or ``(out, dx, dw, db, dgamma, dbeta)`` with ``dout``."""
    torch = _torch()
    F = torch.nn.functional
    conv = conv2d_op(conv_param)
    return _compute(lambda x_, w_, b_, g, be: torch.relu(F.batch_norm(conv(x_, w_, b_), None, None, g, be,
                                                                      training=True, eps=eps)),
                    (x, w, b, gamma, beta), dout)


__all__ += ["batchnorm2d", "groupnorm", "conv_bn_relu"]
