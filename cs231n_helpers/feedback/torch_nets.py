"""Checks for the exercises of notebook 06 (VGG and ResNet in PyTorch), with the classic mistakes.

One check per exercise, each taking the learner's function (or class) from the notebook:

* ``check_channel_stats(channel_stats, normalize)`` - per-channel mean and std;
* ``check_random_crop(random_crop)`` and ``check_random_flip(random_flip)`` - the augmentation;
* ``check_basic_block(BasicBlock)`` - the residual block's forward pass;
* ``check_smooth_cross_entropy(smooth_cross_entropy)`` - label smoothing;
* ``check_train_step(train_step, make_optimizer)`` - one optimization step;
* ``check_predict(predict)`` - evaluation: eval mode, no autograd, flip TTA, no random augmentation.

Random functions are checked on inputs whose pixel values encode their own position (channel 0
holds the row, channel 1 the column, channel 2 the image), so every output pixel says where it
came from, and on thousands of images at once.
"""
from __future__ import annotations

import contextlib
import copy

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_helpers.checks import Mistake, check_close, check_shape, check_true, checking, fail, name_mistake

__all__ = ["check_channel_stats", "check_random_crop", "check_random_flip", "check_basic_block",
           "check_smooth_cross_entropy", "check_train_step", "check_predict"]


@contextlib.contextmanager
def torch_errors(what, hint):
    """Inside a check: PyTorch's RuntimeError (shape, dtype and device errors) becomes a short
    failure with ``hint`` (a string, or a function of the error message) instead of a traceback.
    NotImplementedError, a RuntimeError too, passes through to ``checking`` ("not implemented yet")."""
    try:
        yield
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fail(what, f"your code raised RuntimeError: {msg}", hint(msg) if callable(hint) else hint)


def _check_mistakes(ok, name, actual, mistakes, fail_detail, ok_detail="ok", hint=None):
    """check_true, naming the first of ``mistakes`` that matches ``actual`` when ``ok`` is false."""
    if not ok:
        fail(name, fail_detail, name_mistake(actual, mistakes) or hint)
    check_true(True, name, ok_detail)


def _gen(seed):
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- 1. channel statistics
STATS_AXES = ("these are the statistics of another axis: the tensors are (N, C, H, W), so the channels are "
              "axis 1; reduce over images, rows and columns, dim=(0, 2, 3) ((0, 1, 2) is the NHWC order)")
STATS_PER_IMAGE = ("one mean per image and channel: the statistics are over the whole training set, so axis 0 "
                   "(the images) is reduced too: dim=(0, 2, 3)")
STATS_KEEPDIM = ("shape (C,): keep the reduced axes, keepdim=True, so the statistics have shape (1, C, 1, 1); a (C,) "
                 "vector broadcasts against the LAST axis of (N, C, H, W), the columns, not the channels")
STATS_GLOBAL = "one number for all channels: reduce over dim=(0, 2, 3) to get one mean (and std) per channel"
STATS_VAR = "that is the variance: the standard deviation is its square root (X.float().std(...))"
STATS_FLOAT = "uint8 tensors have no mean: convert first, X.float()"


def _stats_error(msg):
    return STATS_FLOAT if "dtype" in msg else STATS_KEEPDIM


