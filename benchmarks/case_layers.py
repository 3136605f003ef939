"""Layers, forward + backward, against PyTorch autograd on the CPU: affine+ReLU, fast conv
(and fast against naive conv), fast max pooling."""
import numpy as np

from benchmarks import _torch
from benchmarks.core import Target, case, check_all, need

TOL = {np.float32: 1e-4, np.float64: 1e-9}


def _grads(torch_tensors):
    return [t.grad.numpy() for t in torch_tensors]


def _fwd_bwd_pair(ours_fwd, ours_bwd, torch_op, x, w, b, dout, tol):
    """ours, ref and check for a layer of (x, w, b): our forward + backward against the same
    computation in PyTorch (``torch_op(xt, wt, bt)``) with autograd."""
    xt, wt, bt = (_torch.t(a, True) for a in (x, w, b))
    doutt = _torch.t(dout)

    def ours():
        out, cache = ours_fwd(x, w, b)
        return (out,) + tuple(ours_bwd(dout, cache))

    def ref():
        for a in (xt, wt, bt):
            a.grad = None
        out = torch_op(xt, wt, bt)
        out.backward(doutt)
        return out

    def check():
        o = ours()
        r = ref().detach().numpy()
        gx, gw, gb = _grads((xt, wt, bt))
        return check_all([("out", o[0], r), ("dx", o[1], gx), ("dw", o[2], gw), ("db", o[3], gb)], tol)

    return ours, ref, check


def _affine_relu_pair(x, w, b, dout, fwd, bwd, tol):
    torch = _torch.get()
    return _fwd_bwd_pair(fwd, bwd, lambda xt, wt, bt: torch.relu(torch.addmm(bt, xt, wt)), x, w, b, dout, tol)


@case("affine", "affine + ReLU forward + backward, 500 x 3,072 -> 100")
def affine_relu(bench):
    fwd, bwd = need("cs231n_helpers.layers", "affine_relu_forward", "affine_relu_backward",
                    why="notebook 03 exports it")
    rng = np.random.default_rng(2)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((500, 3072)).astype(dtype)
        w = (rng.standard_normal((3072, 100)) * 0.01).astype(dtype)
        b = rng.standard_normal(100).astype(dtype)
        dout = rng.standard_normal((500, 100)).astype(dtype)
        ours, ref, check = _affine_relu_pair(x, w, b, dout, fwd, bwd, TOL[dtype])
        bench.compare(np.dtype(dtype).name, ours, ref, "torch autograd", Target("ratio", 1.5), check=check)


def _conv_pair(x, w, b, stride, pad, fwd, bwd):
    F = _torch.get().nn.functional
    conv_param = {"stride": stride, "pad": pad}
    out0, _ = fwd(x, w, b, conv_param)
    dout = np.random.default_rng(3).standard_normal(out0.shape).astype(x.dtype)
    return _fwd_bwd_pair(lambda x, w, b: fwd(x, w, b, conv_param), bwd,
                         lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=stride, padding=pad),
                         x, w, b, dout, TOL[x.dtype.type])


def _conv_data(xs, ws, dtype, seed=4):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = (rng.standard_normal(ws) * 0.1).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    return x, w, b


@case("conv", "fast conv forward + backward against F.conv2d, and against the naive conv")
def conv(bench):
    fwd, bwd = need("cs231n_helpers.conv_layers", "conv_forward_fast", "conv_backward_fast",
                    why="notebook 04 exports it")
    x, w, b = _conv_data((100, 3, 31, 31), (25, 3, 3, 3), np.float64)
    ours, ref, check = _conv_pair(x, w, b, 2, 1, fwd, bwd)
    bench.compare("x 100x3x31x31, w 25x3x3x3, stride 2, pad 1, float64", ours, ref, "F.conv2d + autograd",
                  Target("ratio", 1.5), check=check)
    for dtype, target in ((np.float32, 3.0), (np.float64, 1.5)):
        x, w, b = _conv_data((64, 64, 32, 32), (64, 64, 3, 3), dtype)
        ours, ref, check = _conv_pair(x, w, b, 1, 1, fwd, bwd)
        bench.compare(f"x 64x64x32x32, w 64x64x3x3, pad 1, {np.dtype(dtype).name}", ours, ref,
                      "F.conv2d + autograd", Target("ratio", target), check=check)

    # fast against naive, CS231n's shape; the naive version runs on a few images, scaled up
    nfwd, nbwd = need("cs231n_helpers.conv_layers", "conv_forward_naive", "conv_backward_naive",
                      why="notebook 04 exports it")
    x, w, b = _conv_data((100, 3, 31, 31), (25, 3, 3, 3), np.float64)
    cp = {"stride": 2, "pad": 1}
    k = 2 if bench.quick else 5
    rng = np.random.default_rng(5)
    out, _ = fwd(x, w, b, cp)
    dout = rng.standard_normal(out.shape)

    def fast():
        o, c = fwd(x, w, b, cp)
        return (o,) + tuple(bwd(dout, c))

    def naive(n=k):
        o, c = nfwd(x[:n], w, b, cp)
        return (o,) + tuple(nbwd(dout[:n], c))

    def check():
        f, nv = fast(), naive(2)
        return check_all([("out", f[0][:2], nv[0]), ("dx", f[1][:2], nv[1])], 1e-9)

    bench.compare(f"fast vs naive, x 100x3x31x31, w 25x3x3x3 (naive on {k} images, x{100 // k})", fast, naive,
                  "naive loops", Target("speedup", 100), ref_scale=100 / k, check=check)


@case("pool", "fast 2x2/2 max pool forward + backward against F.max_pool2d")
def pool(bench):
    fwd, bwd = need("cs231n_helpers.pooling", "max_pool_forward_fast", "max_pool_backward_fast",
                    why="notebook 05 exports it")
    torch = _torch.get()
    F = torch.nn.functional
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    rng = np.random.default_rng(6)
    for shape in ((100, 3, 32, 32), (64, 64, 32, 32)):
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dtype)
            dout = rng.standard_normal(shape[:2] + (shape[2] // 2, shape[3] // 2)).astype(dtype)
            xt, doutt = _torch.t(x, True), _torch.t(dout)

            def ours(x=x, dout=dout):
                out, cache = fwd(x, pp)
                return out, bwd(dout, cache)

            def ref(xt=xt, doutt=doutt):
                xt.grad = None
                out = F.max_pool2d(xt, 2, 2)
                out.backward(doutt)
                return out

            def check(ours=ours, ref=ref, xt=xt, dtype=dtype):
                o, dx = ours()
                r = ref().detach().numpy()
                return check_all([("out", o, r), ("dx", dx, xt.grad.numpy())], TOL[dtype])

            bench.compare(f"x {'x'.join(map(str, shape))}, {np.dtype(dtype).name}", ours, ref,
                          "F.max_pool2d + autograd", Target("ratio", 1.0), check=check)


@case("smoke", "tiny affine + ReLU (16 x 32 -> 8) against torch: checks that the suite runs", default=False)
def smoke(bench):
    fwd, bwd = need("cs231n_helpers.layers", "affine_relu_forward", "affine_relu_backward",
                    why="notebook 03 exports it")
    rng = np.random.default_rng(9)
    x, w, b, dout = (rng.standard_normal(s) for s in ((16, 32), (32, 8), (8,), (16, 8)))
    ours, ref, check = _affine_relu_pair(x, w, b, dout, fwd, bwd, 1e-9)
    # a generous target: this case is about the machinery, not speed
    bench.compare("16x32 -> 8, float64", ours, ref, "torch autograd", Target("ratio", 100.0), check=check)
