"""TwoLayerNet and FullyConnectedNet: against PyTorch, numeric gradients, dtype, sanity checks, bad input."""
import math

import numpy as np
import pytest

from cs231n_helpers import reference
from cs231n_helpers.fc_net import FullyConnectedNet, TwoLayerNet
from cs231n_helpers.gradcheck import check_model_gradients
from cs231n_helpers.solver import Solver


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_matches_torch(reg):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 2, 2, 2)), rng.integers(0, 7, 6)
    model = TwoLayerNet(input_dim=8, hidden_dim=11, num_classes=7, weight_scale=0.3, reg=reg, dtype=np.float64, seed=1)
    assert set(model.params) == {"W1", "b1", "W2", "b2"}
    assert model.params["W1"].shape == (8, 11) and model.params["b2"].shape == (7,)
    scores_t, loss_t, grads_t = reference.fc_net(model.params, X, y, model.reg)
    np.testing.assert_allclose(model.loss(X), scores_t, rtol=1e-10, atol=1e-12)
    loss, grads = model.loss(X, y)
    assert loss == pytest.approx(loss_t, rel=1e-12)
    assert set(grads) == set(model.params)
    for k in grads:
        np.testing.assert_allclose(grads[k], grads_t[k], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("norm", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("hidden", [[5], [9, 4, 6]])
def test_fully_connected_net_matches_torch(norm, hidden):
    rng = np.random.default_rng(len(hidden))
    X, y = rng.standard_normal((7, 10)), rng.integers(0, 4, 7)
    model = FullyConnectedNet(hidden, input_dim=10, num_classes=4, normalization=norm, reg=0.3,
                              weight_scale=0.5, dtype=np.float64, seed=2)
    scores_t, loss_t, grads_t = reference.fc_net(model.params, X, y, model.reg, norm)
    loss, grads = model.loss(X, y)
    assert loss == pytest.approx(loss_t, rel=1e-10)
    assert set(grads) == set(model.params) == set(grads_t)
    for k in grads:
        np.testing.assert_allclose(grads[k], grads_t[k], rtol=1e-8, atol=1e-11, err_msg=k)
    if norm != "batchnorm":  # batchnorm test mode uses running averages, not batch statistics
        np.testing.assert_allclose(model.loss(X), scores_t, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("norm", [None, "batchnorm"])
def test_fully_connected_net_with_dropout_passes_gradient_check(norm):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 8)), rng.integers(0, 5, 3)
    model = FullyConnectedNet([6, 7], input_dim=8, num_classes=5, dropout_keep_ratio=0.6, normalization=norm,
                              reg=0.1, weight_scale=0.5, dtype=np.float64, seed=3)
    check_model_gradients(model, X, y, threshold=1e-5, h=1e-5)


def test_dropout_only_in_train_mode():
    model = FullyConnectedNet([50], input_dim=4, num_classes=3, dropout_keep_ratio=0.5, dtype=np.float64)
    X = np.random.default_rng(0).standard_normal((5, 4))
    s1, s2 = model.loss(X), model.loss(X)
    np.testing.assert_array_equal(s1, s2)
    l1, _ = model.loss(X, np.zeros(5, dtype=int))
    l2, _ = model.loss(X, np.zeros(5, dtype=int))
    assert l1 != l2  # a new mask every step without a seed


@pytest.mark.parametrize("make", [
    lambda: TwoLayerNet(seed=0),
    lambda: FullyConnectedNet([30, 20], normalization="batchnorm", dropout_keep_ratio=0.5, reg=np.float64(0.1), seed=0),
    lambda: FullyConnectedNet([30, 20], normalization="layernorm", seed=0),
])
def test_float32_stays_float32(make):
    model = make()
    assert all(v.dtype == np.float32 for v in model.params.values())
    X = np.random.default_rng(0).standard_normal((16, 3, 32, 32)).astype(np.float32)
    y = np.arange(16) % 10
    assert model.loss(X).dtype == np.float32
    loss, grads = model.loss(X, y)
    assert all(g.dtype == np.float32 for g in grads.values()), {k: g.dtype for k, g in grads.items()}


def test_initial_loss_is_log_num_classes():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((200, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, 200)
    for model in (TwoLayerNet(seed=0), FullyConnectedNet([100, 100], weight_scale=1e-3, seed=0)):
        loss, _ = model.loss(X, y)
        assert abs(loss - math.log(10)) < 0.01


@pytest.mark.parametrize("hidden, ws, lr", [([100, 100], 2e-1, 3e-2), ([100, 100, 100, 100], 2e-1, 3e-2)])
def test_deep_nets_overfit_fifty_examples(hidden, ws, lr):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 3, 8, 8)).astype(np.float32), rng.integers(0, 10, 50)
    np.random.seed(0)
    model = FullyConnectedNet(hidden, input_dim=3 * 8 * 8, weight_scale=ws, seed=0)
    s = Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, update_rule="sgd",
               optim_config={"learning_rate": lr}, batch_size=25, num_epochs=20, verbose=False, progress=False)
    s.train()
    assert max(s.train_acc_history) == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: FullyConnectedNet([10], normalization="groupnorm"), "normalization"),
    (lambda: FullyConnectedNet([], input_dim=4), "hidden_dims"),
    (lambda: FullyConnectedNet(10, input_dim=4), "hidden_dims"),
    (lambda: FullyConnectedNet([10, 0], input_dim=4), "hidden_dims"),
    (lambda: FullyConnectedNet([10], dropout_keep_ratio=0), "dropout_keep_ratio"),
    (lambda: FullyConnectedNet([10], weight_scale=-1), "weight_scale"),
    (lambda: FullyConnectedNet([10], weight_scale=1e60), "overflows float32"),
    (lambda: FullyConnectedNet([10], reg=-0.1), "reg"),
    (lambda: FullyConnectedNet([10], dtype=np.int32), "dtype"),
    (lambda: TwoLayerNet(hidden_dim=0), "hidden_dim"),
    (lambda: TwoLayerNet(input_dim=12).loss(np.zeros((2, 13), np.float32)), "12 values per example"),
    (lambda: TwoLayerNet(input_dim=12).loss(np.zeros((2, 12), np.float32), np.array([0, 10])), "labels in 0..9"),
    (lambda: FullyConnectedNet([5], input_dim=12).loss(np.zeros((2, 3, 4), np.float32), np.array([0])), "shape"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
