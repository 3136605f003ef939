"""Notebook 07's exercise checks name the classic mistakes: each mistake is injected into the
notebook's solution (tools.inject) and the check must fail with its hint; the solution itself
passes every check, and a stub is reported as not implemented yet."""
import pytest

from cs231n_helpers.checks import CheckFailed
from cs231n_helpers.feedback import cnn_vis as fb
from _hints import assert_stubs_not_implemented, injector, stub

NB = "07_what_cnns_learn"

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def test_the_solution_passes_every_check():
    import cs231n_helpers.visualize as v

    fb.check_receptive_fields(v.receptive_fields)
    fb.check_saliency_map(v.saliency_map)
    fb.check_occlusion_map(v.occlusion_map)
    fb.check_fgsm(v.fgsm)
    fb.check_pca_2d(v.pca_2d)


def test_a_stub_is_not_implemented_yet():
    checks = (fb.check_receptive_fields, fb.check_saliency_map, fb.check_occlusion_map, fb.check_fgsm, fb.check_pca_2d)
    assert_stubs_not_implemented([(check, (stub,)) for check in checks], match="not implemented yet")


run = injector(NB)


RF_UPDATES = ("        size += (k - 1) * jump\n        start += ((k - 1) / 2 - p) * jump\n        jump *= s")
RECEPTIVE_FIELDS = [
    (("size += (k - 1) * jump", "size += k - 1"), "whatever came before"),
    ((RF_UPDATES, "        jump *= s\n        size += (k - 1) * jump\n        start += ((k - 1) / 2 - p) * jump"), "own stride"),
    (("start += ((k - 1) / 2 - p) * jump", "start += (k - 1) / 2 * jump"), "ignores the padding"),
    (("        start += ((k - 1) / 2 - p) * jump\n", ""), "start never moves"),
    (("jump *= s", "jump = s"), "product of all strides"),
    (("jump *= s", "jump += s"), "product of all strides"),
]


@pytest.mark.parametrize("mistake,hint", RECEPTIVE_FIELDS, ids=[f"{i}-{h}" for i, (_, h) in enumerate(RECEPTIVE_FIELDS)])
def test_receptive_fields_names_the_mistake(mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_receptive_fields(run(mistake).receptive_fields)


SALIENCY = [
    (("    model.eval()                                              # batchnorm: running statistics\n", ""), "training mode"),
    (("scores = model(x).gather(1, y[:, None])", "scores = F.cross_entropy(model(x), y)"), "gradient of the loss"),
    (("scores = model(x).gather(1, y[:, None])", "scores = model(x)"), "ALL class scores"),
    (("return grad.abs().amax(dim=1)", "return grad.amax(dim=1)"), "absolute value"),
    (("return grad.abs().amax(dim=1)", "return grad.abs().mean(dim=1)"), r"MAX of \|gradient\|"),
    (("return grad.abs().amax(dim=1)", "return grad.abs().sum(dim=1)"), r"MAX of \|gradient\|"),
    (("return grad.abs().amax(dim=1)", "return grad.abs()"), "reduce over the colour channels"),
]


@pytest.mark.parametrize("mistake,hint", SALIENCY, ids=[f"{i}-{h}" for i, (_, h) in enumerate(SALIENCY)])
def test_saliency_map_names_the_mistake(mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_saliency_map(run(mistake).saliency_map)


OCCLUSION = [
    (("top, left = r - size // 2, c - size // 2", "top, left = r, c"), "starts at"),
    (("max(top, 0):top + size, max(left, 0):left + size", "top:top + size, left:left + size"), "negative start index"),
    (("            hidden = x.clone()\n", "            hidden = x\n"), "fresh copy"),
    (("out[:, a, b] = base - model(hidden).gather(1, y[:, None])[:, 0]",
      "out[:, a, b] = model(hidden).gather(1, y[:, None])[:, 0] - base"), "opposite sign"),
    (("top, left = r - size // 2, c - size // 2", "top, left = a - size // 2, b - size // 2"), "positions in the map"),
    (("left + size] = fill", "left + size] = 0"), "not with 0"),
]


@pytest.mark.parametrize("mistake,hint", OCCLUSION, ids=[f"{i}-{h}" for i, (_, h) in enumerate(OCCLUSION)])
def test_occlusion_map_names_the_mistake(mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_occlusion_map(run(mistake).occlusion_map)


FGSM_EVAL_LINES = "    model.eval()\n    x = x.detach().clone().requires_grad_(True)\n    loss"
FGSM = [
    (("x + eps * grad.sign()", "x - eps * grad.sign()"), "DOWN the loss"),
    ((".clamp(0, 1).detach()", ".detach()"), r"left \[0, 1\]"),
    (("eps * grad.sign()", "eps * grad"), r"eps \* gradient"),
    (("eps * grad.sign()", "eps / 255 * grad.sign()"), "pixel units"),
    (("eps * grad.sign()", "eps * 255 * grad.sign()"), "pixel units"),
    ((FGSM_EVAL_LINES, FGSM_EVAL_LINES.replace("    model.eval()\n", "")), "training mode"),
    (("loss = F.cross_entropy(model(x), y)", "loss = model(x).gather(1, y[:, None]).sum()"), "other way"),
    ((".clamp(0, 1).detach()", ".clamp(0, 1)"), "detach"),
]


@pytest.mark.parametrize("mistake,hint", FGSM, ids=[f"{i}-{h}" for i, (_, h) in enumerate(FGSM)])
def test_fgsm_names_the_mistake(mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_fgsm(run(mistake).fgsm)


PCA = [
    (("Zc = Z - Z.mean(axis=0)", "Zc = Z"), "not centred"),
    (("return Zc @ Vt[:2].T", "return Zc @ Vt[:, :2]"), "ROWS of Vt"),
    (("return Zc @ Vt[:2].T", "return Zc @ Vt[-2:].T"), "SMALLEST"),
    (("return Zc @ Vt[:2].T", "return U[:, :2]"), "unit-length"),
]


@pytest.mark.parametrize("mistake,hint", PCA, ids=[f"{i}-{h}" for i, (_, h) in enumerate(PCA)])
def test_pca_2d_names_the_mistake(mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        fb.check_pca_2d(run(mistake).pca_2d)
