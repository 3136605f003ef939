"""Checks for the exercises of notebook 04 (the convolutional layer), with the classic mistakes.

Each ``check_*`` takes the learner's functions, compares them with CS231n's printed numbers,
numeric gradients and PyTorch, and names the mistake it recognises when they disagree.
"""
from __future__ import annotations

import numpy as np

from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_shape, check_true, checking, close_to
from cs231n_helpers.gradcheck import check_layer_gradients

__all__ = ["check_conv_forward_naive", "check_conv_backward_naive", "check_im2col", "check_conv_forward_gemm",
           "check_conv_backward_dw", "check_col2im", "check_conv_backward_fast"]

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
