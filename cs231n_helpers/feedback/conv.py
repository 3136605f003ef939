"""Checks for the exercises of notebook 04 (the convolutional layer), with the classic mistakes.

Each ``check_*`` takes the learner's functions, compares them with CS231n's printed numbers,
numeric gradients and PyTorch, and names the mistake it recognises when they disagree.
"""
from __future__ import annotations

import numpy as np

from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_true, checking, close_to, passed
from cs231n_helpers.gradcheck import check_layer_gradients

__all__ = ["check_conv_output_size", "check_conv_layer_stats", "check_conv_forward_naive",
           "check_conv_backward_naive", "check_im2col", "check_conv_forward_im2col", "check_conv_dw",
           "check_col2im", "check_conv_layer", "check_same_layer"]

# CS231n's test layer (assignment 2, ConvolutionalNetworks.ipynb) and the output it prints
CS231N_X_SHAPE, CS231N_W_SHAPE = (2, 3, 4, 4), (3, 3, 4, 4)
CS231N_OUT = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                        [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                        [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                       [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                        [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                        [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])

WINDOW_HINT = ("an index or broadcast error inside the loops usually means a window runs off the input: "
               "pad x first (np.pad, P zeros on each side of H and W), start window (i, j) at "
               "(i*stride, j*stride), and loop over the output positions H' x W'")


def cs231n_conv_inputs():
    """CS231n's fixed test layer: x (2, 3, 4, 4), w (3, 3, 4, 4), b (3,), stride 2, pad 1."""
    x = np.linspace(-0.1, 0.5, num=np.prod(CS231N_X_SHAPE)).reshape(CS231N_X_SHAPE)
    w = np.linspace(-0.2, 0.3, num=np.prod(CS231N_W_SHAPE)).reshape(CS231N_W_SHAPE)
    b = np.linspace(-0.1, 0.2, num=3)
    return x, w, b, {"stride": 2, "pad": 1}


# --------------------------------------------------------------------------- what mistakes compute
def _unstrided_forward(x, w, b, conv_param):
    """The output when window (i, j) starts at (i, j) instead of (i*stride, j*stride)."""
    S = conv_param["stride"]
    out = reference.conv2d(x, w, b, {"stride": 1, "pad": conv_param["pad"]})
    H_out = (x.shape[2] + 2 * conv_param["pad"] - w.shape[2]) // S + 1
    W_out = (x.shape[3] + 2 * conv_param["pad"] - w.shape[3]) // S + 1
    return out[:, :, :H_out, :W_out]


def _backward_loops(x, w, dout, conv_param, step=None, crop=True):
    """dx, dw, db of the naive loops, as a mistaken version computes them: windows that start at
    ``i * step`` (``step=1``: the stride forgotten) and/or a dx that keeps its padding."""
    S, P = conv_param["stride"], conv_param["pad"]
    step = S if step is None else step
    x_pad = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    N, F, H_out, W_out = dout.shape
    HH, WW = w.shape[2:]
    dx_pad, dw = np.zeros_like(x_pad), np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols = slice(i * step, i * step + HH), slice(j * step, j * step + WW)
                    if x_pad[n, :, rows, cols].shape[1:] != (HH, WW):
                        continue
                    dw[f] += x_pad[n, :, rows, cols] * dout[n, f, i, j]
                    dx_pad[n, :, rows, cols] += w[f] * dout[n, f, i, j]
    dx = dx_pad[:, :, P:P + x.shape[2], P:P + x.shape[3]] if crop else dx_pad
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _single_contributions(x, w, dout, conv_param, wrt):
    """For every entry of dx (wrt='x') or dw (wrt='w'): the list of the individual terms that the
    backward pass must add up there (one per window that touches it)."""
    S, P = conv_param["stride"], conv_param["pad"]
    x_pad = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))
    N, F, H_out, W_out = dout.shape
    HH, WW = w.shape[2:]
    terms = {}
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    for c in range(x.shape[1]):
                        for k in range(HH):
                            for l in range(WW):
                                r, s = i * S + k, j * S + l
                                if wrt == "x":
                                    key, val = (n, c, r - P, s - P), w[f, c, k, l] * g
                                    if not (0 <= r - P < x.shape[2] and 0 <= s - P < x.shape[3]):
                                        continue
                                else:
                                    key, val = (f, c, k, l), x_pad[n, c, r, s] * g
                                terms.setdefault(key, []).append(val)
    return terms


def _assigned_not_added(x, w, dout, conv_param, wrt):
    """A test: does every entry of the learner's gradient equal ONE of the terms it should sum?
    That is what ``=`` instead of ``+=`` leaves behind, whatever the loop order."""
    terms = _single_contributions(x, w, dout, conv_param, wrt)

    def test(actual):
        actual = np.asarray(actual)
        hits = overlaps = 0
        for key, vals in terms.items():
            if len(vals) < 2:
                continue
            overlaps += 1
            v = actual[key]
            hits += any(abs(v - t) <= 1e-9 * max(1.0, abs(t)) for t in vals)
        return overlaps > 0 and hits >= 0.9 * overlaps
    return test


ASSIGN_DX = ("looks like `=` instead of `+=` for dx: windows overlap, so an input pixel receives "
             "gradient from every window (and every filter) that covers it - add them up")
ASSIGN_DW = ("looks like `=` instead of `+=` for dw: a filter is used at every position of every image, "
             "so its gradient is the sum over all (n, i, j) - add them up")
PAD_NOT_CROPPED = ("dx still has the padding: it must have the shape of x; "
                   "crop the border: dx = dx_pad[:, :, pad:pad + H, pad:pad + W]")
NO_STRIDE = ("window (i, j) must start at (i*stride, j*stride), not at (i, j): "
             "the stride is missing from the window's position")


def check_conv_forward_naive(conv_forward):
    """CS231n's printed output, PyTorch's conv2d, and the worked example of section 4."""
    with checking("conv_forward_naive", error_hint=WINDOW_HINT):
        x, w, b, conv_param = cs231n_conv_inputs()
        out, _ = conv_forward(x, w, b, conv_param)
        mistakes = [
            Mistake(NO_STRIDE, like=lambda: _unstrided_forward(x, w, b, conv_param)),
            Mistake("the bias is missing: add b[f] to every output of filter f",
                    like=lambda: CS231N_OUT - b[None, :, None, None]),
            Mistake("the filter is flipped: deep-learning 'convolution' is a cross-correlation; "
                    "multiply each window by w[f] as it is, not rotated",
                    like=lambda: reference.conv2d(x, w[:, :, ::-1, ::-1].copy(), b, conv_param)),
            Mistake("only one channel is summed: each output sums window * w[f] over all C channels "
                    "and the HH x WW positions",
                    like=lambda: reference.conv2d(x[:, :1], w[:, :1], b, conv_param)),
        ]
        check_close(out, CS231N_OUT, tol=1e-7, name="CS231n's printed output", mistakes=mistakes)
        rng = np.random.default_rng(0)
        x2, w2, b2 = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
        out2, _ = conv_forward(x2, w2, b2, {"stride": 2, "pad": 0})
        check_close(out2, reference.conv2d(x2, w2, b2, {"stride": 2, "pad": 0}), tol=1e-12,
                    name="PyTorch conv2d, stride 2, non-square", mistakes=[
                        Mistake(NO_STRIDE, like=lambda: _unstrided_forward(x2, w2, b2, {"stride": 2, "pad": 0}))])
        worked, _ = conv_forward(np.array([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 0, 1, 2]]]], dtype=np.float64),
                                 np.array([[[[1, 0], [0, 1]]]], dtype=np.float64), np.zeros(1),
                                 {"stride": 1, "pad": 0})
        check_close(worked[0, 0], [[7, 9, 11], [5, 7, 9]], tol=0, metric="abs",
                    name="the worked example of section 4")


