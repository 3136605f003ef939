"""nbgrader (issue 18): every notebook is an nbgrader source notebook, and a teacher's round trip
works - generate the student versions, autograde submissions, give feedback.

The first part needs no nbgrader: the cell metadata nbgrader reads is derived from our markers
by ``tools/nbgrader_meta.py`` and must agree with them in every notebook (``notebooks/NN_*.ipynb``,
so notebooks added later are covered). The round trip needs the ``teach`` extra (nbgrader); it
skips without it, except under CI (``CI`` set), which installs it and must run it.

The round trip runs exactly the README's commands ("For instructors: nbgrader"), with its
``nbgrader_config.py`` and its hidden test (both read from the README), in a temporary course
folder: ``nbgrader generate_assignment`` for every notebook, then ``autograde`` and
``generate_feedback`` for two of them, in quick mode on the data the rest of the suite uses:

* ``00_getting_started``: the smallest notebook; one exercise, with a hidden test added to its
  check cell here (what the README tells teachers to do). The solution scores full points; a
  submission that passes the visible check but hard-codes the batch size loses the point to
  the hidden test.
* ``01_knn``: six code exercises in exported cells, two written answers (manually graded),
  the CIFAR-10 data. The solution scores every autograded point; a submission with one exercise
  (``choose_k``) left as the stub loses exactly that point, and its feedback shows our "not
  implemented yet" verdict.

The other notebooks go through ``generate_assignment`` only: executing them all would take
minutes, and what autograde adds (running the check cells) is what their own tests and the
quick-mode notebook runs of the suite already cover.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbformat import v4

from tools import exercises as ex
from tools import nbgrader_meta as meta
from tools.nbio import REPO_ROOT, read, text, write

NOTEBOOKS = meta.notebooks()


def src(cell) -> str:
    return text(cell.get("source"))


# --------------------------------------------------------------------------- metadata (no nbgrader)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_nbgrader_metadata_agrees_with_the_markers(path):
    found = meta.problems(read(path), f"notebooks/{path.name}")
    assert not found, "\n".join(found)


def fixture_notebook() -> dict:
    cells = [
        v4.new_markdown_cell("# Fixture\n\nSquares."),                                          # 0 readonly
        v4.new_code_cell("import numpy as np\nfrom cs231n_helpers.checks import checking"),     # 1 free
        v4.new_code_cell("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION"),  # 2
        v4.new_markdown_cell("Now check it."),                                                  # 3 readonly
        v4.new_code_cell('with checking("square"):\n    assert square(3) == 9'),                  # 4 check
        v4.new_code_cell("print(square(4))  # try other numbers"),                              # 5 free
        v4.new_code_cell('with checking("square again"):\n    assert square(2) == 4'),          # 6 readonly
        v4.new_markdown_cell("**Inline question.** Why is $x^2$ convex?\n\n### BEGIN SOLUTION\n"
                             "Its second derivative is positive.\n### END SOLUTION"),          # 7 answer
        v4.new_code_cell("@add_to_class(Model)\ndef loss(self, x):\n    if x:\n        ### BEGIN SOLUTION\n"
                         "        return 1\n        ### END SOLUTION\n    return 0"),             # 8
        v4.new_code_cell("feedback.check_loss(Model)\n### BEGIN HIDDEN TESTS\nassert Model().loss(1)\n"
                         "### END HIDDEN TESTS"),                                               # 9 check
        v4.new_markdown_cell("**Answer.**\n### BEGIN SOLUTION\nyes\n### END SOLUTION"),         # 10 answer
        v4.new_code_cell("### BEGIN SOLUTION\nsquare = lambda x: x ** 2\n### END SOLUTION"),   # 11
        v4.new_code_cell('with checking("square as a lambda"):\n    assert square(5) == 25'),   # 12 check
    ]
    for i, c in enumerate(cells):
        c["id"] = f"c{i:02d}"
    return json.loads(json.dumps(v4.new_notebook(cells=cells)))


def test_roles_and_grade_ids_of_the_fixture():
    nb = fixture_notebook()
    assert meta.roles(nb) == [
        ("readonly", "cell-c00"), None, ("exercise", "square"), ("readonly", "cell-c03"),
        ("check", "check_square"), None, ("readonly", "cell-c06"),
        ("answer", "answer_why_is_x_2"), ("exercise", "Model_loss"), ("check", "check_Model_loss"),
        ("answer", "answer_why_is_x_2_2"),  # "**Answer.**" alone: the question of the cell above
        ("exercise", "square_2"), ("check", "check_square_2"),
    ]
    m = meta.expected(nb)
    assert m[2] == {"grade": False, "grade_id": "square", "locked": False, "schema_version": 3,
                    "solution": True, "task": False}
    assert m[4] == {"grade": True, "grade_id": "check_square", "locked": True, "points": meta.POINTS,
                    "schema_version": 3, "solution": False, "task": False}
    assert m[7] == {"grade": True, "grade_id": "answer_why_is_x_2", "locked": False, "points": meta.POINTS,
                    "schema_version": 3, "solution": True, "task": False}
    assert m[0] == {"grade": False, "grade_id": "cell-c00", "locked": True, "schema_version": 3,
                    "solution": False, "task": False}
    assert m[1] is None and m[5] is None


def test_apply_writes_only_the_nbgrader_metadata_and_is_idempotent():
    nb = fixture_notebook()
    nb["cells"][1]["metadata"] = {"tags": ["setup"], "nbgrader": {"grade": True}}  # stale: removed
    frozen = copy.deepcopy(nb)
    once = meta.apply(nb)
    assert nb == frozen, "apply modified its input"
    assert meta.apply(once) == once and meta.problems(once) == []
    assert meta.problems(nb), "stale metadata must be reported"
    strip = lambda n: [{k: v for k, v in c.items() if k != "metadata"} | {
        "metadata": {k: v for k, v in c["metadata"].items() if k != "nbgrader"}} for c in n["cells"]]
    assert strip(once) == strip(nb) and once["metadata"] == nb["metadata"]
    assert once["cells"][1]["metadata"] == {"tags": ["setup"]}
    # the student version keeps the metadata and agrees on what is stubbed
    student = ex.make_student(once, "90_fixture.ipynb")
    assert [c["metadata"] for c in student["cells"]] == [c["metadata"] for c in once["cells"]]
    stubbed = [i for i, (a, b) in enumerate(zip(student["cells"], once["cells"])) if src(a) != src(b)]
    solution = [i for i, m in enumerate(meta.expected(once)) if m and m["solution"]]
    assert stubbed == sorted(solution + [9]), "stubs exactly in the solution cells (and hidden tests dropped)"


def test_grade_ids_do_not_move_when_cells_are_inserted():
    for nb in [fixture_notebook()] + [read(p) for p in NOTEBOOKS[:2]]:
        before = {c["id"]: r for c, r in zip(nb["cells"], meta.roles(nb))}
        grown = copy.deepcopy(nb)
        new = [v4.new_markdown_cell("A new paragraph."), v4.new_code_cell("x = 1"),
               v4.new_code_cell("def extra():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION"),
               v4.new_code_cell('with checking("extra"):\n    extra()')]
        for k, cell in enumerate(new):
            cell["id"] = f"new-{k}"
        grown["cells"][1:1] = json.loads(json.dumps(new[:2]))
        roles = meta.roles(grown)  # an exercise and its check after a check cell in the second half
        k = next(k for k in range(len(roles) // 2, len(roles)) if roles[k] and roles[k][0] == "check")
        grown["cells"][k + 1:k + 1] = json.loads(json.dumps(new[2:]))
        after = {c["id"]: r for c, r in zip(grown["cells"], meta.roles(grown))}
        assert {k: v for k, v in after.items() if not k.startswith("new-")} == before


def test_what_nbgrader_and_our_transform_would_read_differently_is_refused(tmp_path):
    nb = fixture_notebook()
    cases = {
        "names a marker": lambda n: n["cells"][0].update(source="Code goes between `### BEGIN SOLUTION` and the end."),
        "has no check cell": lambda n: [n["cells"].pop(k) for k in (6, 4)],
        "also a check cell": lambda n: n["cells"][2].update(source=src(n["cells"][2]) + '\nwith checking("x"):\n    pass'),
        "hidden tests outside": lambda n: n["cells"][5].update(
            source="### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"),
        "never closed": lambda n: n["cells"][2].update(source="def f():\n    ### BEGIN SOLUTION\n    pass"),
    }
    for what, damage in cases.items():
        bad = copy.deepcopy(nb)
        damage(bad)
        found = meta.problems(bad, "x.ipynb")
        assert any(what in p for p in found), (what, found)
        with pytest.raises(ValueError, match=what):
            meta.apply(bad)
    # the command line: --check reports and writes nothing; a plain run writes; then in sync
    path = tmp_path / "90_fixture.ipynb"
    write(path, nb)
    assert meta.main(["--check", str(path)]) == 1 and read(path) == nb
    assert meta.main([str(path)]) == 0 and meta.main(["--check", str(path)]) == 0
    bad = copy.deepcopy(read(path))
    cases["names a marker"](bad)
    write(path, bad)
    assert meta.main([str(path)]) == 1 and read(path) == bad, "a refused notebook is left alone"


def test_stale_metadata_names_the_command():
    nb = meta.apply(fixture_notebook())
    nb["cells"][2]["source"] = src(nb["cells"][2]).replace("def square", "def squared")
    found = meta.problems(nb, "notebooks/90_fixture.ipynb")
    # the lambda exercise no longer shares the name: square_2 -> square
    assert "4 cell(s)" in found[0] and "cells 2, 4, 11, 12;" in found[0] and "'grade_id': 'squared'" in found[0]
    assert found[-1].endswith("run `python -m tools.nbgrader_meta notebooks/90_fixture.ipynb` to derive its "
                              "nbgrader metadata from the markers")


# --------------------------------------------------------------------------- the round trip
def _readme_section() -> str:
    """The README's instructor section: its config and hidden test are what the round trip uses."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### For instructors: nbgrader")
    return readme[start:readme.find("\n## ", start)]


