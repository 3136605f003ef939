"""The benchmark framework: cases, fair paired timing, verdicts, machine description, table, JSON.

Every comparison runs in this one process. The default method, ``blocks``, times each side in
its own block: a quiet pause (``pause_s``, default 0.25 s) so that the other side's thread
pools have gone back to sleep, one untimed call (for calls under 0.1 s), then several timed
samples; the blocks alternate (ours, reference, ours, reference, ...) for a few rounds so that
a burst of load from another process hits both sides. The reported ratio is
median(ours) / median(reference).

Why the pause: OpenBLAS's worker threads keep spinning for about 0.1 s after a call returns
(waiting for more work) and PyTorch's OpenMP threads spin too; on a 2-core machine a call
started in that window shares the cores with spinning threads. Timed alternately call by call
(the ``interleaved`` method, kept to demonstrate this), PyTorch's affine+ReLU took 13.9 ms
right after ours against 6.1 ms alone, and ours 14.5 ms right after PyTorch against 7.0 ms.

The suite checks itself: in every round the reference is also timed *alone* (a block that
follows a pause after a block of the reference itself, never one of ours). When
the alone and the paired medians of the reference differ by more than 15%, the comparison is
re-measured once, and if they still differ it is reported as ``UNFAIR`` instead of a ratio.

Cheap functions are called ``k`` times per sample so that a sample lasts >= 25 ms; the number
of samples adapts to the case's cost within a per-case time budget (at least ``min_repeat``).
"""
from __future__ import annotations

import datetime as _dt
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field

import numpy as np

from cs231n_helpers.timing import format_seconds

# ----------------------------------------------------------------------------- registry

CASES: list["Case"] = []


@dataclass
class Case:
    name: str  # short id used by --only (e.g. "knn", "conv")
    title: str
    fn: object
    default: bool = True  # False: opt-in (e.g. --notebooks, --gpu)
    module: str = ""


def case(name, title, default=True):
    """Register a benchmark case: ``@case("knn", "kNN distances")`` over ``def f(bench): ...``."""

    def deco(fn):
        CASES.append(Case(name, title, fn, default, fn.__module__))
        return fn

    return deco


class Skip(Exception):
    """Raised by a case to skip it with a message (e.g. no CUDA device)."""


# ----------------------------------------------------------------------------- results


@dataclass
class Target:
    """``kind="ratio"``: ours / reference must be <= value. ``kind="speedup"``: reference /
    ours must be >= value (fast versus naive). ``kind="limit"``: a measured value (seconds,
    GiB) must be <= value."""

    kind: str
    value: float
    unit: str = ""

    def describe(self) -> str:
        if self.kind == "ratio":
            return f"<= {self.value:g}x"
        if self.kind == "speedup":
            return f">= {self.value:g}x faster"
        return f"<= {self.value:g}{self.unit}"

    def met(self, ratio: float) -> bool:
        if self.kind == "speedup":
            return (1.0 / ratio) >= self.value
        return ratio <= self.value


@dataclass
class Result:
    case: str
    variant: str
    reference: str = ""
    target: str = ""
    ours_s: float | None = None
    ref_s: float | None = None
    ratio: float | None = None  # ours / reference (for limits: the measured value)
    verdict: str = ""  # met | MISSED | UNFAIR | skipped | ERROR | WRONG | info
    note: str = ""
    kind: str = "ratio"
    details: dict = field(default_factory=dict)

    def ratio_text(self) -> str:
        if self.ratio is None:
            return "-"
        if self.kind == "speedup":
            return f"{1.0 / self.ratio:,.0f}x faster" if self.ratio > 0 else "inf"
        if self.kind == "limit":
            return self.details.get("value_text", f"{self.ratio:g}")
        return f"{self.ratio:.2f}x"


# ----------------------------------------------------------------------------- machine


