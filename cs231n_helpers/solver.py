"""The Solver: minibatch training of a model with the CS231n API (explained in notebook 03).

``Solver(model, data, **kwargs)`` trains any model with ``params`` (dict of arrays) and
``loss(X, y=None)`` (scores without labels, ``(loss, grads)`` with labels) using an update rule
from :mod:`cs231n_helpers.optim` (or any function with the same signature). After ``train()``
the model holds the parameters with the best validation accuracy seen; ``loss_history``,
``train_acc_history`` and ``val_acc_history`` record the run. A NaN or infinite loss stops
training with a message (``solver.stop_reason``) and keeps the best parameters.

The loop itself is a few lines (:meth:`Solver._step` and :meth:`Solver.train`; notebook 03
shows it as a sketch); the rest is book-keeping: argument checks, a progress bar, learning-rate
decay, checkpoints. The training defaults live in one place, :data:`DEFAULTS`.

Hand-written (not generated from a notebook).
"""
from __future__ import annotations

import math
import pickle

import numpy as np
from tqdm.auto import tqdm

from cs231n_helpers import optim
from cs231n_helpers.validation import as_float, as_int, check_dict

__all__ = ["Solver", "DEFAULTS"]

# The Solver's options and their defaults (CS231n's names and values); every keyword argument
# of Solver(model, data, **kwargs) is one of these.
DEFAULTS = {
    "update_rule": "sgd",       # a rule of cs231n_helpers.optim by name, or a function (w, dw, config) -> (next_w, config)
    "optim_config": {},         # hyperparameters of the rule (copied: one config, with its optimizer state, per parameter)
    "lr_decay": 1.0,            # the learning rate is multiplied by this after every epoch
    "batch_size": 100,          # examples per minibatch (sampled with replacement)
    "num_epochs": 10,           # passes over the training set (an epoch = len(X_train) // batch_size steps)
    "num_train_samples": 1000,  # training examples used to measure train accuracy (None: all)
    "num_val_samples": None,    # validation examples used to measure val accuracy (None: all)
    "checkpoint_name": None,    # if given, a pickle <name>_epoch_<e>.pkl is written after every epoch
    "print_every": 10,          # print the loss every this many iterations (when verbose)
    "verbose": True,            # print progress lines
    "progress": True,           # show a tqdm progress bar
}

_REQUIRED_DATA = ("X_train", "y_train", "X_val", "y_val")


