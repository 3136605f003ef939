"""Command line of the benchmark suite: ``python -m benchmarks [--quick] [--only ...]``.

Prints a table of ratios (ours / reference: median of several samples, each side timed in
its own block after a quiet pause and its own warm-up, the blocks alternating for a few
rounds in this one process) with each target and a plain verdict (met / MISSED, or UNFAIR
when the reference timed alone disagrees by more than 15% with the reference timed in the
pairing), and writes it with a description of the machine to
``benchmarks/results/latest.json``.

Same threads: PyTorch gets as many CPU threads as numpy's BLAS uses (asked of the BLAS
library through threadpoolctl), so both sides run on the same number of cores.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from benchmarks import _torch
from benchmarks.core import CASES, METHODS, UNFAIR_TOLERANCE, Bench, OthersCpu, Result, Skip, blas_threads, \
    eprint, load_average, machine_info, set_blas_threads, summary, table, usable_cores, write_json

CASE_MODULES = ["benchmarks.case_classifiers", "benchmarks.case_layers", "benchmarks.case_training",
                "benchmarks.case_gpu", "benchmarks.case_notebooks"]
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def load_cases():
    for m in CASE_MODULES:
        importlib.import_module(m)
    return CASES


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="fewer repeats and smaller samples of the naive versions (same shapes)")
    p.add_argument("--only", default="", help="comma-separated case names to run (see --list)")
    p.add_argument("--notebooks", action="store_true",
                   help="also execute every notebook in quick mode (takes minutes)")
    p.add_argument("--notebooks-match", default="", metavar="TEXT",
                   help="with --notebooks (or --only notebooks): only notebooks whose name contains TEXT")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"JSON output (default {DEFAULT_OUT})")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for both numpy's BLAS and torch (default: torch gets as many as "
                        "numpy's BLAS already uses); --threads 1 is steadier on a busy machine")
    p.add_argument("--method", choices=METHODS, default="blocks",
                   help="blocks (default, fair): each side timed in its own block after a quiet pause and "
                        "(for calls under 0.1 s) one untimed call, blocks alternating for a few rounds; "
                        "interleaved: the old call-by-call alternation, kept to show what the self-check "
                        "catches")
    p.add_argument("--pause", type=float, default=0.25, metavar="SECONDS",
                   help="quiet pause before each block, so that the other side's thread pools have gone "
                        "to sleep (default 0.25; OpenBLAS's threads spin about 0.1 s after a call)")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a target is MISSED, a timing UNFAIR or a case WRONG / ERROR")
    return p.parse_args(argv)


def select(cases, only: str, notebooks: bool):
    if only:
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        unknown = [w for w in wanted if not any(c.name == w for c in cases)]
        if unknown:
            raise SystemExit(f"--only: unknown case(s) {unknown}; choose from {[c.name for c in cases]}")
        return [c for c in cases if c.name in wanted]
    return [c for c in cases if c.default or (notebooks and c.name == "notebooks")]


def main(argv=None) -> int:
    args = parse_args(argv)
    cases = load_cases()
    if args.list:
        for c in cases:
            print(f"{c.name:12s} {c.title}{'' if c.default else '  (opt-in)'}")
        return 0
    chosen = select(cases, args.only, args.notebooks)

    if args.pause < 0:
        raise SystemExit(f"--pause must be >= 0, got {args.pause}")
    if args.threads is not None:
        if args.threads < 1:
            raise SystemExit(f"--threads must be >= 1, got {args.threads}")
        if not set_blas_threads(args.threads):
            eprint(f"could not set numpy's BLAS threads (is threadpoolctl installed? pip install -e \".[dev]\"); "
                   f"only torch gets {args.threads}")
    n_blas, how = blas_threads()
    threads = args.threads or n_blas or usable_cores()
    torch = _torch.setup(threads)
    meta = machine_info(torch, torch.get_num_threads())
    print(f"CPU: {meta['cpu']} ({meta['cores_usable']} usable cores), load average {meta['load_average_1_5_15']}")
    print(f"numpy {meta['numpy']} ({meta['numpy_blas'].get('name', '?')} {meta['numpy_blas'].get('version', '')}, "
          f"{n_blas} BLAS threads via {how}); torch {meta['torch']} with {torch.get_num_threads()} threads "
          f"(set to match numpy's BLAS)")
    load = meta["load_average_1_5_15"]
    if load and load[0] > meta["cores_usable"]:
        print(f"WARNING: the machine is busy (load {load[0]:.1f} on {meta['cores_usable']} cores): ratios will be "
              f"noisy, and multithreaded BLAS stalls when its threads are descheduled; --threads 1 is steadier")
    bench = Bench(quick=args.quick, method=args.method, pause_s=args.pause)
    if args.method == "blocks":
        how_timed = (f"each side in its own block after a {args.pause:g} s pause and (calls under 0.1 s) "
                     f"one untimed call, blocks alternating for {bench.rounds} rounds")
    else:
        how_timed = "INTERLEAVED call by call, no pause (the old method: expect UNFAIR rows)"
    print(f"ratio = ours / reference, median of samples; {how_timed}; the reference is also timed alone, "
          f"and a case where the two reference medians differ by more than {100 * UNFAIR_TOLERANCE:.0f}% is "
          f"UNFAIR. The machine may be shared, so compare ratios, not times\n", flush=True)

    bench.notebooks_match = args.notebooks_match
    t0, others = time.perf_counter(), OthersCpu()
    for c in chosen:
        print(f"[{c.name}] {c.title}", flush=True)
        bench.current = c.name
        start = len(bench.results)
        try:
            c.fn(bench)
        except Skip as e:
            bench.skip("-", str(e))
        except Exception as e:  # a broken case is reported, the others still run
            import traceback

            bench.add(Result(c.name, "-", verdict="ERROR", note=f"{type(e).__name__}: {e}",
                             details={"traceback": traceback.format_exc(limit=8)}))
        if len(bench.results) == start:
            bench.skip("-", "the case recorded nothing")
    elapsed = time.perf_counter() - t0
    meta["load_average_after"] = load_average()
    meta["others_cpu_share"] = share = others.share()

    print("\n" + table(bench.results))
    if args.markdown:
        print("\n" + table(bench.results, markdown=True))
    counts = summary(bench.results)
    missed = [f"{r.case} {r.variant}" for r in bench.results if r.verdict in ("MISSED", "UNFAIR", "WRONG", "ERROR")]
    print(f"\n{len(bench.results)} rows in {elapsed:.0f} s: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    print(f"load average {meta['load_average_1_5_15']} before, {meta['load_average_after']} after"
          + (f"; other processes used {100 * share:.0f}% of the {meta['cores_usable']} cores during the run"
             if share is not None else ""))
    if missed:
        print("targets MISSED, UNFAIR timings or cases failing: " + "; ".join(missed))
    settings = {"quick": args.quick, "only": args.only, "notebooks": args.notebooks, "torch_threads": threads,
                "method": bench.method, "pause_s": bench.pause_s, "rounds": bench.rounds,
                "unfair_tolerance": bench.tolerance, "unfair_retries": bench.retries,
                "min_sample_s": bench.min_sample_s,
                "budget_s_per_case": bench.budget_s, "min_repeat": bench.min_repeat, "max_repeat": bench.max_repeat,
                "argv": sys.argv[1:] if argv is None else list(argv)}
    write_json(args.out, meta, settings, bench.results, elapsed)
    print(f"wrote {args.out}")
    return 1 if (args.strict and missed) else 0
