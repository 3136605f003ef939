"""Notebook 05's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import pooling as fb
from tools.inject import module_with_mistake

NB = "05_pooling"


def test_the_solution_passes_every_check():
    import cs231n_helpers.cnn as cnn
    import cs231n_helpers.pooling as mod

    fb.check_max_pool_forward_naive(mod.max_pool_forward_naive)
    fb.check_max_pool_backward_naive(mod.max_pool_forward_naive, mod.max_pool_backward_naive)
    fb.check_max_pool_forward_views(mod.max_pool_forward_views)
    fb.check_max_pool_backward_views(mod.max_pool_forward_views, mod.max_pool_backward_views)
    fb.check_max_pool_backward_2x2(mod.max_pool_backward_2x2)
    fb.check_avg_pool_backward(mod.avg_pool_forward, mod.avg_pool_backward)
    fb.check_three_layer_forward(cnn.ThreeLayerConvNet)
    fb.check_three_layer_loss(cnn.ThreeLayerConvNet)


# (what the solution says, what the learner wrote instead, words of the hint); the ids name the mistake
FORWARD_NAIVE = [
    ("x[:, :, i * sh:i * sh + ph, j * sw:j * sw + pw]\n            out", "x[:, :, i:i + ph, j:j + pw]\n            out",
     "stride is missing", "i-instead-of-i*stride"),
    ("window.max(axis=(2, 3))", "window.max()", "two spatial axes", "max-over-the-wrong-axes"),
    ("i * sh:i * sh + ph, j * sw:j * sw + pw]\n            out", "i * sh:i * sh + pw, j * sw:j * sw + ph]\n            out",
     "swapped", "height-and-width-swapped"),
    ("out = np.empty((N, C, H_out, W_out), dtype=x.dtype)", "out = np.empty((N, C, H_out, W_out))",
     "input's dtype", "dtype-not-kept"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in FORWARD_NAIVE], ids=[c[3] for c in FORWARD_NAIVE])
def test_max_pool_forward_naive_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_max_pool_forward_naive(mod.max_pool_forward_naive)


ROUTE = "            dx[n, c, i * sh + di, j * sw + dj] += dout[:, :, i, j]"
BACKWARD_NAIVE = [
    (ROUTE, ROUTE.replace("+=", "="), r"`=` instead of `\+=`", "assign-instead-of-add-where-windows-overlap"),
    ("np.divmod(k, pw)", "np.divmod(k, ph)", "wrong width", "argmax-unravelled-with-the-wrong-width"),
    ("k = window.argmax(axis=2)              # first maximum of each window\n"
     "            di, dj = np.divmod(k, pw)              # its row and column inside the window\n" + ROUTE,
     "mask = window == window.max(axis=2, keepdims=True)\n"
     "            dx[:, :, i * sh:i * sh + ph, j * sw:j * sw + pw] += (mask * dout[:, :, i, j, None]).reshape(N, C, ph, pw)",
     "ties are counted twice", "mask-x==max-double-counts-ties"),
    ("k = window.argmax(axis=2)              # first maximum of each window\n"
     "            di, dj = np.divmod(k, pw)              # its row and column inside the window\n" + ROUTE,
     "dx[:, :, i * sh:i * sh + ph, j * sw:j * sw + pw] += dout[:, :, i, j, None, None]",
     "every input of the window", "gradient-to-every-input-of-the-window"),
    ("k = window.argmax(axis=2)", "k = ph * pw - 1 - window[:, :, ::-1].argmax(axis=2)", "LAST maximum", "last-maximum-on-ties"),
    (ROUTE, "            dx[n, c, i + di, j + dj] += dout[:, :, i, j]", "stride is missing", "i-instead-of-i*stride"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in BACKWARD_NAIVE], ids=[c[3] for c in BACKWARD_NAIVE])
def test_max_pool_backward_naive_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_max_pool_backward_naive(mod.max_pool_forward_naive, mod.max_pool_backward_naive)


FIRST_VIEW = ("        if out is None:\n            out = view.copy()\n        else:\n"
              "            np.maximum(out, view, out=out)")
FORWARD_VIEWS = [
    ("out = view.copy()", "out = view", "x was modified", "running-max-written-into-x"),
    ("out = None\n    for _, _, view in window_views(x, ph, pw, sh, sw, H_out, W_out):\n" + FIRST_VIEW,
     "out = np.zeros((x.shape[0], x.shape[1], H_out, W_out), dtype=x.dtype)\n"
     "    for _, _, view in window_views(x, ph, pw, sh, sw, H_out, W_out):\n        np.maximum(out, view, out=out)",
     "started from zeros", "running-max-started-from-zeros"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in FORWARD_VIEWS], ids=[c[3] for c in FORWARD_VIEWS])
def test_max_pool_forward_views_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_max_pool_forward_views(mod.max_pool_forward_views)


BACKWARD_VIEWS = [
    ("        left -= here                                # paid: later offsets get nothing\n", "",
     "ties are counted twice", "no-bookkeeping-double-counts-ties"),
    ("view_dx += here", "view_dx[...] = here", r"`=` instead of `\+=`", "assign-instead-of-add-where-windows-overlap"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in BACKWARD_VIEWS], ids=[c[3] for c in BACKWARD_VIEWS])
def test_max_pool_backward_views_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_max_pool_backward_views(mod.max_pool_forward_views, mod.max_pool_backward_views)


LEFT = "left = pairs[:, 0] >= pairs[:, 1]"
TOP = "top = rows[:, 0] >= rows[:, 1]"
BACKWARD_2X2 = [
    (LEFT, LEFT.replace(">=", ">"), "ties inside a row went to the right", "strict->-for-the-left-input"),
    (TOP, TOP.replace(">=", ">"), "ties between the two rows went to the bottom", "strict->-for-the-top-row"),
    ("np.multiply(to_pair.reshape(-1), ~left, out=dpairs[:, 1])",
     "np.multiply(to_pair.reshape(-1), pairs[:, 1] >= pairs[:, 0], out=dpairs[:, 1])",
     "ties are counted twice", "mask-double-counts-ties-in-a-pair"),
    ("    np.multiply(to_pair.reshape(-1), ~left, out=dpairs[:, 1])\n", "", "never written", "dx-not-fully-written"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in BACKWARD_2X2], ids=[c[3] for c in BACKWARD_2X2])
def test_max_pool_backward_2x2_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_max_pool_backward_2x2(mod.max_pool_backward_2x2)


def test_max_pool_backward_2x2_both_strict_is_the_last_maximum():
    mod = module_with_mistake(NB, ">= ", "> ", count=2)
    with pytest.raises(CheckFailed, match="ties went to the last maximum"):
        fb.check_max_pool_backward_2x2(mod.max_pool_backward_2x2)


AVG = [
    ("share = dout / (ph * pw)", "share = dout", "not divided", "no-division"),
    ("share = dout / (ph * pw)", "share = dout / (sh * sw)", "wrong count", "divided-by-stride-squared"),
    ("share = dout / (ph * pw)", "share = dout / ph", "wrong count", "divided-by-one-side"),
    ("share = dout / (ph * pw)", "share = dout / (H_out * W_out)", "wrong count", "divided-by-the-number-of-windows"),
    ("view += share", "view[...] = share", r"`=` instead of `\+=`", "assign-instead-of-add-where-windows-overlap"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in AVG], ids=[c[3] for c in AVG])
def test_avg_pool_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_avg_pool_backward(mod.avg_pool_forward, mod.avg_pool_backward)


CNN_FORWARD = [
    ('"pad": (self.filter_size - 1) // 2', '"pad": 1', "same' padding", "pad-1-hard-coded"),
    ('"pad": (self.filter_size - 1) // 2', '"pad": self.filter_size - 1', "same' padding", "pad-F-minus-1"),
    ("scores, cache3 = affine_forward(hidden, W3, b3)", "scores, cache3 = affine_relu_forward(hidden, W3, b3)",
     "ReLU on the scores", "relu-on-the-scores"),
    ("hidden, cache2 = affine_relu_forward(pooled, W2, b2)", "hidden, cache2 = affine_forward(pooled, W2, b2)",
     "hidden layer has no ReLU", "no-relu-in-the-hidden-layer"),
    ("pooled, cache1 = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)",
     "pooled, cache1 = pooling.max_pool_forward_fast(conv_forward_fast(X, W1, b1, conv_param)[0], pool_param)",
     "no ReLU after the convolution", "conv-then-pool-without-relu"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in CNN_FORWARD], ids=[c[3] for c in CNN_FORWARD])
def test_three_layer_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_three_layer_forward(mod.ThreeLayerConvNet)


REG = "loss += 0.5 * self.reg * float(np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))"
CNN_LOSS = [
    (REG, REG.replace(" + np.sum(W2 * W2)", ""), "regularization of W2 is missing from the loss", "reg-of-W2-missing-in-loss"),
    (REG, REG.replace("np.sum(W1 * W1) + ", ""), "regularization of W1 is missing from the loss", "reg-of-W1-missing-in-loss"),
    (REG, REG.replace("0.5 * ", ""), "has no 0.5", "reg-without-one-half"),
    (REG, "pass", "missing from the loss altogether", "reg-missing-from-the-loss"),
    ('for k in ("W1", "W2", "W3"):', 'for k in ("W1", "W3"):', "regularization gradient of W2 is missing", "reg-of-W2-missing-in-gradient"),
    ("grads[k] += self.reg * self.params[k]", "grads[k] += 2 * self.reg * self.params[k]", "2 \\* reg", "reg-gradient-doubled"),
    ('for k in ("W1", "W2", "W3"):', 'for k in ("W1", "W2", "W3", "b1"):', "b1 is regularized", "bias-regularized-in-gradient"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in CNN_LOSS], ids=[c[3] for c in CNN_LOSS])
def test_three_layer_loss_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_three_layer_loss(mod.ThreeLayerConvNet)
