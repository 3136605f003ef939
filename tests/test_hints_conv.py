"""Notebook 04's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import conv as fb
from tools.inject import module_with_mistake

NB = "04_conv_layer"


def test_the_solution_passes_every_check(capsys):
    import cs231n_helpers.conv_layers as mod

    fb.check_conv_output_size(mod.conv_output_size)
    fb.check_conv_layer_stats(mod.conv_layer_stats)
    fb.check_conv_forward_naive(mod.conv_forward_naive)
    fb.check_conv_backward_naive(mod.conv_forward_naive, mod.conv_backward_naive)
    fb.check_im2col(mod.im2col)
    fb.check_conv_forward_im2col(mod.conv_forward_im2col)
    fb.check_conv_dw(mod.conv_dw)
    fb.check_col2im(mod.col2im)
    fb.check_conv_layer(mod.conv_forward_im2col, mod.conv_backward_im2col)
    fb.check_conv_layer(mod.conv_forward_fast, mod.conv_backward_fast)
    fb.check_same_layer(mod.conv_forward_fast, mod.conv_backward_fast, mod.conv_forward_im2col, mod.conv_backward_im2col)
    out = capsys.readouterr().out
    assert out.count("all checks passed") == 11 and "✗" not in out


def _cases(table):
    return pytest.mark.parametrize("old,new,hint", table, ids=[h for _, _, h in table])


OUTPUT_SIZE = [  # (text in the solution, what the learner wrote instead, words of the hint)
    ("room = size + 2 * pad - span", "room = size - span", "padding is missing"),
    ("room = size + 2 * pad - span", "room = size + pad - span", "padding counted once"),
    ("out = room // stride + 1", "out = room // stride", r"the \+1 is missing"),
    ("out = room // stride + 1", "out = -(-room // stride) + 1", "rounded up"),
    ("out = room // stride + 1", "out = room / stride + 1", "a fraction"),
]


@_cases(OUTPUT_SIZE)
def test_conv_output_size_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_output_size(mod.conv_output_size)


STATS = [
    ("receptive_field += (K - 1) * jump", "receptive_field += (K - 1)", "strides are ignored"),
    ("receptive_field += (K - 1) * jump          # K - 1 more steps, each `jump` input pixels wide\n"
     "        jump *= stride ",
     "jump *= stride\n        receptive_field += (K - 1) * jump\n        pass ", "one layer too early"),
    ("weights = F * c * K * K", "weights = F * C * K * K", "sees depth F"),
]


@_cases(STATS)
def test_conv_layer_stats_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_layer_stats(mod.conv_layer_stats)


FORWARD = [
    ("np.sum(window * w[f]) + b[f]", "np.sum(window * w[f])", "bias is missing"),
    ("i * stride:i * stride + HH, j * stride:j * stride + WW", "i:i + HH, j:j + WW", "stride is missing"),
    ("np.sum(window * w[f]) +", "np.sum(window * w[f, :, ::-1, ::-1]) +", "flipped"),
    ("np.sum(window * w[f])", "np.sum(window[0] * w[f, 0])", "only one channel"),
    ("x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))\n    for n", "x_pad = x\n    for n", "pad x first"),
]


@_cases(FORWARD)
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


@_cases(BACKWARD)
def test_conv_backward_naive_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_backward_naive(mod.conv_forward_naive, mod.conv_backward_naive)


IM2COL = [
    ("reshape(C * HH * WW, N * H_out * W_out)", "reshape(C * HH * WW, N * H_out * W_out).T", "transposed"),
    ("[:, :, ::stride, ::stride]", "", "every window is taken"),
    ("transpose(1, 4, 5, 0, 2, 3)", "transpose(4, 5, 1, 0, 2, 3)", "rows of cols are in the wrong order"),
    ("transpose(1, 4, 5, 0, 2, 3)", "transpose(1, 4, 5, 2, 3, 0)", "columns of cols are in the wrong order"),
]


@_cases(IM2COL)
def test_im2col_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_im2col(mod.im2col)


GEMM = [
    ("out_mat.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)", "out_mat.reshape(N, F, H_out, W_out)",
     "scrambles"),
    (" + bias[:, None, None]", "", "bias is missing"),
]


@_cases(GEMM)
def test_conv_forward_im2col_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_conv_forward_im2col(mod.conv_forward_im2col, num_configs=4)


def test_conv_dw_names_the_transpose():
    mod = module_with_mistake(NB, "(cols @ dout_mat.T).T.reshape(w_shape)", "(cols @ dout_mat.T).reshape(w_shape)")
    with pytest.raises(CheckFailed, match="dw came out transposed"):
        fb.check_conv_dw(mod.conv_dw)


COL2IM = [
    ("+= d[:, kh, kw]", "= d[:, kh, kw]", r"`=` instead of `\+=`"),
    ("kh:kh + stride * H_out:stride, kw:kw + stride * W_out:stride", "kh:kh + H_out, kw:kw + W_out",
     "every `stride` pixels"),
]


@_cases(COL2IM)
def test_col2im_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_col2im(mod.col2im)


def test_a_broken_piece_fails_the_layer_checks():
    """conv_backward_im2col and conv_backward_fast are given code; their checks still fail when a
    piece they use is wrong (the fast layer uses col2im for inputs with few channels), and so
    does the comparison of the fast layer (16 channels: no col2im at stride 1) with the im2col one."""
    mod = module_with_mistake(NB, "+= d[:, kh, kw]", "= d[:, kh, kw]")
    with pytest.raises(CheckFailed, match="vs PyTorch autograd"):
        fb.check_conv_layer(mod.conv_forward_im2col, mod.conv_backward_im2col, num_configs=6)
    with pytest.raises(CheckFailed, match="vs PyTorch autograd"):
        fb.check_conv_layer(mod.conv_forward_fast, mod.conv_backward_fast, num_configs=6)
    with pytest.raises(CheckFailed, match="dx, float64"):
        fb.check_same_layer(mod.conv_forward_fast, mod.conv_backward_fast, mod.conv_forward_im2col,
                            mod.conv_backward_im2col)


def test_a_stub_is_reported_as_not_implemented():
    mod = module_with_mistake(NB, "return (cols @ dout_mat.T).T.reshape(w_shape)", "raise NotImplementedError()")
    with pytest.raises(CheckFailed, match="not implemented yet"):
        fb.check_conv_dw(mod.conv_dw)
