"""Committed notebooks are stripped (except # NBVAL_CHECK_OUTPUT cells), free of absolute
paths and valid nbformat. Every notebook in notebooks/ is checked; the rules themselves are
tested on a small dirty notebook built here."""
from __future__ import annotations

import json

import nbformat
import pytest
from nbformat import v4

from tools import hygiene
from cs231n_helpers.config import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = hygiene.problems(nb, path.name)
    assert not problems, "\n".join(problems) + "\n(run `make strip`; see CONTRIBUTING.md, Hygiene)"


def dirty_notebook() -> dict:
    out = v4.new_output("stream", name="stdout", text="42\n")
    cells = [
        v4.new_markdown_cell("Data lives in `data/`; see https://example.com/home/cifar and $f:\\mathbb{R}^n\\to\\mathbb{R}$."),
        v4.new_code_cell("print(42)", execution_count=3, outputs=[out]),
        v4.new_code_cell("print(42)  # NBVAL_CHECK_OUTPUT", execution_count=4, outputs=[out]),
        v4.new_code_cell("x = 1", execution_count=5, metadata={"execution": {"iopub.status.busy": "2024-01-01"}}),
    ]
    nb = v4.new_notebook(cells=cells, metadata={"widgets": {"state": {}}})
    return json.loads(nbformat.writes(nb))


def test_strip_clears_all_but_check_output_cells():
    nb = dirty_notebook()
    clean = hygiene.strip(nb)
    assert nb != clean and nb["cells"][1]["outputs"], "strip must not modify its input"
    c = clean["cells"]
    assert (c[1]["outputs"], c[1]["execution_count"]) == ([], None)
    assert (c[2]["outputs"], c[2]["execution_count"]) == (nb["cells"][2]["outputs"], 4)
    assert (c[3]["execution_count"], c[3]["metadata"]) == (None, {})
    assert "widgets" not in clean["metadata"]
    assert hygiene.problems(clean) == []
    assert hygiene.strip(clean) == clean


def test_problems_names_each_rule():
    nb = dirty_notebook()
    text = "\n".join(hygiene.problems(nb, "x.ipynb"))
    assert "cell 1 has 1 stored output" in text and "cell 1 has execution_count 3" in text
    assert "cell 2" not in text  # NBVAL_CHECK_OUTPUT keeps its output
    assert "'execution'" in text and "widget state" in text

    nb = hygiene.strip(nb)
    nb["cells"][2]["outputs"] = []
    assert "no stored output" in "\n".join(hygiene.problems(nb))


@pytest.mark.parametrize("snippet", [
    "open('/work/main/data/x.npz')", "# saved in /home/alice/cs231n", "'/Users/bob/cifar'",
    "path = r'C:\\Users\\carol\\cifar'", "/root/.cache/torch",
])
def test_absolute_paths_are_found(snippet):
    nb = hygiene.strip(dirty_notebook())
    nb["cells"][3]["source"] = snippet
    found = hygiene.problems(nb, "x.ipynb")
    assert len(found) == 1 and "absolute path in cells[3].source" in found[0]


@pytest.mark.parametrize("snippet", [
    "https://example.com/home/x", "workspace/01_knn.ipynb", "../README.md", "x / root", "~/work",
    "$f:\\mathbb{R}^n\\to\\mathbb{R}$", "$W:\\R^{D}$", "homework/",
])
def test_no_false_alarms(snippet):
    nb = hygiene.strip(dirty_notebook())
    nb["cells"][3]["source"] = snippet
    assert hygiene.problems(nb) == []


def test_invalid_nbformat_is_reported():
    nb = hygiene.strip(dirty_notebook())
    del nb["cells"][0]["metadata"]
    assert any("not valid nbformat" in p for p in hygiene.problems(nb))
    nb = hygiene.strip(dirty_notebook())
    nb["nbformat"] = 3
    assert any("expected 4" in p for p in hygiene.problems(nb))


def test_command_line(tmp_path, capsys):
    path = tmp_path / "dirty.ipynb"
    path.write_text(json.dumps(dirty_notebook()), encoding="utf-8")
    assert hygiene.main(["--check", str(path)]) == 1
    assert "stored output" in capsys.readouterr().out
    assert hygiene.main(["--strip", str(path)]) == 0
    assert "stripped" in capsys.readouterr().out
    assert hygiene.main(["--check", str(path)]) == 0
    assert "clean" in capsys.readouterr().out
    before = path.read_text(encoding="utf-8")
    assert hygiene.main(["--strip", str(path)]) == 0 and path.read_text(encoding="utf-8") == before
    assert nbformat.validate(nbformat.read(path, as_version=4)) is None


def test_control_characters_in_markdown_are_a_problem():
    """LaTeX written into a non-raw string loses its backslashes: "\\frac" becomes a form feed,
    "\\beta" a backspace, "\\text" a tab. Hygiene must catch it in Markdown."""
    for broken in ("$\frac{a}{b}$", "$\beta$", "$\text{dout}$"):
        nb = json.loads(nbformat.writes(v4.new_notebook(cells=[v4.new_markdown_cell(broken)])))
        found = hygiene.problems(nb, "x.ipynb")
        assert any("control character" in p for p in found), (broken, found)
    ok = json.loads(nbformat.writes(v4.new_notebook(cells=[v4.new_markdown_cell(r"$\frac{a}{b} + \beta$"),
                                                           v4.new_code_cell("x = {\n\t'a': 1}")])))
    assert not [p for p in hygiene.problems(ok, "x.ipynb") if "control character" in p]
