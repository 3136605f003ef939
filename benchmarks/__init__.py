"""Benchmark suite: our implementations against the physical floor (one BLAS matrix product
of the same shapes) and against PyTorch on the CPU, as ratios (ours / reference).

Run ``make bench`` (``python -m benchmarks``); ``python -m benchmarks --help`` for options.
Not part of ``make test``; ``tests/test_benchmarks_smoke.py`` runs one tiny case.
"""
