"""Checks for the exercises of notebook 01 (k-Nearest Neighbor), with the classic mistakes.

Each ``check_*`` takes the learner's function (the one defined in the notebook), runs it on
small fixed inputs - a hand example, random "pixels", a vote with ties - compares with a
direct computation, and names the mistake it recognises when they disagree:

- distances: the square root missing (squared distances), L1 and L2 swapped, the square taken
  outside the sum, the absolute value or an extra square root in L1, the result transposed
  (num_train, num_test), a sum over the wrong axis; for the no-loop formula the sign of
  ``-2 x.y``, a missing factor 2, no clamp at 0 before the square root (NaN), and an
  (N, M, D) temporary (memory);
- the vote: ties broken another way than toward the smaller label, the k farthest instead of
  the k nearest, neighbours taken along the wrong axis, k - 1 or k + 1 neighbours, indices
  instead of labels;
- cross-validation: the held-out fold also in the training data (or folds that overlap), the
  roles of the folds swapped, ``=`` instead of ``append``, the metric ignored;
- choosing k: the mean over the wrong axis, the best single fold instead of the mean, the index
  of k instead of k, ties toward the larger k.
"""
from __future__ import annotations

import tracemalloc

import numpy as np

from cs231n_helpers.checks import Mistake, check_close, check_true, checking, close_to

__all__ = ["check_distances_two_loops", "check_distances_one_loop", "check_distances_no_loops",
           "check_predict_labels", "check_cross_validate_k", "check_choose_k", "peak_bytes",
           "hand_example", "vote_reference"]


def peak_bytes(fn, *args, **kwargs):
    """(result, peak bytes allocated while ``fn(*args, **kwargs)`` ran), measured with Python's
    ``tracemalloc`` (which sees NumPy's array allocations)."""
    tracemalloc.start()
    try:
        out = fn(*args, **kwargs)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --------------------------------------------------------------------------- distances
def hand_example():
    """Two test points and three training points in 2-D (a 3-4-5 triangle among them) and their
    exact L2 and L1 distances, shape (2, 3)."""
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    X_train = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 1.0]])
    l2 = np.array([[5.0, 0.0, np.sqrt(2.0)], [np.sqrt(13.0), np.sqrt(2.0), 2.0]])
    l1 = np.array([[7.0, 0.0, 2.0], [5.0, 2.0, 2.0]])
    return X, X_train, l2, l1


