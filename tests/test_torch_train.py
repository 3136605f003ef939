"""Training code of notebook 06 (generated module cs231n_helpers.torch_train) and the hand-written support
around it: cs231n_helpers.device, checkpoints, progress, torch_bench and train_cli."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from cs231n_helpers import device as dev
from cs231n_helpers.config import REPO_ROOT
from cs231n_helpers.data import make_synthetic, Dataset
from cs231n_helpers.checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from cs231n_helpers.progress import LivePlot, print_progress
from cs231n_helpers.torch_bench import benchmark_epoch
from cs231n_helpers.torch_models import build_model
from cs231n_helpers.torch_train import (TRAIN_DEFAULTS, augment, channel_stats, evaluate, fit, iterate_batches,
                                        make_generator, make_optimizer, normalize, predict, random_crop, random_flip,
                                        smooth_cross_entropy, to_device, train_step, training_config, warmup_then_decay)
from cs231n_helpers.train_cli import build_parser, main


pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def tiny_data():
    Xtr, ytr, Xte, yte = make_synthetic(num_train=64, num_test=32, seed=0)
    return to_device(Dataset(Xtr, ytr, Xte, yte, name="synthetic"), "cpu")


def distinct(n=5, c=3, h=32, w=32):
    return torch.arange(n * c * h * w, dtype=torch.float32).reshape(n, c, h, w) + 1


# ----------------------------------------------------------------------------- data and augmentation
def test_to_device_layout_and_stats(tiny_data):
    assert tiny_data["X_train"].shape == (64, 3, 32, 32) and tiny_data["X_train"].dtype == torch.uint8
    assert tiny_data["y_test"].shape == (32,) and tiny_data["y_test"].dtype == torch.int64
    assert tiny_data["mean"].shape == (1, 3, 1, 1)
    x = normalize(tiny_data["X_train"], tiny_data["mean"], tiny_data["std"])
    assert torch.allclose(x.mean((0, 2, 3)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(x.std((0, 2, 3)), torch.ones(3), atol=1e-3)
    assert normalize(tiny_data["X_train"][:2], tiny_data["mean"], tiny_data["std"], channels_last=True).is_contiguous(
        memory_format=torch.channels_last)


def test_channel_stats_shape_and_values():
    X = torch.randint(0, 256, (5, 3, 4, 6), dtype=torch.uint8)
    mean, std = channel_stats(X)
    assert mean.shape == std.shape == (1, 3, 1, 1) and mean.dtype == torch.float32
    for c in range(3):
        assert mean[0, c, 0, 0].item() == pytest.approx(X[:, c].double().mean().item(), rel=1e-6)
        assert std[0, c, 0, 0].item() == pytest.approx(X[:, c].double().std().item(), rel=1e-5)


def test_to_device_subset_and_bad_input():
    Xtr, ytr, Xte, yte = make_synthetic(num_train=20, num_test=10)
    d = to_device(Dataset(Xtr, ytr, Xte, yte), "cpu", num_train=8, num_test=4)
    assert len(d["X_train"]) == 8 and len(d["X_test"]) == 4
    # the image at index 3 arrives as CHW with the same pixels
    assert torch.equal(d["X_train"][3].permute(1, 2, 0), torch.from_numpy(Xtr[3]))
    with pytest.raises(ValueError, match="num_train"):
        to_device(Dataset(Xtr, ytr, Xte, yte), "cpu", num_train=0)
    with pytest.raises(ValueError, match="X_train must be uint8"):
        to_device(Dataset(Xtr.astype(np.float32), ytr, Xte, yte), "cpu")


def test_random_crop_windows_in_bounds():
    x = distinct()
    out = random_crop(x, 4, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == x.dtype
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    for k in range(len(x)):
        hits = [(i, j) for i in range(9) for j in range(9) if torch.equal(out[k], padded[k, :, i:i + 32, j:j + 32])]
        assert len(hits) == 1
    # over many images every offset 0..8 occurs and nothing outside the padded image is read
    ones = random_crop(torch.ones(3000, 1, 32, 32), 4, torch.Generator().manual_seed(1))
    kept = ones.sum((1, 2, 3))
    assert kept.min() >= 28 * 28 and kept.max() == 32 * 32
    assert torch.equal(random_crop(x, 0), x)


def test_random_crop_uint8():
    x = torch.randint(0, 256, (4, 3, 32, 32), dtype=torch.uint8)
    assert random_crop(x, 4, torch.Generator().manual_seed(0)).dtype == torch.uint8


def test_flips_really_flip():
    x = distinct(n=200)
    out = random_flip(x, torch.Generator().manual_seed(0))
    flipped = torch.tensor([torch.equal(out[k], x[k].flip(-1)) for k in range(len(x))])
    kept = torch.tensor([torch.equal(out[k], x[k]) for k in range(len(x))])
    assert torch.all(flipped ^ kept)
    assert 70 < flipped.sum() < 130
    assert torch.equal(out[flipped][:, :, :, 0], x[flipped][:, :, :, -1])     # left column = old right column


def test_augmentation_deterministic_under_seed():
    x = distinct()
    a = augment(x, generator=torch.Generator().manual_seed(3))
    b = augment(x, generator=torch.Generator().manual_seed(3))
    c = augment(x, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_augment_bad_input():
    with pytest.raises(ValueError, match="pad"):
        random_crop(distinct(), pad=-1)
    with pytest.raises(ValueError, match="N, C, H, W"):
        random_flip(torch.zeros(3, 32, 32))


def test_iterate_batches():
    g = make_generator("cpu", 0)
    batches = list(iterate_batches(10, 4, generator=g))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))
    assert [len(b) for b in iterate_batches(10, 4, drop_last=True)] == [4, 4]
    assert torch.equal(torch.cat(list(iterate_batches(5, 2, shuffle=False))), torch.arange(5))
    with pytest.raises(ValueError, match="batch_size"):
        next(iterate_batches(10, 0))


# ----------------------------------------------------------------------------- training pieces
def test_schedule():
    assert warmup_then_decay(0, 100, 10) == pytest.approx(0.1)
    assert warmup_then_decay(9, 100, 10) == pytest.approx(1.0)
    assert warmup_then_decay(55, 100, 10) == pytest.approx(0.5)
    assert warmup_then_decay(100, 100, 10) == 0.0
    assert warmup_then_decay(0, 10, 0) == 1.0


def test_optimizer_groups():
    model = build_model("resnet8", width=2)
    opt = make_optimizer(model, lr=0.1, weight_decay=5e-4)
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 5e-4 and no_decay["weight_decay"] == 0.0 and decay["nesterov"]
    assert all(p.ndim > 1 for p in decay["params"]) and all(p.ndim == 1 for p in no_decay["params"])


def test_train_step_matches_reference():
    torch.manual_seed(0)
    a = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 10))
    b = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 10))
    b.load_state_dict(a.state_dict())
    x, y = torch.randn(6, 3, 2, 2), torch.randint(0, 10, (6,))
    loss, correct = train_step(a, x, y, make_optimizer(a, lr=0.3), None, label_smoothing=0.1)
    opt_b = make_optimizer(b, lr=0.3)
    ref = torch.nn.functional.cross_entropy(b(x), y, label_smoothing=0.1)
    ref.backward()
    opt_b.step()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-6)
    assert torch.allclose(a[1].weight, b[1].weight, atol=1e-7)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.25])
def test_smooth_cross_entropy_is_pytorchs(eps):
    g = torch.Generator().manual_seed(0)
    logits, y = torch.randn(7, 5, generator=g), torch.randint(0, 5, (7,), generator=g)
    assert smooth_cross_entropy(logits, y, eps).item() == pytest.approx(
        torch.nn.functional.cross_entropy(logits, y, label_smoothing=eps).item(), rel=1e-6)


def test_predict_is_eval_mode_without_graph_and_restores_the_mode(tiny_data):
    model = build_model("resnet8", width=2)
    model.train()
    before = model.stem_bn.running_mean.clone()
    logits = predict(model, tiny_data["X_test"], tiny_data["mean"], tiny_data["std"], batch_size=10)
    assert logits.shape == (32, 10) and logits.dtype == torch.float32 and not logits.requires_grad
    assert model.training and torch.equal(model.stem_bn.running_mean, before)


def test_flip_tta_on_a_symmetric_model(tiny_data):
    class MeanNet(torch.nn.Module):         # mirror-invariant: TTA must not change anything
        def forward(self, x):
            return x.mean((2, 3)) @ torch.ones(3, 10) * torch.arange(10.)
    args = (tiny_data["X_test"], tiny_data["y_test"], tiny_data["mean"], tiny_data["std"])
    a, pa = evaluate(MeanNet(), *args, tta=True)
    b, pb = evaluate(MeanNet(), *args, tta=False)
    assert a == b and torch.equal(pa, pb)


def _tiny_fit(data, **kw):
    torch.manual_seed(0)
    model = build_model("resnet8", width=2)
    return model, fit(model, data, epochs=2, batch_size=16, lr=0.05, seed=0, progress=False, **kw)


def test_fit_history_and_checkpoint_resume(tiny_data, tmp_path):
    ckpt = tmp_path / "run.pt"
    model, hist = _tiny_fit(tiny_data, checkpoint=ckpt)
    assert hist["epoch"] == [1, 2] and all(np.isfinite(hist["train_loss"]))
    assert all(0 <= a <= 1 for a in hist["test_acc"]) and all(v > 0 for v in hist["images_per_s"])
    # round trip: same predictions after loading into a fresh model
    fresh = build_model("resnet8", width=2)
    state = load_checkpoint(ckpt, fresh)
    assert state["epoch"] == 2 and state["history"]["test_acc"] == hist["test_acc"]
    for p, q in zip(model.state_dict().values(), fresh.state_dict().values()):
        assert torch.equal(p, q)

    # interrupted after epoch 1, then resumed: same weights as the uninterrupted run
    class Stop(Exception):
        pass

    def stop(h):
        raise Stop
    ckpt2 = tmp_path / "interrupted.pt"
    with pytest.raises(Stop):
        _tiny_fit(tiny_data, checkpoint=ckpt2, callback=stop)
    resumed, hist2 = _tiny_fit(tiny_data, checkpoint=ckpt2, resume=True)
    assert hist2["epoch"] == [1, 2]
    for p, q in zip(model.state_dict().values(), resumed.state_dict().values()):
        assert torch.allclose(p.float(), q.float(), atol=1e-5)


def test_training_defaults_are_one_dict(tiny_data):
    """fit and the command line read the same TRAIN_DEFAULTS; unknown options are refused."""
    assert training_config() == TRAIN_DEFAULTS and training_config(epochs=3)["epochs"] == 3
    assert TRAIN_DEFAULTS["epochs"] == 30
    args = build_parser().parse_args([])
    for key in ("epochs", "batch_size", "lr", "momentum", "weight_decay", "label_smoothing", "warmup_epochs", "seed"):
        assert getattr(args, key) == TRAIN_DEFAULTS[key], key
    assert not args.no_tta and not args.no_augment and TRAIN_DEFAULTS["tta"] and TRAIN_DEFAULTS["augment"]
    with pytest.raises(ValueError, match="unknown training option.*'epoch'"):
        fit(build_model("resnet8", width=2), tiny_data, epoch=3)


def test_progress_callbacks(capsys):
    hist = {"epoch": [1, 2], "train_loss": [2.0, 1.5], "train_acc": [0.2, 0.4], "test_acc": [0.3, 0.5],
            "epoch_s": [1.0, 1.0], "images_per_s": [100.0, 110.0], "lr": [0.1, 0.05]}
    print_progress(hist)
    assert "epoch   2" in capsys.readouterr().out
    live = LivePlot("t")
    live(hist)                                # outside IPython: one printed line
    assert "test acc 0.500" in capsys.readouterr().out
    fig = live.draw(hist)
    assert len(fig.axes) == 2
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_checkpoint_from_another_model(tmp_path):
    path = save_checkpoint(tmp_path / "a.pt", build_model("resnet8", width=2))
    with pytest.raises(CheckpointError, match="holds a 'resnet8' model but you are loading it into 'plain8'"):
        load_checkpoint(path, build_model("plain8", width=2))
    with pytest.raises(CheckpointError, match="other options"):
        load_checkpoint(path, build_model("resnet8", width=4))
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.pt", build_model("resnet8", width=2))
    assert not list(tmp_path.glob("*.tmp"))


def test_speedrun_fit_sets_whitening(tiny_data):
    torch.manual_seed(0)
    net = build_model("speedrun", widths=(4, 4, 4))
    before = net.whiten.weight.clone()
    fit(net, tiny_data, epochs=1, batch_size=32, progress=False)
    assert not torch.equal(before, net.whiten.weight)


def test_benchmark_epoch_tiny():
    for fast in (True, False):
        r = benchmark_epoch("resnet8", "cpu", fast=fast, num_images=32, batch_size=16, model_kw={"width": 2},
                            warmup_steps=1)
        assert r["fast"] is fast and r["num_images"] == 32
        for k in ("epoch_s", "images_per_s", "epoch_s_premade", "pipeline_s"):
            assert r[k] > 0
        assert 0 < r["pipeline_share"]


# ----------------------------------------------------------------------------- devices
def test_pick_device_fallback(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(dev, "mps_available", lambda: False)
    monkeypatch.delenv("CS231N_DEVICE", raising=False)
    assert dev.pick_device() == torch.device("cpu")
    with pytest.warns(RuntimeWarning, match="falling back to CPU"):
        d = dev.pick_device("cuda")
    assert d.type == "cpu" and "asked for CUDA" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dev.pick_device("cpu").type == "cpu"
    monkeypatch.setenv("CS231N_DEVICE", "cpu")
    assert dev.pick_device().type == "cpu"
    with pytest.raises(ValueError, match="prefer"):
        dev.pick_device("tpu")
    with pytest.raises(ValueError, match="prefer"):
        dev.pick_device(3)


def test_fast_settings_and_summary(monkeypatch):
    assert dev.fast_settings("cpu") == {"amp_dtype": None, "channels_last": False}
    s = dev.device_summary("cpu")
    assert s.startswith("cpu") and "float32" in s and "GiB" in s
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert dev.fast_settings("cuda") == {"amp_dtype": torch.bfloat16, "channels_last": True}


# ----------------------------------------------------------------------------- command line
def test_cli_smoke(tmp_path, monkeypatch, capsys):
    out = tmp_path / "res.json"
    monkeypatch.setenv("CS231N_DATASET", "synthetic")
    assert main(["--model", "resnet8", "--model-kw", '{"width": 2}', "--epochs", "1", "--num-train", "64",
                 "--num-test", "32", "--batch-size", "32", "--device", "cpu", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "epoch   1" in printed and "wrote" in printed
    res = json.loads(out.read_text())
    assert res["model"] == "resnet8" and res["dataset"] == "synthetic" and res["num_train"] == 64
    assert 0 <= res["test_acc"] <= 1 and len(res["history"]["epoch"]) == 1


@pytest.mark.parametrize("module", ["cs231n_helpers.train_cli", "cs231n_helpers.torch_train"])
def test_cli_entry_point_and_unknown_model(module):
    """``python -m cs231n_helpers.train_cli`` (and the older ``... torch_train``) runs main(); an unknown
    model lists the available ones."""
    proc = subprocess.run([sys.executable, "-m", module, "--model", "resnet21"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert proc.returncode == 2 and "available: vgg11" in proc.stderr
