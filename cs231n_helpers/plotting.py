"""Pictures for the notebooks: image grids, weight templates, curves, confusion matrices,
conv filters, feature maps and 2-D decision regions.

Every function returns its :class:`matplotlib.figure.Figure` and works headless (Agg, as in the
tests) and in JupyterLab.

How the figures display in Jupyter (so that each shows exactly once):

* The figures are made with ``plt.subplots`` so they belong to pyplot: with the inline backend
  they show at the end of the cell whether you write ``show_images(x)``, ``fig = show_images(x)``
  or ``show_images(x); plt.show()``.
* A figure returned as the last expression of a cell would normally show twice (once as the
  cell's result, once more by pyplot at the end of the cell). Our figures are a small
  :class:`CourseFigure` subclass: when Jupyter displays it, it renders itself through IPython's
  own figure formatters and, under the inline backend, closes itself in pyplot so that it is
  not shown a second time. ``display(fig)`` and ``fig`` in a later cell work as usual.

None of the functions calls ``plt.show()``. Pass the figure to ``plt.close(fig)`` when making
many figures in a loop.

Input shapes are checked at the boundary: a wrong shape raises ``ValueError`` naming the
argument and the shape that was expected.
"""
from __future__ import annotations

import io
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = [
    "CourseFigure",
    "show_images",
    "show_class_samples",
    "visualize_grid",
    "show_weight_templates",
    "plot_curves",
    "plot_training",
    "confusion_matrix",
    "plot_confusion_matrix",
    "show_neighbor_rows",  # notebook 01
    "show_vote",
    "plot_cross_validation",
    "show_conv_filters",
    "show_feature_maps",
    "plot_decision_regions",
    "plot_conv_window",
    "plot_receptive_fields",
    "plot_matrix",
    "plot_coverage",
]

_NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


class CourseFigure(Figure):
    """A Figure that displays exactly once in Jupyter, also when returned as a cell's result."""

    def _ipython_display_(self):
        from matplotlib._pylab_helpers import Gcf

        managed = any(m.canvas.figure is self for m in Gcf.get_all_fig_managers())
        backend = matplotlib.get_backend().lower()
        if managed and "inline" not in backend and backend not in _NON_INTERACTIVE:
            return  # an interactive backend (ipympl, a GUI window) already shows it
        _publish_figure(self)
        if managed and "inline" in backend:
            plt.close(self)  # shown now: the inline backend must not show it again


def _publish_figure(fig):
    """Send the figure to the front end through IPython's own Figure formatters (PNG, retina,
    SVG: whatever the inline backend is set to), with a plain PNG as the fallback."""
    from IPython import get_ipython
    from IPython.display import publish_display_data

    data, metadata = {}, {}
    ip = get_ipython()
    if ip is not None:
        for mime, formatter in ip.display_formatter.formatters.items():
            if mime == "text/plain":
                continue
            try:
                printer = formatter.lookup_by_type(Figure)
            except KeyError:
                continue
            out = printer(fig)
            if out is None:
                continue
            if isinstance(out, tuple):
                data[mime], metadata[mime] = out
            else:
                data[mime] = out
    if not data:
        import base64

        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        data["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    w, h = fig.get_size_inches() * fig.dpi
    data["text/plain"] = f"<Figure size {w:g}x{h:g} with {len(fig.axes)} Axes>"
    publish_display_data(data, metadata=metadata)


def _subplots(nrows=1, ncols=1, figsize=None, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, FigureClass=CourseFigure, **kw)
    return fig, axes


def _figure_and_axes(ax, figsize):
    """(fig, ax): a new single-axes figure when ``ax`` is None, else ``ax`` and its figure."""
    if ax is None:
        fig, axes = _subplots(1, 1, figsize=figsize)
        return fig, axes[0, 0]
    return ax.figure, ax


def _finish(fig, title=None, ax=None, fontsize=None):
    """Put ``title`` on ``ax`` (a one-panel figure) or over the whole figure, lay the figure out
    and return it: the last step of every plotting function here."""
    if title:
        (ax.set_title if ax is not None else fig.suptitle)(title, **({} if fontsize is None else {"fontsize": fontsize}))
    fig.tight_layout()
    return fig


def _as_array(x, name) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x)
    except Exception as e:  # pragma: no cover - exotic inputs
        raise ValueError(f"{name} must be array-like, got {type(x).__name__}") from e
    if a.dtype == object:
        raise ValueError(f"{name} must be a numeric array, got dtype=object")
    return a


def _to_nhwc(images, name="images") -> np.ndarray:
    """Images as (N, H, W, C) with C in {1, 3, 4}; accepts NHW, NHWC and NCHW (C in {1, 3})."""
    a = _as_array(images, name)
    if a.ndim == 3:
        a = a[..., None]
    if a.ndim != 4:
        raise ValueError(
            f"{name} must have shape (N, H, W, C), (N, H, W) or (N, C, H, W); got shape {a.shape}"
        )
    if a.shape[-1] not in (1, 3, 4) and a.shape[1] in (1, 3):
        a = a.transpose(0, 2, 3, 1)  # channels first -> channels last
    if a.shape[-1] not in (1, 3, 4):
        raise ValueError(f"{name} must have 1, 3 or 4 channels; got shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one image")
    return a


def _displayable(img: np.ndarray) -> np.ndarray:
    """One image (H, W, C) ready for imshow: uint8 as is, floats in [0, 1] as is, else rescaled."""
    if img.dtype == np.uint8:
        out = img
    else:
        f = img.astype(np.float64)
        lo, hi = float(np.min(f)), float(np.max(f))
        if lo >= 0.0 and hi <= 1.0:
            out = f
        elif lo >= 0.0 and hi <= 255.0 and np.issubdtype(img.dtype, np.integer):
            out = f.astype(np.uint8)
        elif lo >= 0.0 and hi <= 255.0 and hi > 1.0:
            out = f / 255.0
        else:  # mean-subtracted or arbitrary floats: min-max per image
            out = (f - lo) / (hi - lo) if hi > lo else np.zeros_like(f)
    if out.shape[-1] == 1:
        out = out[..., 0]
    return out


def _label_text(label, class_names):
    if class_names is not None and isinstance(label, (int, np.integer)):
        if not 0 <= int(label) < len(class_names):
            raise ValueError(f"labels must lie in [0, {len(class_names)}) to index class_names; got {label}")
        return str(class_names[int(label)])
    return str(label)


def show_images(images, labels=None, class_names=None, ncols=8, title=None, scale=1.2):
    """Show a grid of images, each titled with its label (or class name).

    Inputs:
    - images: (N, H, W, C), (N, H, W) or (N, C, H, W); uint8 (0..255) or floats (shown as is
      if in [0, 1], else rescaled per image, e.g. for mean-subtracted data).
    - labels: optional sequence of N ints (indices into class_names) or strings.
    - class_names: optional list of names for int labels.
    - ncols: images per row.
    Returns the Figure.
    """
    imgs = _to_nhwc(images)
    n = imgs.shape[0]
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    if labels is not None:
        labels = list(np.asarray(labels).tolist()) if not isinstance(labels, (list, tuple)) else list(labels)
        if len(labels) != n:
            raise ValueError(f"labels must have one entry per image ({n}); got {len(labels)}")
    ncols = int(min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = _subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows + (0.3 if labels is not None else 0)))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        img = _displayable(imgs[i])
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
        if labels is not None:
            ax.set_title(_label_text(labels[i], class_names), fontsize=8)
    return _finish(fig, title)


