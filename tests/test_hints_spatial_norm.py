"""Notebook 05's normalization checks (sections 10 and 11) name the classic mistakes: each mistake
is injected into the notebook's solution (tools.inject) and the check must fail with its hint; the
solution itself passes every check, and a stub is reported as not implemented yet.

Two mistakes live in notebook 03's batchnorm, which spatial batch norm reuses: they are injected
there and reach our function through its ``batchnorm_forward``."""
import types

import numpy as np
import pytest

import cs231n_helpers.cnn as cnn
from cs231n_helpers.checks import CheckFailed, NotImplementedYet
from cs231n_helpers.feedback import norm as fb
from tools.inject import module_with_mistake

NB = "05_pooling"


def test_the_solution_passes_every_check():
    fb.check_spatial_batchnorm_forward(cnn.spatial_batchnorm_forward)
    fb.check_spatial_batchnorm_backward(cnn.spatial_batchnorm_forward, cnn.spatial_batchnorm_backward)
    fb.check_spatial_groupnorm_forward(cnn.spatial_groupnorm_forward)
    fb.check_spatial_groupnorm_backward(cnn.spatial_groupnorm_forward, cnn.spatial_groupnorm_backward)


def _stub(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check,args", [
    (fb.check_spatial_batchnorm_forward, (_stub,)),
    (fb.check_spatial_batchnorm_backward, (cnn.spatial_batchnorm_forward, _stub)),
    (fb.check_spatial_groupnorm_forward, (_stub,)),
    (fb.check_spatial_groupnorm_backward, (cnn.spatial_groupnorm_forward, _stub)),
], ids=["bn-forward", "bn-backward", "gn-forward", "gn-backward"])
def test_a_stub_is_not_implemented_yet(check, args):
    with pytest.raises(NotImplementedYet, match="not implemented yet"):
        check(*args)


ROWS = "rows = x.transpose(0, 2, 3, 1).reshape(N * H * W, C)"
BACK = "out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)"
BN_BLOCK = (ROWS + "      # one row per (image, position)\n"
            "    out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)\n    " + BACK)
BN_FORWARD = [
    (ROWS, "rows = x.reshape(N * H * W, C)", "not moved to the last axis", "bare-reshape-mixes-channels"),
    (BACK, "out = out_rows.reshape(N, C, H, W)", "not transposed back", "not-transposed-back"),
    (BACK, "out = out_rows.reshape(N, H, W, C).transpose(0, 3, 2, 1)", "not transposed back", "transposed-back-wrongly"),
    ("batchnorm_forward(rows, gamma, beta, bn_param)", "batchnorm_forward(rows, gamma, beta, dict(bn_param))",
     "running statistics were not updated", "a-copy-of-bn_param"),
    (BN_BLOCK,
     "rows = x.reshape(N, C * H * W)\n"
     "    out_rows, cache = batchnorm_forward(rows, np.repeat(gamma, H * W), np.repeat(beta, H * W), bn_param)\n"
     "    out = out_rows.reshape(N, C, H, W)", "each position", "per-position-as-in-a-fully-connected-layer"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in BN_FORWARD], ids=[c[3] for c in BN_FORWARD])
def test_spatial_batchnorm_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_spatial_batchnorm_forward(mod.spatial_batchnorm_forward)


def _with_layers_of_03(old, new):
    """Our spatial_batchnorm_forward, calling notebook 03's batchnorm_forward with a mistake in it."""
    layers = module_with_mistake("03_mlp_backprop", old, new)
    f = cnn.spatial_batchnorm_forward
    return types.FunctionType(f.__code__, {**f.__globals__, "batchnorm_forward": layers.batchnorm_forward}, f.__name__,
                              f.__defaults__, f.__closure__)


def test_unbiased_running_variance_is_named():
    f = _with_layers_of_03("running_var = momentum * running_var + (1 - momentum) * var",
                           "running_var = momentum * running_var + (1 - momentum) * var * len(x) / (len(x) - 1)")
    with pytest.raises(CheckFailed, match="UNBIASED batch variance"):
        fb.check_spatial_batchnorm_forward(f)


def test_the_layers_of_03_without_a_mistake_pass():   # the rebinding above changes nothing else
    f = _with_layers_of_03("running_mean = momentum * running_mean", "running_mean = momentum * running_mean")
    fb.check_spatial_batchnorm_forward(f)


DROWS = "drows = dout.transpose(0, 2, 3, 1).reshape(N * H * W, C)"
DBACK = "dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)"
BN_BACKWARD = [
    (DROWS, "drows = dout.reshape(N * H * W, C)", "dout was not moved", "dout-bare-reshape"),
    (DBACK, "dx = dx_rows.reshape(N, C, H, W)", "dx was not transposed back", "dx-not-transposed-back"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in BN_BACKWARD], ids=[c[3] for c in BN_BACKWARD])