def check_channel_stats(channel_stats, normalize=None):
    """Per-channel mean and std of uint8 images, shape (1, C, 1, 1); with ``normalize``, that
    normalized images have mean 0 and std 1 in every channel."""
    with checking("channel_stats"), torch_errors("channel_stats", _stats_error):
        g = _gen(0)
        X = torch.randint(0, 256, (40, 3, 8, 12), dtype=torch.uint8, generator=g)
        X[:, 0] //= 4                                   # channels with clearly different statistics
        X[:, 2] = 200 + X[:, 2] // 8
        mean, std = channel_stats(X)
        xf = X.double()
        axes_m = [Mistake(STATS_AXES, like=lambda d=d, k=k: xf.mean(dim=d, keepdim=k)) for d in ((0, 1, 2), (0, 1, 3), (1, 2, 3))
                  for k in (True, False)]
        mistakes = axes_m + [Mistake(STATS_PER_IMAGE, like=lambda k=k: xf.mean(dim=(2, 3), keepdim=k)) for k in (True, False)]
        mistakes += [Mistake(STATS_KEEPDIM, like=lambda: xf.mean(dim=(0, 2, 3))), Mistake(STATS_GLOBAL, like=lambda: xf.mean())]
        check_close(torch.as_tensor(mean).double(), xf.mean(dim=(0, 2, 3), keepdim=True), tol=1e-5,
                    name="mean per channel, shape (1, C, 1, 1)", mistakes=mistakes)
        std_mistakes = [Mistake(STATS_AXES, like=lambda d=d, k=k: xf.std(dim=d, keepdim=k)) for d in ((0, 1, 2), (0, 1, 3), (1, 2, 3))
                        for k in (True, False)]
        std_mistakes += [Mistake(STATS_PER_IMAGE, like=lambda k=k: xf.std(dim=(2, 3), keepdim=k)) for k in (True, False)]
        std_mistakes += [Mistake(STATS_KEEPDIM, like=lambda: xf.std(dim=(0, 2, 3))), Mistake(STATS_GLOBAL, like=lambda: xf.std()),
                         Mistake(STATS_VAR, like=lambda: xf.var(dim=(0, 2, 3), keepdim=True))]
        # the sample (n - 1) and the population (n) standard deviation differ by 1e-4 here: both pass
        check_close(torch.as_tensor(std).double(), xf.std(dim=(0, 2, 3), keepdim=True), tol=1e-3,
                    name="standard deviation per channel, shape (1, C, 1, 1)", mistakes=std_mistakes)
        check_true(mean.dtype == torch.float32 and std.dtype == torch.float32, "float32 statistics",
                   f"{mean.dtype}, {std.dtype}", hint="return X.float()'s statistics (float32), not float64 or uint8")
        if normalize is not None:
            xn = normalize(X, mean, std)
            check_close(xn.double().mean(dim=(0, 2, 3)), np.zeros(3), tol=1e-4, metric="abs",
                        name="normalized images: mean 0 in every channel")
            check_close(xn.double().std(dim=(0, 2, 3)), np.ones(3), tol=1e-3, metric="abs",
                        name="normalized images: std 1 in every channel")


# --------------------------------------------------------------------------- 2. augmentation
def coordinate_images(n, h=32, w=32):
    """Float images (n, 3, h, w) whose pixels say where they come from: channel 0 holds row + 1,
    channel 1 column + 1, channel 2 image + 1 (so zero padding shows as 0)."""
    x = torch.empty(n, 3, h, w)
    x[:, 0] = torch.arange(1, h + 1, dtype=torch.float32)[:, None]
    x[:, 1] = torch.arange(1, w + 1, dtype=torch.float32)[None, :]
    x[:, 2] = torch.arange(1, n + 1, dtype=torch.float32)[:, None, None]
    return x


def crop_windows(x, dy, dx, pad):
    """The reference crop: image n's window at offset (dy[n], dx[n]) of its zero-padded version."""
    N, C, H, W = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    return torch.stack([padded[k, :, dy[k]:dy[k] + H, dx[k]:dx[k] + W] for k in range(N)])


CROP_ERROR = ("an index error usually means a window runs off the padded image: pad H and W, the last two "
              "axes, with F.pad(x, (pad, pad, pad, pad)), and draw offsets in [0, 2 * pad]; the index tensors "
              "must broadcast to (N, C, H, W): n (N, 1, 1, 1), c (1, C, 1, 1), rows (N, 1, H, 1), cols (N, 1, 1, W)")
CROP_INDEX_SHAPES = ("the output must have the input's shape: the index tensors must broadcast to (N, C, H, W) - "
                     "n (N, 1, 1, 1), c (1, C, 1, 1), rows (N, 1, H, 1), cols (N, 1, 1, W)")
CROP_TRANSPOSED = ("each crop is transposed: the row indices must run along H (shape (N, 1, H, 1)) and the column "
                   "indices along W (shape (N, 1, 1, W)) - rows and cols look swapped")
CROP_SAME_OFFSET = ("every image got the same offset: draw one (dy, dx) per image, "
                    "torch.randint(0, 2 * pad + 1, (N,), ...)")