def _threadpoolctl():
    """threadpoolctl (the ``dev`` extra: ``pip install -e ".[dev]"``), or None."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def _numpy_blas_pools(tpc):
    """threadpoolctl's entries for numpy's BLAS (the one under numpy's directory when several
    BLAS libraries are loaded, e.g. by scipy)."""
    pools = [p for p in tpc.threadpool_info() if p.get("user_api") == "blas"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    mine = [p for p in pools if os.path.basename(os.path.dirname(p.get("filepath", ""))).startswith("numpy")
            and p.get("filepath", "").startswith(root)]
    return mine or pools


def blas_threads() -> tuple[int | None, str]:
    """Threads numpy's BLAS uses, asked of the library through threadpoolctl; without it, the
    environment variable that sets them, if any."""
    tpc = _threadpoolctl()
    if tpc is not None:
        pools = _numpy_blas_pools(tpc)
        if pools:
            p = pools[0]
            return int(p["num_threads"]), f"threadpoolctl ({p.get('internal_api')} {p.get('prefix')})"
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        v = os.environ.get(var, "").strip()
        if v.isdigit():
            return int(v), f"${var}" + ("" if tpc else " (threadpoolctl not installed)")
    return None, "unknown" + ("" if tpc else " (threadpoolctl not installed)")


def set_blas_threads(n: int) -> bool:
    """Tell numpy's BLAS to use ``n`` threads (threadpoolctl); True when it could be told."""
    tpc = _threadpoolctl()
    if tpc is None or not _numpy_blas_pools(tpc):
        return False
    libs = sorted({p["filepath"] for p in _numpy_blas_pools(tpc)})
    tpc.ThreadpoolController().select(filepath=libs).limit(limits=int(n))  # stays until changed again
    return blas_threads()[0] == int(n)


def thread_pools() -> list[dict]:
    """Every thread pool threadpoolctl sees in this process (BLAS, OpenMP), briefly."""
    tpc = _threadpoolctl()
    if tpc is None:
        return []
    keys = ("user_api", "internal_api", "prefix", "version", "num_threads", "threading_layer")
    return [{k: p[k] for k in keys if p.get(k) is not None} for p in tpc.threadpool_info()]


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    return [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None


class OthersCpu:
    """How busy the other processes kept the CPUs between ``start()`` and ``share()``: the
    machine's busy time (``/proc/stat``, steal included) minus this process's own CPU time, as a
    fraction of the usable cores' wall time. Linux only (None elsewhere). A benchmark row
    taken while others used a large share is noisy, whatever its verdict."""

    def __init__(self):
        self.start()

    @staticmethod
    def _machine_busy():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        busy = sum(v[:8]) - idle  # user nice system idle iowait irq softirq steal (guest is in user)
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def start(self):
        self.t0, self.busy0, self.own0 = time.perf_counter(), self._machine_busy(), self._own()
        return self

    def share(self):
        busy = self._machine_busy()
        wall = time.perf_counter() - self.t0
        if busy is None or self.busy0 is None or wall <= 0:
            return None
        others = (busy - self.busy0) - (self._own() - self.own0)
        return round(min(1.0, max(0.0, others / (wall * usable_cores()))), 3)


def machine_info(torch=None, torch_threads=None) -> dict:
    blas = {}
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = {k: deps.get(k) for k in ("name", "version", "openblas configuration") if deps.get(k)}
    except Exception:  # older numpy
        pass
    n, how = blas_threads()
    info = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores_usable": usable_cores(),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": blas,
        "numpy_blas_threads": n,
        "numpy_blas_threads_from": how,
    }
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch_threads if torch_threads is not None else torch.get_num_threads()
        info["torch_mkldnn"] = bool(torch.backends.mkldnn.is_available())
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    info["thread_pools"] = thread_pools()
    return info


# ----------------------------------------------------------------------------- timing

METHODS = ("blocks", "interleaved")
UNFAIR_TOLERANCE = 0.15  # reference alone vs paired medians: more apart than this is UNFAIR
NO_WARMUP_S = 0.1  # calls at least this long need no untimed call at the start of a block


def _sample(fn, k: int) -> float:
    """Seconds per call of ``k`` consecutive calls of ``fn``."""
    t0 = time.perf_counter()
    for _ in range(k):
        fn()
    return (time.perf_counter() - t0) / k