_PYTHON = re.findall(r"```python\n(.*?)```", _readme_section(), flags=re.S)
NBGRADER_CONFIG = _PYTHON[0]
HIDDEN_TEST = re.search(r"^### BEGIN HIDDEN TESTS\n.*?^### END HIDDEN TESTS\n", _PYTHON[1], flags=re.S | re.M).group(0)
COMMANDS = [("generate_assignment", "*"), ("autograde", "*"), ("generate_feedback", "*")]


def test_the_readme_shows_what_the_round_trip_runs():
    section = _readme_section()
    assert NBGRADER_CONFIG.startswith("c = get_config()") and "Execute.timeout" in NBGRADER_CONFIG
    assert "preprocess(X_train[:7])" in HIDDEN_TEST
    for cmd, arg in COMMANDS:
        assert re.search(rf'^(CS231N_QUICK=1 )?nbgrader {cmd} "{re.escape(arg)}"', section, flags=re.M), cmd
    assert "make venv EXTRAS=dev,teach" in section and "python -m tools.nbgrader_meta" in section


HARDCODED = ("X = X.astype(np.float32) / 255.0", "X = X.reshape(100, 32, 32, 3).astype(np.float32) / 255.0")
AUTOGRADED = {"00_getting_started": {"solution": None, "hardcoded": None},
              "01_knn": {"solution": None, "stub": "choose_k"}}


