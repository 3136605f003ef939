"""The gradient checker passes right gradients, fails wrong ones, and says which."""
import numpy as np
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.gradcheck import (check_layer_gradients, check_model_gradients, compare_gradients,
                                      eval_numerical_gradient, eval_numerical_gradient_array,
                                      grad_check_sparse, rel_error)


def test_rel_error():
    assert rel_error(np.ones(3), np.ones(3)) == 0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0  # no division by zero
    assert abs(rel_error(np.array([1.0]), np.array([1.1])) - 0.1 / 2.1) < 1e-12


def test_numeric_gradient_of_quadratic():
    x = np.random.default_rng(0).standard_normal((3, 4))
    g = eval_numerical_gradient(lambda v: np.sum(v ** 2), x, verbose=False)
    assert rel_error(g, 2 * x) < 1e-8


def test_numeric_gradient_array():
    rng = np.random.default_rng(1)
    x, W = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))
    dout = rng.standard_normal((4, 5))
    g = eval_numerical_gradient_array(lambda v: v @ W, x, dout)
    assert rel_error(g, dout @ W.T) < 1e-8


def _affine(x, w):
    return x @ w, (x, w)


def _affine_back(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout


def _affine_back_wrong(dout, cache):
    x, w = cache
    return dout @ w.T, 2 * x.T @ dout


def test_layer_checker_passes_right_and_fails_wrong(capsys):
    rng = np.random.default_rng(2)
    inputs = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 2))}
    errs = check_layer_gradients(_affine, inputs, _affine_back, name="affine")
    assert max(errs.values()) < 1e-8
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and "affine dx" in out and "affine dw" in out
    with pytest.raises(AssertionError) as info:
        check_layer_gradients(_affine, inputs, _affine_back_wrong, name="affine")
    msg = str(info.value)
    assert "dw" in msg and "factor of 2" in msg and "dx" not in msg.split("✗")[1][:10]


def test_loss_style_checker_and_thresholds():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))

    def loss(x):
        return float(np.sum(x ** 3)), (3 * x ** 2,)

    errs = check_layer_gradients(loss, {"x": x}, threshold={"x": 1e-7})
    assert errs["x"] < 1e-7
    with pytest.raises(CheckFailed):
        check_layer_gradients(lambda x: (float(np.sum(x ** 3)), (2 * x ** 2,)), {"x": x})


class Quadratic:
    def __init__(self, wrong=False):
        self.params = {"W": np.random.default_rng(0).standard_normal((3, 2))}
        self.wrong = wrong

    def loss(self, X, y):
        W = self.params["W"]
        loss = 0.5 * np.sum((X @ W - y) ** 2)
        g = X.T @ (X @ W - y)
        return loss, {"W": -g if self.wrong else g}


def test_model_checker():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    assert check_model_gradients(Quadratic(), X, y)["W"] < 1e-7
    with pytest.raises(CheckFailed, match="sign"):
        check_model_gradients(Quadratic(wrong=True), X, y)


def test_missing_and_misshapen_gradients_fail():
    with pytest.raises(CheckFailed, match="no analytic gradient"):
        compare_gradients({}, {"W": np.zeros(2)})
    with pytest.raises(CheckFailed, match="shape"):
        compare_gradients({"W": np.zeros(3)}, {"W": np.zeros(2)})


def test_warns_on_float32():
    x = np.ones(3, dtype=np.float32)
    with pytest.warns(RuntimeWarning, match="float64"):
        eval_numerical_gradient(lambda v: float(np.sum(v)), x, verbose=False)


def test_grad_check_sparse_handles_zero_gradients(capsys):
    x = np.zeros((3, 3))
    errs = grad_check_sparse(lambda v: 0.0, x, np.zeros_like(x), num_checks=5, seed=0)
    assert errs == [0.0] * 5
    x = np.random.default_rng(5).standard_normal((4, 4))
    errs = grad_check_sparse(lambda v: float(np.sum(v ** 2)), x, 2 * x, num_checks=5, seed=0, verbose=False)
    assert max(errs) < 1e-8
