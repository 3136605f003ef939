"""Notebook 02's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import numpy as np
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import linear as fb
from cs231n_helpers.validation import TrainingDiverged
from tools.inject import cell_with_mistake, module_with_mistake

NB = "02_linear_classifiers"


@pytest.fixture(scope="module")
def dev():
    """Pixel-like float32 data with the bias column, as the notebook's dev set (smaller)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-128, 128, size=(120, 301)).astype(np.float32)
    X[:, -1] = 1
    y = rng.integers(0, 10, 120)
    y[:10] = np.arange(10)
    return X, y


def search_function(old="model = model_class(seed=seed)", new=None):
    """The notebook's hyperparameter_search, from its cell (with ``old`` -> ``new`` if given)."""
    import tqdm.auto

    namespace = {"np": np, "tqdm": tqdm.auto.tqdm, "TrainingDiverged": TrainingDiverged}
    exec(cell_with_mistake(NB, old, old if new is None else new), namespace)
    return namespace["hyperparameter_search"]


def test_the_solution_passes_every_check(dev):
    import cs231n_helpers.linear_classifier as mod

    X, y = dev
    fb.check_append_bias(mod.append_bias)
    fb.check_svm_loss_naive(mod.svm_loss_naive, X, y, gradcheck_rows=50)
    fb.check_svm_loss_vectorized(mod.svm_loss_vectorized, X, y)
    fb.check_softmax_loss_naive(mod.softmax_loss_naive, X, y, gradcheck_rows=50)
    fb.check_softmax_loss_vectorized(mod.softmax_loss_vectorized, X, y)
    fb.check_train(mod.LinearSVM, mod.Softmax, X, y)
    fb.check_predict(mod.LinearSVM)
    fb.check_hyperparameter_search(search_function())


def _fails_with(check, hint):
    with pytest.raises(CheckFailed, match=hint):
        check()


# --------------------------------------------------------------------------- exercise 1: append_bias
APPEND_BIAS = [  # (what the solution has, what the learner wrote instead, words of the hint)
    ("return np.hstack([X, ones])", "return np.hstack([ones, X])", "column of ones is first"),
    ("ones = np.ones((X.shape[0], 1), dtype=dtype)", "ones = np.zeros((X.shape[0], 1), dtype=dtype)", "holds zeros"),
    ("return np.hstack([X, ones])", "return np.vstack([X, np.ones((1, X.shape[1]), dtype=dtype)])", "a row was appended"),
    ("ones = np.ones((X.shape[0], 1), dtype=dtype)", "ones = np.ones((X.shape[0], 1))", r"dtype of X \(np.ones"),
]


@pytest.mark.parametrize("old,new,hint", APPEND_BIAS, ids=[h for _, _, h in APPEND_BIAS])
def test_append_bias_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(lambda: fb.check_append_bias(mod.append_bias), hint)


# --------------------------------------------------------------------------- exercises 2 and 4: the loops
# (old, new, count, hint): the regularization and averaging lines are the same in both naive losses
NAIVE_SHARED = [
    ("    loss += reg * np.sum(W * W)\n", "", 2, "regularization term is missing from the loss"),
    ("    loss += reg * np.sum(W * W)\n", "    loss += 0.5 * reg * np.sum(W * W)\n", 2, r"0\.5 \* reg"),
    ("    dW += 2 * reg * W\n", "", 2, "gradient of the regularization is missing"),
    ("    dW += 2 * reg * W\n", "    dW += reg * W\n", 2, r"dW has reg \* W"),
    ("    loss /= num_train\n    dW /= num_train\n    loss += reg * np.sum(W * W)\n    dW += 2 * reg * W\n",
     "    loss += reg * np.sum(W * W)\n    dW += 2 * reg * W\n    loss /= num_train\n    dW /= num_train\n", 2,
     "regularization was divided by N"),
]


@pytest.mark.parametrize("loss", ["svm", "softmax"])
@pytest.mark.parametrize("old,new,count,hint", NAIVE_SHARED, ids=[h[:30] for *_, h in NAIVE_SHARED])
def test_naive_losses_name_the_regularization_mistakes(dev, loss, old, new, count, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new, count=count)
    check = fb.check_svm_loss_naive if loss == "svm" else fb.check_softmax_loss_naive
    _fails_with(lambda: check(getattr(mod, f"{loss}_loss_naive"), X, y, gradcheck_rows=50), hint)


SVM_NAIVE = [
    ("dW[:, y[i]] -= X[i]\n    loss /= num_train\n", "dW[:, y[i]] -= X[i]\n", "loss is N times too large"),
    ("dW[:, y[i]] -= X[i]\n    loss /= num_train\n    dW /= num_train\n", "dW[:, y[i]] -= X[i]\n    loss /= num_train\n",
     "dW is N times too large"),
    ("            if j == y[i]:\n                continue\n", "", "correct class was counted as a margin"),
    ("                dW[:, y[i]] -= X[i]\n", "", "correct class's column of dW is missing"),
    ("                dW[:, y[i]] -= X[i]\n    loss /= num_train", "        dW[:, y[i]] -= X[i]\n    loss /= num_train",
     "subtracts x_i once per example"),
    ("margin = scores[j] - correct_class_score + 1  # note delta = 1", "margin = scores[j] - correct_class_score",
     "the margin is missing"),
]


