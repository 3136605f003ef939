"""nbgrader's cell metadata, derived from our exercise markers (one source of truth).

The markers decide what is an exercise (``### BEGIN SOLUTION`` ... ``### END SOLUTION``, see
``tools/exercises.py``); this tool writes what nbgrader needs to know about each cell into the
cell's ``metadata["nbgrader"]`` (schema 3), and nothing else:

=====================================  ==============================  ======================
cell                                   nbgrader cell type              ``grade_id``
=====================================  ==============================  ======================
code cell with a solution region       autograded answer (solution)    ``<name>``
its check cell (the first code cell    autograded tests, locked,       ``check_<name>``
after it that calls ``checking(`` or   ``POINTS`` point(s)
``feedback.check_...(``)
Markdown cell with a solution region   manually graded answer,         ``answer_<words>``
(a written answer)                     ``POINTS`` point(s)
any other Markdown cell, any other     read-only (locked)              ``cell-<cell id>``
check cell (the instructions and the
checks nobody should edit)
any other code cell                    none: the learner may edit it    -
                                       (01's "Play with k", tweaks)
=====================================  ==============================  ======================

``<name>`` is what the exercise defines: the top-level function or class around (or, failing
that, inside) its first solution region; ``@add_to_class(C)`` methods are ``C_<method>``.
``<words>`` are the first words of the question (the cell's text before the answer, or the
Markdown cell above it). Read-only cells are named after their Jupyter cell id. So no
``grade_id`` changes when a cell is inserted elsewhere; a name that is taken already gets
``_2``, ``_3`` ... in notebook order. ``grade_id``s are unique within a notebook, which is
what nbgrader requires (its gradebook keys them by notebook and assignment).

The tool refuses (and ``--check`` reports) a notebook that nbgrader and our student version
would read differently: prose naming a marker (nbgrader reads any line *containing* ``BEGIN SOLUTION`` as
a marker), a code exercise without its own check cell, hidden tests outside a check cell, an
exercise cell that is also a check cell.

Command line (run it after adding or moving exercises, checks or Markdown cells)::

    python -m tools.nbgrader_meta             # write the metadata into notebooks/NN_*.ipynb
    python -m tools.nbgrader_meta --check     # report disagreements, exit 1 (the tests do this)
    python -m tools.nbgrader_meta notebooks/07_x.ipynb

Idempotent: a second run changes nothing; only ``metadata["nbgrader"]`` of each cell is written.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

from tools import exercises as ex
from tools.nbio import NOTEBOOK_DIR, read, show, text, write

SCHEMA_VERSION = 3
POINTS = 1  # per check cell and per written answer (see the README: "For instructors")
COMMAND = "python -m tools.nbgrader_meta"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

_DEF_RE = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)")
_ADD_TO_CLASS_RE = re.compile(r"^@add_to_class\(\s*(\w+)\s*\)")
_ASSIGN_RE = re.compile(r"^\s*(\w+)\s*(?::[^=]*)?=[^=]")
_LABEL_WORDS = {"inline", "question", "answer", "your", "here"}
_MAX_WORDS = 4


# --------------------------------------------------------------------------- names
def exercise_name(source: str) -> str:
    """What a code exercise defines: the top-level def/class around its first solution region
    (``C_method`` for an ``@add_to_class(C)`` method), else the first one inside the region,
    else the first name assigned in the region, else ``exercise``."""
    lines = source.splitlines()
    begin = next((n for n, ln in enumerate(lines) if ln.strip() == ex.BEGIN_SOLUTION), len(lines))

    def named(n):
        m = _DEF_RE.match(lines[n])
        if not m:
            return None
        k = n - 1
        while k >= 0 and lines[k].startswith("@"):
            deco = _ADD_TO_CLASS_RE.match(lines[k])
            if deco:
                return f"{deco.group(1)}_{m.group(1)}"
            k -= 1
        return m.group(1)

    indent = len(lines[begin]) - len(lines[begin].lstrip()) if begin < len(lines) else 0
    if indent:  # inside a definition: the enclosing top-level one
        for n in range(begin - 1, -1, -1):
            if named(n):
                return named(n)
    for n in range(begin, len(lines)):  # a top-level region: what it defines or assigns first
        if named(n):
            return named(n)
    for ln in lines[begin:]:
        m = _ASSIGN_RE.match(ln)
        if m and not ln.lstrip().startswith("#"):
            return m.group(1)
    return "exercise"


def _words(s: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", s.lower())
    while words and (words[0] in _LABEL_WORDS or words[0].isdigit()):
        words.pop(0)
    return words


def answer_name(cells: list, i: int) -> str:
    """``answer_`` + the first words of the question of the written answer in cell ``i``."""
    before = []
    for kind, lines in ex.parse_regions(text(cells[i].get("source"))):
        if kind == "solution":
            break
        before += lines
    words = _words("".join(before))
    k = i - 1
    while not words and k >= 0:  # "**Answer.**" alone: the question is in the Markdown above
        if cells[k].get("cell_type") == "markdown":
            words = _words(text(cells[k].get("source")))
        k -= 1
    return "answer_" + "_".join(words[:_MAX_WORDS] or ["question"])


def readonly_name(cell: dict) -> str:
    """``cell-<Jupyter cell id>``; without an id, ``cell-`` + a digest of the source."""
    cid = cell.get("id")
    if isinstance(cid, str) and re.fullmatch(r"[A-Za-z0-9_-]+", cid):
        return f"cell-{cid}"
    return "cell-" + hashlib.sha1(text(cell.get("source")).encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------- roles
def structure_problems(nb: dict) -> list[str]:
    """What keeps a notebook from being read the same way by nbgrader and by our tools."""
    out = []
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells):
        src = text(cell.get("source"))
        for n, line in ex.marker_mentions(src):
            out.append(f"cell {i}, line {n}: {line.strip()[:80]!r} names a marker; nbgrader reads "
                       "every line containing 'BEGIN SOLUTION' (etc.) as one: say 'the solution markers'")
        try:
            ex.parse_regions(src)
        except ValueError as exc:
            out.append(f"cell {i}: {exc}")
    if out:  # markers that do not pair up: the rest cannot be read
        return out
    for i, cell in enumerate(cells):
        src = text(cell.get("source"))
        regions = [kind for kind, _ in ex.parse_regions(src)]
        code = cell.get("cell_type") == "code"
        if code and "solution" in regions:
            if ex.is_check_cell(cell):
                out.append(f"cell {i}: an exercise cell that is also a check cell (`checking(` or "
                           "`feedback.check_...(`): put the check in the next cell")
            elif ex.check_cell_after(cells, i) is None:
                out.append(f"cell {i}: exercise {exercise_name(src)!r} has no check cell of its own "
                           "(a later code cell with `checking(` or `feedback.check_...(` before the "
                           "next exercise)")
        if "hidden" in regions and not (code and any(
                ex.check_cell_after(cells, k) == i for k in range(i) if cells[k].get("cell_type") == "code"
                and ex.is_exercise_cell(cells[k]))):
            out.append(f"cell {i}: hidden tests outside the check cell of an exercise (nbgrader "
                       "accepts them only in graded test cells)")
        if cell.get("cell_type") not in ("code", "markdown") and "solution" in regions:
            out.append(f"cell {i}: a solution region in a {cell.get('cell_type')} cell")
    return out


def roles(nb: dict) -> list[tuple[str, str] | None]:
    """``(role, grade_id)`` per cell, role in exercise/check/answer/readonly, or None.

    Raises ValueError listing the :func:`structure_problems` if there are any.
    """
    bad = structure_problems(nb)
    if bad:
        raise ValueError("; ".join(bad))
    cells = nb.get("cells", [])
    out: list = [None] * len(cells)
    taken: set[str] = set()

    def unique(base: str) -> str:  # deduplicated in notebook order
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        return name

    for i, cell in enumerate(cells):
        kind = cell.get("cell_type")
        if out[i] is not None:  # a check cell, named with its exercise
            continue
        if kind == "code" and ex.is_exercise_cell(cell):
            name = unique(exercise_name(text(cell.get("source"))))
            out[i] = ("exercise", name)
            out[ex.check_cell_after(cells, i)] = ("check", unique(f"check_{name}"))
        elif kind == "markdown" and ex.is_exercise_cell(cell):
            out[i] = ("answer", unique(answer_name(cells, i)))
        elif kind == "markdown" or ex.is_check_cell(cell):
            out[i] = ("readonly", unique(readonly_name(cell)))
    return out


def metadata_for(role: str, grade_id: str) -> dict:
    """nbgrader's schema-3 cell metadata, as its "Create Assignment" toolbar writes it."""
    grade, solution, locked = {"exercise": (False, True, False), "check": (True, False, True),
                               "answer": (True, True, False), "readonly": (False, False, True)}[role]
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if grade:
        meta["points"] = POINTS
    return meta