def show_class_samples(X, y, class_names, per_class=7, seed=0, scale=1.0):
    """CS231n's picture: ``per_class`` random training images of every class, one column each.

    Inputs: X (N, H, W, C) images (or NCHW / NHW), y (N,) int labels, class_names (list).
    Returns the Figure.
    """
    imgs = _to_nhwc(X, "X")
    y = _as_array(y, "y")
    if y.ndim != 1 or y.shape[0] != imgs.shape[0]:
        raise ValueError(f"y must have shape ({imgs.shape[0]},) to match X; got {y.shape}")
    if class_names is None or len(class_names) == 0:
        raise ValueError("class_names must be a non-empty list of names")
    if not isinstance(per_class, (int, np.integer)) or per_class < 1:
        raise ValueError(f"per_class must be a positive int, got {per_class!r}")
    rng = np.random.default_rng(seed)
    k = len(class_names)
    fig, axes = _subplots(per_class, k, figsize=(scale * k, scale * per_class + 0.3))
    for c in range(k):
        idxs = np.flatnonzero(y == c)
        chosen = rng.choice(idxs, size=min(per_class, idxs.size), replace=False) if idxs.size else []
        for r in range(per_class):
            ax = axes[r, c]
            ax.axis("off")
            if r < len(chosen):
                img = _displayable(imgs[chosen[r]])
                ax.imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
            if r == 0:
                ax.set_title(str(class_names[c]), fontsize=8)
    fig.tight_layout()
    return fig


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Reshape a 4-D tensor of image data to a grid for easy visualization (CS231n).

    Inputs:
    - Xs: data of shape (N, H, W, C)
    - ubound: output grid will have values scaled to the range [0, ubound]
    - padding: the number of blank pixels between elements of the grid
    Returns an array of shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C), G = ceil(sqrt(N)).
    """
    Xs = _as_array(Xs, "Xs")
    if Xs.ndim != 4 or Xs.shape[0] == 0:
        raise ValueError(f"Xs must have shape (N, H, W, C) with N >= 1; got {Xs.shape}")
    if not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be a non-negative int, got {padding!r}")
    (N, H, W, C) = Xs.shape
    grid_size = int(math.ceil(math.sqrt(N)))
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))
    next_idx = 0
    y0, y1 = 0, H
    for _ in range(grid_size):
        x0, x1 = 0, W
        for _ in range(grid_size):
            if next_idx < N:
                img = Xs[next_idx].astype(np.float64)
                low, high = np.min(img), np.max(img)
                if high > low:
                    grid[y0:y1, x0:x1] = ubound * (img - low) / (high - low)
                next_idx += 1
            x0 += W + padding
            x1 += W + padding
        y0 += H + padding
        y1 += H + padding
    return grid


def show_weight_templates(W, class_names, shape=(32, 32, 3), scale=1.4):
    """Show a linear classifier's weights as one image per class (CS231n).

    Inputs:
    - W: (D, K) weights with D = prod(shape), or prod(shape) + 1 (the bias row of the bias
      trick is dropped); (K, D) is accepted too (e.g. a torch ``nn.Linear`` weight).
    - class_names: K names. shape: the image shape (H, W, C) the D inputs came from.
    Returns the Figure.
    """
    W = _as_array(W, "W").astype(np.float64)
    d = int(np.prod(shape))
    k = len(class_names) if class_names is not None else 0
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D of shape ({d} or {d + 1}, num_classes); got {W.shape}")
    if W.shape[0] not in (d, d + 1) and W.shape[1] in (d, d + 1):
        W = W.T
    if W.shape[0] not in (d, d + 1):
        raise ValueError(f"W must have shape ({d} or {d + 1}, num_classes) for images of shape {tuple(shape)}; got {W.shape}")
    if k != W.shape[1]:
        raise ValueError(f"class_names must have one name per column of W ({W.shape[1]}); got {k}")
    w = W[:d].T.reshape((k,) + tuple(shape))
    ncols = min(k, 10)
    nrows = math.ceil(k / ncols)
    fig, axes = _subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows + 0.3))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= k:
            continue
        img = w[i]
        lo, hi = img.min(), img.max()
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img[..., 0] if img.shape[-1] == 1 else img, cmap="gray" if img.shape[-1] == 1 else None)
        ax.set_title(str(class_names[i]), fontsize=9)
    fig.tight_layout()
    return fig


def _xy(name, series):
    if isinstance(series, tuple) and len(series) == 2:
        x, y = (np.asarray(s, dtype=np.float64).ravel() for s in series)
    else:
        y = np.asarray(series, dtype=np.float64).ravel()
        x = np.arange(y.size)
    if x.shape != y.shape:
        raise ValueError(f"histories[{name!r}]: x and y must have the same length; got {x.size} and {y.size}")
    return x, y


def plot_curves(histories, xlabel="epoch", ylabel="", title=None, logy=False, ax=None):
    """Plot several named curves on one set of axes.

    Inputs:
    - histories: dict name -> sequence of y values (x = 0, 1, 2, ...) or an (x, y) tuple.
    Returns the Figure (that of ``ax`` when given).
    """
    if not isinstance(histories, dict) or not histories:
        raise ValueError("histories must be a non-empty dict: name -> sequence of values (or (x, y))")
    fig, ax = _figure_and_axes(ax, figsize=(6, 4))
    for name, series in histories.items():
        x, y = _xy(name, series)
        ax.plot(x, y, marker="o" if y.size <= 30 else None, ms=3, label=str(name))
    if all(np.allclose(_xy(n, s)[0], np.round(_xy(n, s)[0])) for n, s in histories.items()):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_training(loss_history, train_acc_history=None, val_acc_history=None, title=None):
    """CS231n's two panels: training loss per iteration; train/val accuracy per epoch.

    Returns the Figure.
    """
    loss = np.asarray(loss_history, dtype=np.float64).ravel()
    if loss.size == 0:
        raise ValueError("loss_history must be a non-empty sequence of losses")
    has_acc = train_acc_history is not None or val_acc_history is not None
    fig, axes = _subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 4))
    ax = axes[0, 0]
    ax.plot(np.arange(loss.size), loss, "o" if loss.size > 200 else "-o", ms=2, alpha=0.6)
    if loss.size > 50:  # a moving average makes the trend readable
        k = max(5, loss.size // 50)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax.plot(np.arange(k - 1, loss.size), smooth, "-", color="C3", lw=2, label=f"moving average ({k})")
        ax.legend()
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title("training loss")
    ax.grid(alpha=0.3)
    if has_acc:
        ax = axes[0, 1]
        lens = set()
        for name, h in (("train", train_acc_history), ("val", val_acc_history)):
            if h is None:
                continue
            h = np.asarray(h, dtype=np.float64).ravel()
            lens.add(h.size)
            ax.plot(np.arange(h.size), h, "-o", ms=3, label=name)
        if len(lens) > 1:
            raise ValueError(f"train_acc_history and val_acc_history must have the same length; got {sorted(lens)}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title("classification accuracy")
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, title)


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Counts C[i, j] = number of examples of true class i predicted as class j (int64)."""
    t = _as_array(y_true, "y_true").ravel()
    p = _as_array(y_pred, "y_pred").ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {t.size} and {p.size}")
    if not (np.issubdtype(t.dtype, np.integer) and np.issubdtype(p.dtype, np.integer)) and t.size:
        if not (np.all(t == np.round(t)) and np.all(p == np.round(p))):
            raise ValueError("y_true and y_pred must hold integer class labels")
    t = t.astype(np.int64)
    p = p.astype(np.int64)
    if num_classes is None:
        num_classes = int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    if t.size and (t.min() < 0 or p.min() < 0 or t.max() >= num_classes or p.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, num_classes={num_classes})")
    return np.bincount(t * num_classes + p, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def plot_confusion_matrix(y_true, y_pred, class_names, normalize=True, title=None):
    """Confusion matrix (rows: true class, columns: predicted), normalized per row by default.

    Returns the Figure.
    """
    if class_names is None or len(class_names) == 0:
        raise ValueError("class_names must be a non-empty list of names")
    k = len(class_names)
    cm = confusion_matrix(y_true, y_pred, k).astype(np.float64)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.55 * k + 1.5)
    fig, axes = _subplots(1, 1, figsize=(size + 1, size))
    ax = axes[0, 0]
    im = ax.imshow(cm, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(k), [str(c) for c in class_names], rotation=45, ha="right")
    ax.set_yticks(range(k), [str(c) for c in class_names])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 20:
        thresh = cm.max() / 2 if cm.max() > 0 else 0.5
        for i in range(k):
            for j in range(k):
                txt = f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
                ax.text(j, i, txt, ha="center", va="center", fontsize=7,
                        color="white" if cm[i, j] > thresh else "black")
    acc = float(np.trace(confusion_matrix(y_true, y_pred, k))) / max(1, np.asarray(y_true).size)
    ax.set_title(title or f"confusion matrix (accuracy {acc:.3f})")
    fig.tight_layout()
    return fig


