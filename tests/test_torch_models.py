"""Models of notebook 06 (generated module cs231n_helpers.torch_models): shapes, parameter counts, bad input."""
import pytest
import torch

from cs231n_helpers.torch_models import (MODELS, VGG, VGG_CONFIGS, BasicBlock, PreActBlock, build_model,
                                         cifar_resnet, count_params, init_whitening, resnet18)

X = torch.zeros(2, 3, 32, 32)


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.mark.parametrize("name, expected", [
    ("resnet20", 269_722), ("resnet56", 853_018), ("plain20", 269_722), ("preact_resnet20", 269_722),
    ("resnet18", 11_173_962), ("vgg11", 9_228_362), ("vgg16", 14_724_042),
])
def test_parameter_counts(name, expected):
    assert count_params(build_model(name)) == expected


def test_paper_parameter_counts():
    # He et al. 2015, Table 6: ResNet-20 0.27M, ResNet-56 0.85M (option A shortcuts)
    assert abs(count_params(cifar_resnet(20)) / 1e6 - 0.27) < 0.005
    assert abs(count_params(cifar_resnet(56)) / 1e6 - 0.85) < 0.005


@pytest.mark.parametrize("name, kw", [
    ("vgg11", dict(width_mult=0.125)), ("vgg16", dict(width_mult=0.125)), ("resnet20", dict(width=4)),
    ("plain56", dict(width=2)), ("preact_resnet8", dict(width=4)), ("resnet18", dict(width=4)),
    ("preact_resnet18", dict(width=4)), ("speedrun", dict(widths=(8, 8, 8))),
])
def test_output_shapes(name, kw):
    model = build_model(name, **kw)
    assert model(X).shape == (2, 10)          # training mode (batchnorm with batch statistics)
    assert model.name == name


def test_registry_names():
    for prefix in ("resnet", "plain", "preact_resnet"):
        for depth in (8, 20, 56, 110):
            assert f"{prefix}{depth}" in MODELS
    assert {"vgg11", "vgg16", "resnet18", "preact_resnet18", "speedrun"} <= set(MODELS)
    assert count_params(build_model("resnet110", width=1)) < count_params(build_model("resnet110", width=2))


def test_num_classes():
    assert build_model("resnet8", width=2, num_classes=100)(X).shape == (2, 100)


def test_option_a_shortcut_is_free_and_option_b_is_not():
    a = BasicBlock(16, 32, stride=2, shortcut="A")
    b = BasicBlock(16, 32, stride=2, shortcut="B")
    assert sum(p.numel() for p in a.shortcut.parameters()) == 0
    assert sum(p.numel() for p in b.shortcut.parameters()) == 16 * 32 + 2 * 32
    x = torch.randn(2, 16, 8, 8)
    assert a(x).shape == b(x).shape == (2, 32, 4, 4)


def test_plain_block_has_no_shortcut_and_residual_identity():
    plain = BasicBlock(8, 8, residual=False)
    assert plain.shortcut is None
    res = BasicBlock(8, 8)
    with torch.no_grad():
        res.bn2.weight.zero_()
    x = torch.randn(2, 8, 4, 4)
    assert torch.allclose(res(x), torch.relu(x))
    pre = PreActBlock(8, 8)
    with torch.no_grad():
        pre.conv2.weight.zero_()
    assert torch.allclose(pre(x), x)


def test_whitening_decorrelates():
    net = build_model("speedrun", widths=(4, 4, 4))
    g = torch.Generator().manual_seed(0)
    base = torch.randn(64, 1, 16, 16, generator=g)
    x = torch.cat([base, base + 0.1 * torch.randn(64, 2, 16, 16, generator=g)], 1)   # strongly correlated channels
    init_whitening(net, x)
    with torch.no_grad():
        w = net.whiten(x)[:, :12].permute(1, 0, 2, 3).reshape(12, -1)
    cov = torch.cov(w)
    off = cov - torch.diag(torch.diag(cov))
    assert off.abs().max() < 1e-2
    assert not net.whiten.weight.requires_grad


@pytest.mark.parametrize("call, match", [
    (lambda: build_model("resnet21"), "available: vgg11"),
    (lambda: cifar_resnet(21), "6n\\+2"),
    (lambda: cifar_resnet(20, width=0), "width"),
    (lambda: cifar_resnet(20, shortcut="C"), "shortcut"),
    (lambda: VGG([64, "X"]), "cfg"),
    (lambda: VGG(VGG_CONFIGS["vgg11"], width_mult=-1), "width_mult"),
    (lambda: resnet18(num_classes=0), "num_classes"),
    (lambda: init_whitening(build_model("speedrun", widths=(4, 4, 4)), torch.zeros(2, 1, 8, 8)), "images"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