@pytest.mark.parametrize("old,new,hint", SVM_NAIVE, ids=[h for _, _, h in SVM_NAIVE])
def test_svm_loss_naive_names_the_mistake(dev, old, new, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new)
    _fails_with(lambda: fb.check_svm_loss_naive(mod.svm_loss_naive, X, y, gradcheck_rows=50), hint)


SOFTMAX_NAIVE = [
    ("* X[i]\n    loss /= num_train\n", "* X[i]\n", "loss is N times too large"),
    ("* X[i]\n    loss /= num_train\n    dW /= num_train\n", "* X[i]\n    loss /= num_train\n", "dW is N times too large"),
    ("        scores = scores - np.max(scores)              # shift for numerical stability\n", "",
     "not finite for large scores"),
    ("dW[:, j] += (p - (j == y[i])) * X[i]", "dW[:, j] += p * X[i]", "misses the -1 at the correct class"),
]


@pytest.mark.parametrize("old,new,hint", SOFTMAX_NAIVE, ids=[h for _, _, h in SOFTMAX_NAIVE])
def test_softmax_loss_naive_names_the_mistake(dev, old, new, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new)
    with np.errstate(all="ignore"):
        _fails_with(lambda: fb.check_softmax_loss_naive(mod.softmax_loss_naive, X, y, gradcheck_rows=50), hint)


# --------------------------------------------------------------------------- exercises 3 and 5: vectorized
SVM_VECTORIZED = [
    ("loss = margins.sum() / N + reg * np.vdot(W, W)", "loss = margins.sum() + reg * np.vdot(W, W)",
     "loss is N times too large"),
    ("    dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N\n", "    dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n", "dW is N times too large"),
    ("loss = margins.sum() / N + reg * np.vdot(W, W)", "loss = margins.sum() / N", "regularization term is missing"),
    ("dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N",
     "gradient of the regularization is missing"),
    ("dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N\n    dW += reg * W",
     r"dW has reg \* W"),
    ("    margins[rows, y] = 0\n", "", "correct class was counted as a margin"),
    ("    dscores[rows, y] = -dscores.sum(axis=1)", "    pass", "correct class's column of dW is missing"),
    ("dW = dscores.T.dot(X).T", "dW = dscores.T.dot(X)", r"dscores.T @ X is transposed"),
    ("dW = dscores.T.dot(X).T", "dW = X.dot(dscores)", r"X @ dscores does not fit"),
    ("dW = dscores.T.dot(X).T                             # X.T @ dscores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = dscores.T.dot(X)\n    dW /= N\n    dW += (2 * reg) * W.T",
     "dW is transposed"),
    ("dscores[rows, y] = -dscores.sum(axis=1)", "dscores[rows, y] = -dscores.sum(axis=0)", "axis=1"),
]


@pytest.mark.parametrize("old,new,hint", SVM_VECTORIZED, ids=[f"{i}-{h}" for i, (_, _, h) in enumerate(SVM_VECTORIZED)])
def test_svm_loss_vectorized_names_the_mistake(dev, old, new, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new)
    _fails_with(lambda: fb.check_svm_loss_vectorized(mod.svm_loss_vectorized, X, y), hint)


SOFTMAX_VECTORIZED = [
    ("loss = (np.log(sums).sum() - correct.sum()) / N + reg", "loss = (np.log(sums).sum() - correct.sum()) + reg",
     "loss is N times too large"),
    ("    dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N\n", "    dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n", "dW is N times too large"),
    ("/ N + reg * np.vdot(W, W)\n    scores /=", "/ N\n    scores /=", "regularization term is missing"),
    ("dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N",
     "gradient of the regularization is missing"),
    ("dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N\n    dW += reg * W",
     r"dW has reg \* W"),
    ("scores -= scores.max(axis=1, keepdims=True)", "scores -= scores.max(axis=0, keepdims=True)",
     "maximum was taken over the wrong axis"),
    ("    scores -= scores.max(axis=1, keepdims=True)         # shift for numerical stability\n", "",
     "not finite for large scores"),
    ("sums = scores.sum(axis=1)\n    loss = (np.log(sums).sum() - correct.sum()) / N + reg * np.vdot(W, W)\n"
     "    scores /= sums[:, None]",
     "sums = scores.sum(axis=0)\n    loss = -np.log(scores[rows, y] / sums[y]).sum() / N + reg * np.vdot(W, W)\n"
     "    scores /= sums", "normalised over the wrong axis"),
    ("sums = scores.sum(axis=1)", "sums = scores.sum(axis=0)", "axis=1"),
    ("    scores[rows, y] -= 1                                # dL/ds, times N\n", "", "misses the -1 at the correct class"),
    ("dW = scores.T.dot(X).T", "dW = scores.T.dot(X)", r"dscores.T @ X is transposed"),
    ("dW = scores.T.dot(X).T                              # X.T @ scores, in the order BLAS runs fastest\n    dW /= N\n    dW += (2 * reg) * W", "dW = scores.T.dot(X)\n    dW /= N\n    dW += (2 * reg) * W.T",
     "dW is transposed"),
]


