"""Timing helpers: Timer, time_fn, measure."""
import time

import pytest

from cs231n_helpers.timing import Timer, format_seconds, measure, time_fn


def test_timer_context_manager_measures_a_sleep():
    with Timer() as t:
        time.sleep(0.02)
    assert 0.015 <= t.elapsed < 1.0
    frozen = t.elapsed
    time.sleep(0.005)
    assert t.elapsed == frozen  # stopped: no longer grows
    assert str(t).endswith("ms")


def test_timer_by_hand_and_running_elapsed():
    t = Timer("x").start()
    time.sleep(0.01)
    assert t.elapsed > 0  # running: time so far
    assert t.stop() >= 0.005
    with pytest.raises(RuntimeError):
        Timer().stop()


def test_timer_verbose_prints_one_line(capsys):
    with Timer("step", verbose=True):
        pass
    out = capsys.readouterr().out
    assert out.startswith("step: ") and out.count("\n") == 1


def test_time_fn_returns_median_and_passes_arguments():
    calls = []

    def f(a, b=0):
        calls.append((a, b))
        time.sleep(0.002)

    s = time_fn(f, 1, b=2, repeat=3, warmup=2)
    assert len(calls) == 5 and calls[0] == (1, 2)
    assert 0.001 < s < 0.5


def test_measure_reports_median_min_and_runs():
    r = measure(lambda: time.sleep(0.001), repeat=4, warmup=0)
    assert len(r["runs"]) == 4
    assert r["min"] <= r["median"] <= max(r["runs"])
    assert r["repeat"] == 4 and r["warmup"] == 0
    synced = []
    measure(lambda: None, repeat=2, warmup=1, sync=lambda: synced.append(1))
    assert len(synced) == 3  # once before timing, once after each timed call


@pytest.mark.parametrize("kw", [{"repeat": 0}, {"repeat": 1.5}, {"warmup": -1}])
def test_bad_counts_are_value_errors(kw):
    with pytest.raises(ValueError, match="repeat|warmup"):
        measure(lambda: None, **kw)


def test_format_seconds():
    assert format_seconds(5e-6) == "5 us"
    assert format_seconds(0.0412) == "41.2 ms"
    assert format_seconds(3.049) == "3.05 s"
    assert format_seconds(125) == "2 min 05 s"
