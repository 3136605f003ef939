"""Shared by the browser tests: find Chromium and launch it headless through Playwright.

Playwright's own browser download cannot run on these machines, so the tests drive the
system's Chromium (Debian: `apt-get install chromium`; `.ci/run` installs it). Without
Playwright or Chromium the tests skip with the reason - except under CI, where that is a
failure: CI must run them.
"""
import os
import shutil
from contextlib import contextmanager

import pytest

# the real binary first: /usr/bin/chromium is Debian's wrapper script around it
CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome")


def chromium_path():
    """Path of a Chromium binary: $CS231N_CHROMIUM if set, else the first candidate found."""
    if os.environ.get("CS231N_CHROMIUM"):
        return os.environ["CS231N_CHROMIUM"]
    for name in CANDIDATES:
        found = shutil.which(name) or (name if os.path.isfile(name) and os.access(name, os.X_OK) else None)
        if found:
            return found
    return None


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} - CI must run the browser tests (.ci/run installs Chromium and the browser extra)")
    pytest.skip(reason)


@contextmanager
def browser():
    """A headless Chromium (Playwright Browser); skips (fails under CI) when none can be had."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -e '.[browser]'")
    path = chromium_path()
    if path is None:
        _unavailable("no Chromium found: apt-get install chromium (or set CS231N_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
