"""Notebook hygiene: what a committed notebook may contain.

Committed notebooks carry no outputs and no execution counts, except code cells whose source
contains ``# NBVAL_CHECK_OUTPUT`` (deterministic text output that nbval compares; those keep
their outputs and count, and must have some). No volatile metadata (execution timestamps,
saved widget state), no absolute paths of anyone's machine, and valid nbformat 4.

Command line (``make strip`` runs the first)::

    python -m tools.hygiene --strip notebooks/*.ipynb   # rewrite in place
    python -m tools.hygiene --check notebooks/*.ipynb   # report, exit 1 on problems

``tests/test_notebook_hygiene.py`` runs :func:`problems` on every notebook in ``notebooks/``.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from tools.nbio import REPO_ROOT, dumps, text as _text

CHECK_OUTPUT_MARK = "# NBVAL_CHECK_OUTPUT"
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
VOLATILE_NOTEBOOK_METADATA = ("widgets",)
# Absolute paths of a particular machine: /work/..., /home/..., /Users/..., /root/...,
# C:\Users\... . The look-behind keeps URLs (https://host/home/x) and relative paths out.
ABSOLUTE_PATH_RE = re.compile(
    r"(?<![\w.~/:\\-])/(?:work|home|Users|root)(?=/|\b)"
    r"|\b[A-Za-z]:[\\/](?:Users|Documents and Settings|Windows|Program Files)\b"
)



def keeps_output(cell: dict) -> bool:
    """True for a code cell marked ``# NBVAL_CHECK_OUTPUT`` (its outputs are committed)."""
    return cell.get("cell_type") == "code" and CHECK_OUTPUT_MARK in _text(cell.get("source"))


def strip(nb: dict) -> dict:
    """A copy of ``nb`` with outputs, execution counts and volatile metadata removed
    (outputs and counts of ``# NBVAL_CHECK_OUTPUT`` cells are kept)."""
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            meta.pop(key, None)
        if cell.get("cell_type") == "code" and not keeps_output(cell):
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def _strings(obj, where=""):
    """Every string inside a JSON value, with a readable location."""
    if isinstance(obj, str):
        yield where, obj
    elif isinstance(obj, list):
        if obj and all(isinstance(x, str) for x in obj):  # multi-line text stored as a list
            yield where, "".join(obj)
        else:
            for i, x in enumerate(obj):
                yield from _strings(x, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{where}.{k}" if where else k)


def absolute_paths(nb: dict) -> list[str]:
    """``"<location>: <match>"`` for every absolute path found anywhere in the notebook."""
    found = []
    for where, text in _strings(nb):
        for m in ABSOLUTE_PATH_RE.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            line = text[start:] if end < 0 else text[start:end]
            found.append(f"{where}: {line.strip()[:120]!r}")
    return found


# Control characters have no business in a notebook's text. In Markdown they are the trace of
# LaTeX written into a non-raw Python string: "\frac" became form feed + "rac", "\beta" a
# backspace, "\times" a tab; the formula then renders as garbage. Tabs are allowed in code.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MARKDOWN_CONTROL_RE = re.compile(r"[\x00-\x08\x09\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPES = {"\x08": "\\b", "\x09": "\\t", "\x0c": "\\f", "\x0b": "\\v", "\x07": "\\a"}


def control_characters(nb: dict) -> list[str]:
    """``"cell i: ..."`` for every cell whose source holds a control character (a tab counts
    only in Markdown), with the text around it."""
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        src = _text(cell.get("source"))
        pattern = MARKDOWN_CONTROL_RE if cell.get("cell_type") == "markdown" else CONTROL_RE
        m = pattern.search(src)
        if m:
            ch = m.group(0)
            around = src[max(0, m.start() - 20):m.end() + 20].replace("\n", " ")
            found.append(f"cell {i} ({cell.get('cell_type')}): control character {ch!r} "
                         f"(a LaTeX {_ESCAPES.get(ch, repr(ch))}... eaten by a non-raw string?) in {around!r}")
    return found


def validation_error(nb: dict) -> str | None:
    """None if ``nb`` is valid nbformat 4, else the validator's message (first line)."""
    import nbformat

    if nb.get("nbformat") != 4:
        return f"nbformat {nb.get('nbformat')!r}, expected 4"
    try:
        nbformat.validate(copy.deepcopy(nb), version=4)
    except nbformat.ValidationError as exc:
        return str(exc).strip().splitlines()[0]
    return None


def problems(nb: dict, name: str = "notebook") -> list[str]:
    """Everything that keeps ``nb`` from being committed; an empty list when it is clean."""
    out = []
    for key in VOLATILE_NOTEBOOK_METADATA:
        if key in nb.get("metadata", {}):
            out.append(f"{name}: notebook metadata holds {key!r} (saved widget state): run `make strip`")
    for i, cell in enumerate(nb.get("cells", [])):
        for key in VOLATILE_CELL_METADATA:
            if key in cell.get("metadata", {}):
                out.append(f"{name}: cell {i} has volatile metadata {key!r}: run `make strip`")
        if cell.get("cell_type") != "code":
            continue
        if keeps_output(cell):
            if not cell.get("outputs"):
                out.append(f"{name}: cell {i} is marked {CHECK_OUTPUT_MARK} but has no stored output: "
                           "execute it and save the notebook, or drop the marker")
            continue
        if cell.get("outputs"):
            out.append(f"{name}: cell {i} has {len(cell['outputs'])} stored output(s): run `make strip`")
        if cell.get("execution_count") is not None:
            out.append(f"{name}: cell {i} has execution_count {cell['execution_count']}: run `make strip`")
    for hit in control_characters(nb):
        out.append(f"{name}: {hit}: write the text from a raw string (r\"...\") or fix it in the notebook")
    for hit in absolute_paths(nb):
        out.append(f"{name}: absolute path in {hit}: use a path relative to the repo "
                   "(cs231n_helpers.config.REPO_ROOT, data_dir())")
    err = validation_error(nb)
    if err:
        out.append(f"{name}: not valid nbformat: {err}")
    return out



def strip_file(path) -> bool:
    """Strip one notebook in place; True if the file changed."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    clean = strip(nb)
    if clean == nb:
        return False
    path.write_text(dumps(clean), encoding="utf-8")
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.hygiene", description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--strip", action="store_true", help="remove outputs/counts in place (keeps # NBVAL_CHECK_OUTPUT cells)")
    mode.add_argument("--check", action="store_true", help="report problems; exit 1 if any")
    ap.add_argument("files", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.files] or sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
    files = [f for f in files if f.exists() or not any(ch in str(f) for ch in "*?[")]  # unmatched shell glob
    bad = 0
    for f in files:
        if not f.is_file():
            print(f"{f}: no such notebook")
            bad += 1
            continue
        if args.strip:
            if strip_file(f):
                print(f"stripped {f}")
            for p in problems(json.loads(f.read_text(encoding="utf-8")), str(f)):
                print(p)  # what stripping cannot fix: absolute paths, invalid cells, empty check cells
                bad += 1
        else:
            for p in problems(json.loads(f.read_text(encoding="utf-8")), str(f)):
                print(p)
                bad += 1
    if args.check and not bad:
        print(f"{len(files)} notebook(s) clean")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