CROP_DY_IS_DX = "dy equals dx for every image: draw dx separately from dy (a diagonal shift only is not a translation)"
CROP_RANGE = ("the offsets never reach {missing}: torch.randint(low, high) excludes high, so draw with "
              "torch.randint(0, 2 * pad + 1, ...) to get every offset 0..2*pad (shifts by -pad..+pad)")
CROP_NOT_SEEDED = ("the same generator seed gave different crops: draw every random number from the generator, "
                   "torch.randint(..., generator=generator)")


def check_random_crop(random_crop):
    """Each crop is a window of its own zero-padded image, offsets per image in [0, 2*pad], all
    of them reached, reproducible with a seed, dtype kept, pad=0 is the identity."""
    with checking("random_crop", error_hint=CROP_ERROR), torch_errors("random_crop", CROP_ERROR):
        N, pad = 2000, 4
        x = coordinate_images(N)
        crops = random_crop(x, pad, generator=_gen(0))
        check_true(tuple(crops.shape) == (N, 3, 32, 32), "random_crop output shape", str(tuple(crops.shape)),
                   hint=CROP_INDEX_SHAPES)
        # offsets read from the centre pixel, which always lies inside the image (|shift| <= pad < 16)
        dy = (crops[:, 0, 16, 16] - 17 + pad).long().clamp(0, 2 * pad)
        dx = (crops[:, 1, 16, 16] - 17 + pad).long().clamp(0, 2 * pad)
        transposed = lambda c: bool((c[:, 0, 10:20, 11:20] - c[:, 0, 10:20, 10:19] == 1).all())
        _check_mistakes(torch.equal(crops, crop_windows(x, dy, dx, pad)), "every crop is a 32x32 window of its own zero-padded image",
                        crops, [Mistake(CROP_TRANSPOSED, test=transposed)], "some crops are not", f"all {N:,}",
                        hint="crop[n] must be padded[n, :, dy:dy + H, dx:dx + W] for one offset (dy, dx) per image")
        check_true(len(set(zip(dy.tolist(), dx.tolist()))) > 1, "offsets differ between images",
                   hint=CROP_SAME_OFFSET)
        check_true(not torch.equal(dy, dx), "dy and dx are drawn independently", hint=CROP_DY_IS_DX)
        for name, off in (("dy", dy), ("dx", dx)):
            missing = sorted(set(range(2 * pad + 1)) - set(off.tolist()))
            check_true(not missing, f"{name} takes every value 0..{2 * pad} over {N:,} images",
                       f"never {missing}" if missing else "ok", hint=CROP_RANGE.format(missing=missing))
        again = random_crop(x[:50], pad, generator=_gen(7)), random_crop(x[:50], pad, generator=_gen(7))
        check_true(torch.equal(*again), "same generator seed, same crops", hint=CROP_NOT_SEEDED)
        u8 = random_crop(torch.randint(0, 256, (4, 3, 32, 32), dtype=torch.uint8, generator=_gen(1)), pad, generator=_gen(2))
        check_true(u8.dtype == torch.uint8, "uint8 in, uint8 out", str(u8.dtype))
        check_true(torch.equal(random_crop(x[:8], 0, generator=_gen(3)), x[:8]), "pad=0 returns the images unchanged")


FLIP_H = ("the images were turned upside down: left-right is the W axis, the last one - x.flip(3) (or flip(-1)); "
          "x.flip(2) flips H")
FLIP_C = "the colour channels were reversed (RGB -> BGR): mirror along W, x.flip(3), not along the channels"
FLIP_N = "the images were reordered: x.flip(0) reverses the batch; mirror each image along W, x.flip(3)"
FLIP_ALL_OR_NONE = ("every image got the same coin: draw one per image, torch.rand(N, ...) < 0.5, and give it shape "
                    "(N, 1, 1, 1) for torch.where")
FLIP_BROADCAST = ("the coin must broadcast per image: a mask of shape (N,) lines up with the LAST axis (W) of "
                  "(N, C, H, W); use flip[:, None, None, None]")
