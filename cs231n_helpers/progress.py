"""Progress callbacks for ``fit`` (notebook 06): one line per epoch, or a live plot in Jupyter.

``fit(model, data, callback=...)`` calls ``callback(history)`` after every epoch with the
history so far (a dict of lists: ``epoch``, ``train_loss``, ``train_acc``, ``test_acc``,
``epoch_s``, ``images_per_s``, ``lr``)::

    hist = fit(model, data, callback=LivePlot("ResNet-20"))     # redraws one figure in place
    hist = fit(model, data, callback=print_progress)            # a terminal, a log file
"""
from __future__ import annotations

__all__ = ["print_progress", "LivePlot"]


def print_progress(hist) -> None:
    """A ``fit`` callback that prints one line per epoch."""
    print(f"epoch {hist['epoch'][-1]:3d}  loss {hist['train_loss'][-1]:.3f}  train acc {hist['train_acc'][-1]:.3f}  "
          f"test acc {hist['test_acc'][-1]:.3f}  {hist['epoch_s'][-1]:.1f} s  "
          f"{hist['images_per_s'][-1]:,.0f} img/s", flush=True)


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


class LivePlot:
    """A ``fit`` callback that redraws training loss and accuracy after every epoch, in place.

    In Jupyter one figure is updated (a display handle); outside IPython it prints one line per
    epoch instead (:func:`print_progress`). ``self.figure`` holds the last figure drawn.
    """

    def __init__(self, title=""):
        self.title, self.handle, self.figure = str(title), None, None

    def draw(self, hist):
        """The figure for ``hist``: training loss (left), train and test accuracy (right)."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
        ax1.plot(hist["epoch"], hist["train_loss"], "o-")
        ax1.set(xlabel="epoch", ylabel="training loss", title=self.title)
        ax2.plot(hist["epoch"], hist["train_acc"], "o-", label="train (augmented)")
        ax2.plot(hist["epoch"], hist["test_acc"], "s-", label="test")
        ax2.set(xlabel="epoch", ylabel="accuracy")
        ax2.legend()
        for ax in (ax1, ax2):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.tight_layout()
        return fig

    def __call__(self, hist):
        if not _in_ipython():
            return print_progress(hist)
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.figure = self.draw(hist)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)