def show_conv_filters(W, max_filters=64, max_channels=16, scale=0.8, title=None):
    """Show conv filters W of shape (F, C, HH, WW).

    C == 3: one RGB tile per filter (rescaled to [0, 1] per filter, as in CS231n).
    Otherwise: a grid with one row per filter and one grayscale tile per input channel
    (at most ``max_filters`` rows and ``max_channels`` columns). Returns the Figure.
    """
    W = _as_array(W, "W").astype(np.float64)
    if W.ndim != 4:
        raise ValueError(f"W must have shape (F, C, HH, WW); got {W.shape}")
    F, C = W.shape[:2]
    F = min(F, max_filters)
    if C == 3:
        ncols = min(F, 8)
        nrows = math.ceil(F / ncols)
        fig, axes = _subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows + 0.3))
        for i, ax in enumerate(axes.flat):
            ax.axis("off")
            if i < F:
                f = W[i].transpose(1, 2, 0)
                lo, hi = f.min(), f.max()
                ax.imshow((f - lo) / (hi - lo) if hi > lo else np.zeros_like(f), interpolation="nearest")
    else:
        C = min(C, max_channels)
        fig, axes = _subplots(F, C, figsize=(scale * C, scale * F + 0.3))
        vmax = float(np.abs(W[:F, :C]).max()) or 1.0
        for i in range(F):
            for j in range(C):
                ax = axes[i, j]
                ax.axis("off")
                ax.imshow(W[i, j], cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    return _finish(fig, title)


def show_feature_maps(maps, ncols=8, max_maps=64, cmap="viridis", scale=1.2, title=None):
    """Show activation maps of one image, shape (C, H, W) (or (1, C, H, W)). Returns the Figure."""
    m = _as_array(maps, "maps").astype(np.float64)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3 or m.shape[0] == 0:
        raise ValueError(f"maps must have shape (C, H, W) (one image's activations); got {m.shape}")
    if not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    n = min(m.shape[0], max_maps)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = _subplots(nrows, ncols, figsize=(scale * ncols, scale * nrows + 0.3))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(m[i], cmap=cmap, interpolation="nearest")
            ax.set_title(str(i), fontsize=7)
    return _finish(fig, title)


def plot_decision_regions(predict_fn, X, y, ax=None, title=None, resolution=200, margin=0.5):
    """Colour the plane by ``predict_fn`` and scatter the 2-D points X coloured by label y.

    predict_fn maps an (M, 2) array to M int labels or to (M, K) scores (argmax is taken).
    Returns the Figure (that of ``ax`` when given).
    """
    if not callable(predict_fn):
        raise ValueError("predict_fn must be callable: (M, 2) array -> M labels or (M, K) scores")
    X = _as_array(X, "X").astype(np.float64)
    y = _as_array(y, "y").ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (2-D points); got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X; got {y.shape}")
    x0min, x1min = X.min(axis=0) - margin
    x0max, x1max = X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(x0min, x0max, resolution), np.linspace(x1min, x1max, resolution))
    grid = np.c_[g0.ravel(), g1.ravel()]
    pred = np.asarray(predict_fn(grid))
    if pred.ndim == 2:
        pred = pred.argmax(axis=1)
    if pred.shape != (grid.shape[0],):
        raise ValueError(f"predict_fn must return {grid.shape[0]} labels or ({grid.shape[0]}, K) scores; got shape {pred.shape}")
    fig, ax = _figure_and_axes(ax, figsize=(5, 5))
    k = int(max(pred.max(), y.max()) + 1)
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    ax.contourf(g0, g1, pred.reshape(g0.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.3, vmin=0, vmax=cmap.N - 1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=0, vmax=cmap.N - 1, s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlim(x0min, x0max)
    ax.set_ylim(x1min, x1max)
    ax.set_aspect("equal")
    return _finish(fig, title, ax=ax)


# ----------------------------------------------------------------------------- notebook 04: convolution
def _grid(ax, rows, cols, colors, edge="0.6"):
    """Draw a rows x cols grid of unit cells; ``colors[r][c]`` fills cell (r, c)."""
    from matplotlib.patches import Rectangle

    for r in range(rows):
        for c in range(cols):
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colors[r][c], edgecolor=edge, linewidth=0.6))
    ax.set_xlim(-0.2, cols + 0.2)
    ax.set_ylim(rows + 0.2, -0.2)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def plot_conv_window(size=7, filter_size=3, stride=2, pad=1, i=0, j=0):
    """One output cell of a convolution and the input window it sees.

    Left: the input (``size`` x ``size``, white) inside its zero padding (grey); the window of
    output (i, j) - ``filter_size`` x ``filter_size`` pixels starting at (i*stride, j*stride) of
    the padded input - in orange, and the top-left corners of all windows as dots. Right: the
    output grid, floor((size - filter_size + 2*pad)/stride) + 1 on a side, cell (i, j) in orange.
    Returns the Figure. Raises ValueError for sizes that do not fit or an (i, j) off the output.
    """
    from matplotlib.patches import Rectangle

    for name, v, low in (("size", size, 1), ("filter_size", filter_size, 1), ("stride", stride, 1), ("pad", pad, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be an int >= {low}, got {v!r}")
    padded = size + 2 * pad
    if filter_size > padded:
        raise ValueError(f"filter_size {filter_size} does not fit in the padded input ({padded} pixels)")
    out = (padded - filter_size) // stride + 1
    if not (0 <= i < out and 0 <= j < out):
        raise ValueError(f"(i, j) must index the {out}x{out} output, got ({i}, {j})")
    fig, axes = _subplots(1, 2, figsize=(9, 4.6), gridspec_kw={"width_ratios": [padded, max(out, 3)]})
    ax, ax_out = axes[0]
    colors = [["0.85" if (r < pad or r >= pad + size or c < pad or c >= pad + size) else "white"
               for c in range(padded)] for r in range(padded)]
    _grid(ax, padded, padded, colors)
    ax.add_patch(Rectangle((j * stride, i * stride), filter_size, filter_size, facecolor="tab:orange",
                           alpha=0.55, edgecolor="tab:red", linewidth=2))
    for a in range(out):
        for b in range(out):
            ax.plot(b * stride + 0.5, a * stride + 0.5, "o", color="tab:blue", markersize=3)
    ax.set_title(f"input {size}x{size}, pad {pad} (grey), window {filter_size}x{filter_size}\n"
                 f"at ({i}*{stride}, {j}*{stride}) = ({i * stride}, {j * stride}) of the padded input; "
                 "dots: every window's start", fontsize=9)
    out_colors = [["tab:orange" if (r, c) == (i, j) else "white" for c in range(out)] for r in range(out)]
    _grid(ax_out, out, out, out_colors)
    ax_out.set_title(f"output {out}x{out}\n= floor(({size} - {filter_size} + 2*{pad})/{stride}) + 1", fontsize=9)
    fig.tight_layout()
    return fig


def plot_receptive_fields(fields, grid_size=None, labels=None, title=None):
    """Nested squares: the input window seen by one output unit after each of a stack of layers.

    fields: receptive-field widths, one per layer (e.g. [3, 5, 7] for three 3x3 convs), as
    computed by the caller; they are drawn centred on the same output unit over an input grid of
    ``grid_size`` pixels (default: the largest field + 4). Returns the Figure.
    """
    from matplotlib.patches import Rectangle

    fields = [int(f) for f in fields]
    if not fields or min(fields) < 1:
        raise ValueError(f"fields must be a non-empty list of positive widths, got {fields!r}")
    n = grid_size or max(fields) + 4
    if n < max(fields):
        raise ValueError(f"grid_size {n} is smaller than the largest receptive field {max(fields)}")
    labels = labels or [f"after layer {k + 1}: {f}x{f}" for k, f in enumerate(fields)]
    fig, axes = _subplots(1, 1, figsize=(5.2, 5.2))
    ax = axes[0, 0]
    _grid(ax, n, n, [["white"] * n for _ in range(n)], edge="0.85")
    cmap = plt.get_cmap("viridis")
    centre = n // 2
    for k, (f, label) in reversed(list(enumerate(zip(fields, labels)))):
        start = centre - f // 2
        color = cmap(k / max(1, len(fields) - 1) * 0.85)
        ax.add_patch(Rectangle((start, start), f, f, facecolor=color, alpha=0.35, edgecolor=color,
                               linewidth=2, label=label))
    ax.add_patch(Rectangle((centre, centre), 1, 1, facecolor="black"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=1, fontsize=8, frameon=False)
    ax.set_title(title or "receptive field of one unit (black) through stacked layers", fontsize=10)
    fig.tight_layout()
    return fig


def plot_matrix(M, title=None, xlabel=None, ylabel=None, row_groups=None, col_groups=None, cmap="viridis",
                figsize=(7, 5), zero_is_blank=True, annotate=False):
    """A matrix as an image: zeros blank (white), lines between groups of rows/columns.

    row_groups / col_groups: sizes of consecutive groups (e.g. one group of columns per image);
    a thin line is drawn between groups. annotate=True writes each non-zero value (rounded to an
    integer) into its cell - for small matrices. Returns the Figure.
    """
    M = _as_array(M, "M").astype(np.float64)
    if M.ndim != 2:
        raise ValueError(f"M must be a 2-D array, got shape {M.shape}")
    fig, axes = _subplots(1, 1, figsize=figsize)
    ax = axes[0, 0]
    shown = np.ma.masked_equal(M, 0) if zero_is_blank else M
    im = ax.imshow(shown, cmap=cmap, interpolation="nearest", aspect="auto")
    fig.colorbar(im, ax=ax, fraction=0.04)
    if annotate:
        lo, hi = float(np.min(M)), float(np.max(M))
        for (r, c), v in np.ndenumerate(M):
            if v != 0 or not zero_is_blank:
                dark = (v - lo) / (hi - lo or 1) < 0.5
                ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=7, color="white" if dark else "black")
    for groups, line in ((row_groups, ax.axhline), (col_groups, ax.axvline)):
        if groups:
            for edge in np.cumsum(groups)[:-1]:
                line(edge - 0.5, color="k", linewidth=0.8)
    if title:
        ax.set_title(title, fontsize=10)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def plot_coverage(counts, pad, title=None):
    """How many conv windows cover each pixel of the padded input (``counts``, 2-D), with the
    real image outlined: pixels no window touches are marked with a red cross. Returns the Figure."""
    from matplotlib.patches import Rectangle

    counts = _as_array(counts, "counts")
    if counts.ndim != 2:
        raise ValueError(f"counts must be a 2-D array (padded H, padded W), got shape {counts.shape}")
    fig, axes = _subplots(1, 1, figsize=(5.6, 5.2))
    ax = axes[0, 0]
    im = ax.imshow(counts, cmap="Blues", interpolation="nearest", vmin=0)
    fig.colorbar(im, ax=ax, fraction=0.045, label="windows covering the pixel")
    H, W = counts.shape
    ax.add_patch(Rectangle((pad - 0.5, pad - 0.5), W - 2 * pad, H - 2 * pad, fill=False, edgecolor="tab:orange",
                           linewidth=2, label="the image (inside the padding)"))
    rr, cc = np.nonzero(counts == 0)
    ax.plot(cc, rr, "x", color="tab:red", markersize=4, label="never seen by any window")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.04), fontsize=8, frameon=False)
    ax.set_title(title or "coverage of the padded input", fontsize=10)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- notebook 03: computational graphs
