"""Student versions of the notebooks, written into a workspace that survives updates.

The solution notebooks in ``notebooks/`` carry nbgrader's markers. The student version of a
notebook is the same notebook with

* every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region (marker lines included) of a
  code cell replaced by ``# YOUR CODE HERE`` + ``raise NotImplementedError()``, indented like
  the ``BEGIN`` marker; in a Markdown cell the region becomes ``YOUR ANSWER HERE``;
* every ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region removed;
* every output and execution count cleared.

Markers are whole lines (surrounding whitespace allowed), exactly as nbgrader's
``ClearSolutions`` / ``ClearHiddenTests`` read them. Nothing else changes, so
:func:`reinsert_solutions` can put the solutions back and reproduce the source notebook
exactly (the tests check this for every notebook).

Command line (``make exercises`` runs it with no arguments)::

    python -m tools.exercises                 # every notebook -> workspace/
    python -m tools.exercises 01_knn 03       # some notebooks (name or unique prefix)
    python -m tools.exercises --force 01_knn  # replace your copy, after a backup
    python -m tools.exercises --dest ~/cs231n-work

A notebook already in the workspace is never overwritten: new notebooks are added, existing
ones are left alone and reported. ``--force`` first copies the existing file to
``<dest>/.backups/<name>.<YYYYmmdd-HHMMSS>.ipynb`` and then writes the fresh student version.
"""
from __future__ import annotations

import argparse
import copy
import datetime as _dt
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

from tools.nbio import NOTEBOOK_DIR, REPO_ROOT, dumps, read as read_notebook, show as _show, split_lines as _split
from tools.nbio import like as _like, text as _text, write_text_atomic as _write_atomic

WORKSPACE_DIR = REPO_ROOT / "workspace"
BACKUP_DIRNAME = ".backups"

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)
META_KEY = "cs231n_exercises"  # notebook metadata of a student version: where it came from

_BEGINS = {BEGIN_SOLUTION: "solution", BEGIN_HIDDEN: "hidden"}
_ENDS = {END_SOLUTION: "solution", END_HIDDEN: "hidden"}


# --------------------------------------------------------------------------- cell text
def parse_regions(text: str, where: str = "") -> list[tuple[str, list[str]]]:
    """Split a cell's source into ``(kind, lines)`` segments, kind in text/solution/hidden.

    Marker lines belong to their region. Raises ValueError for a region that is not closed,
    an END without its BEGIN, or nested regions (nbgrader rejects these too).
    """
    segments: list[tuple[str, list[str]]] = []
    kind, lines = "text", []
    for lineno, line in enumerate(_split(text), start=1):
        marker = line.strip()
        if marker in _BEGINS:
            if kind != "text":
                raise ValueError(f"{where}line {lineno}: {marker!r} inside an open {kind} region "
                                 "(regions cannot nest; close the first one)")
            if lines:
                segments.append(("text", lines))
            kind, lines = _BEGINS[marker], [line]
        elif marker in _ENDS:
            if kind != _ENDS[marker]:
                raise ValueError(f"{where}line {lineno}: {marker!r} without a matching "
                                 f"'### BEGIN {marker[len('### END '):]}' above it")
            lines.append(line)
            segments.append((kind, lines))
            kind, lines = "text", []
        else:
            lines.append(line)
    if kind != "text":
        raise ValueError(f"{where}the {kind} region starting with {lines[0].strip()!r} is never "
                         f"closed (expected a line {'### END SOLUTION' if kind == 'solution' else END_HIDDEN!r})")
    if lines:
        segments.append(("text", lines))
    return segments


