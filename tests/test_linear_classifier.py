"""cs231n_helpers.linear_classifier (notebook 02): the four losses against PyTorch autograd on
random inputs (float64), dtypes, the classifier API, bad input; and cs231n_helpers.toy2d."""
import numpy as np
import pytest

from cs231n_helpers import linear_classifier as lc
from cs231n_helpers import reference
from cs231n_helpers import toy2d
from cs231n_helpers.gradcheck import grad_check_sparse

LOSSES = {
    "svm_loss_naive": ("svm", lc.svm_loss_naive),
    "svm_loss_vectorized": ("svm", lc.svm_loss_vectorized),
    "softmax_loss_naive": ("softmax", lc.softmax_loss_naive),
    "softmax_loss_vectorized": ("softmax", lc.softmax_loss_vectorized),
}
CASES = [  # (N, D, C, reg, weight scale, seed)
    (1, 3, 2, 0.0, 1.0, 0),
    (7, 5, 3, 0.1, 1.0, 1),
    (50, 40, 10, 0.0, 0.1, 2),
    (50, 40, 10, 2.5, 0.1, 3),
    (23, 17, 4, 1e3, 1e-3, 4),
    (64, 3073, 10, 5e2, 1e-4, 5),
]


ORACLE = {"svm": reference.linear_svm_loss, "softmax": reference.linear_softmax_loss}  # PyTorch autograd


def random_problem(N, D, C, scale, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    W = (scale * rng.standard_normal((D, C))).astype(dtype)
    X = rng.standard_normal((N, D)).astype(dtype)
    y = rng.integers(0, C, N)
    return W, X, y


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("N,D,C,reg,scale,seed", CASES)
def test_loss_matches_torch_autograd(name, N, D, C, reg, scale, seed):
    kind, fn = LOSSES[name]
    W, X, y = random_problem(N, D, C, scale, seed)
    W0, X0, y0 = W.copy(), X.copy(), y.copy()
    loss, dW = fn(W, X, y, reg)
    ref_loss, ref_dW = ORACLE[kind](W, X, y, reg)
    assert np.isscalar(loss) or np.ndim(loss) == 0
    np.testing.assert_allclose(float(loss), ref_loss, rtol=1e-10, atol=1e-12)
    assert dW.shape == W.shape and dW.dtype == np.float64
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-8, atol=1e-11)
    # inputs are not modified
    assert np.array_equal(W, W0) and np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("kind", ["svm", "softmax"])
def test_naive_and_vectorized_agree_to_1e_9(kind):
    naive, fast = ((lc.svm_loss_naive, lc.svm_loss_vectorized) if kind == "svm"
                   else (lc.softmax_loss_naive, lc.softmax_loss_vectorized))
    rng = np.random.default_rng(0)
    X = rng.uniform(-128, 128, size=(200, 3073))
    X[:, -1] = 1
    y = rng.integers(0, 10, 200)
    W = 1e-4 * rng.standard_normal((3073, 10))
    (l1, g1), (l2, g2) = naive(W, X, y, 1e3), fast(W, X, y, 1e3)
    assert abs(l1 - l2) < 1e-9
    assert np.linalg.norm(g1 - g2) < 1e-9


@pytest.mark.parametrize("name", LOSSES)
def test_numeric_gradient(name):
    _, fn = LOSSES[name]
    W, X, y = random_problem(30, 12, 5, 0.1, 7)
    for reg in (0.0, 0.7):
        _, dW = fn(W, X, y, reg)
        errors = grad_check_sparse(lambda w: fn(w, X, y, reg)[0], W, dW, num_checks=20, h=1e-6, seed=0, verbose=False)
        assert max(errors) < 1e-6, (name, reg, errors)