def plot_graph(nodes, title=None, ax=None, fmt="{:.2f}"):
    """A computational graph with its forward values and backward gradients, as CS231n draws
    its circuits: each value in green above the wire that carries it, its gradient in red below.

    nodes: the graph, in the order of the forward pass: tuples ``(name, op, inputs, value, grad)``.
    An input has ``op`` None and ``inputs`` ``()`` and is drawn as its name; a gate has an
    ``op`` label (``"+"``, ``"*"``, ``"σ"``, ...) and the names of its inputs, and is drawn as a
    circle. Inputs sit in the first column, in the given order from the top; a gate one column
    right of its rightmost input, at the mean height of its inputs. A node's value and gradient
    label every wire leaving it; the last node gets a wire out to its name. Returns the Figure
    (that of ``ax`` when given). Raises ValueError for an unknown or later input name.
    """
    from matplotlib.patches import Circle

    if not isinstance(nodes, (list, tuple)) or not nodes:
        raise ValueError("nodes must be a non-empty list of (name, op, inputs, value, grad) tuples")
    pos, info = {}, {}
    leaves = 0
    for k, node in enumerate(nodes):
        if not (isinstance(node, (list, tuple)) and len(node) == 5):
            raise ValueError(f"nodes[{k}] must be a tuple (name, op, inputs, value, grad), got {node!r}")
        name, op, inputs, value, grad = node
        if name in pos:
            raise ValueError(f"nodes[{k}]: the name {name!r} is used twice")
        unknown = [i for i in inputs if i not in pos]
        if unknown:
            raise ValueError(f"nodes[{k}] ({name!r}): inputs {unknown} must be names of earlier nodes")
        if (op is None) != (len(inputs) == 0):
            raise ValueError(f"nodes[{k}] ({name!r}): an input has op None and no inputs; a gate has both")
        if op is None:
            pos[name] = (0.0, -float(leaves))
            leaves += 1
        else:
            pos[name] = (1.0 + max(pos[i][0] for i in inputs), float(np.mean([pos[i][1] for i in inputs])))
        info[name] = (op, tuple(inputs), float(value), float(grad))
    cols = max(p[0] for p in pos.values()) + 1
    pos = {k: (1.7 * x, y) for k, (x, y) in pos.items()}   # room for the labels between columns
    fig, ax = _figure_and_axes(ax, figsize=(1.7 * cols + 1.6, 0.8 * max(leaves, 2) + 0.9))
    r = 0.2

    def wire(start, end, value, grad, from_gate, to_gate):
        (x0, y0), (x1, y1) = start, end
        x0 += r if from_gate else 0.15
        x1 -= r if to_gate else 0.0
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": "0.35", "lw": 1.2, "shrinkA": 0, "shrinkB": 0})
        length = math.hypot(x1 - x0, y1 - y0)
        t = (0.5 if from_gate else 0.3) if length < 2.5 else 1.0 / length   # labels near the source
        xm, ym = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length  # unit normal, pointing up
        if ny < 0:
            nx, ny = -nx, -ny
        d = 0.17
        ax.text(xm + d * nx, ym + d * ny, fmt.format(value), color="tab:green", ha="center", va="center",
                fontsize=10, fontweight="bold")
        ax.text(xm - d * nx, ym - d * ny, fmt.format(grad), color="tab:red", ha="center", va="center", fontsize=10)

    for name, (op, inputs, value, grad) in info.items():
        x, y = pos[name]
        if op is None:
            ax.text(x, y, str(name), ha="right", va="center", fontsize=12)
        else:
            ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor="0.2", lw=1.5, zorder=3))
            ax.text(x, y, str(op), ha="center", va="center", fontsize=13, zorder=4)
        for i in inputs:
            i_op, _, i_value, i_grad = info[i]
            wire(pos[i], (x, y), i_value, i_grad, i_op is not None, True)
    last = list(info)[-1]
    x, y = pos[last]
    wire((x, y), (x + 1.3, y), info[last][2], info[last][3], info[last][0] is not None, False)
    ax.text(x + 1.35, y, str(last), ha="left", va="center", fontsize=12)
    ax.text(0.0, 0.02, "green: value (forward)    red: gradient of the output (backward)", transform=ax.transAxes,
            fontsize=8, color="0.3")
    ax.set_xlim(-0.7, x + 1.8)
    ax.set_ylim(min(p[1] for p in pos.values()) - 0.7, 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return _finish(fig, title, ax=ax)


__all__ += ["plot_graph"]


# ----------------------------------------------------------------------------- notebook 01: k-Nearest Neighbor
def _flat_image(row, image_shape):
    """A flattened image row as a float (H, W, 3) tile in [0, 1] (gray images repeated on 3 channels)."""
    img = _displayable(np.asarray(row).reshape(image_shape))
    img = img / 255.0 if img.dtype == np.uint8 else img.astype(np.float64)
    return np.repeat(img[..., None], 3, axis=-1) if img.ndim == 2 else img[..., :3]


def _mosaic(ax, grid, image_shape, gap=4, first_gap=8, text_room=15):
    """Draw rows of tiles ``(flat image, title, colour, bold)`` as ONE image on ``ax`` (fast to
    render, also for many tiles); the first column stands apart. Returns (width, height) in pixels."""
    h, w = image_shape[0], image_shape[1]
    ncols = max(len(row) for row in grid)
    W = ncols * (w + gap) - gap + (first_gap if ncols > 1 else 0)
    H = len(grid) * (h + text_room)
    canvas = np.ones((H, W, 3))
    for r, row in enumerate(grid):
        y0 = r * (h + text_room) + text_room
        for c, (flat, title, color, bold) in enumerate(row):
            x0 = c * (w + gap) + (first_gap if c >= 1 else 0)
            canvas[y0:y0 + h, x0:x0 + w] = _flat_image(flat, image_shape)
            ax.text(x0 + w / 2, y0 - 1, title, ha="center", va="bottom", fontsize=7, color=color,
                    fontweight="bold" if bold else "normal")
    ax.imshow(canvas, interpolation="nearest")
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    ax.axis("off")
    return W, H


def _neighbor_row(query, neighbors, labels, distances, class_names, truth):
    """One mosaic row: the query image, then each neighbour titled with its class and distance,
    green when it has the query's class ``truth``, red when not (black when truth is None)."""
    def name(label):
        return _label_text(int(label), class_names)

    row = [(query, "test" if truth is None else f"test: {name(truth)}", "black", True)]
    for img, label, dist in zip(neighbors, labels, distances):
        color = "black" if truth is None else ("green" if int(label) == int(truth) else "red")
        row.append((img, f"{name(label)}\n{dist:.0f}", color, False))
    return row


def _check_neighbors(queries, neighbors, labels, distances):
    q = _as_array(queries, "queries")
    if q.ndim != 2:
        raise ValueError(f"queries must have shape (Q, D) (flattened images), got {q.shape}")
    nb = _as_array(neighbors, "neighbors")
    if nb.shape[:1] != q.shape[:1] or nb.ndim != 3 or nb.shape[2] != q.shape[1]:
        raise ValueError(f"neighbors must have shape ({q.shape[0]}, k, {q.shape[1]}), got {nb.shape}")
    for name, a in (("labels", labels), ("distances", distances)):
        if np.shape(a) != nb.shape[:2]:
            raise ValueError(f"{name} must have shape {nb.shape[:2]} (one per neighbour), got {np.shape(a)}")
    return q, nb, np.asarray(labels), np.asarray(distances)


def show_neighbor_rows(queries, neighbors, labels, distances, class_names=None, y_true=None,
                       image_shape=(32, 32, 3)):
    """One row per query image: the image, then its neighbours (closest first, as given), each
    titled with its class and distance; green when it has the query's class ``y_true[q]``.

    Inputs: queries (Q, D) flattened images; neighbors (Q, k, D); labels (Q, k) int;
    distances (Q, k); class_names (optional); y_true (Q,) or None. Returns the Figure.
    """
    q, nb, labels, distances = _check_neighbors(queries, neighbors, labels, distances)
    grid = [_neighbor_row(q[r], nb[r], labels[r], distances[r], class_names,
                          None if y_true is None else y_true[r]) for r in range(len(q))]
    ncols = nb.shape[1] + 1
    W, H = ncols * (image_shape[1] + 4) + 4, len(grid) * (image_shape[0] + 15)
    fig = plt.figure(figsize=(W / 28, H / 28), FigureClass=CourseFigure)
    _mosaic(fig.add_axes([0, 0, 1, 1]), grid, image_shape)
    return fig


def show_vote(query, neighbors, labels, distances, num_classes, class_names=None, y_true=None,
              image_shape=(32, 32, 3), max_shown=10):
    """One query image, its k neighbours (the first ``max_shown`` drawn) and their vote as bars.

    Inputs: query (D,); neighbors (k, D); labels (k,) int in 0..num_classes-1; distances (k,);
    class_names (optional, num_classes names); y_true: the query's true label or None.
    Returns (fig, votes): votes is an int array (num_classes,), the number of neighbours of each
    class; the bar of the winner, np.argmax(votes) (ties: the smaller label), is coloured.
    """
    q, nb, labels, distances = _check_neighbors(np.asarray(query)[None], np.asarray(neighbors)[None],
                                                np.asarray(labels)[None], np.asarray(distances)[None])
    labels = labels[0].astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1} (num_classes={num_classes})")
    votes = np.bincount(labels, minlength=num_classes)
    pred, k, shown = int(np.argmax(votes)), len(labels), min(len(labels), max_shown)
    row = _neighbor_row(q[0], nb[0, :shown], labels[:shown], distances[0, :shown], class_names, y_true)
    ncols = shown + 1
    W, H = ncols * (image_shape[1] + 4) + 4, image_shape[0] + 15
    width = max(6.0, W / 28)
    top, bar = H / W * width, 1.8                      # inches: the image row keeps its aspect ratio
    total = top + bar + 1.1
    fig = plt.figure(figsize=(width, total), FigureClass=CourseFigure)
    _mosaic(fig.add_axes([0, 1 - top / total, 1, top / total]), [row], image_shape)
    ax = fig.add_axes([0.08, 0.55 / total, 0.9, bar / total])
    names = [_label_text(c, class_names) for c in range(num_classes)]
    win = "C0" if y_true is None else ("green" if pred == int(y_true) else "red")
    ax.bar(range(num_classes), votes, color=[win if c == pred else "0.6" for c in range(num_classes)])
    ax.set_xticks(range(num_classes))
    ax.set_xticklabels(names, rotation=30, fontsize=8)
    ax.set_ylabel("votes")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    more = f" (first {shown} shown)" if shown < k else ""
    verdict = "" if y_true is None else (" - correct" if pred == int(y_true) else " - wrong")
    ax.set_title(f"k = {k}{more}: predicted {names[pred]} with {votes[pred]} of {k} votes{verdict}", fontsize=9)
    return fig, votes