FLIP_NOT_SEEDED = ("the same generator seed gave different flips: draw the coins from the generator, "
                   "torch.rand(N, generator=generator)")


def _each_image(out, x, transform):
    """For every image: is it unchanged, or exactly ``transform`` of itself?"""
    same = (out == x).flatten(1).all(1)
    moved = (out == transform(x)).flatten(1).all(1)
    return same, moved


def check_random_flip(random_flip):
    """Each image unchanged or mirrored left-right, about half of them mirrored, reproducible."""
    with checking("random_flip"), torch_errors("random_flip", FLIP_BROADCAST):
        N = 2000
        x = coordinate_images(N)
        out = random_flip(x, generator=_gen(0))
        check_shape(out, (N, 3, 32, 32), name="random_flip output")
        same, mirrored = _each_image(out, x, lambda t: t.flip(3))

        def like_flip(dim):
            def test(o):
                s, m = _each_image(o, x, lambda t: t.flip(dim))
                return bool((s | m).all() and m.any())
            return test
        mistakes = [Mistake(FLIP_H, test=like_flip(2)), Mistake(FLIP_C, test=like_flip(1)),
                    Mistake(FLIP_N, test=like_flip(0)),
                    Mistake(FLIP_BROADCAST, test=lambda o: bool(((o == x) | (o == x.flip(3))).all()))]
        _check_mistakes(bool((same | mirrored).all()), "each image is either unchanged or exactly mirrored left-right", out,
                        mistakes, f"{int((~(same | mirrored)).sum())} of {N:,} images are neither", f"all {N:,}")
        frac = mirrored.float().mean().item()
        if frac in (0.0, 1.0):
            fail("fraction of images mirrored", f"{frac:.0%} of {N:,}", FLIP_ALL_OR_NONE)
        check_true(0.45 <= frac <= 0.55, "about half of the images mirrored", f"{frac:.3f} of {N:,}",
                   hint="mirror each image with probability 1/2: torch.rand(N) < 0.5")
        again = random_flip(x[:64], generator=_gen(7)), random_flip(x[:64], generator=_gen(7))
        check_true(torch.equal(*again), "same generator seed, same flips", hint=FLIP_NOT_SEEDED)


# --------------------------------------------------------------------------- 3. the residual block
def _bn(t, m):
    """Batchnorm in training mode with the layer's own affine parameters (no running statistics)."""
    return F.batch_norm(t, None, None, m.weight, m.bias, training=True, eps=m.eps)


def block_forward(block, x, variant="right"):
    """What BasicBlock.forward computes, written with functional ops and the block's weights, and
    what the classic mistakes compute instead (``variant``)."""
    conv1 = lambda t: F.conv2d(t, block.conv1.weight, stride=block.conv1.stride, padding=1)
    conv2 = lambda t: F.conv2d(t, block.conv2.weight, padding=1)
    first = {"relu_before_bn": _bn(F.relu(conv1(x)), block.bn1),
             "no_middle_relu": _bn(conv1(x), block.bn1)}.get(variant, F.relu(_bn(conv1(x), block.bn1)))
    f = conv2(first) if variant == "no_bn2" else _bn(conv2(first), block.bn2)
    skip = block.shortcut(x) if block.shortcut is not None else None
    if variant == "add_after_relu":
        return F.relu(f) + skip if block.residual else F.relu(f)
    if variant == "bn2_after_add":
        return F.relu(_bn(conv2(first) + skip, block.bn2)) if block.residual else F.relu(f)
    if variant == "never_add" or not block.residual:
        return F.relu(f)
    return f + skip if variant == "no_final_relu" else F.relu(f + skip)


BLOCK_AFTER_RELU = ("the shortcut is added after the final ReLU: add it first, out = relu(F(x) + shortcut(x)) - "
                    "the output of a block must be non-negative")
BLOCK_NO_FINAL_RELU = "the final ReLU is missing: return relu(F(x) + shortcut(x))"
BLOCK_NO_MIDDLE_RELU = "the ReLU between the two convs is missing: relu(bn1(conv1(x))) feeds conv2"
BLOCK_RELU_BEFORE_BN = ("BatchNorm comes after the ReLU here: the order is conv -> BN -> ReLU, "
                        "relu(bn1(conv1(x)))")
