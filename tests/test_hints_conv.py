"""Notebook 04's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import conv as fb
from tools.inject import module_with_mistake

NB = "04_conv_layer"


def test_the_solution_passes_every_check():
    import cs231n_helpers.conv_layers as mod

    fb.check_conv_forward_naive(mod.conv_forward_naive)
    fb.check_conv_backward_naive(mod.conv_forward_naive, mod.conv_backward_naive)


FORWARD = [  # (what the learner wrote instead, replacement in the solution, words of the hint)
    ("np.sum(window * w[f]) + b[f]", "np.sum(window * w[f])", "bias is missing"),
    ("i * stride:i * stride + HH, j * stride:j * stride + WW", "i:i + HH, j:j + WW", "stride is missing"),
    ("np.sum(window * w[f]) +", "np.sum(window * w[f, :, ::-1, ::-1]) +", "flipped"),
    ("x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))\n    for n", "x_pad = x\n    for n", "pad x first"),
]


@pytest.mark.parametrize("old,new,hint", FORWARD, ids=[h for _, _, h in FORWARD])
def test_conv_forward_naive_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_forward_naive(mod.conv_forward_naive)


BACKWARD = [
    ("dx_pad[n, :, rows, cols] += w[f]", "dx_pad[n, :, rows, cols] = w[f]", r"`=` instead of `\+=` for dx"),
    ("dw[f] += x_pad", "dw[f] = x_pad", r"`=` instead of `\+=` for dw"),
    ("dx = dx_pad[:, :, pad:pad + H, pad:pad + W]", "dx = dx_pad", "still has the padding"),
    ("rows = slice(i * stride, i * stride + HH)\n                    cols = slice(j * stride, j * stride + WW)",
     "rows = slice(i, i + HH)\n                    cols = slice(j, j + WW)", "stride is missing"),
    ("db[f] += dout[n, f].sum()", "db[f] = dout[n, f].sum()", "only the last example"),
]


@pytest.mark.parametrize("old,new,hint", BACKWARD, ids=[h for _, _, h in BACKWARD])
def test_conv_backward_naive_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_backward_naive(mod.conv_forward_naive, mod.conv_backward_naive)
