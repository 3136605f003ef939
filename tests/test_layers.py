"""Every layer of cs231n_helpers.layers against PyTorch autograd (the oracles of
cs231n_helpers.reference), on random shapes (float64)."""
import numpy as np
import pytest

from cs231n_helpers import layers as L
from cs231n_helpers import reference as R

SEEDS = range(4)


def _shape(rng, lo=1, hi=6, ndim=2):
    return tuple(int(v) for v in rng.integers(lo, hi, size=ndim))


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("seed", SEEDS)
def test_affine_matches_torch(seed):
    rng = np.random.default_rng(seed)
    N = int(rng.integers(1, 6))
    dshape = _shape(rng, ndim=int(rng.integers(1, 4)))
    D, M = int(np.prod(dshape)), int(rng.integers(1, 7))
    x, w, b = rng.standard_normal((N, *dshape)), rng.standard_normal((D, M)), rng.standard_normal(M)
    out, cache = L.affine_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = L.affine_backward(dout, cache)
    ot, dxt, dwt, dbt = R.affine(x, w, b, dout)
    _close(out, ot)
    _close(dx, dxt)
    _close(dw, dwt)
    _close(db, dbt)
    assert dx.shape == x.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_and_affine_relu_match_torch(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(_shape(rng, ndim=3))
    out, cache = L.relu_forward(x)
    dout = rng.standard_normal(x.shape)
    ot, dxt = R.relu(x, dout)
    _close(out, ot)
    _close(L.relu_backward(dout, cache), dxt)

    N, D, M = 4, 6, 5
    x, w, b = rng.standard_normal((N, 2, 3)), rng.standard_normal((D, M)), rng.standard_normal(M)
    out, cache = L.affine_relu_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    for ours, theirs in zip((out, *L.affine_relu_backward(dout, cache)), R.affine_relu(x, w, b, dout)):
        _close(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_loss_matches_torch(seed):
    rng = np.random.default_rng(seed)
    N, C = int(rng.integers(1, 20)), int(rng.integers(2, 12))
    x, y = 3 * rng.standard_normal((N, C)), rng.integers(0, C, N)
    loss, dx = L.softmax_loss(x, y)
    lt, dxt = R.softmax_loss(x, y)
    assert abs(loss - lt) < 1e-12
    _close(dx, dxt)


@pytest.mark.parametrize("seed", SEEDS)
def test_svm_loss_matches_torch(seed):
    rng = np.random.default_rng(seed)
    N, C = int(rng.integers(1, 20)), int(rng.integers(2, 12))
    x, y = 3 * rng.standard_normal((N, C)), rng.integers(0, C, N)
    loss, dx = L.svm_loss(x, y)
    lt, dxt = R.svm_loss(x, y)   # CS231n hinge: sum over j != y of max(0, x_j - x_y + 1), mean over the batch
    assert abs(loss - lt) < 1e-10
    _close(dx, dxt)


def test_softmax_loss_is_stable_for_large_scores():
    x = np.array([[1000.0, 0.0, -1000.0]], dtype=np.float32)
    loss, dx = L.softmax_loss(x, np.array([0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dx)) and loss < 1e-6


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("backward", [L.batchnorm_backward, L.batchnorm_backward_alt])
def test_batchnorm_train_matches_torch(seed, backward):
    rng = np.random.default_rng(seed)
    N, D = int(rng.integers(2, 12)), int(rng.integers(1, 8))
    x = 4 * rng.standard_normal((N, D)) + 7
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    bn_param = {"mode": "train", "momentum": 0.8}
    out, cache = L.batchnorm_forward(x, gamma, beta, bn_param)
    dout = rng.standard_normal(out.shape)
    dx, dgamma, dbeta = backward(dout, cache)
    for ours, theirs in zip((out, dx, dgamma, dbeta), R.batchnorm(x, gamma, beta, dout)):
        _close(ours, theirs, tol=1e-9)
    _close(bn_param["running_mean"], 0.2 * x.mean(axis=0))
    # CS231n keeps the biased variance in its running average (torch the unbiased one)
    _close(bn_param["running_var"], 0.2 * x.var(axis=0))


def test_batchnorm_test_mode_uses_running_averages():
    rng = np.random.default_rng(0)
    D = 5
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(D), np.zeros(D)
    for _ in range(300):
        L.batchnorm_forward(2 * rng.standard_normal((50, D)) + 3, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    x = 2 * rng.standard_normal((2000, D)) + 3
    out, _ = L.batchnorm_forward(x, gamma, beta, bn_param)
    assert np.all(np.abs(out.mean(axis=0)) < 0.15) and np.all(np.abs(out.std(axis=0) - 1) < 0.15)
    # test mode depends on each example alone
    out1, _ = L.batchnorm_forward(x[:1], gamma, beta, bn_param)
    np.testing.assert_allclose(out1, out[:1])


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm_matches_torch(seed):
    rng = np.random.default_rng(seed)
    N, D = int(rng.integers(1, 8)), int(rng.integers(2, 9))
    x = 3 * rng.standard_normal((N, D)) - 2
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    out, cache = L.layernorm_forward(x, gamma, beta, {})
    dout = rng.standard_normal(out.shape)
    for ours, theirs in zip((out, *L.layernorm_backward(dout, cache)), R.layernorm(x, gamma, beta, dout)):
        _close(ours, theirs, tol=1e-9)


@pytest.mark.parametrize("norm", ["batchnorm", "layernorm"])
def test_affine_norm_relu_matches_torch(norm):
    rng = np.random.default_rng(1)
    N, D, M = 6, 8, 5
    x, w, b = rng.standard_normal((N, 2, 4)), rng.standard_normal((D, M)), rng.standard_normal(M)
    gamma, beta = rng.standard_normal(M), rng.standard_normal(M)
    out, cache = L.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, norm)
    dout = rng.standard_normal(out.shape)
    grads = L.affine_norm_relu_backward(dout, cache)
    ot, *grads_t = R.affine_norm_relu(x, w, b, gamma, beta, norm, dout)
    _close(out, ot, tol=1e-9)
    for g, t in zip(grads, grads_t):
        _close(g, t, tol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_applies_its_mask_scaled_by_one_over_p(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(_shape(rng, 2, 30, ndim=2)) + 5
    p = float(rng.uniform(0.2, 0.9))
    out, cache = L.dropout_forward(x, {"mode": "train", "p": p, "seed": seed})
    keep = out != 0
    dout = rng.standard_normal(x.shape)
    _close(out, x * keep / p)   # inverted dropout with that mask; its gradient is the same product
    _close(L.dropout_backward(dout, cache), dout * keep / p)
    # test mode is the identity
    out_test, cache_test = L.dropout_forward(x, {"mode": "test", "p": p})
    assert out_test is x or np.array_equal(out_test, x)
    np.testing.assert_array_equal(L.dropout_backward(dout, cache_test), dout)


def test_dropout_keeps_fraction_p_and_expectation():
    x = np.ones((500, 500), dtype=np.float32)
    for p in (0.25, 0.5, 0.9):
        out, _ = L.dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
        assert out.dtype == np.float32
        assert abs((out != 0).mean() - p) < 0.01
        assert abs(out.mean() - 1) < 0.02


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    f = np.float32
    x, w, b = (rng.standard_normal(s).astype(f) for s in ((8, 3, 2, 2), (12, 5), (5,)))
    out, cache = L.affine_relu_forward(x, w, b)
    assert out.dtype == f
    assert all(g.dtype == f for g in L.affine_relu_backward(out, cache))
    for loss in (L.softmax_loss, L.svm_loss):
        _, dx = loss(out, np.arange(8) % 5)
        assert dx.dtype == f
    gamma, beta = np.ones(5, f), np.zeros(5, f)
    for norm in ("batchnorm", "layernorm"):
        o, c = L.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, norm)
        assert o.dtype == f and all(g.dtype == f for g in L.affine_norm_relu_backward(o, c))
    o, c = L.dropout_forward(out, {"mode": "train", "p": 0.5})
    assert o.dtype == f and L.dropout_backward(o, c).dtype == f


@pytest.mark.parametrize("call, match", [
    (lambda: L.affine_forward(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5)), "w must have shape"),
    (lambda: L.affine_forward(np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(4)), "b must have shape"),
    (lambda: L.affine_backward(np.zeros((2, 4)), (np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(5))), "dout"),
    (lambda: L.relu_backward(np.zeros(3), np.zeros(4)), "dout"),
    (lambda: L.softmax_loss(np.zeros((3, 4)), np.array([0, 1])), r"y must be a 1-D array with one label per example \(3\)"),
    (lambda: L.softmax_loss(np.zeros((3, 4)), np.array([0, 1, 4])), "labels in 0..3"),
    (lambda: L.svm_loss(np.zeros((3, 4)), np.array([0.0, 1.0, 2.0])), "integer"),
    (lambda: L.batchnorm_forward(np.zeros((3, 4)), np.ones(4), np.zeros(4), {"mode": "eval"}), "mode"),
    (lambda: L.batchnorm_forward(np.zeros((3, 4)), np.ones(4), np.zeros(4), {}), "mode"),
    (lambda: L.batchnorm_forward(np.zeros((3, 4)), np.ones(3), np.zeros(4), {"mode": "train"}), "gamma"),
    (lambda: L.dropout_forward(np.zeros(3), {"mode": "train", "p": 0.0}), "keep probability"),
    (lambda: L.dropout_forward(np.zeros(3), {"mode": "train"}), "'p'"),
    (lambda: L.affine_norm_relu_forward(np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(5), np.ones(5),
                                        np.zeros(5), {}, "groupnorm"), "normalization"),
])
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_affine_bn_relu_is_affine_norm_relu_with_batchnorm():
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    out1, cache1 = L.affine_bn_relu_forward(x, w, b, gamma, beta, {"mode": "train"})
    out2, cache2 = L.affine_norm_relu_forward(x, w, b, gamma, beta, {"mode": "train"}, "batchnorm")
    np.testing.assert_array_equal(out1, out2)
    dout = rng.standard_normal(out1.shape)
    for g1, g2 in zip(L.affine_bn_relu_backward(dout, cache1), L.affine_norm_relu_backward(dout, cache2)):
        np.testing.assert_array_equal(g1, g2)
