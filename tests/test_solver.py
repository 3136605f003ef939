"""Solver: history, best-params restore, NaN handling, update rules, bad arguments."""
import numpy as np
import pytest

from cs231n_helpers import optim
from cs231n_helpers.fc_net import TwoLayerNet
from cs231n_helpers.solver import DEFAULTS, Solver


def _blobs(n, seed=0, d=6, c=3):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((c, d))
    y = rng.integers(0, c, n)
    return (centers[y] + rng.standard_normal((n, d))).astype(np.float32), y


def _data():
    X, y = _blobs(300)
    return {"X_train": X[:200], "y_train": y[:200], "X_val": X[200:], "y_val": y[200:]}


def _solver(model=None, **kw):
    model = model or TwoLayerNet(input_dim=6, hidden_dim=20, num_classes=3, weight_scale=1e-1, seed=0)
    kw = {"update_rule": "sgd", "optim_config": {"learning_rate": 0.1}, "batch_size": 20,
          "num_epochs": 3, "verbose": False, "progress": False, **kw}
    return Solver(model, _data(), **kw)


def test_histories_have_cs231n_lengths_and_learning_happens():
    s = _solver()
    s.train()
    iters = 3 * (200 // 20)
    assert len(s.loss_history) == iters
    assert len(s.train_acc_history) == len(s.val_acc_history) == 3 + 1  # first iteration + each epoch
    assert s.epoch == 3
    assert np.mean(s.loss_history[-5:]) < np.mean(s.loss_history[:5])
    assert s.best_val_acc == max(s.val_acc_history) > 0.8
    assert s.stop_reason is None


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam", optim.adam])
def test_every_update_rule_trains(rule):
    s = _solver(update_rule=rule, optim_config={"learning_rate": 1e-2})
    s.train()
    assert s.best_val_acc > 0.7
    assert all(v.dtype == np.float32 for v in s.model.params.values())


def test_lr_decay_and_per_parameter_configs():
    s = _solver(update_rule="sgd_momentum", lr_decay=0.5)
    s.train()
    assert set(s.optim_configs) == set(s.model.params)
    for p, cfg in s.optim_configs.items():
        assert cfg["learning_rate"] == pytest.approx(0.1 * 0.5 ** 3)
        assert cfg["velocity"].shape == s.model.params[p].shape


def test_check_accuracy_batches_and_subsamples():
    s = _solver()
    s.train()
    X, y = s.X_val, s.y_val
    full = np.mean(np.argmax(s.model.loss(X), axis=1) == y)
    assert s.check_accuracy(X, y, batch_size=7) == pytest.approx(full)
    assert 0 <= s.check_accuracy(X, y, num_samples=30) <= 1


class _Scripted:
    """A model whose parameters move by one each step and whose accuracy/loss follow a script."""

    def __init__(self, accs, losses):
        self.params = {"w": np.zeros(1)}
        self.accs, self.losses = accs, losses
        self.steps = 0

    def loss(self, X, y=None):
        k = int(round(self.params["w"][0]))
        if y is None:  # scores: predict the right class for a fraction accs[k] of the examples
            n = len(X)
            right = np.arange(n) < round(self.accs[min(k, len(self.accs) - 1)] * n)
            labels = X[:, 0].astype(int)
            pred = np.where(right, labels, (labels + 1) % 2)
            return np.eye(2)[pred]
        loss = self.losses[min(self.steps, len(self.losses) - 1)]
        self.steps += 1
        return loss, {"w": np.array([-1.0])}


def _scripted_data():
    y = np.array([0, 1] * 10)
    X = y[:, None].astype(np.float64)
    return {"X_train": X, "y_train": y, "X_val": X, "y_val": y}


def test_best_params_are_restored():
    # one iteration per epoch: the checks see w = 1, 2, 3; validation accuracy peaks at w = 2
    model = _Scripted(accs=[0.5, 0.6, 0.9, 0.7], losses=[1.0])
    s = Solver(model, _scripted_data(), optim_config={"learning_rate": 1.0}, batch_size=20, num_epochs=3,
               verbose=False, progress=False)
    s.train()
    assert s.val_acc_history == [0.6, 0.9, 0.7]
    assert s.best_val_acc == 0.9
    assert model.params["w"][0] == 2.0
    assert s.best_params["w"][0] == 2.0


def test_nan_loss_stops_with_a_message_and_keeps_best_params(capsys):
    model = _Scripted(accs=[0.5, 0.8, 0.6, 0.4], losses=[1.0, 1.0, 1.0, float("nan"), 1.0])
    s = Solver(model, _scripted_data(), optim_config={"learning_rate": 1.0}, batch_size=20, num_epochs=10,
               verbose=False, progress=False)
    s.train()
    assert s.stop_reason is not None and "nan" in s.stop_reason and "iteration 4" in s.stop_reason
    assert "nan" in capsys.readouterr().out  # printed even when verbose=False
    assert len(s.loss_history) == 4 and np.isnan(s.loss_history[-1])
    assert model.params["w"][0] == 1.0  # the best parameters seen (val acc 0.8), not the last
    assert s.best_val_acc == 0.8


def test_diverging_learning_rate_is_caught():
    model = TwoLayerNet(input_dim=6, hidden_dim=20, num_classes=3, weight_scale=1e-1, seed=0)
    s = _solver(model, optim_config={"learning_rate": 1e8}, num_epochs=5)
    with np.errstate(all="ignore"):
        s.train()
    assert s.stop_reason is not None
    assert all(np.all(np.isfinite(v)) for v in model.params.values())


def test_verbose_output_and_progress_bar(capsys):
    s = _solver(verbose=True, print_every=5, progress=True, num_epochs=1)
    s.train()
    out = capsys.readouterr()
    assert "(Iteration 1 / 10) loss:" in out.out and "(Epoch 1 / 1) train acc:" in out.out
    assert "training" in out.err  # tqdm's bar


@pytest.mark.parametrize("kwargs, match", [
    ({"update_rule": "adagrad"}, "update_rule must be one of"),
    ({"learning_rate": 1e-3}, "Unrecognized arguments"),
    ({"batch_size": 0}, "batch_size"),
    ({"lr_decay": 2.0}, "lr_decay"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _solver(**kwargs)


def test_bad_data():
    model = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3)
    data = _data()
    with pytest.raises(ValueError, match="data is missing the key"):
        Solver(model, {k: v for k, v in data.items() if k != "y_val"})
    with pytest.raises(ValueError, match="examples"):
        Solver(model, {**data, "y_train": data["y_train"][:5]})
    with pytest.raises(ValueError, match="params"):
        Solver(object(), data)


def test_bad_optim_config_surfaces_on_first_step():
    s = _solver(optim_config={"lr": 1e-3})
    with pytest.raises(ValueError, match="learning_rate"):
        s.train()


def test_the_defaults_live_in_one_dict():
    model = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, seed=0)
    s = Solver(model, _data())
    for key, value in DEFAULTS.items():
        assert getattr(s, key) == value, key
    assert s.batch_size == 100 and s.num_epochs == 10 and s.update_rule == "sgd"  # CS231n's values
    with pytest.raises(ValueError, match="expected some of update_rule, optim_config"):
        Solver(model, _data(), epochs=3)