@pytest.mark.parametrize("name", ["svm_loss_vectorized", "softmax_loss_vectorized"])
def test_float32_stays_float32(name):
    kind, fn = LOSSES[name]
    W, X, y = random_problem(100, 3073, 10, 1e-3, 3, dtype=np.float32)
    X *= 60
    loss, dW = fn(W, X, y, 10.0)
    assert dW.dtype == np.float32 and np.asarray(loss).dtype == np.float32
    ref_loss, ref_dW = ORACLE[kind](W.astype(np.float64), X.astype(np.float64), y, 10.0)
    np.testing.assert_allclose(float(loss), ref_loss, rtol=1e-4)
    assert np.linalg.norm(dW - ref_dW) <= 1e-4 * np.linalg.norm(ref_dW)


@pytest.mark.parametrize("name", ["softmax_loss_naive", "softmax_loss_vectorized"])
def test_softmax_is_numerically_stable(name):
    kind, fn = LOSSES[name]
    W, X, y = random_problem(20, 10, 4, 1.0, 0)
    W *= 1e3  # scores in the thousands: exp would overflow without the shift
    loss, dW = fn(W, X, y, 0.0)
    ref_loss, ref_dW = ORACLE[kind](W, X, y, 0.0)
    assert np.isfinite(loss) and np.all(np.isfinite(dW))
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-8, atol=1e-10)


def test_sanity_losses_with_tiny_weights():
    W, X, y = random_problem(500, 3073, 10, 1e-7, 0)
    X *= 60
    assert lc.svm_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(9.0, abs=0.05)
    assert lc.softmax_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(np.log(10), abs=0.01)


def test_svm_gradient_at_the_kink_is_a_subgradient():
    # margin of class 1 is exactly 0: the hinge is off (gradient 0), the numeric one says 0.5
    loss, dW = lc.svm_loss_naive(np.array([[1.0, 0.0]]), np.array([[1.0]]), np.array([0]), 0.0)
    assert loss == 0.0 and np.array_equal(dW, np.zeros((1, 2)))
    loss_v, dW_v = lc.svm_loss_vectorized(np.array([[1.0, 0.0]]), np.array([[1.0]]), np.array([0]), 0.0)
    assert loss_v == 0.0 and np.array_equal(dW_v, dW)


# ----------------------------------------------------------------------------- bad input
BAD_INPUTS = [  # (what to change, expected first word of the message)
    ("W_1d", "W"), ("W_3d", "W"), ("X_wrong_D", "X"), ("X_1d", "X"), ("X_empty", "X"),
    ("y_short", "y"), ("y_2d", "y"), ("y_float", "y"), ("y_negative", "y"), ("y_too_big", "y"),
    ("reg_negative", "reg"), ("reg_nan", "reg"), ("reg_inf", "reg"), ("reg_str", "reg"), ("reg_none", "reg"),
]