def plot_cross_validation(k_to_accuracies, title=None, ax=None):
    """Cross-validation accuracy against k: every fold's accuracy as a grey dot, the mean over
    the folds with +- one standard deviation as error bars; log-scaled k axis.

    k_to_accuracies: dict k -> list of fold accuracies (as ``knn.cross_validate_k`` returns).
    Returns the Figure (that of ``ax`` when given).
    """
    if not isinstance(k_to_accuracies, dict) or not k_to_accuracies:
        raise ValueError("k_to_accuracies must be a non-empty dict: k -> list of fold accuracies")
    ks = sorted(k_to_accuracies)
    if min(ks) < 1:
        raise ValueError(f"k_to_accuracies must have positive keys k, got {ks}")
    fig, ax = _figure_and_axes(ax, figsize=(7, 4))
    for k in ks:
        ax.scatter([k] * len(k_to_accuracies[k]), k_to_accuracies[k], color="gray", s=12, alpha=0.7)
    means = [np.mean(k_to_accuracies[k]) for k in ks]
    stds = [np.std(k_to_accuracies[k]) for k in ks]
    ax.errorbar(ks, means, yerr=stds, color="C0", marker="o", capsize=4, label="mean +- std over folds")
    ax.set_xscale("log")
    ax.set_xticks(ks)
    ax.set_xticklabels([str(k) for k in ks])
    ax.minorticks_off()
    ax.set_xlabel("k")
    ax.set_ylabel("cross-validation accuracy")
    ax.set_title(title or "cross-validation of k")
    ax.legend()
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- notebook 02: linear classifiers
def plot_scores(scores, label, class_names, loss="svm", delta=1.0, ax=None):
    """One example's class scores and what a loss makes of them.

    ``loss="svm"``: the scores as bars, the correct class in green, the line ``s_y - delta`` that
    every other score should stay below; the bars that cross it are the active hinges (red),
    each labelled with its hinge ``max(0, s_j - s_y + delta)``. ``loss="softmax"``: the
    probabilities ``exp(s) / sum(exp(s))`` as bars, the correct class in green, ``-log p_y`` in
    the title. Returns the Figure (that of ``ax`` when given).
    """
    s = _as_array(scores, "scores").astype(np.float64).ravel()
    if s.size < 2:
        raise ValueError(f"scores must hold one score per class (at least 2), got {s.size}")
    if len(class_names) != s.size:
        raise ValueError(f"class_names must have one name per score ({s.size}), got {len(class_names)}")
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < s.size:
        raise ValueError(f"label must be a class index in 0..{s.size - 1}, got {label!r}")
    if loss not in ("svm", "softmax"):
        raise ValueError(f"loss must be 'svm' or 'softmax', got {loss!r}")
    fig, ax = _figure_and_axes(ax, figsize=(5, 3.4))
    x = np.arange(s.size)
    if loss == "svm":
        hinge = np.maximum(0, s - s[label] + delta)
        hinge[label] = 0
        colors = ["tab:green" if j == label else ("tab:red" if hinge[j] > 0 else "tab:gray") for j in x]
        ax.bar(x, s, color=colors)
        ax.axhline(s[label] - delta, color="tab:green", linestyle="--", linewidth=1,
                   label=f"s_y - Δ = {s[label] - delta:g}: other scores should stay below")
        for j in x:
            if hinge[j] > 0:
                ax.annotate(f"hinge {hinge[j]:.2f}", (j, s[j]), textcoords="offset points", xytext=(0, 3),
                            ha="center", fontsize=8, color="tab:red")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.margins(y=0.15)
        ax.set_ylabel("score")
        ax.set_title(f"multiclass SVM: L = sum of the hinges = {hinge.sum():.2f}", fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
    else:
        p = np.exp(s - s.max())
        p /= p.sum()
        ax.bar(x, p, color=["tab:green" if j == label else "tab:gray" for j in x])
        for j in x:
            ax.annotate(f"{p[j]:.2f}", (j, p[j]), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
        ax.set_ylim(0, 1.08)
        ax.set_ylabel("probability")
        ax.set_title(f"softmax: L = -log p_y = -log {p[label]:.2f} = {-np.log(p[label]):.2f}", fontsize=10)
    ax.set_xticks(x, [f"{n}\n({v:g})" if loss == "svm" else f"{n}\n(s={v:g})" for n, v in zip(class_names, s)])
    fig.tight_layout()
    return fig


def plot_search(results, learning_rates, regs, title=None, ax=None):
    """Heatmap of validation accuracy over a (learning rate, reg) grid; NaN (diverged) is grey.

    results: dict ``(lr, reg) -> (train accuracy, validation accuracy)``, as the hyperparameter
    search of notebook 02 returns it. Returns the Figure (that of ``ax`` when given).
    """
    import itertools

    if not isinstance(results, dict):
        raise ValueError("results must be a dict (lr, reg) -> (train accuracy, validation accuracy)")
    missing = [(lr, reg) for lr in learning_rates for reg in regs if (lr, reg) not in results]
    if missing:
        raise ValueError(f"results has no entry for the pair(s) {missing[:3]}: run the search over the same grid")
    grid = np.array([[results[(lr, reg)][1] for reg in regs] for lr in learning_rates], dtype=np.float64)
    fig, ax = _figure_and_axes(ax, figsize=(5, 4))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("lightgrey")
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, origin="lower", aspect="auto")
    mean = np.nanmean(grid) if np.isfinite(grid).any() else 0.0
    for i, j in itertools.product(range(len(learning_rates)), range(len(regs))):
        v = grid[i, j]
        ax.text(j, i, "diverged" if np.isnan(v) else f"{v:.3f}", ha="center", va="center", fontsize=10,
                color="white" if np.isnan(v) or v < mean else "black")
    ax.set_xticks(range(len(regs)), [f"{r:g}" for r in regs])
    ax.set_yticks(range(len(learning_rates)), [f"{lr:g}" for lr in learning_rates])
    ax.set_xlabel("regularization strength")
    ax.set_ylabel("learning rate")
    if title:
        ax.set_title(title)
    fig.colorbar(im, ax=ax, label="validation accuracy")
    fig.tight_layout()
    return fig


__all__ += ["plot_scores", "plot_search"]


# ----------------------------------------------------------------------------- notebook 05: pooling
_WINDOW_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
                  "tab:olive", "tab:cyan")


