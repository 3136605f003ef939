"""Student versions (issue 8): stubs replace solutions, nothing leaks, the transform is
exactly invertible, a student notebook stops at its first exercise check with "not implemented
yet", and the workspace never loses a learner's work.

Every notebook in notebooks/ is covered (the parameter list is the glob), plus a small fixture
notebook built here so the tests mean something before the course notebooks land.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import re

import nbformat
import pytest
from nbformat import v4

from tools import exercises as ex
from cs231n_helpers.checks import NotImplementedYet, check_close, checking
from cs231n_helpers.config import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
FIXTURE = "fixture"


# --------------------------------------------------------------------------- fixture notebook
def fixture_notebook() -> dict:
    """A tiny solution notebook with every kind of region, as Jupyter stores it on disk."""
    cells = [
        v4.new_markdown_cell("# Fixture: squares and cubes\n\nEvery kind of exercise region, in miniature."),
        v4.new_code_cell("import numpy as np\nfrom cs231n_helpers.checks import check_close, checking"),
        v4.new_code_cell('print("setup done")  # NBVAL_CHECK_OUTPUT', execution_count=2,
                         outputs=[v4.new_output("stream", name="stdout", text="setup done\n")]),
        v4.new_code_cell('def square(x):\n    """Elementwise x**2."""\n    ### BEGIN SOLUTION\n'
                         "    y = np.asarray(x) * np.asarray(x)\n    return y\n    ### END SOLUTION"),
        v4.new_code_cell('with checking("square"):\n'
                         '    check_close(square(np.arange(3.0)), np.array([0.0, 1.0, 4.0]), name="square")'),
        v4.new_markdown_cell("**Question:** why is $x^2$ convex?\n\n**Your answer:**\n### BEGIN SOLUTION\n"
                             "Its second derivative, 2, is positive everywhere.\n### END SOLUTION\n"),
        v4.new_code_cell("def cube_sum(xs):\n    total = 0.0\n    for x in xs:\n        if x > 0:\n"
                         "            ### BEGIN SOLUTION\n            total += x ** 3\n"
                         "            ### END SOLUTION\n    return total"),
        v4.new_code_cell('with checking("cube_sum"):\n    check_close(cube_sum([1.0, -2.0, 2.0]), 9.0, name="cube_sum")\n'
                         "### BEGIN HIDDEN TESTS\nassert cube_sum([3.0]) == 27.0\n### END HIDDEN TESTS\n"),
    ]
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    return json.loads(nbformat.writes(nb))  # on-disk form: sources as lists of lines


def load(name: str) -> dict:
    return fixture_notebook() if name == FIXTURE else ex.read_notebook(REPO_ROOT / "notebooks" / f"{name}.ipynb")


ALL = [FIXTURE] + [p.stem for p in NOTEBOOKS]


def src(cell) -> str:
    return ex._text(cell.get("source"))


# --------------------------------------------------------------------------- the transform
def test_fixture_student_version_is_exactly_as_specified():
    st = ex.make_student(fixture_notebook(), "90_fixture.ipynb")
    cells = st["cells"]
    assert src(cells[3]) == 'def square(x):\n    """Elementwise x**2."""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    assert src(cells[5]) == "**Question:** why is $x^2$ convex?\n\n**Your answer:**\nYOUR ANSWER HERE\n"
    assert src(cells[6]) == ("def cube_sum(xs):\n    total = 0.0\n    for x in xs:\n        if x > 0:\n"
                             "            # YOUR CODE HERE\n            raise NotImplementedError()\n    return total")
    assert src(cells[7]) == 'with checking("cube_sum"):\n    check_close(cube_sum([1.0, -2.0, 2.0]), 9.0, name="cube_sum")\n'
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells if c["cell_type"] == "code")
    assert st["metadata"][ex.META_KEY]["source"] == "notebooks/90_fixture.ipynb"
    assert nbformat.validate(nbformat.from_dict(copy.deepcopy(st))) is None
    compile(src(cells[6]), "cell", "exec")  # the stub leaves valid Python


def test_string_sources_and_crlf_round_trip():
    nb = fixture_notebook()
    for cell in nb["cells"]:
        cell["source"] = src(cell).replace("\n", "\r\n")  # one string, Windows line endings
    st = ex.make_student(nb, "x.ipynb")
    assert "    # YOUR CODE HERE\r\n    raise NotImplementedError()" == src(st["cells"][3]).split('"""\r\n')[1]
    assert ex.reinsert_solutions(st, nb) == nb


