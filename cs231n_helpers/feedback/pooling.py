"""Checks for the exercises of notebook 05 (pooling and the ThreeLayerConvNet), with the classic
mistakes.

Each ``check_*`` takes the learner's functions (or class), compares them with hand-computed
examples, numeric gradients and PyTorch (:mod:`cs231n_helpers.reference`), and names the mistake
it recognises when they disagree. What a mistake computes is simulated here with small loops on
the same inputs, so a hint names a mistake only when the learner's output is exactly what that
mistake produces.
"""
from __future__ import annotations

import numpy as np

from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_true, checking, close_to, fail
from cs231n_helpers.gradcheck import check_layer_gradients, check_model_gradients

__all__ = ["POOL_CONFIGS", "check_max_pool_forward_naive", "check_max_pool_backward_naive",
           "check_max_pool_forward_views", "check_max_pool_backward_views", "check_max_pool_backward_2x2",
           "check_avg_pool_backward", "check_three_layer_forward", "check_three_layer_loss"]

POOL_CONFIGS = [  # (input shape, pool_param): every kind of window the layers must handle
    ((2, 3, 8, 8), {"pool_height": 2, "pool_width": 2, "stride": 2}),       # tiling, the usual one
    ((2, 3, 9, 9), {"pool_height": 3, "pool_width": 3, "stride": 2}),       # overlapping (AlexNet)
    ((2, 2, 6, 9), {"pool_height": 2, "pool_width": 3, "stride": 1}),       # non-square, overlapping
    ((1, 4, 6, 8), {"pool_height": 3, "pool_width": 2, "stride": (3, 2)}),  # non-square tiling
    ((2, 1, 7, 7), {"pool_height": 1, "pool_width": 1, "stride": 3}),       # gaps between windows
]
PP2 = {"pool_height": 2, "pool_width": 2, "stride": 2}
NOTES_X = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float64)[None, None]


def _describe(shape, pp):
    return f"{shape} {pp['pool_height']}x{pp['pool_width']} stride {pp['stride']}"


def _geometry(shape, pp):
    ph, pw, s = pp["pool_height"], pp["pool_width"], pp["stride"]
    sh, sw = s if isinstance(s, (tuple, list)) else (s, s)
    return ph, pw, sh, sw, (shape[2] - ph) // sh + 1, (shape[3] - pw) // sw + 1


