"""Update rules of cs231n_helpers.optim: the formulas, PyTorch's optimizers, state, dtype, bad config."""
import numpy as np
import pytest

from cs231n_helpers import optim, reference


def _traj_ours(rule, w0, grads, config):
    w, cfg = w0.copy(), dict(config)
    for g in grads:
        w, cfg = getattr(optim, rule)(w, g, cfg)
    return w, cfg


@pytest.mark.parametrize("rule, config", [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd_momentum", {"learning_rate": 0.05}),      # torch.optim.SGD(lr=0.05, momentum=0.9)
    ("rmsprop", {"learning_rate": 0.01}),           # torch.optim.RMSprop(lr=0.01, alpha=0.99, eps=1e-8)
    ("adam", {"learning_rate": 0.01}),              # torch.optim.Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-8)
])
def test_trajectory_matches_torch(rule, config):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(7)]
    ours, _ = _traj_ours(rule, w0, grads, config)
    np.testing.assert_allclose(ours, reference.optimizer_steps(rule, w0, grads, config), rtol=1e-10, atol=1e-12)


def test_formulas_one_step():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    nw, cfg = optim.sgd(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(nw, w - 0.1 * dw)
    v0 = np.array([0.3, -0.1])
    nw, cfg = optim.sgd_momentum(w, dw, {"learning_rate": 0.1, "momentum": 0.5, "velocity": v0})
    np.testing.assert_allclose(cfg["velocity"], 0.5 * v0 - 0.1 * dw)
    np.testing.assert_allclose(nw, w + 0.5 * v0 - 0.1 * dw)
    c0 = np.array([1.0, 2.0])
    nw, cfg = optim.rmsprop(w, dw, {"learning_rate": 0.1, "decay_rate": 0.9, "cache": c0})
    c1 = 0.9 * c0 + 0.1 * dw ** 2
    np.testing.assert_allclose(cfg["cache"], c1)
    np.testing.assert_allclose(nw, w - 0.1 * dw / (np.sqrt(c1) + 1e-8))
    m0, v0 = np.array([0.1, 0.2]), np.array([0.3, 0.4])
    nw, cfg = optim.adam(w, dw, {"learning_rate": 0.1, "m": m0, "v": v0, "t": 4})
    m1, v1 = 0.9 * m0 + 0.1 * dw, 0.999 * v0 + 0.001 * dw ** 2
    assert cfg["t"] == 5
    np.testing.assert_allclose(nw, w - 0.1 * (m1 / (1 - 0.9 ** 5)) / (np.sqrt(v1 / (1 - 0.999 ** 5)) + 1e-8))


def test_cs231n_reference_values():
    """The expected values printed in CS231n's FullyConnectedNets notebook (first update)."""
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, _ = optim.sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    expected = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    np.testing.assert_allclose(next_w, expected, rtol=1e-6)


def test_defaults_and_state_are_filled_in():
    w = np.zeros(3)
    for rule, defaults in optim.DEFAULTS.items():
        _, cfg = getattr(optim, rule)(w, w, None)
        for k, v in defaults.items():
            assert cfg[k] == v
    assert optim.DEFAULTS["sgd_momentum"]["momentum"] == 0.9
    assert optim.DEFAULTS["rmsprop"]["decay_rate"] == 0.99
    assert optim.DEFAULTS["adam"] == {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_float32_stays_float32_even_with_numpy_hyperparameters(rule):
    w = np.ones((3, 2), dtype=np.float32)
    cfg = {"learning_rate": np.float64(1e-2)}  # e.g. from np.logspace in a search
    for _ in range(3):
        w, cfg = getattr(optim, rule)(w, np.full_like(w, 0.5), cfg)
        assert w.dtype == np.float32
    assert all(np.asarray(v).dtype != np.float64 for k, v in cfg.items() if isinstance(v, np.ndarray))


def test_input_is_not_modified():
    w, dw = np.ones(3), np.ones(3)
    optim.adam(w, dw, {})
    np.testing.assert_array_equal(w, np.ones(3))


@pytest.mark.parametrize("call, match", [
    (lambda: optim.adam(np.zeros(3), np.zeros(3), {"lr": 1e-3}), "did you mean 'lr' -> 'learning_rate'"),
    (lambda: optim.sgd(np.zeros(3), np.zeros(3), {"momentum": 0.9}), "unknown config key"),
    (lambda: optim.sgd(np.zeros(3), np.zeros(4), {}), "dw must have the shape"),
    (lambda: optim.sgd_momentum(np.zeros(3), np.zeros(3), {"velocity": np.zeros(4)}), "velocity"),
    (lambda: optim.rmsprop(np.zeros(3), np.zeros(3), {"learning_rate": float("nan")}), "learning_rate"),
    (lambda: optim.adam(np.zeros(3), np.zeros(3), [1e-3]), "config must be a dict"),
])
def test_bad_config_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