def _numbers(ax, M, bold=None, fmt="{:g}", cmap="Blues", vmin=None, vmax=None, faces=None):
    """A small matrix with its numbers written in the cells (``bold``: a boolean mask of cells in
    bold; ``faces``: per-cell background colours instead of the colour map)."""
    M = np.asarray(M, dtype=np.float64)
    if faces is not None:
        _grid(ax, M.shape[0], M.shape[1], faces, edge="0.5")
        for spine in ax.spines.values():
            spine.set_visible(False)
        offset = 0.5
    else:
        lo = float(M.min()) if vmin is None else vmin
        hi = float(M.max()) if vmax is None else vmax
        ax.imshow(M, cmap=cmap, vmin=min(lo, 0), vmax=max(hi, 1e-9) * 1.3, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        offset = 0.0
    for (r, c), v in np.ndenumerate(M):
        heavy = bold is not None and bool(bold[r, c])
        ax.text(c + offset, r + offset, fmt.format(v), ha="center", va="center", fontsize=11,
                fontweight="bold" if heavy else "normal", color="black")


def show_pool_windows(x, pool_height=2, pool_width=2, stride=2, title=None):
    """A 2-D input ``x`` pooled with windows of ``pool_height`` x ``pool_width`` every ``stride``
    pixels: left, the input with every window outlined in its own colour (the maximum of each in
    bold); right, the max-pooled output, each cell in the colour of its window. Returns the Figure."""
    from matplotlib.patches import Rectangle

    x = _as_array(x, "x").astype(np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be a 2-D array (H, W), got shape {x.shape}")
    H, W = x.shape
    for name, v in (("pool_height", pool_height), ("pool_width", pool_width), ("stride", stride)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    if pool_height > H or pool_width > W or (H - pool_height) % stride or (W - pool_width) % stride:
        raise ValueError(f"windows of {pool_height}x{pool_width} every {stride} do not tile an input of {H}x{W}")
    H_out, W_out = (H - pool_height) // stride + 1, (W - pool_width) // stride + 1
    out = np.empty((H_out, W_out))
    bold = np.zeros_like(x, dtype=bool)
    fig, axes = _subplots(1, 2, figsize=(4.2 + 0.55 * (W + W_out), 0.6 * H + 1.4),
                          gridspec_kw={"width_ratios": [W, max(W_out, 1.5)]})
    ax_in, ax_out = axes[0]
    colors = [[None] * W_out for _ in range(H_out)]
    for i in range(H_out):
        for j in range(W_out):
            win = x[i * stride:i * stride + pool_height, j * stride:j * stride + pool_width]
            out[i, j] = win.max()
            r, c = divmod(int(np.argmax(win)), pool_width)
            bold[i * stride + r, j * stride + c] = True
            colors[i][j] = _WINDOW_COLORS[(i * W_out + j) % len(_WINDOW_COLORS)]
    _numbers(ax_in, x, bold=bold, faces=[["white"] * W for _ in range(H)])
    inset = 0.06 if stride < max(pool_height, pool_width) else 0.0
    for i in range(H_out):
        for j in range(W_out):
            k = inset * ((i + j) % 3)
            ax_in.add_patch(Rectangle((j * stride + k, i * stride + k), pool_width - 2 * k, pool_height - 2 * k,
                                      fill=False, edgecolor=colors[i][j], linewidth=3))
    _numbers(ax_out, out, faces=[[matplotlib.colors.to_rgba(c, 0.35) for c in row] for row in colors])
    ax_in.set_title(f"input {H}x{W}: {pool_height}x{pool_width} windows, stride {stride}\n(maximum of each in bold)",
                    fontsize=10)
    ax_out.set_title(f"max pool: {H_out}x{W_out}", fontsize=10)
    return _finish(fig, title)


def show_grids(mats, titles, bold=None, block=None, fmt="{:g}", title=None):
    """Small matrices side by side, each number written in its cell (in bold where ``bold[k]``
    is True), with thick lines every ``block = (rows, cols)`` cells - the pooling windows,
    ``(2, 2)``; ``block`` may also be a list with one entry per matrix (None: around each cell).
    Returns the Figure."""
    mats = [_as_array(m, f"mats[{k}]").astype(np.float64) for k, m in enumerate(mats)]
    if any(m.ndim != 2 for m in mats):
        raise ValueError(f"mats must be 2-D arrays, got shapes {[m.shape for m in mats]}")
    if len(titles) != len(mats):
        raise ValueError(f"titles must have one entry per matrix ({len(mats)}), got {len(titles)}")
    bold = list(bold) if bold is not None else [None] * len(mats)
    blocks = list(block) if isinstance(block, list) else [block] * len(mats)
    fig, axes = _subplots(1, len(mats), figsize=(3.0 * len(mats), 3.2))
    for ax, m, t, b, blk in zip(axes[0], mats, titles, bold, blocks):
        _numbers(ax, m, bold=b, fmt=fmt)
        bh, bw = blk or (1, 1)
        bh, bw = (bh if m.shape[0] > bh else 1), (bw if m.shape[1] > bw else 1)
        for k in np.arange(-0.5, m.shape[0], bh):
            ax.axhline(k, color="k", lw=1.5)
        for k in np.arange(-0.5, m.shape[1], bw):
            ax.axvline(k, color="k", lw=1.5)
        ax.set_title(t, fontsize=10)
    return _finish(fig, title)


def plot_timings(timings, xlabel="time per call", title=None):
    """Horizontal bars of measured times on a log axis, one panel per group:
    ``timings = {group title: {label: seconds}}``; each bar is labelled with its time. Returns the
    Figure (a picture of what was measured - nothing here asserts a speed)."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    if not isinstance(timings, dict) or not timings or not all(isinstance(v, dict) and v for v in timings.values()):
        raise ValueError("timings must be a non-empty dict {group title: {label: seconds}}")
    fig, axes = _subplots(1, len(timings), figsize=(5.2 * len(timings), 0.45 * max(map(len, timings.values())) + 1.2))
    colors = plt.get_cmap("tab10").colors
    for ax, (group, times) in zip(axes[0], timings.items()):
        labels, secs = list(times)[::-1], [float(times[k]) for k in list(times)[::-1]]
        if min(secs) <= 0:
            raise ValueError(f"timings[{group!r}] must hold positive times, got {times}")
        ax.barh(labels, secs, color=[colors[i % 10] for i in range(len(secs))][::-1])
        ax.set_xscale("log")
        ax.set_xlim(min(secs) / 3, max(secs) * 8)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _seconds(v)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        for y, t in enumerate(secs):
            ax.text(t * 1.1, y, _seconds(t), va="center", fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_title(group, fontsize=10)
    return _finish(fig, title)


def _seconds(t):
    return f"{t * 1e6:.0f} us" if t < 1e-3 else f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


__all__ += ["show_pool_windows", "show_grids", "plot_timings"]


# ----------------------------------------------------------------------------- notebook 08: transfer learning and augmentation
def _unnormalize(x, mean, std, name="images"):
    """Normalized float images (N, C, H, W) back to [0, 1] for display: x * std + mean, / 255."""
    a = _as_array(x, name).astype(np.float64)
    if a.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {a.shape}")
    m = _as_array(mean, "mean").reshape(1, -1, 1, 1)
    s = _as_array(std, "std").reshape(1, -1, 1, 1)
    return np.clip((a * s + m) / 255.0, 0, 1)


def show_augmentations(views, mean, std, title=None, scale=1.1):
    """One row per augmentation: ``views = {name: normalized images (N, C, H, W)}`` (the same N
    images in every row), shown un-normalized, so a cutout square appears in the mean colour.
    Returns the Figure."""
    if not isinstance(views, dict) or not views:
        raise ValueError("views must be a non-empty dict {name: images (N, C, H, W)}")
    rows = {k: _unnormalize(v, mean, std, f"views[{k!r}]") for k, v in views.items()}
    n = {a.shape[0] for a in rows.values()}
    if len(n) != 1:
        raise ValueError(f"every view must hold the same number of images, got {sorted(n)}")
    n = n.pop()
    fig, axes = _subplots(len(rows), n, figsize=(scale * n + 1.2, scale * len(rows)))
    for r, (name, imgs) in enumerate(rows.items()):
        for i in range(n):
            ax = axes[r, i]
            ax.imshow(imgs[i].transpose(1, 2, 0), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    return _finish(fig, title, fontsize=10)


def show_mixup(x, mixed, targets, class_names, mean, std, title=None, scale=1.2):
    """Original images above their mixup blends, each blend titled with its two largest target
    weights ("0.65 cat + 0.35 dog"). x, mixed: normalized (N, C, H, W); targets: (N, K)."""
    orig, mix = _unnormalize(x, mean, std, "x"), _unnormalize(mixed, mean, std, "mixed")
    t = _as_array(targets, "targets").astype(np.float64)
    if orig.shape != mix.shape or t.shape[0] != orig.shape[0] or t.shape[1] != len(class_names):
        raise ValueError(f"x {orig.shape}, mixed {mix.shape} and targets {t.shape} do not match "
                         f"{len(class_names)} class names")
    n = orig.shape[0]
    fig, axes = _subplots(2, n, figsize=(scale * n, 2 * scale + 0.8))
    for i in range(n):
        order = np.argsort(-t[i])[:2]
        parts = [f"{t[i, k]:.2f} {class_names[k]}" for k in order if t[i, k] > 1e-6]
        for r, img in enumerate((orig[i], mix[i])):
            axes[r, i].imshow(img.transpose(1, 2, 0), interpolation="nearest")
            axes[r, i].axis("off")
        axes[1, i].set_title("\n+ ".join(parts), fontsize=7)
    return _finish(fig, title, fontsize=10)


def plot_augmentation_results(results, title=None):
    """Bars of training and test accuracy per augmentation, the gap written above each pair:
    ``results = {name: {"train_acc": ..., "test_acc": ...}}``. Returns the Figure."""
    if not isinstance(results, dict) or not results or not all({"train_acc", "test_acc"} <= set(r) for r in results.values()):
        raise ValueError("results must be a non-empty dict {name: {'train_acc': ..., 'test_acc': ...}}")
    names = list(results)
    tr = np.array([results[k]["train_acc"] for k in names])
    te = np.array([results[k]["test_acc"] for k in names])
    fig, axes = _subplots(1, 1, figsize=(1.3 * len(names) + 2, 3.4))
    ax, pos = axes[0, 0], np.arange(len(names))
    ax.bar(pos - 0.2, tr, 0.4, label="train (clean images)", color="C0")
    ax.bar(pos + 0.2, te, 0.4, label="test", color="C1")
    for p, a, b in zip(pos, tr, te):
        ax.text(p, max(a, b) + 0.02, f"gap {a - b:+.2f}", ha="center", fontsize=8)
    ax.set_xticks(pos, names, fontsize=8)
    ax.set(ylabel="accuracy", ylim=(0, min(1.15, max(tr.max(), te.max()) + 0.15)))
    ax.legend(fontsize=8, loc="lower right")
    return _finish(fig, title, ax=ax, fontsize=10)


def plot_transfer_curves(curves, title=None, ax=None):
    """Test accuracy against labels per class, one line per route, mean over seeds with the
    spread (min to max) as a band: ``curves = {route: {labels per class: [accuracy per seed]}}``."""
    if not isinstance(curves, dict) or not curves or not all(isinstance(v, dict) and v for v in curves.values()):
        raise ValueError("curves must be a non-empty dict {route: {labels per class: [accuracies]}}")
    fig, ax = _figure_and_axes(ax, figsize=(6, 3.8))
    for route, pts in curves.items():
        ks = sorted(pts)
        accs = [np.asarray(pts[k], dtype=float) for k in ks]
        ax.plot(ks, [a.mean() for a in accs], "o-", label=str(route))
        ax.fill_between(ks, [a.min() for a in accs], [a.max() for a in accs], alpha=0.2)
    ax.set_xscale("log")
    ks = sorted({k for pts in curves.values() for k in pts})
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.minorticks_off()
    ax.set(xlabel="labelled images per class", ylabel="target-task test accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, title, ax=ax, fontsize=10)


def plot_freeze_costs(costs, title=None):
    """One panel per measured quantity, one bar per setting: ``costs = {setting: {quantity:
    value}}`` (the same quantities for every setting). Returns the Figure."""
    if not isinstance(costs, dict) or not costs or not all(isinstance(v, dict) and v for v in costs.values()):
        raise ValueError("costs must be a non-empty dict {setting: {quantity: value}}")
    quantities = list(next(iter(costs.values())))
    fig, axes = _subplots(1, len(quantities), figsize=(2.6 * len(quantities), 2.8))
    for ax, q in zip(axes[0], quantities):
        vals = [float(costs[s][q]) for s in costs]
        bars = ax.bar(range(len(costs)), vals, color=[f"C{i}" for i in range(len(costs))])
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
        ax.set_xticks(range(len(costs)), list(costs), fontsize=8)
        ax.set_title(q, fontsize=9)
        ax.set_ylim(0, max(vals) * 1.25 if max(vals) > 0 else 1)
    return _finish(fig, title, fontsize=10)


__all__ += ["show_augmentations", "show_mixup", "plot_augmentation_results", "plot_transfer_curves",
            "plot_freeze_costs"]


# ----------------------------------------------------------------------------- notebook 05: spatial batch and group normalization
def show_norm_sharing(moved, changed, title=None):
    """Which activation maps share their normalization statistics: ``moved = {name: (N, C) bool
    array}``, True where the output map (image n, channel c) changed when only the input map
    ``changed = (n0, c0)`` did (Wu & He's Figure 2, measured, with H and W collapsed into one cell).
    Returns the Figure."""
    if not isinstance(moved, dict) or not moved:
        raise ValueError("moved must be a non-empty dict {name: (N, C) boolean array}")
    grids = {k: _as_array(v, f"moved[{k!r}]").astype(bool) for k, v in moved.items()}
    if any(g.ndim != 2 for g in grids.values()):
        raise ValueError(f"every entry of moved must be 2-D (N, C), got shapes {[g.shape for g in grids.values()]}")
    n0, c0 = changed
    fig, axes = _subplots(1, len(grids), figsize=(2.9 * len(grids), 2.9))
    for ax, (name, g) in zip(axes[0], grids.items()):
        colors = [["tab:orange" if g[n, c] else "white" for c in range(g.shape[1])] for n in range(g.shape[0])]
        colors[n0][c0] = "tab:red"
        _grid(ax, g.shape[0], g.shape[1], colors, edge="0.5")
        ax.set_xlabel("channel c")
        ax.set_ylabel("image n")
        ax.set_title(f"{name}\n{int(g.sum())} map(s) move", fontsize=10)
    fig.suptitle(title or "change one map (red): which outputs move (orange) - those share its mean and variance",
                 fontsize=10)
    fig.tight_layout()
    return fig


def plot_channel_stats(panels, markers=None, title=None):
    """Per-channel statistics of activation maps, one panel per entry of ``panels = {title:
    (means, stds)}`` (arrays of C numbers): each channel's mean as a dot, +- its standard deviation
    as a bar. ``markers = {title: {label: (C values)}}`` adds reference points to a panel (the
    learned beta, say). Returns the Figure."""
    if not isinstance(panels, dict) or not panels:
        raise ValueError("panels must be a non-empty dict {title: (means, stds)}")
    fig, axes = _subplots(1, len(panels), figsize=(5.2 * len(panels), 3.2))
    for ax, (name, (means, stds)) in zip(axes[0], panels.items()):
        means, stds = np.asarray(means, dtype=np.float64), np.asarray(stds, dtype=np.float64)
        c = np.arange(means.size)
        ax.errorbar(c, means, yerr=stds, fmt="o", ms=3, capsize=2, label="mean +- std")
        for k, (label, values) in enumerate(((markers or {}).get(name) or {}).items()):
            ax.plot(c, np.asarray(values, dtype=np.float64), "x^"[k % 2], ms=5, label=label)
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xlabel("channel")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _finish(fig, title)


def plot_batch_statistics(small, big, small_label="small batches", big_label="the whole batch", title=None):
    """Per-channel statistics estimated by many small batches against one large batch:
    ``small = {stat name: (B, C) array}`` (one row per small batch), ``big = {stat name: (C,)}``.
    One panel per statistic: a dot per small batch and channel, a bar per channel for the large
    batch. Returns the Figure."""
    if not isinstance(small, dict) or not small or set(small) != set(big):
        raise ValueError("small and big must be dicts with the same statistic names")
    fig, axes = _subplots(1, len(small), figsize=(5.6 * len(small), 3.2))
    for ax, name in zip(axes[0], small):
        s = _as_array(small[name], f"small[{name!r}]").astype(np.float64)
        b = _as_array(big[name], f"big[{name!r}]").astype(np.float64)
        c = np.arange(b.size)
        ax.bar(c, b, color="tab:blue", alpha=0.35, label=big_label)
        ax.plot(np.repeat(c[None], s.shape[0], axis=0).ravel(), s.ravel(), ".", color="tab:red", ms=2.5,
                alpha=0.6, label=small_label)
        ax.set_xlabel("channel")
        ax.set_title(f"per-channel {name}", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return _finish(fig, title)


__all__ += ["show_norm_sharing", "plot_channel_stats", "plot_batch_statistics"]


# ----------------------------------------------------------------------------- 07: what a CNN learns
def _filter_mosaic(W, ncols=8, gap=1):
    """Filters (F, 3, k, k) as one RGB mosaic, each filter scaled to [0, 1] on its own (as CS231n)."""
    W = _as_array(W, "W").astype(np.float64)
    if W.ndim != 4 or W.shape[1] != 3:
        raise ValueError(f"W must have shape (F, 3, k, k) (RGB filters); got {W.shape}")
    F, _, kh, kw = W.shape
    ncols = min(ncols, F)
    nrows = math.ceil(F / ncols)
    out = np.ones((nrows * (kh + gap) - gap, ncols * (kw + gap) - gap, 3))
    for i in range(F):
        f = W[i].transpose(1, 2, 0)
        lo, hi = f.min(), f.max()
        r, c = divmod(i, ncols)
        out[r * (kh + gap):r * (kh + gap) + kh, c * (kw + gap):c * (kw + gap) + kw] = (f - lo) / (hi - lo) if hi > lo else 0.5
    return out


def show_filter_comparison(filters, titles, ncols=8, title=None, scale=4.0):
    """First-layer RGB filters of several networks side by side: ``filters`` a list of (F, 3, k, k)
    arrays, ``titles`` one per array. Each filter is scaled to [0, 1] on its own. Returns the Figure."""
    if len(filters) != len(titles) or not filters:
        raise ValueError(f"filters and titles must be non-empty lists of the same length, got {len(filters)} and {len(titles)}")
    mosaics = [_filter_mosaic(W, ncols) for W in filters]
    aspect = max(m.shape[0] / m.shape[1] for m in mosaics)           # height / width of the tallest mosaic
    fig, axes = _subplots(1, len(filters), figsize=(scale * len(filters) + 0.5, scale * aspect + 0.8))
    for ax, m, t in zip(axes[0], mosaics, titles):
        ax.imshow(m, interpolation="nearest")
        ax.set_title(t, fontsize=9)
        ax.axis("off")
    return _finish(fig, title, fontsize=10)


def show_patch_grid(patches, row_labels=None, title=None, scale=0.75):
    """Image patches (R, K, H, W, 3) or (R, K, 3, H, W), floats in [0, 1]: one row per unit, its K
    patches left to right (e.g. the K inputs that excite a unit most). Returns the Figure."""
    p = _as_array(patches, "patches").astype(np.float64)
    if p.ndim != 5:
        raise ValueError(f"patches must have shape (rows, K, H, W, 3) or (rows, K, 3, H, W); got {p.shape}")
    if p.shape[-1] != 3 and p.shape[2] == 3:
        p = p.transpose(0, 1, 3, 4, 2)
    R, K = p.shape[:2]
    if row_labels is not None and len(row_labels) != R:
        raise ValueError(f"row_labels must have one entry per row ({R}); got {len(row_labels)}")
    fig, axes = _subplots(R, K, figsize=(scale * K + 0.8, scale * R + 0.4))
    for r in range(R):
        for k in range(K):
            ax = axes[r, k]
            ax.imshow(np.clip(p[r, k], 0, 1), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        if row_labels is not None:
            axes[r, 0].set_ylabel(str(row_labels[r]), fontsize=7, rotation=0, ha="right", va="center")
    return _finish(fig, title, fontsize=10)


def show_heatmaps(images, maps, titles=None, map_titles=None, title=None, cmap="hot", scale=1.3):
    """Images (N, 3, H, W) or (N, H, W, 3) in [0, 1] above heat maps (N, h, w) (saliency,
    occlusion), each map shown over the whole image whatever its resolution. Returns the Figure."""
    imgs = _to_nhwc(images)
    m = _as_array(maps, "maps").astype(np.float64)
    if m.ndim != 3 or len(m) != len(imgs):
        raise ValueError(f"maps must have shape (N, h, w) with N = {len(imgs)} images; got {m.shape}")
    n = len(imgs)
    fig, axes = _subplots(2, n, figsize=(scale * n, 2 * scale + 0.5))
    for i in range(n):
        axes[0, i].imshow(_displayable(imgs[i]), interpolation="nearest")
        axes[1, i].imshow(m[i], cmap=cmap, interpolation="nearest")
        for ax in axes[:, i]:
            ax.axis("off")
        if titles is not None:
            axes[0, i].set_title(str(titles[i]), fontsize=7)
        if map_titles is not None:
            axes[1, i].set_title(str(map_titles[i]), fontsize=7)
    return _finish(fig, title, fontsize=10)


def plot_flip_rate(levels, rates, reference=None, title=None, ax=None):
    """The share of images whose prediction flips against the attack budget: ``levels`` in grey
    levels (eps * 255), ``rates`` in [0, 1]; ``reference`` an optional {label: (levels, rates)} of
    other curves (e.g. random-sign noise of the same size). Returns the Figure."""
    levels, rates = np.asarray(levels, dtype=float), np.asarray(rates, dtype=float)
    if levels.shape != rates.shape or levels.ndim != 1:
        raise ValueError(f"levels and rates must be 1-D of the same length, got {levels.shape} and {rates.shape}")
    fig, ax = _figure_and_axes(ax, figsize=(5, 3))
    ax.plot(levels, rates, "o-", label="FGSM")
    for label, (lv, rt) in (reference or {}).items():
        ax.plot(lv, rt, "s--", label=label)
    ax.set(xlabel=r"$L_\infty$ budget $\varepsilon$ (grey levels, x/255)", ylabel="predictions flipped",
           ylim=(-0.02, 1.02), xticks=levels)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, title, ax=ax, fontsize=10)


def show_adversarial(x, x_adv, before, after, class_names=None, magnify=None, title=None, scale=1.3):
    """Three rows: the images, their perturbation (x_adv - x) magnified around grey, the fooling
    images; ``before`` / ``after`` the predicted labels. ``magnify`` defaults to filling [0, 1].
    Images (N, 3, H, W) or (N, H, W, 3) in [0, 1]. Returns the Figure."""
    a, b = _to_nhwc(x).astype(np.float64), _to_nhwc(x_adv).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"x and x_adv must have the same shape, got {a.shape} and {b.shape}")
    n = len(a)
    delta = b - a
    magnify = magnify or 0.5 / max(float(np.abs(delta).max()), 1e-12)
    fig, axes = _subplots(3, n, figsize=(scale * n, 3 * scale + 0.6))
    for i in range(n):
        for r, img in enumerate((a[i], np.clip(0.5 + magnify * delta[i], 0, 1), b[i])):
            axes[r, i].imshow(np.clip(img, 0, 1), interpolation="nearest")
            axes[r, i].axis("off")
        axes[0, i].set_title(_label_text(before[i], class_names), fontsize=7)
        axes[2, i].set_title(_label_text(after[i], class_names), fontsize=7, color="C3")
    axes[1, 0].set_title(f"x{magnify:.0f}", fontsize=7)
    return _finish(fig, title, fontsize=10)


def plot_embedding_2d(Z, y, class_names=None, ax=None, title=None, size=4):
    """Points Z (N, 2) coloured by their labels y (N,), one legend entry per class. Returns the Figure."""
    Z, y = _as_array(Z, "Z").astype(np.float64), np.asarray(y)
    if Z.ndim != 2 or Z.shape[1] != 2 or len(y) != len(Z):
        raise ValueError(f"Z must have shape (N, 2) and y shape (N,), got {Z.shape} and {y.shape}")
    fig, ax = _figure_and_axes(ax, figsize=(5, 4))
    for c in np.unique(y):
        pts = Z[y == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, color=plt.get_cmap("tab10")(int(c) % 10),
                   label=_label_text(int(c), class_names))
    ax.set(xlabel="component 1", ylabel="component 2")
    ax.legend(fontsize=6, markerscale=2, loc="best", ncol=2)
    return _finish(fig, title, ax=ax, fontsize=10)


__all__ += ["show_filter_comparison", "show_patch_grid", "show_heatmaps", "plot_flip_rate", "show_adversarial",
            "plot_embedding_2d"]