def check_conv_backward_naive(conv_forward, conv_backward):
    """Numeric gradients (two configurations) and PyTorch's autograd, with the classic mistakes."""
    with checking("conv_backward_naive", error_hint=WINDOW_HINT):
        rng = np.random.default_rng(231)
        for x_shape, w_shape, conv_param in (((3, 3, 5, 5), (2, 3, 3, 3), {"stride": 1, "pad": 1}),
                                             ((2, 2, 7, 6), (3, 2, 3, 2), {"stride": 2, "pad": 0})):
            x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
            out, cache = conv_forward(x, w, b, conv_param)
            dout = rng.standard_normal(out.shape)
            wrong = {  # what each mistake computes on these inputs
                "no_stride": lambda: _backward_loops(x, w, dout, conv_param, step=1),
                "padded": lambda: _backward_loops(x, w, dout, conv_param, crop=False),
            }
            mistakes = {
                "x": [Mistake(PAD_NOT_CROPPED, like=lambda: wrong["padded"]()[0]),
                      Mistake(ASSIGN_DX, test=_assigned_not_added(x, w, dout, conv_param, "x")),
                      Mistake(NO_STRIDE, like=lambda: wrong["no_stride"]()[0])],
                "w": [Mistake(ASSIGN_DW, test=_assigned_not_added(x, w, dout, conv_param, "w")),
                      Mistake(NO_STRIDE, like=lambda: wrong["no_stride"]()[1])],
                "b": [Mistake("db must sum dout over the examples and positions of each filter: "
                              "dout.sum(axis=(0, 2, 3)) - it looks like only the last example was kept "
                              "(`=` instead of `+=` in the loop over n?)",
                              like=lambda: dout[-1].sum(axis=(1, 2)))],
            }
            tag = f"stride {conv_param['stride']}, pad {conv_param['pad']}"
            check_layer_gradients(lambda x, w, b: conv_forward(x, w, b, conv_param), {"x": x, "w": w, "b": b},
                                  backward=conv_backward, dout=dout, threshold=1e-8, h=1e-3,
                                  name=f"naive conv ({tag})", mistakes=mistakes)
        grads = conv_backward(dout, cache)
        for got, ref, what in zip(grads, reference.conv2d(x, w, b, conv_param, dout)[1:], "xwb"):
            check_close(got, ref, tol=1e-10, name=f"d{what} vs PyTorch autograd ({tag})", mistakes=mistakes[what])


