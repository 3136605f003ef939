"""`make lab` in a real browser: the learner's first minutes, then notebook 01's k slider.

Headless Chromium (tests/_browser.py) against the JupyterLab that `make lab` starts on a
throwaway workspace (tests/test_lab.py's lab_server; the learner's workspace/ is never touched):

1. the first landing page is the workspace: its README open, its notebooks in the file browser;
   the solutions are one click away (the root of the path shows notebooks/ beside it);
2. in the student version of 01_knn, the first cells run and the first check says
   "not implemented yet"; the learner types the solution into the exercise cell, and the check passes;
3. with the exercises done (the test puts the solutions back into the learner's copy, as a
   learner who finished them would have it), Run All Cells reaches the widget cell: the sliders
   render, and moving the k slider redraws the vote.

Screenshots of each step go to $CS231N_SCREENSHOTS when set, else to pytest's tmp_path.
Kernels run in quick mode (CS231N_QUICK=1 from the root conftest) on CS231N_DATA when set.
"""
import json
import os
import re
import time
from pathlib import Path

import pytest

from _browser import browser
from test_lab import NOTEBOOKS, ROOT, TOKEN, ex, lab_server, needs_venv

NOTEBOOK = "01_knn.ipynb"
WAIT_MS = 240_000  # generous: the kernel shares 2 cores with whatever else runs


def _first_exercise(nb):
    """Indices of the first exercise cell of a student notebook (the first stub) and of its check cell."""
    cells = nb["cells"]
    stub = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and "raise NotImplementedError()" in "".join(c["source"]))
    return stub, ex.check_cell_after(cells, stub)


def _open_notebook(page, base, path, n_cells):
    page.goto(f"{base}/lab/tree/{path}?token={TOKEN}")
    # JupyterLab renders the cells of a long notebook a batch at a time: wait for all of them
    page.wait_for_function(f"document.querySelectorAll('.jp-Notebook .jp-Cell').length >= {n_cells}", timeout=WAIT_MS)
    _wait_idle(page)


def _wait_idle(page):
    """Until the status bar says the kernel is idle."""
    page.wait_for_function("[...document.querySelectorAll('.jp-StatusBar-Item')]"
                           ".some(e => /ipykernel\\) \\| Idle/.test(e.textContent))", timeout=WAIT_MS)


def _shot(page, shots, name):
    page.screenshot(path=str(shots / name))