# --------------------------------------------------------------------------- what mistakes compute
def _pool_loop(x, pp, step=None, reduce="max", hw=None):
    """Max pooling as loops: windows start at ``(i*step_h, j*step_w)`` (``step=(1, 1)``: the
    stride forgotten), of size ``hw`` (default the window; ``(pw, ph)``: swapped), reduced with
    ``reduce`` ('max' per image and channel, 'all': one maximum over the whole batch)."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x.shape, pp)
    step_h, step_w = step or (sh, sw)
    wh, ww = hw or (ph, pw)
    out = np.empty(x.shape[:2] + (H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            win = x[:, :, i * step_h:i * step_h + wh, j * step_w:j * step_w + ww]
            out[:, :, i, j] = win.max() if reduce == "all" else win.max(axis=(2, 3))
    return out


def _first(win):
    return divmod(int(np.argmax(win)), win.shape[1])


def _last(win):
    flat = win.ravel()
    return divmod(flat.size - 1 - int(np.argmax(flat[::-1])), win.shape[1])


def _pick_2x2(left_strict=False, top_strict=False, columns_first=False):
    """Which input of a 2x2 window gets the gradient when the winner is found by two comparisons:
    the row first (top if its max >= the bottom's), then the column inside it (left if >=);
    ``>`` instead of ``>=`` sends ties the other way; ``columns_first`` compares columns first."""
    def pick(win):
        if columns_first:
            c0, c1 = max(win[0, 0], win[1, 0]), max(win[0, 1], win[1, 1])
            s = 0 if (c0 > c1 if left_strict else c0 >= c1) else 1
            r = 0 if (win[0, s] > win[1, s] if top_strict else win[0, s] >= win[1, s]) else 1
            return r, s
        top, bottom = win[0].max(), win[1].max()
        r = 0 if (top > bottom if top_strict else top >= bottom) else 1
        s = 0 if (win[r, 0] > win[r, 1] if left_strict else win[r, 0] >= win[r, 1]) else 1
        return r, s
    return pick


def _route(x, dout, pp, rule="first", step=None, width=None):
    """dx of max pooling as loops, as a (possibly mistaken) backward pass computes it.

    rule: 'first' (the correct one), 'last' (the last maximum on ties), 'ties' (every input equal
    to the maximum: a mask ``window == max``), 'every' (every input of the window), or a function
    win -> (r, s). step: where window (i, j) starts (``(1, 1)``: the stride forgotten). width: the
    width used to unravel the flat argmax (``ph``: the wrong one). Positions that fall outside the
    input are dropped (the mistaken code would raise there)."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x.shape, pp)
    step_h, step_w = step or (sh, sw)
    dx = np.zeros(x.shape, dtype=np.float64)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(H_out):
                for j in range(W_out):
                    r0, c0 = i * sh, j * sw
                    win = x[n, c, r0:r0 + ph, c0:c0 + pw]
                    g = dout[n, c, i, j]
                    if rule == "every":
                        dx[n, c, r0:r0 + ph, c0:c0 + pw] += g
                    elif rule == "ties":
                        dx[n, c, r0:r0 + ph, c0:c0 + pw] += (win == win.max()) * g
                    else:
                        pick = {"first": _first, "last": _last}.get(rule, rule)
                        r, s = pick(win)
                        if width is not None:
                            r, s = divmod(r * pw + s, width)
                        r, s = i * step_h + r, j * step_w + s
                        if r < x.shape[2] and s < x.shape[3]:
                            dx[n, c, r, s] += g
    return dx


def _contributions(x, dout, pp):
    """{input position: [the gradient of every window whose first maximum it is]}."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x.shape, pp)
    terms = {}
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(H_out):
                for j in range(W_out):
                    r, s = _first(x[n, c, i * sh:i * sh + ph, j * sw:j * sw + pw])
                    terms.setdefault((n, c, i * sh + r, j * sw + s), []).append(dout[n, c, i, j])
    return terms


def _assigned_not_added(terms, allow_zero=False):
    """A test: does every input that receives gradient from 2+ windows hold only ONE of them (or
    0)? That is what ``=`` instead of ``+=`` leaves behind, whatever the loop order."""
    def test(actual):
        actual = np.asarray(actual, dtype=np.float64)
        shared = [(k, v) for k, v in terms.items() if len(v) >= 2]
        hits = sum(any(abs(actual[k] - t) <= 1e-9 * max(1.0, abs(t)) for t in v + ([0.0] if allow_zero else []))
                   for k, v in shared)
        return bool(shared) and hits >= 0.9 * len(shared)
    return test


def _double_counted_2x2(dout):
    """A test for 2x2 windows that tile the input: some window passed its gradient on two or more
    times (and none lost it) - what a mask ``x == max`` does on ties."""
    def test(actual):
        a = np.asarray(actual, dtype=np.float64)
        N, C, H, W = a.shape
        sums = a.reshape(N, C, H // 2, 2, W // 2, 2).sum(axis=(3, 5))
        ok = np.abs(dout) > 1e-6
        ratio = sums[ok] / dout[ok]
        whole = np.allclose(ratio, np.round(ratio), atol=1e-6)
        return bool(whole and ratio.min() > 0.5 and ratio.max() > 1.5)
    return test


def _avg_spread(x_shape, dout, pp, divisor):
    """dx of average pooling when each window's gradient is divided by ``divisor``."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x_shape, pp)
    dx = np.zeros(x_shape)
    for i in range(H_out):
        for j in range(W_out):
            dx[:, :, i * sh:i * sh + ph, j * sw:j * sw + pw] += dout[:, :, i:i + 1, j:j + 1] / divisor
    return dx


def _avg_assigned(x_shape, dout, pp):
    """A test for ``=`` instead of ``+=`` in average pooling's backward: every input covered by
    two or more windows holds the share of only one of them."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x_shape, pp)
    shares = {}
    for i in range(H_out):
        for j in range(W_out):
            for r in range(i * sh, i * sh + ph):
                for s in range(j * sw, j * sw + pw):
                    shares.setdefault((r, s), []).append(dout[:, :, i, j] / (ph * pw))

    def test(actual):
        actual = np.asarray(actual, dtype=np.float64)
        shared = [(k, v) for k, v in shares.items() if len(v) >= 2]
        hits = sum(any(np.allclose(actual[:, :, k[0], k[1]], t, rtol=1e-9, atol=1e-12) for t in v) for k, v in shared)
        return bool(shared) and hits >= 0.9 * len(shared)
    return test


# --------------------------------------------------------------------------- hints
NO_STRIDE = ("window (i, j) must start at (i*stride, j*stride), not at (i, j): "
             "the stride is missing from the window's position")
WRONG_AXES = ("each window's maximum must be taken per image and per channel, over its two spatial axes only: "
              "window.max(axis=(2, 3)) gives one number per (n, c); a bare window.max() takes one maximum "
              "over the whole batch")
SWAPPED = ("pool_height and pool_width are swapped: rows of the window come from pool_height, "
           "columns from pool_width (the test windows are not square)")
TO_EVERY = ("the gradient went to every input of the window: max pooling routes each window's gradient "
            "to its maximum only (the other inputs did not change the output, so their gradient is 0)")
TIES_MASK = ("ties are counted twice: a mask `window == max` (or `x == out`) sends the gradient to every input "
             "that equals the maximum, so a window with a repeated maximum passes its gradient on twice; "
             "send it to ONE input, the first maximum in row-major order (np.argmax), as PyTorch does")
LAST_MAX = ("on ties the gradient went to the LAST maximum of the window; PyTorch (and np.argmax) pick "
            "the first one in row-major order")
ASSIGN_DX = ("looks like `=` instead of `+=`: where windows overlap, an input can be the maximum of several "
             "windows and must collect the sum of their gradients - add them up")
WRONG_WIDTH = ("the argmax of the flattened window was unravelled with the wrong width: its row is "
               "k // pool_width and its column k % pool_width (np.unravel_index(k, (pool_height, pool_width)))")
ZEROS_START = ("the running maximum started from zeros: negative windows come out as 0 instead of their "
               "(negative) maximum; start from a copy of the first view")
WRITES_X = ("x was modified: the running maximum was written into a view of x - start from a COPY of the "
            "first view (view.copy()), then np.maximum(out, view, out=out)")
STRICT_LEFT = ("ties inside a row went to the right input: use `>=` (not `>`) when comparing the left input "
               "with the right one, so that the first (left) maximum wins, as in PyTorch")
STRICT_TOP = ("ties between the two rows went to the bottom row: use `>=` (not `>`) when comparing the top "
              "row's maximum with the bottom row's, so that the top row wins, as in PyTorch")
BOTH_STRICT = ("ties went to the last maximum (bottom, right): use `>=` rather than `>` in both comparisons "
               "so that the first maximum in row-major order wins, as in PyTorch")
COLUMNS_FIRST = ("the winner was chosen column first: on ties that is not the first maximum in row-major order "
                 "(a tie between top-right and bottom-left must go to top-right); decide the row first, then "
                 "the column inside that row")
ASSIGN_VIEW = ("looks like `=` instead of `+=` for overlapping windows: each offset's view covers inputs that "
               "other offsets reach too, so assigning overwrites their gradient; accumulate with `+=`")
WINDOW_HINT = ("an index or broadcast error inside the loops usually means a window runs off the input or has "
               "the wrong shape: start window (i, j) at (i*stride_h, j*stride_w), take pool_height rows and "
               "pool_width columns, and reduce over axes (2, 3) only")

BACKWARD_HINT = ("an index error here usually means a position outside the window or the input: window (i, j) "
                 "starts at (i*stride_h, j*stride_w), and the argmax k of the flattened window is at row "
                 "k // pool_width, column k % pool_width (unravelled with the wrong width, it lands elsewhere)")


def _pool_inputs(seed, ties=False):
    rng = np.random.default_rng(seed)
    for shape, pp in POOL_CONFIGS:
        x = rng.integers(0, 3, size=shape).astype(np.float64) if ties else rng.standard_normal(shape)
        yield shape, pp, x, rng


# --------------------------------------------------------------------------- max pooling, naive
def check_max_pool_forward_naive(max_pool_forward):
    """CS231n notes' 4x4 example, PyTorch's F.max_pool2d on every kind of window, the dtype."""
    with checking("max_pool_forward_naive", error_hint=WINDOW_HINT):
        out, _ = max_pool_forward(NOTES_X, PP2)
        check_close(np.asarray(out)[0, 0], [[6, 8], [3, 4]], tol=0, metric="abs",
                    name="CS231n notes' 4x4 example", mistakes=[
                        Mistake(NO_STRIDE, like=lambda: _pool_loop(NOTES_X, PP2, step=(1, 1))[0, 0])])
        for shape, pp, x, _ in _pool_inputs(0):
            out, _ = max_pool_forward(x, pp)
            check_close(out, reference.max_pool2d(x, pp), tol=0, metric="abs", name=f"vs F.max_pool2d {_describe(shape, pp)}",
                        mistakes=[Mistake(NO_STRIDE, like=lambda: _pool_loop(x, pp, step=(1, 1))),
                                  Mistake(WRONG_AXES, like=lambda: _pool_loop(x, pp, reduce="all")),
                                  Mistake(SWAPPED, like=lambda: _pool_loop(x, pp, hw=(pp["pool_width"], pp["pool_height"])))])
        out32, _ = max_pool_forward(x.astype(np.float32), pp)
        check_true(np.asarray(out32).dtype == np.float32, "dtype kept", "float32 in, float32 out",
                   hint="allocate the output with the input's dtype: np.empty(..., dtype=x.dtype)")


def _backward_mistakes(x, dout, pp, overlap_test=True):
    ph, pw = pp["pool_height"], pp["pool_width"]
    found = [Mistake(TO_EVERY, like=lambda: _route(x, dout, pp, "every")),
             Mistake(TIES_MASK, like=lambda: _route(x, dout, pp, "ties")),
             Mistake(LAST_MAX, like=lambda: _route(x, dout, pp, "last")),
             Mistake(NO_STRIDE, like=lambda: _route(x, dout, pp, step=(1, 1)))]
    if ph != pw:
        found.append(Mistake(WRONG_WIDTH, like=lambda: _route(x, dout, pp, width=ph)))
    if overlap_test:
        found.append(Mistake(ASSIGN_DX, test=_assigned_not_added(_contributions(x, dout, pp))))
    return found


def check_max_pool_backward_naive(max_pool_forward, max_pool_backward):
    """A numeric gradient, PyTorch's autograd on every kind of window, and ties."""
    with checking("max_pool_backward_naive", error_hint=BACKWARD_HINT):
        rng = np.random.default_rng(1)
        x, dout = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((2, 3, 4, 4))
        check_layer_gradients(max_pool_forward, {"x": x, "pool_param": PP2}, max_pool_backward, dout=dout,
                              threshold={"x": 1e-8, "pool_param": None}, name="max pool (numeric gradient)",
                              mistakes={"x": _backward_mistakes(x, dout, PP2)})
        for ties in (False, True):
            for shape, pp, x, rng in _pool_inputs(2 + ties, ties=ties):
                out, cache = max_pool_forward(x, pp)
                dout = rng.standard_normal(np.shape(out))
                check_close(max_pool_backward(dout, cache), reference.max_pool2d(x, pp, dout)[1], tol=1e-12,
                            name=f"dx vs PyTorch autograd {_describe(shape, pp)}{', ties' if ties else ''}",
                            mistakes=_backward_mistakes(x, dout, pp))


# --------------------------------------------------------------------------- max pooling on strided views
def check_max_pool_forward_views(max_pool_forward):
    """Every kind of window against PyTorch, negative inputs, dtype, and x left untouched."""
    with checking("max_pool_forward_views"):
        for shape, pp, x, _ in _pool_inputs(4):
            x_before = x.copy()
            out, _ = max_pool_forward(x, pp)
            check_true(np.array_equal(x, x_before), f"x unchanged {_describe(shape, pp)}", "the input is left alone",
                       hint=WRITES_X)
            check_close(out, reference.max_pool2d(x, pp), tol=0, metric="abs", name=f"vs F.max_pool2d {_describe(shape, pp)}",
                        mistakes=[Mistake(ZEROS_START, like=lambda: np.maximum(reference.max_pool2d(x, pp), 0))])
        x32 = np.random.default_rng(5).standard_normal((2, 3, 6, 6)).astype(np.float32) - 3  # all windows negative
        out32, _ = max_pool_forward(x32, {"pool_height": 3, "pool_width": 3, "stride": 3})
        check_close(out32, reference.max_pool2d(x32, {"pool_height": 3, "pool_width": 3, "stride": 3}), tol=0,
                    metric="abs", name="float32, negative inputs",
                    mistakes=[Mistake(ZEROS_START, like=lambda: np.zeros((2, 3, 2, 2), np.float32))])
        check_true(np.asarray(out32).dtype == np.float32 and not np.shares_memory(out32, x32), "fresh float32 output",
                   "dtype kept, x left untouched", hint=WRITES_X)


def _views_assigned(x, dout, pp):
    """dx of the strided-view backward pass with `=` instead of `+=` (views in window_views' order:
    each offset overwrites what earlier offsets wrote where they overlap)."""
    ph, pw, sh, sw, H_out, W_out = _geometry(x.shape, pp)
    dx = np.zeros_like(x, dtype=np.float64)
    taken = np.zeros(dout.shape, dtype=bool)
    out = reference.max_pool2d(x, pp)
    for di in range(ph):
        for dj in range(pw):
            rows = slice(di, di + sh * (H_out - 1) + 1, sh)
            cols = slice(dj, dj + sw * (W_out - 1) + 1, sw)
            m = (x[:, :, rows, cols] == out) & ~taken
            taken |= m
            dx[:, :, rows, cols] = m * dout
    return dx


def check_max_pool_backward_views(max_pool_forward, max_pool_backward):
    """Every kind of window against PyTorch's autograd, with and without ties, float32 and float64."""
    with checking("max_pool_backward_views"):
        for ties in (False, True):
            for shape, pp, x, rng in _pool_inputs(6 + ties, ties=ties):
                for dtype in (np.float64, np.float32):
                    xd = x.astype(dtype)
                    out, cache = max_pool_forward(xd, pp)
                    dout = rng.standard_normal(np.shape(out)).astype(dtype)
                    tiling = (pp["pool_height"], pp["pool_width"]) == _geometry(shape, pp)[2:4]
                    mistakes = _backward_mistakes(xd, dout, pp, overlap_test=False)
                    if not tiling:
                        mistakes.append(Mistake(ASSIGN_VIEW, like=lambda: _views_assigned(xd, dout, pp)))
                    dx = max_pool_backward(dout, cache)
                    check_close(dx, reference.max_pool2d(xd, pp, dout)[1], tol=1e-12 if dtype == np.float64 else 1e-6,
                                name=f"dx vs PyTorch autograd {_describe(shape, pp)}, {np.dtype(dtype).name}"
                                     f"{', ties' if ties else ''}", mistakes=mistakes)
                    if np.asarray(dx).dtype != dtype:
                        fail("max_pool_backward_views", f"dx is {np.asarray(dx).dtype} for x of dtype {np.dtype(dtype).name}",
                             "dx must have the dtype of x: np.zeros_like(x), and a `left` of x's dtype")


# --------------------------------------------------------------------------- the 2x2 fast path
def check_max_pool_backward_2x2(max_pool_backward_2x2):
    """``max_pool_backward_2x2(dout, x, dx)`` against PyTorch, on random inputs and on ties in every
    arrangement of a 2x2 window."""
    with checking("max_pool_backward_2x2", error_hint="x and dx are (N, C, H, W) with even H and W, dout is "
                  "(N, C, H/2, W/2): check your reshapes, e.g. dout.reshape(-1, W // 2)"):
        rng = np.random.default_rng(8)
        patterns = np.array(np.meshgrid(*[[0.0, 1.0]] * 4, indexing="ij")).reshape(4, 16).T  # every 0/1 window
        windows = np.concatenate([patterns, rng.integers(0, 2, size=(16, 4)).astype(np.float64)]).reshape(2, 2, 2, 4, 2, 2)
        tie_x = windows.transpose(0, 1, 2, 4, 3, 5).reshape(2, 2, 4, 8)          # 32 windows of ties
        cases = [("random", rng.standard_normal((2, 3, 6, 8))), ("ties in every arrangement", tie_x),
                 ("after a ReLU", np.maximum(rng.standard_normal((3, 4, 8, 8)), 0))]
        for name, x in cases:
            for dtype in (np.float64, np.float32):
                xd = np.ascontiguousarray(x, dtype=dtype)
                dout = rng.standard_normal((x.shape[0], x.shape[1], x.shape[2] // 2, x.shape[3] // 2)).astype(dtype)
                dx = np.full_like(xd, np.nan)
                max_pool_backward_2x2(dout, xd, dx)
                mistakes = [Mistake(TIES_MASK, like=lambda: _route(xd, dout, PP2, "ties")),
                            Mistake(TIES_MASK, test=_double_counted_2x2(dout)),
                            Mistake(BOTH_STRICT, like=lambda: _route(xd, dout, PP2, _pick_2x2(True, True))),
                            Mistake(STRICT_LEFT, like=lambda: _route(xd, dout, PP2, _pick_2x2(left_strict=True))),
                            Mistake(STRICT_TOP, like=lambda: _route(xd, dout, PP2, _pick_2x2(top_strict=True))),
                            Mistake(COLUMNS_FIRST, like=lambda: _route(xd, dout, PP2, _pick_2x2(columns_first=True))),
                            Mistake(TO_EVERY, like=lambda: _route(xd, dout, PP2, "every"))]
                if np.isnan(dx).any():
                    fail("max_pool_backward_2x2", f"{name}, {np.dtype(dtype).name}: dx has entries that were never "
                         "written", "every entry of dx must be written (dx comes in uninitialized, from np.empty)")
                check_close(dx, reference.max_pool2d(xd, PP2, dout)[1], tol=0, metric="abs",
                            name=f"dx vs PyTorch autograd, {name}, {np.dtype(dtype).name}", mistakes=mistakes)


# --------------------------------------------------------------------------- average pooling
def check_avg_pool_backward(avg_pool_forward, avg_pool_backward):
    """PyTorch's autograd on every kind of window, and a numeric gradient."""
    with checking("avg_pool_backward", error_hint=WINDOW_HINT):
        rng = np.random.default_rng(9)
        for shape, pp in POOL_CONFIGS:
            x = rng.standard_normal(shape)
            out, cache = avg_pool_forward(x, pp)
            dout = rng.standard_normal(np.shape(out))
            ph, pw, sh, sw, H_out, W_out = _geometry(shape, pp)
            mistakes = [Mistake("the window's gradient is not divided: each of the pool_height * pool_width inputs "
                                "gets dout / (pool_height * pool_width), because each contributed 1/(pool_height * "
                                "pool_width) of the mean", like=lambda: _avg_spread(shape, dout, pp, 1)),
                        Mistake("divided by the wrong count: the mean is over the window's pool_height * pool_width "
                                "inputs (not stride * stride, not one side only, not the number of windows)",
                                test=lambda a: any(close_to(a, _avg_spread(shape, dout, pp, d)) for d in
                                                   {sh * sw, ph, pw, H_out * W_out, ph * ph, pw * pw} - {ph * pw}))]
            if (sh, sw) != (ph, pw):
                mistakes.append(Mistake(ASSIGN_VIEW.replace("gradient", "share"), test=_avg_assigned(shape, dout, pp)))
            check_close(avg_pool_backward(dout, cache), reference.avg_pool2d(x, pp, dout)[1], tol=1e-12,
                        name=f"dx vs PyTorch autograd {_describe(shape, pp)}", mistakes=mistakes)
        pp3 = {"pool_height": 3, "pool_width": 3, "stride": 2}
        check_layer_gradients(avg_pool_forward, {"x": rng.standard_normal((2, 3, 7, 7)), "pool_param": pp3},
                              avg_pool_backward, threshold={"x": 1e-8, "pool_param": None},
                              name="avg pool 3x3/2 (numeric gradient)")


# --------------------------------------------------------------------------- ThreeLayerConvNet
SAME_PAD = ("the pooled maps do not have the size W2 expects: the convolution must keep H and W "
            "('same' padding: conv_param = {'stride': 1, 'pad': (filter_size - 1) // 2}), so that the 2x2 pool "
            "gives F x H/2 x W/2 values per image")


def _tiny_net(ThreeLayerConvNet, reg=0.1, seed=0):
    """A tiny float64 net with non-zero biases (so that a bias wrongly regularized shows)."""
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7, weight_scale=1e-1,
                              reg=reg, dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for k in ("b1", "b2", "b3"):
        model.params[k] = 0.1 * rng.standard_normal(model.params[k].shape)
    return model


def _forward_variant(params, X, conv_relu=True, hidden_relu=True, scores_relu=False):
    """Scores of the ThreeLayerConvNet with a ReLU left out or added (PyTorch's layers, forward only)."""
    pad = (params["W1"].shape[2] - 1) // 2
    a = reference.conv2d(X, params["W1"], params["b1"], {"stride": 1, "pad": pad})
    a = reference.max_pool2d(reference.relu(a) if conv_relu else a, PP2)
    h = reference.affine(a, params["W2"], params["b2"])
    h = reference.relu(h) if hidden_relu else h
    s = reference.affine(h, params["W3"], params["b3"])
    return reference.relu(s) if scores_relu else s


def check_three_layer_forward(ThreeLayerConvNet):
    """The scores of ``model.forward(X)`` (and of ``model.loss(X)``) against the same net in PyTorch."""
    with checking("ThreeLayerConvNet.forward", error_hint=SAME_PAD):
        rng = np.random.default_rng(10)
        for k in (3, 5):  # a hard-coded pad of 1 works for 3x3 filters only
            model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=k, hidden_dim=7,
                                      weight_scale=0.2, dtype=np.float64, seed=k)
            for b in ("b1", "b2", "b3"):
                model.params[b] = 0.1 * rng.standard_normal(model.params[b].shape)
            X = rng.standard_normal((3, 3, 8, 8))
            scores, _ = model.forward(X)
            p = model.params
            check_close(scores, reference.three_layer_convnet(p, X), tol=1e-10,
                        name=f"scores vs PyTorch ({k}x{k} filters)", mistakes=[
                            Mistake("a ReLU on the scores: the last layer is affine only (affine_forward), the "
                                    "scores go to the softmax as they are", like=lambda: _forward_variant(p, X, scores_relu=True)),
                            Mistake("the hidden layer has no ReLU: use affine_relu_forward for the hidden layer",
                                    like=lambda: _forward_variant(p, X, hidden_relu=False)),
                            Mistake("no ReLU after the convolution: conv_relu_pool_forward does conv, ReLU, then pool",
                                    like=lambda: _forward_variant(p, X, conv_relu=False))])


def check_three_layer_loss(ThreeLayerConvNet):
    """The loss and every gradient of ``model.loss(X, y)`` against PyTorch (with regularization),
    then a numeric gradient check; ``loss(X)`` without labels returns the scores."""
    with checking("ThreeLayerConvNet.loss", error_hint=SAME_PAD):
        rng = np.random.default_rng(11)
        model = _tiny_net(ThreeLayerConvNet, reg=0.1)
        X, y = rng.standard_normal((2, 3, 8, 8)), np.array([1, 7])
        p, reg = model.params, model.reg
        _, loss_t, grads_t = reference.three_layer_convnet(p, X, y, reg=reg)
        loss, grads = model.loss(X, y)
        sq = {k: float(np.sum(p[k] ** 2)) for k in p}
        loss_mistakes = [Mistake(f"the regularization of {k} is missing from the loss: add 0.5 * reg * sum of the "
                                 "squares of W1, W2 and W3", like=loss_t - 0.5 * reg * sq[k]) for k in ("W1", "W2", "W3")]
        loss_mistakes += [
            Mistake("the regularization term has no 0.5: with 0.5 * reg * sum(W**2) in the loss its gradient is "
                    "reg * W (this notebook's convention, CS231n's)", like=loss_t + 0.5 * reg * sum(sq[k] for k in ("W1", "W2", "W3"))),
            Mistake("the regularization is missing from the loss altogether", like=loss_t - 0.5 * reg * (sq["W1"] + sq["W2"] + sq["W3"])),
            Mistake("the biases are regularized too: only W1, W2 and W3 are", like=loss_t + 0.5 * reg * (sq["b1"] + sq["b2"] + sq["b3"])),
        ]
        check_close(loss, loss_t, tol=1e-10, name="loss vs PyTorch (reg = 0.1)", mistakes=loss_mistakes)
        for k in sorted(p):
            mistakes = []
            if k.startswith("W"):
                mistakes = [Mistake(f"the regularization gradient of {k} is missing: add reg * {k} to grads['{k}']",
                                    like=grads_t[k] - reg * p[k]),
                            Mistake(f"grads['{k}'] has 2 * reg * {k}: the derivative of 0.5 * reg * {k}**2 is reg * {k}",
                                    like=grads_t[k] + reg * p[k])]
            else:
                mistakes = [Mistake(f"{k} is regularized: biases are not, grads['{k}'] is the data gradient only",
                                    like=grads_t[k] + reg * p[k])]
            got = grads.get(k) if isinstance(grads, dict) else None
            if got is None:
                fail("ThreeLayerConvNet.loss", f"grads has no entry '{k}'",
                     "return a gradient for every parameter: grads[k] has the shape of model.params[k]")
            check_close(got, grads_t[k], tol=1e-8, name=f"d{k} vs PyTorch autograd", mistakes=mistakes)
        scores = model.loss(X)
        check_close(scores, reference.three_layer_convnet(p, X), tol=1e-10, name="loss(X) without y: the scores")
        plain = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7, weight_scale=1e-1,
                                  reg=0.1, dtype=np.float64, seed=0)   # zero biases: no ReLU kink within h
        check_model_gradients(plain, np.random.default_rng(1).standard_normal((2, 3, 8, 8)), np.array([3, 9]),
                              threshold=1e-6, name="tiny ThreeLayerConvNet (numeric, float64)")
