"""Naive and fast convolution against each other and PyTorch; output sizes; shape stats; errors."""
import numpy as np
import pytest
import torch

from cs231n_helpers import reference
from cs231n_helpers.checks import rel_error
from cs231n_helpers.conv_layers import (conv_backward_fast, conv_backward_naive, conv_forward_fast,
                                        conv_forward_naive, conv_layer_stats, conv_output_size,
                                        conv_relu_backward, conv_relu_forward)
from cs231n_helpers.gradcheck import eval_numerical_gradient_array


def random_config(rng):
    """A random layer; strides that do not tile the input are included (output sizes round down)."""
    while True:
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        C, F = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        HH, WW = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        H, W = int(rng.integers(HH, 13)), int(rng.integers(WW, 13))
        return (int(rng.integers(1, 4)), C, H, W), (F, C, HH, WW), {"stride": stride, "pad": pad}


def torch_reference(x, w, b, conv_param, dout):
    return reference.conv2d(x, w, b, conv_param, dout)


@pytest.mark.parametrize("seed", range(25))
def test_naive_and_fast_match_torch(seed):
    rng = np.random.default_rng(seed)
    x_shape, w_shape, cp = random_config(rng)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    out_n, cache_n = conv_forward_naive(x, w, b, cp)
    out_f, cache_f = conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out_n.shape)
    ref = torch_reference(x, w, b, cp, dout)
    naive = (out_n, *conv_backward_naive(dout, cache_n))
    fast = (out_f, *conv_backward_fast(dout, cache_f))
    for name, n, f, t in zip(("out", "dx", "dw", "db"), naive, fast, ref):
        assert n.shape == f.shape == t.shape, name
        assert rel_error(n, t) < 1e-9, (name, x_shape, w_shape, cp)
        assert rel_error(f, t) < 1e-9, (name, x_shape, w_shape, cp)
        assert rel_error(f, n) < 1e-9, (name, x_shape, w_shape, cp)


@pytest.mark.parametrize("seed", range(12))
def test_fast_conv_with_many_channels_matches_torch(seed):
    """Inputs with >= 16 channels take the 'shifted' route (stride 1, square filters, pad < filter
    size) or the channels-last col2im one; non-square filters and pads 0-2."""
    rng = np.random.default_rng(100 + seed)
    C, F = int(rng.integers(16, 24)), int(rng.integers(4, 28))
    HH, WW = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    cp = {"stride": int(rng.integers(1, 3)), "pad": int(rng.integers(0, 3))}
    x = rng.standard_normal((int(rng.integers(1, 6)), C, int(rng.integers(5, 11)), int(rng.integers(5, 11))))
    w, b = rng.standard_normal((F, C, HH, WW)), rng.standard_normal(F)
    out, cache = conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    for name, a, t in zip(("out", "dx", "dw", "db"), (out, *conv_backward_fast(dout, cache)),
                          torch_reference(x, w, b, cp, dout)):
        assert a.shape == t.shape and rel_error(a, t) < 1e-9, (name, x.shape, w.shape, cp)


def test_cs231n_test_shape_and_float32():
    rng = np.random.default_rng(1)
    for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-3)):
        x = rng.standard_normal((10, 3, 31, 31)).astype(dtype)
        w = rng.standard_normal((25, 3, 3, 3)).astype(dtype)
        b = rng.standard_normal(25).astype(dtype)
        cp = {"stride": 2, "pad": 1}
        out, cache = conv_forward_fast(x, w, b, cp)
        assert out.shape == (10, 25, 16, 16) and out.dtype == dtype and out.flags.c_contiguous
        dout = rng.standard_normal(out.shape).astype(dtype)
        dx, dw, db = conv_backward_fast(dout, cache)
        assert dx.dtype == dw.dtype == db.dtype == dtype
        for ours, theirs in zip((out, dx, dw, db), torch_reference(x, w, b, cp, dout)):
            assert np.allclose(ours, theirs, rtol=tol, atol=tol * 10)