# --------------------------------------------------------------------------- the fast convolution
def im2col_loops(x_pad, HH, WW, stride):
    """What im2col must return, written as plain loops: column (n*H' + i)*W' + j is the window
    under output (i, j) of image n, flattened in (c, kh, kw) order."""
    N, C, Hp, Wp = x_pad.shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    cols = np.zeros((C * HH * WW, N * H_out * W_out), dtype=x_pad.dtype)
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, (n * H_out + i) * W_out + j] = window.ravel()
    return cols


def col2im_loops(dcols, x_pad_shape, HH, WW, stride):
    """What col2im must return: every column added back onto its window (plain loops)."""
    N, C, Hp, Wp = x_pad_shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    dx_pad = np.zeros(x_pad_shape, dtype=dcols.dtype)
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                col = dcols[:, (n * H_out + i) * W_out + j].reshape(C, HH, WW)
                dx_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += col
    return dx_pad


def _reorder_cols(cols, N, C, HH, WW, H_out, W_out, rows=None, columns=None):
    """cols with its rows ordered ``rows`` (a permutation of 'c', 'kh', 'kw') and its columns
    ordered ``columns`` (a permutation of 'n', 'i', 'j'): what a mistaken im2col produces."""
    c = cols.reshape(C, HH, WW, N, H_out, W_out)
    r_axes = {"c": 0, "kh": 1, "kw": 2}
    c_axes = {"n": 3, "i": 4, "j": 5}
    order = [r_axes[a] for a in (rows or ("c", "kh", "kw"))] + [c_axes[a] for a in (columns or ("n", "i", "j"))]
    return c.transpose(order).reshape(C * HH * WW, N * H_out * W_out)


