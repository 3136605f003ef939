"""Root conftest: the test suite runs every notebook in quick mode."""
import os

os.environ.setdefault("CS231N_QUICK", "1")
os.environ.setdefault("PYTHONHASHSEED", "0")