@pytest.mark.parametrize("old,new,hint", SOFTMAX_VECTORIZED,
                         ids=[f"{i}-{h}" for i, (_, _, h) in enumerate(SOFTMAX_VECTORIZED)])
def test_softmax_loss_vectorized_names_the_mistake(dev, old, new, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new)
    with np.errstate(all="ignore"):
        _fails_with(lambda: fb.check_softmax_loss_vectorized(mod.softmax_loss_vectorized, X, y), hint)


# --------------------------------------------------------------------------- exercises 6 and 7: train, predict
TRAIN = [
    ("self.W -= learning_rate * grad", "self.W += learning_rate * grad", "gradient ascent"),
    ("self.W -= learning_rate * grad", "self.W -= grad", "ignores the learning rate"),
    ("X_batch, y_batch = X[idx], y[idx]", "X_batch, y_batch = X[idx], y[self.rng.integers(0, num_train, size=batch_size)]",
     "do not belong together"),
    ("X_batch, y_batch = X[idx], y[idx]", "X_batch, y_batch = X[idx], y[np.sort(idx)]", "do not belong together"),
    ("loss, grad = self.loss(X_batch, y_batch, reg)", "loss, grad = self.loss(X, y, reg)", "on the minibatch"),
    ("idx = self.rng.integers(0, num_train, size=batch_size)", "idx = np.arange(batch_size)", "the same examples"),
    ("idx = self.rng.integers(0, num_train, size=batch_size)", "idx = np.random.randint(0, num_train, size=batch_size)",
     "own generator self.rng"),
    ("loss, grad = self.loss(X_batch, y_batch, reg)",
     "loss, grad = svm_loss_vectorized(self.W, X_batch, y_batch, reg)", "never called self.loss"),
]


@pytest.mark.parametrize("old,new,hint", TRAIN, ids=[f"{i}-{h}" for i, (_, _, h) in enumerate(TRAIN)])
def test_train_names_the_mistake(dev, old, new, hint):
    X, y = dev
    mod = module_with_mistake(NB, old, new)
    with np.errstate(all="ignore"):
        _fails_with(lambda: fb.check_train(mod.LinearSVM, mod.Softmax, X, y), hint)


PREDICT = [
    ("np.argmax(X.dot(self.W), axis=1)", "np.argmax(X.dot(self.W), axis=0)", "wrong axis"),
    ("np.argmax(X.dot(self.W), axis=1)", "np.argmin(X.dot(self.W), axis=1)", "lowest score"),
    ("np.argmax(X.dot(self.W), axis=1)", "np.max(X.dot(self.W), axis=1)", "highest scores themselves"),
    ("np.argmax(X.dot(self.W), axis=1)", "X.dot(self.W)", "those are the scores"),
]


@pytest.mark.parametrize("old,new,hint", PREDICT, ids=[h for _, _, h in PREDICT])
def test_predict_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(lambda: fb.check_predict(mod.LinearSVM), hint)


# --------------------------------------------------------------------------- exercise 8: the search
TRY_BLOCK = ("        try:\n            histories[(lr, reg)] = model.train(X_train, y_train, learning_rate=lr, reg=reg,\n"
             "                                               num_iters=num_iters, batch_size=batch_size)\n"
             "        except TrainingDiverged:\n            results[(lr, reg)] = (np.nan, np.nan)\n            continue\n")
NO_TRY = ("        histories[(lr, reg)] = model.train(X_train, y_train, learning_rate=lr, reg=reg,\n"
          "                                           num_iters=num_iters, batch_size=batch_size)\n")
BEST = "        if val_acc > best_val:\n            best_val, best_params, best_model = val_acc, (lr, reg), model\n"
SEARCH = [
    (TRY_BLOCK, NO_TRY, "stopped the search"),
    ("            results[(lr, reg)] = (np.nan, np.nan)\n", "", "record every pair"),
    ("model = model_class(seed=seed)", "model = model_class(seed=seed) if best_model is None else best_model",
     "one model was trained for several pairs"),
    ("model = model_class(seed=seed)", "model = model_class()", "pass the seed on"),
    (BEST, BEST.replace("val_acc", "train_acc"), "chosen by training accuracy"),
    ("if val_acc > best_val:", "if best_model is None or val_acc < best_val:", "worst pair"),
    (BEST, "        best_val, best_params, best_model = val_acc, (lr, reg), model\n", "last pair of the grid"),
    ("results[(lr, reg)] = (train_acc, val_acc)", "results[(lr, reg)] = (val_acc, train_acc)",
     r"results hold \(validation, training\)"),
    ("val_acc = np.mean(model.predict(X_val) == y_val)", "val_acc = np.mean(model.predict(X_train) == y_train)",
     "compute it on X_val"),
]


@pytest.mark.parametrize("old,new,hint", SEARCH, ids=[h for _, _, h in SEARCH])
def test_hyperparameter_search_names_the_mistake(old, new, hint):
    _fails_with(lambda: fb.check_hyperparameter_search(search_function(old, new)), hint)