def _bad(what):
    W, X, y = random_problem(6, 4, 3, 0.1, 0)
    reg = 0.5
    change = {
        "W_1d": lambda: (W.ravel(), X, y, reg), "W_3d": lambda: (W[..., None], X, y, reg),
        "X_wrong_D": lambda: (W, X[:, :-1], y, reg), "X_1d": lambda: (W, X[0], y, reg),
        "X_empty": lambda: (W, X[:0], y[:0], reg),
        "y_short": lambda: (W, X, y[:-1], reg), "y_2d": lambda: (W, X, y[:, None], reg),
        "y_float": lambda: (W, X, y.astype(float), reg),
        "y_negative": lambda: (W, X, np.where(y == y[0], -1, y), reg),
        "y_too_big": lambda: (W, X, np.where(y == y[0], 3, y), reg),
        "reg_negative": lambda: (W, X, y, -1e-3), "reg_nan": lambda: (W, X, y, float("nan")),
        "reg_inf": lambda: (W, X, y, float("inf")), "reg_str": lambda: (W, X, y, "0.1"),
        "reg_none": lambda: (W, X, y, None),
    }
    return change[what]()


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("what,arg", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_the_argument(name, what, arg):
    _, fn = LOSSES[name]
    with pytest.raises(ValueError) as info:
        fn(*_bad(what))
    assert str(info.value).split()[0] == arg, str(info.value)


def test_label_error_says_the_range():
    with pytest.raises(ValueError, match=r"labels in 0\.\.2"):
        lc.svm_loss_vectorized(*_bad("y_too_big"))


# ----------------------------------------------------------------------------- classifiers
def blobs(n_per_class=40, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    centers = np.array([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    y = np.repeat(np.arange(3), n_per_class)
    X = lc.append_bias(centers[y] + 0.5 * rng.standard_normal((len(y), 2))).astype(dtype)
    return X, y


def test_package_exports():
    for name in lc.__all__:
        assert hasattr(lc, name), name
    assert issubclass(lc.LinearSVM, lc.LinearClassifier) and issubclass(lc.Softmax, lc.LinearClassifier)
    assert issubclass(lc.TrainingDiverged, ValueError)


def test_append_bias():
    X = np.arange(6, dtype=np.float32).reshape(2, 3)
    Xb = lc.append_bias(X)
    assert Xb.dtype == np.float32 and Xb.shape == (2, 4)
    assert np.array_equal(Xb[:, :3], X) and np.all(Xb[:, 3] == 1)
    assert lc.append_bias(np.ones((2, 2), dtype=np.int64)).dtype == np.float64
    with pytest.raises(ValueError, match="^X"):
        lc.append_bias(np.ones(3))


@pytest.mark.parametrize("cls", [lc.LinearSVM, lc.Softmax])
def test_train_and_predict_separable_blobs(cls):
    X, y = blobs()
    model = cls(seed=0)
    hist = model.train(X, y, learning_rate=0.1, reg=1e-3, num_iters=200, batch_size=30)
    assert isinstance(hist, list) and len(hist) == 200 and all(isinstance(v, float) for v in hist)
    assert hist == model.loss_history
    assert np.mean(hist[-20:]) < np.mean(hist[:20])
    assert model.W.shape == (3, 3)
    pred = model.predict(X)
    assert pred.shape == (len(X),) and np.issubdtype(pred.dtype, np.integer)
    assert np.mean(pred == y) == 1.0


@pytest.mark.parametrize("cls", [lc.LinearSVM, lc.Softmax])
def test_float32_training_keeps_float32(cls):
    X, y = blobs(dtype=np.float32)
    model = cls(seed=0)
    model.train(X, y, learning_rate=0.1, reg=1e-3, num_iters=20, batch_size=10)
    assert model.W.dtype == np.float32


def test_seed_reproducible_and_training_continues():
    X, y = blobs()
    a, b, c = lc.Softmax(seed=3), lc.Softmax(seed=3), lc.Softmax(seed=4)
    for m in (a, b, c):
        m.train(X, y, learning_rate=0.05, reg=0.0, num_iters=30, batch_size=10)
    assert np.array_equal(a.W, b.W) and not np.array_equal(a.W, c.W)
    W_before = a.W.copy()
    a.train(X, y, learning_rate=0.05, reg=0.0, num_iters=5, batch_size=10)  # continues from W
    assert a.W.shape == W_before.shape and not np.array_equal(a.W, W_before)


def test_predict_is_argmax_of_scores():
    model = lc.LinearSVM()
    model.W = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -0.5]])
    X = np.array([[2.0, 0.0, 1.0], [-2.0, 0.0, 1.0], [0.0, 3.0, 1.0]])
    assert model.predict(X).tolist() == [0, 1, 2]


def test_verbose_shows_progress_and_summary(capsys):
    X, y = blobs()
    lc.LinearSVM(seed=0).train(X, y, learning_rate=0.1, reg=0.0, num_iters=15, batch_size=10, verbose=True)
    out, err = capsys.readouterr()
    assert "LinearSVM: 15 iterations, loss" in out
    assert "LinearSVM" in err  # the tqdm bar (text mode outside Jupyter)


def test_diverging_training_stops_and_names_the_learning_rate():
    X, y = blobs()
    with pytest.raises(lc.TrainingDiverged) as info:
        lc.Softmax(seed=0).train(X * 100, y, learning_rate=10.0, reg=1.0, num_iters=500, batch_size=10)
    msg = str(info.value)
    assert "learning_rate (now 10" in msg and "reg" in msg
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("kwargs,arg", [
    ({"learning_rate": 0.0}, "learning_rate"), ({"learning_rate": -1e-3}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"), ({"reg": -1.0}, "reg"),
    ({"num_iters": 0}, "num_iters"), ({"num_iters": 2.5}, "num_iters"),
    ({"batch_size": 0}, "batch_size"), ({"batch_size": True}, "batch_size"),
])
def test_train_rejects_bad_hyperparameters(kwargs, arg):
    X, y = blobs()
    params = dict(learning_rate=1e-3, reg=0.0, num_iters=5, batch_size=10) | kwargs
    with pytest.raises(ValueError) as info:
        lc.LinearSVM().train(X, y, **params)
    assert str(info.value).split()[0] == arg


def test_train_and_predict_reject_bad_data():
    X, y = blobs()
    with pytest.raises(ValueError, match="^y"):
        lc.LinearSVM().train(X, y[:-1])
    with pytest.raises(ValueError, match="^y"):
        lc.LinearSVM().train(X, -y - 1)
    with pytest.raises(ValueError, match="^X"):
        lc.LinearSVM().train(X[0], y)
    model = lc.LinearSVM()
    with pytest.raises(RuntimeError, match="train"):
        model.predict(X)
    model.train(X, y, learning_rate=0.1, reg=0.0, num_iters=2, batch_size=5)
    with pytest.raises(ValueError, match="^X"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="W of shape"):
        model.train(X[:, :2], y)


def test_base_class_has_no_loss():
    X, y = blobs()
    with pytest.raises(TypeError, match="LinearSVM or Softmax"):
        lc.LinearClassifier().train(X, y, num_iters=1)


# ----------------------------------------------------------------------------- toy2d
def test_spiral_shapes_and_determinism():
    X, y = toy2d.make_spiral(n_per_class=50, n_classes=4, seed=1)
    assert X.shape == (200, 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), [50] * 4)
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)
    X2, y2 = toy2d.make_spiral(n_per_class=50, n_classes=4, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, toy2d.make_spiral(n_per_class=50, n_classes=4, seed=2)[0])
    assert toy2d.make_spiral(dtype=np.float32)[0].dtype == np.float32


