"""plot_graph (notebook 03): a computational graph with its values and gradients."""
import matplotlib
import numpy as np
import pytest

from cs231n_helpers.plotting import plot_graph

matplotlib.use("Agg")

EXAMPLE = [("x", None, (), -2.0, -4.0), ("y", None, (), 5.0, -4.0), ("z", None, (), -4.0, 3.0),
           ("q", "+", ("x", "y"), 3.0, -4.0), ("f", "*", ("q", "z"), -12.0, 1.0)]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_values_and_gradients_are_drawn_on_the_wires():
    import matplotlib.pyplot as plt

    fig = plot_graph(EXAMPLE, title="f = (x + y) z")
    texts = _texts(fig)
    # one value (green) and one gradient (red) per wire: 4 wires into gates + the output wire
    for label in ("-2.00", "5.00", "3.00", "-12.00", "1.00"):
        assert label in texts
    assert texts.count("-4.00") == 4          # x's value, and the gradients of x, y and q
    assert {"x", "y", "z", "f", "+", "*"} <= set(texts)
    colors = {t.get_text(): t.get_color() for ax in fig.axes for t in ax.texts}
    assert colors["-12.00"] == "tab:green" and colors["1.00"] == "tab:red"
    assert fig.axes[0].get_title() == "f = (x + y) z"
    plt.close(fig)


def test_layout_inputs_left_gates_right_of_their_inputs():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = plot_graph(EXAMPLE, ax=ax, fmt="{:.1f}")
    assert out is fig
    pos = {t.get_text(): t.get_position() for t in ax.texts}
    assert pos["x"][0] == pos["y"][0] == pos["z"][0] < pos["+"][0] < pos["*"][0]
    assert pos["x"][1] > pos["y"][1] > pos["z"][1]           # inputs from the top, in order
    assert pos["+"][1] == pytest.approx((pos["x"][1] + pos["y"][1]) / 2)
    assert "-12.0" in [t.get_text() for t in ax.texts]
    plt.close(fig)


@pytest.mark.parametrize("nodes, match", [
    ([], "non-empty"),
    ([("x", None, (), 1.0)], "tuple"),
    ([("x", None, (), 1.0, 0.0), ("f", "+", ("x", "y"), 1.0, 1.0)], "earlier nodes"),
    ([("x", None, (), 1.0, 0.0), ("x", None, (), 1.0, 0.0)], "twice"),
    ([("x", "+", (), 1.0, 0.0)], "an input has op None"),
])
def test_bad_graphs(nodes, match):
    with pytest.raises(ValueError, match=match):
        plot_graph(nodes)


def test_numpy_values_are_fine():
    import matplotlib.pyplot as plt

    fig = plot_graph([("a", None, (), np.float32(1.5), np.float64(2.0)), ("s", "σ", ("a",), 0.82, 1.0)])
    assert "1.50" in _texts(fig) and "σ" in _texts(fig)
    plt.close(fig)