def test_naive_gradcheck():
    rng = np.random.default_rng(231)
    x, w, b = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3, 3, 2)), rng.standard_normal(2)
    cp = {"stride": 1, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_naive(dout, cache)
    f = lambda _: conv_forward_naive(x, w, b, cp)[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(f, x, dout, h=1e-3)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(f, w, dout, h=1e-3)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(f, b, dout, h=1e-3)) < 1e-8


def test_conv_relu_sandwich():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    cp = {"stride": 1, "pad": 1}
    out, cache = conv_relu_forward(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_relu_backward(dout, cache)
    ref = reference.Autograd(lambda x, w, b: torch.relu(reference.conv2d_op(cp)(x, w, b)), (x, w, b), dout).results()
    for ours, t in zip((out, dx, dw, db), ref):
        assert rel_error(ours, t) < 1e-9


def test_output_size_matches_torch_on_a_grid():
    refused = 0
    for size in (1, 4, 7, 10, 13):
        for fsize in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for pad in (0, 1, 2):
                    for dil in (1, 2):
                        span = dil * (fsize - 1) + 1
                        if size + 2 * pad < span:
                            with pytest.raises(ValueError, match="filter_size"):
                                conv_output_size(size, fsize, stride, pad, dil)
                            continue
                        layer = torch.nn.Conv2d(1, 1, fsize, stride=stride, padding=pad, dilation=dil)
                        expected = layer(torch.zeros(1, 1, size, size)).shape[-1]
                        assert conv_output_size(size, fsize, stride, pad, dil) == expected   # floor, as PyTorch
                        if (size + 2 * pad - span) % stride:
                            refused += 1
                            with pytest.raises(ValueError, match="stride"):
                                conv_output_size(size, fsize, stride, pad, dil, strict=True)
                        else:
                            assert conv_output_size(size, fsize, stride, pad, dil, strict=True) == expected
    assert refused > 0


def test_course_note_numbers():
    alex = conv_layer_stats(input_size=227, in_channels=3, num_filters=96, filter_size=11, stride=4, pad=0)
    assert alex["output_shape"] == (96, 55, 55)
    assert alex["weights"] == 34_848 and alex["biases"] == 96
    assert alex["weights"] // 96 == 363
    assert conv_layer_stats(input_size=224, in_channels=3, num_filters=96, filter_size=11, stride=4,
                            pad=0)["output_shape"] == (96, 54, 54)          # 54.25 rounded down, as PyTorch
    with pytest.raises(ValueError, match="stride"):
        conv_output_size(224, 11, stride=4, pad=0, strict=True)
    s = conv_layer_stats(input_size=32, in_channels=3, num_filters=10, filter_size=5, stride=1, pad=2)
    assert s["output_shape"] == (10, 32, 32) and s["params"] == 760 and s["multiply_adds"] == 768_000
    C = 16
    three = conv_layer_stats(32, C, C, 3, 1, 1, num_layers=3)
    seven = conv_layer_stats(32, C, C, 7, 1, 3)
    assert three["receptive_field"] == seven["receptive_field"] == 7
    assert three["weights"] == 27 * C * C and seven["weights"] == 49 * C * C
    assert conv_layer_stats(33, 3, 8, 3, 2, 1, num_layers=2)["receptive_field"] == 7  # 1 + 2 + 2*2
    assert conv_layer_stats((8, 6), 2, 4, 3, 1, 0)["output_shape"] == (4, 6, 4)


@pytest.mark.parametrize("fn", [conv_forward_naive, conv_forward_fast])
def test_bad_input(fn):
    x, w, b = np.zeros((2, 3, 8, 8)), np.zeros((4, 3, 3, 3)), np.zeros(4)
    with pytest.raises(ValueError, match="depth"):
        fn(x, np.zeros((4, 2, 3, 3)), b, {"stride": 1, "pad": 1})
    assert fn(x, w, b, {"stride": 2, "pad": 0})[0].shape == (2, 4, 3, 3)   # (8 - 3)/2 + 1 = 3.5 -> 3
    with pytest.raises(ValueError, match="stride"):
        fn(x, w, b, {"stride": 0, "pad": 1})
    with pytest.raises(ValueError, match="stride"):
        fn(x, w, b, {"stride": -1, "pad": 1})
    with pytest.raises(ValueError, match="pad"):
        fn(x, w, b, {"stride": 1, "pad": -1})
    with pytest.raises(ValueError, match="conv_param"):
        fn(x, w, b, {"stride": 1})
    with pytest.raises(ValueError, match="b must"):
        fn(x, w, np.zeros(3), {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="x must"):
        fn(np.zeros((3, 8, 8)), w, b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="w: a filter height of 3 does not fit"):
        fn(np.zeros((1, 3, 2, 2)), w, b, {"stride": 1, "pad": 0})


def test_bad_input_helpers():
    for kwargs, word in (({"stride": 0}, "stride"), ({"stride": 1.5}, "stride"), ({"pad": -1}, "pad"),
                         ({"dilation": 0}, "dilation")):
        with pytest.raises(ValueError, match=word):
            conv_output_size(8, 3, **kwargs)
    with pytest.raises(ValueError, match="size"):
        conv_output_size(0, 3)
    with pytest.raises(ValueError, match="num_layers"):
        conv_layer_stats(num_layers=0)
    with pytest.raises(ValueError, match="in_channels"):
        conv_layer_stats(in_channels=0)
    out, cache = conv_forward_fast(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="dout"):
        conv_backward_fast(np.zeros((1, 1, 3, 3)), cache)


@pytest.mark.parametrize("stride,pad,fshape", [(1, 1, (3, 3)), (2, 1, (3, 3)), (1, 2, (1, 1)), (1, 0, (2, 3))])
@pytest.mark.parametrize("threads", ["1", "2"])
@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("channels", [3, 16])
def test_fast_conv_in_chunks_of_images(monkeypatch, stride, pad, fshape, threads, keep, channels):
    """The fast conv goes through the batch in chunks of images, on a thread pool, and small
    layers keep their columns for the backward pass; force one image per chunk, with and without
    threads, with kept and with rebuilt columns, both layouts, and compare with PyTorch."""
    import cs231n_helpers.conv_layers as conv_layers
    monkeypatch.setattr(conv_layers, "batch_chunks", lambda n, *sizes: [slice(i, i + 1) for i in range(n)])
    monkeypatch.setattr(conv_layers, "KEEP_COLS_BYTES", 2**40 if keep else 0)
    monkeypatch.setenv("CS231N_THREADS", threads)
    rng = np.random.default_rng(stride * 10 + pad)
    x, w, b = (rng.standard_normal((5, channels, 9, 9)), rng.standard_normal((4, channels, *fshape)),
               rng.standard_normal(4))
    cp = {"stride": stride, "pad": pad}
    out, cache = conv_layers.conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    ours = (out, *conv_layers.conv_backward_fast(dout, cache))
    for name, a, t in zip(("out", "dx", "dw", "db"), ours, torch_reference(x, w, b, cp, dout)):
        assert rel_error(a, t) < 1e-9, name


def test_fast_conv_results_do_not_depend_on_thread_timing(monkeypatch):
    """dw sums the chunks' parts in chunk order: with the same settings, repeated runs on the
    thread pool give bit-identical results; one thread agrees to float32 round-off."""
    import cs231n_helpers.conv_layers as conv_layers
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((16, 8, 12, 12), (8, 8, 3, 3), (8,)))

    def run(threads):
        monkeypatch.setenv("CS231N_THREADS", threads)
        out, cache = conv_layers.conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
        return (out, *conv_layers.conv_backward_fast(np.ones_like(out), cache))

    first = run("2")
    for _ in range(3):
        for a, c in zip(run("2"), first):
            np.testing.assert_array_equal(a, c)
    for a, c in zip(run("1"), first):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("channels,stride", [(3, 1), (3, 2), (16, 1), (16, 2)])
def test_fast_conv_backward_without_dx(channels, stride):
    """need_dx=False (a first layer: the images need no gradient) gives the same dw and db, no dx."""
    rng = np.random.default_rng(channels + stride)
    x, w, b = rng.standard_normal((4, channels, 9, 9)), rng.standard_normal((8, channels, 3, 3)), rng.standard_normal(8)
    cp = {"stride": stride, "pad": 1}
    out, cache = conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_fast(dout, cache, need_dx=False)
    _, dw_all, db_all = conv_backward_fast(dout, cache)
    assert dx is None
    np.testing.assert_allclose(dw, dw_all, rtol=1e-12)
    np.testing.assert_allclose(db, db_all, rtol=1e-12)


@pytest.mark.parametrize("size,pad", [(1, 0), (3, 0), (3, 1), (3, 2), (5, 2), (5, 4), (2, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shifted_route_matches_torch(size, pad, dtype):
    """The 'shifted' route (row taps and shifted products; dx as a transposed convolution, dw from
    the moved dout) on its edge cases: 1x1, even and large filters, pads 0 to size - 1 (where some
    output rows see no input row of a tap), non-square images, more filters than channels."""
    from cs231n_helpers.conv_layers import fast_route
    rng = np.random.default_rng(size * 10 + pad)
    x = rng.standard_normal((3, 17, 7, 10)).astype(dtype)
    w, b = rng.standard_normal((21, 17, size, size)).astype(dtype), rng.standard_normal(21).astype(dtype)
    cp = {"stride": 1, "pad": pad}
    assert fast_route(17, 21, 1, pad, size, size) == "shifted"
    out, cache = conv_forward_fast(x, w, b, cp)
    dout = rng.standard_normal(out.shape).astype(dtype)
    for name, a, t in zip(("out", "dx", "dw", "db"), (out, *conv_backward_fast(dout, cache)),
                          torch_reference(x, w, b, cp, dout)):
        assert a.dtype == dtype and a.shape == t.shape, (name, size, pad)
        if dtype == np.float64:
            assert rel_error(a, t) < 1e-9, (name, size, pad)
        else:   # float32 sums of up to 17*5*5 products: round-off relative to the largest entry
            assert np.abs(a - t).max() < 1e-5 * np.abs(t).max() * 17 * size * size, (name, size, pad)
