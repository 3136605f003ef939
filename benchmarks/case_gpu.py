"""GPU section: the notebook 06 targets, measured with ``cs231n_helpers.torch_train.benchmark_epoch``
(random 32x32 images, one training epoch after a few warm-up steps).

For each network (speedrun, ResNet-20, ResNet-18-style): epoch time and images/s with the
fast path (bf16 autocast, channels_last, data and augmentation on the GPU) and with the plain
loop (float32, NCHW, augmentation on the CPU, batches copied over), the speed-up between them,
and the input pipeline's share (epoch with on-the-fly augmentation against the same loop on
pre-made batches). Runs where a CUDA device exists, skipped with a message otherwise.

The epoch-time targets are stated for an H100-class GPU; on another GPU the times are
reported for information.
"""
import os

from benchmarks import _torch
from benchmarks.core import Skip, case

MODELS = [("speedrun", "speedrun network", 0.4), ("resnet20", "ResNet-20", 1.0), ("resnet18", "ResNet-18-style", 3.0)]
SPEEDUP, PIPELINE_OVERHEAD = 3.0, 0.05
H100_CLASS = ("H100", "H200", "H800", "GH200", "B200", "B100")


@case("gpu", "GPU: epoch time and images/s of the notebook 06 networks, fast path on and off")
def gpu(bench):
    torch = _torch.get()
    # CS231N_BENCH_GPU_DEVICE=cpu runs this section on the CPU with a few images, only to test
    # its wiring where there is no GPU (every row is then "info")
    device = os.environ.get("CS231N_BENCH_GPU_DEVICE", "cuda")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise Skip("no CUDA device here: GPU section skipped")
    from cs231n_helpers.torch_bench import benchmark_epoch

    name = torch.cuda.get_device_name(0) if device.startswith("cuda") else device
    h100 = any(k in name for k in H100_CLASS)
    on_cpu = not device.startswith("cuda")
    n = 64 if on_cpu else (10_000 if bench.quick else 50_000)
    scale = 50_000 / n  # times are reported per 50,000-image epoch
    print(f"  device {name}; {n:,} random images per timed epoch"
          f"{' (times scaled to 50,000)' if scale != 1 else ''}; epoch-time targets "
          f"{'apply (H100-class)' if h100 else 'are for H100-class GPUs: reported for information'}", flush=True)
    for model, title, limit in MODELS:
        kw = {"width": 8} if on_cpu and model == "resnet18" else None
        runs = {}
        for fast in (True, False):
            try:
                runs[fast] = benchmark_epoch(model, device=device, fast=fast, num_images=n, model_kw=kw,
                                             batch_size=32 if on_cpu else 512)
            except Exception as e:  # e.g. out of memory: report and go on
                bench.skip(f"{title}, {'fast path' if fast else 'plain loop'}", f"ERROR {type(e).__name__}: {e}")
        for fast, r in runs.items():
            epoch_s = r["epoch_s"] * scale
            path = "fast path (bf16, channels_last, on-device aug.)" if fast else "plain loop (fp32, NCHW, CPU aug.)"
            bench.limit(f"{title}, {path}", epoch_s, limit if (fast and h100) else None,
                        f"{epoch_s:.2f} s/epoch, {r['images_per_s']:,.0f} img/s",
                        f"<= {limit:g} s/epoch (H100-class)" if fast and not on_cpu else "-", seconds=epoch_s,
                        details=r)
        if True in runs and False in runs:
            sp = runs[False]["epoch_s"] / runs[True]["epoch_s"]
            bench.limit(f"{title}, fast path vs plain loop", sp, None if on_cpu else SPEEDUP, f"{sp:.1f}x the images/s",
                        "-" if on_cpu else f">= {SPEEDUP:g}x", at_least=True)
        if True in runs:
            r = runs[True]
            bench.limit(f"{title}, input pipeline (fast path)", r["aug_overhead"], None if on_cpu else PIPELINE_OVERHEAD,
                        f"epoch {100 * r['aug_overhead']:+.1f}% vs pre-made batches; pipeline alone "
                        f"{100 * r['pipeline_share']:.0f}% of the epoch",
                        "-" if on_cpu else f"<= {100 * PIPELINE_OVERHEAD:g}% slower than pre-made")
