"""The benchmark framework: cases, paired timing, verdicts, machine description, table, JSON.

Every comparison runs in this one process: each side is called once untimed (warm-up), then
the two sides are timed alternately (ours, reference, ours, reference, ...) so that a burst of
load from another process hits both; the reported ratio is median(ours) / median(reference).
The number of repeats adapts to the case's cost (at least ``min_repeat``), so cheap cases get
more repeats and the whole suite stays within its time budget.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field

import numpy as np

from cs231n_helpers.timing import format_seconds, measure

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
    """Raised by a case (or :func:`need`) to skip it with a message."""


def need(module: str, *names: str, why: str = ""):
    """Import ``module`` and return it, or the attributes ``names``; Skip if it is not there yet."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            raise Skip(f"{module} is not there yet{' (' + why + ')' if why else ''}") from None
        raise
    if not names:
        return mod
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise Skip(f"{module} has no {', '.join(missing)} yet{' (' + why + ')' if why else ''}")
    objs = tuple(getattr(mod, n) for n in names)
    return objs[0] if len(objs) == 1 else objs


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
    verdict: str = ""  # met | MISSED | skipped | ERROR | WRONG | info
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


def _loaded_libraries() -> list[str]:
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if ".so" in line and "/" in line})
    except OSError:
        return []


def blas_threads() -> tuple[int | None, str]:
    """Threads numpy's BLAS uses, asked of the library itself when possible."""
    for lib in _loaded_libraries():
        base = os.path.basename(lib).lower()
        if "openblas" in base:
            try:
                handle = ctypes.CDLL(lib)
            except OSError:
                continue
            for sym in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                        "openblas_get_num_threads", "scipy_openblas_get_num_threads"):
                fn = getattr(handle, sym, None)
                if fn is not None:
                    fn.restype = ctypes.c_int
                    return int(fn()), f"{os.path.basename(lib)}:{sym}()"
        if "mkl_rt" in base:
            try:
                fn = ctypes.CDLL(lib).MKL_Get_Max_Threads
                fn.restype = ctypes.c_int
                return int(fn()), f"{os.path.basename(lib)}:MKL_Get_Max_Threads()"
            except (OSError, AttributeError):
                continue
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        v = os.environ.get(var, "").strip()
        if v.isdigit():
            return int(v), f"${var}"
    return None, "unknown"


def set_blas_threads(n: int) -> bool:
    """Ask numpy's OpenBLAS to use ``n`` threads; True when it could be told."""
    for lib in _loaded_libraries():
        if "openblas" not in os.path.basename(lib).lower():
            continue
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for sym in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                    "openblas_set_num_threads", "scipy_openblas_set_num_threads"):
            fn = getattr(handle, sym, None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int]
                fn(int(n))
                return True
    return False


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
        "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
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
    return info


# ----------------------------------------------------------------------------- bench


