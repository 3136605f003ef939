"""Time one training epoch of a notebook 06 network: the fast path against a plain loop.

Used by the benchmark suite's GPU section (``benchmarks/case_gpu.py``), by the command line
(``python -m cs231n_helpers.train_cli --benchmark``) and shown once in notebook 06::

    r = benchmark_epoch("resnet20", "cuda", fast=True)       # 50,000 random 32x32 images
    r["epoch_s"], r["images_per_s"], r["aug_overhead"]

It trains with the notebook's own pieces (``normalize``, ``augment``, ``train_step``,
``make_optimizer`` from :mod:`cs231n_helpers.torch_train`) on random images, so it measures the
code the learner wrote, not a copy.
"""
from __future__ import annotations

import time

import torch

from cs231n_helpers import torch_models
from cs231n_helpers.device import device_summary, fast_settings, pick_device
from cs231n_helpers.torch_train import (augment, iterate_batches, make_generator, make_optimizer, normalize,
                                        train_step)
from cs231n_helpers.validation import as_int

__all__ = ["benchmark_epoch", "synchronize"]


def synchronize(device) -> None:
    """Wait until ``device`` has finished its queued work (so a timer reads the real time)."""
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def benchmark_epoch(model_name, device=None, fast=True, num_images=50_000, batch_size=512, model_kw=None,
                    compile=False, warmup_steps=3, seed=0):
    """Time one training epoch of ``model_name`` over ``num_images`` random 32x32 images.

    fast=True: the device's fast path (bf16 autocast + channels_last on CUDA), data on the
    device as uint8, augmentation as batched tensor ops there. fast=False: the plain loop,
    float32, NCHW, normalization and augmentation on the CPU, each batch copied to the device.
    The same loop is also timed on pre-made batches (normalized and augmented beforehand) and
    the input pipeline alone, so its share of the epoch shows. Only whole batches are timed
    (one shape: no recompiles). Returns a dict: model, device, fast, num_images, batch_size,
    epoch_s, images_per_s, epoch_s_premade, pipeline_s, pipeline_share, aug_overhead.
    """
    num_images = as_int(num_images, "num_images", minimum=1)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    warmup_steps = as_int(warmup_steps, "warmup_steps", minimum=0)
    if num_images < batch_size:
        raise ValueError(f"num_images ({num_images}) must be at least batch_size ({batch_size})")
    device = pick_device(device)
    fs = fast_settings(device) if fast else {"amp_dtype": None, "channels_last": False}
    cl, data_dev = fs["channels_last"], device if fast else torch.device("cpu")
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(0, 256, (num_images, 3, 32, 32), dtype=torch.uint8, generator=g).to(data_dev)
    y = torch.randint(0, 10, (num_images,), generator=g).to(data_dev)
    mean, std = X.float().mean((0, 2, 3), keepdim=True), X.float().std(dim=(0, 2, 3), keepdim=True)
    model = torch_models.build_model(model_name, **(model_kw or {})).to(device)
    if hasattr(model, "whiten"):
        torch_models.init_whitening(model, normalize(X[:5000], mean, std).to(device))
    model = model.to(memory_format=torch.channels_last if cl else torch.contiguous_format)
    opt = make_optimizer(model, lr=1e-3)
    net = torch.compile(model) if compile else model
    gen = make_generator(data_dev, seed)

    def make_batch(idx):
        xb = augment(normalize(X[idx], mean, std), generator=gen).to(device, non_blocking=True)
        return (xb.contiguous(memory_format=torch.channels_last) if cl else xb), y[idx].to(device, non_blocking=True)

    def epoch(batches):
        synchronize(device)
        t0 = time.perf_counter()
        for xb, yb in batches:
            train_step(net, xb, yb, opt, None, 0.0, fs["amp_dtype"])
        synchronize(device)
        return time.perf_counter() - t0

    idx_list = list(iterate_batches(num_images, batch_size, True, gen, data_dev, drop_last=True))
    num_images = len(idx_list) * batch_size
    epoch(make_batch(i) for i in idx_list[:warmup_steps])                   # warm up (cuDNN, compile)
    epoch_s = epoch(make_batch(i) for i in idx_list)                          # augmentation on the fly
    synchronize(device)
    t0 = time.perf_counter()
    premade = [make_batch(i) for i in idx_list]                              # the input pipeline alone
    synchronize(device)
    pipeline_s = time.perf_counter() - t0
    premade_s = epoch(premade)
    return {"model": model_name, "device": device_summary(device, fs["amp_dtype"]), "fast": bool(fast),
            "num_images": num_images, "batch_size": batch_size, "epoch_s": epoch_s,
            "images_per_s": num_images / epoch_s, "epoch_s_premade": premade_s, "pipeline_s": pipeline_s,
            "pipeline_share": pipeline_s / epoch_s, "aug_overhead": epoch_s / premade_s - 1}