@pytest.mark.parametrize("text, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without a matching"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION\n", "cannot nest"),
    ("### BEGIN HIDDEN TESTS\n### END SOLUTION\n", "without a matching"),
])
def test_unbalanced_markers_are_a_clear_error(text, message):
    nb = fixture_notebook()
    nb["cells"][1]["source"] = text
    with pytest.raises(ValueError, match=message) as info:
        ex.make_student(nb, "bad.ipynb")
    assert "bad.ipynb cell 1" in str(info.value)


def _regions(nb, kinds=("solution", "hidden")):
    for i, cell in enumerate(nb["cells"]):
        for kind, lines in ex.parse_regions(src(cell), f"cell {i}: "):
            if kind in kinds:
                yield i, lines


@pytest.mark.parametrize("name", ALL)
def test_student_version_contains_no_solution_line(name):
    source = load(name)
    student = ex.make_student(source, f"{name}.ipynb")
    markers = set(ex._BEGINS) | set(ex._ENDS)
    # lines a student may see anyway: everything outside the regions, and the stubs
    visible = {ln.strip() for i, c in enumerate(source["cells"])
               for kind, lines in ex.parse_regions(src(c)) if kind == "text" for ln in lines}
    visible |= set(ex.CODE_STUB) | set(ex.TEXT_STUB)
    student_text = "\n".join(src(c) for c in student["cells"]) + "\n" + json.dumps(
        [c.get("outputs", []) for c in student["cells"]], ensure_ascii=False)
    student_lines = {ln.strip() for ln in student_text.splitlines()}
    leaks = []
    for i, lines in _regions(source):
        for ln in lines:
            s = ln.strip()
            if s in markers or s in visible or len(s) < 4 or not re.search(r"\w", s):
                continue  # trivial, or visible in the source outside any region
            if s in student_lines:
                leaks.append(f"cell {i}: {s!r}")
    assert not leaks, f"{name}: solution lines in the student version:\n" + "\n".join(leaks)
    n_regions = len(list(_regions(source, ("solution",))))
    assert student_text.count(ex.CODE_STUB[1]) + student_text.count(ex.TEXT_STUB[0]) >= n_regions
    assert not any(s in markers for s in student_lines), "a marker line survived"


@pytest.mark.parametrize("name", ALL)
def test_reinserting_solutions_reproduces_the_source_exactly(name):
    source = load(name)
    frozen = copy.deepcopy(source)
    student = ex.make_student(source, f"{name}.ipynb")
    assert source == frozen, "make_student modified its input"
    assert ex.reinsert_solutions(student, source) == source
    assert ex.dumps(ex.reinsert_solutions(json.loads(ex.dumps(student)), source)) == ex.dumps(source)


def test_reinsert_notices_a_tampered_student_version():
    source = fixture_notebook()
    student = ex.make_student(source, "x.ipynb")
    bad = copy.deepcopy(student)
    bad["cells"][3]["source"] = src(bad["cells"][3]).replace("raise NotImplementedError()", "return x * x")
    with pytest.raises(ValueError, match="expected the stub"):
        ex.reinsert_solutions(bad, source)
    bad = copy.deepcopy(student)
    bad["cells"][1]["source"] = src(bad["cells"][1]) + "\nprint('extra')"
    with pytest.raises(ValueError, match="more than the source"):
        ex.reinsert_solutions(bad, source)
    with pytest.raises(ValueError, match="cells"):
        ex.reinsert_solutions({"cells": student["cells"][:-1], "metadata": {}}, source)


@pytest.mark.parametrize("name", ALL)
def test_student_version_does_not_depend_on_its_location(name):
    """The student copy runs from workspace/ (or any --dest), not from notebooks/."""
    student = ex.make_student(load(name), f"{name}.ipynb")
    bad = re.compile(r"sys\.path\.(?:insert|append)|os\.chdir|['\"]\.\.[/\\]|['\"]notebooks[/\\]")
    hits = [f"cell {i}: {m.group(0)!r}" for i, c in enumerate(student["cells"]) if c["cell_type"] == "code"
            for m in bad.finditer(src(c))]
    assert not hits, (f"{name}: code that depends on the notebook's folder (use the installed package "
                      "and cs231n_helpers.config.REPO_ROOT / data_dir()): " + ", ".join(hits))


