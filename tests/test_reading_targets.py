"""How the notebooks read, in numbers (issue 12): <= 60 code lines before the first exercise, no
code cell over 40 lines, no solution region over 25 lines, and at least 6 figures in every
teaching notebook. Measured by the shared tool ../shared/tools/nb_reading_stats.py (beside the
checkout, in CI too)."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT.parent / "shared" / "tools" / "nb_reading_stats.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TEACHING = [p for p in NOTEBOOKS if not p.name.startswith("00_")]   # 00 is the tour of the setup


def _tool():
    if not TOOL.exists():
        pytest.skip(f"{TOOL} not found: the reading targets are measured by the shared tool beside the checkout")
    spec = importlib.util.spec_from_file_location("nb_reading_stats", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_reading_targets(path):
    tool = _tool()
    stats = tool.stats(str(path))
    misses = [f"{k} {stats[k]} > {limit}" for k, limit in tool.TARGETS.items()
              if stats[k] is not None and stats[k] > limit]
    assert not misses, f"{path.name}: " + "; ".join(misses)


@pytest.mark.parametrize("path", TEACHING, ids=[p.stem for p in TEACHING])
def test_teaching_notebooks_have_six_figures(path):
    assert _tool().stats(str(path))["figures"] >= 6, f"{path.name}: fewer than 6 cells draw a figure"
