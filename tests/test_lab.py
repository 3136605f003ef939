"""`make lab` writes the learner's workspace and opens JupyterLab on it (headless, free loopback port).

The tests point `make lab` at a throwaway workspace (WORKSPACE=workspace-test-..., inside the
repository as the real one is, git-ignored) and never touch a learner's `workspace/`.
`lab_server` is shared with the browser test (tests/test_lab_browser.py).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import exercises as ex  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOKEN = "cs231n-test-token"
needs_venv = pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "jupyter").exists(),
                                reason="needs the project's .venv (make test creates it)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.geturl(), r.read()


def _snapshot(folder):
    """Names, sizes and modification times of everything under ``folder`` (None if absent)."""
    if not folder.exists():
        return None
    return sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))


@contextmanager
def lab_server(tmp_path):
    """Run `make lab` on a fresh throwaway workspace; yields (base_url, workspace name, make's output so far).

    The workspace folder is removed afterwards; JupyterLab's runtime, config and data folders
    are temporary too. `make -o venv` uses .venv as it is: the test never (re)installs packages.
    """
    name = f"workspace-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
            f"--IdentityProvider.token={TOKEN}")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-ws"))
    log = tmp_path / "make-lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "-o", "venv", "lab", f"WORKSPACE={name}", f"LAB_ARGS={args}"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, up = time.time() + 120, False
        while time.time() < deadline and proc.poll() is None and not up:
            try:
                _get(f"{base}/api/status?token={TOKEN}", timeout=5)
                up = True
            except OSError:
                time.sleep(0.5)
        assert up, f"JupyterLab did not answer on port {port}:\n{log.read_text(errors='replace')}"
        yield base, name, log.read_text(errors="replace")
        req = urllib.request.Request(f"{base}/api/shutdown?token={TOKEN}", method="POST")
        urllib.request.urlopen(req, timeout=10).close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(ROOT / name, ignore_errors=True)


def _listing(base, path):
    return {item["name"]: item for item in json.loads(_get(f"{base}/api/contents/{path}?token={TOKEN}")[1])["content"]}


@needs_venv
@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")
def test_make_lab_opens_the_workspace_beside_the_solutions(tmp_path):
    real_workspace = _snapshot(ROOT / "workspace")
    with lab_server(tmp_path) as (base, name, output):
        assert f"student versions -> {name}/" in output, output
        # the first landing page is the workspace's README (/ redirects there); later ones the workspace
        url, page = _get(f"{base}/?token={TOKEN}")
        assert url.split("?")[0] == f"{base}/lab/tree/{name}/README.md" and b"JupyterLab" in page, url
        again = subprocess.run(["make", "-n", "-o", "venv", "lab", f"WORKSPACE={name}"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
        assert f"--LabApp.default_url=/lab/tree/{name} " in again, again
        # the workspace holds the student versions and its README
        mine = _listing(base, name)
        assert set(mine) == {p.name for p in NOTEBOOKS} | {"README.md"}, sorted(mine)
        for p in NOTEBOOKS:
            student = json.loads((ROOT / name / p.name).read_text())
            assert student == ex.make_student(ex.read_notebook(p), p.name), f"{p.name} is not the student version"
        assert "notebooks/" in (ROOT / name / "README.md").read_text()
        # the solutions are one level up, beside the workspace, in the same file browser
        top = _listing(base, "")
        assert {"notebooks", name} <= set(top) and top["notebooks"]["type"] == "directory"
        assert {p.name for p in NOTEBOOKS} <= set(_listing(base, "notebooks"))
    assert not (ROOT / name).exists()
    assert _snapshot(ROOT / "workspace") == real_workspace, "the test touched the learner's workspace/"


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks in notebooks/ yet")
def test_workspace_readme_follows_the_notebook_rules(tmp_path, capsys):
    ws = tmp_path / "ws"
    now = ex._dt.datetime(2026, 1, 2, 3, 4, 5)
    assert ex.write_workspace_readme(ws) == "new"
    text = (ws / "README.md").read_text()
    assert "notebooks/" in text and "--force" in text and "git pull" in text
    assert f"--dest {ws} --force" in text  # a workspace elsewhere: the command says where
    assert ex.write_workspace_readme(ws) == "up to date"
    (ws / "README.md").write_text(text + "my notes\n")
    assert ex.write_workspace_readme(ws) == "kept"
    assert (ws / "README.md").read_text() == text + "my notes\n"
    assert "kept" in capsys.readouterr().out
    assert ex.write_workspace_readme(ws, force=True, now=now) == "replaced"
    assert (ws / "README.md").read_text() == text
    assert (ws / ".backups" / "README.20260102-030405.md").read_text() == text + "my notes\n"
    # the command line forces it only when no notebook is named (the whole workspace is refreshed)
    (ws / "README.md").write_text("mine")
    assert ex.main(["--dest", str(ws), "--force", str(NOTEBOOKS[0])]) == 0
    assert (ws / "README.md").read_text() == "mine"
    assert ex.main(["--dest", str(ws), "--force"]) == 0
    assert (ws / "README.md").read_text() == text


def test_default_workspace_readme_names_the_repository_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(ex, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(ex, "NOTEBOOK_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(ex, "WORKSPACE_DIR", tmp_path / "workspace")
    assert ex.write_workspace_readme(tmp_path / "workspace", log=lambda s: None) == "new"
    text = (tmp_path / "workspace" / "README.md").read_text()
    assert "`notebooks/`: the **solution notebooks**" in text and "`workspace/` (here)" in text
    assert ".venv/bin/python -m tools.exercises --force 01_knn" in text
    assert "`workspace/.backups/01_knn.<date-time>.ipynb`" in text
