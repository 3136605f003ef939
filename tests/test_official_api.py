"""The official CS231n API in cs231n_helpers: every name the official notebooks of assignments
1 and 2 (2024-2026 starter code) import from ``cs231n.*``, with the official signature and the
official results.

The mapping is the README's table ("Beside the official assignments"): the first test reads it,
imports every name on the right and compares its parameters with the official signature on
the left. The other tests run the official notebooks' own check cells against ours - their
inputs (seeds included), the expected values they print, and the tolerances they state (cited
in each test; where a notebook only says "around e-9", the bound is one order above it).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import pickle
import random
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cs231n_helpers import data as D
from cs231n_helpers import features, gradcheck, layers, optim
from cs231n_helpers.cnn import ThreeLayerConvNet, conv_relu_pool_backward, conv_relu_pool_forward
from cs231n_helpers.conv_layers import (conv_backward_fast, conv_backward_naive, conv_forward_fast, conv_forward_naive,
                                        conv_relu_backward, conv_relu_forward)
from cs231n_helpers.fc_net import FullyConnectedNet, TwoLayerNet
from cs231n_helpers.feedback import backprop as fb_backprop
from cs231n_helpers.gradcheck import (eval_numerical_gradient, eval_numerical_gradient_array, grad_check_sparse,
                                      rel_error)
from cs231n_helpers.knn import KNearestNeighbor
from cs231n_helpers.linear_classifier import LinearSVM, Softmax, softmax_loss_naive, softmax_loss_vectorized
from cs231n_helpers.plotting import visualize_grid
from cs231n_helpers.pooling import (max_pool_backward_fast, max_pool_backward_naive, max_pool_forward_fast,
                                    max_pool_forward_naive)
from cs231n_helpers.solver import Solver

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT.parent / "shared" / "datasets" / "cifar10-subset"

# Names of issue 13, part 1 (spatial batch/group norm and the conv-bn-relu sandwich, taught in
# notebook 05 by another change). Until they exist, their rows and tests are skipped with this
# reason; once they are in cs231n_helpers.cnn, empty this set and every check applies.
def _part1(name):
    """cs231n_helpers.cnn.<name>: spatial batch/group norm and the conv_bn_relu sandwich (notebook 05)."""
    from cs231n_helpers import cnn
    return getattr(cnn, name)


# ----------------------------------------------------------------------------- the table
def _table_rows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Beside the official assignments", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    out = []
    for line in rows:
        official_cell, ours_cell = line.split(" | ")[:2]
        official = re.findall(r"`([^`]+)`", official_cell)
        ours = re.findall(r"`([^`]+)`", ours_cell)
        assert len(official) == len(ours), f"README row pairs {len(official)} official names with {len(ours)} of ours: {line}"
        last_owner = None
        for off, our in zip(official, ours):
            name, params = off.split("(", 1)
            if name.startswith("."):            # `.predict(X)`: a method of the previous row's class
                name = last_owner + name
            elif name.split(".")[-1][:1].isupper():
                last_owner = name
            else:
                last_owner = name.rsplit(".", 1)[0] if name.rsplit(".", 2)[-2][:1].isupper() else None
            out.append((name, params[:-1], our))
    return out


TABLE = _table_rows()


def _resolve(path):
    """``mod.attr[.attr]`` under cs231n_helpers (the longest importable module prefix)."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module("cs231n_helpers." + ".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(path)


def _official_params(params):
    """[(name, kind, default)] of an official parameter list such as ``x, h=1e-05, **kwargs``."""
    fn = ast.parse(f"def f({params}): pass").body[0].args
    defaults = [None] * (len(fn.args) - len(fn.defaults)) + list(fn.defaults)
    out = [(a.arg, "positional", None if d is None else eval(compile(ast.Expression(d), "<readme>", "eval"), {"np": np}))
           for a, d in zip(fn.args, defaults)]
    if fn.vararg:
        out.append((fn.vararg.arg, "*args", None))
    if fn.kwarg:
        out.append((fn.kwarg.arg, "**kwargs", None))
    return out, len(fn.args) - len(fn.defaults)


def test_readme_table_covers_the_official_notebooks():
    names = {name for name, _, _ in TABLE}
    # what the official notebooks import, by notebook (2024-2026 starter code)
    imported = {
        "knn": ["data_utils.load_CIFAR10", "classifiers.KNearestNeighbor"],
        "svm (2024)": ["classifiers.linear_svm.svm_loss_naive", "classifiers.linear_svm.svm_loss_vectorized",
                       "gradient_check.grad_check_sparse", "classifiers.LinearSVM"],
        "softmax": ["classifiers.softmax.softmax_loss_naive", "classifiers.softmax.softmax_loss_vectorized",
                    "classifiers.Softmax", "classifiers.linear_classifier.LinearClassifier.save"],
        "two_layer_net": ["data_utils.get_CIFAR10_data", "gradient_check.eval_numerical_gradient",
                          "gradient_check.eval_numerical_gradient_array", "solver.Solver",
                          "layer_utils.affine_relu_forward", "layer_utils.affine_relu_backward",
                          "vis_utils.visualize_grid", "classifiers.fc_net.TwoLayerNet.save",
                          "layers.affine_forward", "layers.relu_backward", "layers.softmax_loss"],
        "features": ["features.hog_feature", "features.color_histogram_hsv", "features.extract_features"],
        "FullyConnectedNets": ["classifiers.fc_net.FullyConnectedNet", "optim.sgd_momentum", "optim.rmsprop", "optim.adam"],
        "BatchNormalization": ["layers.batchnorm_forward", "layers.batchnorm_backward", "layers.batchnorm_backward_alt",
                               "layers.layernorm_forward", "layers.layernorm_backward",
                               "gradient_check.eval_numerical_gradient_blobs", "gradient_check.eval_numerical_gradient_net"],
        "Dropout": ["layers.dropout_forward", "layers.dropout_backward"],
        "ConvolutionalNetworks": ["layers.conv_forward_naive", "layers.max_pool_backward_naive",
                                  "fast_layers.conv_forward_fast", "fast_layers.max_pool_backward_fast",
                                  "layer_utils.conv_relu_pool_forward", "layer_utils.conv_relu_forward",
                                  "classifiers.cnn.ThreeLayerConvNet", "solver.Solver.check_accuracy",
                                  "layers.spatial_batchnorm_forward", "layers.spatial_groupnorm_backward",
                                  "layer_utils.conv_bn_relu_forward"],
        "data_utils": ["data_utils.load_pickle", "data_utils.load_CIFAR_batch"],
    }
    missing = {nb: [n for n in ns if n not in names] for nb, ns in imported.items()}
    assert not any(missing.values()), f"official names missing from the README table: {missing}"