IM2COL_ROWS = ("the rows of cols are in the wrong order: they must follow (c, kh, kw), the order of "
               "w.reshape(F, -1), so that w_mat @ cols pairs each weight with its pixel")
IM2COL_COLUMNS = ("the columns of cols are in the wrong order: column (n * H' + i) * W' + j must hold "
                  "the window of image n at output (i, j) - images outermost, then rows, then columns")
IM2COL_STRIDE = "every window is taken, not every stride-th one: slice the windows with [::stride]"
IM2COL_TRANSPOSED = ("cols is transposed: one COLUMN per window (shape (C*HH*WW, N*H'*W')), "
                     "not one row per window")


def check_im2col(im2col):
    """im2col against the loops, on two configurations (stride 1 and 2), with its classic mistakes."""
    with checking("im2col"):
        rng = np.random.default_rng(4)
        for (N, C, Hp, Wp), (HH, WW), stride in (((2, 3, 6, 5), (3, 2), 1), ((3, 2, 7, 7), (3, 3), 2)):
            x_pad = rng.standard_normal((N, C, Hp, Wp))
            expected = im2col_loops(x_pad, HH, WW, stride)
            H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
            shape = (N, C, HH, WW, H_out, W_out)
            cols = im2col(x_pad, HH, WW, stride)
            check_close(cols, expected, tol=0, metric="abs", name=f"im2col vs the loops (stride {stride})", mistakes=[
                Mistake(IM2COL_TRANSPOSED, like=expected.T),
                Mistake(IM2COL_STRIDE, like=lambda: im2col_loops(x_pad, HH, WW, 1)),
                Mistake(IM2COL_ROWS, test=lambda a: any(close_to(a, _reorder_cols(expected, *shape, rows=r))
                                                         for r in (("kh", "kw", "c"), ("c", "kw", "kh"), ("kw", "kh", "c")))),
                Mistake(IM2COL_COLUMNS, test=lambda a: any(close_to(a, _reorder_cols(expected, *shape, columns=o))
                                                            for o in (("i", "j", "n"), ("n", "j", "i"), ("j", "i", "n")))),
            ])


def _random_config(rng, tile=False):
    """A random conv layer: stride 1-3, pad 0-2, non-square, 1-8 channels or (one time in three)
    16-20 channels, where the fast layer takes its 'shifted' or channels-last route (floor output sizes)."""
    while True:
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        wide = rng.random() < 1 / 3
        C, F = int(rng.integers(16, 21) if wide else rng.integers(1, 9)), int(rng.integers(1, 21 if wide else 9))
        HH, WW = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        H, W = int(rng.integers(max(1, HH - 2 * pad), 12)), int(rng.integers(max(1, WW - 2 * pad), 12))
        if H + 2 * pad >= HH and W + 2 * pad >= WW and (not tile or ((H + 2 * pad - HH) % stride == 0
                                                                    and (W + 2 * pad - WW) % stride == 0)):
            return (int(rng.integers(1, 4)), C, H, W), (F, C, HH, WW), {"stride": stride, "pad": pad}