class Solver:
    """Train a classification model with minibatch updates.

    Required: ``model`` (with ``params`` and ``loss``) and ``data``, a dict with X_train,
    y_train, X_val, y_val (other keys are ignored). Optional keyword arguments: the keys of
    :data:`DEFAULTS`, with the defaults given there.
    """

    def __init__(self, model, data, **kwargs):
        if not hasattr(model, "params") or not hasattr(model, "loss"):
            raise ValueError("model must have a 'params' dict and a 'loss(X, y=None)' method")
        check_dict(data, "data", _REQUIRED_DATA)
        for a, b in (("X_train", "y_train"), ("X_val", "y_val")):
            if len(data[a]) != len(data[b]):
                raise ValueError(f"data[{a!r}] has {len(data[a])} examples but data[{b!r}] has {len(data[b])}")
        if len(data["X_train"]) == 0:
            raise ValueError("data['X_train'] is empty")
        unknown = sorted(set(kwargs) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"Unrecognized arguments {unknown}; expected some of {', '.join(DEFAULTS)}")
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        options = {**DEFAULTS, **kwargs}
        self.update_rule = options["update_rule"]
        self.optim_config = dict(options["optim_config"] or {})
        self.lr_decay = as_float(options["lr_decay"], "lr_decay", minimum=0, maximum=1, strict_min=True)
        self.batch_size = as_int(options["batch_size"], "batch_size", minimum=1)
        self.num_epochs = as_int(options["num_epochs"], "num_epochs", minimum=1)
        self.print_every = as_int(options["print_every"], "print_every", minimum=1)
        self.num_train_samples = options["num_train_samples"]
        self.num_val_samples = options["num_val_samples"]
        self.checkpoint_name = options["checkpoint_name"]
        self.verbose = options["verbose"]
        self.progress = options["progress"]
        self._update = self._resolve(self.update_rule)
        self._reset()

    @staticmethod
    def _resolve(update_rule):
        """The update function: ``update_rule`` itself, or the rule of that name in optim."""
        if callable(update_rule):
            return update_rule
        if isinstance(update_rule, str) and update_rule in optim.DEFAULTS:
            return getattr(optim, update_rule)
        raise ValueError(f"update_rule must be one of {list(optim.DEFAULTS)} or a function "
                         f"(w, dw, config) -> (next_w, config), got {update_rule!r}")

    def _reset(self):
        """Book-keeping; called by the constructor."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.stop_reason = None
        # one config dict per parameter: each keeps its own optimizer state
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One minibatch gradient update; returns the loss."""
        batch = np.random.choice(self.X_train.shape[0], self.batch_size)       # a random minibatch
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        loss = float(loss)
        self.loss_history.append(loss)
        if not math.isfinite(loss):
            return loss                                                         # train() stops
        for p, w in self.model.params.items():                                  # one update per parameter
            self.model.params[p], self.optim_configs[p] = self._update(w, grads[p], self.optim_configs[p])
        return loss

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Accuracy of the model on (X, y), computed in batches of ``batch_size``.

        num_samples: if given and smaller than len(X), a random subsample of that size is used.
        """
        N = X.shape[0]
        if len(y) != N:
            raise ValueError(f"X has {N} examples but y has {len(y)}")
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N, X, y = num_samples, X[mask], y[mask]
        y_pred = [np.argmax(self.model.loss(X[start:start + batch_size]), axis=1) for start in range(0, N, batch_size)]
        y_pred = np.concatenate(y_pred) if y_pred else np.zeros(0, dtype=np.int64)
        return float(np.mean(y_pred == y)) if N else 0.0

    def train(self):
        """Run the optimization; at the end the model holds the best parameters seen."""
        iterations_per_epoch = max(self.X_train.shape[0] // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        bar = tqdm(total=num_iterations, desc="training", unit="it", disable=not self.progress)
        try:
            for t in range(num_iterations):
                loss = self._step()
                bar.update(1)
                if not math.isfinite(loss):
                    self._stop(loss, t)
                    break
                if t % self.print_every == 0:
                    self._log(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self._end_of_epoch()
                if t == 0 or t == num_iterations - 1 or epoch_end:
                    self._record_accuracy(loss, bar)
        finally:
            bar.close()
        if self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}
        return self

    def _end_of_epoch(self):
        """Count the epoch and decay the learning rate of every parameter's config."""
        self.epoch += 1
        for cfg in self.optim_configs.values():
            if "learning_rate" in cfg:
                cfg["learning_rate"] *= self.lr_decay

    def _record_accuracy(self, loss, bar):
        """Train/val accuracy now; keep a copy of the parameters if they are the best so far."""
        train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._save_checkpoint()
        bar.set_postfix(loss=f"{loss:.3f}", train_acc=f"{train_acc:.3f}", val_acc=f"{val_acc:.3f}")
        self._log(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}

    def _stop(self, loss, t):
        """A NaN or infinite loss: say so (also when not verbose) and stop."""
        self.stop_reason = (f"loss became {loss} at iteration {t + 1} (epoch {self.epoch}): training stopped. "
                            "The learning rate or the weight scale is probably too large. Keeping the best "
                            f"parameters seen (val acc {self.best_val_acc:.3f}).")
        self._log(self.stop_reason)
        if not self.verbose:
            print(self.stop_reason)

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {"model": self.model, "update_rule": self.update_rule, "lr_decay": self.lr_decay,
                      "optim_config": self.optim_config, "batch_size": self.batch_size,
                      "num_train_samples": self.num_train_samples, "num_val_samples": self.num_val_samples,
                      "epoch": self.epoch, "loss_history": self.loss_history,
                      "train_acc_history": self.train_acc_history, "val_acc_history": self.val_acc_history}
        with open(f"{self.checkpoint_name}_epoch_{self.epoch}.pkl", "wb") as f:
            pickle.dump(checkpoint, f)

    def _log(self, msg):
        if self.verbose:
            tqdm.write(msg)
