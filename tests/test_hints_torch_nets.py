"""Notebook 06's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import torch_nets as fb
from _hints import assert_stubs_not_implemented, injector, stub

NB = "06_vgg_resnet"

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def test_the_solution_passes_every_check():
    import cs231n_helpers.torch_models as tm
    import cs231n_helpers.torch_train as tt

    fb.check_channel_stats(tt.channel_stats, tt.normalize)
    fb.check_random_crop(tt.random_crop)
    fb.check_random_flip(tt.random_flip)
    fb.check_basic_block(tm.BasicBlock)
    fb.check_smooth_cross_entropy(tt.smooth_cross_entropy)
    fb.check_train_step(tt.train_step, tt.make_optimizer)
    fb.check_predict(tt.predict)


def test_a_stub_is_not_implemented_yet():
    assert_stubs_not_implemented([(fb.check_channel_stats, (stub,)), (fb.check_random_crop, (stub,)),
                                  (fb.check_random_flip, (stub,)), (fb.check_smooth_cross_entropy, (stub,)),
                                  (fb.check_train_step, (stub, stub)), (fb.check_predict, (stub,))])


run = injector(NB)


# (what the learner wrote instead: old -> new in the solution, words of the hint)
CHANNEL_STATS = [
    (("dim=(0, 2, 3)", "dim=(0, 1, 2)", 2), "another axis"),                   # NHWC habits on NCHW tensors
    (("dim=(0, 2, 3)", "dim=(2, 3)", 2), "one mean per image"),
    (("dim=(0, 2, 3), keepdim=True", "dim=(0, 2, 3)", 2), "keepdim=True"),     # (C,) broadcasts against W
    (("pixels.mean(dim=(0, 2, 3), keepdim=True)", "pixels.mean()"), "one number for all channels"),
    (("pixels.std(dim=(0, 2, 3), keepdim=True)", "pixels.var(dim=(0, 2, 3), keepdim=True)"), "variance"),
    (("pixels = X.float()", "pixels = X"), "uint8 tensors have no mean"),
]


@pytest.mark.parametrize("mistake,hint", CHANNEL_STATS, ids=[h for _, h in CHANNEL_STATS])
def test_channel_stats_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_channel_stats(mod.channel_stats, mod.normalize)


RANDOM_CROP = [
    (("torch.randint(0, 2 * pad + 1,", "torch.randint(0, 2 * pad,", 2), r"never reach \[8\]"),     # high is exclusive
    (("(N,), device=x.device, generator=generator)", "(1,), device=x.device, generator=generator)", 2),
     "same offset"),
    (("dx = torch.randint(0, 2 * pad + 1, (N,), device=x.device, generator=generator)", "dx = dy"), "dy equals dx"),
    (("F.pad(x, (pad, pad, pad, pad))", "F.pad(x, (pad, pad))"), "pad H and W"),                   # W only
    (("F.pad(x, (pad, pad, pad, pad))", "F.pad(x, (0, 0, pad, pad, pad, pad))"), "pad H and W"),   # H and C
    (("[:, None, :, None]     # N, 1, H, 1", "[:, None, None, :]"), r"broadcast to \(N, C, H, W\)"),
    (("[:, None, :, None]     # N, 1, H, 1\n    cols = (dx[:, None] + torch.arange(W, device=x.device))[:, None, None, :]",
      "[:, None, None, :]\n    cols = (dx[:, None] + torch.arange(W, device=x.device))[:, None, :, None]"), "rows and cols"),
    (("(N,), device=x.device, generator=generator)", "(N,), device=x.device)", 2), "from the generator"),
]


@pytest.mark.parametrize("mistake,hint", RANDOM_CROP, ids=[h for _, h in RANDOM_CROP])
def test_random_crop_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_random_crop(mod.random_crop)


RANDOM_FLIP = [
    (("x.flip(3), x)", "x.flip(2), x)"), "upside down"),                        # H instead of W
    (("x.flip(3), x)", "x.flip(1), x)"), "RGB -> BGR"),
    (("x.flip(3), x)", "x.flip(0), x)"), "reverses the batch"),
    (("torch.rand(x.shape[0],", "torch.rand(1,"), "same coin"),                 # one coin for the batch
    (("flip[:, None, None, None]", "flip"), "broadcast per image"),             # (N,) lines up with W
    (("< 0.5", "< 0.2"), "probability 1/2"),
    ((", generator=generator) < 0.5", ") < 0.5"), "from the generator"),
]


@pytest.mark.parametrize("mistake,hint", RANDOM_FLIP, ids=[h for _, h in RANDOM_FLIP])
def test_random_flip_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_random_flip(mod.random_flip)


BASIC_BLOCK = [
    (("        if self.residual:\n            out = out + self.shortcut(x)\n        return F.relu(out)",
      "        out = F.relu(out)\n        if self.residual:\n            out = out + self.shortcut(x)\n        return out"),
     "after the final ReLU"),
    (("out = out + self.shortcut(x)", "out = out + x"), "shortcut must change shape"),      # no projection
    (("return F.relu(out)", "return out"), "final ReLU is missing"),
    (("out = F.relu(self.bn1(self.conv1(x)))", "out = self.bn1(F.relu(self.conv1(x)))"), "BatchNorm comes after the ReLU"),
    (("out = F.relu(self.bn1(self.conv1(x)))", "out = self.bn1(self.conv1(x))"), "ReLU between the two convs"),
    (("out = self.bn2(self.conv2(out))", "out = self.conv2(out)"), "bn2 is missing"),
    (("        out = self.bn2(self.conv2(out))\n        if self.residual:\n            out = out + self.shortcut(x)\n",
      "        out = self.conv2(out)\n        if self.residual:\n            out = out + self.shortcut(x)\n"
      "        out = self.bn2(out)\n"), "bn2 is applied after the addition"),
    (("if self.residual:", "if True:"), "plain block"),                                  # shortcut is None there
    (("if self.residual:", "if False:"), "never added"),
]


@pytest.mark.parametrize("mistake,hint", BASIC_BLOCK, ids=[h for _, h in BASIC_BLOCK])
def test_basic_block_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_basic_block(mod.BasicBlock)


SMOOTHING = [
    (("1 - smoothing + smoothing / K)", "1 - smoothing)"), "do not sum to 1"),
    (("torch.full_like(logp, smoothing / K)                     # eps/K on every class ...\n"
      "    target.scatter_(1, y[:, None], 1 - smoothing + smoothing / K)",
      "torch.full_like(logp, smoothing / (K - 1))\n    target.scatter_(1, y[:, None], 1 - smoothing)"), "K - 1 wrong classes"),
    (("sum(dim=1).mean()", "sum(dim=1).sum()"), "sum over the batch"),
    (("F.log_softmax(logits.float(), dim=1)", "torch.log(torch.softmax(logits.float(), dim=1))"), "log_softmax"),
    (("F.log_softmax(logits.float(), dim=1)", "F.log_softmax(logits.float(), dim=0)"), "wrong axis"),
    (("torch.full_like(logp, smoothing / K)                     # eps/K on every class ...\n"
      "    target.scatter_(1, y[:, None], 1 - smoothing + smoothing / K)",
      "torch.zeros_like(logp)\n    target.scatter_(1, y[:, None], 1.0)"), "plain cross-entropy"),
]


@pytest.mark.parametrize("mistake,hint", SMOOTHING, ids=[h for _, h in SMOOTHING])
def test_smooth_cross_entropy_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_smooth_cross_entropy(mod.smooth_cross_entropy)


TRAIN_STEP = [
    (("    optimizer.zero_grad(set_to_none=True)\n", ""), "gradients accumulate"),
    (("    optimizer.zero_grad(set_to_none=True)\n    loss.backward()\n",
      "    loss.backward()\n    optimizer.zero_grad(set_to_none=True)\n"), "wipes the gradient"),
    (("    optimizer.step()\n", ""), "did not change"),
    (("    if scheduler is not None:\n        scheduler.step()\n", ""), "scheduler was not stepped"),
    (("return loss.detach(), (logits.argmax(1) == yb).sum()", "return loss.item(), (logits.argmax(1) == yb).sum().item()"),
     r"\.item\(\)"),
    (("F.cross_entropy(logits.float(), yb, label_smoothing=label_smoothing)", "F.cross_entropy(logits.float(), yb)"),
     "no label smoothing"),
    (("        logits = model(xb)\n        loss = F.cross_entropy(logits.float(), yb, label_smoothing=label_smoothing)\n",
      "        logits = model(xb)\n    loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)\n"),
     "bfloat16"),                                                   # the loss outside autocast, on bf16 logits
    (("(logits.argmax(1) == yb).sum()", "(logits.argmax(1) == yb).float().mean()"), "number correct is wrong"),
]


@pytest.mark.parametrize("mistake,hint", TRAIN_STEP, ids=[h for _, h in TRAIN_STEP])
def test_train_step_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_train_step(mod.train_step, mod.make_optimizer)


PREDICT = [
    (("    model.eval()                                          # batchnorm: running statistics, no updates\n", ""),
     "running statistics"),                                         # BN statistics updated at test time
    (("with torch.no_grad():", "if True:"), "autograd graph"),
    (("model(xb.flip(3))", "model(xb.flip(2))"), "upside down"),
    (("xb = normalize(X[i:i + batch_size], mean, std, channels_last=channels_last)",
      "xb = augment(normalize(X[i:i + batch_size], mean, std, channels_last=channels_last))"), "random augmentation"),
    (("    model.train(was_training)\n", ""), "left in another mode"),
    (("xb = normalize(X[i:i + batch_size], mean, std, channels_last=channels_last)", "xb = X[i:i + batch_size].float()"),
     "not normalized"),
    (("                if tta:\n", "                if True:\n"), "only `if tta:`"),
    (("                if tta:\n", "                if False:\n"), "only the image itself"),
    (("logits = 0.5 * (logits + model(xb.flip(3)).float())", "logits = 0.5 * (logits.softmax(1) + model(xb.flip(3)).float().softmax(1))"),
     "averaged probabilities"),
]


@pytest.mark.parametrize("mistake,hint", PREDICT, ids=[h for _, h in PREDICT])
def test_predict_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_predict(mod.predict)
