"""Unit tests for cs231n_helpers.knn (generated from notebooks/01_knn.ipynb)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cs231n_helpers import knn as K
from cs231n_helpers.feedback.knn import peak_bytes
from cs231n_helpers.knn import (KNearestNeighbor, compute_distances_no_loops, compute_distances_one_loop,
                                compute_distances_two_loops, cross_validate_k, l1_distances_blocked,
                                nearest_neighbors, predict_labels, show_knn_vote, show_neighbors)

DIST_FNS = [compute_distances_two_loops, compute_distances_one_loop, compute_distances_no_loops]


def brute(X, Y, metric):
    diff = X[:, None, :].astype(np.float64) - Y[None, :, :].astype(np.float64)
    return np.sqrt((diff ** 2).sum(-1)) if metric == "l2" else np.abs(diff).sum(-1)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- distances
@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("shape", [(7, 13, 5), (1, 1, 1), (3, 40, 64), (25, 2, 3)])
def test_distance_versions_agree_float64(rng, metric, shape):
    n, m, d = shape
    X, Y = rng.normal(size=(n, d)), rng.normal(size=(m, d)) * 3 + 1
    ref = brute(X, Y, metric)
    for fn in DIST_FNS:
        out = fn(X, Y, metric=metric)
        assert out.shape == (n, m) and out.dtype == np.float64
        assert np.linalg.norm(out - ref) < 1e-9, fn.__name__


@pytest.mark.parametrize("metric", ["l2", "l1"])
def test_distance_versions_agree_on_pixels_float32(rng, metric):
    X = rng.integers(0, 256, size=(6, 3072)).astype(np.float32)
    Y = rng.integers(0, 256, size=(30, 3072)).astype(np.float32)
    ref = brute(X, Y, metric)
    for fn in DIST_FNS:
        out = fn(X, Y, metric=metric)
        assert out.dtype == np.float32, fn.__name__
        assert np.linalg.norm(out - ref) / np.linalg.norm(ref) < 1e-5, fn.__name__


def test_methods_match_functions_and_predict_paths_agree(rng):
    X_train, y_train = rng.normal(size=(60, 8)), rng.integers(0, 4, 60)
    X = rng.normal(size=(9, 8))
    for metric in ("l2", "l1"):
        clf = KNearestNeighbor(metric=metric)
        clf.train(X_train, y_train)
        ref = brute(X, X_train, metric)
        for name in ("compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"):
            assert np.allclose(getattr(clf, name)(X), ref, rtol=1e-10, atol=1e-9), (metric, name)
        preds = [clf.predict(X, k=3, num_loops=n) for n in (0, 1, 2)]
        assert np.array_equal(preds[0], preds[1]) and np.array_equal(preds[0], preds[2])
        assert np.array_equal(preds[0], predict_labels(ref, y_train, k=3))


def test_integer_images_do_not_overflow():
    X = np.array([[0, 0]], dtype=np.uint8)
    Y = np.array([[255, 255], [3, 4]], dtype=np.uint8)
    for fn in DIST_FNS:
        assert np.allclose(fn(X, Y), [[255 * np.sqrt(2), 5.0]])
        assert np.allclose(fn(X, Y, metric="l1"), [[510.0, 7.0]])
        assert fn(X, Y).dtype == np.float32


def test_mixed_dtypes_compute_in_float64(rng):
    X = rng.normal(size=(3, 4)).astype(np.float32)
    Y = rng.normal(size=(5, 4))
    assert compute_distances_no_loops(X, Y).dtype == np.float64


def test_no_loops_clamps_before_sqrt():
    X = np.full((4, 3072), 200.0, dtype=np.float32) + np.arange(4, dtype=np.float32)[:, None]
    d = compute_distances_no_loops(X, X)
    assert np.isfinite(d).all() and (d >= 0).all()
    assert np.diag(d).max() < 1.0


def test_train_sq_norms_are_used_and_checked(rng):
    X, Y = rng.normal(size=(3, 5)), rng.normal(size=(4, 5))
    norms = (Y ** 2).sum(1)
    assert np.allclose(compute_distances_no_loops(X, Y, train_sq_norms=norms), brute(X, Y, "l2"))
    with pytest.raises(ValueError, match="train_sq_norms"):
        compute_distances_no_loops(X, Y, train_sq_norms=norms[:3])


@pytest.mark.parametrize("block_bytes", [1, 64, 5 * 8 * 3, 10**9])
def test_l1_blocks_cover_every_pair(rng, block_bytes):
    X, Y = rng.normal(size=(7, 5)), rng.normal(size=(11, 5))
    assert np.allclose(l1_distances_blocked(X, Y, block_bytes=block_bytes), brute(X, Y, "l1"))


_peak = peak_bytes   # the same measurement the notebook's check uses


def test_no_loops_memory_is_bounded_by_the_output(rng):
    X = rng.integers(0, 256, size=(100, 3072)).astype(np.float32)
    Y = rng.integers(0, 256, size=(1500, 3072)).astype(np.float32)
    d, peak = _peak(compute_distances_no_loops, X, Y, train_sq_norms=K.squared_norms(Y))
    assert peak <= 1.05 * d.nbytes + 64 * (len(X) + len(Y)), peak / d.nbytes   # N x M x D would be 3000x
    d, peak = _peak(compute_distances_no_loops, X[:20], Y, metric="l1")
    assert peak <= d.nbytes + K.L1_BLOCK_BYTES + 2**20


def test_classifier_caches_train_norms_and_train_does_not_copy(rng):
    X_train = rng.normal(size=(20, 6)).astype(np.float32)
    clf = KNearestNeighbor()
    clf.train(X_train, np.arange(20) % 3)
    assert np.shares_memory(clf.X_train, X_train)
    d1 = clf.compute_distances_no_loops(X_train[:2])
    assert clf._train_sq_norms is not None
    assert np.allclose(d1, brute(X_train[:2], X_train, "l2"), atol=1e-4)
    clf.train(X_train * 2, np.arange(20) % 3)   # retraining drops the cache
    assert np.allclose(clf.compute_distances_no_loops(X_train[:2] * 2), 2 * d1, rtol=1e-5, atol=1e-4)


# --------------------------------------------------------------------------- the vote
def test_vote_by_hand_including_ties():
    dists = np.array([[0.1, 0.2, 0.3, 0.4, 0.5],
                      [0.5, 0.4, 0.3, 0.2, 0.1]])
    y = np.array([2, 1, 1, 2, 0])
    expected = {1: [2, 0], 2: [1, 0], 3: [1, 0], 4: [1, 1], 5: [1, 1]}
    for k, exp in expected.items():
        assert predict_labels(dists, y, k=k).tolist() == exp, k


def test_tie_goes_to_smaller_label_whatever_the_order():
    # two neighbours of class 7 and two of class 3, class 7 closer: the tie still goes to 3
    dists = np.array([[1.0, 2.0, 3.0, 4.0, 9.0]])
    y = np.array([7, 7, 3, 3, 1])
    assert predict_labels(dists, y, k=4).tolist() == [3]
    assert predict_labels(dists, y, k=2).tolist() == [7]


def test_vote_matches_sorting_loop(rng):
    dists = rng.random((50, 200))
    y = rng.integers(0, 5, 200)
    for k in (1, 2, 7, 200):
        ref = [np.bincount(y[np.argsort(row)[:k]], minlength=5).argmax() for row in dists]
        assert predict_labels(dists, y, k=k).tolist() == ref


def test_num_classes_and_predicted_dtype():
    dists = np.array([[0.0, 1.0]])
    out = predict_labels(dists, np.array([0, 1]), k=1, num_classes=10)
    assert out.tolist() == [0] and np.issubdtype(out.dtype, np.integer)


# --------------------------------------------------------------------------- bad input
@pytest.fixture
def trained(rng):
    clf = KNearestNeighbor()
    clf.train(rng.normal(size=(10, 4)), np.arange(10) % 3)
    return clf


@pytest.mark.parametrize("k", [0, -1, 11, 2.5, True, "3", None])
def test_bad_k(trained, k):
    with pytest.raises(ValueError, match="k must be"):
        trained.predict(np.zeros((2, 4)), k=k)
    with pytest.raises(ValueError, match="k must be"):
        trained.predict_labels(np.zeros((2, 10)), k=k)


def test_k_equal_to_num_train_is_fine(trained):
    assert trained.predict(np.zeros((2, 4)), k=10).shape == (2,)


def test_mismatched_feature_dimension(trained, rng):
    with pytest.raises(ValueError, match=r"X has 5 features.*4"):
        trained.predict(np.zeros((2, 5)))
    for fn in DIST_FNS:
        with pytest.raises(ValueError, match="X_train has"):
            fn(np.zeros((2, 5)), np.zeros((3, 4)))


@pytest.mark.parametrize("bad", [np.zeros((0, 4)), np.zeros((3, 0)), np.zeros(4), np.zeros((2, 2, 2))])
def test_bad_shapes_and_empty_arrays(trained, bad):
    with pytest.raises(ValueError, match="X"):
        trained.predict(bad)
    with pytest.raises(ValueError, match="X"):
        KNearestNeighbor().train(bad, np.zeros(len(bad), dtype=int))
    for fn in DIST_FNS:
        with pytest.raises(ValueError, match="X"):
            fn(bad, np.zeros((3, 4)))
        with pytest.raises(ValueError, match="X_train"):
            fn(np.zeros((3, 4)), bad)


def test_image_shaped_input_gets_a_reshape_hint():
    with pytest.raises(ValueError, match="reshape"):
        KNearestNeighbor().train(np.zeros((5, 32, 32, 3)), np.zeros(5, dtype=int))


@pytest.mark.parametrize("y, match", [
    (np.array([0, 1, -1, 2]), r"labels in 0\.\.C-1, got values in -1\.\.2"),
    (np.array([0.0, 1.0, 2.0, 1.0]), "integer"),
    (np.array([0, 1, 2]), "one label per"),
    (np.zeros((4, 1), dtype=int), "1-D"),
])
def test_bad_labels(y, match):
    with pytest.raises(ValueError, match="y") as info:
        KNearestNeighbor().train(np.zeros((4, 3)), y)
    assert info.match(match)


def test_labels_out_of_range_for_num_classes():
    with pytest.raises(ValueError, match=r"y_train must hold labels in 0\.\.2, got values in 0\.\.5"):
        predict_labels(np.zeros((1, 3)), np.array([0, 1, 5]), k=1, num_classes=3)
    with pytest.raises(ValueError, match="y_train"):
        predict_labels(np.zeros((1, 3)), np.array([0, 1]), k=1)
    with pytest.raises(ValueError, match="dists"):
        predict_labels(np.zeros((0, 3)), np.array([0, 1, 2]), k=1)


def test_bad_metric_num_loops_and_nan(trained):
    with pytest.raises(ValueError, match="metric"):
        KNearestNeighbor(metric="cosine")
    with pytest.raises(ValueError, match="metric"):
        compute_distances_no_loops(np.zeros((1, 2)), np.zeros((1, 2)), metric="l3")
    with pytest.raises(ValueError, match="num_loops"):
        trained.predict(np.zeros((1, 4)), num_loops=3)
    with pytest.raises(ValueError, match="NaN"):
        trained.predict(np.full((1, 4), np.nan))
    with pytest.raises(ValueError, match="NaN"):
        KNearestNeighbor().train(np.array([[np.inf, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match="block_bytes"):
        l1_distances_blocked(np.zeros((1, 2)), np.zeros((1, 2)), block_bytes=0)


def test_untrained_classifier():
    with pytest.raises(RuntimeError, match="train"):
        KNearestNeighbor().predict(np.zeros((1, 3)))


# --------------------------------------------------------------------------- cross-validation
def test_cross_validation_matches_manual_folds(rng):
    X = rng.normal(size=(53, 6))
    y = rng.integers(0, 3, 53)
    res = cross_validate_k(X, y, [1, 3, 7], num_folds=4)
    assert sorted(res) == [1, 3, 7] and all(len(v) == 4 for v in res.values())
    Xf, yf = np.array_split(X, 4), np.array_split(y, 4)
    for f in range(4):
        d = brute(Xf[f], np.concatenate(Xf[:f] + Xf[f + 1:]), "l2")
        for k in (1, 3, 7):
            acc = np.mean(predict_labels(d, np.concatenate(yf[:f] + yf[f + 1:]), k=k) == yf[f])
            assert res[k][f] == pytest.approx(acc)


def test_cross_validation_bad_input(rng):
    X, y = rng.normal(size=(10, 3)), np.arange(10) % 2
    with pytest.raises(ValueError, match="num_folds"):
        cross_validate_k(X, y, [1], num_folds=1)
    with pytest.raises(ValueError, match="k_choices"):
        cross_validate_k(X, y, [], num_folds=5)
    with pytest.raises(ValueError, match=r"k_choices must be an integer <= 8, got 9"):
        cross_validate_k(X, y, [1, 9], num_folds=5)


# --------------------------------------------------------------------------- pictures and the widget function
@pytest.fixture
def images(rng):
    X_train = rng.integers(0, 256, size=(40, 32 * 32 * 3)).astype(np.float32)
    y_train = np.arange(40) % 4
    X_test = rng.integers(0, 256, size=(6, 32 * 32 * 3)).astype(np.float32)
    clf = KNearestNeighbor()
    clf.train(X_train, y_train)
    return clf, X_test


def test_nearest_neighbors_are_sorted_and_correct(images):
    clf, X = images
    idx, d = nearest_neighbors(clf, X, 5)
    full = brute(X, clf.X_train, "l2")
    assert idx.shape == d.shape == (6, 5)
    assert (np.diff(d, axis=1) >= 0).all()
    assert np.allclose(d, np.sort(full, axis=1)[:, :5], rtol=1e-5)


@pytest.mark.parametrize("k", [1, 4, 15, 40])
def test_show_knn_vote(images, k):
    clf, X = images
    names = ["a", "b", "c", "d"]
    fig, votes = show_knn_vote(clf, X, 2, k, class_names=names, y_true=np.zeros(6, dtype=int), max_shown=10)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert votes.shape == (4,) and votes.sum() == k
    assert np.argmax(votes) == clf.predict(X[2:3], k=k)[0]
    images_ax, bars_ax = fig.axes                                # the image row and the vote
    assert len(images_ax.texts) == 1 + min(k, 10)                # test image + the neighbours shown
    assert [t.get_text() for t in bars_ax.get_xticklabels()] == names
    assert [p.get_height() for p in bars_ax.patches] == votes.tolist()
    assert f"k = {k}" in bars_ax.get_title()


def test_show_knn_vote_without_names_and_bad_idx(images):
    clf, X = images
    fig, votes = show_knn_vote(clf, X, 0, 3)
    assert votes.sum() == 3 and len(votes) == clf.num_classes
    for bad in (-1, 6, 1.0, True):
        with pytest.raises(ValueError, match="idx"):
            show_knn_vote(clf, X, bad, 3)
    with pytest.raises(ValueError, match="k must be"):
        show_knn_vote(clf, X, 0, 41)


def test_show_neighbors(images):
    clf, X = images
    fig = show_neighbors(clf, X, [0, 3], k=4, class_names=list("abcd"), y_true=np.arange(6) % 4)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 2 * 5 and texts[0] == "test: a" and texts[5] == "test: d"
    with pytest.raises(ValueError, match="indices"):
        show_neighbors(clf, X, [7], k=2)


def test_cross_validation_many_k_values_and_l1(rng):
    X, y = rng.normal(size=(10, 3)), np.arange(10) % 2
    res = cross_validate_k(X, y, list(range(1, 9)), num_folds=5)   # more values of k than training images
    assert sorted(res) == list(range(1, 9)) and all(len(v) == 5 for v in res.values())
    res_l1 = cross_validate_k(X, y, [1, 3], num_folds=2, metric="L1")
    Xf, yf = np.array_split(X, 2), np.array_split(y, 2)
    d = brute(Xf[0], Xf[1], "l1")
    assert res_l1[3][0] == pytest.approx(np.mean(predict_labels(d, yf[1], k=3) == yf[0]))


def test_choose_k_means_and_ties():
    best, means = K.choose_k({5: [0.5, 0.25], 1: [0.25, 0.25], 3: [0.625, 0.125]})
    assert best == 3 and means.tolist() == [0.25, 0.375, 0.375]
