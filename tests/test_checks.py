"""Exercise feedback: verdict lines, hints, and 'not implemented yet' for stubs."""
import numpy as np
import pytest

from cs231n_helpers.checks import (CheckFailed, NotImplementedYet, check_band, check_close, check_shape,
                                   check_true, checking, diagnose)


def test_pass_prints_one_verdict_line(capsys):
    check_close(np.ones(3), np.ones(3), name="ones")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("✓ ones: relative error")


def test_failure_has_threshold_and_hint():
    with pytest.raises(CheckFailed) as info:
        check_close(np.arange(1, 5) * 500.0, np.arange(1, 5) * 1.0, tol=1e-8, name="dW")
    msg = str(info.value)
    assert "dW" in msg and "1e-08" in msg and "factor of 500" in msg


@pytest.mark.parametrize("actual,expected,word", [
    (np.zeros((3, 2)), np.zeros((2, 3)), "transpose"),
    (np.zeros(6), np.zeros((2, 3)), "reshape"),
    (np.zeros(4), np.zeros(3), "wrong shape"),
    (-np.arange(1.0, 4.0), np.arange(1.0, 4.0), "sign"),
    (np.array([np.nan, 1.0]), np.array([1.0, 1.0]), "NaN"),
])
def test_diagnose(actual, expected, word):
    assert word in diagnose(actual, expected)


def test_checking_reports_stubs_as_not_implemented(capsys):
    def stub():
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedYet) as info:
        with checking("my_function"):
            stub()
    assert "not implemented yet" in str(info.value)
    assert info.value._render_traceback_()  # short rendering in Jupyter


def test_checking_success_and_wrapped_errors(capsys):
    with checking("fine"):
        pass
    assert "✓ fine: all checks passed" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="shapes"):
        with checking("shapes"):
            np.zeros(3) @ np.zeros(4)
    with pytest.raises(CheckFailed, match="plain assert"):
        with checking("plain assert"):
            assert False, "boom"


def test_band_true_shape():
    check_band(0.27, (0.24, 0.29), "acc")
    with pytest.raises(CheckFailed, match="outside"):
        check_band(0.5, (0.24, 0.29), "acc")
    with pytest.raises(CheckFailed):
        check_band(float("nan"), (0.0, 1.0), "acc")
    check_true(True, "t")
    with pytest.raises(CheckFailed, match="hint: do x"):
        check_true(False, "t", "bad", hint="do x")
    check_shape(np.zeros((2, 3)), (2, 3))
    with pytest.raises(CheckFailed):
        check_shape(np.zeros((3, 2)), (2, 3))
    with pytest.raises(ValueError, match="metric"):
        check_close(1, 1, metric="max")