def _calls_for(seconds: float, min_sample_s: float) -> int:
    return max(1, math.ceil(min_sample_s / max(seconds, 1e-9)))


@dataclass
class Timing:
    """What :meth:`Bench.time_pair` measured (seconds per call)."""

    ours: list
    ref: list
    ref_alone: list
    method: str
    calls_per_sample: dict
    rounds: int
    pause_s: float
    block_warmup: dict = field(default_factory=dict)  # side -> whether its blocks begin with an untimed call

    @property
    def deviation(self) -> float:
        """median(reference, paired) / median(reference, alone) - 1."""
        return statistics.median(self.ref) / statistics.median(self.ref_alone) - 1.0


# ----------------------------------------------------------------------------- bench


class Bench:
    """What a case gets: settings (``quick``), timing helpers, and where results go.

    ``method``: ``"blocks"`` (fair, the default) or ``"interleaved"`` (the old call-by-call
    alternation, kept to demonstrate the self-check); ``pause_s``: the quiet pause before
    each block; ``rounds``: the number of (ours, reference) block pairs; ``tolerance``: how
    far apart the reference's alone and paired medians may be before ``UNFAIR``; ``retries``:
    how many times an UNFAIR comparison is re-measured before it is reported."""

    def __init__(self, quick=False, budget_s=None, min_repeat=None, max_repeat=None, verbose=True,
                 method="blocks", pause_s=0.25, rounds=3, tolerance=UNFAIR_TOLERANCE, retries=1,
                 min_sample_s=0.025):
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        self.quick = quick
        self.budget_s = budget_s if budget_s is not None else (0.6 if quick else 2.0)
        self.min_repeat = min_repeat if min_repeat is not None else (3 if quick else 6)
        self.max_repeat = max_repeat if max_repeat is not None else (9 if quick else 24)
        self.verbose = verbose
        self.method, self.pause_s, self.rounds = method, float(pause_s), int(rounds)
        self.tolerance, self.retries, self.min_sample_s = float(tolerance), int(retries), float(min_sample_s)
        self.results: list[Result] = []
        self.current = ""

    # -- recording
    def add(self, result: Result) -> Result:
        self.results.append(result)
        if self.verbose:
            print(f"  {_row_text(result)}", flush=True)
        return result

    def skip(self, variant, message, reference="", target=""):
        return self.add(Result(self.current, variant, reference, target, verdict="skipped", note=message))

    def limit(self, variant, value, limit=None, value_text="", target_text="", at_least=False, note="",
              seconds=None, details=None):
        """Record a measured value against a limit (value <= limit, or >= with ``at_least``);
        ``limit=None`` records it for information (verdict "info")."""
        if limit is None:
            verdict = "info"
        else:
            verdict = "met" if (value >= limit if at_least else value <= limit) else "MISSED"
        d = dict(details or {})
        d["value_text"] = value_text or f"{value:g}"
        return self.add(Result(self.current, variant, "", target_text or "-", ours_s=seconds, ratio=value,
                               verdict=verdict, note=note, kind="limit", details=d))

    # -- timing
    def _repeats(self, sample_cost: float) -> int:
        """Samples per side: as many as the budget allows, within [min_repeat, max_repeat]."""
        if sample_cost <= 0:
            return self.max_repeat
        return int(max(self.min_repeat, min(self.max_repeat, self.budget_s // sample_cost)))

    def _quiet(self):
        if self.pause_s > 0:
            time.sleep(self.pause_s)

    def _block(self, fn, k: int, n: int, warmup=True) -> list:
        """A quiet pause, one untimed call (``warmup``), then ``n`` samples of ``k`` calls."""
        self._quiet()
        if warmup:
            fn()
        return [_sample(fn, k) for _ in range(n)]

    def time_pair(self, ours, ref, warmup=True) -> Timing:
        """Time ``ours`` against ``ref`` by ``self.method`` (after one untimed call of each
        when ``warmup``), and the reference alone; see the module's docstring."""
        gc.collect()
        if warmup:
            ours()
            ref()
        # one call of each, each after a pause, sets the calls per sample and the repeats
        self._quiet()
        t_a = _sample(ours, 1)
        self._quiet()
        t_b = _sample(ref, 1)
        if self.method == "interleaved":
            return self._interleaved(ours, ref, t_a, t_b)
        k_a, k_b = _calls_for(t_a, self.min_sample_s), _calls_for(t_b, self.min_sample_s)
        n = self._repeats(k_a * t_a + k_b * t_b)
        rounds = max(1, min(self.rounds, n))
        m = math.ceil(n / rounds)
        # a block's untimed call wakes its own threads and warms the caches: the first call of a
        # few ms after the pause is 10-20% slower; from NO_WARMUP_S on it is not, and is timed
        w_a, w_b = t_a < NO_WARMUP_S, t_b < NO_WARMUP_S
        a, b, alone = [], [], []
        for _ in range(rounds):
            a += self._block(ours, k_a, m, w_a)
            b += self._block(ref, k_b, m, w_b)
            # the reference alone: its block follows a block of itself, not ours
            alone += self._block(ref, k_b, m, w_b)
        return Timing(a, b, alone, "blocks", {"ours": k_a, "reference": k_b}, rounds, self.pause_s,
                      {"ours": w_a, "reference": w_b})

    def _interleaved(self, ours, ref, t_a, t_b) -> Timing:
        """The old method: ours, reference, ours, ... call by call (the same ``k`` calls per
        sample on both sides), no pause; in each round, the reference alone in its own block."""
        k = _calls_for(max(t_a, t_b), self.min_sample_s)
        n = self._repeats(k * (t_a + t_b))
        rounds = max(1, min(self.rounds, n))
        m = math.ceil(n / rounds)
        a, b, alone = [], [], []
        for _ in range(rounds):
            for _ in range(m):
                a.append(_sample(ours, k))
                b.append(_sample(ref, k))
            alone += self._block(ref, k, m)
        return Timing(a, b, alone, "interleaved", {"ours": k, "reference": k}, rounds, 0.0,
                      {"ours": False, "reference": True})

    def compare(self, variant, ours, ref, reference, target: Target, check=None, note="", details=None,
                ours_scale=1.0, ref_scale=1.0):
        """Time ``ours`` against ``ref`` and record the ratio and verdict.

        check: optional callable returning (ok: bool, detail: str); run before timing, a
        failure is reported as WRONG (the timing would mean nothing). The check calls both
        sides, so it also serves as their warm-up.
        ``*_scale`` multiply a side's times (e.g. a two-loop version timed on a sample).
        When the reference's paired and alone medians differ by more than ``tolerance``, the
        pair is timed again (``retries``); if they still differ, the verdict is UNFAIR.
        """
        res = Result(self.current, variant, reference, target.describe(), kind=target.kind, note=note,
                     details=dict(details or {}))
        attempts, t0, others = [], time.perf_counter(), OthersCpu()
        try:
            if check is not None:
                ok, detail = check()
                res.details["check"] = detail
                if not ok:
                    res.verdict, res.note = "WRONG", f"results differ: {detail}"
                    return self.add(res)
            for attempt in range(self.retries + 1):
                tm = self.time_pair(ours, ref, warmup=check is None or attempt > 0)
                attempts.append(tm)
                if abs(tm.deviation) <= self.tolerance:
                    break
        except Skip as e:
            res.verdict, res.note = "skipped", str(e)
            return self.add(res)
        except Exception as e:  # one broken case must not stop the suite
            res.verdict, res.note = "ERROR", f"{type(e).__name__}: {e}"
            res.details["traceback"] = traceback.format_exc(limit=6)
            return self.add(res)
        tm = attempts[-1]
        a = [t * ours_scale for t in tm.ours]
        b = [t * ref_scale for t in tm.ref]
        alone = [t * ref_scale for t in tm.ref_alone]
        res.ours_s, res.ref_s = statistics.median(a), statistics.median(b)
        res.ratio = res.ours_s / res.ref_s
        fair = abs(tm.deviation) <= self.tolerance
        res.details.update(
            ours_runs=a, ref_runs=b, repeats=len(a), method=tm.method, calls_per_sample=tm.calls_per_sample,
            rounds=tm.rounds, pause_s=tm.pause_s, block_warmup=tm.block_warmup, ratio_of_minima=min(a) / min(b),
            fairness={"ref_alone_s": statistics.median(alone), "ref_paired_s": res.ref_s,
                      "deviation": tm.deviation, "tolerance": self.tolerance, "fair": fair,
                      "ref_alone_runs": alone, "attempts": len(attempts),
                      "earlier_deviations": [t.deviation for t in attempts[:-1]]})
        res.details["elapsed_s"] = time.perf_counter() - t0
        res.details["others_cpu_share"] = share = others.share()
        if fair:
            res.verdict = "met" if target.met(res.ratio) else "MISSED"
        else:
            res.verdict = "UNFAIR"
            res.note = (f"reference alone {format_seconds(statistics.median(alone))}, paired "
                        f"{format_seconds(res.ref_s)} ({100 * tm.deviation:+.0f}%, tolerance "
                        f"{100 * self.tolerance:.0f}%); {res.ratio_text()} not reported"
                        + (f"; other processes used {100 * share:.0f}% of the CPUs meanwhile" if share else "")
                        + (f"; {res.note}" if res.note else ""))
            res.details["unfair_ratio"], res.ratio = res.ratio, None
        return self.add(res)


def close(a, b, tol) -> tuple[bool, float]:
    """Relative error ||a - b|| / max(||a||, ||b||, tiny) <= tol (Frobenius, float64)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False, float("inf")
    denom = max(np.linalg.norm(a), np.linalg.norm(b), 1e-30)
    err = float(np.linalg.norm(a - b) / denom)
    return err <= tol, err


def check_all(pairs, tol):
    """pairs: list of (name, ours, reference). Returns (ok, 'name err, ...')."""
    worst, parts = True, []
    for name, a, b in pairs:
        ok, err = close(a, b, tol)
        worst &= ok
        parts.append(f"{name} {err:.1e}")
    return worst, f"max rel. error vs reference: {', '.join(parts)} (tol {tol:g})"


# ----------------------------------------------------------------------------- output


def _fmt_time(s):
    return "-" if s is None else format_seconds(s)


def _ref_alone(r: Result):
    return r.details.get("fairness", {}).get("ref_alone_s")


def _row_text(r: Result) -> str:
    alone = _ref_alone(r)
    return (f"{r.case} | {r.variant} | ours {_fmt_time(r.ours_s)} | {r.reference or '-'} {_fmt_time(r.ref_s)}"
            f"{' (alone ' + _fmt_time(alone) + ')' if alone is not None else ''} | "
            f"{r.ratio_text()} | target {r.target or '-'} | {r.verdict}{' - ' + r.note if r.note else ''}")


def table(results: list[Result], markdown=False) -> str:
    """The results as a table; "ref. alone" is the reference's median timed alone (the
    self-check: more than 15% away from "ref. time" makes the row UNFAIR)."""
    head = ["case", "variant", "ours", "reference", "ref. time", "ref. alone", "ratio", "target", "verdict"]
    rows = []
    for r in results:
        verdict = r.verdict + (f" ({r.note})" if r.note else "")
        rows.append([r.case, r.variant, _fmt_time(r.ours_s), r.reference or "-", _fmt_time(r.ref_s),
                     _fmt_time(_ref_alone(r)), r.ratio_text(), r.target or "-", verdict])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
        out += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    widths[-1] = len(head[-1])  # the verdict column runs free
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(row) for row in rows])


def summary(results: list[Result]) -> dict:
    out = {}
    for r in results:
        out[r.verdict] = out.get(r.verdict, 0) + 1
    return out


def write_json(path, meta: dict, settings: dict, results: list[Result], elapsed_s: float):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    payload = {
        "meta": meta,
        "settings": settings,
        "elapsed_s": round(elapsed_s, 2),
        "summary": summary(results),
        "results": [asdict(r) for r in results],
        "markdown_table": table(results, markdown=True),
    }
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=1, default=str)
    os.replace(tmp, path)
    return payload


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)