def test_spatial_batchnorm_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_spatial_batchnorm_backward(mod.spatial_batchnorm_forward, mod.spatial_batchnorm_backward)


GN_BLOCK = ("xg = x.reshape(N, G, C // G, H, W)                 # axis 1: the group; axes 2-4: its numbers\n"
            "    mu = xg.mean(axis=(2, 3, 4), keepdims=True)\n"
            "    var = xg.var(axis=(2, 3, 4), keepdims=True)\n"
            "    std = np.sqrt(var + eps)\n"
            "    xhat = ((xg - mu) / std).reshape(N, C, H, W)")
GN_FORWARD = [
    ("std = np.sqrt(var + eps)", "std = np.sqrt(var) + eps", "eps is outside the square root", "eps-outside-the-sqrt"),
    ("var = xg.var(axis=(2, 3, 4), keepdims=True)", "var = xg.var(axis=(2, 3, 4), keepdims=True, ddof=1)",
     "unbiased one", "unbiased-variance"),
    ("xg = x.reshape(N, G, C // G, H, W)", "xg = x.reshape(N, C // G, G, H, W)", "are swapped", "G-and-C//G-swapped"),
    ("mu = xg.mean(axis=(2, 3, 4), keepdims=True)\n    var = xg.var(axis=(2, 3, 4), keepdims=True)",
     "mu = xg.mean(axis=(0, 2, 3, 4), keepdims=True)\n    var = xg.var(axis=(0, 2, 3, 4), keepdims=True)",
     "across the batch", "statistics-over-the-batch-too"),
    ("mu = xg.mean(axis=(2, 3, 4), keepdims=True)\n    var = xg.var(axis=(2, 3, 4), keepdims=True)",
     "mu = xg.mean(axis=(3, 4), keepdims=True)\n    var = xg.var(axis=(3, 4), keepdims=True)",
     "instance norm", "each-channel-on-its-own"),
    (GN_BLOCK, GN_BLOCK.replace("x.reshape(N, G, C // G, H, W)", "x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4)")
     .replace("((xg - mu) / std).reshape", "((xg - mu) / std).transpose(0, 2, 1, 3, 4).reshape"),
     "CONSECUTIVE channels", "strided-groups"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in GN_FORWARD], ids=[c[3] for c in GN_FORWARD])
def test_spatial_groupnorm_forward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_spatial_groupnorm_forward(mod.spatial_groupnorm_forward)


DX = ("dx = (dxhat - dxhat.mean(axis=2, keepdims=True) - xh * (dxhat * xh).mean(axis=2, keepdims=True))"
      " / std.reshape(N, G, 1)")
GN_BACKWARD = [
    (DX, "dx = dxhat / std.reshape(N, G, 1)", "missing the mean terms", "no-mean-terms"),
    (DX, "dx = (dxhat - dxhat.mean(axis=2, keepdims=True)) / std.reshape(N, G, 1)", "missing the variance term",
     "no-variance-term"),
    (DX, "dx = (dxhat - xh * (dxhat * xh).mean(axis=2, keepdims=True)) / std.reshape(N, G, 1)",
     r"missing mean\(dxhat\)", "no-mean-of-dxhat"),
    ("dxhat = (dout * gamma).reshape(N, G, -1)", "dxhat = dout.reshape(N, G, -1)", "through the scale gamma",
     "gamma-forgotten"),
    ("dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)", "dgamma = (dout * xhat).sum(axis=(0, 2, 3))",
     "keepdims=True", "dgamma-shape-(C,)"),
    ("dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)", "dbeta = dout.sum(axis=(0, 2, 3))", "keepdims=True",
     "dbeta-shape-(C,)"),
]


@pytest.mark.parametrize("old,new,hint", [c[:3] for c in GN_BACKWARD], ids=[c[3] for c in GN_BACKWARD])
def test_spatial_groupnorm_backward_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_spatial_groupnorm_backward(mod.spatial_groupnorm_forward, mod.spatial_groupnorm_backward)


def test_official_values_are_reproduced():
    """The inputs are drawn as the official notebook draws them: its printed input means."""
    x = fb.official_inputs("bn_forward")
    np.testing.assert_allclose(x.mean(axis=(0, 2, 3)), [9.33463814, 8.90909116, 9.11056338], atol=1e-8)
    np.testing.assert_allclose(x.std(axis=(0, 2, 3)), [3.61447857, 3.19347686, 3.5168142], atol=1e-8)
    xg = fb.official_inputs("gn_forward").reshape(4, -1)
    np.testing.assert_allclose(xg.mean(axis=1), [9.72505327, 8.51114185, 8.9147544, 9.43448077], atol=1e-8)
