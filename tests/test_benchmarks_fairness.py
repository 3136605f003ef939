"""The benchmark suite's self-check (issue 16): in every comparison the reference is also timed
alone, and a reference whose paired median is more than 15% away from its alone median makes
the comparison UNFAIR instead of a ratio.

The pairs here are made of sleeps whose side effect is controlled, never real code: speed is
measured by the suite as ratios, not asserted in tests. The sleeps are long enough (and the
margins wide enough) for a loaded machine: ``time.sleep`` never returns early, so a pause
always outlasts the window, and load only adds a little to both sides.
"""
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import core

ROOT = Path(__file__).resolve().parents[1]
WINDOW_S = 0.05  # how long "ours" keeps its threads spinning after it returns
PAUSE_S = 0.1  # the suite's quiet pause in these tests: twice the window


class SpinningPair:
    """What OpenBLAS does to PyTorch on 2 cores, made deterministic: after ``ours`` returns its
    worker threads keep spinning for ``WINDOW_S``, and a reference call started in that window
    takes ``slowdown`` times as long. ``slowdown=1`` is an honest pair."""

    def __init__(self, ours_s=0.002, ref_s=0.002, slowdown=3.0):
        self.ours_s, self.ref_s, self.slowdown = ours_s, ref_s, slowdown
        self.ours_ended = -math.inf

    def ours(self):
        time.sleep(self.ours_s)
        self.ours_ended = time.perf_counter()

    def ref(self):
        spinning = time.perf_counter() - self.ours_ended < WINDOW_S
        time.sleep(self.ref_s * (self.slowdown if spinning else 1.0))


def _bench(method, **kw):
    return core.Bench(quick=True, verbose=False, method=method, pause_s=PAUSE_S, **kw)


def test_interleaved_timing_of_a_disturbed_reference_is_unfair():
    pair = SpinningPair()
    r = _bench("interleaved").compare("spinning", pair.ours, pair.ref, "ref", core.Target("ratio", 1.5))
    assert r.verdict == "UNFAIR", r
    assert r.ratio is None and r.ratio_text() == "-"  # reported as UNFAIR, not as a ratio
    f = r.details["fairness"]
    assert f["deviation"] > 0.5 and f["ref_paired_s"] > f["ref_alone_s"]
    assert f["attempts"] == 2 and f["earlier_deviations"][0] > 0.5  # re-measured once, unfair both times
    assert "reference alone" in r.note and "not reported" in r.note
    assert r.details["unfair_ratio"] < 0.7  # what the old method would have published: flattering (truth 1.0)


def test_blocks_timing_of_the_same_pair_is_fair():
    pair = SpinningPair()
    r = _bench("blocks").compare("spinning", pair.ours, pair.ref, "ref", core.Target("ratio", 1.5))
    assert r.verdict == "met", r  # ours and the undisturbed reference take the same time
    f = r.details["fairness"]
    assert f["fair"] and abs(f["deviation"]) <= f["tolerance"]
    assert r.details["method"] == "blocks" and r.details["rounds"] == 3
    assert r.details["calls_per_sample"]["reference"] > 1  # 2 ms calls, >= 25 ms samples


@pytest.mark.parametrize("method", core.METHODS)
def test_an_honest_pair_is_not_flagged(method):
    pair = SpinningPair(ours_s=0.002, ref_s=0.004, slowdown=1.0)
    r = _bench(method).compare("honest", pair.ours, pair.ref, "ref", core.Target("ratio", 1.0))
    assert r.verdict == "met", r
    assert r.details["fairness"]["fair"] and r.details["method"] == method


def _fixed_timing(ref, alone):
    return core.Timing(ours=[1.0] * 3, ref=[ref] * 3, ref_alone=[alone] * 3, method="blocks",
                       calls_per_sample={"ours": 1, "reference": 1}, rounds=3, pause_s=0.0)


@pytest.mark.parametrize("ref, alone, verdict", [(1.14, 1.0, "met"), (0.87, 1.0, "MISSED"), (1.16, 1.0, "UNFAIR"),
                                                 (0.84, 1.0, "UNFAIR")])
def test_the_tolerance_is_15_percent_either_way(ref, alone, verdict):
    bench = core.Bench(verbose=False)
    calls = []
    bench.time_pair = lambda ours, reference, warmup=True: calls.append(warmup) or _fixed_timing(ref, alone)
    r = bench.compare("v", None, None, "ref", core.Target("ratio", 1.0))  # ours takes 1.0
    assert r.verdict == verdict
    assert len(calls) == (2 if verdict == "UNFAIR" else 1)  # an UNFAIR pair is timed once more


def test_a_retry_that_agrees_is_reported_as_a_ratio():
    bench = core.Bench(verbose=False)
    timings = iter([_fixed_timing(2.0, 1.0), _fixed_timing(1.05, 1.0)])
    bench.time_pair = lambda ours, reference, warmup=True: next(timings)
    r = bench.compare("v", None, None, "ref", core.Target("ratio", 1.0))
    assert r.verdict == "met" and r.ratio == pytest.approx(1 / 1.05)
    assert r.details["fairness"]["attempts"] == 2 and r.details["fairness"]["earlier_deviations"] == [1.0]


def test_blas_threads_through_threadpoolctl_and_the_package_imports_without_it():
    pytest.importorskip("threadpoolctl")
    n, how = core.blas_threads()
    assert n is not None and n >= 1 and how.startswith("threadpoolctl")
    # the package must not need the dev extra: import it with threadpoolctl hidden
    code = ("import sys; sys.modules['threadpoolctl'] = None\n"
            "import cs231n_helpers, cs231n_helpers.reference, cs231n_helpers.timing\n"
            "from benchmarks import core\n"
            "n, how = core.blas_threads()\n"
            "assert 'threadpoolctl not installed' in how, how\n"
            "assert core.set_blas_threads(1) is False and core.thread_pools() == []\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_a_block_begins_with_an_untimed_call_only_for_calls_under_a_tenth_of_a_second():
    counts = {"fast": 0, "slow": 0}

    def fast():
        counts["fast"] += 1
        time.sleep(0.03)

    def slow():
        counts["slow"] += 1
        time.sleep(core.NO_WARMUP_S + 0.01)

    bench = core.Bench(quick=True, verbose=False, pause_s=0.01, tolerance=10.0, min_repeat=3, max_repeat=3)
    r = bench.compare("v", fast, slow, "ref", core.Target("ratio", 1.0))
    assert r.details["block_warmup"] == {"ours": True, "reference": False}
    assert r.details["calls_per_sample"] == {"ours": 1, "reference": 1} and r.details["rounds"] == 3
    # one warm-up and one probe each, then per round: ours 1 untimed + 1 timed; reference 1 + 1 alone
    assert counts == {"fast": 2 + 3 * 2, "slow": 2 + 3 * 2}
