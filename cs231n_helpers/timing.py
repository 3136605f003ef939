"""Timing helpers: a ``Timer`` context manager, ``time_fn`` (median seconds) and ``measure``
(median, min and every run; used by the benchmark suite).

On a shared machine single timings are noisy: take the median of several runs after a
warm-up (first calls pay for allocation, caches and lazy imports), and compare ratios
measured in the same process rather than absolute times.

    with Timer() as t:
        dists = knn.compute_distances_no_loops(X_test)
    print(f"no loops: {t}")                     # e.g. "no loops: 41.2 ms"

    seconds = time_fn(knn.compute_distances_no_loops, X_test, repeat=5)
"""
from __future__ import annotations

import statistics
import time

__all__ = ["Timer", "time_fn", "measure", "format_seconds"]


def format_seconds(seconds: float) -> str:
    """Human-readable duration: '812 us', '41.2 ms', '3.05 s', '2 min 05 s'."""
    s = float(seconds)
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    if s < 120:
        return f"{s:.2f} s"
    m, r = divmod(s, 60)
    return f"{int(m)} min {r:02.0f} s"


class Timer:
    """Wall-clock timer (``time.perf_counter``).

    As a context manager: ``with Timer() as t: ...`` then ``t.elapsed`` (seconds). While
    running, ``elapsed`` is the time so far. Also usable by hand: ``t = Timer().start()``,
    ``t.stop()`` (returns the elapsed seconds). ``Timer("name", verbose=True)`` prints one line
    when the block ends.
    """

    def __init__(self, name: str | None = None, verbose: bool = False):
        self.name = name
        self.verbose = verbose
        self._start: float | None = None
        self._elapsed = 0.0

    def start(self) -> "Timer":
        self._start = time.perf_counter()
        return self

    def stop(self) -> float:
        if self._start is None:
            raise RuntimeError("Timer.stop() called before Timer.start()")
        self._elapsed = time.perf_counter() - self._start
        self._start = None
        if self.verbose:
            print(f"{self.name or 'elapsed'}: {format_seconds(self._elapsed)}")
        return self._elapsed

    @property
    def elapsed(self) -> float:
        """Seconds: the final time once stopped, the time so far while running."""
        if self._start is not None:
            return time.perf_counter() - self._start
        return self._elapsed

    def __enter__(self) -> "Timer":
        return self.start()

    def __exit__(self, *exc) -> bool:
        self.stop()
        return False

    def __str__(self) -> str:
        return format_seconds(self.elapsed)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Timer({label}elapsed={self.elapsed:.6f})"


def _check_counts(repeat, warmup):
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise ValueError(f"repeat must be an int >= 1, got {repeat!r}")
    if not isinstance(warmup, int) or isinstance(warmup, bool) or warmup < 0:
        raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")


def measure(fn, repeat: int = 5, warmup: int = 1, sync=None, args=(), kwargs=None) -> dict:
    """Call ``fn(*args, **kwargs)`` ``warmup`` times untimed, then ``repeat`` times timed.

    ``sync`` (optional, e.g. ``torch.cuda.synchronize``) is called before starting and after
    each call so that asynchronous GPU work is counted.
    Returns ``{"median": s, "min": s, "mean": s, "runs": [s, ...], "repeat": n, "warmup": k}``.
    """
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    _check_counts(repeat, warmup)
    kwargs = kwargs or {}
    for _ in range(warmup):
        fn(*args, **kwargs)
    if sync is not None:
        sync()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        if sync is not None:
            sync()
        runs.append(time.perf_counter() - t0)
    return {
        "median": statistics.median(runs),
        "min": min(runs),
        "mean": statistics.fmean(runs),
        "runs": runs,
        "repeat": repeat,
        "warmup": warmup,
    }


def time_fn(fn, *args, repeat: int = 5, warmup: int = 1, **kwargs) -> float:
    """Median wall-clock seconds of ``fn(*args, **kwargs)`` over ``repeat`` runs after ``warmup``."""
    return measure(fn, repeat=repeat, warmup=warmup, args=args, kwargs=kwargs)["median"]
