"""Run NumPy work on chunks of a batch, on a small pool of threads.

NumPy releases the GIL inside its element-wise loops, so two threads that work on two halves of
a batch use two CPU cores, in pure Python and NumPy. Chunks also keep each step's temporaries
small enough to stay in the CPU cache between one NumPy call and the next. Notebook 05's fast
max pooling uses it::

    out = np.empty((N, C, H // 2, W // 2), dtype=x.dtype)
    in_chunks(max_pool_forward_2x2, x, out)     # max_pool_forward_2x2(x[a:b], out[a:b]) per chunk

Work whose chunks return something (and call BLAS) goes through :func:`map_chunks`, which
returns the results in order and gives BLAS one thread per worker while it runs (through
threadpoolctl, when installed): two chunks on two cores beat one matrix product whose two BLAS
threads wait for each other between the copies around it. Notebook 04's fast convolution::

    parts = map_chunks(work, batch_chunks(N, bytes_per_image))   # work(slice) -> result

The number of threads is the number of CPU cores this process may use, at most 4;
``CS231N_THREADS=1`` turns the threads off (the chunks then run one after the other).
"""
from __future__ import annotations

import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

try:  # optional: without it BLAS keeps its own threads inside the workers
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - a dependency of the project
    ThreadpoolController = None
_controller = {}


def _one_blas_thread():
    """A context in which BLAS uses one thread. The controller that finds the BLAS libraries is
    made once (0.5 ms); limiting through it then costs microseconds."""
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    if "c" not in _controller:
        _controller["c"] = ThreadpoolController()
    return _controller["c"].limit(limits=1, user_api="blas")

__all__ = ["num_threads", "in_chunks", "batch_chunks", "map_chunks"]

CHUNK_BYTES = 1 << 20        # ~1 MiB of the largest array per chunk: its temporaries stay in L2
MIN_PARALLEL_BYTES = 1 << 18  # below 256 KiB the hand-off to a thread costs more than it saves

_pool = None
_pool_pid = None
_lock = threading.Lock()
_local = threading.local()


def num_threads() -> int:
    """Threads for :func:`in_chunks`: ``$CS231N_THREADS`` if set, else the usable cores (at most 4)."""
    env = os.environ.get("CS231N_THREADS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"CS231N_THREADS must be a positive integer, got {env!r}") from None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def _get_pool(threads):
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid() or _pool._max_workers != threads:
            _pool = ThreadPoolExecutor(threads, thread_name_prefix="cs231n-chunks",
                                       initializer=lambda: setattr(_local, "worker", True))
            _pool_pid = os.getpid()
        return _pool


def in_chunks(fn, *arrays, chunk_bytes=CHUNK_BYTES):
    """Call ``fn(*(a[i:j] for a in arrays))`` for consecutive chunks ``i:j`` of the first axis,
    which every array shares; the chunks run on a thread pool (the calling thread works too).

    ``fn`` must write its results into the arrays it gets (slices of an output array are
    views), and chunks must not depend on each other. Returns None.
    """
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"in_chunks: every array needs the same first axis, got {[np.shape(a) for a in arrays]}")
    if n == 0:
        return
    size = max(a.nbytes for a in arrays)
    workers = num_threads()
    chunks = min(n, max(1, -(-size // chunk_bytes)))
    if workers > 1 and size >= MIN_PARALLEL_BYTES and not getattr(_local, "worker", False):
        chunks = min(n, max(chunks, workers))
    else:
        workers = 1
    bounds = [n * k // chunks for k in range(chunks + 1)]
    parts = [tuple(a[i:j] for a in arrays) for i, j in zip(bounds[:-1], bounds[1:])]
    if workers == 1 or len(parts) == 1:
        for part in parts:
            fn(*part)
        return
    todo, todo_lock = iter(parts), threading.Lock()

    def work():  # every thread, the calling one included, takes the next chunk until none is left
        while True:
            with todo_lock:
                part = next(todo, None)
            if part is None:
                return
            fn(*part)

    workers = min(workers, len(parts))
    futures = [_get_pool(workers - 1).submit(work) for _ in range(workers - 1)]
    try:
        work()
    finally:
        for f in futures:
            f.result()


def batch_chunks(n_items: int, bytes_per_item: int, target_bytes: int = 2 * CHUNK_BYTES) -> list:
    """Consecutive slices of ``range(n_items)`` of about ``target_bytes`` of work each (at least
    one item): as many slices as that needs, rounded up to a multiple of the number of threads
    so that every thread gets the same share, and sizes as equal as possible."""
    if n_items < 1:
        return []
    threads = num_threads()
    n = max(1, math.ceil(n_items * max(1, int(bytes_per_item)) / target_bytes))
    if n_items >= threads:
        n = math.ceil(n / threads) * threads
    n = min(n, n_items)
    bounds = [n_items * k // n for k in range(n + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def map_chunks(fn, chunks) -> list:
    """``[fn(c) for c in chunks]``, computed on the thread pool (the calling thread works too),
    results in the order of ``chunks``; BLAS gets one thread per worker meanwhile. Runs in the
    calling thread alone for one chunk, one thread, or when called from inside a worker."""
    chunks = list(chunks)
    workers = min(num_threads(), len(chunks))
    if workers <= 1 or getattr(_local, "worker", False):
        return [fn(c) for c in chunks]
    results = [None] * len(chunks)
    todo, todo_lock = iter(enumerate(chunks)), threading.Lock()

    def work():
        while True:
            with todo_lock:
                item = next(todo, None)
            if item is None:
                return
            results[item[0]] = fn(item[1])

    with _one_blas_thread():
        futures = [_get_pool(workers - 1).submit(work) for _ in range(workers - 1)]
        _local.worker = True          # nested calls from this thread run inline, like the workers'
        try:
            work()
        finally:
            _local.worker = False
            for f in futures:
                f.result()
    return results
