"""Every notebook in quick mode (opt-in: ``--notebooks``; it takes minutes): wall time and peak
memory of each notebook's kernel, executed with nbclient as the test suite runs them
(``CS231N_QUICK=1``, kernel cwd ``notebooks/``, ``CS231N_DATA`` taken from the environment).

Peak memory: a thread polls ``/proc`` every 0.1 s for this process's descendants (the kernel
and anything it starts) and keeps the largest sum of their resident sizes, and each process's
own high-water mark (``VmHWM``); the larger of the two is reported. Linux only.
"""
import os
import threading
import time
from pathlib import Path

from benchmarks.core import Result, case
from tools.nbio import notebook_client, notebook_paths

PER_NOTEBOOK_S, TOTAL_S, PEAK_GIB = 90.0, 360.0, 2.0


def _children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def _descendants(root):
    kids, out, todo = _children_map(), [], [root]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def _status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """Poll the resident memory of this process's descendants in a thread (bytes)."""

    def __init__(self, interval=0.1):
        self.interval, self.peak_sum, self.hwm = interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            total = 0
            for pid in _descendants(me):
                total += _status_kib(pid, "VmRSS")
                self.hwm[pid] = max(self.hwm.get(pid, 0), _status_kib(pid, "VmHWM"))
            self.peak_sum = max(self.peak_sum, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_bytes(self):
        return 1024 * max([self.peak_sum] + list(self.hwm.values()))


def run_notebook(path: Path, timeout=600):
    """Execute one notebook in quick mode; returns (seconds, peak bytes, error or None)."""
    import nbclient
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    old = os.environ.get("CS231N_QUICK")
    os.environ["CS231N_QUICK"] = "1"
    error = None
    try:
        client = notebook_client(nb, path, timeout=timeout)
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            try:
                client.execute()
            except nbclient.exceptions.CellExecutionError as e:
                error = f"{e.ename}: {e.evalue}"[:200]
            except Exception as e:  # kernel died, timeout
                error = f"{type(e).__name__}: {e}"[:200]
            seconds = time.perf_counter() - t0
    finally:
        if old is None:
            os.environ.pop("CS231N_QUICK", None)
        else:
            os.environ["CS231N_QUICK"] = old
    return seconds, mem.peak_bytes, error


@case("notebooks", "every notebook in quick mode: wall time and peak memory", default=False)
def notebooks(bench):
    paths = [p for p in notebook_paths() if getattr(bench, "notebooks_match", "") in p.name]
    data = os.environ.get("CS231N_DATA") or "(unset: synthetic data unless data/ holds CIFAR-10)"
    blas = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    print(f"  CS231N_DATA={data}; kernel thread settings from the environment: {blas or 'none (library defaults)'}",
          flush=True)
    if not paths:
        return bench.skip("all", "no notebooks/NN_*.ipynb yet")
    total, worst = 0.0, 0
    target = f"<= {PER_NOTEBOOK_S:g} s, <= {PEAK_GIB:g} GiB"
    for p in paths:
        s, peak, err = run_notebook(p)
        total += s
        worst = max(worst, peak)
        ok = err is None and s <= PER_NOTEBOOK_S and peak <= PEAK_GIB * 2**30
        bench.add(Result(bench.current, p.name, "", target, ours_s=s, ratio=s, kind="limit",
                         verdict="ERROR" if err else ("met" if ok else "MISSED"), note=err or "",
                         details={"seconds": s, "peak_bytes": peak, "thread_env": blas, "data": data,
                                  "value_text": f"{s:.1f} s, {peak / 2**20:,.0f} MiB"}))
    ok = total <= TOTAL_S and worst <= PEAK_GIB * 2**30
    bench.add(Result(bench.current, f"total ({len(paths)} notebooks)", "", f"<= {TOTAL_S:g} s, <= {PEAK_GIB:g} GiB",
                     ours_s=total, ratio=total, kind="limit", verdict="met" if ok else "MISSED",
                     details={"seconds": total, "peak_bytes": worst,
                              "value_text": f"{total:.1f} s, max {worst / 2**20:,.0f} MiB"}))