BLOCK_NO_BN2 = "bn2 is missing: F(x) = bn2(conv2(relu(bn1(conv1(x)))))"
BLOCK_BN2_AFTER_ADD = ("bn2 is applied after the addition: normalize F(x) alone, then add the shortcut: "
                       "relu(bn2(conv2(...)) + shortcut(x))")
BLOCK_NEVER_ADD = "the shortcut is never added: when self.residual is true, out = F(x) + self.shortcut(x)"
BLOCK_SHAPE = ("the shortcut must change shape with the block: use self.shortcut(x) (option A subsamples and "
               "zero-pads the channels, option B is a 1x1 conv), not x - `+ x` only works with stride 1 and the same "
               "number of channels")
BLOCK_PLAIN = ("a plain block (residual=False) has no shortcut (self.shortcut is None): add it only "
               "`if self.residual:`")


def check_basic_block(BasicBlock):
    """The block against its functional reference with the same weights: downsampling blocks with
    option A and B shortcuts, an identity block, a plain block; F(x) = 0 gives relu(x)."""
    with checking("BasicBlock.forward"):
        torch.manual_seed(0)
        variants = {"add_after_relu": BLOCK_AFTER_RELU, "no_final_relu": BLOCK_NO_FINAL_RELU,
                    "no_middle_relu": BLOCK_NO_MIDDLE_RELU, "relu_before_bn": BLOCK_RELU_BEFORE_BN,
                    "no_bn2": BLOCK_NO_BN2, "bn2_after_add": BLOCK_BN2_AFTER_ADD, "never_add": BLOCK_NEVER_ADD}
        cases = [("stride 2, 16 -> 32 channels, option A", dict(in_planes=16, planes=32, stride=2, shortcut="A"), (4, 32, 4, 4)),
                 ("stride 2, 16 -> 32 channels, option B", dict(in_planes=16, planes=32, stride=2, shortcut="B"), (4, 32, 4, 4)),
                 ("stride 1, 16 channels (identity shortcut)", dict(in_planes=16, planes=16), (4, 16, 8, 8)),
                 ("plain block (residual=False)", dict(in_planes=16, planes=32, stride=2, residual=False), (4, 32, 4, 4))]
        for label, kw, shape in cases:
            block = BasicBlock(**kw)
            x = torch.randn(4, 16, 8, 8)
            hint = BLOCK_PLAIN if not kw.get("residual", True) else BLOCK_SHAPE
            try:
                out = block(x).detach()
            except (RuntimeError, TypeError) as exc:
                if isinstance(exc, NotImplementedError):
                    raise
                fail(f"BasicBlock, {label}", f"your code raised {type(exc).__name__}: {str(exc).splitlines()[0]}", hint)
            check_shape(out, shape, name=f"output shape, {label}")
            with torch.no_grad():
                ref = block_forward(block, x)
                mistakes = [Mistake(h, like=block_forward(block, x, v)) for v, h in variants.items()
                            if not torch.allclose(block_forward(block, x, v), ref, atol=1e-4)]
            check_close(out, ref, tol=1e-5, metric="abs", name=f"relu(F(x) + shortcut(x)), {label}", mistakes=mistakes)
        same = BasicBlock(16, 16)
        with torch.no_grad():
            same.bn2.weight.zero_()                        # F(x) = 0: the block must reduce to relu(x)
        x = torch.randn(2, 16, 8, 8)
        check_close(same(x).detach(), torch.relu(x), tol=1e-6, metric="abs", name="with F(x)=0 a residual block is relu(x)",
                    mistakes=[Mistake(BLOCK_NO_FINAL_RELU + " (or it comes before the addition)", like=x),
                              Mistake(BLOCK_NEVER_ADD, like=torch.zeros_like(x))])


# --------------------------------------------------------------------------- 4. label smoothing
def _smoothed(logits, y, eps, true_share, other_share, reduce="mean"):
    logp = F.log_softmax(logits.double(), dim=1)
    K = logp.shape[1]
    q = torch.full_like(logp, other_share(eps, K))
    q.scatter_(1, y[:, None], true_share(eps, K))
    per = -(q * logp).sum(dim=1)
    return per.sum() if reduce == "sum" else per.mean()