def random_conv_configs(n, seed=0):
    """``n`` random layers ``(x, w, b, conv_param)`` in float64, covering strides 1-3 and F <= C
    as well as F > C and 1-8 or 16-20 channels (every route of the fast layer)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x_shape, w_shape, conv_param = _random_config(rng)
        out.append((rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0]),
                    conv_param))
    return out


GEMM_NO_TRANSPOSE = ("out_mat has shape (F, N*H'*W'): reshape it to (F, N, H', W') and move the filter "
                     "axis second with .transpose(1, 0, 2, 3); reshaping straight to (N, F, H', W') scrambles it")


def check_conv_forward_im2col(conv_forward, num_configs=12):
    """conv_forward_im2col against PyTorch on random configurations; float32 stays float32."""
    with checking("conv_forward_im2col"):
        worst = 0.0
        rng = np.random.default_rng(7)
        fixed = (rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4),
                 {"stride": 2, "pad": 1})     # several images and filters: a scrambled reshape shows
        for x, w, b, conv_param in [fixed] + random_conv_configs(num_configs - 1, seed=0):
            out, _ = conv_forward(x, w, b, conv_param)
            ref = reference.conv2d(x, w, b, conv_param)
            N, F, H_out, W_out = ref.shape
            no_bias = ref - b[None, :, None, None]
            scrambled = no_bias.transpose(1, 0, 2, 3).reshape(N, F, H_out, W_out) + b[None, :, None, None]
            err = check_close(out, ref, tol=1e-9, name=f"vs PyTorch, x {x.shape}, w {w.shape}, {conv_param}",
                              quiet=True, mistakes=[
                Mistake(GEMM_NO_TRANSPOSE, like=scrambled),
                Mistake("the bias is missing: add b[f] to every output of filter f (b[:, None, None] broadcasts "
                        "over H' and W')", like=no_bias),
            ])
            worst = max(worst, err)
        passed(f"{num_configs} random layers vs PyTorch conv2d", f"worst relative error {worst:.1e} <= 1e-09")
        x32 = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
        out32, _ = conv_forward(x32, np.ones((4, 3, 3, 3), np.float32), np.zeros(4, np.float32), {"stride": 1, "pad": 1})
        check_true(out32.dtype == np.float32, "dtype", "float32 in, float32 out")


DW_TRANSPOSED = ("dw came out transposed: dout_mat (F, n*H'*W') @ cols.T (n*H'*W', C*HH*WW) gives "
                 "(F, C*HH*WW), which reshapes to w's shape; cols @ dout_mat.T gives its transpose")


def check_conv_dw(conv_dw):
    """dw = dout_mat @ cols.T: against PyTorch's weight gradient."""
    with checking("conv_dw"):
        rng = np.random.default_rng(5)
        x, w, b = rng.standard_normal((3, 4, 6, 6)), rng.standard_normal((5, 4, 3, 3)), rng.standard_normal(5)
        conv_param = {"stride": 1, "pad": 1}
        out, dx, dw_ref, db = reference.conv2d(x, w, b, conv_param, dout := rng.standard_normal((3, 5, 6, 6)))
        cols = im2col_loops(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), 3, 3, 1)
        dout_mat = dout.transpose(1, 0, 2, 3).reshape(5, -1)
        dw = conv_dw(dout_mat, cols, w.shape)
        check_close(dw, dw_ref, tol=1e-10, name="dw vs PyTorch autograd", mistakes=[
            Mistake(DW_TRANSPOSED, like=lambda: (cols @ dout_mat.T).reshape(w.shape)),
        ])


COL2IM_ASSIGN = ("looks like `=` instead of `+=`: windows overlap when stride < HH, so a pixel "
                 "collects gradient from every window that contains it - add, don't assign")
COL2IM_STRIDE = ("the windows must be put back every `stride` pixels: filter position (kh, kw) of window "
                 "(i, j) lands at (i*stride + kh, j*stride + kw)")


def _col2im_assigned(dcols, x_pad_shape, HH, WW, stride):
    """For each pixel the individual terms col2im must add up there."""
    N, C, Hp, Wp = x_pad_shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    d = dcols.reshape(C, HH, WW, N, H_out, W_out)
    terms = {}
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    for kh in range(HH):
                        for kw in range(WW):
                            terms.setdefault((n, c, i * stride + kh, j * stride + kw), []).append(d[c, kh, kw, n, i, j])

    def test(actual):
        actual = np.asarray(actual)
        if actual.shape != tuple(x_pad_shape):
            return False
        multi = [(k, v) for k, v in terms.items() if len(v) > 1]
        hits = sum(any(abs(actual[k] - t) <= 1e-9 * max(1.0, abs(t)) for t in v) for k, v in multi)
        return bool(multi) and hits >= 0.9 * len(multi)
    return test


