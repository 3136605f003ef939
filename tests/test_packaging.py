"""Layout and packaging: environment.yml agrees with pyproject.toml; CI runs the README's command."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

CONDA_NAMES = {"torch": "pytorch"}  # PyPI name -> conda-forge name


def _split(req):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _environment():
    deps, pip = {}, []
    text = (ROOT / "environment.yml").read_text()
    lines = text.split("\ndependencies:", 1)[1].splitlines()
    in_pip = False
    for line in lines:
        s = line.split("#")[0].rstrip()
        if re.match(r"^\s+- pip:\s*$", s):
            in_pip = True
            continue
        m = re.match(r"^(\s+)- (.+)$", s)
        if not m:
            continue
        if in_pip and len(m.group(1)) > 2:
            pip.append(m.group(2).strip())
        else:
            in_pip = False
            name, spec = _split(m.group(2))
            deps[name] = spec
    return deps, pip


def _pyproject_requirements(project):
    """The core dependencies and the ``dev`` extra: what both install routes give (``make venv``
    installs ``-e ".[dev]"``; environment.yml lists the same packages from conda-forge)."""
    return list(project["dependencies"]) + list(project.get("optional-dependencies", {}).get("dev", []))


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps, pip = _environment()
    assert "conda-forge" in (ROOT / "environment.yml").read_text()
    assert pip == ["-e ."], "environment.yml must finish with `pip install -e .`"
    requirements = _pyproject_requirements(project)
    for req in requirements:
        name, spec = _split(req)
        conda = CONDA_NAMES.get(name, name)
        assert conda in deps, f"{name} is in pyproject.toml but not in environment.yml"
        assert deps[conda] == spec, f"{name}: pyproject says {spec!r}, environment.yml says {deps[conda]!r}"
    pyproject_names = {CONDA_NAMES.get(_split(r)[0], _split(r)[0]) for r in requirements}
    extra = set(deps) - pyproject_names - {"python", "pip"}
    assert not extra, f"environment.yml has packages that pyproject.toml lacks: {extra}"
    assert deps["python"] == project["requires-python"].replace(" ", "")


def test_dependencies_are_the_agreed_set():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_split(r)[0] for r in project["dependencies"]}
    assert names == {"numpy", "matplotlib", "torch", "tqdm", "ipywidgets", "jupyterlab", "nbval", "pytest"}
    assert not names & {"torchvision", "scipy", "scikit-learn"}
    extras = project.get("optional-dependencies", {})
    # the extras are tools for contributors and teachers (benchmarks, browser tests, ...), never a learner's need
    assert "dev" in extras and {_split(r)[0] for r in extras["dev"]} == {"threadpoolctl"}
    assert not {_split(r)[0] for reqs in extras.values() for r in reqs} & names, "an extra repeats a dependency"
    assert all(_split(r)[1].startswith(">=") for r in _pyproject_requirements(project)), "keep requirements ranges"


def test_make_venv_installs_the_dev_extra_and_ci_every_extra():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^EXTRAS \?= dev\s*$", makefile, flags=re.M), "a learner's make venv installs only dev"
    assert re.search(r'^\t\$\(PY\) -m pip install --quiet -e "\.\[\$\(EXTRAS\)\]"\s*$', makefile, flags=re.M)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    ci = re.search(r'^export EXTRAS="\$\{EXTRAS:-([\w,]+)\}"', (ROOT / ".ci" / "run").read_text(), flags=re.M)
    assert ci, ".ci/run sets EXTRAS"
    assert set(ci.group(1).split(",")) == set(extras), "CI installs every extra, so the tests that need one run there"


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(make \w+)\s*$", quick, flags=re.M)
    assert commands == ["make lab", "make test"], commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, flags=re.M)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: venv", makefile, flags=re.M) and re.search(r"^test: venv", makefile, flags=re.M)


def test_top_level_layout():
    for name in ["notebooks", "cs231n_helpers", "data", "tests", "benchmarks", "environment.yml",
                 "README.md", "pyproject.toml", "Makefile", ".ci/run", "data/README.md"]:
        assert (ROOT / name).exists(), name
