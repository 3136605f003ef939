"""Pooling layers (cs231n_helpers.pooling, generated from notebooks/05_pooling.ipynb):
naive vs views vs fast vs PyTorch, forward and backward, on randomized configurations; ties;
dtypes; the 2x2 fast path on chunks and threads; average and global average pooling; bad input."""
import numpy as np
import pytest

from cs231n_helpers import parallel, reference
from cs231n_helpers.gradcheck import eval_numerical_gradient_array, rel_error
from cs231n_helpers.pooling import (avg_pool_backward, avg_pool_forward, global_avg_pool_backward,
                                    global_avg_pool_forward, max_pool_backward_2x2, max_pool_backward_fast,
                                    max_pool_backward_naive, max_pool_backward_views, max_pool_forward_2x2,
                                    max_pool_forward_fast, max_pool_forward_naive, max_pool_forward_views,
                                    pool_output_shape)


def random_config(rng):
    """A random valid (x shape, pool_param): tiling, overlapping, gaps, non-square, pair strides."""
    ph, pw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    if rng.random() < 0.3:
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    elif rng.random() < 0.4:
        stride = ph if ph == pw else (ph, pw)                  # windows tile the input
    else:
        stride = int(rng.integers(1, 4))
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    H = ph + sh * int(rng.integers(0, 5))
    W = pw + sw * int(rng.integers(0, 5))
    N, C = int(rng.integers(1, 4)), int(rng.integers(1, 5))
    return (N, C, H, W), {"pool_height": ph, "pool_width": pw, "stride": stride}


def torch_pool(x, pp, dout, kind="max"):
    """PyTorch's out and dx (cs231n_helpers.reference)."""
    return (reference.max_pool2d if kind == "max" else reference.avg_pool2d)(x, pp, dout)


@pytest.mark.parametrize("seed", range(40))
def test_max_pool_naive_fast_torch_agree(seed):
    rng = np.random.default_rng(seed)
    shape, pp = random_config(rng)
    dtype = np.float32 if seed % 2 else np.float64
    x = rng.standard_normal(shape).astype(dtype)
    if seed % 5 == 0:                                         # many ties
        x = rng.integers(0, 3, size=shape).astype(dtype)
    out_n, cache_n = max_pool_forward_naive(x, pp)
    out_f, cache_f = max_pool_forward_fast(x, pp)
    dout = rng.standard_normal(out_n.shape).astype(dtype)
    out_t, dx_t = torch_pool(x, pp, dout)
    assert out_n.dtype == out_f.dtype == dtype
    np.testing.assert_array_equal(out_n, out_t)
    np.testing.assert_array_equal(out_f, out_t)
    dx_n = max_pool_backward_naive(dout, cache_n)
    dx_f = max_pool_backward_fast(dout, cache_f)
    assert dx_n.dtype == dx_f.dtype == dtype and dx_f.shape == x.shape
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert rel_error(dx_n, dx_t) < tol
    assert rel_error(dx_f, dx_t) < tol
    assert rel_error(dx_f, dx_n) < tol
    out_v, cache_v = max_pool_forward_views(x, pp)             # the general path, whatever the window
    np.testing.assert_array_equal(out_v, out_t)
    dx_v = max_pool_backward_views(dout, cache_v)
    assert dx_v.dtype == dtype and rel_error(dx_v, dx_t) < tol


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1, 2, 2), (3, 5, 4, 6), (7, 3, 32, 32), (64, 16, 16, 16), (5, 2, 2, 64)])
@pytest.mark.parametrize("ties", [False, True])
def test_2x2_fast_path_is_exactly_pytorch(shape, dtype, ties):
    """The 2x2 / stride-2 path (chunks of the batch, threads) gives PyTorch's out and dx exactly,
    ties included (the gradient to the first maximum in row-major order)."""
    rng = np.random.default_rng(sum(shape) + ties)
    x = (rng.integers(0, 3, size=shape) if ties else rng.standard_normal(shape)).astype(dtype)
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pp)
    dout = rng.standard_normal(out.shape).astype(dtype)
    out_t, dx_t = torch_pool(x, pp, dout)
    dx = max_pool_backward_fast(dout, cache)
    assert out.dtype == dx.dtype == dtype
    np.testing.assert_array_equal(out, out_t)
    np.testing.assert_array_equal(dx, dx_t)