@needs_venv
@pytest.mark.skipif(not (ROOT / "notebooks" / NOTEBOOK).exists(), reason=f"needs notebooks/{NOTEBOOK}")
def test_make_lab_in_a_browser(tmp_path):
    shots = Path(os.environ.get("CS231N_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    def phase(what):  # printed when the test fails (and with -s): where the time went
        print(f"{time.time() - t0:6.1f} s  {what}", flush=True)

    with lab_server(tmp_path) as (base, ws, _), browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        phase("make lab answered, Chromium started")

        # 1. landing: the workspace's README beside the file browser on the workspace; the solutions beside it
        page.goto(f"{base}/?token={TOKEN}")
        page.wait_for_selector(".jp-DirListing-itemName >> text=README.md", timeout=WAIT_MS)
        page.wait_for_selector(".jp-FileEditor >> text=Your workspace", timeout=WAIT_MS)
        assert page.inner_text(".jp-BreadCrumbs").replace(" ", "").strip("/") == ws
        listed = {e.inner_text() for e in page.query_selector_all(".jp-DirListing-itemName")}
        assert {p.name for p in NOTEBOOKS} | {"README.md"} <= listed, listed
        _shot(page, shots, "1-landing.png")
        phase("landing page shown")
        page.click(".jp-BreadCrumbs-home")  # one click: the repository root
        page.wait_for_selector(".jp-DirListing-itemName >> text=notebooks", timeout=WAIT_MS)
        listed = {e.inner_text() for e in page.query_selector_all(".jp-DirListing-itemName")}
        assert {"notebooks", ws} <= listed, listed
        _shot(page, shots, "2-root.png")
        phase("root listed")

        # 2. the student version: run the first cells up to the first check, then do the exercise
        student = json.loads((ROOT / ws / NOTEBOOK).read_text())
        solution = ex.read_notebook(ROOT / "notebooks" / NOTEBOOK)
        n_cells, (stub, check) = len(student["cells"]), _first_exercise(student)
        _open_notebook(page, base, f"{ws}/{NOTEBOOK}", n_cells)
        phase("student notebook open, kernel idle")
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.nth(0).click()
        for _ in range(check + 1):
            page.keyboard.press("Shift+Enter")
        out = cells.nth(check).locator(".jp-OutputArea-output")
        out.first.wait_for(timeout=WAIT_MS)
        assert "not implemented yet" in out.first.inner_text()
        for i in range(check):  # the cells before it ran without an error
            for text in cells.nth(i).locator(".jp-OutputArea-output").all_inner_texts():
                assert "Traceback" not in text, f"cell {i}: {text[-500:]}"
        _shot(page, shots, "3-first-check.png")
        phase("first cells ran, first check: not implemented yet")
        # the learner writes the solution into the exercise cell and runs it and its check again
        cells.nth(stub).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text("".join(solution["cells"][stub]["source"]))
        for _ in range(stub, check + 1):
            page.keyboard.press("Shift+Enter")
        page.wait_for_function("i => { const out = document.querySelectorAll('.jp-Notebook .jp-Cell')[i]"
                               "?.querySelector('.jp-OutputArea'); return !!out && out.textContent.includes('\u2713'); }",
                               arg=check, timeout=WAIT_MS)
        verdict = "\n".join(cells.nth(check).locator(".jp-OutputArea-output").all_inner_texts())
        assert "\u2713" in verdict and "not implemented" not in verdict and "\u2717" not in verdict, verdict
        _shot(page, shots, "4-first-check-passes.png")
        phase("solution typed, check passes")
        page.close()

        # 3. the exercises done: Run All Cells reaches the k slider
        done = ex.reinsert_solutions(student, solution)
        (ROOT / ws / NOTEBOOK).write_text(ex.dumps(done))
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        _open_notebook(page, base, f"{ws}/{NOTEBOOK}", n_cells)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        widget = page.locator(".widget-interact").first
        widget.wait_for(timeout=WAIT_MS)
        _wait_idle(page)
        outputs = "\n".join(page.locator(".jp-Notebook .jp-OutputArea-output").all_inner_texts())
        assert "Traceback" not in outputs and "✗" not in outputs, outputs[-3000:]
        k_slider = widget.locator(".widget-slider", has=page.locator("label", has_text=re.compile("^k$")))
        handle = k_slider.locator(".noUi-handle")
        k = int(float(handle.get_attribute("aria-valuenow")))
        image = widget.locator(".widget-output img")
        image.wait_for(timeout=WAIT_MS)
        before = image.get_attribute("src")
        assert before.startswith("data:image/png") and image.evaluate("img => img.naturalWidth") > 0
        widget.scroll_into_view_if_needed()
        _shot(page, shots, "5-widget.png")
        phase("Run All Cells reached the widget")

        handle.focus()
        page.keyboard.press("ArrowRight")  # k -> k + 1: the kernel redraws the vote
        deadline = time.time() + WAIT_MS / 1000
        while time.time() < deadline and image.get_attribute("src") in (None, before):
            time.sleep(0.2)
        assert int(float(handle.get_attribute("aria-valuenow"))) == k + 1
        assert k_slider.locator(".widget-readout").inner_text().strip() == str(k + 1)
        after = image.get_attribute("src")
        assert after.startswith("data:image/png") and after != before, "moving the k slider did not redraw the vote"
        _shot(page, shots, "6-widget-k+1.png")
        phase("k slider moved, vote redrawn")