def test_xor_labels_follow_the_quadrants():
    X, y = toy2d.make_xor(n_per_class=40, noise=0.0, seed=0)
    assert X.shape == (80, 2) and np.array_equal(np.bincount(y), [40, 40])
    assert np.array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64))
    X1, _ = toy2d.make_xor(seed=5)
    assert np.array_equal(X1, toy2d.make_xor(seed=5)[0])


@pytest.mark.parametrize("make", [toy2d.make_spiral, toy2d.make_xor])
def test_linear_classifiers_fail_on_the_toy_sets(make):
    X, y = make(seed=0)
    for cls in (lc.LinearSVM, lc.Softmax):
        model = cls(seed=0)
        model.train(lc.append_bias(X), y, learning_rate=0.1, reg=1e-3, num_iters=500, batch_size=100)
        assert np.mean(model.predict(lc.append_bias(X)) == y) < 0.7


@pytest.mark.parametrize("kwargs,arg", [
    ({"n_per_class": 1}, "n_per_class"), ({"n_per_class": 10.0}, "n_per_class"),
    ({"noise": -0.1}, "noise"), ({"noise": float("nan")}, "noise"),
])
def test_toy_bad_arguments(kwargs, arg):
    for make in (toy2d.make_spiral, toy2d.make_xor):
        with pytest.raises(ValueError) as info:
            make(**kwargs)
        assert str(info.value).split()[0] == arg
    with pytest.raises(ValueError, match="^n_classes"):
        toy2d.make_spiral(n_classes=1)
