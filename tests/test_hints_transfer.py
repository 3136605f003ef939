"""Notebook 08's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check; a stub is "not implemented yet"."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import transfer as fb
from _hints import assert_stubs_not_implemented, injector, stub

NB = "08_transfer_augmentation"

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def test_the_solution_passes_every_check():
    import cs231n_helpers.augment as aug
    import cs231n_helpers.transfer as tr

    fb.check_cutout(aug.cutout)
    fb.check_mixup(aug.mixup)
    fb.check_train_steps(tr.train_steps)
    fb.check_transfer_net(tr.transfer_net)
    fb.check_linear_probe(tr.linear_probe)
    fb.check_param_groups(tr.param_groups)


def test_a_stub_is_not_implemented_yet():
    checks = (fb.check_cutout, fb.check_mixup, fb.check_train_steps, fb.check_transfer_net, fb.check_linear_probe,
              fb.check_param_groups)
    assert_stubs_not_implemented([(check, (stub,)) for check in checks], match="not implemented yet")


run = injector(NB)


SQUARE = ("top = centers[:, 0, None, None] - size // 2                  # (N, 1, 1): each square's first row\n"
          "    left = centers[:, 1, None, None] - size // 2")
CUTOUT = [
    (("(rows < top + size) & (cols >= left) & (cols < left + size)", "(rows <= top + size) & (cols >= left) & (cols <= left + size)"),
     "off by one: the square has size \\+ 1"),
    (("(rows < top + size) & (cols >= left) & (cols < left + size)", "(rows < top + size - 1) & (cols >= left) & (cols < left + size - 1)"),
     "one row/column short"),
    ((SQUARE, "top = (centers[:, 0, None, None] - size // 2).clamp(0, H - size)\n"
              "    left = (centers[:, 1, None, None] - size // 2).clamp(0, W - size)"), "moved inside the image instead of clipped"),
    ((SQUARE, SQUARE.replace("centers[:, 0,", "centers[:, X,").replace("centers[:, 1,", "centers[:, 0,").replace("centers[:, X,", "centers[:, 1,")),
     "rows and columns are swapped"),
    ((SQUARE, SQUARE.replace(" - size // 2", "")), "not centred"),
    (("(N,), device=x.device, generator=generator)", "(1,), device=x.device, generator=generator)", 2), "same square"),
    (("torch.randint(0, H, (N,)", "torch.randint(size // 2, H - size // 2, (N,)"), "never reach the top rows"),
    (("(N,), device=x.device, generator=generator)", "(N,), device=x.device)", 2), "from the generator"),
    (("x.masked_fill(inside[:, None], 0)", "torch.cat([x[:, :1].masked_fill(inside[:, None], 0), x[:, 1:]], 1)"),
     "only some channels"),
]


@pytest.mark.parametrize("mistake,hint", CUTOUT, ids=[h for _, h in CUTOUT])
def test_cutout_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_cutout(mod.cutout)


MIXUP = [
    (("return lam * x + (1 - lam) * x[perm], lam * targets + (1 - lam) * targets[perm]",
      "return lam * x + (1 - lam) * x[perm], targets"), "labels were not mixed"),
    (("lam * targets + (1 - lam) * targets[perm]", "(1 - lam) * targets + lam * targets[perm]"), "lambda is not shared"),
    (("lam * targets + (1 - lam) * targets[perm]", "lam * targets + (1 - lam) * targets.flip(0)"), "other partners"),
    (("targets = F.one_hot(y, num_classes).to(x.dtype)", "targets = y.to(x.dtype)"), "one-hot probabilities"),
    (("lam = torch.distributions.Beta(alpha, alpha).sample().item()", "lam = 0.5"), "a new lam for every batch"),
    (("perm = torch.randperm(len(x), device=x.device, generator=generator)", "perm = torch.arange(len(x), device=x.device)"),
     "pairing is the identity"),
    (("perm = torch.randperm(len(x), device=x.device, generator=generator)", "perm = torch.randperm(len(x), device=x.device)"),
     "draw perm from the generator"),
]


@pytest.mark.parametrize("mistake,hint", MIXUP, ids=[h for _, h in MIXUP])
def test_mixup_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_mixup(mod.mixup)


TEST_LINE = 'test_acc = evaluate(model, data["X_test"], data["y_test"], data["mean"], data["std"], tta=False, amp_dtype=amp)[0]'
LOOP = [
    ((TEST_LINE, 'xt, _ = aug(normalize(data["X_test"], data["mean"], data["std"]), data["y_test"], K, gen)\n'
                 '    model.eval()\n    test_acc = (model(xt).argmax(1) == data["y_test"]).float().mean().item()'),
     "applied to test images"),
    (("F.cross_entropy(model(xb).float(), targets)", "F.cross_entropy(model(xb).float(), y[idx])"), "ignores the targets"),
    (('aug(normalize(X[idx], data["mean"], data["std"]), y[idx], K, gen)', "aug(X[idx].float(), y[idx], K, gen)"),
     "normalized images"),
    (("        opt.step()\n        sched.step()", "        sched.step()"), "did not learn"),
]


@pytest.mark.parametrize("mistake,hint", LOOP, ids=[h for _, h in LOOP])
def test_train_steps_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_train_steps(mod.train_steps)


TRANSFER_NET = [
    (("head = nn.Linear(backbone.fc.in_features, num_classes)", "head = backbone.fc"), "re-initialize"),
    (("backbone = copy.deepcopy(pretrained)", "backbone = pretrained"), "work on a copy"),
    (("p.requires_grad_(False)", "pass"), "still require gradients"),
    (("self.backbone.eval()", "pass"), "keep a frozen backbone in eval mode"),
    (("if self.frozen:", "if True:"), "although it is not frozen"),
    (("backbone.fc = nn.Identity()", "pass"), "still ends in the old fc"),
    (("for p in backbone.parameters():", "for p in list(backbone.parameters()) + list(head.parameters()):"), "head was frozen"),
]


@pytest.mark.parametrize("mistake,hint", TRANSFER_NET, ids=[h for _, h in TRANSFER_NET])
def test_transfer_net_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_transfer_net(mod.transfer_net)


LINEAR_PROBE = [
    (("feats = predict(backbone, X, mean, std, tta=False)", "feats = backbone(normalize(X, mean, std))"), "autograd on"),
    (("feats = predict(backbone, X, mean, std, tta=False)",
      "with torch.no_grad():\n        feats = backbone(normalize(X, mean, std))"), "batchnorm statistics changed"),
    (("loss = F.cross_entropy(head(feats), y)", "loss = F.cross_entropy(head(feats), y.flip(0))"), "did not fit"),
]


@pytest.mark.parametrize("mistake,hint", LINEAR_PROBE, ids=[h for _, h in LINEAR_PROBE])
def test_linear_probe_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_linear_probe(mod.linear_probe)


PARAM_GROUPS = [
    (('"lr": lr * backbone_factor}, {"params": head, "lr": lr}', '"lr": lr}, {"params": head, "lr": lr * backbone_factor}'),
     "groups are swapped"),
    (("backbone = [p for p in net.backbone.parameters() if p.requires_grad]", "backbone = list(net.backbone.parameters())"),
     "still passed to the optimizer"),
    (("lr * backbone_factor}", "lr / backbone_factor}"), "not lr / backbone_factor"),
    (("head = [p for p in net.head.parameters() if p.requires_grad]", "head = [p for p in net.parameters() if p.requires_grad]"),
     "exactly one group"),
    (("lr * backbone_factor}", "lr}"), "same learning rate"),
]


@pytest.mark.parametrize("mistake,hint", PARAM_GROUPS, ids=[h for _, h in PARAM_GROUPS])
def test_param_groups_names_the_mistake(mistake, hint):
    mod = run(mistake)
    with pytest.raises(CheckFailed, match=hint):
        fb.check_param_groups(mod.param_groups)