LS_NO_SHARE = ("the targets do not sum to 1: the true class gets 1 - eps AND its share eps/K of the uniform part, "
               "1 - eps + eps/K")
LS_K_MINUS_1 = ("that spreads eps over the K - 1 wrong classes only; PyTorch (and Szegedy et al.) spread it "
                "uniformly over all K classes, the true one included: eps/K each, 1 - eps + eps/K on the true class")
LS_SUM = "that is the sum over the batch: return the mean, as F.cross_entropy does"
LS_IGNORED = "that is the plain cross-entropy: the smoothing parameter is not used"
LS_LOG_SOFTMAX = ("log_softmax over the wrong axis: the classes are axis 1 of (N, K) logits, "
                  "F.log_softmax(logits, dim=1)")
LS_SHAPES = ("the target must have the logits' shape (N, K): torch.full_like(logp, eps / K), then "
             "target.scatter_(1, y[:, None], ...) puts one value per row at column y[n]")
LS_UNSTABLE = ("large logits give inf or NaN: torch.log(torch.softmax(...)) underflows to log(0) = -inf; "
               "use F.log_softmax, which subtracts the maximum first")


def check_smooth_cross_entropy(smooth_cross_entropy):
    """Against F.cross_entropy(label_smoothing=eps) for several eps, and finite on huge logits."""
    with checking("smooth_cross_entropy"), torch_errors("smooth_cross_entropy", LS_SHAPES):
        g = _gen(0)
        logits, y = torch.randn(16, 10, generator=g) * 3, torch.randint(0, 10, (16,), generator=g)
        for eps in (0.0, 0.1, 0.3):
            got = smooth_cross_entropy(logits, y, eps)
            ref = F.cross_entropy(logits.double(), y, label_smoothing=eps)
            mistakes = [Mistake(LS_NO_SHARE, like=lambda e=eps: _smoothed(logits, y, e, lambda e, K: 1 - e, lambda e, K: e / K)),
                        Mistake(LS_K_MINUS_1, like=lambda e=eps: _smoothed(logits, y, e, lambda e, K: 1 - e, lambda e, K: e / (K - 1))),
                        Mistake(LS_SUM, like=lambda: ref * len(y)),
                        Mistake(LS_LOG_SOFTMAX, like=lambda e=eps: _log_softmax_dim0(logits, y, e))]
            if eps:
                mistakes.append(Mistake(LS_IGNORED, like=lambda: F.cross_entropy(logits.double(), y)))
            check_true(torch.is_tensor(got) and got.ndim == 0, f"a scalar tensor (eps = {eps})", str(type(got).__name__),
                       hint="return the mean over the batch as a tensor, e.g. loss.mean()")
            check_close(got.detach().double(), ref, tol=1e-6, name=f"F.cross_entropy(label_smoothing={eps})", mistakes=mistakes)
        big = smooth_cross_entropy(logits * 1000, y, 0.1).detach()
        check_true(bool(torch.isfinite(big)), "finite for logits of size 1000", f"{big.item()}", hint=LS_UNSTABLE)
        check_close(big.double(), F.cross_entropy(logits.double() * 1000, y, label_smoothing=0.1), tol=1e-5,
                    name="logits of size 1000")


def _log_softmax_dim0(logits, y, eps):
    logp = F.log_softmax(logits.double(), dim=0)
    K = logp.shape[1]
    q = torch.full_like(logp, eps / K)
    q.scatter_(1, y[:, None], 1 - eps + eps / K)
    return -(q * logp).sum(dim=1).mean()


# --------------------------------------------------------------------------- 5. the training step
STEP_ITEM = ("returns Python numbers: .item() (or float()) makes the CPU wait for the GPU every step; return the "
             "tensors, loss.detach() and (logits.argmax(1) == yb).sum()")
STEP_NO_SMOOTHING = "the loss has no label smoothing: pass label_smoothing=label_smoothing to F.cross_entropy"
STEP_NO_ZERO_GRAD = ("the gradients accumulate: .backward() ADDS to .grad, so call optimizer.zero_grad() "
                     "before loss.backward() in every step")
