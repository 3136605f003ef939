"""The benchmark suite (``make bench``) is not part of the default test run; this runs one tiny
case through the whole machinery (registry, check, paired timing and its self-check, table, JSON)
so it cannot rot. ``tests/test_benchmarks_fairness.py`` tests the self-check itself."""
import json

import pytest

from benchmarks import core
from benchmarks.run import load_cases, main


def test_tiny_case_end_to_end(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--only", "smoke", "--quick", "--pause", "0.1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ratio = ours / reference" in printed and "smoke" in printed and "timed alone" in printed
    data = json.loads(out.read_text())
    meta = data["meta"]
    for key in ("date", "cpu", "cores_usable", "load_average_1_5_15", "load_average_after", "numpy",
                "numpy_blas_threads", "numpy_blas_threads_from", "thread_pools", "torch", "torch_threads"):
        assert key in meta
    assert meta["torch_threads"] == (meta["numpy_blas_threads"] or meta["cores_usable"])
    settings = data["settings"]
    assert settings["method"] == "blocks" and settings["pause_s"] == 0.1 and settings["unfair_tolerance"] == 0.15
    (row,) = data["results"]
    # the self-check ran: the reference alone and paired, both medians in the JSON; on a busy
    # machine the verdict may honestly be UNFAIR (then no ratio is reported)
    fairness = row["details"]["fairness"]
    assert fairness["ref_alone_s"] > 0 and fairness["ref_paired_s"] == pytest.approx(row["ref_s"])
    assert len(fairness["ref_alone_runs"]) >= 3
    assert row["verdict"] in ("met", "MISSED", "UNFAIR"), row
    assert fairness["fair"] == (row["verdict"] != "UNFAIR")
    assert row["ours_s"] > 0 and row["ref_s"] > 0
    if row["verdict"] != "UNFAIR":
        assert row["ratio"] == pytest.approx(row["ours_s"] / row["ref_s"])
    assert row["details"]["repeats"] >= 3 and row["details"]["method"] == "blocks"
    assert "max rel. error" in row["details"]["check"]
    assert "| smoke |" in data["markdown_table"]


def test_every_default_case_is_registered():
    names = {c.name for c in load_cases()}
    assert {"knn", "linear", "affine", "conv", "pool", "twolayer", "threelayer", "gpu", "notebooks"} <= names
    assert not hasattr(core, "need")  # the modules always exist: the cases import them directly


def test_verdicts_and_wrong_results():
    # this test is about verdicts, not fairness: a wide tolerance keeps a busy machine out of it
    bench = core.Bench(quick=True, verbose=False, pause_s=0.05, tolerance=10.0)
    fast = bench.compare("v", lambda: None, lambda: sum(range(20000)), "ref", core.Target("ratio", 1.0))
    assert fast.verdict == "met" and fast.ratio < 1
    wrong = bench.compare("v", lambda: None, lambda: None, "ref", core.Target("ratio", 1.0),
                          check=lambda: core.check_all([("out", [1.0], [2.0])], 1e-6))
    assert wrong.verdict == "WRONG" and wrong.ours_s is None
    assert core.Target("speedup", 50).met(1 / 60) and not core.Target("speedup", 50).met(1 / 40)