def test_2x2_kernels_on_their_own():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 4, 6))
    out = np.full((2, 3, 2, 3), np.nan)
    max_pool_forward_2x2(x, out)
    np.testing.assert_array_equal(out, max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})[0])
    dout, dx = rng.standard_normal(out.shape), np.full_like(x, np.nan)
    max_pool_backward_2x2(dout, x, dx)
    np.testing.assert_array_equal(dx, torch_pool(x, {"pool_height": 2, "pool_width": 2, "stride": 2}, dout)[1])


def test_fast_backward_takes_a_dout_of_another_dtype():
    x = np.random.default_rng(13).standard_normal((4, 3, 8, 8)).astype(np.float32)
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pp)
    dout = np.ones(out.shape)                                    # float64
    dx = max_pool_backward_fast(dout, cache)
    assert dx.dtype == np.float32 and dx.sum() == out.size


@pytest.mark.parametrize("threads", ["1", "2", "3"])
def test_in_chunks_covers_every_row_once(monkeypatch, threads):
    monkeypatch.setenv("CS231N_THREADS", threads)
    a = np.zeros((37, 5000))                                      # 1.4 MiB: several chunks

    def fill(part):
        part += 1
    parallel.in_chunks(fill, a, chunk_bytes=1 << 16)
    np.testing.assert_array_equal(a, 1)
    small = np.zeros((3, 2))
    parallel.in_chunks(fill, small)
    np.testing.assert_array_equal(small, 1)


def test_in_chunks_errors(monkeypatch):
    monkeypatch.setenv("CS231N_THREADS", "2")

    def boom(part):
        if part[0, 0] > 20:
            raise ZeroDivisionError("chunk failed")
    a = np.arange(40.0).repeat(10000).reshape(40, 10000)
    with pytest.raises(ZeroDivisionError, match="chunk failed"):
        parallel.in_chunks(boom, a, chunk_bytes=1 << 16)
    with pytest.raises(ValueError, match="same first axis"):
        parallel.in_chunks(boom, np.zeros((3, 2)), np.zeros((4, 2)))
    monkeypatch.setenv("CS231N_THREADS", "two")
    with pytest.raises(ValueError, match="CS231N_THREADS"):
        parallel.num_threads()


def test_max_pool_numeric_gradient():
    rng = np.random.default_rng(1)
    for pp, shape in (({"pool_height": 2, "pool_width": 2, "stride": 2}, (2, 3, 6, 8)),
                      ({"pool_height": 3, "pool_width": 2, "stride": 1}, (2, 2, 5, 5))):
        x = rng.standard_normal(shape)
        out, cache = max_pool_forward_fast(x, pp)
        dout = rng.standard_normal(out.shape)
        num = eval_numerical_gradient_array(lambda v: max_pool_forward_fast(v, pp)[0], x, dout)
        assert rel_error(max_pool_backward_fast(dout, cache), num) < 1e-8
        assert rel_error(max_pool_backward_naive(dout, max_pool_forward_naive(x, pp)[1]), num) < 1e-8


def test_gradient_goes_to_one_argmax_per_window():
    x = np.zeros((1, 1, 4, 4), dtype=np.float32)          # all tied: first element of each window
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pp)
    dx = max_pool_backward_fast(np.ones_like(out), cache)
    expected = np.zeros((4, 4), dtype=np.float32)
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(dx[0, 0], expected)
    np.testing.assert_array_equal(max_pool_backward_naive(np.ones_like(out), max_pool_forward_naive(x, pp)[1]), dx)


def test_fast_handles_non_contiguous_input_and_leaves_it_alone():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 6, 8, 3)).transpose(0, 3, 1, 2)       # (4, 3, 6, 8), not C-contiguous
    x_before = x.copy()
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pp)
    dout = rng.standard_normal(out.shape)
    dx = max_pool_backward_fast(dout, cache)
    out_t, dx_t = torch_pool(np.ascontiguousarray(x), pp, dout)
    np.testing.assert_array_equal(out, out_t)
    assert rel_error(dx, dx_t) < 1e-12
    np.testing.assert_array_equal(x, x_before)