def _pixels(n, m, d=48, seed=0, dtype=np.float64):
    """n test and m training rows of integer 'pixel' values 0..255 (exact in float64)."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, size=(n, d)).astype(dtype), rng.integers(0, 256, size=(m, d)).astype(dtype))


def _diff(X, X_train):
    return np.asarray(X, np.float64)[:, None, :] - np.asarray(X_train, np.float64)[None, :, :]


TRANSPOSED = ("dists has the shape (num_train, num_test), the transpose: row i must be test image X[i] and "
              "column j training image X_train[j], dists[i, j]")
NO_SQRT = ("these are squared distances: the square root is missing - L2 is sqrt(sum((x - y)**2)); "
           "without it the ranking is the same, but the numbers are not distances")
L1_FOR_L2 = ("these are L1 distances (sum of |x - y|) where L2 was asked for: check which branch handles "
             "metric == 'l2' - L2 is sqrt(sum((x - y)**2))")
L2_FOR_L1 = ("these are L2 distances where L1 was asked for: check which branch handles metric == 'l1' - "
             "L1 is sum(|x - y|), no square, no root")
SQUARE_OUTSIDE = ("the square is outside the sum: sqrt(sum(x - y)**2) = |sum(x - y)|, and positive and negative "
                  "differences cancel; square each difference first: np.sqrt(np.sum((x - y)**2))")
NO_ABS = ("L1 without the absolute value: sum(x - y) lets positive and negative differences cancel; "
          "use np.sum(np.abs(x - y))")
SQRT_ON_L1 = "L1 has no square root: it is sum(|x - y|); the square root belongs to L2 only"
ROW_CONSTANT = ("every distance in a row is the same number: the sum ran over the whole (num_train, D) "
                "array; sum over the features only, np.sum(..., axis=1), one distance per training image")

TWO_LOOPS_ERROR = ("dists[i, j] holds the distance between test row X[i] and training row X_train[j]: "
                   "i runs over num_test (the rows of dists), j over num_train (the columns)")
ONE_LOOP_ERROR = ("X_train - X[i] has shape (num_train, D): sum it over the features (axis=1) to get one "
                  "distance per training image, shape (num_train,), and store it in the row dists[i]")
NO_LOOPS_ERROR = ("the dot products are X @ X_train.T, shape (num_test, num_train); add ||x||^2 as a column "
                  "(squared_norms(X)[:, None]) and ||y||^2 as a row (train_sq_norms[None, :])")


def _distance_mistakes(X, X_train, metric):
    """The classic mistakes of every distance exercise, computed on these inputs."""
    diff = _diff(X, X_train)
    sq, l1 = (diff ** 2).sum(-1), np.abs(diff).sum(-1)
    ref = np.sqrt(sq) if metric == "l2" else l1
    mistakes = [Mistake(TRANSPOSED, like=ref.T)]
    if metric == "l2":
        mistakes += [Mistake(NO_SQRT, like=sq), Mistake(L1_FOR_L2, like=l1),
                     Mistake(SQUARE_OUTSIDE, like=np.abs(diff.sum(-1)))]
    else:
        signed = diff.sum(-1)   # X[i] - X_train[j] or X_train[j] - X[i]: either sign
        mistakes += [Mistake(L2_FOR_L1, like=np.sqrt(sq)),
                     Mistake(NO_ABS, test=lambda a: close_to(a, signed) or close_to(a, -signed)),
                     Mistake(SQRT_ON_L1, like=np.sqrt(l1))]
    if ref.shape[1] > 1:
        mistakes.append(Mistake(ROW_CONSTANT, test=lambda a: np.shape(a) == ref.shape and np.allclose(a, a[:, :1])))
    return ref, mistakes


def _check_distances(fn, extra_mistakes=lambda X, X_train, metric: []):
    """The hand example and random pixels, both metrics, float64."""
    X, X_train, l2, l1 = hand_example()
    for metric, exact, what in (("l2", l2, "the 3-4-5 triangle and its friends"), ("l1", l1, "|dx| + |dy|")):
        _, mistakes = _distance_mistakes(X, X_train, metric)
        check_close(fn(X, X_train, metric=metric), exact, tol=1e-12, metric="abs",
                    name=f"{metric.upper()} by hand: {what}", mistakes=extra_mistakes(X, X_train, metric) + mistakes)
    Xp, Xp_train = _pixels(7, 11)
    for metric in ("l2", "l1"):
        ref, mistakes = _distance_mistakes(Xp, Xp_train, metric)
        check_close(fn(Xp, Xp_train, metric=metric), ref, tol=1e-9, metric="rel",
                    name=f"{metric.upper()} on 7 x 11 random 'images' of 48 pixels",
                    mistakes=extra_mistakes(Xp, Xp_train, metric) + mistakes)


def check_distances_two_loops(compute_distances_two_loops):
    """Exercise 1: one distance per (test, training) pair, both metrics."""
    with checking("compute_distances_two_loops", error_hint=TWO_LOOPS_ERROR):
        _check_distances(compute_distances_two_loops)


def check_distances_one_loop(compute_distances_one_loop):
    """Exercise 2: one row of distances per test image, by broadcasting."""
    with checking("compute_distances_one_loop", error_hint=ONE_LOOP_ERROR):
        _check_distances(compute_distances_one_loop)


# --------------------------------------------------------------------------- no loops
SIGN = ("the sign of the cross term is wrong: ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y "
        "(minus twice the dot product)")
FACTOR_2 = "the factor 2 is missing: ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y, with 2 x.y, not x.y"
NO_CLIP = ("NaN: rounding made a squared distance slightly negative and np.sqrt of a negative number is NaN; "
           "clamp at 0 before the square root: np.maximum(d2, 0)")
MEMORY = ("far more memory than the output: an (N, M, D) temporary such as X[:, None, :] - X_train[None, :, :]; "
          "expand the square and compute the dot products with one matrix product, X @ X_train.T")
DTYPE = ("keep the dtype of the inputs (float32 in, float32 out): a float64 copy of the data doubles the "
         "memory and halves the speed of the matrix product")


def _formula(X, X_train, sign=-2.0, clip=True):
    """What the expanded formula gives with another factor in front of x.y (a mistake)."""
    X, X_train = np.asarray(X, np.float64), np.asarray(X_train, np.float64)
    d2 = (X ** 2).sum(1)[:, None] + (X_train ** 2).sum(1)[None, :] + sign * (X @ X_train.T)
    return np.sqrt(np.maximum(d2, 0) if clip else d2)


def _no_loop_mistakes(X, X_train, metric):
    if metric != "l2":
        return []
    return [Mistake(SIGN, like=lambda: _formula(X, X_train, +2.0)),
            Mistake(SIGN, like=lambda: np.zeros((len(X), len(X_train)))),
            Mistake(FACTOR_2, like=lambda: _formula(X, X_train, -1.0)),
            Mistake(NO_CLIP, test=lambda a: bool(np.isnan(np.asarray(a, np.float64)).any()))]


def check_distances_no_loops(compute_distances_no_loops):
    """Exercise 3: the expanded square, with no (N, M, D) temporary; the clamp before sqrt;
    float32 stays float32."""
    fn = compute_distances_no_loops
    with checking("compute_distances_no_loops", error_hint=NO_LOOPS_ERROR):
        _check_distances(fn, _no_loop_mistakes)
        # a point at distance 0 from itself, with squared norms a hair too small (as rounding
        # in float32 makes them): the squared distance comes out as -0.001
        x = np.array([[3.0, 4.0]])
        d = fn(x, x, train_sq_norms=np.array([24.999]))
        check_close(d, [[0.0]], tol=1e-6, metric="abs",
                    name="squared distance -0.001 from rounding: clamped to 0 before the square root",
                    mistakes=[Mistake(NO_CLIP, test=lambda a: bool(np.isnan(np.asarray(a, np.float64)).any()))])
        Xs, _ = _pixels(60, 1, d=3072, seed=1, dtype=np.float32)
        d_self = fn(Xs, Xs)
        diag = np.diag(np.asarray(d_self, np.float64))
        check_true(np.isfinite(d_self).all() and diag.max() < 0.01 * np.median(d_self),
                   "60 float32 images against themselves",
                   f"largest distance of an image to itself {np.nanmax(diag):.2f}, no NaN", hint=NO_CLIP)
        Xa, Xb = _pixels(20, 300, d=3072, seed=2, dtype=np.float32)
        for metric in ("l2", "l1"):
            out, peak = peak_bytes(fn, Xa, Xb, metric=metric)
            budget = 2 * (np.asarray(out).nbytes + Xa.nbytes + Xb.nbytes)
            check_true(peak <= budget, f"{metric.upper()} memory, 20 x 300 float32 images",
                       f"peak {peak / 2**20:.2f} MB, allowed {budget / 2**20:.1f} MB = twice inputs + output "
                       f"(an (N, M, D) temporary would be {Xa.shape[0] * Xb.size * 4 / 2**20:.0f} MB)", hint=MEMORY)
            check_true(np.asarray(out).dtype == np.float32, f"{metric.upper()} dtype",
                       f"float32 in, {np.asarray(out).dtype} out", hint=DTYPE)


# --------------------------------------------------------------------------- the vote
def vote_reference(dists, y_train, k, num_classes=None, tie="smaller", farthest=False):
    """The vote of the k nearest (or ``farthest``) training images, one test row at a time.

    tie: which of the classes with the most votes wins - "smaller" (the convention, CS231n's
    ``np.argmax(np.bincount(...))``), "larger", or "nearest" (the class met first in order of
    distance, what ``Counter(labels).most_common(1)`` gives on sorted neighbours). k = 0 gives
    zeros (argmax of an empty vote).
    """
    dists, y_train = np.asarray(dists), np.asarray(y_train)
    C = int(y_train.max()) + 1 if num_classes is None else num_classes
    order = np.argsort(dists, axis=1, kind="stable")
    if farthest:
        order = order[:, ::-1]
    out = np.zeros(len(dists), dtype=np.int64)
    for i, row in enumerate(order[:, :k]):
        labels = y_train[row]
        counts = np.bincount(labels, minlength=C)
        winners = np.flatnonzero(counts == counts.max())
        if tie == "smaller" or len(labels) == 0:
            out[i] = winners[0]
        elif tie == "larger":
            out[i] = winners[-1]
        else:
            out[i] = next(label for label in labels if label in winners)
    return out


TIE_NEAREST = ("a tie went to the class of the nearest neighbour (what Counter(labels).most_common(1) does "
               "when the labels are sorted by distance); the convention here, CS231n's, is the smaller label: "
               "count the votes per class with np.bincount and take np.argmax, the first maximum")
TIE_LARGER = ("a tie went to the larger label; the convention is the smaller one: np.argmax of the vote "
              "counts returns the first maximum")
TIE_OTHER = ("the vote is right except where classes tie: ties go to the smaller label (Counter.most_common "
             "and sorting break ties by order of appearance); count the votes with np.bincount and take "
             "np.argmax, the first maximum")
FARTHEST = ("these are the votes of the k FARTHEST training images: np.argsort sorts in increasing order, so "
            "the nearest are the first k columns, [:, :k], not the last, [:, -k:]")
K_MINUS_1 = ("the vote uses k - 1 neighbours (none for k = 1): take k columns, "
             "np.argsort(dists, axis=1)[:, :k] or np.argpartition(dists, k - 1, axis=1)[:, :k]")
K_PLUS_1 = ("the vote uses k + 1 neighbours: take exactly k columns, "
            "np.argsort(dists, axis=1)[:, :k] or np.argpartition(dists, k - 1, axis=1)[:, :k]")
WRONG_AXIS_VOTE = ("the neighbours were taken along axis 0, over the TEST images: each row of dists belongs to one "
                   "test image, so sort (or partition) along axis=1 - np.argsort(dists, axis=1)[:, :k]")
INDICES = ("these are the indices of the nearest training images, not their labels: look the labels up, "
           "y_train[indices]")
VOTE_ERROR = ("dists has shape (num_test, num_train): the neighbours of test image i are along row i, axis=1; "
              "their labels are y_train[indices], an array of shape (num_test, k)")


def _vote_along_axis_0(dists, y_train, k, C):
    """The vote of a learner who sorted dists along axis 0: y_train[np.argsort(dists, axis=0)[:, :k]]."""
    labels = y_train[np.argsort(dists, axis=0, kind="stable")[:, :k]]
    return np.array([np.bincount(row, minlength=C).argmax() for row in labels])


def _tie_rows(dists, y_train, k, C):
    order = np.argsort(dists, axis=1, kind="stable")[:, :k]
    counts = np.array([np.bincount(y_train[row], minlength=C) for row in order])
    return (counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1, counts


def _vote_mistakes(dists, y_train, k, C):
    ref = vote_reference(dists, y_train, k, C)
    tied, counts = _tie_rows(dists, y_train, k, C)

    def other_tie_break(actual):
        a = np.asarray(actual)
        if a.shape != ref.shape or not tied.any() or not np.array_equal(a[~tied], ref[~tied]):
            return False
        winners_ok = all(0 <= a[i] < C and counts[i, a[i]] == counts[i].max() for i in np.flatnonzero(tied))
        return winners_ok and not np.array_equal(a[tied], ref[tied])

    mistakes = []
    if k == 1:
        mistakes.append(Mistake(INDICES, like=lambda: np.argmin(dists, axis=1)))
    mistakes += [Mistake(FARTHEST, like=lambda: vote_reference(dists, y_train, k, C, farthest=True)),
                 Mistake(WRONG_AXIS_VOTE, like=lambda: _vote_along_axis_0(dists, y_train, k, C)),
                 Mistake(K_MINUS_1, like=lambda: vote_reference(dists, y_train, k - 1, C))]
    if k + 1 <= dists.shape[1]:
        mistakes.append(Mistake(K_PLUS_1, like=lambda: vote_reference(dists, y_train, k + 1, C)))
    mistakes += [Mistake(TIE_NEAREST, like=lambda: vote_reference(dists, y_train, k, C, tie="nearest")),
                 Mistake(TIE_LARGER, like=lambda: vote_reference(dists, y_train, k, C, tie="larger")),
                 Mistake(TIE_OTHER, test=other_tie_break)]
    return ref, mistakes


# the hand example of the vote: distances of two test images to five training images
TOY_DISTS = np.array([[0.1, 0.2, 0.3, 0.4, 0.5],
                      [0.5, 0.4, 0.3, 0.2, 0.1]])
TOY_LABELS = np.array([2, 1, 1, 2, 0])
TOY_VOTES = {  # k -> (expected labels, why)
    1: ([2, 0], "the nearest label"),
    3: ([1, 0], "row 0 votes 2,1,1 -> 1; row 1 votes 0,2,1, a three-way tie -> 0"),
    2: ([1, 0], "ties: row 0 votes 2,1 -> 1; row 1 votes 0,2 -> 0"),
    4: ([1, 1], "a tie: row 0 votes 2,1,1,2 -> 1; row 1 votes 0,2,1,1 -> 1"),
    5: ([1, 1], "everyone votes: 2,1,1,2,0 -> 1"),
}


def check_predict_labels(predict_labels):
    """Exercise 4: a vote by hand (with ties), then random distances with many ties."""
    with checking("predict_labels", error_hint=VOTE_ERROR):
        _, mistakes = _vote_mistakes(TOY_DISTS, TOY_LABELS, 1, 3)
        expected, why = TOY_VOTES[1]
        check_close(predict_labels(TOY_DISTS, TOY_LABELS, k=1), expected, tol=0, metric="abs",
                    name=f"k=1 by hand: {why}", mistakes=mistakes)
        rng = np.random.default_rng(0)
        dists, y = rng.random((40, 60)), rng.integers(0, 5, 60)
        for k in (1, 5, 8):
            ref, mistakes = _vote_mistakes(dists, y, k, 5)
            tied = int(_tie_rows(dists, y, k, 5)[0].sum())
            check_close(predict_labels(dists, y, k=k), ref, tol=0, metric="abs",
                        name=f"k={k} on 40 random rows of 60 distances ({tied} rows with a tie)", mistakes=mistakes)
        for k in (3, 2, 4, 5):
            _, mistakes = _vote_mistakes(TOY_DISTS, TOY_LABELS, k, 3)
            expected, why = TOY_VOTES[k]
            check_close(predict_labels(TOY_DISTS, TOY_LABELS, k=k), expected, tol=0, metric="abs",
                        name=f"k={k} by hand: {why}", mistakes=mistakes)


# --------------------------------------------------------------------------- cross-validation
LEAK = ("the held-out fold is also in the training data (the folds overlap): with k = 1 every validation "
        "image finds itself at distance 0; train on the OTHER folds only, "
        "np.concatenate(X_folds[:f] + X_folds[f + 1:])")
SWAPPED = ("the roles are swapped: train on the other folds (together) and measure the accuracy on the "
           "held-out fold f, not the other way round")
ASSIGNED = ("only one accuracy per k: `k_to_accuracies[k] = ...` replaces the list; append one accuracy "
            "per fold, k_to_accuracies[k].append(...)")
METRIC_IGNORED = ("these are the L2 results although metric='l1' was asked for: pass the metric on, "
                  "KNearestNeighbor(metric=metric)")
CV_ERROR = ("X_folds and y_folds are lists of num_folds arrays: train on np.concatenate of the other folds, "
            "predict fold f, and append the accuracy to k_to_accuracies[k]")


def _cv_reference(X, y, k_choices, num_folds, metric="l2", roles="right", leak=False):
    """k -> fold accuracies computed directly (``roles='swapped'``: train on fold f, test on the rest;
    ``leak``: train on every fold)."""
    Xf, yf = np.array_split(X, num_folds), np.array_split(y, num_folds)
    out = {k: [] for k in k_choices}
    for f in range(num_folds):
        X_rest, y_rest = np.concatenate(Xf[:f] + Xf[f + 1:]), np.concatenate(yf[:f] + yf[f + 1:])
        X_tr, y_tr, X_val, y_val = X_rest, y_rest, Xf[f], yf[f]
        if leak:
            X_tr, y_tr = X, y
        if roles == "swapped":
            X_tr, y_tr, X_val, y_val = Xf[f], yf[f], X_rest, y_rest
        diff = _diff(X_val, X_tr)
        d = np.sqrt((diff ** 2).sum(-1)) if metric == "l2" else np.abs(diff).sum(-1)
        for k in k_choices:
            out[k].append(float(np.mean(vote_reference(d, y_tr, k, int(y.max()) + 1) == y_val)))
    return np.array([out[k] for k in k_choices])


def check_cross_validate_k(cross_validate_k):
    """Exercise 5: fold accuracies against a direct computation, on random labels (where any
    leak of the held-out fold into the training data shows at once)."""
    with checking("cross_validate_k", error_hint=CV_ERROR):
        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(45, 4)), rng.integers(0, 3, 45)
        k_choices, folds = [1, 3, 7], 5
        res = cross_validate_k(X, y, k_choices, num_folds=folds)
        lengths = {len(res.get(k, ())) for k in k_choices} if isinstance(res, dict) else set()
        check_true(isinstance(res, dict) and sorted(res) == k_choices and lengths == {folds},
                   "one list of 5 accuracies per k", f"keys {sorted(res) if isinstance(res, dict) else res!r}, "
                   f"list lengths {sorted(lengths)}", hint=ASSIGNED if lengths == {1} else None)
        got = np.array([res[k] for k in k_choices])
        ref = _cv_reference(X, y, k_choices, folds)
        honest = ref[0].mean()
        check_close(got, ref, tol=1e-12, metric="abs",
                    name="45 random points, 3 random labels, 5 folds: accuracies fold by fold", mistakes=[
                        Mistake(LEAK, test=lambda a: np.shape(a) == ref.shape and a[0].mean() >= honest + 0.25),
                        Mistake(SWAPPED, like=lambda: _cv_reference(X, y, k_choices, folds, roles="swapped"))])
        res_l1 = cross_validate_k(X, y, k_choices, num_folds=folds, metric="l1")
        got_l1 = np.array([res_l1[k] for k in k_choices])
        check_close(got_l1, _cv_reference(X, y, k_choices, folds, metric="l1"), tol=1e-12, metric="abs",
                    name="the same with metric='l1'", mistakes=[Mistake(METRIC_IGNORED, like=ref)])


# --------------------------------------------------------------------------- choosing k
WRONG_AXIS = ("these are means over the wrong axis: accuracies has shape (num_k, num_folds); average over the "
              "folds, axis=1, to get one mean per k")
BEST_FOLD = ("these are the best single folds, not the means: one lucky fold should not choose k - average "
             "over the folds (axis=1)")
INDEX_NOT_K = ("this is the position of the best k in k_choices, not k itself: return k_choices[index]")
TIE_LARGER_K = ("two values of k tie on the mean accuracy: take the smaller k (simpler to explain, cheaper "
                "votes) - np.argmax returns the first maximum")


def check_choose_k(choose_k):
    """Exercise 6: the mean over the folds, the best k (not its index), ties to the smaller k."""
    with checking("choose_k"):
        table = {1: [0.30, 0.26, 0.28], 3: [0.27, 0.29, 0.30], 5: [0.33, 0.31, 0.32], 10: [0.36, 0.20, 0.25]}
        acc = np.array([table[k] for k in sorted(table)])
        best_k, means = choose_k(table)
        check_close(means, acc.mean(axis=1), tol=1e-12, metric="abs",
                    name="mean accuracy of k = 1, 3, 5, 10 over 3 folds", mistakes=[
                        Mistake(WRONG_AXIS, like=acc.mean(axis=0)), Mistake(BEST_FOLD, like=acc.max(axis=1))])
        check_close(best_k, 5, tol=0, metric="abs", name="best k (mean 0.32)", mistakes=[
            Mistake(INDEX_NOT_K, like=2), Mistake(BEST_FOLD, like=10)])
        tied = {6: [0.25, 0.25], 2: [0.5, 0.25], 4: [0.625, 0.125]}   # means 0.25, 0.375, 0.375
        best_k, _ = choose_k(tied)
        check_close(best_k, 2, tol=0, metric="abs", name="k = 2 and k = 4 tie (mean 0.375): the smaller k",
                    mistakes=[Mistake(TIE_LARGER_K, like=4), Mistake(INDEX_NOT_K, like=0)])

