"""Pieces shared by the tests/test_hints_*.py files: a stub exercise, the "not implemented yet"
check of every exercise, and injecting one row of a mistake table into a notebook's solution."""
import pytest

from cs231n_helpers.checks import NotImplementedYet
from tools.inject import module_with_mistake


def stub(*args, **kw):
    """An exercise as the student version leaves it."""
    raise NotImplementedError()


def assert_stubs_not_implemented(calls, match=None):
    """Every ``(check, args)`` in ``calls`` reports the stubs in ``args`` as not implemented yet."""
    for check, args in calls:
        with pytest.raises(NotImplementedYet, match=match):
            check(*args)


def injector(notebook):
    """``run(row)``: the module ``notebook`` exports, with one mistake-table row ``(old, new[,
    count])`` injected into its solution."""
    def run(row):
        old, new, *count = row
        return module_with_mistake(notebook, old, new, *count)
    return run
