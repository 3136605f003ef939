"""Root conftest: the test suite runs every notebook in quick mode.

Notebook kernels inherit this process's environment, so what is set here applies to them too.
BLAS is pinned to one thread for test runs: on a shared 2-core machine OpenBLAS's spinning
worker threads made small matrix products 30-100x slower (measured while several jobs ran),
while one thread costs at most ~2x on a quiet machine; PyTorch's OpenMP pool likewise. The
thread pool of ``cs231n_helpers.parallel`` still uses both cores (one BLAS thread per worker).
Learners (make lab) keep all threads.
"""
import os

os.environ.setdefault("CS231N_QUICK", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# PyTorch's OpenMP threads spin the same way (notebook 06 ran ~6x slower under load with them)
os.environ.setdefault("OMP_NUM_THREADS", "1")
