"""Checks for the exercises of notebook 08 (transfer learning and data augmentation), with the
classic mistakes.

One check per exercise, each taking the learner's function from the notebook:

* ``check_cutout(cutout)`` - a clipped square per image, zeroed in every channel;
* ``check_mixup(mixup)`` - images and one-hot labels blended with the same weight and partner;
* ``check_train_steps(train_steps)`` - the loop: augmentation on training batches only, the loss
  on the targets the augmentation returns, accuracies on clean images;
* ``check_transfer_net(transfer_net)`` - a copied backbone, a new head, freezing (no gradients,
  batchnorm statistics kept);
* ``check_linear_probe(linear_probe)`` - a head trained on fixed features, the backbone untouched;
* ``check_param_groups(param_groups)`` - discriminative learning rates.

The random functions are checked on hand-made cases (centres, weights and pairings given by
hand) and on their random draws, whose properties are read back from the output.
"""
from __future__ import annotations

import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from cs231n_helpers.checks import Mistake, check_close, check_true, checking, fail
from cs231n_helpers.feedback.torch_nets import torch_errors

__all__ = ["check_cutout", "check_mixup", "check_train_steps", "check_transfer_net", "check_linear_probe",
           "check_param_groups", "reference_cutout"]


def _gen(seed):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- cutout
def reference_cutout(x, size, centers):
    """Cutout written with loops and clipped slices: the reference for hand-made cases."""
    out = x.clone()
    H, W = x.shape[2:]
    for n, (cy, cx) in enumerate(centers.tolist()):
        top, left = cy - size // 2, cx - size // 2
        out[n, :, max(0, top):min(H, top + size), max(0, left):min(W, left + size)] = 0
    return out


CUT_OFF_BY_ONE = ("off by one: the square has size + 1 rows and columns - `rows < top + size` (not `<=`) ends it "
                  "after exactly `size` rows, starting at top = centre - size // 2")
CUT_SHRUNK = "off by one: the square is one row/column short - it spans rows top .. top + size - 1 (`rows < top + size`)"
CUT_SHIFTED = ("the square was moved inside the image instead of clipped: near the border cutout zeroes only the "
               "part of the square that lies inside (compare with arange, do not clamp the corner)")
CUT_WRAPPED = ("the square wrapped around to the other side of the image (negative indices count from the end): "
               "clip it at the border instead - compare row/column indices with the square's bounds")
CUT_SWAPPED = "rows and columns are swapped: centers[:, 0] is the row (along H), centers[:, 1] the column (along W)"
CUT_CENTRE = ("the square is not centred on its centre: its first row is centre - size // 2, "
              "so that the centre pixel lies in the middle of the square")
CUT_CHANNELS = ("only some channels were zeroed: the mask (N, H, W) needs a channel axis, mask[:, None], to cover "
                "every channel of (N, C, H, W)")
CUT_SAME = ("every image got the same square: draw one centre per image, torch.randint(0, H, (N,), ...) - "
            "one square for the whole batch hides the same place in every image")
CUT_RANGE = ("the centres never reach {where}: draw them over the whole image, torch.randint(0, H, ...) and "
             "torch.randint(0, W, ...), so that squares can reach past the border and be clipped")
CUT_SEED = "the same generator seed gave different squares: draw the centres from the generator (generator=generator)"
CUT_ERROR = ("the mask must broadcast: rows (1, H, 1), columns (1, 1, W), the squares' first row and column "
             "(N, 1, 1); zero with x.masked_fill(mask[:, None], 0)")