def _eol(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _stub(region: list[str], cell_type: str) -> list[str]:
    """The stub lines that replace one solution region (marker lines included)."""
    begin, end = region[0], region[-1]
    indent = begin[: len(begin) - len(begin.lstrip())]
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    return [indent + s + _eol(begin) for s in stub[:-1]] + [indent + stub[-1] + _eol(end)]


def student_source(text: str, cell_type: str, where: str = "") -> str:
    """The student version of one cell's source."""
    out: list[str] = []
    for kind, lines in parse_regions(text, where):
        if kind == "text":
            out += lines
        elif kind == "solution":
            out += _stub(lines, cell_type)
        # hidden tests: dropped
    return "".join(out)


def solution_regions(nb: dict) -> list[tuple[int, str, list[str]]]:
    """``(cell index, cell type, region lines)`` for every solution region of a notebook."""
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        for kind, lines in parse_regions(_text(cell.get("source")), f"cell {i}: "):
            if kind == "solution":
                found.append((i, cell["cell_type"], lines))
    return found


def has_exercises(nb: dict) -> bool:
    return bool(solution_regions(nb))


# --------------------------------------------------------------------------- exercises and checks
# What is an exercise and which cell checks it, in one place: the nbgrader metadata
# (tools/nbgrader_meta.py) and the tests (tests/test_exercises.py) both use these.
# ``feedback.check_x(``, ``norm_feedback.check_x(`` (a feedback module imported under a name),
# ``feedback.norm.check_x(``
CHECK_CALL_RE = re.compile(r"\bchecking\(|\b\w*feedback(?:\.\w+)?\.check_\w+\(")


def is_exercise_cell(cell: dict) -> bool:
    """A cell (code or Markdown) with at least one solution region."""
    return any(kind == "solution" for kind, _ in parse_regions(_text(cell.get("source"))))


def is_check_cell(cell: dict) -> bool:
    """A code cell that runs a check: ``with checking(...)`` or a ``feedback.check_...(...)`` call
    (of a feedback module, whatever name it was imported under: ``norm_feedback.check_...(``)."""
    return cell.get("cell_type") == "code" and bool(CHECK_CALL_RE.search(_text(cell.get("source"))))


def check_cell_after(cells: list, i: int) -> int | None:
    """The index of the check cell of the code exercise in cell ``i``: the first check cell after
    it, provided no other code exercise comes first (then, and when there is none, None)."""
    for j in range(i + 1, len(cells)):
        if cells[j].get("cell_type") == "code" and is_exercise_cell(cells[j]):
            return None
        if is_check_cell(cells[j]):
            return j
    return None


# nbgrader's delimiters (ClearSolutions / ClearHiddenTests): it reads any line *containing* one
NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def marker_mentions(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` for lines that nbgrader reads as a marker and we do not.

    nbgrader takes any line *containing* ``BEGIN SOLUTION`` (``END SOLUTION``, ``BEGIN HIDDEN
    TESTS``, ``END HIDDEN TESTS``) for a marker, so prose that names one breaks ``nbgrader
    generate_assignment`` ("no end solution statement found") or loses the line, while our
    transform, which reads whole ``### ...`` lines only, leaves it alone: the two would
    disagree on the student version. Refer to "the solution markers" instead.
    """
    markers = tuple(_BEGINS) + tuple(_ENDS)
    return [(n, line) for n, line in enumerate(_split(text), start=1)
            if any(m in line for m in NBGRADER_DELIMITERS) and line.strip() not in markers]


# --------------------------------------------------------------------------- notebooks
def _digest(nb: dict) -> str:
    body = copy.deepcopy(nb)
    body.get("metadata", {}).pop(META_KEY, None)
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()



def make_student(nb: dict, name: str = "notebook") -> dict:
    """The student version of a notebook (a new dict; ``nb`` is not modified).

    Its notebook metadata gets ``cs231n_exercises = {"source": ..., "sha256": ...}``: the
    solution notebook it came from and a digest of the student version, so that a later run
    can tell a learner's edits from an update of the course material.
    """
    student = copy.deepcopy(nb)
    for i, cell in enumerate(student.get("cells", [])):
        text = _text(cell.get("source"))
        new = student_source(text, cell.get("cell_type", "code"), f"{name} cell {i}: ")
        if new != text:
            cell["source"] = _like(cell.get("source"), new)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    student.setdefault("metadata", {})[META_KEY] = {"source": f"notebooks/{name}"}
    student["metadata"][META_KEY]["sha256"] = _digest(student)
    return student


def reinsert_solutions(student_nb: dict, source_nb: dict) -> dict:
    """Put the solutions of ``source_nb`` back into the stubs of ``student_nb``.

    The inverse of :func:`make_student`: every stub found in the student cell (where the
    source has a solution region) is replaced by that region, hidden tests go back where they
    were, outputs and execution counts come back from the source (the student version has
    none) and the ``cs231n_exercises`` metadata is dropped. Everything else is taken from the
    student notebook, so ``reinsert_solutions(make_student(nb), nb) == nb`` holds only if the
    transform changed nothing but the solution regions. Raises ValueError when a stub is
    missing or the cells do not line up.
    """
    s_cells, o_cells = student_nb.get("cells", []), source_nb.get("cells", [])
    if len(s_cells) != len(o_cells):
        raise ValueError(f"student_nb has {len(s_cells)} cells, source_nb has {len(o_cells)}: "
                         "not the student version of this notebook")
    out = copy.deepcopy(student_nb)
    out.get("metadata", {}).pop(META_KEY, None)
    for i, (cell, orig) in enumerate(zip(out["cells"], o_cells)):
        if cell.get("cell_type") != orig.get("cell_type"):
            raise ValueError(f"cell {i}: {cell.get('cell_type')} in student_nb, {orig.get('cell_type')} in source_nb")
        have = _split(_text(cell.get("source")))
        pos, rebuilt = 0, []
        for kind, lines in parse_regions(_text(orig.get("source")), f"source_nb cell {i}: "):
            if kind == "text":
                rebuilt += have[pos:pos + len(lines)]
                pos += len(lines)
            elif kind == "solution":
                stub = _stub(lines, cell["cell_type"])
                if have[pos:pos + len(stub)] != stub:
                    raise ValueError(f"cell {i}, line {pos + 1}: expected the stub {''.join(stub)!r}, "
                                     f"found {''.join(have[pos:pos + len(stub)])!r}")
                rebuilt += lines
                pos += len(stub)
            else:
                rebuilt += lines
        if pos != len(have):
            raise ValueError(f"cell {i}: student_nb has {len(have) - pos} line(s) more than the source explains")
        cell["source"] = _like(orig.get("source"), "".join(rebuilt))
        if cell.get("cell_type") == "code":
            cell["outputs"] = copy.deepcopy(orig.get("outputs", []))
            cell["execution_count"] = orig.get("execution_count")
    return out



# --------------------------------------------------------------------------- workspace
def find_notebooks(names=None, notebook_dir=None) -> list[Path]:
    """Resolve notebook arguments: a path, a name (``01_knn``, ``01_knn.ipynb``) or a unique prefix."""
    notebook_dir = Path(notebook_dir) if notebook_dir is not None else NOTEBOOK_DIR
    available = sorted(Path(notebook_dir).glob("*.ipynb"))
    if not names:
        return available
    found = []
    for name in names:
        p = Path(name)
        if p.suffix == ".ipynb" and p.is_file():
            found.append(p)
            continue
        stem = p.name[:-len(".ipynb")] if p.name.endswith(".ipynb") else p.name
        matches = [nb for nb in available if nb.stem == stem] or [nb for nb in available if nb.stem.startswith(stem)]
        if len(matches) != 1:
            what = "matches several notebooks" if matches else "matches no notebook"
            raise ValueError(f"notebook {name!r} {what} in {notebook_dir}; expected one of: "
                             + ", ".join(nb.stem for nb in available))
        found.append(matches[0])
    return found



def backup_path(target: Path, now: _dt.datetime | None = None) -> Path:
    """``<dir>/.backups/<stem>.<YYYYmmdd-HHMMSS>.ipynb`` (with -1, -2, ... if taken)."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = target.parent / BACKUP_DIRNAME
    candidate = folder / f"{target.stem}.{stamp}{target.suffix}"
    n = 1
    while candidate.exists():
        candidate = folder / f"{target.stem}.{stamp}-{n}{target.suffix}"
        n += 1
    return candidate



def write_workspace(notebooks=None, dest=WORKSPACE_DIR, force=False, log=print, now=None) -> list[dict]:
    """Write student versions into ``dest``; never lose a learner's file.

    Returns one record per notebook: ``{"source", "target", "status", "backup"}`` with status
    ``"new"`` (written), ``"up to date"`` (identical file already there), ``"kept"`` (an
    existing, different file left alone), ``"replaced"`` (``force``; ``backup`` holds the
    copy of the old file) or ``"error"`` (the source's markers do not pair up; nothing written).
    """
    dest = Path(dest)
    paths = [Path(p) for p in notebooks] if notebooks is not None else find_notebooks()
    records = []
    for src in paths:
        target = dest / src.name
        rec = {"source": src, "target": target, "status": "new", "backup": None}
        source_nb = read_notebook(src)
        try:
            student = make_student(source_nb, src.name)
        except ValueError as exc:  # unbalanced markers: skip this notebook, do the others
            rec["status"] = "error"
            log(f"error    {exc}")
            records.append(rec)
            continue
        text = dumps(student)
        if target.exists():
            old = target.read_text(encoding="utf-8")
            if old == text:
                rec["status"] = "up to date"
            elif not force:
                rec["status"] = "kept"
                try:
                    old_sha = json.loads(old).get("metadata", {}).get(META_KEY, {}).get("sha256")
                except (ValueError, AttributeError):
                    old_sha = None
                why = ("the course notebook has changed since your copy was made"
                       if old_sha and old_sha != student["metadata"][META_KEY]["sha256"]
                       else "it holds your work")
                where = "" if dest.resolve() == WORKSPACE_DIR.resolve() else f" --dest {_show(dest)}"
                log(f"kept     {_show(target)}: {why}; to replace it with a fresh copy run "
                    f"`python -m tools.exercises{where} --force {src.stem}` (backs yours up first)")
                records.append(rec)
                continue
            else:
                rec["status"] = "replaced"
                rec["backup"] = backup_path(target, now)
                rec["backup"].parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, rec["backup"])
        if rec["status"] != "up to date":
            _write_atomic(target, text)
        n = len(solution_regions(source_nb))
        if rec["status"] == "new":
            log(f"wrote    {_show(target)} ({n} exercise{'s' if n != 1 else ''})")
        elif rec["status"] == "replaced":
            log(f"replaced {_show(target)} (your previous copy: {_show(rec['backup'])})")
        else:
            log(f"same     {_show(target)} (already up to date)")
        records.append(rec)
    return records


WORKSPACE_README = """\
# Your workspace

The notebooks here are yours: the **student versions** of the course notebooks, each exercise
replaced by `# YOUR CODE HERE` + `raise NotImplementedError()` (a written answer by
`YOUR ANSWER HERE`). Fill them in and run the check cell after each exercise. Git ignores
this folder, and no course command overwrites a file here unless you ask with `--force`.

- `{ws}/` (here): your notebooks. Work in these.
- `{nb}/`: the **solution notebooks**, cell for cell the same as yours. `git pull` updates
  them: read them, don't edit them.
- `{ws}/.backups/`: your earlier copies, saved by `--force` (below).

## Compare with a solution

The solution of `{ws}/01_knn.ipynb` is `{nb}/01_knn.ipynb`. In JupyterLab's file browser,
click the folder icon above the file list (the repository root), open `{nb}/` and the same
notebook, then drag its tab to the right half of the window: the two side by side.

## After `git pull`

`make lab` (or `make exercises`) adds the course's new notebooks here and leaves yours alone;
it names those that differ from a fresh copy. To start a notebook again from a fresh copy,
run from the repository root:

    .venv/bin/python -m tools.exercises{dest} --force 01_knn

It first saves your copy as `{ws}/.backups/01_knn.<date-time>.ipynb`. Without a notebook
name, `--force` does this for every notebook that differs, and for this README.
"""


def write_workspace_readme(dest=WORKSPACE_DIR, force=False, log=print, now=None) -> str:
    """Write ``<dest>/README.md`` (what is where), with the notebooks' rules: a README that
    differs (the learner's notes) is kept unless ``force``, which backs it up first.
    Returns the status: "new", "up to date", "kept" or "replaced"."""
    dest = Path(dest)

    def rel(path):  # the same text whatever the current folder
        try:
            return path.resolve().relative_to(REPO_ROOT.resolve()).as_posix()
        except ValueError:
            return str(path)

    text = WORKSPACE_README.format(ws=rel(dest), nb=rel(NOTEBOOK_DIR),
                                   dest="" if dest.resolve() == WORKSPACE_DIR.resolve() else f" --dest {rel(dest)}")
    target, status = dest / "README.md", "new"
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            log(f"same     {_show(target)} (already up to date)")
            return "up to date"
        if not force:
            log(f"kept     {_show(target)}: it differs from the course's (your notes?); "
                "`--force` without a notebook name replaces it, after a backup")
            return "kept"
        backup, status = backup_path(target, now), "replaced"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, backup)
    _write_atomic(target, text)
    log(f"wrote    {_show(target)} (what is where)" if status == "new"
        else f"replaced {_show(target)} (your previous copy: {_show(backup)})")
    return status


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tools.exercises",
        description="Write the student versions of the notebooks (solutions replaced by stubs) "
                    "into a workspace folder. Existing files are never overwritten without --force.")
    ap.add_argument("notebooks", nargs="*", help="notebooks to convert: path, name or unique prefix "
                    "(default: every notebook in notebooks/)")
    ap.add_argument("--dest", default=None, help=f"workspace folder (default: {_show(WORKSPACE_DIR)})")
    ap.add_argument("--force", action="store_true", help="replace existing workspace notebooks, "
                    f"after copying each to <dest>/{BACKUP_DIRNAME}/<name>.<YYYYmmdd-HHMMSS>.ipynb")
    args = ap.parse_args(argv)
    try:
        paths = find_notebooks(args.notebooks)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not paths:
        print(f"error: no notebooks found in {NOTEBOOK_DIR} (run this from a clone of the course)", file=sys.stderr)
        return 2
    dest = Path(args.dest).expanduser() if args.dest else WORKSPACE_DIR
    print(f"student versions -> {_show(dest)}/ (solutions stay in notebooks/; your files are never overwritten without --force)")
    records = write_workspace(paths, dest, force=args.force)
    write_workspace_readme(dest, force=args.force and not args.notebooks)
    counts = {s: sum(r["status"] == s for r in records) for s in ("new", "replaced", "kept", "up to date", "error")}
    print(", ".join(f"{v} {k}" for k, v in counts.items() if v) + f" in {_show(dest)}/"
          + ("  (solutions: notebooks/)" if counts["new"] else ""))
    return 1 if counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
