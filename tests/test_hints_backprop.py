"""Notebook 03's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import numpy as np
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import backprop as fb
from tools.inject import cell_with_mistake, module_with_mistake

NB = "03_mlp_backprop"


def _ids(cases):
    return [f"{i}-{hint[:40]}" for i, (_, _, hint) in enumerate(cases)]


def _sigmoid_neuron(old, new):
    ns = {"np": np}
    exec(cell_with_mistake(NB, old, new), ns)
    return ns["sigmoid_neuron"]


def test_the_solution_passes_every_check():
    from cs231n_helpers import fc_net, layers, optim

    ns = {"np": np}
    exec(cell_with_mistake(NB, "dt = (1.0 - f) * f", "dt = (1.0 - f) * f"), ns)   # the solution, unchanged
    fb.check_sigmoid_neuron(ns["sigmoid_neuron"])
    fb.check_affine_forward(layers.affine_forward)
    fb.check_affine_backward(layers.affine_forward, layers.affine_backward)
    fb.check_relu_forward(layers.relu_forward)
    fb.check_relu_backward(layers.relu_forward, layers.relu_backward)
    fb.check_affine_relu(layers.affine_relu_forward, layers.affine_relu_backward)
    fb.check_svm_loss(layers.svm_loss)
    fb.check_softmax_loss(layers.softmax_loss)
    fb.check_two_layer_net(fc_net.TwoLayerNet)
    fb.check_fully_connected_net(fc_net.FullyConnectedNet)
    fb.check_sgd_momentum(optim.sgd_momentum)
    fb.check_rmsprop(optim.rmsprop)
    fb.check_adam(optim.adam)
    fb.check_batchnorm_forward(layers.batchnorm_forward)
    fb.check_batchnorm_backward(layers.batchnorm_forward, layers.batchnorm_backward)
    fb.check_batchnorm_backward_alt(layers.batchnorm_forward, layers.batchnorm_backward_alt)
    fb.check_layernorm(layers.layernorm_forward, layers.layernorm_backward)
    fb.check_dropout_forward(layers.dropout_forward)
    fb.check_dropout_backward(layers.dropout_forward, layers.dropout_backward)


def test_a_stub_is_not_implemented_yet():
    from cs231n_helpers.checks import NotImplementedYet

    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(NotImplementedYet):
        fb.check_affine_forward(stub)


# --------------------------------------------------------------------------- 1. the sigmoid neuron
SIGMOID = [  # (what the solution says, what the learner wrote instead, words of the hint)
    ("f = 1.0 / (1.0 + np.exp(-t))", "f = 1.0 / (1.0 + np.exp(t))", "minus sign"),
    ("dt = (1.0 - f) * f", "dt = (1.0 - t) * t", "OUTPUT"),
    ("dw = np.array([x[0] * dt, x[1] * dt, dt])", "dw = np.array([w[0] * dt, w[1] * dt, dt])", "swaps its inputs"),
    ("dx = np.array([w[0] * dt, w[1] * dt])", "dx = np.array([x[0] * dt, x[1] * dt])", "swaps its inputs"),
    ("dw = np.array([x[0] * dt, x[1] * dt, dt])", "dw = np.array([x[0], x[1], 1.0])", "upstream gradient"),
]


@pytest.mark.parametrize("old,new,hint", SIGMOID, ids=_ids(SIGMOID))
def test_sigmoid_neuron_names_the_mistake(old, new, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_sigmoid_neuron(_sigmoid_neuron(old, new))


# --------------------------------------------------------------------------- 2. affine
AFFINE_FORWARD = [
    ("    out += b\n", "", "bias is missing"),
    ("out = x.reshape(x.shape[0], D) @ w", "out = x.reshape(D, x.shape[0]).T @ w", "scrambled"),
    ("out = x.reshape(x.shape[0], D) @ w", "out = x @ w", "flatten each example"),
]


@pytest.mark.parametrize("old,new,hint", AFFINE_FORWARD, ids=_ids(AFFINE_FORWARD))
def test_affine_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_affine_forward(mod.affine_forward)


AFFINE_BACKWARD = [
    ("dx = (dout @ w.T).reshape(x.shape)", "dx = dout @ w.T", "must have the shape of x"),
    ("dw = x.reshape(x.shape[0], -1).T @ dout", "dw = dout.T @ x.reshape(x.shape[0], -1)", "transposed"),
    ("db = dout.sum(axis=0)\n    ### END", "db = dout.sum(axis=1)\n    ### END", "over the units"),
    ("db = dout.sum(axis=0)\n    ### END", "db = dout.mean(axis=0)\n    ### END", "not the mean"),
]


@pytest.mark.parametrize("old,new,hint", AFFINE_BACKWARD, ids=_ids(AFFINE_BACKWARD))
def test_affine_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_affine_backward(mod.affine_forward, mod.affine_backward)


# --------------------------------------------------------------------------- 3. ReLU
RELU_FORWARD = [
    ("out = np.maximum(x, 0)", "out = np.max(x, 0)", "np.maximum"),
    ("out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x", "in place"),
]


@pytest.mark.parametrize("old,new,hint", RELU_FORWARD, ids=_ids(RELU_FORWARD))
def test_relu_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_relu_forward(mod.relu_forward)


RELU_BACKWARD = [
    ("dout * (x > 0)", "dout * (dout > 0)", "INPUT x"),
    ("dout * (x > 0)", "dout * (x >= 0)", "x == 0"),
    ("dx = dout * (x > 0)", "dx = (x > 0).astype(dout.dtype)", "multiply dout by the mask"),
    ("dx = dout * (x > 0)", "dx = dout", "blocked"),
    ("dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout", "changed dout in place"),
]


@pytest.mark.parametrize("old,new,hint", RELU_BACKWARD, ids=_ids(RELU_BACKWARD))
def test_relu_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_relu_backward(mod.relu_forward, mod.relu_backward)


# --------------------------------------------------------------------------- 4. losses
SVM = [
    ("    margins[rows, y] = 0\n", "", "own margin"),
    ("loss = float(margins.sum()) / N", "loss = float(margins.sum())", "averages over the batch"),
    ("dx[rows, y] -= positive.sum(axis=1)\n    dx /= N", "dx[rows, y] -= positive.sum(axis=1)",
     "averages over the batch"),
    ("    dx[rows, y] -= positive.sum(axis=1)\n", "", "correct class's score gets -1"),
    ("positive.sum(axis=1)", "positive.sum(axis=0)", "wrong axis"),
]


@pytest.mark.parametrize("old,new,hint", SVM, ids=_ids(SVM))
def test_svm_loss_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_svm_loss(mod.svm_loss)


SOFTMAX_STATS = ("shifted = x - x.max(axis=1, keepdims=True)      # numerically stable: exp never overflows\n"
                 "    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))")
SOFTMAX = [
    ("shifted = x - x.max(axis=1, keepdims=True)", "shifted = x", "overflows"),
    ("loss = -float(log_probs[rows, y].sum()) / N", "loss = -float(log_probs[rows, y].sum())",
     "averages over the batch"),
    ("    dx[rows, y] -= 1\n", "", "subtract 1"),
    (SOFTMAX_STATS, SOFTMAX_STATS.replace("axis=1", "axis=0"), "normalizes each class over the batch"),
    ("np.exp(shifted).sum(axis=1, keepdims=True)", "np.exp(shifted).sum(axis=0, keepdims=True)",
     "normalizes each class over the batch"),
]


@pytest.mark.parametrize("old,new,hint", SOFTMAX, ids=_ids(SOFTMAX))
def test_softmax_loss_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_softmax_loss(mod.softmax_loss)


# --------------------------------------------------------------------------- 5. the nets
TWO_LAYER = [
    ("loss += 0.5 * self.reg * float(np.sum(W1 * W1) + np.sum(W2 * W2))", "pass", "missing the regularization"),
    ("loss += 0.5 * self.reg * float(np.sum(W1 * W1)", "loss += self.reg * float(np.sum(W1 * W1)",
     r"not reg \* sum"),
    ("float(np.sum(W1 * W1) + np.sum(W2 * W2))", "float(np.sum(W1 * W1))", "last layer's W is missing"),
    ('grads["W1"] += self.reg * W1\n        grads["W2"] += self.reg * W2', "pass", "add it to the weights"),
    ('grads["W1"] += self.reg * W1\n        grads["W2"] += self.reg * W2',
     'grads["W1"] += 2 * self.reg * W1\n        grads["W2"] += 2 * self.reg * W2', r"not 2 \* reg \* W"),
    ('grads["W1"] += self.reg * W1\n        grads["W2"] += self.reg * W2',
     'grads["W1"] += 0.5 * self.reg * W1\n        grads["W2"] += 0.5 * self.reg * W2', r"not 0.5 \* reg \* W"),
    ('_, grads["W1"], grads["b1"] = layers.affine_relu_backward(dh, cache1)',
     '_, grads["W1"], grads["b1"] = layers.affine_backward(dh, cache1[0])', "back through the ReLU"),
    ("h, cache1 = layers.affine_relu_forward(X, W1, b1)",
     "h, fc1 = layers.affine_forward(X, W1, b1)\n        cache1 = (fc1, h)", "needs its ReLU"),
]


@pytest.mark.parametrize("old,new,hint", TWO_LAYER, ids=_ids(TWO_LAYER))
def test_two_layer_net_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_two_layer_net(mod.TwoLayerNet)


FC_NET = [
    ("for i in range(1, L + 1):", "for i in range(1, L):", "last layer's W is missing"),
    ('        grads[f"W{i}"] += self.reg * p[f"W{i}"]\n', "", "add it to the weights"),
    ('loss += 0.5 * self.reg * float(np.sum(p[f"W{i}"]', 'loss += self.reg * float(np.sum(p[f"W{i}"]',
     r"not reg \* sum"),
    ("        if drop_cache is not None:\n            dout = layers.dropout_backward(dout, drop_cache)\n", "",
     "through dropout"),
    ('scores, last_cache = layers.affine_forward(out, p[f"W{L}"], p[f"b{L}"])',
     'scores, last_cache = layers.affine_relu_forward(out, p[f"W{L}"], p[f"b{L}"])', "no ReLU"),
    ('dout, grads[f"W{i}"], grads[f"b{i}"], grads[f"gamma{i}"], grads[f"beta{i}"] = \\\n'
     "                layers.affine_norm_relu_backward(dout, cache)",
     'dout, grads[f"W{i}"], grads[f"b{i}"], _, _ = layers.affine_norm_relu_backward(dout, cache)',
     "one gradient for every entry"),
]


@pytest.mark.parametrize("old,new,hint", FC_NET, ids=_ids(FC_NET))
def test_fully_connected_net_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_fully_connected_net(mod.FullyConnectedNet)


# --------------------------------------------------------------------------- 6. update rules
MOMENTUM_STEP = 'v = config["momentum"] * v - config["learning_rate"] * dw\n    next_w = w + v'
MOMENTUM = [
    (MOMENTUM_STEP, 'next_w = w + v\n    v = config["momentum"] * v - config["learning_rate"] * dw', "NEW velocity"),
    (MOMENTUM_STEP, MOMENTUM_STEP.replace("- config", "+ config"), "NEGATIVE gradient"),
    (MOMENTUM_STEP, MOMENTUM_STEP.replace('config["momentum"] * v - ', "- "), "momentum term is missing"),
]


@pytest.mark.parametrize("old,new,hint", MOMENTUM, ids=_ids(MOMENTUM))
def test_sgd_momentum_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_sgd_momentum(mod.sgd_momentum)


RMS_CACHE = 'cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * (dw * dw)'
RMSPROP = [
    ('(np.sqrt(cache) + config["epsilon"])', '(cache + config["epsilon"])', "SQUARE ROOT"),
    ('(np.sqrt(cache) + config["epsilon"])', 'np.sqrt(cache + config["epsilon"])', "outside the square root"),
    (RMS_CACHE, 'cache = (1 - config["decay_rate"]) * cache + config["decay_rate"] * (dw * dw)', r"decay_rate \(0.99\)"),
    (RMS_CACHE, RMS_CACHE.replace("(dw * dw)", "dw"), "SQUARED gradients"),
]


@pytest.mark.parametrize("old,new,hint", RMSPROP, ids=_ids(RMSPROP))
def test_rmsprop_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_rmsprop(mod.rmsprop)


ADAM = [
    ("m_hat = m / (1 - b1 ** t)\n    v_hat = v / (1 - b2 ** t)", "m_hat = m\n    v_hat = v", "bias correction is missing"),
    ("    t += 1\n", "", "increment t BEFORE"),
    ("v = b2 * v + (1 - b2) * (dw * dw)", "v = b2 * v + (1 - b2) * dw", "SQUARED gradients"),
    ("m_hat / (np.sqrt(v_hat) + config", "m_hat / (v_hat + config", "square root of v_hat"),
]


@pytest.mark.parametrize("old,new,hint", ADAM, ids=_ids(ADAM))
def test_adam_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_adam(mod.adam)


# --------------------------------------------------------------------------- 7. batch and layer normalization
BN_FORWARD = [
    ("var = (xc * xc).mean(axis=0)", "var = (xc * xc).mean(axis=1, keepdims=True)", "wrong axis"),
    ("mu = x.mean(axis=0)", "mu = x.mean(axis=1)", "over the batch"),
    ("std = np.sqrt(var + eps)", "std = np.sqrt(var) + eps", "inside the square root"),
    ("var = (xc * xc).mean(axis=0)", "var = x.var(axis=0, ddof=1)", "biased variance"),
    ("running_mean = momentum * running_mean + (1 - momentum) * mu",
     "running_mean = (1 - momentum) * running_mean + momentum * mu", "old running average keeps"),
    ("xc = x - running_mean\n        std = np.sqrt(running_var + eps)",
     "xc = x - x.mean(axis=0)\n        std = np.sqrt(x.var(axis=0) + eps)", "running averages"),
]


@pytest.mark.parametrize("old,new,hint", BN_FORWARD, ids=_ids(BN_FORWARD))
def test_batchnorm_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_batchnorm_forward(mod.batchnorm_forward)


BN_BACKWARD = [
    ("dx = dxc + dmu / N", "dx = dxc", "path through the mean"),
    ("dx = dxc + dmu / N", "dx = dxc + dmu", "not dmu"),
    ("dxc += (2.0 / N) * xc * dvar", "dxc = dxc", "path through the variance"),
    ("dxc += (2.0 / N) * xc * dvar", "dxc += xc * dvar", "2 / N"),
    ("dvar = 0.5 * dstd / std", "dvar = dstd / std", "0.5 is missing"),
    ("dxhat = dout * gamma", "dxhat = dout", "factor gamma"),
    ("dgamma = (dout * xhat).sum(axis=0)", "dgamma = (dout * xc).sum(axis=0)", "NORMALIZED"),
    ("dgamma = (dout * xhat).sum(axis=0)", "dgamma = dout.sum(axis=0)", "NORMALIZED"),
    ("dbeta = dout.sum(axis=0)                            #", "dbeta = dout.sum(axis=1)                            #",
     "axis=0"),
]


@pytest.mark.parametrize("old,new,hint", BN_BACKWARD, ids=_ids(BN_BACKWARD))
def test_batchnorm_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_batchnorm_backward(mod.batchnorm_forward, mod.batchnorm_backward)


ALT = "dx = (gamma / (N * std)) * (N * dout - dbeta - xhat * dgamma)"
BN_ALT = [
    (ALT, ALT.replace("(gamma /", "(1 /"), "factor gamma"),
    (ALT, ALT.replace(" - xhat * dgamma", ""), r"x_hat \* sum"),
    (ALT, ALT.replace(" - dbeta", ""), "path through the mean"),
    (ALT, ALT.replace("(N * dout", "(dout"), "factor N"),
]


@pytest.mark.parametrize("old,new,hint", BN_ALT, ids=_ids(BN_ALT))
def test_batchnorm_backward_alt_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_batchnorm_backward_alt(mod.batchnorm_forward, mod.batchnorm_backward_alt)


LN_STATS = ("mu = x.mean(axis=1, keepdims=True)\n    xc = x - mu\n"
            "    std = np.sqrt((xc * xc).mean(axis=1, keepdims=True) + eps)")
LAYERNORM = [
    (LN_STATS, LN_STATS.replace("axis=1", "axis=0"), "EXAMPLE"),
    ("mu = x.mean(axis=1, keepdims=True)", "mu = x.mean(axis=1)", "keepdims"),
]


@pytest.mark.parametrize("old,new,hint", LAYERNORM, ids=_ids(LAYERNORM))
def test_layernorm_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_layernorm(mod.layernorm_forward, mod.layernorm_backward)


# --------------------------------------------------------------------------- 8. dropout
DROPOUT_FORWARD = [
    ("rng.random(x.shape) < p", "rng.random(x.shape) > p", "KEEPING"),
    ("        mask /= x.dtype.type(p)                 # inverted dropout: scale at train time\n", "",
     "divides the kept units by p"),
    ("out = x                                 # ... and nothing to do at test time", "out = x * p", "identity"),
    ("mask = (rng.random(x.shape) < p).astype(x.dtype)\n        mask /= x.dtype.type(p)",
     "mask = (rng.random(x.shape) < p) / p", "float64"),
]


@pytest.mark.parametrize("old,new,hint", DROPOUT_FORWARD, ids=_ids(DROPOUT_FORWARD))
def test_dropout_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_dropout_forward(mod.dropout_forward)


DROPOUT_BACKWARD = [
    ("dx = dout * mask", "dx = dout", "dropped units"),
    ("dx = dout * mask", "dx = dout * (np.random.rand(*dout.shape) < dropout_param['p']) / dropout_param['p']",
     "mask of the forward pass"),
    ("dx = dout * mask", "dx = dout * (mask > 0)", "scaled by 1/p"),
]


@pytest.mark.parametrize("old,new,hint", DROPOUT_BACKWARD, ids=_ids(DROPOUT_BACKWARD))
def test_dropout_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_dropout_backward(mod.dropout_forward, mod.dropout_backward)