@pytest.mark.parametrize("seed", range(10))
def test_avg_pool_matches_torch(seed):
    rng = np.random.default_rng(100 + seed)
    shape, pp = random_config(rng)
    x = rng.standard_normal(shape)
    out, cache = avg_pool_forward(x, pp)
    dout = rng.standard_normal(out.shape)
    out_t, dx_t = torch_pool(x, pp, dout, kind="avg")
    assert rel_error(out, out_t) < 1e-12
    assert rel_error(avg_pool_backward(dout, cache), dx_t) < 1e-12


def test_avg_pool_keeps_float32():
    x = np.ones((2, 3, 4, 4), dtype=np.float32)
    out, cache = avg_pool_forward(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert out.dtype == np.float32
    assert avg_pool_backward(np.ones_like(out), cache).dtype == np.float32


def test_global_avg_pool():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 7, 4))
    out, cache = global_avg_pool_forward(x)
    np.testing.assert_allclose(out, reference.avg_pool2d(x, {"pool_height": 7, "pool_width": 4, "stride": 1})[:, :, 0, 0],
                               rtol=1e-12)
    dout = rng.standard_normal(out.shape)
    num = eval_numerical_gradient_array(lambda v: global_avg_pool_forward(v)[0], x, dout)
    assert rel_error(global_avg_pool_backward(dout, cache), num) < 1e-8


def test_pool_output_shape():
    assert pool_output_shape((2, 3, 32, 32), {"pool_height": 2, "pool_width": 2, "stride": 2}) == (2, 2, 2, 2, 16, 16)
    assert pool_output_shape((1, 1, 13, 13), {"pool_height": 3, "pool_width": 3, "stride": 2}) == (3, 3, 2, 2, 6, 6)
    assert pool_output_shape((1, 1, 6, 9), {"pool_height": 2, "pool_width": 3, "stride": (2, 3)}) == (2, 3, 2, 3, 3, 3)


@pytest.mark.parametrize("pp, shape, word", [
    ({"pool_height": 5, "pool_width": 2, "stride": 1}, (1, 1, 4, 4), "pool_height"),     # window > input
    ({"pool_height": 2, "pool_width": 6, "stride": 1}, (1, 1, 4, 4), "pool_width"),
    ({"pool_height": 2, "pool_width": 2, "stride": 0}, (1, 1, 4, 4), "stride"),          # non-positive stride
    ({"pool_height": 2, "pool_width": 2, "stride": -1}, (1, 1, 4, 4), "stride"),
    ({"pool_height": 2, "pool_width": 2, "stride": 3}, (1, 1, 4, 4), "stride"),          # (4-2)/3+1 not whole
    ({"pool_height": 2, "pool_width": 2, "stride": 2}, (1, 1, 5, 4), "stride"),
    ({"pool_height": 0, "pool_width": 2, "stride": 2}, (1, 1, 4, 4), "pool_height"),
    ({"pool_height": 2.0, "pool_width": 2, "stride": 2}, (1, 1, 4, 4), "pool_height"),
    ({"pool_height": 2, "pool_width": 2, "stride": (1, 2, 3)}, (1, 1, 4, 4), "stride"),
    ({"pool_height": 2, "pool_width": 2}, (1, 1, 4, 4), "stride"),                       # missing key
    ({"pool_height": 2, "pool_width": 2, "stride": 2}, (4, 4), "x must be 4-D"),         # not 4-D
])
def test_bad_input(pp, shape, word):
    x = np.zeros(shape)
    for fn in (max_pool_forward_naive, max_pool_forward_fast, avg_pool_forward):
        with pytest.raises(ValueError, match=word):
            fn(x, pp)


def test_bad_dout_and_global_input():
    x = np.zeros((1, 1, 4, 4))
    out, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    with pytest.raises(ValueError, match="dout"):
        max_pool_backward_fast(np.zeros((1, 1, 3, 3)), cache)
    with pytest.raises(ValueError, match="x must be a 4-D"):
        global_avg_pool_forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="pool_param must be a dict"):
        max_pool_forward_fast(x, [2, 2, 2])