def expected(nb: dict) -> list[dict | None]:
    """The ``metadata["nbgrader"]`` every cell should have (None: no nbgrader metadata)."""
    return [None if r is None else metadata_for(*r) for r in roles(nb)]


def apply(nb: dict) -> dict:
    """A copy of ``nb`` with every cell's nbgrader metadata as derived (nothing else changes)."""
    want = expected(nb)
    out = copy.deepcopy(nb)
    for cell, meta in zip(out.get("cells", []), want):
        md = cell.setdefault("metadata", {})
        if meta is None:
            md.pop("nbgrader", None)
        else:
            md["nbgrader"] = meta
    return out


def problems(nb: dict, name: str = "notebook") -> list[str]:
    """Every way ``nb``'s nbgrader metadata disagrees with its markers (empty when in sync)."""
    try:
        want = expected(nb)
    except ValueError:
        return [f"{name}: {p}" for p in structure_problems(nb)]
    wrong = [(i, cell.get("metadata", {}).get("nbgrader"), m)
             for i, (cell, m) in enumerate(zip(nb.get("cells", []), want))
             if cell.get("metadata", {}).get("nbgrader") != m]
    if not wrong:
        return []
    i, have, m = wrong[0]
    cells = ", ".join(str(w[0]) for w in wrong[:12]) + (", ..." if len(wrong) > 12 else "")
    return [f"{name}: the nbgrader metadata of {len(wrong)} cell(s) disagrees with the markers "
            f"(cells {cells}; cell {i} has {have}, expected {m})",
            f"{name}: run `{COMMAND} {name}` to derive its nbgrader metadata from the markers"]


def notebooks(folder=None) -> list[Path]:
    """The course notebooks: ``notebooks/NN_*.ipynb``."""
    return sorted(Path(folder or NOTEBOOK_DIR).glob(NOTEBOOK_GLOB))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", help=f"notebooks (default: notebooks/{NOTEBOOK_GLOB})")
    ap.add_argument("--check", action="store_true", help="report disagreements; exit 1 if any; write nothing")
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.files] or notebooks()
    bad = 0
    for f in files:
        nb = read(f)  # read just before writing: others may edit notebooks
        if args.check:
            found = problems(nb, show(f))
            for p in found:
                print(p)
            bad += bool(found)
            continue
        try:
            new = apply(nb)
        except ValueError:
            for p in structure_problems(nb):
                print(f"{show(f)}: {p}")
            bad += 1
            continue
        if new != nb:
            write(f, new)
            print(f"wrote    {show(f)}")
        else:
            print(f"same     {show(f)}")
    if args.check and not bad:
        print(f"{len(files)} notebook(s): nbgrader metadata agrees with the markers")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
