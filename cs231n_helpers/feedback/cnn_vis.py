"""Checks for the exercises of notebook 07 (what a CNN learns), with the classic mistakes.

One check per exercise, each taking the learner's function from the notebook:

* ``check_receptive_fields(receptive_fields)`` - the receptive-field recurrence for a list of layers;
* ``check_saliency_map(saliency_map)`` - |d score / d pixel|, max over channels;
* ``check_occlusion_map(occlusion_map)`` - the score drop when a centred grey square hides the image;
* ``check_fgsm(fgsm)`` - the fast gradient sign method;
* ``check_pca_2d(pca_2d)`` - the projection on the two directions of largest variance.

The references are computed another way than the solutions: receptive fields from the
footprint of a gradient through a chain of all-ones convolutions, occlusion maps for a linear
model from masks (the score drop of a linear model is a sum over the hidden square), PCA from
the eigenvectors of the covariance matrix.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cs231n_helpers.checks import Mistake, check_close, check_true, checking, close_to, fail
from cs231n_helpers.feedback.torch_nets import torch_errors

__all__ = ["check_receptive_fields", "check_saliency_map", "check_occlusion_map", "check_fgsm", "check_pca_2d",
           "receptive_field_footprint"]


def _np(t):
    """A tensor (detached, on the CPU) or anything array-like as a float64 NumPy array."""
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().double().numpy()
    return np.asarray(t, dtype=np.float64)


# --------------------------------------------------------------------------- 1. receptive fields
RF_NO_JUMP = ("the sizes grow by k - 1 per layer whatever came before: each of the k - 1 extra steps of a layer "
              "spans `jump` input pixels (the product of the earlier strides), size += (k - 1) * jump")
RF_STRIDE_FIRST = ("the jump was multiplied by this layer's stride before it was used: a layer's own stride only "
                   "widens the steps of the layers AFTER it - update size and start first, jump last")
RF_NO_PAD = ("start ignores the padding: padding p shifts the window p steps to the left, "
             "start += ((k - 1) / 2 - p) * jump")
RF_NO_START = ("start never moves: the centre of unit 0 shifts by ((k - 1) / 2 - p) * jump input pixels at every layer "
               "(a layer without padding centres its first unit (k - 1) / 2 pixels in)")
RF_JUMP_NOT_PRODUCT = ("the jump must be the product of all strides so far (jump *= s), not this layer's stride alone "
                       "or their sum")
RF_ERROR = ("return one dict per layer with the keys 'size', 'jump' and 'start' (the given append does that); "
            "inside the loop update size, start and jump")

RF_CASES = [
    [(5, 1, 2), (2, 2, 0), (3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)],     # notebook 07's network
    [(3, 2, 1), (3, 1, 0), (5, 3, 2), (2, 2, 0)],
    [(7, 2, 3), (3, 2, 1), (3, 1, 1), (3, 1, 1)],                           # a ResNet-style stem and pool
]


def receptive_field_footprint(layers, size=None):
    """(size, jump, start) of the last layer of ``layers`` [(k, s, p), ...], measured: the input pixels
    that reach two neighbouring units of a chain of all-ones convolutions (positive weights, so no
    path cancels), on an input large enough that the units chosen see no border."""
    jumps = int(np.prod([s for _, s, _ in layers]))
    size = size or 8 * jumps + 4 * sum(k for k, _, _ in layers) * jumps
    convs = []
    for k, s, p in layers:
        conv = nn.Conv2d(1, 1, (k, 1), (s, 1), (p, 0), bias=False).double()   # one spatial axis is enough
        nn.init.ones_(conv.weight)
        convs.append(conv)
    net = nn.Sequential(*convs)
    x = torch.zeros(1, 1, size, 1, dtype=torch.float64, requires_grad=True)
    out = net(x)
    i = out.shape[2] // 2

    def rows(unit):
        (g,) = torch.autograd.grad(out[0, 0, unit, 0], x, retain_graph=True)
        nz = g[0, 0, :, 0].nonzero().flatten()
        return nz.min().item(), nz.max().item()

    (a0, a1), (b0, _) = rows(i), rows(i + 1)
    return a1 - a0 + 1, b0 - a0, (a0 + a1) / 2 - i * (b0 - a0)


def _rf_variant(layers, no_jump=False, stride_first=False, no_pad=False, no_start=False, jump_mode="product"):
    size, jump, start, out = 1, 1, 0.0, []
    for k, s, p in layers:
        if stride_first:
            jump = jump * s
        size += (k - 1) * (1 if no_jump else jump)
        if not no_start:
            start += ((k - 1) / 2 - (0 if no_pad else p)) * jump
        if not stride_first:
            jump = {"product": jump * s, "last": s, "sum": jump + s}[jump_mode]
        out.append((size, jump, start))
    return np.array(out, dtype=np.float64)


def _rf_table(result, n):
    if not isinstance(result, (list, tuple)) or len(result) != n:
        fail("receptive_fields", f"expected a list of {n} dicts (one per layer), got {type(result).__name__}"
             + (f" of length {len(result)}" if isinstance(result, (list, tuple)) else ""), RF_ERROR)
    return np.array([[float(d["size"]), float(d["jump"]), float(d["start"])] for d in result])


def check_receptive_fields(receptive_fields):
    """size, jump and start of every layer of several chains, against the measured footprint of a
    gradient, and the sizes of identical layers against notebook 04's conv_layer_stats."""
    from cs231n_helpers.conv_layers import conv_layer_stats

    with checking("receptive_fields", error_hint=RF_ERROR):
        for case in RF_CASES:
            got = _rf_table(receptive_fields(case), len(case))
            expected = np.array([receptive_field_footprint(case[:l + 1]) for l in range(len(case))], dtype=np.float64)
            mistakes = [Mistake(RF_NO_JUMP, like=lambda c=case: _rf_variant(c, no_jump=True)),
                        Mistake(RF_STRIDE_FIRST, like=lambda c=case: _rf_variant(c, stride_first=True)),
                        Mistake(RF_NO_START, like=lambda c=case: _rf_variant(c, no_start=True)),
                        Mistake(RF_NO_PAD, like=lambda c=case: _rf_variant(c, no_pad=True)),
                        Mistake(RF_JUMP_NOT_PRODUCT, like=lambda c=case: _rf_variant(c, jump_mode="last")),
                        Mistake(RF_JUMP_NOT_PRODUCT, like=lambda c=case: _rf_variant(c, jump_mode="sum"))]
            check_close(got, expected, tol=1e-9, metric="abs", mistakes=mistakes,
                        name=f"(size, jump, start) per layer of {case}, as a gradient's footprint measures them")
        for k, s, p in ((3, 1, 1), (3, 2, 1), (5, 2, 2)):
            stats = conv_layer_stats(64, 1, 1, k, s, p, num_layers=4)
            got = [d["size"] for d in receptive_fields([(k, s, p)] * 4)]
            check_close(got, [l["receptive_field"] for l in stats["per_layer"]], tol=0, metric="abs",
                        name=f"four identical ({k}, {s}, {p}) layers: sizes as notebook 04's conv_layer_stats",
                        mistakes=[Mistake(RF_NO_JUMP, like=lambda: [1 + (l + 1) * (k - 1) for l in range(4)]),
                                  Mistake(RF_STRIDE_FIRST, like=lambda: list(_rf_variant([(k, s, p)] * 4, stride_first=True)[:, 0]))])


