"""Every plotting helper returns a matplotlib Figure (headless, Agg) and checks its input."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cs231n_helpers import plotting as P  # noqa: E402

CLASSES = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _save_if_asked(fig, name):
    """CS231N_PLOT_DIR=/tmp/plots saves every test figure as PNG, to look at them."""
    out = os.environ.get("CS231N_PLOT_DIR")
    if out:
        os.makedirs(out, exist_ok=True)
        fig.savefig(os.path.join(out, f"{name}.png"), dpi=80)


def _check(fig, name):
    assert isinstance(fig, Figure)
    assert fig.axes, "figure has no axes"
    fig.canvas.draw()  # renders without error
    _save_if_asked(fig, name)


def test_show_images_uint8_float_gray_and_channels_first():
    imgs = rng.integers(0, 256, size=(10, 32, 32, 3), dtype=np.uint8)
    _check(P.show_images(imgs, labels=np.arange(10), class_names=CLASSES, ncols=5, title="t"), "show_images")
    _check(P.show_images(imgs.astype(np.float32) - 128.0), "show_images_meansub")
    _check(P.show_images(rng.random((3, 28, 28))), "show_images_gray")
    _check(P.show_images(rng.random((4, 3, 8, 8)), labels=["a", "b", "c", "d"]), "show_images_nchw")


def test_show_images_bad_input():
    with pytest.raises(ValueError, match="images"):
        P.show_images(np.zeros((32, 32)))
    with pytest.raises(ValueError, match="labels"):
        P.show_images(np.zeros((3, 8, 8, 3)), labels=[0, 1])
    with pytest.raises(ValueError, match="ncols"):
        P.show_images(np.zeros((3, 8, 8, 3)), ncols=0)


def test_show_class_samples():
    X = rng.integers(0, 256, size=(200, 32, 32, 3), dtype=np.uint8)
    y = np.arange(200) % 10
    _check(P.show_class_samples(X, y, CLASSES, per_class=4), "show_class_samples")
    with pytest.raises(ValueError, match="y must"):
        P.show_class_samples(X, y[:10], CLASSES)


def test_visualize_grid_shape_and_range():
    Xs = rng.standard_normal((10, 5, 7, 3))
    grid = P.visualize_grid(Xs, ubound=255.0, padding=1)
    g = 4  # ceil(sqrt(10))
    assert grid.shape == (5 * g + (g - 1), 7 * g + (g - 1), 3)
    assert grid.min() >= 0 and np.isclose(grid.max(), 255.0)
    assert np.all(grid[5, :, :] == 0)  # padding row between grid rows stays blank
    assert P.visualize_grid(np.ones((4, 2, 2, 1)), padding=0).shape == (4, 4, 1)  # constant images: no NaN
    assert np.isfinite(P.visualize_grid(np.ones((4, 2, 2, 1)))).all()
    with pytest.raises(ValueError, match="Xs"):
        P.visualize_grid(np.zeros((5, 5, 3)))


def test_show_weight_templates_bias_row_and_transposed():
    W = rng.standard_normal((3073, 10))
    _check(P.show_weight_templates(W, CLASSES), "weight_templates")
    _check(P.show_weight_templates(W[:-1].T, CLASSES), "weight_templates_T")
    with pytest.raises(ValueError, match="W must"):
        P.show_weight_templates(rng.standard_normal((100, 10)), CLASSES)
    with pytest.raises(ValueError, match="class_names"):
        P.show_weight_templates(W, CLASSES[:3])


def test_plot_curves_and_plot_training():
    _check(P.plot_curves({"sgd": [3, 2, 1.5], "adam": ([0, 1, 2], [3, 1, 0.5])}, "epoch", "loss", "t"), "curves")
    with pytest.raises(ValueError, match="histories"):
        P.plot_curves({})
    with pytest.raises(ValueError, match="same length"):
        P.plot_curves({"a": ([0, 1], [1, 2, 3])})
    loss = 2.3 * np.exp(-np.linspace(0, 3, 400)) + 0.1 * rng.random(400)
    _check(P.plot_training(loss, [0.1, 0.3, 0.4], [0.1, 0.25, 0.3]), "training")
    _check(P.plot_training(loss[:10]), "training_loss_only")
    with pytest.raises(ValueError, match="same length"):
        P.plot_training(loss, [0.1, 0.2], [0.1])


def test_confusion_matrix_counts():
    cm = P.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3)
    np.testing.assert_array_equal(cm, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert cm.sum() == 6
    with pytest.raises(ValueError, match="num_classes"):
        P.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="same length"):
        P.confusion_matrix([0, 1], [0], 3)


def test_plot_confusion_matrix():
    y = rng.integers(0, 10, 300)
    p = np.where(rng.random(300) < 0.6, y, rng.integers(0, 10, 300))
    _check(P.plot_confusion_matrix(y, p, CLASSES), "confusion")
    _check(P.plot_confusion_matrix(y, p, CLASSES, normalize=False), "confusion_counts")


def test_show_conv_filters_rgb_and_many_channels():
    _check(P.show_conv_filters(rng.standard_normal((32, 3, 7, 7))), "conv_filters_rgb")
    _check(P.show_conv_filters(rng.standard_normal((4, 6, 3, 3))), "conv_filters_gray")
    with pytest.raises(ValueError, match="W must"):
        P.show_conv_filters(rng.standard_normal((3, 7, 7)))


def test_show_feature_maps():
    _check(P.show_feature_maps(rng.random((12, 16, 16)), ncols=6), "feature_maps")
    _check(P.show_feature_maps(rng.random((1, 4, 8, 8))), "feature_maps_batch1")
    with pytest.raises(ValueError, match="maps"):
        P.show_feature_maps(rng.random((2, 4, 8, 8)))


def test_plot_decision_regions_labels_scores_and_ax():
    X = rng.standard_normal((100, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    _check(P.plot_decision_regions(lambda Z: (Z[:, 0] * Z[:, 1] > 0).astype(int), X, y, title="xor"), "regions")
    fig, ax = plt.subplots()
    out = P.plot_decision_regions(lambda Z: np.c_[Z[:, 0], -Z[:, 0]], X, y, ax=ax, resolution=50)
    assert out is fig
    with pytest.raises(ValueError, match="X must"):
        P.plot_decision_regions(lambda Z: Z[:, 0] > 0, rng.standard_normal((10, 3)), np.zeros(10))
    with pytest.raises(ValueError, match="predict_fn"):
        P.plot_decision_regions(lambda Z: np.zeros(3), X, y)


def test_course_figure_displays_once():
    """Returned figures are pyplot-managed CourseFigures; displaying one publishes it once and,
    under the inline backend, closes it so that pyplot does not show it a second time."""
    fig = P.plot_curves({"a": [1, 2]})
    assert isinstance(fig, P.CourseFigure) and plt.fignum_exists(fig.number)
    pytest.importorskip("IPython")
    from unittest import mock

    with mock.patch("IPython.display.publish_display_data") as pub:
        fig._ipython_display_()  # Agg, no IPython: a plain PNG
        assert pub.call_count == 1
        data = pub.call_args[0][0]
        assert "image/png" in data and data["text/plain"].startswith("<Figure size")
    with mock.patch("IPython.display.publish_display_data"), \
            mock.patch("matplotlib.get_backend", return_value="module://matplotlib_inline.backend_inline"):
        fig._ipython_display_()
    assert not plt.fignum_exists(fig.number)


# ----------------------------------------------------------------------------- notebook 01: kNN pictures
def _knn_images(q=2, k=5, d=32 * 32 * 3):
    r = np.random.default_rng(1)
    return (r.integers(0, 256, size=(q, d)).astype(np.float32), r.integers(0, 256, size=(q, k, d)).astype(np.float32),
            r.integers(0, 4, size=(q, k)), np.sort(r.random((q, k)) * 5000, axis=1))


def test_show_neighbor_rows_titles_and_colours():
    queries, neighbors, labels, dists = _knn_images()
    y_true = labels[:, 0].copy()
    fig = P.show_neighbor_rows(queries, neighbors, labels, dists, class_names=list("abcd"), y_true=y_true)
    _check(fig, "knn_neighbor_rows")
    texts = fig.axes[0].texts
    assert len(texts) == 2 * 6 and texts[0].get_text() == f"test: {'abcd'[y_true[0]]}"
    assert texts[1].get_text() == f"{'abcd'[labels[0, 0]]}\n{dists[0, 0]:.0f}" and texts[1].get_color() == "green"
    wrong = [t for t, lab in zip(texts[1:6], labels[0]) if lab != y_true[0]]
    assert all(t.get_color() == "red" for t in wrong)
    with pytest.raises(ValueError, match="neighbors"):
        P.show_neighbor_rows(queries, neighbors[:1], labels, dists)
    with pytest.raises(ValueError, match="distances"):
        P.show_neighbor_rows(queries, neighbors, labels, dists[:, :2])


@pytest.mark.parametrize("k,max_shown", [(5, 10), (5, 3)])
def test_show_vote_counts_and_draws_the_vote(k, max_shown):
    queries, neighbors, labels, dists = _knn_images(q=1, k=k)
    fig, votes = P.show_vote(queries[0], neighbors[0], labels[0], dists[0], 4, class_names=list("abcd"),
                             y_true=int(labels[0, 0]), max_shown=max_shown)
    _check(fig, f"knn_vote_{max_shown}")
    assert votes.tolist() == np.bincount(labels[0], minlength=4).tolist()
    images_ax, bars_ax = fig.axes
    assert len(images_ax.texts) == 1 + min(k, max_shown)
    assert [p.get_height() for p in bars_ax.patches] == votes.tolist()
    assert f"k = {k}" in bars_ax.get_title() and f"predicted {'abcd'[np.argmax(votes)]}" in bars_ax.get_title()
    with pytest.raises(ValueError, match="labels must lie in 0..2"):
        P.show_vote(queries[0], neighbors[0], np.array([3, 0, 1, 2, 0]), dists[0], 3)


def test_show_vote_tie_goes_to_the_smaller_label():
    queries, neighbors, _, dists = _knn_images(q=1, k=4)
    fig, votes = P.show_vote(queries[0], neighbors[0], np.array([3, 3, 1, 1]), dists[0], 4)
    assert votes.tolist() == [0, 2, 0, 2] and "predicted 1 with 2 of 4" in fig.axes[1].get_title()


def test_plot_cross_validation():
    acc = {1: [0.2, 0.25, 0.22], 5: [0.3, 0.28, 0.27], 20: [0.26, 0.24, 0.25]}
    fig = P.plot_cross_validation(acc, title="cv")
    _check(fig, "knn_cross_validation")
    ax = fig.axes[0]
    line = ax.lines[0]
    assert list(line.get_xdata()) == [1, 5, 20]
    assert np.allclose(line.get_ydata(), [np.mean(acc[k]) for k in (1, 5, 20)])
    assert len(ax.collections) >= 3 and ax.get_title() == "cv"
    with pytest.raises(ValueError, match="k_to_accuracies"):
        P.plot_cross_validation({})