class Bench:
    """What a case gets: settings (``quick``), timing helpers, and where results go."""

    def __init__(self, quick=False, budget_s=None, min_repeat=None, max_repeat=None, verbose=True):
        self.quick = quick
        self.budget_s = budget_s if budget_s is not None else (0.6 if quick else 2.5)
        self.min_repeat = min_repeat if min_repeat is not None else (3 if quick else 5)
        self.max_repeat = max_repeat if max_repeat is not None else (9 if quick else 25)
        self.verbose = verbose
        self.results: list[Result] = []
        self.current = ""
        self._calls_per_sample = 1

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
    def _repeats(self, first_cost: float) -> int:
        if first_cost <= 0:
            return self.max_repeat
        return int(max(self.min_repeat, min(self.max_repeat, self.budget_s // first_cost)))

    def time_pair(self, ours, ref, warmup=True, min_sample_s=0.025):
        """Time ``ours`` and ``ref`` alternately (after one untimed call of each when
        ``warmup``); the cost of the first pair sets the number of repeats.

        Cheap functions are called ``k`` times per sample (the same ``k`` on both sides) so
        that a sample lasts at least ``min_sample_s``: on a shared machine a single
        millisecond call is either untouched or loses a whole scheduler time slice, and the
        median of such samples jumps between the two. Returns (ours_runs, ref_runs), seconds
        per call."""
        gc.collect()
        if warmup:
            ours()
            ref()
        a, b = [], []
        t_a = measure(ours, repeat=1, warmup=0)["median"]
        t_b = measure(ref, repeat=1, warmup=0)["median"]
        k = max(1, int(np.ceil(min_sample_s / max(t_a, t_b, 1e-9))))
        if k == 1:
            a.append(t_a)
            b.append(t_b)

        def batch(fn):
            def run():
                for _ in range(k):
                    fn()
            return run

        fa, fb = (ours, ref) if k == 1 else (batch(ours), batch(ref))
        n = self._repeats(k * (t_a + t_b))
        while len(a) < n:
            a.append(measure(fa, repeat=1, warmup=0)["median"] / k)
            b.append(measure(fb, repeat=1, warmup=0)["median"] / k)
        self._calls_per_sample = k
        return a, b

    def time_one(self, fn, scale=1.0):
        """Warm-up then median of repeats of one function (times ``scale``)."""
        gc.collect()
        t0 = time.perf_counter()
        fn()
        n = self._repeats(time.perf_counter() - t0)
        r = measure(fn, repeat=n, warmup=0)
        return [t * scale for t in r["runs"]]

    def compare(self, variant, ours, ref, reference, target: Target, check=None, note="", details=None,
                ours_scale=1.0, ref_scale=1.0):
        """Time ``ours`` against ``ref`` and record the ratio and verdict.

        check: optional callable returning (ok: bool, detail: str); run before timing, a
        failure is reported as WRONG (the timing would mean nothing). The check calls both
        sides, so it also serves as their warm-up.
        ``*_scale`` multiply a side's times (e.g. a two-loop version timed on a sample).
        """
        res = Result(self.current, variant, reference, target.describe(), kind=target.kind, note=note,
                     details=dict(details or {}))
        try:
            if check is not None:
                ok, detail = check()
                res.details["check"] = detail
                if not ok:
                    res.verdict, res.note = "WRONG", f"results differ: {detail}"
                    return self.add(res)
            a, b = self.time_pair(ours, ref, warmup=check is None)
        except Skip as e:
            res.verdict, res.note = "skipped", str(e)
            return self.add(res)
        except Exception as e:  # one broken case must not stop the suite
            res.verdict, res.note = "ERROR", f"{type(e).__name__}: {e}"
            res.details["traceback"] = traceback.format_exc(limit=6)
            return self.add(res)
        a = [t * ours_scale for t in a]
        b = [t * ref_scale for t in b]
        res.ours_s, res.ref_s = statistics.median(a), statistics.median(b)
        res.ratio = res.ours_s / res.ref_s
        res.details.update(ours_runs=a, ref_runs=b, repeats=len(a), calls_per_sample=self._calls_per_sample,
                           paired_ratio_median=statistics.median(x / y for x, y in zip(a, b)),
                           ratio_of_minima=min(a) / min(b))
        res.verdict = "met" if target.met(res.ratio) else "MISSED"
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


def _row_text(r: Result) -> str:
    return (f"{r.case} | {r.variant} | ours {_fmt_time(r.ours_s)} | {r.reference or '-'} {_fmt_time(r.ref_s)} | "
            f"{r.ratio_text()} | target {r.target or '-'} | {r.verdict}{' - ' + r.note if r.note else ''}")


def table(results: list[Result], markdown=False) -> str:
    head = ["case", "variant", "ours", "reference", "ref. time", "ratio", "target", "verdict"]
    rows = []
    for r in results:
        verdict = r.verdict + (f" ({r.note})" if r.note and r.verdict not in ("met", "MISSED") else "")
        if r.verdict == "MISSED" and r.note:
            verdict += f" ({r.note})"
        rows.append([r.case, r.variant, _fmt_time(r.ours_s), r.reference or "-", _fmt_time(r.ref_s),
                     r.ratio_text(), r.target or "-", verdict])
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
