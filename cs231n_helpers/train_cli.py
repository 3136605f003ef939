"""Command line for notebook 06's training code: long GPU runs outside Jupyter.

::

    python -m cs231n_helpers.train_cli --model resnet20 --epochs 30
    python -m cs231n_helpers.train_cli --model speedrun --epochs 10 --batch-size 512 --lr 0.4
    python -m cs231n_helpers.train_cli --model resnet20 --benchmark      # one epoch, fast vs plain path

(``python -m cs231n_helpers.torch_train`` runs the same command line.) Every training default
comes from ``cs231n_helpers.torch_train.TRAIN_DEFAULTS``, the dictionary that ``fit`` reads, so
the notebook and the command line cannot disagree. One line per epoch, a results JSON at the
end (default ``checkpoints/<model>.results.json``, git-ignored); ``--checkpoint`` and
``--resume`` continue an interrupted run.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from cs231n_helpers import torch_models
from cs231n_helpers.device import device_summary, pick_device
from cs231n_helpers.progress import print_progress
from cs231n_helpers.torch_train import TRAIN_DEFAULTS, fit, to_device

__all__ = ["build_parser", "main"]

_HELP = {
    "epochs": "passes over the training set", "batch_size": "images per step", "lr": "peak learning rate",
    "momentum": "Nesterov momentum", "weight_decay": "L2 on conv/linear weights",
    "label_smoothing": "label smoothing epsilon", "warmup_epochs": "epochs of linear warmup", "seed": "random seed",
}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m cs231n_helpers.train_cli",
                                 description="Train a CIFAR-10 model with the notebook 06 code; write a results JSON. "
                                             "Training defaults: cs231n_helpers.torch_train.TRAIN_DEFAULTS.")
    ap.add_argument("--model", default="resnet20", help="a name from cs231n_helpers.torch_models.MODELS")
    ap.add_argument("--model-kw", default="{}", help='JSON of constructor options, e.g. \'{"width": 8}\'')
    for key, help_ in _HELP.items():
        default = TRAIN_DEFAULTS[key]
        ap.add_argument("--" + key.replace("_", "-"), type=type(default), default=default,
                        help=f"{help_} (default {default})")
    ap.add_argument("--no-augment", action="store_true", help="train without random translation and flips")
    ap.add_argument("--no-tta", action="store_true", help="evaluate without flip test-time augmentation")
    ap.add_argument("--num-train", type=int, default=None, help="use the first N training images")
    ap.add_argument("--num-test", type=int, default=None, help="use the first N test images")
    ap.add_argument("--dataset", choices=["cifar10", "synthetic"], default=None)
    ap.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best there is)")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model")
    ap.add_argument("--checkpoint", default=None, help="checkpoint file written after every epoch")
    ap.add_argument("--resume", action="store_true", help="continue from --checkpoint if it exists")
    ap.add_argument("--out", default=None, help="results JSON (default checkpoints/<model>.results.json, git-ignored)")
    ap.add_argument("--benchmark", action="store_true", help="time one epoch, fast vs plain path, instead of training")
    return ap


def main(argv=None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        model_kw = json.loads(args.model_kw)
        model = torch_models.build_model(args.model, **model_kw)
    except (ValueError, TypeError) as exc:
        ap.error(str(exc))
    device = pick_device(args.device)
    print(device_summary(device), flush=True)
    out = Path(args.out or f"checkpoints/{args.model}.results.json")
    if args.benchmark:
        from cs231n_helpers.torch_bench import benchmark_epoch

        n = args.num_train or 50_000
        res = [benchmark_epoch(args.model, device, fast, n, args.batch_size, model_kw, args.compile and fast)
               for fast in (True, False)]
        for r in res:
            print(json.dumps(r), flush=True)
        result = {"benchmark": res, "speedup": res[1]["epoch_s"] / res[0]["epoch_s"]}
    else:
        from cs231n_helpers.data import load_dataset

        data = to_device(load_dataset(args.dataset), device, args.num_train, args.num_test)
        config = {key: getattr(args, key) for key in _HELP}
        config.update(augment=not args.no_augment, tta=not args.no_tta)
        t0 = time.perf_counter()
        hist = fit(model, data, callback=print_progress, checkpoint=args.checkpoint, resume=args.resume,
                   progress=False, compile=args.compile, **config)
        result = {"model": args.model, "model_kw": model_kw, "params": torch_models.count_params(model),
                  "dataset": data["name"], "num_train": len(data["X_train"]), "num_test": len(data["X_test"]),
                  "device": device_summary(device), "config": vars(args), "train_config": config, "history": hist,
                  "test_acc": hist["test_acc"][-1] if hist["test_acc"] else None,
                  "wall_s": time.perf_counter() - t0}
        print(f"test accuracy {result['test_acc']:.4f} ({data['name']}, {len(data['X_test']):,} test images)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
