"""``save(fname)`` / ``load(fname)`` for the classifiers, in a file that cannot run code.

CS231n's 2025-2026 notebooks end with ``best_model.save("best_two_layer_net.npy")`` (on
``LinearClassifier``, ``TwoLayerNet`` and ``FullyConnectedNet``); the official methods pickle
``self.params`` (or ``{"W": self.W}``) with ``np.save`` into the package's ``saved/`` folder and
``load`` unpickles it, which runs whatever code a file carries. :class:`SaveLoad` keeps the
official method names and signatures (``save(fname)``, ``load(fname)``) but writes an ``.npz``
archive of plain arrays (loaded with ``allow_pickle=False``), exactly at ``fname`` (relative to
the working folder, never inside the installed package):

* every array attribute (``W``), every array in a dict or list attribute (``params``, the
  running averages in ``bn_params``), one ``.npy`` member each;
* the other attributes that are plain data (``reg``, ``dtype``, ``normalization``,
  ``dropout_param``, ``input_dim``, ...) as JSON in the member ``__meta__``, with the class
  name; attributes that are neither (a random generator) are not saved.

``load(fname)`` is a method of an instance, as in CS231n: it replaces that instance's state with
the file's and returns True. A missing file, a file of another class or a file that is not
ours (an official pickle, say) is a ``ValueError`` that says so; nothing in it is executed.

Usage: a class opts in with one word, ``class TwoLayerNet(SaveLoad):``.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["SaveLoad", "FORMAT"]

FORMAT = "cs231n_helpers.persist/1"
_META = "__meta__"


class _Skip(Exception):
    """An attribute that is not plain data (it is not saved)."""


def _encode(value, key, arrays):
    """``value`` as JSON-able data; arrays go into ``arrays`` under ``key`` (a '/' path)."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise _Skip
        arrays[key] = value
        return {"__array__": key}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return {"__dtype__": np.dtype(value).name}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: _encode(v, f"{key}/{k}", arrays) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{key}/{i}", arrays) for i, v in enumerate(value)]
    raise _Skip


def _decode(data, arrays):
    if isinstance(data, list):
        return [_decode(v, arrays) for v in data]
    if isinstance(data, dict):
        if "__array__" in data:
            return arrays[data["__array__"]]
        if "__dtype__" in data:
            return np.dtype(data["__dtype__"]).type
        return {k: _decode(v, arrays) for k, v in data["__dict__"].items()}
    return data


def _path(path, name="fname") -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"{name} must be a file name (str or Path), got {path!r}")
    return Path(path)


class SaveLoad:
    """Mixin: ``save(fname)`` and ``load(fname)``, the methods of CS231n's classifiers."""

    def save(self, fname):
        """Write this model's arrays and plain-data attributes to ``fname`` (an npz archive,
        whatever the name ends with: ``model.save("best.npy")`` writes exactly ``best.npy``).
        Folders on the way are created; an existing file is replaced only once the new one
        is complete. Returns the path."""
        path = _path(fname)
        if path.is_dir():
            raise ValueError(f"fname {str(path)!r} is a folder; give a file name such as 'model.npz'")
        arrays, attrs = {}, {}
        for name, value in vars(self).items():
            try:
                attrs[name] = _encode(value, name, arrays)
            except _Skip:
                continue
        if not arrays:
            raise ValueError(f"this {type(self).__name__} has no weights to save yet (train it first)")
        meta = json.dumps({"format": FORMAT, "class": type(self).__name__, "attrs": attrs})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{_META: np.array(meta)}, **arrays)
            os.chmod(tmp, 0o644)                      # mkstemp's 0600 would hide it from others
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        print(path, "saved.")
        return path

    def load(self, fname):
        """Replace this model's state with the one saved in ``fname`` by :meth:`save`; returns True.

        Only arrays and JSON are read (``allow_pickle=False``): a file that holds anything
        else, or was saved from another class, is a ValueError and changes nothing."""
        path = _path(fname)
        if path.is_dir():
            raise ValueError(f"fname {str(path)!r} is a folder, not a saved model")
        if not path.is_file():
            raise ValueError(f"fname {str(path)!r}: no such file (save a model there first with .save(fname))")
        not_ours = (f"fname {str(path)!r} is not a model saved by cs231n_helpers' save(); official CS231n "
                    ".npy model files are pickles, which are not loaded here because loading a pickle "
                    "can run code")
        try:
            f = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{not_ours} ({exc})") from None
        if not hasattr(f, "files"):          # a plain .npy array, not an archive
            raise ValueError(not_ours)
        with f:
            try:
                arrays = {k: f[k] for k in f.files}
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                raise ValueError(f"{not_ours} ({exc})") from None
        try:
            meta = json.loads(str(arrays.pop(_META)[()]))
            if meta.get("format") != FORMAT:
                raise KeyError("format")
            state = {name: _decode(data, arrays) for name, data in meta["attrs"].items()}
        except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError):
            raise ValueError(not_ours) from None
        if meta["class"] != type(self).__name__:
            raise ValueError(f"fname {str(path)!r} holds a {meta['class']}, not a {type(self).__name__}: "
                             f"load it with {meta['class']}().load(fname)")
        for name, value in state.items():
            setattr(self, name, value)
        print(path, "loaded.")
        return True
