"""Notebook 01's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import re

import numpy as np
import pytest

from cs231n_helpers.checks import CheckFailed, close_to
from cs231n_helpers.feedback import knn as fb
from tools.inject import module_with_mistake

NB = "01_knn"


def _fails_with(check, hint, *fns):
    with pytest.raises(CheckFailed) as info:
        check(*fns)
    assert re.search(hint, str(info.value)), str(info.value)
    return str(info.value)


def test_the_solution_passes_every_check(capsys):
    import cs231n_helpers.knn as mod

    fb.check_distances_two_loops(mod.compute_distances_two_loops)
    fb.check_distances_one_loop(mod.compute_distances_one_loop)
    fb.check_distances_no_loops(mod.compute_distances_no_loops)
    fb.check_predict_labels(mod.predict_labels)
    fb.check_cross_validate_k(mod.cross_validate_k)
    fb.check_choose_k(mod.choose_k)
    out = capsys.readouterr().out
    assert "✗" not in out and out.count("all checks passed") == 6


# --------------------------------------------------------------------------- Exercise 1: two loops
TWO_LOOPS = [  # (what the solution says, what the learner wrote instead, words of the hint)
    ("dists[i, j] = np.sqrt(np.sum(diff * diff))", "dists[i, j] = np.sum(diff * diff)", "square root is missing"),
    ('if metric == "l2":\n                dists[i, j]', 'if metric == "l1":\n                dists[i, j]',
     "L1 distances .* where L2 was asked for"),
    ("np.sqrt(np.sum(diff * diff))", "np.sqrt(np.sum(diff) ** 2)", "square is outside the sum"),
    ("dists[i, j] = np.sum(np.abs(diff))", "dists[i, j] = np.sum(diff)", "L1 without the absolute value"),
    ("dists[i, j] = np.sum(np.abs(diff))", "dists[i, j] = np.sqrt(np.sum(np.abs(diff)))", "L1 has no square root"),
    ("dists[i, j] = np.sqrt(np.sum(diff * diff))", "dists[j, i] = np.sqrt(np.sum(diff * diff))",
     r"raised IndexError.*\n  hint: dists\[i, j\] holds the distance between test row X\[i\]"),
]


@pytest.mark.parametrize("old,new,hint", TWO_LOOPS, ids=[h[:30] for _, _, h in TWO_LOOPS])
def test_two_loops_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_distances_two_loops, hint, mod.compute_distances_two_loops)


# --------------------------------------------------------------------------- Exercise 2: one loop
ONE_LOOP = [
    ("np.sqrt(np.sum(diff * diff, axis=1))", "np.sum(diff * diff, axis=1)", "square root is missing"),
    ("np.sqrt(np.sum(diff * diff, axis=1))", "np.sqrt(np.sum(diff * diff))", "every distance in a row is the same"),
    ("np.sqrt(np.sum(diff * diff, axis=1))", "np.sqrt(np.sum(diff * diff, axis=0))",
     r"raised ValueError.*\n  hint: X_train - X\[i\] has shape \(num_train, D\): sum it over the features \(axis=1\)"),
    ('if metric == "l2":\n            dists[i]', 'if metric == "l1":\n            dists[i]', "L1 distances .* where L2"),
    ("dists[i] = np.sqrt(np.sum(diff * diff, axis=1))", "dists[:, i] = np.sqrt(np.sum(diff * diff, axis=1))",
     r"raised ValueError.*\n  hint: X_train - X\[i\] has shape"),
    ("dists[i] = np.sum(np.abs(diff), axis=1)", "dists[i] = np.sum(diff, axis=1)", "L1 without the absolute value"),
]


@pytest.mark.parametrize("old,new,hint", ONE_LOOP, ids=[h[:30] for _, _, h in ONE_LOOP])
def test_one_loop_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_distances_one_loop, hint, mod.compute_distances_one_loop)


# --------------------------------------------------------------------------- Exercise 3: no loops
BROADCAST = ("dists = X @ X_train.T                         # (N, M) dot products x.y: the one O(N*M*D) step\n"
             "    dists *= -2\n"
             "    dists += squared_norms(X)[:, None]            # + ||x||^2 down each row\n"
             "    dists += train_sq_norms[None, :]              # + ||y||^2 along each column\n"
             "    np.maximum(dists, 0, out=dists)               # rounding can push a distance of 0 below 0\n"
             "    np.sqrt(dists, out=dists)")
NO_LOOPS = [
    ("dists *= -2", "dists *= 2", "sign of the cross term is wrong"),
    ("dists *= -2", "dists *= -1", "factor 2 is missing"),
    ("np.maximum(dists, 0, out=dists)               # rounding can push a distance of 0 below 0", "pass",
     r"NaN: .*clamp at 0 before the square root"),
    ("np.sqrt(dists, out=dists)", "pass", "square root is missing"),
    ("dists = X @ X_train.T", "dists = X_train @ X.T",
     r"raised ValueError.*\n  hint: the dot products are X @ X_train.T, shape \(num_test, num_train\)"),
    ("squared_norms(X)[:, None]", "squared_norms(X)[None, :]", r"raised ValueError.*\n  hint: the dot products are"),
    (BROADCAST, "dists = np.sqrt(((X[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2))",
     r"L2 memory.*\n  hint: far more memory than the output: an \(N, M, D\) temporary"),
    ("dists = X @ X_train.T", "dists = X.astype(np.float64) @ X_train.T.astype(np.float64)",
     r"L2 dtype: float32 in, float64 out\n  hint: keep the dtype"),
]


@pytest.mark.parametrize("old,new,hint", NO_LOOPS, ids=[h[:30] for _, _, h in NO_LOOPS])
def test_no_loops_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_distances_no_loops, hint, mod.compute_distances_no_loops)


def test_no_clip_fails_even_where_rounding_happens_to_be_kind():
    """The clamp check does not rely on luck: it hands the function squared norms a hair too small."""
    mod = module_with_mistake(NB, "np.maximum(dists, 0, out=dists)               # rounding can push a distance "
                                  "of 0 below 0", "pass")
    x = np.array([[3.0, 4.0]])
    assert np.isnan(mod.compute_distances_no_loops(x, x, train_sq_norms=np.array([24.999]))).all()


# --------------------------------------------------------------------------- Exercise 4: the vote
ARGPARTITION = "np.argpartition(dists, k - 1, axis=1)[:, :k]"
ARGMAX = "y_pred = np.argmax(votes, axis=1)"
SOLUTION_VOTE = ("nearest = np.argpartition(dists, k - 1, axis=1)[:, :k]    # (num_test, k): the k smallest, unordered\n"
                 "    closest_y = y_train[nearest]                               # (num_test, k): their labels\n"
                 "    votes = np.zeros((num_test, num_classes), dtype=np.int64)\n"
                 "    np.add.at(votes, (np.arange(num_test)[:, None], closest_y), 1)   # votes[i, c]: neighbours of class c\n"
                 "    y_pred = np.argmax(votes, axis=1)                          # first maximum: ties -> smaller label")
COUNTER = ("from collections import Counter\n"
           "    nearest = np.argsort(dists, axis=1)[:, :k]\n"
           "    y_pred = np.array([Counter(row.tolist()).most_common(1)[0][0] for row in y_train[nearest]])")
VOTE = [
    (ARGPARTITION, "np.argsort(dists, axis=1)[:, -k:]", "k FARTHEST training images"),
    (ARGPARTITION, "np.argpartition(dists, k - 1, axis=1)[:, :k - 1]", r"k - 1 neighbours \(none for k = 1\)"),
    (ARGPARTITION, "np.argpartition(dists, k, axis=1)[:, :k + 1]", "uses k \\+ 1 neighbours"),
    (ARGPARTITION, "np.argpartition(dists, k - 1, axis=0)[:, :k]", "taken along axis 0, over the TEST images"),
    (ARGMAX, "y_pred = np.argmin(dists, axis=1)", "indices of the nearest training images, not their labels"),
    (ARGMAX, "y_pred = num_classes - 1 - np.argmax(votes[:, ::-1], axis=1)", "a tie went to the larger label"),
    (SOLUTION_VOTE, COUNTER, r"a tie went to the class of the nearest neighbour.*Counter"),
]


@pytest.mark.parametrize("old,new,hint", VOTE, ids=[h[:30] for _, _, h in VOTE])
def test_predict_labels_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_predict_labels, hint, mod.predict_labels)


def test_any_other_tie_break_is_named_as_a_tie():
    """A vote that is right except on tied rows, broken in some third way (here: the median of
    the tied labels), is still recognised as a tie-breaking mistake."""
    def median_tie(dists, y_train, k=1, num_classes=None):
        out = fb.vote_reference(dists, y_train, k)
        for i, row in enumerate(np.argsort(dists, axis=1)[:, :k]):
            counts = np.bincount(y_train[row], minlength=int(y_train.max()) + 1)
            winners = np.flatnonzero(counts == counts.max())
            if len(winners) >= 3:
                out[i] = winners[1]
        return out

    _fails_with(fb.check_predict_labels, "the vote is right except where classes tie", median_tie)


# --------------------------------------------------------------------------- Exercise 5: cross-validation
TRAIN_ON = ("classifier.train(np.concatenate(X_folds[:f] + X_folds[f + 1:]),\n"
            "                         np.concatenate(y_folds[:f] + y_folds[f + 1:]))")
CV = [
    (TRAIN_ON, "classifier.train(np.concatenate(X_folds), np.concatenate(y_folds))", "held-out fold is also in the training"),
    (TRAIN_ON, TRAIN_ON.replace("[:f]", "[:f + 1]").replace("[f + 1:]", "[f + 2:]"),
     "held-out fold is also in the training data \\(the folds overlap\\)"),
    ("k_to_accuracies[k].append(float(np.mean(y_pred == y_folds[f])))",
     "k_to_accuracies[k] = [float(np.mean(y_pred == y_folds[f]))]", "`k_to_accuracies\\[k\\] = ...` replaces the list"),
    ("classifier = KNearestNeighbor(metric=metric)", "classifier = KNearestNeighbor()", "metric='l1' was asked for"),
    (TRAIN_ON + "\n        dists = classifier.compute_distances_no_loops(X_folds[f])",
     "classifier.train(X_folds[f], y_folds[f])\n"
     "        dists = classifier.compute_distances_no_loops(np.concatenate(X_folds[:f] + X_folds[f + 1:]))",
     r"raised ValueError.*\n  hint: X_folds and y_folds are lists"),
]


@pytest.mark.parametrize("old,new,hint", CV, ids=[h[:30] for _, _, h in CV])
def test_cross_validate_k_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_cross_validate_k, hint, mod.cross_validate_k)


def test_cross_validate_k_names_swapped_roles():
    """Roles swapped (train on fold f, test on the others) with the labels kept consistent."""
    import cs231n_helpers.knn as mod

    def swapped(X, y, k_choices, num_folds=5, metric="l2"):
        X_folds, y_folds = np.array_split(X, num_folds), np.array_split(y, num_folds)
        res = {k: [] for k in k_choices}
        for f in range(num_folds):
            clf = mod.KNearestNeighbor(metric=metric)
            clf.train(X_folds[f], y_folds[f])
            d = clf.compute_distances_no_loops(np.concatenate(X_folds[:f] + X_folds[f + 1:]))
            for k in k_choices:
                res[k].append(float(np.mean(clf.predict_labels(d, k=k) == np.concatenate(y_folds[:f] + y_folds[f + 1:]))))
        return res

    _fails_with(fb.check_cross_validate_k, "the roles are swapped", swapped)


# --------------------------------------------------------------------------- Exercise 6: choose k
CHOOSE = [
    ("accuracies.mean(axis=1)", "accuracies.mean(axis=0)", "means over the wrong axis"),
    ("accuracies.mean(axis=1)", "accuracies.max(axis=1)", "best single folds, not the means"),
    ("best_k = k_choices[int(np.argmax(mean_accuracies))]", "best_k = int(np.argmax(mean_accuracies))",
     "position of the best k in k_choices, not k itself"),
    ("k_choices[int(np.argmax(mean_accuracies))]",
     "k_choices[len(k_choices) - 1 - int(np.argmax(mean_accuracies[::-1]))]", "take the smaller k"),
]


@pytest.mark.parametrize("old,new,hint", CHOOSE, ids=[h[:30] for _, _, h in CHOOSE])
def test_choose_k_names_the_mistake(old, new, hint):
    mod = module_with_mistake(NB, old, new)
    _fails_with(fb.check_choose_k, hint, mod.choose_k)


# --------------------------------------------------------------------------- the references themselves
def test_vote_reference_tie_rules():
    d = np.array([[1.0, 2.0, 3.0, 4.0, 9.0]])
    y = np.array([7, 7, 3, 3, 1])
    assert fb.vote_reference(d, y, 4).tolist() == [3]
    assert fb.vote_reference(d, y, 4, tie="larger").tolist() == [7]
    assert fb.vote_reference(d, y, 4, tie="nearest").tolist() == [7]
    assert fb.vote_reference(d, y, 1, farthest=True).tolist() == [1]
    assert fb.vote_reference(d, y, 0).tolist() == [0]


def test_hand_example_is_right():
    X, X_train, l2, l1 = fb.hand_example()
    diff = X[:, None, :] - X_train[None, :, :]
    assert close_to(np.sqrt((diff ** 2).sum(-1)), l2) and close_to(np.abs(diff).sum(-1), l1)