def _nbgrader_or_skip():
    if importlib.util.find_spec("nbgrader") is None:
        reason = "nbgrader is not installed (teachers' extra: pip install -e '.[teach]')"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} - CI must run the nbgrader round trip (.ci/run installs the teach extra)")
        pytest.skip(reason)


def _submission(release: dict, source: dict, leave: str | None = None) -> dict:
    """What a student hands in: the released notebook with every exercise and written answer
    filled in from the solution notebook (``leave``: that exercise stays the stub)."""
    sub = copy.deepcopy(release)
    for cell, orig, role in zip(sub["cells"], source["cells"], meta.roles(source)):
        if role and role[0] in ("exercise", "answer") and role[1] != leave:
            cell["source"] = orig["source"]
    return sub


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder after the README's commands; ``times`` holds each step's wall time."""
    _nbgrader_or_skip()
    stale = [p for path in NOTEBOOKS for p in meta.problems(read(path), f"notebooks/{path.name}")]
    assert not stale, "nbgrader would refuse these notebooks:\n" + "\n".join(stale)
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    for path in NOTEBOOKS:  # source/<assignment>/<notebook>.ipynb, one assignment per notebook
        nb = read(path)
        if path.stem == "00_getting_started":  # a hidden test, as the README says to add one
            check = next(i for i, r in enumerate(meta.roles(nb)) if r and r[0] == "check")
            nb["cells"][check]["source"] = src(nb["cells"][check]).rstrip("\n") + "\n" + HIDDEN_TEST
        write(root / "source" / path.stem / path.name, nb)
    env = dict(os.environ, CS231N_QUICK="1")
    # nbgrader runs `alembic` (and the kernels) from PATH: the venv's bin first, as when activated
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    times, logs = {}, {}

    def nbgrader(*args):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=1800)  # a hang guard
        times[" ".join(args)] = time.perf_counter() - t0
        logs[" ".join(args)] = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"

    nbgrader(*COMMANDS[0])
    for name, students in AUTOGRADED.items():
        source = read(root / "source" / name / f"{name}.ipynb")
        release = read(root / "release" / name / f"{name}.ipynb")
        for student, leave in students.items():
            sub = _submission(release, source, leave)
            if student == "hardcoded":
                i = next(i for i, c in enumerate(sub["cells"]) if HARDCODED[0] in src(c))
                sub["cells"][i]["source"] = src(sub["cells"][i]).replace(*HARDCODED)
            write(root / "submitted" / student / name / f"{name}.ipynb", sub)
    for cmd in COMMANDS[1:]:  # every submitted assignment
        nbgrader(*cmd)
    print("nbgrader round trip, wall seconds per command:",
          ", ".join(f"{k}: {v:.1f}" for k, v in times.items()), f"(total {sum(times.values()):.1f})")
    return {"root": root, "times": times, "logs": logs}


def _scores(root, name, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sn = gb.find_submission_notebook(name, name, student)
        return {g.name: (g.score, g.max_score, g.needs_manual_grade, g.cell_type) for g in sn.grades}


@pytest.mark.slow
def test_generate_assignment_makes_our_student_version_of_every_notebook(course):
    """nbgrader and tools.exercises stub the same regions, cell for cell."""
    for path in NOTEBOOKS:
        release = read(course["root"] / "release" / path.stem / path.name)
        source = read(course["root"] / "source" / path.stem / path.name)  # as generated
        ours = ex.make_student(source, path.name)
        assert [src(c) for c in release["cells"]] == [src(c) for c in ours["cells"]], path.name
        assert "HIDDEN TESTS" not in json.dumps(release)
        locked = [c["metadata"].get("editable") is False for c in release["cells"]]
        assert locked == [bool(m and m["locked"]) for m in meta.expected(source)], \
            f"{path.name}: the checks and read-only cells, and only they, cannot be edited"


@pytest.mark.slow
def test_the_solution_scores_every_autograded_point(course):
    for name in AUTOGRADED:
        grades = _scores(course["root"], name, "solution")
        code = {k: v for k, v in grades.items() if v[3] == "code"}
        written = {k: v for k, v in grades.items() if v[3] == "markdown"}
        roles = [r for r in meta.roles(read(course["root"] / "source" / name / f"{name}.ipynb")) if r]
        assert sorted(code) == sorted(g for role, g in roles if role == "check") and code
        assert all(score == top == meta.POINTS for score, top, _, _ in code.values()), code
        assert sorted(written) == sorted(g for role, g in roles if role == "answer")
        assert all(needs for _, _, needs, _ in written.values()), "written answers wait for a person"


@pytest.mark.slow
def test_an_exercise_left_as_the_stub_loses_its_point_and_says_so(course):
    root = course["root"]
    sol, stub = _scores(root, "01_knn", "solution"), _scores(root, "01_knn", "stub")
    lost = {k for k in sol if sol[k][0] != stub[k][0]}
    assert lost == {"check_choose_k"} and stub["check_choose_k"][:2] == (0, meta.POINTS)
    html = (root / "feedback" / "stub" / "01_knn" / "01_knn.html").read_text(encoding="utf-8")
    assert "not implemented yet" in html and "check_choose_k" in html
    assert "not implemented yet" not in (root / "feedback" / "solution" / "01_knn" / "01_knn.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_hidden_test_runs_at_autograde_and_costs_the_point(course):
    root = course["root"]
    graded = read(root / "autograded" / "hardcoded" / "00_getting_started" / "00_getting_started.ipynb")
    assert any("BEGIN HIDDEN TESTS" in src(c) for c in graded["cells"]), "autograde restores the hidden tests"
    hardcoded = _scores(root, "00_getting_started", "hardcoded")
    assert [k for k, v in hardcoded.items() if v[0] != v[1]] == ["check_preprocess"]
    html = (root / "feedback" / "hardcoded" / "00_getting_started" / "00_getting_started.html").read_text(encoding="utf-8")
    assert "cannot reshape array" in html, "the feedback shows why the hidden test failed"
    assert (root / "feedback" / "solution" / "00_getting_started" / "00_getting_started.html").stat().st_size > 0