def check_col2im(col2im):
    """col2im against the loops and as the adjoint of im2col: <im2col(x), d> == <x, col2im(d)>."""
    with checking("col2im"):
        rng = np.random.default_rng(6)
        for (N, C, Hp, Wp), (HH, WW), stride in (((2, 3, 6, 6), (3, 3), 1), ((2, 2, 7, 8), (3, 2), 2)):
            H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
            dcols = rng.standard_normal((C * HH * WW, N * H_out * W_out))
            expected = col2im_loops(dcols, (N, C, Hp, Wp), HH, WW, stride)
            dx_pad = col2im(dcols, (N, C, Hp, Wp), HH, WW, stride)
            check_close(dx_pad, expected, tol=1e-12, name=f"col2im vs the loops (stride {stride})", mistakes=[
                Mistake(COL2IM_ASSIGN, test=_col2im_assigned(dcols, (N, C, Hp, Wp), HH, WW, stride)),
                Mistake(COL2IM_STRIDE, like=lambda: _col2im_unstrided(dcols, (N, C, Hp, Wp), HH, WW, stride)),
            ])
            x_pad = rng.standard_normal((N, C, Hp, Wp))
            lhs = float(np.sum(im2col_loops(x_pad, HH, WW, stride) * dcols))
            check_close(lhs, float(np.sum(x_pad * np.asarray(dx_pad))), tol=1e-10,
                        name=f"adjoint of im2col: <im2col(x), d> == <x, col2im(d)> (stride {stride})")


def _col2im_unstrided(dcols, x_pad_shape, HH, WW, stride):
    N, C, Hp, Wp = x_pad_shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    d = dcols.reshape(C, HH, WW, N, H_out, W_out)
    dx_pad = np.zeros((N, C, Hp, Wp))
    for kh in range(HH):
        for kw in range(WW):
            dx_pad[:, :, kh:kh + H_out, kw:kw + W_out] += d[:, kh, kw].transpose(1, 0, 2, 3)
    return dx_pad


def check_conv_layer(conv_forward, conv_backward, num_configs=12):
    """A whole conv layer (forward and backward) against PyTorch's autograd on random layers
    (strides 1-3, F <= C and F > C); float32 stays float32."""
    with checking(f"{conv_forward.__name__} / {conv_backward.__name__}"):
        worst, routes = 0.0, set()
        for x, w, b, conv_param in random_conv_configs(num_configs, seed=1):
            out, cache = conv_forward(x, w, b, conv_param)
            dout = np.random.default_rng(2).standard_normal(out.shape)
            ref = reference.conv2d(x, w, b, conv_param, dout)
            routes.add(("C >= 16 " if w.shape[1] >= 16 else "C < 16 ")
                       + ("stride 1, F <= C" if conv_param["stride"] == 1 and w.shape[0] <= w.shape[1] else "other"))
            for got, exp, what in zip((out, *conv_backward(dout, cache)), ref, ("out", "dx", "dw", "db")):
                err = check_close(got, exp, tol=1e-9, quiet=True,
                                  name=f"{what} vs PyTorch autograd, x {x.shape}, w {w.shape}, {conv_param}")
                worst = max(worst, err)
        passed(f"{num_configs} random layers vs PyTorch autograd",
               f"worst relative error {worst:.1e} <= 1e-09 (layers: {', '.join(sorted(routes))})")
        x32 = np.random.default_rng(3).standard_normal((2, 3, 8, 8)).astype(np.float32)
        out32, cache32 = conv_forward(x32, np.ones((4, 3, 3, 3), np.float32), np.zeros(4, np.float32),
                                      {"stride": 1, "pad": 1})
        grads = conv_backward(np.ones_like(out32), cache32)
        check_true(out32.dtype == np.float32 and all(g.dtype == np.float32 for g in grads), "dtype",
                   "float32 in, float32 out, dx, dw, db")


