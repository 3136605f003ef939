"""The pictures of notebook 04 (cs231n_helpers.plotting): figures come back, bad input is refused."""
import matplotlib
import numpy as np
import pytest

from cs231n_helpers.plotting import plot_conv_window, plot_coverage, plot_matrix, plot_receptive_fields

matplotlib.use("Agg")


def test_conv_window_draws_the_window_and_the_output():
    fig = plot_conv_window(size=7, filter_size=3, stride=2, pad=1, i=1, j=2)
    ax_in, ax_out = fig.axes
    assert "(2, 4)" in ax_in.get_title() and "output 4x4" in ax_out.get_title()
    assert len(ax_in.lines) == 16                      # one dot per window start (4 x 4 outputs)
    with pytest.raises(ValueError, match="output"):
        plot_conv_window(size=7, filter_size=3, stride=2, pad=1, i=4, j=0)
    with pytest.raises(ValueError, match="stride"):
        plot_conv_window(stride=0)
    with pytest.raises(ValueError, match="filter_size"):
        plot_conv_window(size=3, filter_size=7, pad=1)


def test_receptive_fields_and_coverage_and_matrix():
    fig = plot_receptive_fields([3, 5, 7])
    assert len(fig.axes[0].get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match="fields"):
        plot_receptive_fields([])
    counts = np.ones((6, 6), int)
    counts[-1] = 0
    fig = plot_coverage(counts, pad=1)
    assert len(fig.axes[0].lines[0].get_xdata()) == 6   # the six uncovered pixels are marked
    with pytest.raises(ValueError, match="counts"):
        plot_coverage(np.ones(5), pad=1)
    fig = plot_matrix(np.arange(6.0).reshape(2, 3), annotate=True, row_groups=[1, 1])
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "2", "3", "4", "5"]   # zeros stay blank
    with pytest.raises(ValueError, match="M must"):
        plot_matrix(np.ones(3))