# --------------------------------------------------------------------------- shared: a small network with batchnorm
def _small_net(seed=0, num_classes=5, size=8):
    """conv-BN-ReLU-pool-linear with running statistics far from any batch's, so train and eval
    mode give clearly different outputs and gradients."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(6 * (size // 2) ** 2, num_classes)).double()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        net[1].running_mean.copy_(torch.randn(6, generator=g, dtype=torch.float64))
        net[1].running_var.copy_(0.2 + torch.rand(6, generator=g, dtype=torch.float64))
        net[1].weight.copy_(1 + 0.5 * torch.rand(6, generator=g, dtype=torch.float64))
    return net.train()


def _images(n, size=8, seed=0, edges=False):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 3, size, size, generator=g, dtype=torch.float64)
    if edges:                                   # pixels at the ends of the valid range: a step must be clipped
        x[:, :, 0] = 0.0
        x[:, :, -1] = 1.0
    return x, torch.randint(0, 5, (n,), generator=g)


def _input_grad(net, x, objective, train=False):
    m = copy.deepcopy(net).train(train)
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(objective(m(x)), x)
    return g


# --------------------------------------------------------------------------- 2. saliency
SAL_EVAL = ("the model was in training mode: batchnorm then normalizes with the batch's own statistics, so each "
            "image's map depends on the other images; call model.eval() first")
SAL_LOSS = ("that is the gradient of the loss: take the score of the correct class, "
            "model(x).gather(1, y[:, None]).sum() (the loss also mixes in every other class through the softmax)")
SAL_ALL = "that is the gradient of the sum of ALL class scores: take only the correct class's score, gather(1, y[:, None])"
SAL_NO_ABS = ("negative gradients count as much as positive ones: take the absolute value before the max over "
              "channels, grad.abs().amax(dim=1)")
SAL_MEAN = ("the map is the MAX of |gradient| over the colour channels (Simonyan et al.), grad.abs().amax(dim=1), "
            "not the mean or the sum")
SAL_SHAPE = "one value per pixel: reduce over the colour channels (dim=1), the result has shape (N, H, W)"
SAL_ERROR = ("torch.autograd.grad needs x to require a gradient before the forward pass "
             "(x = x.detach().clone().requires_grad_(True)) and a scalar to differentiate (.sum())")


def check_saliency_map(saliency_map):
    """Saliency of a small batchnorm network (given in training mode) against autograd in eval mode."""
    with checking("saliency_map", error_hint=SAL_ERROR), torch_errors("saliency_map", SAL_ERROR):
        net = _small_net()
        x, y = _images(6)
        got = saliency_map(net, x.clone(), y)
        score = lambda s: s.gather(1, y[:, None]).sum()
        expected = _input_grad(net, x, score).abs().amax(1)
        mistakes = [Mistake(SAL_SHAPE, test=lambda a: np.ndim(_np(a)) == 4),
                    Mistake(SAL_EVAL, like=lambda: _input_grad(net, x, score, train=True).abs().amax(1)),
                    Mistake(SAL_LOSS, like=lambda: _input_grad(net, x, lambda s: F.cross_entropy(s, y)).abs().amax(1)),
                    Mistake(SAL_LOSS, like=lambda: _input_grad(net, x, lambda s: F.cross_entropy(s, y, reduction="sum")).abs().amax(1)),
                    Mistake(SAL_ALL, like=lambda: _input_grad(net, x, lambda s: s.sum()).abs().amax(1)),
                    Mistake(SAL_NO_ABS, like=lambda: _input_grad(net, x, score).amax(1)),
                    Mistake(SAL_MEAN, like=lambda: _input_grad(net, x, score).abs().mean(1)),
                    Mistake(SAL_MEAN, like=lambda: _input_grad(net, x, score).abs().sum(1))]
        check_close(_np(got), _np(expected), tol=1e-8, name="saliency map (N, H, W)", mistakes=mistakes)
        check_true(isinstance(got, torch.Tensor) and not got.requires_grad, "a plain tensor, no autograd graph attached",
                   hint="return the map computed from the gradient, which needs no graph (torch.autograd.grad gives one without)")


# --------------------------------------------------------------------------- 3. occlusion
OCC_NOT_CENTRED = ("the square starts at (r, c) instead of being centred on it: its first row is r - size // 2 "
                   "(and its first column c - size // 2)")
OCC_NEG_INDEX = ("near the top or left border the square vanished: a negative start index counts from the end in "
                 "Python, so x[..., -2:6] is empty; clip the start at 0, max(top, 0)")
OCC_NO_COPY = ("the squares pile up: hide each square in a fresh copy, hidden = x.clone() (assigning into x "
               "changes the caller's images too)")
OCC_SIGN = "the drop is the original score minus the occluded one (base - occluded): yours has the opposite sign"
OCC_COUNTERS = ("the squares are centred on (a, b), the positions in the map; the centres are the pixels (r, c) = "
                "(a * stride, b * stride)")
OCC_FILL = "hide the square with `fill` (grey, 0.5), not with 0: a black square is a strong signal of its own"
OCC_ERROR = ("store one drop per image: out[:, a, b] = base - model(hidden).gather(1, y[:, None])[:, 0], "
             "with hidden a copy of x (N, 3, H, W)")


def _linear_model(H, W, num_classes=5, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * H * W, num_classes)).double().eval()


def _occlusion_linear(model, x, y, size, stride, fill, centred=True, clip=True, cumulative=False, counters=False):
    """The occlusion map of a linear model from masks: the drop is sum_{hidden pixels} w_y (x - fill)."""
    N, C, H, W = x.shape
    w = model[1].weight.detach().reshape(-1, C, H, W)[y]           # (N, C, H, W): each image's class weights
    rows, cols = range(0, H, stride), range(0, W, stride)
    out = torch.zeros(N, len(rows), len(cols), dtype=torch.float64)
    mask = torch.zeros(H, W, dtype=torch.float64)
    for a, r in enumerate(rows):
        for b, c in enumerate(cols):
            r0, c0 = (a, b) if counters else (r, c)
            top, left = (r0 - size // 2, c0 - size // 2) if centred else (r0, c0)
            if not cumulative:          # without a copy, the earlier squares stay hidden too
                mask = torch.zeros(H, W, dtype=torch.float64)
            mask[(max(top, 0) if clip else top):top + size, (max(left, 0) if clip else left):left + size] = 1
            out[:, a, b] = (w * (x - fill) * mask).sum((1, 2, 3))
    return out


def check_occlusion_map(occlusion_map):
    """Occlusion maps of a linear model (whose score drop is a sum over the hidden square) at two
    sizes and strides; the input images must come back unchanged."""
    with checking("occlusion_map", error_hint=OCC_ERROR), torch_errors("occlusion_map", OCC_ERROR):
        H = W = 12
        model = _linear_model(H, W)
        x, y = _images(3, size=H, seed=2)
        for size, stride in ((4, 3), (5, 2)):
            original = x.clone()
            got = occlusion_map(model, x, y, size=size, stride=stride, fill=0.5)
            ref = lambda **kw: _occlusion_linear(model, original, y, size, stride, 0.5, **kw)
            mistakes = [Mistake(OCC_NO_COPY, test=lambda a: not torch.equal(x, original)),
                        Mistake(OCC_NOT_CENTRED, like=lambda: ref(centred=False)),
                        Mistake(OCC_NEG_INDEX, like=lambda: ref(clip=False)),
                        Mistake(OCC_NO_COPY, like=lambda: ref(cumulative=True)),
                        Mistake(OCC_SIGN, like=lambda: -ref()),
                        Mistake(OCC_COUNTERS, like=lambda: ref(counters=True)),
                        Mistake(OCC_FILL, like=lambda: _occlusion_linear(model, original, y, size, stride, 0.0))]
            check_close(_np(got), _np(ref()), tol=1e-8, mistakes=mistakes,
                        name=f"occlusion map of a linear model, size {size}, stride {stride}")
            check_true(torch.equal(x, original), "the images passed in are unchanged", hint=OCC_NO_COPY)


# --------------------------------------------------------------------------- 4. FGSM
FGSM_SIGN = ("the step goes DOWN the loss (toward the correct class), which makes the prediction more confident: "
             "add eps * sign(gradient of the loss), x + eps * grad.sign()")
FGSM_CLAMP = "some pixels left [0, 1]: clip the result to the valid range, .clamp(0, 1)"
FGSM_NOT_SIGN = ("the step is eps * gradient: FGSM moves every pixel by exactly eps, in the direction of the "
                 "gradient's SIGN, eps * grad.sign()")
FGSM_EPS = ("the perturbation is not eps in size: eps is already in pixel units ([0, 1]; 8/255 is eight grey "
            "levels), so the step is eps * grad.sign() - no further / 255 or * 255, and not eps in normalized "
            "units (the model takes pixels)")
FGSM_EVAL = ("the model was in training mode: batchnorm then uses the batch's statistics and the gradient differs "
             "from the deployed network's; call model.eval() first")
FGSM_SCORE = ("the gradient of the class score points the other way from the loss's: with the score, step DOWN "
              "(x - eps * sign), or better use the loss, F.cross_entropy(model(x), y), and step up")
FGSM_ERROR = ("x must require a gradient before the forward pass (x = x.detach().clone().requires_grad_(True)); "
              "the loss F.cross_entropy(model(x), y) is a scalar to differentiate")


def check_fgsm(fgsm):
    """FGSM images of a small batchnorm network (given in training mode) against autograd in eval mode,
    with pixels at 0 and 1 that a step must not push out of range."""
    with checking("fgsm", error_hint=FGSM_ERROR), torch_errors("fgsm", FGSM_ERROR):
        net = _small_net(seed=3)
        x, y = _images(6, seed=3, edges=True)
        eps = 0.03
        got = fgsm(net, x.clone(), y, eps)
        loss = lambda s: F.cross_entropy(s, y)
        g = _input_grad(net, x, loss)
        expected = (x + eps * g.sign()).clamp(0, 1)
        sign_like = lambda grad: (x + eps * grad.sign()).clamp(0, 1)
        mistakes = [Mistake(FGSM_SIGN, like=lambda: (x - eps * g.sign()).clamp(0, 1)),
                    Mistake(FGSM_CLAMP, like=lambda: x + eps * g.sign()),
                    Mistake(FGSM_CLAMP, like=lambda: x - eps * g.sign()),
                    Mistake(FGSM_NOT_SIGN, like=lambda: (x + eps * g).clamp(0, 1)),
                    Mistake(FGSM_NOT_SIGN, like=lambda: x + eps * g),
                    Mistake(FGSM_EPS, like=lambda: (x + eps / 255 * g.sign()).clamp(0, 1)),
                    Mistake(FGSM_EPS, like=lambda: (x + eps * 255 * g.sign()).clamp(0, 1)),
                    Mistake(FGSM_EVAL, like=lambda: sign_like(_input_grad(net, x, loss, train=True))),
                    Mistake(FGSM_SCORE, like=lambda: sign_like(_input_grad(net, x, lambda s: s.gather(1, y[:, None]).sum())))]
        check_close(_np(got), _np(expected), tol=1e-9, metric="abs", mistakes=mistakes,
                    name="x_adv = clip(x + eps * sign(grad of the loss), 0, 1)")
        a = _np(got)
        check_true(a.min() >= 0 and a.max() <= 1 and np.abs(a - _np(x)).max() <= eps + 1e-12,
                   "x_adv in [0, 1], no pixel moved by more than eps")
        check_true(isinstance(got, torch.Tensor) and not got.requires_grad, "a plain tensor, no autograd graph attached",
                   hint="return the result .detach()ed: a fooling image is new input data, not part of a graph")


# --------------------------------------------------------------------------- 5. PCA
PCA_CENTRE = ("the data were not centred: PCA looks for the directions of largest variance AROUND THE MEAN; "
              "subtract Z.mean(axis=0) before the SVD (and project the centred rows)")
PCA_COLUMNS = ("the directions are the ROWS of Vt (np.linalg.svd returns V transposed): project on Vt[:2].T, "
               "not on Vt[:, :2]")
PCA_SMALLEST = "those are the directions of SMALLEST variance: np.linalg.svd sorts the singular values largest first, take Vt[:2]"
PCA_U = ("U[:, :2] alone has unit-length columns: the coordinates are U[:, :2] * S[:2], which equals "
         "Zc @ Vt[:2].T")
PCA_ERROR = "Z is (N, D): np.linalg.svd(Zc, full_matrices=False) returns U (N, r), S (r,), Vt (r, D)"


def _align(a, ref):
    """Flip the sign of each column of ``a`` to agree with ``ref`` (a principal direction's sign is arbitrary)."""
    a, ref = _np(a), _np(ref)
    if a.shape != ref.shape:
        return a
    return a * np.where((a * ref).sum(0) < 0, -1.0, 1.0)


def check_pca_2d(pca_2d):
    """The projection of anisotropic data with a far-off mean, against the eigenvectors of its
    covariance matrix (each component up to its sign)."""
    with checking("pca_2d", error_hint=PCA_ERROR):
        rng = np.random.default_rng(0)
        Z = rng.standard_normal((300, 6)) * np.array([5.0, 3.0, 1.5, 1.0, 0.5, 0.2]) @ np.linalg.qr(rng.standard_normal((6, 6)))[0]
        Z = Z + 10.0 * rng.standard_normal(6)
        Zc = Z - Z.mean(0)
        evals, evecs = np.linalg.eigh(np.cov(Zc.T))                  # ascending
        expected = Zc @ evecs[:, ::-1][:, :2]
        got = pca_2d(Z.copy())
        U, S, Vt = np.linalg.svd(Zc, full_matrices=False)
        Ur, Sr, Vtr = np.linalg.svd(Z, full_matrices=False)
        like = lambda L: (lambda a: close_to(_align(a, L), L))
        mistakes = [Mistake(PCA_CENTRE, test=like(Z @ Vtr[:2].T)), Mistake(PCA_CENTRE, test=like(Zc @ Vtr[:2].T)),
                    Mistake(PCA_CENTRE, test=like(Ur[:, :2] * Sr[:2])),
                    Mistake(PCA_COLUMNS, test=like(Zc @ Vt[:, :2])), Mistake(PCA_SMALLEST, test=like(Zc @ Vt[-2:].T)),
                    Mistake(PCA_SMALLEST, test=like(Zc @ Vt[-2:][::-1].T)), Mistake(PCA_U, test=like(U[:, :2]))]
        check_close(_align(got, expected), expected, tol=1e-8, mistakes=mistakes,
                    name="projection on the two principal directions (each up to its sign)")