STEP_UNCHANGED = ("the weights did not change: call optimizer.step() after loss.backward(), and zero the gradients "
                  "BEFORE loss.backward() - zero_grad() between backward and step wipes the gradient just computed")
STEP_NO_SCHEDULER = "the scheduler was not stepped: call scheduler.step() after optimizer.step() when it is given"
STEP_BF16 = ("the loss is bfloat16: compute it from float32 logits inside autocast, "
             "F.cross_entropy(logits.float(), ...); a bf16 loss keeps only ~3 significant digits")
STEP_CORRECT = ("the number correct is wrong: count the correct predictions of the batch, (logits.argmax(1) == yb).sum() "
                "(a count, not a fraction; the classes are axis 1)")


def _reference_steps(make_optimizer, net, xs, ys, lr, smoothing, n_steps, order="right"):
    """Weights of the linear layer after ``n_steps`` reference steps (and variants of the mistakes)."""
    net = copy.deepcopy(net)
    opt = make_optimizer(net, lr=lr)
    for _ in range(n_steps):
        loss = F.cross_entropy(net(xs), ys, label_smoothing=smoothing)
        if order == "right":
            opt.zero_grad()
            loss.backward()
        elif order == "no_zero_grad":
            loss.backward()
        opt.step()
    return net[1].weight.detach().clone()


def check_train_step(train_step, make_optimizer):
    """Loss, number correct and weights after one and two steps against a step written out; tensors
    returned; the scheduler stepped; a float32 loss under bf16 autocast."""
    with checking("train_step"), torch_errors("train_step", "print the shapes and dtypes of logits, yb and the loss"):
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, 10))
        start = copy.deepcopy(net)
        xs, ys = torch.randn(8, 3, 4, 4), torch.randint(0, 10, (8,))
        opt = make_optimizer(net, lr=0.5)
        loss, correct = train_step(net, xs, ys, opt, None, label_smoothing=0.1)
        check_true(torch.is_tensor(loss) and torch.is_tensor(correct), "returns tensors (no .item() per step)",
                   f"{type(loss).__name__}, {type(correct).__name__}", hint=STEP_ITEM)
        logits = start(xs)
        check_close(loss.item(), F.cross_entropy(logits, ys, label_smoothing=0.1).item(), tol=1e-6,
                    name="loss with label smoothing", mistakes=[Mistake(STEP_NO_SMOOTHING, like=F.cross_entropy(logits, ys).item())])
        check_close(correct.item(), (logits.argmax(1) == ys).sum().item(), tol=0, metric="abs", name="number correct",
                    mistakes=[Mistake(STEP_CORRECT, test=lambda c: True)])
        ref_steps = lambda n, order="right": _reference_steps(make_optimizer, start, xs, ys, 0.5, 0.1, n, order)
        check_close(net[1].weight.detach(), ref_steps(1), tol=1e-6, metric="abs", name="weights after one step",
                    mistakes=[Mistake(STEP_UNCHANGED, like=start[1].weight.detach())])
        train_step(net, xs, ys, opt, None, 0.1)
        check_close(net[1].weight.detach(), ref_steps(2), tol=1e-6, metric="abs",
                    name="weights after a second step (gradients zeroed in between)",
                    mistakes=[Mistake(STEP_NO_ZERO_GRAD, like=lambda: ref_steps(2, "no_zero_grad"))])
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 / (s + 1))
        train_step(net, xs, ys, opt, sched, 0.1)
        check_true(sched.last_epoch == 1, "the scheduler advanced one step", f"last_epoch {sched.last_epoch}",
                   hint=STEP_NO_SCHEDULER)
        with torch.no_grad():
            ref = F.cross_entropy(net(xs), ys)
        bf16, _ = train_step(net, xs, ys, opt, None, 0.0, amp_dtype=torch.bfloat16)   # autocast on the CPU
        check_true(bf16.dtype == torch.float32, "under bf16 autocast the loss is float32", str(bf16.dtype), hint=STEP_BF16)
        check_close(bf16.item(), ref.item(), tol=2e-2, name="loss under bf16 autocast, near the float32 loss")


