"""Checkpoints for the PyTorch training of notebook 06: save a run, resume it, refuse a mismatch.

A checkpoint is one ``torch.save`` file holding the model's ``state_dict``, the optimizer's and
the scheduler's, the epoch reached, the training history and the configuration::

    save_checkpoint("checkpoints/resnet20.pt", model, opt, sched, epoch=3, history=hist)
    state = load_checkpoint("checkpoints/resnet20.pt", model, opt, sched)   # -> the saved dict

Safe by construction:

* **nothing half-written:** the file is written under a temporary name and renamed, so a
  crash during a save leaves the previous checkpoint intact;
* **nothing executed:** files are loaded with ``torch.load(..., weights_only=True)``, which
  unpickles tensors and plain containers only (a checkpoint from the internet cannot run code);
* **no silent mismatch:** a checkpoint records the model's name (``model.name``, set by
  ``build_model``); loading it into another model, or into the same model built with other
  options (another width), raises :class:`CheckpointError` saying which, instead of a page of
  ``state_dict`` key errors.
"""
from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint"]


class CheckpointError(ValueError):
    """A checkpoint that does not fit the model (or optimizer) it is loaded into."""


def _model_name(model) -> str:
    return getattr(model, "name", type(model).__name__)


def save_checkpoint(path, model, optimizer=None, scheduler=None, epoch=0, history=None, config=None) -> Path:
    """Save model/optimizer/scheduler states, the epoch reached, the history and the config.

    Written to ``<path>.tmp`` first and renamed, so an interrupted save never leaves a broken
    file behind. Returns the path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"model_name": _model_name(model), "model": model.state_dict(),
             "optimizer": optimizer.state_dict() if optimizer else None,
             "scheduler": scheduler.state_dict() if scheduler else None,
             "epoch": int(epoch), "history": history or {}, "config": config or {}}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
    return path


def load_checkpoint(path, model, optimizer=None, scheduler=None, map_location=None) -> dict:
    """Load a checkpoint into ``model`` (and ``optimizer`` / ``scheduler``); return the saved dict.

    map_location: where to put the tensors (default: the device of the model's parameters).
    Raises FileNotFoundError when there is no file, CheckpointError when the file was saved
    from another model (another name, or the same name with other shapes), saying which.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    if map_location is None:
        first = next(model.parameters(), None)
        map_location = first.device if first is not None else "cpu"
    state = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(state, dict) or "model" not in state:
        raise CheckpointError(f"{path} is not a checkpoint written by save_checkpoint")
    name, saved = _model_name(model), state.get("model_name")
    if saved != name:
        raise CheckpointError(f"{path} holds a {saved!r} model but you are loading it into {name!r}: build the "
                              f"model with build_model({saved!r}) (and the same options), or start from scratch")
    own = model.state_dict()
    bad = [k for k, v in state["model"].items() if k not in own or own[k].shape != v.shape]
    missing = [k for k in own if k not in state["model"]]
    if bad or missing:
        detail = "; ".join(f"{k}: saved {tuple(state['model'][k].shape)}, model "
                           f"{tuple(own[k].shape) if k in own else 'has no such tensor'}" for k in bad[:3])
        raise CheckpointError(f"{path} was saved from a {name!r} with other options (e.g. width): "
                              f"{detail or 'missing ' + ', '.join(missing[:3])}")
    model.load_state_dict(state["model"])
    if optimizer is not None and state.get("optimizer"):
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler"):
        scheduler.load_state_dict(state["scheduler"])
    return state