# --------------------------------------------------------------------------- feedback
def test_a_check_cell_given_a_stub_says_not_implemented_yet(capsys):
    def stub(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedYet, match="not implemented yet") as info:
        with checking("stub"):
            check_close(stub(1.0), 1.0, name="stub")
    rendered = "\n".join(info.value._render_traceback_())  # what Jupyter shows instead of a traceback
    assert "not implemented yet" in rendered and len(rendered.splitlines()) <= 2
    assert "✓" not in capsys.readouterr().out


def _first_check_cell(nb) -> tuple[int, int] | None:
    """(index of the first code cell with a solution region, index of the first check cell at or after it)."""
    first = next((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and ex.is_exercise_cell(c)), None)
    if first is None:
        return None
    check = ex.check_cell_after(nb["cells"], first)  # the cell nbgrader grades (tools/nbgrader_meta.py)
    assert check is not None, (f"no check cell (`with checking(...)` or a `feedback.check_...(...)` call) "
                               f"after the exercise in cell {first}, before the next exercise")
    return first, check


def run_until_first_error(nb: dict, cwd, timeout=600):
    """Execute code cells in order in a fresh kernel (cwd = ``cwd``); stop at the first error.

    Returns (cell index, CellExecutionError, executed cell) or (None, None, None).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    node = nbformat.reads(json.dumps(nb), as_version=4)  # joins multi-line sources
    client = NotebookClient(node, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    with client.setup_kernel():
        for i, cell in enumerate(node.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, i)
            except CellExecutionError as exc:
                return i, exc, cell
    return None, None, None


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_student_version_fails_at_its_first_exercise_check(name, tmp_path, monkeypatch):
    """nbgrader's "validate --invert": the unsolved notebook must fail, at the first check,
    with "not implemented yet" (not a traceback from the setup or from the stub itself)."""
    monkeypatch.setenv("CS231N_QUICK", "1")
    source = load(name)
    where = _first_check_cell(source)
    if where is None:
        pytest.skip(f"{name} has no code exercises")
    first, check = where
    workspace = tmp_path / "somewhere" / "workspace"  # not notebooks/: the copy must run anywhere
    ex.write_workspace([_materialize(name, source, tmp_path)], workspace, log=lambda *a: None)
    student = ex.read_notebook(workspace / f"{name}.ipynb")
    index, err, cell = run_until_first_error(student, workspace)
    assert index is not None, f"{name}: the student version ran to the end without failing"
    assert (index, err.ename) == (check, "NotImplementedYet"), (
        f"{name}: expected the first error in check cell {check} (first exercise in cell {first}), "
        f"got {err.ename} in cell {index}:\n{src(cell)[:300]}\n{err.evalue[:500]}")
    assert "not implemented yet" in err.evalue
    error_out = [o for o in cell.outputs if o.output_type == "error"][-1]
    assert len(error_out.traceback) <= 2, "the stub should produce a one-line verdict, not a traceback"


def _materialize(name, nb, tmp_path):
    path = tmp_path / "src" / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ex.dumps(nb), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the workspace
NOW = dt.datetime(2024, 1, 2, 3, 4, 5)


@pytest.fixture
def course(tmp_path):
    """Two solution notebooks in a scratch notebooks/ folder and an empty workspace."""
    a = fixture_notebook()
    b = fixture_notebook()
    b["cells"][0]["source"] = "# Another fixture\n"
    return {"a": _materialize("90_fixture", a, tmp_path), "b": _materialize("91_other", b, tmp_path),
            "ws": tmp_path / "workspace"}


def test_workspace_adds_new_notebooks_and_never_overwrites(course, capsys):
    a, b, ws = course["a"], course["b"], course["ws"]
    recs = ex.write_workspace([a], ws)
    assert [r["status"] for r in recs] == ["new"]
    assert (ws / a.name).read_text() == ex.dumps(ex.make_student(ex.read_notebook(a), a.name))
    assert "wrote" in capsys.readouterr().out

    mine = (ws / a.name).read_text().replace("raise NotImplementedError()", "return x * x", 1)
    (ws / a.name).write_text(mine)
    recs = ex.write_workspace([a, b], ws)  # a new notebook appears upstream
    assert [r["status"] for r in recs] == ["kept", "new"]
    assert (ws / a.name).read_text() == mine
    out = capsys.readouterr().out
    assert "kept" in out and "holds your work" in out and "--force" in out

    nb = ex.read_notebook(a)  # the course notebook is updated
    nb["cells"][0]["source"] = "# Fixture, second edition\n"
    a.write_text(ex.dumps(nb))
    recs = ex.write_workspace([a, b], ws)
    assert [r["status"] for r in recs] == ["kept", "up to date"]
    assert (ws / a.name).read_text() == mine
    assert "has changed since your copy was made" in capsys.readouterr().out
    assert not (ws / ex.BACKUP_DIRNAME).exists()


def test_force_backs_up_first(course, capsys):
    a, b, ws = course["a"], course["b"], course["ws"]
    ex.write_workspace([a, b], ws)
    mine = (ws / a.name).read_text().replace("raise NotImplementedError()", "return x * x", 1)
    (ws / a.name).write_text(mine)
    recs = ex.write_workspace([a, b], ws, force=True, now=NOW)
    assert [r["status"] for r in recs] == ["replaced", "up to date"]  # b is unchanged: no backup needed
    backup = ws / ".backups" / "90_fixture.20240102-030405.ipynb"
    assert recs[0]["backup"] == backup and backup.read_text() == mine
    assert (ws / a.name).read_text() == ex.dumps(ex.make_student(ex.read_notebook(a), a.name))
    assert "replaced" in capsys.readouterr().out

    (ws / a.name).write_text(mine + " ")  # same second, another edit: the first backup survives
    recs = ex.write_workspace([a], ws, force=True, now=NOW)
    assert recs[0]["backup"] == ws / ".backups" / "90_fixture.20240102-030405-1.ipynb"
    assert backup.read_text() == mine and recs[0]["backup"].read_text() == mine + " "
    assert sorted(p.name for p in ws.iterdir()) == [".backups", "90_fixture.ipynb", "91_other.ipynb"]


def test_command_line(course, capsys, monkeypatch):
    a, ws = course["a"], course["ws"]
    assert ex.main(["--dest", str(ws), str(a)]) == 0
    assert "wrote" in capsys.readouterr().out and (ws / a.name).exists()
    (ws / a.name).write_text("{}")
    assert ex.main(["--dest", str(ws), str(a)]) == 0
    assert (ws / a.name).read_text() == "{}" and "kept" in capsys.readouterr().out
    assert ex.main(["--dest", str(ws), "--force", str(a)]) == 0
    assert "replaced" in capsys.readouterr().out
    assert [p.read_text() for p in (ws / ".backups").iterdir()] == ["{}"]
    monkeypatch.setattr(ex, "NOTEBOOK_DIR", a.parent)
    assert ex.find_notebooks(["90"]) == [a] and ex.find_notebooks(["90_fixture.ipynb"]) == [a]
    assert ex.main(["--dest", str(ws), "nope"]) == 2
    assert "matches no notebook" in capsys.readouterr().err
    nb = ex.read_notebook(a)
    nb["cells"][1]["source"] = "### BEGIN SOLUTION\n"
    bad = a.with_name("00_bad.ipynb")
    bad.write_text(ex.dumps(nb))
    assert ex.main(["--dest", str(ws), str(bad), str(course["b"])]) == 1  # the others are still written
    out = capsys.readouterr().out
    assert "error    00_bad.ipynb cell 1" in out and "never closed" in out and "1 new" in out
    assert not (ws / bad.name).exists() and (ws / course["b"].name).exists()


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")
def test_every_course_notebook_goes_to_the_workspace(tmp_path, capsys):
    ws = tmp_path / "workspace"
    assert ex.main(["--dest", str(ws)]) == 0
    assert sorted(p.name for p in ws.glob("*.ipynb")) == [p.name for p in ex.find_notebooks()]
    capsys.readouterr()
    assert ex.main(["--dest", str(ws)]) == 0  # a second run changes nothing
    assert "up to date" in capsys.readouterr().out and not (ws / ex.BACKUP_DIRNAME).exists()
