"""Plotting section "notebook 08": each picture returns its Figure and refuses bad input with a
ValueError naming the argument."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from cs231n_helpers import plotting as P

MEAN, STD = torch.full((1, 3, 1, 1), 120.0), torch.full((1, 3, 1, 1), 60.0)


def test_show_augmentations_un_normalizes_each_row():
    x = torch.randn(4, 3, 8, 8)
    fig = P.show_augmentations({"a": x, "b": torch.zeros_like(x)}, MEAN, STD, title="t")
    assert len(fig.axes) == 8
    shown = fig.axes[4].images[0].get_array()                    # row "b": zeros -> the mean colour
    assert np.allclose(shown, 120 / 255)
    plt.close(fig)
    with pytest.raises(ValueError, match="same number of images"):
        P.show_augmentations({"a": x, "b": x[:2]}, MEAN, STD)
    with pytest.raises(ValueError, match="views"):
        P.show_augmentations({}, MEAN, STD)


def test_show_mixup_titles_the_two_weights():
    x = torch.randn(2, 3, 8, 8)
    t = torch.tensor([[0.7, 0.3, 0.0], [0.0, 0.0, 1.0]])
    fig = P.show_mixup(x, x, t, ["cat", "dog", "frog"], MEAN, STD)
    titles = [ax.get_title() for ax in fig.axes]
    assert "0.70 cat\n+ 0.30 dog" in titles and "1.00 frog" in titles
    plt.close(fig)
    with pytest.raises(ValueError, match="targets"):
        P.show_mixup(x, x, t[:, :2], ["cat", "dog", "frog"], MEAN, STD)


def test_result_plots():
    fig = P.plot_augmentation_results({"none": {"train_acc": 0.9, "test_acc": 0.5}, "flip": {"train_acc": 0.7, "test_acc": 0.6}})
    assert any("gap +0.40" == t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
    fig = P.plot_transfer_curves({"scratch": {10: [0.3, 0.4], 50: [0.5]}, "probe": {10: [0.6], 50: [0.7]}})
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)
    fig = P.plot_freeze_costs({"fine-tune": {"ms": 2.0, "MB": 3.0}, "frozen": {"ms": 1.0, "MB": 0.0}})
    assert len(fig.axes) == 2
    plt.close(fig)
    for bad in (lambda: P.plot_augmentation_results({"none": {"train_acc": 1}}), lambda: P.plot_transfer_curves({}),
                lambda: P.plot_freeze_costs({"a": {}})):
        with pytest.raises(ValueError):
            bad()