@pytest.mark.parametrize("official, params, ours", TABLE, ids=[row[0] for row in TABLE])
def test_official_name_exists_with_the_official_signature(official, params, ours):
    obj = _resolve(ours)
    sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    ps = [p for p in sig.parameters.values() if p.name != "self"]
    wanted, n_required = _official_params(params)
    for i, (name, kind, default) in enumerate(wanted):
        if kind == "**kwargs":
            assert any(p.kind is p.VAR_KEYWORD for p in ps), f"{ours} takes no **{name}"
            continue
        assert i < len(ps) and ps[i].name == name, f"{ours}: parameter {i + 1} is {ps[i].name if i < len(ps) else None}, officially {name}"
        if i >= n_required:       # (a parameter the official requires may have a default here: ROOT)
            assert ps[i].default == default, f"{ours}: {name} defaults to {ps[i].default!r}, officially {default!r}"
    for p in ps[len([w for w in wanted if w[1] == "positional"]):]:   # ours may add optional parameters
        assert p.default is not p.empty or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL), \
            f"{ours}: the extra parameter {p.name} must be optional"


# ----------------------------------------------------------------------------- data_utils
def _write_batches(folder, n=7, keys=str):
    """CIFAR-10's format in miniature: six pickled dicts of n images each, plus batches.meta."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for f in D.TRAIN_FILES + [D.TEST_FILE]:
        d = {keys("data"): rng.integers(0, 256, (n, 3072), dtype=np.uint8), keys("labels"): rng.integers(0, 10, n).tolist()}
        (folder / f).write_bytes(pickle.dumps(d, protocol=2))
    (folder / D.META_FILE).write_bytes(pickle.dumps({"label_names": D.CLASS_NAMES}, protocol=2))
    return folder


def test_load_cifar_batch_and_load_pickle_on_a_fake_batch(tmp_path):
    folder = _write_batches(tmp_path / "cifar-10-batches-py")
    with open(folder / "data_batch_1", "rb") as f:
        d = D.load_pickle(f)                                   # official: load_pickle(f), f an open file
    X, y = D.load_CIFAR_batch(folder / "data_batch_1")
    assert X.dtype == np.float64 and X.shape == (7, 32, 32, 3) and y.dtype == np.int64
    # the official layout: row = R plane, G plane, B plane -> (N, 32, 32, 3)
    np.testing.assert_array_equal(X, d["data"].reshape(7, 3, 32, 32).transpose(0, 2, 3, 1).astype("float"))
    np.testing.assert_array_equal(y, np.array(d["labels"]))
    Xtr, ytr, Xte, yte = D.load_CIFAR10(folder)               # ROOT = cifar-10-batches-py, as the notebooks pass it
    assert (Xtr.shape, Xte.shape, Xtr.dtype, ytr.dtype) == ((35, 32, 32, 3), (7, 32, 32, 3), np.float64, np.int64)
    np.testing.assert_array_equal(Xtr[:7], X)
    assert np.array_equal(D.load_CIFAR10(tmp_path)[0], Xtr)   # or the folder that holds it


def test_load_pickle_runs_no_code_from_a_data_file(tmp_path):
    sentinel = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    bad = tmp_path / "data_batch_1"
    bad.write_bytes(pickle.dumps({"data": Evil(), "labels": [1]}, protocol=2))
    with open(bad, "rb") as f, pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        D.load_pickle(f)
    with pytest.raises(pickle.UnpicklingError):
        D.load_CIFAR_batch(bad)
    assert not sentinel.exists()
    with pytest.raises(ValueError, match="f must be a file"):
        D.load_pickle(42)


def test_get_cifar10_data_official_dict_on_a_fake_folder(tmp_path):
    folder = _write_batches(tmp_path / "cifar-10-batches-py", n=10)
    data = D.get_CIFAR10_data(30, 10, 5, root=folder)
    assert list(data) == ["X_train", "y_train", "X_val", "y_val", "X_test", "y_test"]
    raw, yraw, raw_te, _ = D.load_CIFAR10(folder)
    mean = raw[:30].mean(axis=0)
    np.testing.assert_array_equal(data["X_train"], (raw[:30] - mean).transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(data["X_val"], (raw[30:40] - mean).transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(data["X_test"], (raw_te[:5] - mean).transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(data["y_val"], yraw[30:40])
    assert all(v.dtype == np.float64 for k, v in data.items() if k[0] == "X")
    plain = D.get_CIFAR10_data(30, 10, 5, subtract_mean=False, root=folder)
    np.testing.assert_array_equal(plain["X_train"], raw[:30].transpose(0, 3, 1, 2))
    for kw, arg in [({"num_training": 45}, "num_training"), ({"num_test": 11}, "num_test"),
                    ({"num_training": -1}, "num_training"), ({"num_validation": "many"}, "num_validation")]:
        with pytest.raises(ValueError, match=arg):
            D.get_CIFAR10_data(**{"num_training": 30, "num_validation": 10, "num_test": 5, **kw}, root=folder)
    with pytest.raises(D.DataError, match="download"):
        D.get_CIFAR10_data(1, 0, 0, root=tmp_path / "empty")


@pytest.fixture(scope="module")
def subset():
    if not (SUBSET / "cifar-10-batches-py").is_dir():
        pytest.skip(f"the CIFAR-10 subset is not at {SUBSET}")
    return SUBSET / "cifar-10-batches-py"


def test_loaders_on_the_cifar10_subset(subset):
    Xtr, ytr, Xte, yte = D.load_CIFAR10(str(subset))
    assert (Xtr.shape, Xte.shape, Xtr.dtype, ytr.dtype) == ((5085, 32, 32, 3), (1017, 32, 32, 3), np.float64, np.int64)
    Xu, yu, _, _ = D.load_cifar10(subset)                       # ours: the same pixels in uint8
    assert Xu.dtype == np.uint8 and np.array_equal(Xu, Xtr) and np.array_equal(yu, ytr)
    # softmax.ipynb: mean_image = np.mean(X_train, axis=0); X_train -= mean_image (in place: float64 needed)
    X = np.reshape(Xtr[:100], (100, -1))
    X -= np.mean(X, axis=0)
    with pytest.raises(ValueError, match=r"num_training \+ num_validation = 49,000 \+ 1,000"):
        D.get_CIFAR10_data(root=subset)                         # the official defaults ask for 50,000
    with pytest.raises(ValueError, match="num_test"):
        D.get_CIFAR10_data(4085, 1000, 1018, root=subset)
    data = D.get_CIFAR10_data(4085, 1000, 1000, root=subset)
    shapes = {k: v.shape for k, v in data.items()}              # the setup cell prints exactly this
    assert shapes == {"X_train": (4085, 3, 32, 32), "y_train": (4085,), "X_val": (1000, 3, 32, 32),
                      "y_val": (1000,), "X_test": (1000, 3, 32, 32), "y_test": (1000,)}
    assert np.abs(data["X_train"].mean(axis=0)).max() < 1e-9


def test_knn_no_loop_matches_two_loops_on_float64_pixels(subset):
    # knn.ipynb: distances on load_CIFAR10's float64 pixels; "difference < 0.001" (Frobenius)
    Xtr, ytr, Xte, _ = D.load_CIFAR10(subset)
    X_train, X_test = Xtr[:500].reshape(500, -1), Xte[:20].reshape(20, -1)
    clf = KNearestNeighbor()
    clf.train(X_train, ytr[:500])
    dists = clf.compute_distances_two_loops(X_test)
    assert np.linalg.norm(dists - clf.compute_distances_one_loop(X_test), ord="fro") < 0.001
    assert np.linalg.norm(dists - clf.compute_distances_no_loops(X_test), ord="fro") < 0.001
    np.testing.assert_array_equal(clf.predict_labels(dists, k=1), ytr[:500][np.argmin(dists, axis=1)])


def test_softmax_notebook_checks(subset):
    # softmax.ipynb: W = randn(3073, 10) * 1e-4 on dev rows with the bias column; loss ~ -log(0.1);
    # naive and vectorized agree; grad_check_sparse "should match almost exactly"
    Xtr, ytr, _, _ = D.load_CIFAR10(subset)
    X = Xtr[:200].reshape(200, -1)                  # 200 rows, not 500: the same checks, quicker
    X = np.hstack([X - X.mean(axis=0), np.ones((200, 1))])
    y = ytr[:200]
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3073, 10)) * 0.0001
    loss, grad = softmax_loss_naive(W, X, y, 0.000005)
    assert abs(loss - (-np.log(0.1))) < 0.1
    loss_v, grad_v = softmax_loss_vectorized(W, X, y, 0.000005)
    assert abs(loss - loss_v) < 1e-10 and np.linalg.norm(grad - grad_v, ord="fro") < 1e-10
    for reg in (0.0, 5e1):
        loss, grad = softmax_loss_naive(W, X, y, reg)
        random.seed(231)
        errors = grad_check_sparse(lambda w: softmax_loss_naive(w, X, y, reg)[0], W, grad, verbose=False)
        assert max(errors) < 1e-6
    clf = Softmax()
    hist = clf.train(X, y, learning_rate=1e-7, reg=2.5e4, num_iters=30)
    assert len(hist) == 30 and clf.predict(X).shape == (200,)


# ----------------------------------------------------------------------------- gradient_check
def test_grad_check_sparse_draws_like_the_official_one(capsys):
    x0 = np.arange(1.0, 61.0).reshape(5, 12)
    x = x0.copy()
    touched = []

    def f(v):
        touched.append(tuple(int(i) for i in np.argwhere(v != x0)[0]))
        return float(np.sum(v ** 2))

    random.seed(7)
    errors = grad_check_sparse(f, x, 2 * x, num_checks=4)
    random.seed(7)
    official = [tuple(random.randrange(m) for m in x.shape) for _ in range(4)]   # the official draw
    assert touched[::2] == official and len(errors) == 4 and max(errors) < 1e-6
    assert capsys.readouterr().out.count("numerical:") == 4     # one line per entry, as the official
    np.testing.assert_array_equal(x, x0)                        # restored


def test_eval_numerical_gradient_blobs_and_net():
    rng = np.random.default_rng(0)
    x = SimpleNamespace(vals=rng.standard_normal((3, 4)), diffs=np.zeros((3, 4)))
    w = SimpleNamespace(vals=rng.standard_normal((3, 4)), diffs=np.zeros((3, 4)))
    out = SimpleNamespace(vals=np.zeros((3, 4)), diffs=rng.standard_normal((3, 4)))

    def f(a, b, o):                      # writes its result into the output blob
        o.vals[...] = a.vals * b.vals + a.vals ** 2

    dx, dw = gradcheck.eval_numerical_gradient_blobs(f, (x, w), out)
    assert rel_error(dx, (w.vals + 2 * x.vals) * out.diffs) < 1e-8 and rel_error(dw, x.vals * out.diffs) < 1e-8
    net = SimpleNamespace(forward=lambda: f(x, w, out))
    dx2, dw2 = gradcheck.eval_numerical_gradient_net(net, (x, w), out)
    np.testing.assert_allclose(dx2, dx)
    np.testing.assert_allclose(dw2, dw)
    with pytest.raises(ValueError, match="output must be a blob"):
        gradcheck.eval_numerical_gradient_blobs(f, (x, w), np.zeros(3))


# ----------------------------------------------------------------------------- two_layer_net.ipynb / FullyConnectedNets.ipynb
def test_affine_relu_softmax_two_layer_net_notebook_values():
    # affine_forward: "error should be around e-9 or less"
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    x = np.linspace(-0.1, 0.5, num=num_inputs * np.prod(input_shape)).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=output_dim * np.prod(input_shape)).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = layers.affine_forward(x, w, b)
    correct_out = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct_out) < 1e-8
    # affine_backward: "around e-10 or less"
    np.random.seed(231)
    x, w, b, dout = np.random.randn(10, 2, 3), np.random.randn(6, 5), np.random.randn(5), np.random.randn(10, 5)
    dx_num = eval_numerical_gradient_array(lambda x: layers.affine_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: layers.affine_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: layers.affine_forward(x, w, b)[0], b, dout)
    dx, dw, db = layers.affine_backward(dout, layers.affine_forward(x, w, b)[1])
    assert max(rel_error(dx_num, dx), rel_error(dw_num, dw), rel_error(db_num, db)) < 1e-9
    # relu_forward: "on the order of e-8"; relu_backward: "e-12"
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    correct_out = np.array([[0., 0., 0., 0.], [0., 0., 0.04545455, 0.13636364], [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert rel_error(layers.relu_forward(x)[0], correct_out) < 5e-8
    np.random.seed(231)
    x = np.random.randn(10, 10)
    dout = np.random.randn(*x.shape)
    dx_num = eval_numerical_gradient_array(lambda x: layers.relu_forward(x)[0], x, dout)
    assert rel_error(dx_num, layers.relu_backward(dout, layers.relu_forward(x)[1])) < 1e-11
    # affine_relu sandwich: "around e-10 or less"
    np.random.seed(231)
    x, w, b, dout = np.random.randn(2, 3, 4), np.random.randn(12, 10), np.random.randn(10), np.random.randn(2, 10)
    _, cache = layers.affine_relu_forward(x, w, b)
    grads = layers.affine_relu_backward(dout, cache)
    for g, v in zip(grads, (x, w, b)):
        num = eval_numerical_gradient_array(lambda _: layers.affine_relu_forward(x, w, b)[0], v, dout)
        assert rel_error(num, g) < 1e-9
    # softmax_loss: "loss should be close to 2.3 and dx error around e-8"
    np.random.seed(231)
    x = 0.001 * np.random.randn(50, 10)
    y = np.random.randint(10, size=50)
    dx_num = eval_numerical_gradient(lambda x: layers.softmax_loss(x, y)[0], x, verbose=False)
    loss, dx = layers.softmax_loss(x, y)
    assert abs(loss - 2.3) < 0.01 and rel_error(dx_num, dx) < 1e-7


def test_two_layer_net_notebook_values():
    # two_layer_net.ipynb, "Two-layer network": the asserts of the official cell, unchanged
    np.random.seed(231)
    N, D, H, C = 3, 5, 50, 7
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=N)
    std = 1e-3
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=std)
    assert abs(model.params["W1"].std() - std) < std / 10 and np.all(model.params["b1"] == 0)
    assert abs(model.params["W2"].std() - std) < std / 10 and np.all(model.params["b2"] == 0)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    scores = model.loss(X)
    correct_scores = np.asarray(
        [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
         [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
         [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    assert np.abs(scores - correct_scores).sum() < 1e-6
    y = np.asarray([0, 5, 1])
    loss, grads = model.loss(X, y)
    assert abs(loss - 3.4702243556) < 1e-10
    model.reg = 1.0
    loss, grads = model.loss(X, y)
    assert abs(loss - 26.5948426952) < 1e-10
    for reg in [0.0, 0.7]:                         # "relative errors should be around e-7 or less"
        model.reg = reg
        loss, grads = model.loss(X, y)
        for name in sorted(grads):
            grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False)
            assert rel_error(grad_num, grads[name]) < 1e-6, (reg, name)


def test_fully_connected_net_notebook_checks():
    # FullyConnectedNets.ipynb: "most errors around e-7 or less; W2 around e-5 is fine at reg = 0".
    # The initial losses are the ones a run of the official notebook prints (published solution
    # outputs): the same seed draws the same weights here.
    np.random.seed(231)
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=(N,))
    for reg, official_loss in [(0, 2.3004790897684924), (3.14, 7.052114776533016)]:
        model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2, dtype=np.float64)
        loss, grads = model.loss(X, y)
        assert abs(loss - official_loss) < 1e-10
        for name in sorted(grads):
            grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
            assert rel_error(grad_num, grads[name]) < (1e-4 if name == "W2" else 1e-6), (reg, name)


def test_optimizers_notebook_values():
    # FullyConnectedNets.ipynb: sgd_momentum "around e-8 or less"; rmsprop and adam "around e-7 or less".
    # Its inputs and printed arrays are kept once, in the feedback of notebook 03 (feedback.backprop).
    w, dw, a, b = fb_backprop.cs231n_optim_inputs()      # a = linspace(0.6, 0.9), b = linspace(0.7, 0.5)
    config = {"learning_rate": 1e-3, "velocity": a.copy()}
    next_w, _ = optim.sgd_momentum(w, dw, config=config)
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    assert rel_error(next_w, fb_backprop.CS231N_MOMENTUM_W) < 1e-7
    assert rel_error(expected_velocity, config["velocity"]) < 1e-7

    config = {"learning_rate": 1e-2, "cache": a.copy()}
    next_w, _ = optim.rmsprop(w, dw, config=config)
    assert rel_error(fb_backprop.CS231N_RMSPROP_W, next_w) < 1e-6
    assert rel_error(fb_backprop.CS231N_RMSPROP_CACHE, config["cache"]) < 1e-6

    config = {"learning_rate": 1e-2, "m": a.copy(), "v": b.copy(), "t": 5}
    next_w, _ = optim.adam(w, dw, config=config)
    assert max(rel_error(fb_backprop.CS231N_ADAM_W, next_w), rel_error(fb_backprop.CS231N_ADAM_V, config["v"]),
               rel_error(fb_backprop.CS231N_ADAM_M, config["m"])) < 1e-6


def test_solver_api_as_the_notebooks_use_it():
    rng = np.random.default_rng(0)
    small_data = {"X_train": rng.standard_normal((50, 3, 4, 4)), "y_train": rng.integers(0, 10, 50),
                  "X_val": rng.standard_normal((20, 3, 4, 4)), "y_val": rng.integers(0, 10, 20)}
    model = FullyConnectedNet([20, 20], input_dim=48, weight_scale=1e-2, dtype=np.float64)
    solver = Solver(model, small_data, print_every=10, num_epochs=2, batch_size=25,
                    update_rule="sgd", optim_config={"learning_rate": 1e-2}, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 4 and len(solver.train_acc_history) == len(solver.val_acc_history) == 3
    assert 0.0 <= solver.check_accuracy(small_data["X_train"], small_data["y_train"]) <= 1.0


# ----------------------------------------------------------------------------- BatchNormalization.ipynb / Dropout.ipynb
def test_batchnorm_and_layernorm_notebook_checks():
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    X, W1, W2 = np.random.randn(N, D1), np.random.randn(D1, D2), np.random.randn(D2, D3)
    a = np.maximum(0, X.dot(W1)).dot(W2)
    # "means should be close to zero and stds close to one" / "close to beta and gamma"
    a_norm, _ = layers.batchnorm_forward(a, np.ones(D3), np.zeros(D3), {"mode": "train"})
    assert np.allclose(a_norm.mean(axis=0), 0, atol=1e-7) and np.allclose(a_norm.std(axis=0), 1, atol=1e-3)
    gamma, beta = np.asarray([1.0, 2.0, 3.0]), np.asarray([11.0, 12.0, 13.0])
    a_norm, _ = layers.batchnorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(a_norm.mean(axis=0), beta, atol=1e-7) and np.allclose(a_norm.std(axis=0), gamma, atol=3e-3)
    # test time after 50 training batches: "close to 0 and 1, but noisier"
    np.random.seed(231)
    W1, W2 = np.random.randn(D1, D2), np.random.randn(D2, D3)
    bn_param = {"mode": "train"}
    for _ in range(50):
        layers.batchnorm_forward(np.maximum(0, np.random.randn(N, D1).dot(W1)).dot(W2), np.ones(D3), np.zeros(D3), bn_param)
    bn_param["mode"] = "test"
    a_norm, _ = layers.batchnorm_forward(np.maximum(0, np.random.randn(N, D1).dot(W1)).dot(W2), np.ones(D3), np.zeros(D3), bn_param)
    assert np.all(np.abs(a_norm.mean(axis=0)) < 0.2) and np.all(np.abs(a_norm.std(axis=0) - 1) < 0.2)
    # backward: "relative errors between 1e-13 and 1e-8" (batchnorm), "1e-12 and 1e-8" (layernorm)
    for forward, backward, param in ((layers.batchnorm_forward, layers.batchnorm_backward, {"mode": "train"}),
                                     (layers.batchnorm_forward, layers.batchnorm_backward_alt, {"mode": "train"}),
                                     (layers.layernorm_forward, layers.layernorm_backward, {})):
        np.random.seed(231)
        x = 5 * np.random.randn(4, 5) + 12
        gamma, beta, dout = np.random.randn(5), np.random.randn(5), np.random.randn(4, 5)
        dx_num = eval_numerical_gradient_array(lambda x: forward(x, gamma, beta, param)[0], x, dout)
        da_num = eval_numerical_gradient_array(lambda a: forward(x, a, beta, param)[0], gamma.copy(), dout)
        db_num = eval_numerical_gradient_array(lambda b: forward(x, gamma, b, param)[0], beta.copy(), dout)
        dx, dgamma, dbeta = backward(dout, forward(x, gamma, beta, param)[1])
        assert max(rel_error(dx_num, dx), rel_error(da_num, dgamma), rel_error(db_num, dbeta)) < 1e-8, backward.__name__
    # layernorm forward per example, with the official ln_param {'mode': 'train'}
    np.random.seed(231)
    X = np.random.randn(4, D1)
    a = np.maximum(0, X.dot(np.random.randn(D1, D2))).dot(np.random.randn(D2, D3))
    a_norm, _ = layers.layernorm_forward(a, np.asarray([3.0] * 3), np.asarray([5.0] * 3), {"mode": "train"})
    assert np.allclose(a_norm.mean(axis=1), 5, atol=1e-7) and np.allclose(a_norm.std(axis=1), 3, atol=1e-2)


def test_batchnorm_alt_matches_and_batchnorm_net_gradients():
    np.random.seed(231)
    x = 5 * np.random.randn(100, 500) + 12
    gamma, beta, dout = np.random.randn(500), np.random.randn(500), np.random.randn(100, 500)
    _, cache = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for g1, g2 in zip(layers.batchnorm_backward(dout, cache), layers.batchnorm_backward_alt(dout, cache)):
        assert rel_error(g1, g2) < 1e-10
    # "W: 1e-4 to 1e-10; b: 1e-8 to 1e-10; beta and gamma: 1e-8 to 1e-9". A published run of the
    # official notebook prints these initial losses and W1 1.10e-04 at reg = 0, as here; the
    # biases before a batchnorm have no gradient at all (0 / 0 there, rounding noise here).
    np.random.seed(231)
    X, y = np.random.randn(2, 15), np.random.randint(10, size=(2,))
    for reg, official_loss in [(0, 2.2611955101340957), (3.14, 6.996533220108303)]:
        model = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, reg=reg, weight_scale=5e-2,
                                  dtype=np.float64, normalization="batchnorm")
        loss, grads = model.loss(X, y)
        assert abs(loss - official_loss) < 1e-10
        for name in sorted(grads):
            grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
            bound = {"W": 2e-4, "b": 1e-6}.get(name[0], 1e-7)
            assert rel_error(grad_num, grads[name]) < bound, (reg, name)


def test_dropout_notebook_checks():
    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    for p in [0.25, 0.4, 0.7]:                     # p is the probability of keeping a unit
        out, _ = layers.dropout_forward(x, {"mode": "train", "p": p})
        out_test, _ = layers.dropout_forward(x, {"mode": "test", "p": p})
        # the train-time mean has a standard deviation of about 10 * sqrt((1 - p) / p / 250000) <= 0.035
        assert abs(out.mean() - x.mean()) < 0.15 and abs((out == 0).mean() - (1 - p)) < 0.01
        assert np.array_equal(out_test, x)
    # "error should be around e-10 or less"
    np.random.seed(231)
    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
    out, cache = layers.dropout_forward(x, dropout_param)
    dx = layers.dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda xx: layers.dropout_forward(xx, dropout_param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-9
    # the net with dropout: "around e-6 or less; W2 around e-5 is fine with keep ratio 1"
    np.random.seed(231)
    X, y = np.random.randn(2, 15), np.random.randint(10, size=(2,))
    for keep in [1, 0.75, 0.5]:
        model = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, weight_scale=5e-2, dtype=np.float64,
                                  dropout_keep_ratio=keep, seed=123)
        _, grads = model.loss(X, y)
        for name in sorted(grads):
            grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
            assert rel_error(grad_num, grads[name]) < 1e-4, (keep, name)


# ----------------------------------------------------------------------------- ConvolutionalNetworks.ipynb
def test_conv_and_pool_notebook_values():
    # conv_forward_naive: "difference around e-8"
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    correct_out = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                             [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                             [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                            [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                             [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                             [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
    assert rel_error(out, correct_out) < 1e-7
    # conv_backward_naive: "around e-8 or less"
    np.random.seed(231)
    x, w, b, dout = np.random.randn(4, 3, 5, 5), np.random.randn(2, 3, 3, 3), np.random.randn(2,), np.random.randn(4, 2, 5, 5)
    conv_param = {"stride": 1, "pad": 1}
    nums = [eval_numerical_gradient_array(lambda _: conv_forward_naive(x, w, b, conv_param)[0], v, dout) for v in (x, w, b)]
    grads = conv_backward_naive(dout, conv_forward_naive(x, w, b, conv_param)[1])
    assert max(rel_error(g, n) for g, n in zip(grads, nums)) < 1e-7
    # max_pool_forward_naive: "on the order of e-8"; backward: "e-12"
    x = np.linspace(-0.3, 0.4, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    out, _ = max_pool_forward_naive(x, {"pool_width": 2, "pool_height": 2, "stride": 2})
    correct_out = np.array([[[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                             [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                             [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
                            [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                             [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                             [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])
    assert rel_error(out, correct_out) < 1e-7
    np.random.seed(231)
    x, dout = np.random.randn(3, 2, 8, 8), np.random.randn(3, 2, 4, 4)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    dx_num = eval_numerical_gradient_array(lambda x: max_pool_forward_naive(x, pool_param)[0], x, dout)
    assert rel_error(max_pool_backward_naive(dout, max_pool_forward_naive(x, pool_param)[1]), dx_num) < 1e-11


def test_fast_layers_match_naive_on_the_notebook_inputs():
    # "relative errors should be around e-9 or less" (conv), "close to 0.0" (pool). The notebook's
    # inputs; the naive conv runs on the first 10 of its 100 images to keep the test quick.
    np.random.seed(231)
    x, w, b = np.random.randn(100, 3, 31, 31), np.random.randn(25, 3, 3, 3), np.random.randn(25,)
    dout = np.random.randn(100, 25, 16, 16)
    conv_param = {"stride": 2, "pad": 1}
    x, dout = x[:10], dout[:10]
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    assert rel_error(out_naive, out_fast) < 1e-8
    for g_naive, g_fast in zip(conv_backward_naive(dout, cache_naive), conv_backward_fast(dout, cache_fast)):
        assert rel_error(g_naive, g_fast) < 1e-8
    np.random.seed(231)
    x, dout = np.random.randn(100, 3, 32, 32), np.random.randn(100, 3, 16, 16)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
    out_fast, cache_fast = max_pool_forward_fast(x, pool_param)
    assert rel_error(out_naive, out_fast) < 1e-12
    assert rel_error(max_pool_backward_naive(dout, cache_naive), max_pool_backward_fast(dout, cache_fast)) < 1e-12


def _sandwich_errors(forward, backward, inputs, dout, extra):
    """Relative errors of backward against numeric gradients of forward, per input (official style)."""
    _, cache = forward(*inputs, *extra)
    grads = backward(dout, cache)
    return [rel_error(eval_numerical_gradient_array(lambda _: forward(*inputs, *extra)[0], v, dout), g)
            for v, g in zip(inputs, grads)]


def test_conv_sandwiches_notebook_checks():
    # conv_relu_pool and conv_relu: "relative errors should be around e-8 or less"
    np.random.seed(231)
    x, w, b, dout = np.random.randn(2, 3, 16, 16), np.random.randn(3, 3, 3, 3), np.random.randn(3,), np.random.randn(2, 3, 8, 8)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    errs = _sandwich_errors(conv_relu_pool_forward, conv_relu_pool_backward, (x, w, b), dout, ({"stride": 1, "pad": 1}, pool_param))
    assert max(errs) < 1e-7
    np.random.seed(231)
    x, w, b, dout = np.random.randn(2, 3, 8, 8), np.random.randn(3, 3, 3, 3), np.random.randn(3,), np.random.randn(2, 3, 8, 8)
    assert max(_sandwich_errors(conv_relu_forward, conv_relu_backward, (x, w, b), dout, ({"stride": 1, "pad": 1},))) < 1e-7


def test_conv_bn_relu_sandwich():
    # layer_utils.conv_bn_relu_*: not checked in the notebook; the conv_relu check's inputs, plus gamma and beta
    forward, backward = _part1("conv_bn_relu_forward"), _part1("conv_bn_relu_backward")
    np.random.seed(231)
    x, w, b, dout = np.random.randn(2, 3, 8, 8), np.random.randn(3, 3, 3, 3), np.random.randn(3,), np.random.randn(2, 3, 8, 8)
    gamma, beta = np.random.randn(3), np.random.randn(3)
    bn_param = {"mode": "train"}
    out, cache = forward(x, w, b, gamma, beta, {"stride": 1, "pad": 1}, bn_param)
    assert out.shape == (2, 3, 8, 8) and np.all(out >= 0)
    errs = _sandwich_errors(lambda x, w, b, g, be, cp, bp: forward(x, w, b, g, be, cp, bp), backward,
                            (x, w, b, gamma, beta), dout, ({"stride": 1, "pad": 1}, bn_param))
    assert max(errs[:1] + errs[3:]) < 1e-7 and errs[1] < 1e-6
    assert errs[2] < 1e-6 or np.allclose(backward(dout, cache)[2], 0, atol=1e-10)   # b cancels in batchnorm


def test_three_layer_convnet_notebook_checks():
    # "Sanity check loss": about log(C) without regularization, a bit more with it
    np.random.seed(231)
    model = ThreeLayerConvNet()
    X, y = np.random.randn(50, 3, 32, 32), np.random.randint(10, size=50)
    loss, _ = model.loss(X, y)
    assert abs(loss - np.log(10)) < 0.05
    model.reg = 0.5
    assert model.loss(X, y)[0] > loss
    # "Gradient check": "errors should be small, though up to e-2 is possible". A published run of
    # the official notebook prints these errors; the same seed gives the same weights here, and
    # the same kinks (ReLU, max) inside +-h give the same errors.
    official = {"W1": 1.380104e-04, "W2": 1.822723e-02, "W3": 3.064049e-04, "b1": 3.477652e-05, "b2": 2.516375e-03}
    np.random.seed(231)
    X, y = np.random.randn(2, 3, 16, 16), np.random.randint(10, size=2)
    model = ThreeLayerConvNet(num_filters=3, filter_size=3, input_dim=(3, 16, 16), hidden_dim=7, dtype=np.float64)
    _, grads = model.loss(X, y)
    for name in sorted(grads):
        grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        err = rel_error(grad_num, grads[name])
        assert err < 5e-2 and (name == "b3" and err < 1e-8 or abs(err / official.get(name, err) - 1) < 1e-2), (name, err)


def test_spatial_batchnorm_notebook_checks():
    forward, backward = _part1("spatial_batchnorm_forward"), _part1("spatial_batchnorm_backward")
    np.random.seed(231)
    N, C, H, W = 2, 3, 4, 5
    x = 4 * np.random.randn(N, C, H, W) + 10
    out, _ = forward(x, np.ones(C), np.zeros(C), {"mode": "train"})
    assert out.shape == x.shape
    assert np.allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-7) and np.allclose(out.std(axis=(0, 2, 3)), 1, atol=1e-3)
    gamma, beta = np.asarray([3, 4, 5]), np.asarray([6, 7, 8])
    out, _ = forward(x, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-6) and np.allclose(out.std(axis=(0, 2, 3)), gamma, atol=1e-2)
    # test time after 50 training batches: "close to 0 and 1, but noisier"
    np.random.seed(231)
    N, C, H, W = 10, 4, 11, 12
    bn_param = {"mode": "train"}
    for _ in range(50):
        forward(2.3 * np.random.randn(N, C, H, W) + 13, np.ones(C), np.zeros(C), bn_param)
    bn_param["mode"] = "test"
    a_norm, _ = forward(2.3 * np.random.randn(N, C, H, W) + 13, np.ones(C), np.zeros(C), bn_param)
    assert np.all(np.abs(a_norm.mean(axis=(0, 2, 3))) < 0.2) and np.all(np.abs(a_norm.std(axis=(0, 2, 3)) - 1) < 0.2)
    # backward: "errors between 1e-12 and 1e-6"
    np.random.seed(231)
    N, C, H, W = 2, 3, 4, 5
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma, beta, dout = np.random.randn(C), np.random.randn(C), np.random.randn(N, C, H, W)
    bn_param = {"mode": "train"}
    nums = [eval_numerical_gradient_array(lambda _: forward(x, gamma, beta, bn_param)[0], v, dout) for v in (x, gamma, beta)]
    grads = backward(dout, forward(x, gamma, beta, bn_param)[1])
    assert max(rel_error(n, g) for n, g in zip(nums, grads)) < 1e-6


def test_spatial_groupnorm_notebook_checks():
    forward, backward = _part1("spatial_groupnorm_forward"), _part1("spatial_groupnorm_backward")
    np.random.seed(231)
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    out, _ = forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), G, {"mode": "train"})
    out_g = out.reshape((N * G, -1))               # the notebook's view: one row per (example, group)
    assert out.shape == x.shape
    assert np.allclose(out_g.mean(axis=1), 0, atol=1e-7) and np.allclose(out_g.std(axis=1), 1, atol=1e-3)
    # backward: "errors between 1e-12 and 1e-7"
    np.random.seed(231)
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma, beta, dout = np.random.randn(1, C, 1, 1), np.random.randn(1, C, 1, 1), np.random.randn(N, C, H, W)
    gn_param = {}
    nums = [eval_numerical_gradient_array(lambda _: forward(x, gamma, beta, G, gn_param)[0], v, dout) for v in (x, gamma, beta)]
    grads = backward(dout, forward(x, gamma, beta, G, gn_param)[1])
    assert max(rel_error(n, g) for n, g in zip(nums, grads)) < 1e-7


# ----------------------------------------------------------------------------- features, vis_utils
def test_hog_and_color_histogram_match_the_official_values(subset):
    # values computed once with the official features.py (SciPy's uniform_filter) on the first
    # training image of the CIFAR-10 subset
    Xtr, _, _, _ = D.load_CIFAR10(subset)
    hog = features.hog_feature(Xtr[0])
    assert hog.shape == (144,)                     # 4 x 4 cells x 9 orientations
    np.testing.assert_allclose(hog[:6], [2.3693763181250227, 0.5257176440445627, 0.4291853500496791,
                                         0.29408744580694013, 0.4514456775796817, 1.5536450674753028], rtol=1e-12)
    assert abs(hog.sum() - 185.35335586896653) < 1e-9
    assert list(np.argsort(hog)[-3:]) == [141, 51, 24]
    hist = features.color_histogram_hsv(Xtr[0], nbin=10)
    np.testing.assert_allclose(hist, [0.828125, 0.166015625, 0.001953125, 0, 0.0009765625, 0.001953125, 0, 0, 0,
                                      0.0009765625], atol=1e-15)


def test_hog_of_a_vertical_edge_and_extract_features(capsys):
    # a left-dark / right-bright image: every gradient points along +x, angle 90 degrees -> bin 4 of 9
    img = np.zeros((32, 32, 3))
    img[:, 16:] = 255.0
    h = features.hog_feature(img).reshape(4, 4, 9)     # (cell column, cell row, orientation)
    assert np.count_nonzero(h[..., [0, 1, 2, 3, 5, 6, 7, 8]]) == 0
    edge = 255.0 * (0.299 + 0.587 + 0.144) / 8         # one column of 8 in a cell carries the step
    np.testing.assert_allclose(h[1, :, 4], edge)       # the cells whose last column is x = 15
    assert np.count_nonzero(h[..., 4]) == 4
    imgs = np.random.default_rng(0).integers(0, 256, (1001, 32, 32, 3)).astype(np.float64)
    feats = features.extract_features(imgs[:3], [features.hog_feature, lambda im: features.color_histogram_hsv(im, nbin=25)])
    assert feats.shape == (3, 144 + 25)
    np.testing.assert_array_equal(feats[2, :144], features.hog_feature(imgs[2]))
    features.extract_features(imgs, [lambda im: im[0, 0]], verbose=True)
    assert "Done extracting features for 1000 / 1001 images" in capsys.readouterr().out
    assert features.extract_features(imgs[:0], [features.hog_feature]).size == 0
    with pytest.raises(ValueError, match="feature_fns"):
        features.extract_features(imgs[:2], [lambda im: im])   # not 1-D
    with pytest.raises(ValueError, match="im must"):
        features.color_histogram_hsv(np.zeros((4, 4)))


def test_visualize_grid_as_the_notebooks_use_it():
    # two_layer_net.ipynb: W1.reshape(3, 32, 32, -1).transpose(3, 1, 2, 0), padding=3
    W1 = np.random.default_rng(0).standard_normal((3 * 32 * 32, 10))
    grid = visualize_grid(W1.reshape(3, 32, 32, -1).transpose(3, 1, 2, 0), padding=3)
    assert grid.shape == (4 * 32 + 3 * 3, 4 * 32 + 3 * 3, 3)      # ceil(sqrt(10)) = 4 tiles a side
    tile = grid[:32, :32]
    assert tile.min() == 0 and abs(tile.max() - 255) < 1e-9 and np.all(grid[32:35] == 0)


# ----------------------------------------------------------------------------- save / load
def _train_data(seed=0, n=40, d=12, c=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


@pytest.mark.parametrize("cls", [LinearSVM, Softmax])
def test_linear_classifier_save_load_round_trip(cls, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    X, y = _train_data()
    clf = cls()
    clf.train(X, y, num_iters=20)
    clf.save("softmax.npy")                         # as the notebook calls it: a relative name
    assert capsys.readouterr().out == "softmax.npy saved.\n"
    fresh = cls(seed=5)
    assert fresh.load("softmax.npy") is True
    np.testing.assert_array_equal(fresh.W, clf.W)
    np.testing.assert_array_equal(fresh.predict(X), clf.predict(X))
    assert fresh.W.dtype == clf.W.dtype and fresh.loss_history == clf.loss_history


def test_nets_save_load_round_trip(tmp_path):
    X, y = _train_data()
    net = TwoLayerNet(input_dim=12, hidden_dim=8, num_classes=3, reg=0.1, seed=0)
    path = net.save(tmp_path / "models" / "best_two_layer_net.npy")   # folders are created
    other = TwoLayerNet(input_dim=12, hidden_dim=30, num_classes=3)   # another size: the file's wins
    other.load(path)
    assert other.reg == 0.1 and other.params["W1"].shape == (12, 8)
    np.testing.assert_array_equal(other.loss(X), net.loss(X))
    assert other.loss(X, y)[0] == net.loss(X, y)[0]

    fcn = FullyConnectedNet([10, 7], input_dim=12, num_classes=3, normalization="batchnorm",
                            dropout_keep_ratio=0.5, dtype=np.float64, seed=1)
    for _ in range(3):
        fcn.loss(X, y)                                  # running averages move
    fcn.save(tmp_path / "fcn.npz")
    back = FullyConnectedNet([4], input_dim=12, num_classes=3)
    back.load(tmp_path / "fcn.npz")
    assert (back.normalization, back.num_layers, back.dtype, back.dropout_param["p"]) == ("batchnorm", 3, np.float64, 0.5)
    for mine, theirs in zip(back.bn_params, fcn.bn_params):
        np.testing.assert_array_equal(mine["running_mean"], theirs["running_mean"])
    np.testing.assert_array_equal(back.loss(X), fcn.loss(X))          # test mode: running averages, no dropout


def test_load_refuses_what_is_not_a_saved_model(tmp_path, capsys):
    X, y = _train_data()
    clf = Softmax()
    clf.train(X, y, num_iters=5)
    clf.save(tmp_path / "soft.npz")
    net = TwoLayerNet(input_dim=12, hidden_dim=8, num_classes=3)
    W1 = net.params["W1"].copy()
    with pytest.raises(ValueError, match="holds a Softmax, not a TwoLayerNet"):
        net.load(tmp_path / "soft.npz")
    np.testing.assert_array_equal(net.params["W1"], W1)              # nothing changed
    with pytest.raises(ValueError, match="no such file"):
        net.load(tmp_path / "missing.npy")
    with pytest.raises(ValueError, match="is a folder"):
        net.load(tmp_path)
    with pytest.raises(ValueError, match="fname must be a file name"):
        net.save(None)
    with pytest.raises(ValueError, match="no weights to save"):
        Softmax().save(tmp_path / "untrained.npz")
    # an official model file: np.save of a dict, i.e. a pickle - and this one runs a command
    sentinel = tmp_path / "PWNED"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    np.save(tmp_path / "official.npy", {"W1": Evil()}, allow_pickle=True)
    with pytest.raises(ValueError, match="pickle"):
        net.load(tmp_path / "official.npy")
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not a model saved by cs231n_helpers"):
        net.load(tmp_path / "plain.npy")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not a model saved by cs231n_helpers"):
        net.load(tmp_path / "text.npz")
    assert not sentinel.exists()
