"""Layers, forward + backward, against PyTorch autograd on the CPU: affine+ReLU, fast conv
(and fast against naive conv), fast max pooling. The PyTorch side is
``cs231n_helpers.reference`` (the oracle the notebooks and the tests use too)."""
import numpy as np

from benchmarks.core import Target, case, check_all
from cs231n_helpers import reference

TOL = {np.float32: 1e-4, np.float64: 1e-9}


def _fwd_bwd_pair(ours_fwd, ours_bwd, op, inputs, dout, tol):
    """ours, ref and check for a layer: our forward + backward against ``op`` on the same
    ``inputs`` in PyTorch with autograd (:class:`cs231n_helpers.reference.Autograd`)."""
    theirs = reference.Autograd(op, inputs, dout)
    names = ["out"] + [f"d{n}" for n in ("x", "w", "b")[:len(inputs)]]

    def ours():
        out, cache = ours_fwd(*inputs)
        grads = ours_bwd(dout, cache)
        return (out,) + (tuple(grads) if isinstance(grads, tuple) else (grads,))

    def check():
        mine = ours()
        theirs.run()
        return check_all(list(zip(names, mine, theirs.results())), tol)

    return ours, theirs.run, check


def _affine_relu_pair(x, w, b, dout, tol):
    from cs231n_helpers.layers import affine_relu_backward, affine_relu_forward

    return _fwd_bwd_pair(affine_relu_forward, affine_relu_backward, reference.affine_relu_op(), (x, w, b), dout, tol)


@case("affine", "affine + ReLU forward + backward, 500 x 3,072 -> 100")
def affine_relu(bench):
    rng = np.random.default_rng(2)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((500, 3072)).astype(dtype)
        w = (rng.standard_normal((3072, 100)) * 0.01).astype(dtype)
        b = rng.standard_normal(100).astype(dtype)
        dout = rng.standard_normal((500, 100)).astype(dtype)
        ours, ref, check = _affine_relu_pair(x, w, b, dout, TOL[dtype])
        bench.compare(np.dtype(dtype).name, ours, ref, "torch autograd", Target("ratio", 1.5), check=check)


def _conv_pair(x, w, b, stride, pad):
    from cs231n_helpers.conv_layers import conv_backward_fast, conv_forward_fast

    conv_param = {"stride": stride, "pad": pad}
    out0, _ = conv_forward_fast(x, w, b, conv_param)
    dout = np.random.default_rng(3).standard_normal(out0.shape).astype(x.dtype)
    return _fwd_bwd_pair(lambda x, w, b: conv_forward_fast(x, w, b, conv_param), conv_backward_fast,
                         reference.conv2d_op(conv_param), (x, w, b), dout, TOL[x.dtype.type])


def _conv_data(xs, ws, dtype, seed=4):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = (rng.standard_normal(ws) * 0.1).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    return x, w, b


@case("conv", "fast conv forward + backward against F.conv2d, and against the naive conv")
def conv(bench):
    from cs231n_helpers.conv_layers import conv_backward_fast, conv_backward_naive, conv_forward_fast, \
        conv_forward_naive

    x, w, b = _conv_data((100, 3, 31, 31), (25, 3, 3, 3), np.float64)
    ours, ref, check = _conv_pair(x, w, b, 2, 1)
    bench.compare("x 100x3x31x31, w 25x3x3x3, stride 2, pad 1, float64", ours, ref, "F.conv2d + autograd",
                  Target("ratio", 1.5), check=check)
    for dtype, target in ((np.float32, 1.5), (np.float64, 1.2)):   # issue 16: 1.5x (float32), 1.2x (float64)
        x, w, b = _conv_data((64, 64, 32, 32), (64, 64, 3, 3), dtype)
        ours, ref, check = _conv_pair(x, w, b, 1, 1)
        bench.compare(f"x 64x64x32x32, w 64x64x3x3, pad 1, {np.dtype(dtype).name}", ours, ref,
                      "F.conv2d + autograd", Target("ratio", target), check=check)

    # fast against naive, CS231n's shape; the naive version runs on a few images, scaled up
    x, w, b = _conv_data((100, 3, 31, 31), (25, 3, 3, 3), np.float64)
    cp = {"stride": 2, "pad": 1}
    k = 2 if bench.quick else 5
    rng = np.random.default_rng(5)
    out, _ = conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out.shape)

    def fast():
        o, c = conv_forward_fast(x, w, b, cp)
        return (o,) + tuple(conv_backward_fast(dout, c))

    def naive(n=k):
        o, c = conv_forward_naive(x[:n], w, b, cp)
        return (o,) + tuple(conv_backward_naive(dout[:n], c))

    def check():
        f, nv = fast(), naive(2)
        return check_all([("out", f[0][:2], nv[0]), ("dx", f[1][:2], nv[1])], 1e-9)

    bench.compare(f"fast vs naive, x 100x3x31x31, w 25x3x3x3 (naive on {k} images, x{100 // k})", fast, naive,
                  "naive loops", Target("speedup", 100), ref_scale=100 / k, check=check)


@case("pool", "fast 2x2/2 max pool forward + backward against F.max_pool2d")
def pool(bench):
    from cs231n_helpers.pooling import max_pool_backward_fast, max_pool_forward_fast

    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    rng = np.random.default_rng(6)
    for shape in ((100, 3, 32, 32), (64, 64, 32, 32)):
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dtype)
            dout = rng.standard_normal(shape[:2] + (shape[2] // 2, shape[3] // 2)).astype(dtype)
            ours, ref, check = _fwd_bwd_pair(lambda x: max_pool_forward_fast(x, pp), max_pool_backward_fast,
                                             reference.max_pool2d_op(pp), (x,), dout, TOL[dtype])
            bench.compare(f"x {'x'.join(map(str, shape))}, {np.dtype(dtype).name}", ours, ref,
                          "F.max_pool2d + autograd", Target("ratio", 1.0), check=check)


@case("smoke", "tiny affine + ReLU (16 x 32 -> 8) against torch: checks that the suite runs", default=False)
def smoke(bench):
    rng = np.random.default_rng(9)
    x, w, b, dout = (rng.standard_normal(s) for s in ((16, 32), (32, 8), (8,), (16, 8)))
    ours, ref, check = _affine_relu_pair(x, w, b, dout, 1e-9)
    # a generous target: this case is about the machinery, not speed
    bench.compare("16x32 -> 8, float64", ours, ref, "torch autograd", Target("ratio", 100.0), check=check)
