"""Spatial batch normalization, group normalization, the conv-bn-relu sandwich and
BatchNormConvNet (cs231n_helpers.cnn, generated from notebooks/05_pooling.ipynb, sections 10-11),
their PyTorch oracles (cs231n_helpers.reference) and pictures (cs231n_helpers.plotting)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cs231n_helpers import plotting, reference  # noqa: E402
from cs231n_helpers.cnn import (BatchNormConvNet, ThreeLayerConvNet, conv_bn_relu_backward,  # noqa: E402
                                conv_bn_relu_forward, spatial_batchnorm_backward, spatial_batchnorm_forward,
                                spatial_groupnorm_backward, spatial_groupnorm_forward)
from cs231n_helpers.gradcheck import eval_numerical_gradient, rel_error  # noqa: E402


def test_batchnorm_running_statistics_follow_pytorch_over_many_steps():
    """Ten train steps from PyTorch's own start (mean 0, var 1): the running mean is PyTorch's; the
    running variance differs only by the biased/unbiased convention."""
    rng = np.random.default_rng(0)
    C = 3
    bn_param = {"mode": "train", "running_mean": np.zeros(C), "running_var": np.ones(C), "momentum": 0.8}
    rm_t, rv_t = np.zeros(C), np.ones(C)
    rv_biased_t = np.ones(C)
    for _ in range(10):
        x = rng.standard_normal((4, C, 5, 5)) * 2 + 3
        spatial_batchnorm_forward(x, np.ones(C), np.zeros(C), bn_param)
        _, rm_t, rv_t = reference.batchnorm2d(x, np.ones(C), np.zeros(C), running_mean=rm_t, running_var=rv_t, momentum=0.8)
        rv_biased_t = 0.8 * rv_biased_t + 0.2 * x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(bn_param["running_mean"], rm_t, rtol=1e-12)
    np.testing.assert_allclose(bn_param["running_var"], rv_biased_t, rtol=1e-12)
    assert np.all(rv_t > bn_param["running_var"])          # PyTorch's is the unbiased one: larger by m / (m - 1)


@pytest.mark.parametrize("G", [1, 2, 4])
def test_groupnorm_matches_pytorch_in_float32(G):
    rng = np.random.default_rng(G)
    x = rng.standard_normal((3, 4, 6, 5)).astype(np.float32) * 5
    gamma, beta = rng.standard_normal((1, 4, 1, 1)).astype(np.float32), rng.standard_normal((1, 4, 1, 1)).astype(np.float32)
    dout = rng.standard_normal(x.shape).astype(np.float32)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    out_t, dx_t, dg_t, db_t = reference.groupnorm(x, gamma, beta, G, dout)
    assert out.dtype == dx.dtype == np.float32 and dgamma.shape == dbeta.shape == (1, 4, 1, 1)
    for a, b in ((out, out_t), (dx, dx_t), (dgamma, dg_t), (dbeta, db_t)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_the_official_cells_run_unchanged():
    """The official notebook passes a bn_param to group norm and integer gamma/beta to batch norm."""
    x = np.random.default_rng(0).standard_normal((2, 6, 4, 5))
    out, _ = spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 2, {"mode": "train"})
    assert out.shape == x.shape
    out, _ = spatial_batchnorm_forward(x[:, :3], np.asarray([3, 4, 5]), np.asarray([6, 7, 8]), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), [6, 7, 8], atol=1e-12)


def test_conv_bn_relu_matches_pytorch():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    gamma, beta, dout = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal((2, 5, 6, 6))
    out, cache = conv_bn_relu_forward(x, w, b, gamma, beta, {"stride": 1, "pad": 1}, {"mode": "train"})
    ours = (out, *conv_bn_relu_backward(dout, cache))
    theirs = reference.conv_bn_relu(x, w, b, gamma, beta, {"stride": 1, "pad": 1}, dout)
    for k, (a, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-10, err_msg=str(k))
    assert conv_bn_relu_backward(dout, cache, need_dx=False)[0] is None


def test_batchnorm_convnet_shapes_modes_and_gradients():
    model = BatchNormConvNet(seed=0)
    assert set(model.params) == set(ThreeLayerConvNet(seed=0).params) | {"gamma1", "beta1"}
    X = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32) * 30
    loss, grads = model.loss(X, np.arange(4))
    assert model.bn_param["mode"] == "train" and model.bn_param["running_mean"].shape == (32,)
    assert set(grads) == set(model.params) and all(grads[k].dtype == np.float32 for k in grads)
    scores = model.loss(X)
    assert model.bn_param["mode"] == "test" and scores.shape == (4, 10)
    tiny = BatchNormConvNet(input_dim=(2, 6, 6), num_filters=2, filter_size=3, hidden_dim=5, weight_scale=0.1,
                            reg=0.1, dtype=np.float64, seed=0)
    rng = np.random.default_rng(0)
    tiny.params["gamma1"], tiny.params["beta1"] = 1 + 0.1 * rng.standard_normal(2), 0.1 * rng.standard_normal(2)
    Xt, yt = rng.standard_normal((4, 2, 6, 6)), rng.integers(0, 10, 4)
    _, grads = tiny.loss(Xt, yt)
    for k in ("W1", "W2", "W3", "gamma1", "beta1"):
        num = eval_numerical_gradient(lambda _: tiny.loss(Xt, yt)[0], tiny.params[k], verbose=False, h=1e-6)
        assert rel_error(grads[k], num) < 1e-6, k
    assert np.abs(grads["b1"]).max() < 1e-12


@pytest.mark.parametrize("call,name", [
    (lambda: spatial_batchnorm_forward(np.zeros((2, 3, 4)), np.ones(3), np.zeros(3), {"mode": "train"}), "x"),
    (lambda: spatial_batchnorm_forward(np.zeros((2, 3, 4, 4)), np.ones(4), np.zeros(3), {"mode": "train"}), "gamma"),
    (lambda: spatial_batchnorm_forward(np.zeros((2, 3, 4, 4)), np.ones(3), np.zeros(3), {}), "mode"),
    (lambda: spatial_batchnorm_backward(np.zeros((2, 3, 4)), None), "dout"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 4, {}), "G"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 0, {}), "G"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones(6), np.zeros(6), 3, {}), "gamma"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones((1, 6, 1, 1)), np.zeros(6), 3, {}), "beta"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 3, None), "gn_param"),
    (lambda: spatial_groupnorm_forward(np.zeros((2, 6, 4, 4)), np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 3, {"eps": -1}), "eps"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_pictures():
    moved = {"batch norm": np.eye(3, 4, dtype=bool), "group norm": np.zeros((3, 4), dtype=bool)}
    assert isinstance(plotting.show_norm_sharing(moved, (0, 0)), Figure)
    assert isinstance(plotting.plot_channel_stats({"a": (np.zeros(4), np.ones(4))}, markers={"a": {"beta": np.ones(4)}}), Figure)
    assert isinstance(plotting.plot_batch_statistics({"mean": np.zeros((5, 4))}, {"mean": np.zeros(4)}), Figure)
    with pytest.raises(ValueError, match="moved"):
        plotting.show_norm_sharing({}, (0, 0))
    with pytest.raises(ValueError, match="panels"):
        plotting.plot_channel_stats({})
    with pytest.raises(ValueError, match="same statistic"):
        plotting.plot_batch_statistics({"mean": np.zeros((5, 4))}, {"std": np.zeros(4)})
