"""ThreeLayerConvNet and the conv-relu-pool sandwich (cs231n_helpers.cnn, generated from
notebooks/05_pooling.ipynb): initial loss, gradients (numeric and PyTorch), dtype, errors."""
import math

import numpy as np
import pytest

from cs231n_helpers import reference
from cs231n_helpers.cnn import ThreeLayerConvNet, conv_relu_pool_backward, conv_relu_pool_forward
from cs231n_helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_helpers.solver import Solver


def tiny(reg=0.1, seed=0, **kw):
    args = dict(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7, weight_scale=1e-1,
                reg=reg, dtype=np.float64, seed=seed)
    args.update(kw)
    return ThreeLayerConvNet(**args)


def torch_twin(model, X, y):
    """The same net in PyTorch (cs231n_helpers.reference): (loss, scores, grads)."""
    scores, loss, grads = reference.three_layer_convnet(model.params, X, y, reg=model.reg)
    return loss, scores, grads


def test_shapes_and_initial_loss():
    model = ThreeLayerConvNet(seed=0)
    assert model.params["W1"].shape == (32, 3, 7, 7)
    assert model.params["W2"].shape == (32 * 16 * 16, 100)
    assert model.params["W3"].shape == (100, 10)
    assert all(v.dtype == np.float32 for v in model.params.values())
    X = np.random.default_rng(0).standard_normal((10, 3, 32, 32)).astype(np.float32) * 50
    y = np.arange(10)
    scores = model.loss(X)
    assert scores.shape == (10, 10) and scores.dtype == np.float32
    loss, grads = model.loss(X, y)
    assert abs(loss - math.log(10)) < 0.02
    assert set(grads) == set(model.params)
    assert all(grads[k].shape == model.params[k].shape and grads[k].dtype == np.float32 for k in grads)


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_numeric_gradients(reg):
    model = tiny(reg=reg)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((2, 3, 8, 8)), np.array([3, 9])
    _, grads = model.loss(X, y)
    for k, v in model.params.items():
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], v, verbose=False, h=1e-6)
        assert rel_error(grads[k], num) < 1e-6, k


@pytest.mark.parametrize("seed", range(3))
def test_matches_pytorch(seed):
    rng = np.random.default_rng(seed)
    model = tiny(reg=0.05 * seed, seed=seed, input_dim=(2, 6, 10), num_filters=4, filter_size=(3, 5, 1)[seed])
    X, y = rng.standard_normal((3, 2, 6, 10)), rng.integers(0, 10, 3)
    loss_t, scores_t, grads_t = torch_twin(model, X, y)
    loss, grads = model.loss(X, y)
    assert rel_error(model.loss(X), scores_t) < 1e-10
    assert abs(loss - loss_t) < 1e-10
    for k in model.params:
        assert rel_error(grads[k], grads_t[k]) < 1e-8, k


def test_conv_relu_pool_sandwich():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    cp, pp = {"stride": 1, "pad": 1}, {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = conv_relu_pool_forward(x, w, b, cp, pp)
    ref = reference.max_pool2d(reference.relu(reference.conv2d(x, w, b, cp)), pp)
    assert rel_error(out, ref) < 1e-12
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_relu_pool_backward(dout, cache)
    for got, arg in ((dx, x), (dw, w), (db, b)):
        num = eval_numerical_gradient_array(lambda _: conv_relu_pool_forward(x, w, b, cp, pp)[0], arg, dout)
        assert rel_error(got, num) < 1e-7


def test_seed_reproducible():
    a, b = ThreeLayerConvNet(seed=3), ThreeLayerConvNet(seed=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_overfits_a_few_examples():
    rng = np.random.default_rng(0)
    N = 20
    X = rng.standard_normal((N, 3, 8, 8)).astype(np.float32) * 30
    y = rng.integers(0, 10, N)
    data = {"X_train": X, "y_train": y, "X_val": X[:5], "y_val": y[:5]}
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=8, filter_size=3, hidden_dim=50, weight_scale=1e-2, seed=0)
    solver = Solver(model, data, num_epochs=40, batch_size=10, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    verbose=False, progress=False)
    solver.train()
    assert solver.train_acc_history[-1] >= 0.9


@pytest.mark.parametrize("kwargs, word", [
    (dict(input_dim=(3, 31, 32)), "input_dim"),
    (dict(input_dim=(3, 32)), "input_dim"),
    (dict(input_dim=(0, 32, 32)), "input_dim"),
    (dict(filter_size=4), "filter_size"),
    (dict(filter_size=0), "filter_size"),
    (dict(num_filters=0), "num_filters"),
    (dict(hidden_dim=-1), "hidden_dim"),
    (dict(num_classes=1.5), "num_classes"),
    (dict(weight_scale=0), "weight_scale"),
    (dict(reg=-1), "reg"),
    (dict(dtype=np.int32), "dtype"),
])
def test_bad_constructor_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ThreeLayerConvNet(**kwargs)


def test_bad_X_and_y():
    model = ThreeLayerConvNet(seed=0)
    with pytest.raises(ValueError, match="X must have shape"):
        model.loss(np.zeros((2, 3, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match="y"):
        model.loss(np.zeros((2, 3, 32, 32), dtype=np.float32), np.array([0, 10]))
