"""Reading and writing notebooks, for the authoring tools (export, hygiene, exercises).

One place for what every tool needs: a cell's source as one string, lines that keep their
line endings, the notebook JSON exactly as Jupyter writes it, and atomic writes (a crash never
leaves half a notebook behind). Standard library only.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
PACKAGE_DIR = REPO_ROOT / "cs231n_helpers"


def text(source) -> str:
    """A cell's source (a list of lines or one string) as one string."""
    return "".join(source) if isinstance(source, list) else (source or "")


def split_lines(s: str) -> list[str]:
    """Lines with their line endings; ``"".join(split_lines(s)) == s``."""
    parts = s.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def like(original, s: str):
    """``s`` in the representation of ``original`` (a list of lines or one string)."""
    return split_lines(s) if isinstance(original, list) else s


def read(path) -> dict:
    """A notebook file as a dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dumps(nb: dict) -> str:
    """A notebook as Jupyter writes it to disk."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_text_atomic(path, s: str) -> None:
    """Write ``s`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(s)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(path, nb: dict) -> None:
    """Write a notebook atomically, formatted as Jupyter does."""
    write_text_atomic(path, dumps(nb))


def show(path) -> str:
    """``path`` relative to the current folder when it is inside it (for messages)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- running notebooks
POLL_SLICE_S = 1.0


def notebook_paths(folder=NOTEBOOK_DIR) -> list[Path]:
    """Every ``NN_*.ipynb`` of the series, in order."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def poll_in_slices(channel, step=POLL_SLICE_S):
    """Make ``channel.get_msg(timeout)`` wait in polls of at most ``step`` seconds.

    After an ipywidgets ``interact`` cell, nbclient sometimes sits in one long poll of a kernel
    channel although the reply has arrived, until the cell's whole timeout has passed (seen here:
    10 minutes with timeout=600, then the build went on; jupyter/nbclient#312). A new poll sees a
    waiting message at once, so short polls bound that stall to ``step``.
    """
    import time
    from queue import Empty

    get = channel.get_msg

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get(timeout=step if left is None else min(step, left))
            except Empty:
                if left is not None and left <= step:
                    raise

    channel.get_msg = get_msg


def notebook_client(nb: dict, path, timeout=None):
    """An nbclient ``NotebookClient`` for notebook ``nb`` read from ``path``, its kernel started in
    the notebook's folder, its channels polled in short slices (``poll_in_slices``)."""
    import nbclient

    class Client(nbclient.NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            for channel in (kc.shell_channel, kc.iopub_channel):
                poll_in_slices(channel)
            return kc

    return Client(nb, timeout=timeout, kernel_name="python3",
                  resources={"metadata": {"path": str(Path(path).parent)}})