def check_same_layer(forward_a, backward_a, forward_b, backward_b, shape=(24, 16, 12, 12), filters=8):
    """Two implementations of the same layer agree (out, dx, dw, db) on a batch large enough to be
    split into several chunks, in float64 and float32, for stride 1 and 2."""
    with checking(f"{forward_a.__name__} == {forward_b.__name__}"):
        rng = np.random.default_rng(9)
        for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-3)):
            for conv_param in ({"stride": 1, "pad": 1}, {"stride": 2, "pad": 1}):
                x = rng.standard_normal(shape).astype(dtype)
                w = rng.standard_normal((filters, shape[1], 3, 3)).astype(dtype)
                b = rng.standard_normal(filters).astype(dtype)
                out_a, cache_a = forward_a(x, w, b, conv_param)
                out_b, cache_b = forward_b(x, w, b, conv_param)
                dout = rng.standard_normal(out_a.shape).astype(dtype)
                for got, exp, what in zip((out_a, *backward_a(dout, cache_a)), (out_b, *backward_b(dout, cache_b)),
                                          ("out", "dx", "dw", "db")):
                    check_close(got, exp, tol=tol, metric="abs", quiet=True,
                                name=f"{what}, {np.dtype(dtype).name}, {conv_param}")
        passed("batch of " + "x".join(map(str, shape)),
               "out, dx, dw, db agree to 1e-9 in float64 and 1e-3 in float32 (max abs difference)")


# --------------------------------------------------------------------------- output sizes and stats
def _size_grid():
    """(size, filter, stride, pad, dilation) combinations where the filter fits."""
    grid = []
    for size in (1, 5, 7, 8, 11, 32):
        for fsize, stride, pad, dilation in np.ndindex(6, 4, 3, 3):
            if fsize and stride and dilation and size + 2 * pad >= dilation * (fsize - 1) + 1:
                grid.append((size, fsize, stride, pad, dilation))
    return grid


def check_conv_output_size(conv_output_size):
    """conv_output_size against the output width of torch.nn.Conv2d on a grid of sizes, filters,
    strides, pads and dilations; strict=True must refuse exactly the non-tiling combinations."""
    import torch

    with checking("conv_output_size"):
        grid = _size_grid()

        def attempt(*args):
            try:
                return conv_output_size(*args)
            except ValueError:        # "does not fit": recorded as NaN, compared like the rest
                return np.nan
        ours = np.array([attempt(s, f, st, p, d) for s, f, st, p, d in grid], dtype=np.float64)
        torch_sizes = np.array([torch.nn.Conv2d(1, 1, f, stride=st, padding=p, dilation=d)
                                (torch.zeros(1, 1, s, s)).shape[-1] for s, f, st, p, d in grid], dtype=np.float64)
        size, f, st, p, d = np.array(grid, dtype=np.float64).T
        span = d * (f - 1) + 1

        def mistake(hint, room, out):   # a mistaken formula: its outputs, NaN where its room < 0 refuses
            expected = np.where(room < 0, np.nan, out)
            return Mistake(hint, test=lambda a: np.allclose(a, expected, equal_nan=True))
        check_close(ours, torch_sizes, tol=0, metric="abs", name=f"{len(grid)} layers vs torch.nn.Conv2d", mistakes=[
            mistake("the padding is missing: the filter slides over W + 2P pixels (P zeros on each side)",
                    size - span, np.floor((size - span) / st) + 1),
            mistake("padding counted once: P zeros are added on EACH side, so W + 2P",
                    size + p - span, np.floor((size + p - span) / st) + 1),
            mistake("the +1 is missing: a filter that cannot slide at all (W + 2P = F) still has one position",
                    size + 2 * p - span, np.floor((size + 2 * p - span) / st)),
            mistake("rounded up: a window that would stick out of the padded input does not exist - use // "
                    "(floor), as PyTorch does", size + 2 * p - span, np.ceil((size + 2 * p - span) / st) + 1),
            mistake("a fraction, not an integer: use // for the division (floor)",
                    size + 2 * p - span, (size + 2 * p - span) / st + 1),
        ])
        refused = tiled = 0
        for s, fs, stv, pd, dl in grid:
            tiles = (s + 2 * pd - dl * (fs - 1) - 1) % stv == 0
            try:
                conv_output_size(s, fs, stv, pd, dl, strict=True)
                tiled += 1
                assert tiles, f"strict=True accepted ({s}, {fs}, {stv}, {pd}, {dl}), whose windows do not tile"
            except ValueError:
                refused += 1
                assert not tiles, f"strict=True refused ({s}, {fs}, {stv}, {pd}, {dl}), whose windows tile exactly"
        passed("strict=True", f"refuses exactly the {refused} combinations whose stride does not divide W - F + 2P")


