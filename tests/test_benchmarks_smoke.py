"""The benchmark suite (``make bench``) is not part of the default test run; this runs one tiny
case through the whole machinery (registry, check, paired timing, table, JSON) so it cannot rot."""
import json

import pytest

from benchmarks import core
from benchmarks.run import load_cases, main


def test_tiny_case_end_to_end(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--only", "smoke", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ratio = ours / reference" in printed and "smoke" in printed
    data = json.loads(out.read_text())
    meta = data["meta"]
    for key in ("date", "cpu", "cores_usable", "numpy", "numpy_blas_threads", "torch", "torch_threads"):
        assert key in meta
    assert meta["torch_threads"] == (meta["numpy_blas_threads"] or meta["cores_usable"])
    (row,) = data["results"]
    if row["verdict"] == "skipped":  # cs231n_helpers.layers not exported yet
        assert "not there yet" in row["note"] or "has no" in row["note"]
        return
    assert row["verdict"] in ("met", "MISSED"), row
    assert row["ratio"] > 0 and row["ours_s"] > 0 and row["ref_s"] > 0
    assert row["ratio"] == pytest.approx(row["ours_s"] / row["ref_s"])
    assert row["details"]["repeats"] >= 3
    assert "max rel. error" in row["details"]["check"]
    assert "| smoke |" in data["markdown_table"]


def test_every_default_case_is_registered_and_missing_modules_skip():
    names = {c.name for c in load_cases()}
    assert {"knn", "linear", "affine", "conv", "pool", "twolayer", "threelayer", "gpu", "notebooks"} <= names
    with pytest.raises(core.Skip, match="not there yet"):
        core.need("cs231n_helpers.no_such_module")
    with pytest.raises(core.Skip, match="has no"):
        core.need("cs231n_helpers.timing", "no_such_function")


def test_verdicts_and_wrong_results():
    bench = core.Bench(quick=True, verbose=False)
    fast = bench.compare("v", lambda: None, lambda: sum(range(20000)), "ref", core.Target("ratio", 1.0))
    assert fast.verdict == "met" and fast.ratio < 1
    wrong = bench.compare("v", lambda: None, lambda: None, "ref", core.Target("ratio", 1.0),
                          check=lambda: core.check_all([("out", [1.0], [2.0])], 1e-6))
    assert wrong.verdict == "WRONG" and wrong.ours_s is None
    assert core.Target("speedup", 50).met(1 / 60) and not core.Target("speedup", 50).met(1 / 40)