def _cutout_variants(x, size, centers):
    """What the classic mistakes output on a hand-made case."""
    H, W = x.shape[2:]
    shifted = centers.clone()
    shifted[:, 0] = (centers[:, 0] - size // 2).clamp(0, H - size) + size // 2
    shifted[:, 1] = (centers[:, 1] - size // 2).clamp(0, W - size) + size // 2

    def wrapped():
        out = x.clone()
        for n, (cy, cx) in enumerate(centers.tolist()):
            rows = [(cy - size // 2 + i) % H for i in range(size)]
            cols = [(cx - size // 2 + j) % W for j in range(size)]
            out[n][:, torch.tensor(rows)[:, None], torch.tensor(cols)[None, :]] = 0
        return out

    def first_channel():
        out = x.clone()
        out[:, :1] = reference_cutout(x, size, centers)[:, :1]
        return out

    return [Mistake(CUT_OFF_BY_ONE, like=lambda: _grow(x, size, centers)),
            Mistake(CUT_SHRUNK, like=lambda: _grow(x, size, centers, -1)),
            Mistake(CUT_SHIFTED, like=lambda: reference_cutout(x, size, shifted)),
            Mistake(CUT_WRAPPED, like=wrapped),
            Mistake(CUT_SWAPPED, like=lambda: reference_cutout(x, size, centers.flip(1))),
            Mistake(CUT_CENTRE, like=lambda: reference_cutout(x, size, centers + size // 2)),
            Mistake(CUT_CHANNELS, like=first_channel)]


def _grow(x, size, centers, extra=1):
    """Zero rows/columns top .. top + size + extra - 1 (``<=`` instead of ``<`` when extra = 1)."""
    out = x.clone()
    H, W = x.shape[2:]
    for n, (cy, cx) in enumerate(centers.tolist()):
        top, left = cy - size // 2, cx - size // 2
        out[n, :, max(0, top):min(H, top + size + extra), max(0, left):min(W, left + size + extra)] = 0
    return out


def check_cutout(cutout):
    """Hand-placed squares (clipped at every border, odd and even sizes) against a loop reference,
    then random squares: one per image, centres over the whole image, reproducible, dtype kept."""
    with checking("cutout", error_hint=CUT_ERROR), torch_errors("cutout", CUT_ERROR):
        x = torch.arange(1, 4 * 3 * 12 * 10 + 1, dtype=torch.float32).reshape(4, 3, 12, 10)   # no zeros anywhere
        for size, centers in ((4, [[5, 5], [0, 0], [11, 9], [1, 8]]), (5, [[6, 4], [0, 9], [11, 0], [2, 2]])):
            centers = torch.tensor(centers)
            out = cutout(x, size, centers=centers)
            check_true(tuple(out.shape) == tuple(x.shape), f"size {size}: output shape", str(tuple(out.shape)), hint=CUT_ERROR)
            check_close(out, reference_cutout(x, size, centers), tol=0, metric="abs",
                        name=f"size {size}: squares at hand-picked centres, clipped at the border",
                        mistakes=_cutout_variants(x, size, centers))
        check_true(torch.equal(cutout(x, 0, centers=torch.zeros(4, 2, dtype=torch.long)), x), "size 0 changes nothing")
        N, H, W, size = 3000, 16, 12, 6
        ones = torch.ones(N, 2, H, W)
        out = cutout(ones, size, generator=_gen(0))
        zero = out[:, 0] == 0
        check_true(torch.equal(zero, out[:, 1] == 0), "random squares: every channel zeroed alike", hint=CUT_CHANNELS)
        rows, cols = zero.any(2), zero.any(1)                             # (N, H), (N, W): rows and columns touched
        area = zero.flatten(1).sum(1)
        check_true(bool((area == rows.sum(1) * cols.sum(1)).all()) and int(area.max()) <= size * size,
                   f"random squares: each zeroed region is a rectangle of at most {size}x{size}",
                   f"largest {int(area.max())} pixels", hint=CUT_OFF_BY_ONE)
        check_true(len({tuple(r.nonzero().flatten().tolist()) for r in rows[:200]}) > 1, "random squares: one per image",
                   hint=CUT_SAME)
        for where, touched in (("the top rows", rows[:, 0]), ("the bottom rows", rows[:, -1]),
                               ("the left columns", cols[:, 0]), ("the right columns", cols[:, -1])):
            # centres over the whole image: squares of only size - size//2 pixels at each border occur
            clipped = touched & ((rows.sum(1) < size) if "rows" in where else (cols.sum(1) < size))
            check_true(bool(clipped.any()), f"random squares reach {where}, clipped", hint=CUT_RANGE.format(where=where))
        again = cutout(ones[:50], size, generator=_gen(5)), cutout(ones[:50], size, generator=_gen(5))
        check_true(torch.equal(*again), "same generator seed, same squares", hint=CUT_SEED)
        u8 = cutout(torch.full((2, 3, 8, 8), 7, dtype=torch.uint8), 4, generator=_gen(1))
        check_true(u8.dtype == torch.uint8, "uint8 in, uint8 out", str(u8.dtype))


# --------------------------------------------------------------------------- mixup
MIX_NOT_MIXED = ("the labels were not mixed: a mixed image needs a mixed target, lam * onehot(y) + (1 - lam) * "
                 "onehot(y[perm]); with the plain labels the network is told a blend is 100% one class")
MIX_LAM_SWAPPED = ("lambda is not shared: the image keeps lam of itself but its label keeps 1 - lam (or the other "
                   "way round) - use the same lam for x[n] and e_y[n], 1 - lam for both partners")
MIX_PERM = ("the labels were paired with other partners than the images: permute the images and the targets with "
            "the same perm (x[perm] and targets[perm])")
MIX_NOT_ONE_HOT = ("the targets must be one-hot probabilities of shape (N, num_classes): F.one_hot(y, num_classes), "
                   "then mixed; mixing the integer labels themselves gives a meaningless class number")
MIX_IMAGES = "the images are not lam * x + (1 - lam) * x[perm] with the lam and perm given"
MIX_SAME_LAM = "two batches got the same lam: draw it anew for every call, torch.distributions.Beta(alpha, alpha).sample()"
MIX_IDENTITY = "the pairing is the identity (every image mixed with itself): perm = torch.randperm(N, generator=generator)"
MIX_SEED = "the same generator seed gave different pairings: draw perm from the generator"


def _mix_case():
    N, K = 4, 5
    x = torch.arange(1, N + 1, dtype=torch.float32)[:, None, None, None].expand(N, 2, 3, 3).clone()
    x[:, 1] *= 10                                          # the channels differ too
    y = torch.tensor([0, 3, 1, 4])
    return x, y, K, 0.3, torch.tensor([2, 0, 3, 1])


def check_mixup(mixup):
    """A hand-made case (lam = 0.3, a given pairing) against the formula, then random draws:
    targets are probabilities, every image the convex combination its target says."""
    with checking("mixup", error_hint=MIX_NOT_ONE_HOT), torch_errors("mixup", MIX_NOT_ONE_HOT):
        x, y, K, lam, perm = _mix_case()
        xm, t = mixup(x, y, K, lam=lam, perm=perm)
        e = F.one_hot(y, K).float()
        check_close(xm, lam * x + (1 - lam) * x[perm], tol=1e-6, metric="abs", name="mixed images (lam = 0.3, given perm)",
                    hint=MIX_IMAGES)
        check_true(tuple(torch.as_tensor(t).shape) == (len(y), K), "targets have shape (N, num_classes)",
                   str(tuple(torch.as_tensor(t).shape)), hint=MIX_NOT_ONE_HOT)
        check_close(t, lam * e + (1 - lam) * e[perm], tol=1e-6, metric="abs", name="mixed targets (lam = 0.3, given perm)",
                    mistakes=[Mistake(MIX_NOT_MIXED, like=e), Mistake(MIX_LAM_SWAPPED, like=(1 - lam) * e + lam * e[perm]),
                              Mistake(MIX_PERM, like=lam * e + (1 - lam) * e.flip(0)),
                              Mistake(MIX_PERM, test=lambda a: torch.allclose(a.max(1).values, torch.full((len(y),), 1 - lam))
                                      and not torch.allclose(a, lam * e + (1 - lam) * e[perm]))])
        check_close(t.sum(1), torch.ones(len(y)), tol=1e-6, metric="abs", name="every target sums to 1")
        # random draws: y = 0..N-1 (all different), so each target row says lam and the partner
        N = 16
        xr = torch.arange(1, N + 1, dtype=torch.float32)[:, None, None, None].expand(N, 1, 2, 2).clone()
        yr = torch.arange(N)
        lams = []
        for seed in (0, 1, 2):
            torch.manual_seed(seed)
            xm, t = mixup(xr, yr, N, alpha=1.0, generator=_gen(seed))
            check_close(t.sum(1), torch.ones(N), tol=1e-5, metric="abs", name=f"draw {seed}: targets sum to 1", quiet=True)
            own = t[yr, yr]                                                 # lam (or 1 if paired with itself)
            others = t.clone()
            others[yr, yr] = 0
            partner = others.argmax(1)
            if not (others.max(1).values > 0).any():                       # one-hot targets
                hint = MIX_IDENTITY if torch.allclose(xm, xr) else MIX_NOT_MIXED
                fail(f"draw {seed}: images and labels are mixed", "every target is one-hot", hint)
            lam_hat = float(own[others.max(1).values > 0].min())
            partner = torch.where(others.max(1).values > 0, partner, yr)
            expected = lam_hat * xr + (1 - lam_hat) * xr[partner]
            if not torch.allclose(xm, expected, atol=1e-4):
                swapped = (1 - lam_hat) * xr + lam_hat * xr[partner]
                hint = MIX_LAM_SWAPPED if torch.allclose(xm, swapped, atol=1e-4) else MIX_PERM
                fail(f"draw {seed}: each image is the blend its target describes", "images and targets disagree", hint)
            check_true(not torch.equal(partner, yr), f"draw {seed}: images are paired with others", hint=MIX_IDENTITY)
            lams.append(lam_hat)
        check_true(len({round(v, 6) for v in lams}) == 3, "a new lam for every batch", str([round(v, 3) for v in lams]),
                   hint=MIX_SAME_LAM)
        # lam comes from torch's global generator; the pairing from ``generator``
        p1 = mixup(xr, yr, N, lam=0.5, generator=_gen(9))[1]
        p2 = mixup(xr, yr, N, lam=0.5, generator=_gen(9))[1]
        check_true(torch.equal(p1, p2), "same generator seed, same pairing", hint=MIX_SEED)


# --------------------------------------------------------------------------- the training loop
LOOP_TEST_TIME = ("the augmentation was applied to test images: augment training batches only - the test set is "
                  "evaluated on clean images (evaluate(model, X_test, ...)), or the accuracy measures the augmentation")
LOOP_TARGETS = ("the loss ignores the targets the augmentation returned: use F.cross_entropy(logits, targets) with the "
                "(N, K) targets from aug(...) - with mixup they are the mixed labels, y[idx] would be the unmixed ones")
LOOP_CALLS = "the augmentation must run once per training step, on that step's batch"
LOOP_NORMALIZE = "the augmentation works on normalized images: aug(normalize(X[idx], mean, std), y[idx], K, generator)"
LOOP_TRAIN_ACC = ("the training accuracy must be measured on the clean training images (evaluate(model, X_train, ...)), "
                  "like the test accuracy, so that the gap compares like with like")
LOOP_NO_STEP = "the model did not learn: zero the gradients, backpropagate, then optimizer.step() (and scheduler.step())"


class _Spy:
    """An augmentation that records what it sees and relabels every image as the next class."""

    def __init__(self, test_mark):
        self.calls, self.saw_test, self.saw_raw, self.test_mark = 0, False, False, test_mark

    def __call__(self, x, y, k, g):
        self.calls += 1
        self.saw_test |= bool((x[:, 0, 0, 0] > self.test_mark).any())
        self.saw_raw |= bool(x.min() >= 0 and x.max() > 20)
        return x, F.one_hot((y + 1) % k, k).to(x.dtype)


def _loop_data():
    g = _gen(0)
    K, n = 4, 64
    y = torch.arange(n) % K
    X = torch.randint(0, 60, (n, 3, 4, 4), dtype=torch.uint8, generator=g)
    X[torch.arange(n), 1 + y % 2, y // 2, :] = 250                         # a bright stripe per class: separable
    yt = torch.arange(32) % K
    Xt = torch.randint(0, 60, (32, 3, 4, 4), dtype=torch.uint8, generator=g)
    Xt[torch.arange(32), 1 + yt % 2, yt // 2, :] = 250
    Xt[:, 0, 0, 0] = 255                                                    # marks the test images
    X[:, 0, 0, 0] = 0
    data = {"X_train": X, "y_train": y, "X_test": Xt, "y_test": yt, "class_names": list("abcd"), "name": "check"}
    data["mean"] = X.float().mean((0, 2, 3), keepdim=True)
    data["std"] = X.float().std((0, 2, 3), keepdim=True) + 1
    return data


def check_train_steps(train_steps):
    """With a spying augmentation on a tiny separable task: one call per step on normalized
    training batches, never on test images, the loss on the returned targets, accuracies on the
    clean images, the gap their difference."""
    with checking("train_steps"), torch_errors("train_steps", "print the shapes of xb, targets and the logits"):
        data = _loop_data()
        mark = float(((255 - data["mean"]) / data["std"])[0, 0, 0, 0]) - 1
        spy = _Spy(mark)
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(48, 4))
        steps = 60
        r = train_steps(model, data, steps, augment=spy, lr=0.2, batch_size=16)
        check_true(isinstance(r, dict) and {"train_acc", "test_acc", "gap"} <= set(r), "returns train_acc, test_acc, gap",
                   str(r))
        check_true(not spy.saw_test, "the augmentation never sees a test image", hint=LOOP_TEST_TIME)
        check_true(spy.calls == steps, f"one augmentation call per step ({steps})", f"{spy.calls} calls", hint=LOOP_CALLS)
        check_true(not spy.saw_raw, "the augmentation gets normalized images", hint=LOOP_NORMALIZE)
        # the spy relabels every image as the next class: trained on its targets, the model gets
        # (almost) every clean training image wrong; trained on y[idx] it gets them right
        if r["train_acc"] > 0.5:
            fail("the loss uses the augmentation's targets", f"training accuracy {r['train_acc']:.2f} on the true labels, "
                 "expected near 0 (the spy's targets say the next class)", LOOP_TARGETS)
        ref = copy.deepcopy(model)
        ref_pred = ref(((data["X_train"].float() - data["mean"]) / data["std"])).argmax(1)
        check_true(float((ref_pred == (data["y_train"] + 1) % 4).float().mean()) > 0.9,
                   "trained on the augmentation's targets (the spy's relabelling is learned)", hint=LOOP_NO_STEP)
        train_acc = float((ref_pred == data["y_train"]).float().mean())
        check_close(r["train_acc"], train_acc, tol=1e-6, metric="abs", name="training accuracy on the clean images",
                    hint=LOOP_TRAIN_ACC)
        test_pred = ref(((data["X_test"].float() - data["mean"]) / data["std"])).argmax(1)
        check_close(r["test_acc"], float((test_pred == data["y_test"]).float().mean()), tol=1e-6, metric="abs",
                    name="test accuracy on the clean test images", hint=LOOP_TEST_TIME)
        check_close(r["gap"], r["train_acc"] - r["test_acc"], tol=1e-9, metric="abs", name="gap = train - test")


# --------------------------------------------------------------------------- the transfer net and freezing
TN_HEAD_REUSED = ("the head is the pretrained net's old fc: it scores the SOURCE classes (it only has the right shape "
                  "because both tasks have five) - re-initialize: head = nn.Linear(backbone.fc.in_features, num_classes)")
TN_HEAD_SHAPE = "the head must output num_classes scores: nn.Linear(backbone.fc.in_features, num_classes)"
TN_NO_COPY = ("the pretrained net itself was changed: work on a copy, backbone = copy.deepcopy(pretrained), so that "
              "fine-tuning one transfer net does not change the next one (or the source model)")
TN_FC_LEFT = ("the backbone still ends in the old fc (it returns class scores, not features): set backbone.fc = "
              "nn.Identity() on the copy")
TN_NOT_FROZEN = ("freeze=True but backbone parameters still require gradients: the optimizer (make_optimizer takes every "
                 "parameter that requires a gradient) still holds and updates them - set p.requires_grad_(False) "
                 "for every parameter of the backbone")
TN_HEAD_FROZEN = "the head was frozen too: only the backbone's parameters stop requiring gradients, the head must train"
TN_BN_UPDATES = ("the frozen backbone's batchnorm running statistics changed in a training step: requires_grad does "
                 "not stop them - keep a frozen backbone in eval mode (in TransferNet.train: if self.frozen: "
                 "self.backbone.eval())")
TN_ALWAYS_EVAL = ("the backbone stays in eval mode although it is not frozen: fine-tuning trains it, so its batchnorm "
                  "must be in training mode - call backbone.eval() only when self.frozen")
TN_FROZE_FALSE = "freeze=False: every backbone parameter must still require a gradient (fine-tuning trains them all)"


def _pretrained():
    from cs231n_helpers.torch_models import cifar_resnet

    torch.manual_seed(0)
    net = cifar_resnet(8, width=4, num_classes=5)
    with torch.no_grad():                                   # non-trivial running statistics
        net.train()
        for _ in range(3):
            net(torch.randn(16, 3, 16, 16) * 2 + 1)
    return net.eval()


def _bn_stats(module):
    return [b.running_mean.clone() for b in module.modules() if isinstance(b, nn.BatchNorm2d)]


def check_transfer_net(transfer_net):
    """A copy of the pretrained net as backbone (returning features), a new head, the original
    untouched; freeze=True: no backbone gradients, batchnorm statistics kept in training steps;
    freeze=False: everything trains."""
    with checking("transfer_net"), torch_errors("transfer_net", lambda m: TN_FC_LEFT if "mat1 and mat2" in m else TN_HEAD_SHAPE):
        pre = _pretrained()
        before = copy.deepcopy(pre.state_dict())
        x = torch.randn(8, 3, 16, 16)
        n_features = pre.fc.in_features
        net = transfer_net(pre, 3)
        check_true(isinstance(pre.fc, nn.Linear) and pre.fc.out_features == 5, "the pretrained net keeps its own fc", hint=TN_NO_COPY)
        out = net(x)
        check_true(tuple(out.shape) == (8, 3), "3 new classes: scores of shape (N, 3)", str(tuple(out.shape)),
                   hint=TN_HEAD_REUSED if out.shape[-1] == 5 else TN_HEAD_SHAPE)
        with torch.no_grad():
            f = net.eval().backbone(x)
        check_true(f.ndim == 2 and f.shape[1] == n_features, f"the backbone returns {n_features} features",
                   str(tuple(f.shape)), hint=TN_FC_LEFT)
        same = transfer_net(pre, 5)
        reused = same.head.weight.shape == pre.fc.weight.shape and torch.equal(same.head.weight.detach(), pre.fc.weight.detach())
        check_true(not reused and same.head is not pre.fc, "a new head, not the source task's fc", hint=TN_HEAD_REUSED)
        # fine-tune: everything trains; one SGD step must not touch the pretrained net
        check_true(all(p.requires_grad for p in same.parameters()), "freeze=False: every parameter requires a gradient",
                   hint=TN_FROZE_FALSE)
        same.train()
        check_true(same.backbone.training, "freeze=False: net.train() puts the backbone in training mode", hint=TN_ALWAYS_EVAL)
        opt = torch.optim.SGD([p for p in same.parameters() if p.requires_grad], lr=0.1)
        F.cross_entropy(same(x), torch.arange(8) % 5).backward()
        opt.step()
        unchanged = all(torch.equal(v, before[k]) for k, v in pre.state_dict().items())
        check_true(unchanged, "training a transfer net leaves the pretrained net unchanged", hint=TN_NO_COPY)
        # frozen
        frozen = transfer_net(pre, 3, freeze=True)
        back = [p.requires_grad for p in frozen.backbone.parameters()]
        head = [p.requires_grad for p in frozen.head.parameters()]
        check_true(not any(back), "freeze=True: no backbone parameter requires a gradient",
                   f"{sum(back)} of {len(back)} still do", hint=TN_NOT_FROZEN)
        check_true(all(head), "freeze=True: the head's parameters do", hint=TN_HEAD_FROZEN)
        stats = _bn_stats(frozen.backbone)
        w0 = [p.detach().clone() for p in frozen.backbone.parameters()]
        frozen.train()
        check_true(not frozen.backbone.training and frozen.head.training, "freeze=True: net.train() leaves the backbone in eval mode",
                   hint=TN_BN_UPDATES)
        opt = torch.optim.SGD([p for p in frozen.parameters() if p.requires_grad], lr=0.1)
        F.cross_entropy(frozen(x * 3 + 2), torch.arange(8) % 3).backward()
        opt.step()
        check_true(all(torch.equal(a, b) for a, b in zip(stats, _bn_stats(frozen.backbone))),
                   "freeze=True: batchnorm running statistics unchanged by a training step", hint=TN_BN_UPDATES)
        check_true(all(torch.equal(a, b.detach()) for a, b in zip(w0, frozen.backbone.parameters())),
                   "freeze=True: backbone weights unchanged by a training step", hint=TN_NOT_FROZEN)


# --------------------------------------------------------------------------- the linear probe
LP_BACKBONE_CHANGED = ("the backbone changed: a linear probe trains the head only - optimize head.parameters(), and "
                       "compute the features under torch.no_grad() / predict (eval mode)")
LP_BN = ("the backbone's batchnorm statistics changed: the features must come from the backbone in eval mode "
         "(predict(backbone, X, mean, std, tta=False) switches to eval and back)")
LP_GRAPH = ("the features were computed with autograd on (a graph through the backbone): compute them once, without "
            "gradients - predict(backbone, X, mean, std, tta=False) - then train the head on them")
LP_ACC = "the probe did not fit separable features: train the head for `steps` full-batch steps on F.cross_entropy(head(feats), y)"
LP_SHAPE = "the head maps the features (D) to num_classes scores: nn.Linear(feats.shape[1], num_classes)"


def check_linear_probe(linear_probe):
    """On a backbone whose features separate the classes: the returned head classifies the
    training images, has the right shape, and the backbone (weights, batchnorm statistics, mode,
    gradients) is untouched."""
    def hint(msg):
        return LP_GRAPH if "backward through the graph" in msg or "second time" in msg else LP_SHAPE

    with checking("linear_probe"), torch_errors("linear_probe", hint):
        torch.manual_seed(0)
        backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        K, n = 3, 60
        y = torch.arange(n) % K
        X = torch.randint(0, 50, (n, 3, 6, 6), dtype=torch.uint8, generator=_gen(1))
        X[torch.arange(n), y] += 150                                        # class k: channel k bright
        mean = X.float().mean((0, 2, 3), keepdim=True)
        std = X.float().std((0, 2, 3), keepdim=True)
        with torch.no_grad():
            backbone.train()
            backbone(torch.randn(32, 3, 6, 6))                                 # non-trivial running statistics
        backbone.train()                                                       # the probe must cope with a net in train mode
        state = copy.deepcopy(backbone.state_dict())
        head = linear_probe(backbone, X, y, mean, std, K, steps=300, lr=0.05)
        check_true(isinstance(head, nn.Module), "returns the head (an nn.Module)", type(head).__name__)
        changed = [k for k, v in backbone.state_dict().items() if not torch.equal(v, state[k])]
        weights = [k for k in changed if "running" not in k and "num_batches" not in k]
        check_true(not weights, "the backbone's weights are unchanged", ", ".join(weights), hint=LP_BACKBONE_CHANGED)
        check_true(not changed, "the backbone's batchnorm statistics are unchanged", ", ".join(changed), hint=LP_BN)
        check_true(all(p.grad is None or not p.grad.abs().sum() for p in backbone.parameters()), "no gradients in the backbone",
                   hint=LP_GRAPH)
        check_true(backbone.training, "the backbone's mode is restored (train)", hint="predict restores the mode it found")
        backbone.eval()
        with torch.no_grad():
            scores = head(backbone((X.float() - mean) / std))
        check_true(tuple(scores.shape) == (n, K), f"head scores of shape (N, {K})", str(tuple(scores.shape)), hint=LP_SHAPE)
        acc = float((scores.argmax(1) == y).float().mean())
        check_true(acc >= 0.9, "the probe classifies the (separable) training features", f"accuracy {acc:.2f}", hint=LP_ACC)


# --------------------------------------------------------------------------- discriminative learning rates
PG_SWAPPED = ("the groups are swapped: the pretrained BACKBONE gets the small learning rate lr * backbone_factor, "
              "the new head the full lr")
PG_FROZEN = ("frozen parameters (requires_grad=False) are still passed to the optimizer: keep only "
             "[p for p in ... if p.requires_grad]")
PG_DIVIDED = "the backbone's learning rate is lr * backbone_factor (a factor below 1 makes it smaller), not lr / backbone_factor"
PG_ONCE = "every trainable parameter must be in exactly one group: the backbone's in one, the head's in the other"
PG_FACTOR_IGNORED = "both groups got the same learning rate: the backbone's is lr * backbone_factor"


def check_param_groups(param_groups):
    """Learning rate per parameter (backbone lr * factor, head lr), each trainable parameter in
    exactly one group, frozen ones left out; an SGD optimizer accepts the groups."""
    from cs231n_helpers.transfer import TransferNet

    with checking("param_groups"), torch_errors("param_groups", PG_ONCE):
        torch.manual_seed(0)
        net = TransferNet(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
                          nn.Linear(4, 3))
        lr, factor = 0.2, 0.05
        groups = param_groups(net, lr, factor)
        rate = {}
        for g in groups:
            for p in g["params"]:
                if id(p) in rate:
                    fail("each parameter in one group", "a parameter appears twice", PG_ONCE)
                rate[id(p)] = g.get("lr", lr)
        missing = [n for n, p in net.named_parameters() if id(p) not in rate]
        check_true(not missing, "every trainable parameter is in a group", ", ".join(missing), hint=PG_ONCE)
        got = {n: rate[id(p)] for n, p in net.named_parameters()}
        want = {n: lr * factor if n.startswith("backbone") else lr for n, _ in net.named_parameters()}
        variants = [Mistake(PG_SWAPPED, like={n: lr if n.startswith("backbone") else lr * factor for n in want}),
                    Mistake(PG_DIVIDED, like={n: lr / factor if n.startswith("backbone") else lr for n in want}),
                    Mistake(PG_FACTOR_IGNORED, test=lambda a: len(set(a.values())) == 1)]
        names = list(want)
        if any(abs(got[n] - want[n]) > 1e-12 for n in names):
            named = None
            for m in variants:
                if m.test is not None:
                    hit = m.test(got)
                else:
                    hit = all(abs(got[n] - m.like[n]) < 1e-12 for n in names)
                if hit:
                    named = m.hint
                    break
            fail("learning rate per parameter", ", ".join(f"{n} {got[n]:g}" for n in names[:3]) + f" (want {lr * factor:g} "
                 f"for the backbone, {lr:g} for the head)", named or PG_SWAPPED)
        check_true(True, "learning rates: backbone lr * backbone_factor, head lr", f"{lr * factor:g} and {lr:g}")
        torch.optim.SGD(groups, lr=lr, momentum=0.9)                       # the optimizer accepts them
        for p in net.backbone.parameters():
            p.requires_grad_(False)
        frozen = [p for g in param_groups(net, lr, factor) for p in g["params"]]
        check_true(all(p.requires_grad for p in frozen), "a frozen backbone's parameters are left out",
                   f"{sum(not p.requires_grad for p in frozen)} frozen parameters in the groups", hint=PG_FROZEN)