def _receptive_field_unrolled(layers):
    """The receptive field of one unit after ``layers`` [(K, stride), ...], computed backwards:
    r units of a layer see (r - 1) * stride + K units of the layer below."""
    r = 1
    for K, stride in reversed(layers):
        r = (r - 1) * stride + K
    return r


def check_conv_layer_stats(conv_layer_stats):
    """Receptive fields against the unrolled computation, shapes and parameter counts against
    PyTorch, multiply-adds against the formula H' W' K C F^2, for several stacks of layers."""
    import torch

    with checking("conv_layer_stats", error_hint="per_layer must hold one dict per layer"):
        cases = [(32, 3, 8, 3, 1, 1, 3), (32, 3, 8, 3, 2, 1, 3), (27, 4, 6, 5, 2, 2, 2), (64, 3, 16, 7, 2, 3, 1),
                 (33, 2, 5, 3, 3, 0, 2)]
        for size, C, F, K, S, P, L in cases:
            s = conv_layer_stats(size, C, F, K, S, P, L)
            tag = f"{L} x ({K}x{K}, stride {S}, pad {P}) on {C}x{size}x{size}, {F} filters"
            rf = _receptive_field_unrolled([(K, S)] * L)
            check_close(s["receptive_field"], rf, tol=0, metric="abs", quiet=True, name=f"receptive field, {tag}",
                        mistakes=[
                Mistake("the strides are ignored: after a stride-s layer every later layer's K - 1 more pixels "
                        "are s times further apart in the input (keep a running product of the strides, `jump`)",
                        like=1 + L * (K - 1)),
                Mistake("the stride is applied one layer too early: a layer's own stride only affects the "
                        "layers after it - add (K - 1) * jump first, then multiply jump by the stride",
                        like=1 + sum((K - 1) * S ** (l + 1) for l in range(L))),
            ])
            net = torch.nn.Sequential(*[torch.nn.Conv2d(C if l == 0 else F, F, K, stride=S, padding=P) for l in range(L)])
            out_shape = tuple(net(torch.zeros(1, C, size, size)).shape[1:])
            check_close(np.array(s["output_shape"]), np.array(out_shape), tol=0, metric="abs", quiet=True,
                        name=f"output shape, {tag}")
            n_params = sum(p.numel() for p in net.parameters())
            check_close(s["params"], n_params, tol=0, metric="abs", quiet=True, name=f"parameters, {tag}", mistakes=[
                Mistake("every layer after the first sees depth F (the previous layer's filters), not C",
                        like=L * (F * C * K * K + F)),
            ])
            sizes = [size]
            for _ in range(L):
                sizes.append((sizes[-1] + 2 * P - K) // S + 1)
            madds = sum(sizes[l + 1] ** 2 * F * (C if l == 0 else F) * K * K for l in range(L))
            check_close(s["multiply_adds"], madds, tol=0, metric="abs", quiet=True, name=f"multiply-adds, {tag}")
        passed(f"{len(cases)} stacks of layers", "receptive fields, output shapes (vs PyTorch), parameter "
               "counts (vs PyTorch) and multiply-adds agree")