# --------------------------------------------------------------------------- 6. evaluation
EVAL_STATS = ("predict changed batchnorm's running statistics: in training mode every forward pass updates them - "
              "call model.eval() before predicting")
EVAL_NO_GRAD = ("the logits carry an autograd graph: wrap the forward passes in torch.no_grad() "
                "(less memory, faster)")
EVAL_MODE = ("the model was left in another mode: remember model.training at the start and restore it at the end, "
             "model.train(was_training)")
EVAL_FLIP_H = "the test-time flip turned the images upside down: mirror left-right, xb.flip(3) (W, the last axis)"
EVAL_NO_TTA = "tta=True but only the image itself was used: average its logits with those of xb.flip(3)"
EVAL_TTA_ALWAYS = "tta=False but the mirror was still averaged in: add it only `if tta:`"
EVAL_RANDOM = ("two calls gave different logits: no random augmentation at test time (no random_crop/random_flip/"
               "augment in predict); flip TTA is deterministic")
EVAL_NORMALIZE = "the images were not normalized: xb = normalize(X[i:i + batch_size], mean, std, ...)"
EVAL_PROBS = "these look like averaged probabilities: predict returns logits; average the two logit tensors"


def _eval_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Conv2d(4, 4, 3, padding=1, stride=2), torch.nn.Flatten(), torch.nn.Linear(64, 10))


def check_predict(predict):
    """Logits in eval mode without a graph, flip TTA along W, no randomness, mode restored, and
    batchnorm's running statistics untouched."""
    with checking("predict"), torch_errors("predict", "print the shapes of each batch and of the logits"):
        g = _gen(0)
        X = torch.randint(0, 256, (20, 3, 8, 8), dtype=torch.uint8, generator=g)
        mean, std = X.float().mean((0, 2, 3), keepdim=True), X.float().std(dim=(0, 2, 3), keepdim=True)
        model = _eval_model()
        model.train()
        with torch.no_grad():                            # running statistics a fresh net would not have
            model[1].running_mean.uniform_(-0.5, 0.5, generator=g)
            model[1].running_var.uniform_(0.5, 2.0, generator=g)
        ref_model = copy.deepcopy(model).eval()
        stats = model[1].running_mean.clone()
        xn = (X.float() - mean) / std

        def tta(m, x, dim=3, probs=False):
            with torch.no_grad():
                a, b = m(x), m(x.flip(dim))
                return (0.5 * (a.softmax(1) + b.softmax(1))) if probs else 0.5 * (a + b)
        out, again = (predict(model, X, mean, std, batch_size=8, tta=True) for _ in range(2))
        check_true(model.training, "the model is back in the mode it was in (training)", hint=EVAL_MODE)
        check_true(torch.equal(model[1].running_mean, stats), "batchnorm's running statistics unchanged", hint=EVAL_STATS)
        check_true(torch.is_tensor(out) and not out.requires_grad, "no autograd graph at test time", hint=EVAL_NO_GRAD)
        check_true(torch.equal(out, again), "the same logits twice", hint=EVAL_RANDOM)
        with torch.no_grad():
            single = ref_model(xn)
        mistakes = [Mistake(EVAL_FLIP_H, like=lambda: tta(ref_model, xn, 2)),
                    Mistake(EVAL_NO_TTA, like=single),
                    Mistake(EVAL_NORMALIZE, like=lambda: tta(ref_model, X.float())),
                    Mistake(EVAL_PROBS, like=lambda: tta(ref_model, xn, probs=True))]
        check_close(out.detach(), tta(ref_model, xn), tol=1e-5, metric="abs", name="logits with flip TTA (eval mode)",
                    mistakes=mistakes)
        ev = copy.deepcopy(model).eval()
        plain = predict(ev, X, mean, std, batch_size=8, tta=False)
        check_true(not ev.training, "a model in eval mode stays in eval mode", hint=EVAL_MODE)
        check_close(plain.detach(), single, tol=1e-5, metric="abs", name="logits without TTA",
                    mistakes=[Mistake(EVAL_TTA_ALWAYS, like=lambda: tta(ref_model, xn))])
        check_true(out.dtype == torch.float32, "float32 logits", str(out.dtype), hint="return logits.float()")
