"""Checks for the normalization exercises of notebook 05 (spatial batch normalization and spatial
group normalization), with the classic mistakes.

Each ``check_*`` takes the learner's functions, runs them on the inputs of CS231n's
ConvolutionalNetworks notebook (``np.random.seed(231)``; the means and standard deviations it
prints), on numeric gradients (float64) and on ``torch.nn.BatchNorm2d`` / ``torch.nn.GroupNorm``
in train and eval mode (:mod:`cs231n_helpers.reference`), and names the mistake it recognises
when they disagree. What a mistake computes is written out here in plain NumPy on the same
inputs, so a hint names a mistake only when the learner's output is what that mistake produces.

The official notebook ships without outputs; the values it "prints" here come from copies run by
learners. The spatial batch norm ones agree with every correct implementation to 1e-8 and are
checked; the group norm stds circulating for its forward cell (0.99999834, ...) differ from the
exact sqrt(var / (var + eps)) by up to 3e-6 - one learner's implementation - so the group norm
check asserts the official cell's own expectation (means 0, stds 1) and the exact values instead.

Conventions (CS231n's): spatial batch norm takes gamma and beta of shape (C,), keeps its running
averages in ``bn_param`` (zeros at the start, ``momentum`` 0.9, the BIASED batch variance);
group norm takes gamma and beta of shape (1, C, 1, 1) and returns dgamma and dbeta in that shape.
"""
from __future__ import annotations

import numpy as np

from cs231n_helpers import reference
from cs231n_helpers.checks import Mistake, check_close, check_true, checking, fail
from cs231n_helpers.gradcheck import check_layer_gradients

__all__ = ["check_spatial_batchnorm_forward", "check_spatial_batchnorm_backward",
           "check_spatial_groupnorm_forward", "check_spatial_groupnorm_backward", "official_inputs"]

EPS = 1e-5

# What CS231n's ConvolutionalNetworks notebook prints for these checks (np.random.seed(231)).
OFFICIAL_BN_STDS = [0.99999962, 0.99999951, 0.9999996]
OFFICIAL_BN_STDS_GAMMA = [2.99999885, 3.99999804, 4.99999798]
OFFICIAL_BN_TEST_MEANS = [-0.08034406, 0.07562881, 0.05716371, 0.04378383]
OFFICIAL_BN_TEST_STDS = [0.96718744, 1.0299714, 1.02887624, 1.00585577]


def official_inputs(which):
    """The arrays of the official notebook's check cells, drawn as it draws them (np.random.seed(231),
    through a private RandomState: the global generator is left alone)."""
    rs = np.random.RandomState(231)
    if which == "bn_forward":
        return 4 * rs.randn(2, 3, 4, 5) + 10
    if which == "bn_test":   # 50 training batches to warm up the running averages, then one test batch
        return [2.3 * rs.randn(10, 4, 11, 12) + 13 for _ in range(51)]
    if which == "bn_backward":
        x = 5 * rs.randn(2, 3, 4, 5) + 12
        return x, rs.randn(3), rs.randn(3), rs.randn(2, 3, 4, 5)
    if which == "gn_forward":
        return 4 * rs.randn(2, 6, 4, 5) + 10
    if which == "gn_backward":
        x = 5 * rs.randn(2, 6, 4, 5) + 12
        return x, rs.randn(1, 6, 1, 1), rs.randn(1, 6, 1, 1), rs.randn(2, 6, 4, 5)
    raise ValueError(f"which must be one of 'bn_forward', 'bn_test', 'bn_backward', 'gn_forward', 'gn_backward', got {which!r}")


# --------------------------------------------------------------------------- what mistakes compute
def _normalize(x, axes, ddof=0, eps_outside=False):
    """(x - mean) / sqrt(var + eps) over ``axes`` (keepdims): the reference for every variant."""
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    return (x - mu) / ((np.sqrt(var) + EPS) if eps_outside else np.sqrt(var + EPS))


def _bn_rows(rows, gamma, beta):
    return gamma * _normalize(rows, 0) + beta


def _bn_layout(x, gamma, beta, into="right", back="right"):
    """Spatial batch norm with the rows made ``into`` ('right': C moved last; 'reshape': a bare
    x.reshape(-1, C), each 'column' mixing channels and positions) and the output turned ``back``
    ('right': reshape to (N, H, W, C) and move C back; 'reshape': a bare reshape(N, C, H, W))."""
    N, C, H, W = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C) if into == "right" else x.reshape(-1, C)
    out = _bn_rows(rows, gamma, beta)
    return out.reshape(N, H, W, C).transpose(0, 3, 1, 2) if back == "right" else out.reshape(N, C, H, W)


def _bn_per_position(x, gamma, beta):
    """Each (c, h, w) normalized over the batch alone, as a fully connected layer would."""
    return gamma[None, :, None, None] * _normalize(x, 0) + beta[None, :, None, None]


def _bn_dx(x, gamma, dout, dout_layout="right", dx_layout="right"):
    """dx of spatial batch norm (train mode) when dout is turned into rows (``'right'``: C moved
    last; ``'reshape'``: a bare reshape(-1, C)) and dx turned back the same two ways."""
    N, C, H, W = x.shape
    to_rows = {"right": lambda a: a.transpose(0, 2, 3, 1).reshape(-1, C), "reshape": lambda a: a.reshape(-1, C)}
    back = {"right": lambda a: a.reshape(N, H, W, C).transpose(0, 3, 1, 2), "reshape": lambda a: a.reshape(N, C, H, W)}
    rows = to_rows["right"](x)
    xhat = _normalize(rows, 0)
    std = np.sqrt(rows.var(axis=0) + EPS)
    d = to_rows[dout_layout](dout) * gamma
    M = rows.shape[0]
    dx = (M * d - d.sum(axis=0) - xhat * (d * xhat).sum(axis=0)) / (M * std)
    return back[dx_layout](dx), (to_rows[dout_layout](dout) * xhat).sum(axis=0)


def _gn(x, gamma, beta, G, ddof=0, eps_outside=False, strided=False, axes=(2, 3, 4)):
    """Group norm with a variant: ``strided`` groups (channels g, g+G, g+2G, ...), the ``axes``
    of the (N, G, C//G, H, W) view to average over, ``ddof=1``, eps outside the square root."""
    N, C, H, W = x.shape
    if strided:
        xg = x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4)
        xhat = _normalize(xg, axes, ddof, eps_outside).transpose(0, 2, 1, 3, 4).reshape(N, C, H, W)
    else:
        xhat = _normalize(x.reshape(N, G, C // G, H, W), axes, ddof, eps_outside).reshape(N, C, H, W)
    return gamma * xhat + beta


def _gn_dx(x, gamma, G, dout, terms=("mean", "xhat"), with_gamma=True):
    """dx of group norm keeping only the listed terms of
    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std, per (example, group)."""
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    std = np.sqrt(xg.var(axis=2, keepdims=True) + EPS)
    xhat = (xg - xg.mean(axis=2, keepdims=True)) / std
    d = (dout * gamma if with_gamma else dout).reshape(N, G, -1)
    dx = d.copy()
    if "mean" in terms:
        dx -= d.mean(axis=2, keepdims=True)
    if "xhat" in terms:
        dx -= xhat * (d * xhat).mean(axis=2, keepdims=True)
    return (dx / std).reshape(N, C, H, W)


def _shape_is(shape):
    return lambda a: np.shape(a) == tuple(shape)


# --------------------------------------------------------------------------- hints
NO_TRANSPOSE = ("the channels were not moved to the last axis: x.reshape(-1, C) of an (N, C, H, W) array mixes "
                "channels and positions in every column; use x.transpose(0, 2, 3, 1).reshape(-1, C) so that "
                "column c holds exactly channel c")
NOT_BACK = ("the result was not transposed back: the rows are in (N, H, W, C) order, so reshape them to "
            "(N, H, W, C) and move C back with .transpose(0, 3, 1, 2); a bare reshape(N, C, H, W) scrambles "
            "channels and positions")
PER_POSITION = ("each position (c, h, w) was normalized over the batch alone, as in a fully connected layer: "
                "a conv channel has ONE mean and variance, shared by all its positions, computed over (N, H, W)")
NOT_UPDATED = ("the running statistics were not updated: pass bn_param itself (not a copy) to batchnorm_forward, "
               "which stores running_mean and running_var in that dict")
UNBIASED_RUNNING = ("running_var averages the UNBIASED batch variance (divided by m - 1), PyTorch's convention; "
                    "CS231n's batchnorm (and ours) keeps the biased one, divided by m = N*H*W (np.var's default) - "
                    "look at batchnorm_forward of notebook 03")
DOUT_NO_TRANSPOSE = ("dout was not moved to the same row layout as x in the forward pass: use "
                     "dout.transpose(0, 2, 3, 1).reshape(-1, C), not dout.reshape(-1, C)")
DX_NOT_BACK = ("dx was not transposed back: reshape the rows to (N, H, W, C), then .transpose(0, 3, 1, 2)")
EPS_OUTSIDE = ("eps is outside the square root: divide by np.sqrt(var + eps), not np.sqrt(var) + eps "
               "(the difference shows on groups with a small variance)")
UNBIASED = ("the variance is the unbiased one (ddof=1, divided by m - 1): normalization uses the biased "
            "variance, divided by the number of values m (np.var's default), as PyTorch's GroupNorm does")
STRIDED = ("the groups are channels g, g+G, g+2G, ...: a group is C // G CONSECUTIVE channels, "
           "x.reshape(N, G, C // G, H, W)")
SWAPPED_G = ("G and C // G are swapped: there are G groups of C // G channels, x.reshape(N, G, C // G, H, W) "
             "(not (N, C // G, G, H, W))")
OVER_BATCH = ("the statistics were taken across the batch too: group norm normalizes each example on its own, "
              "over the axes (2, 3, 4) of x.reshape(N, G, C // G, H, W) - never over N")
PER_CHANNEL = ("each channel was normalized on its own (instance norm): a group's statistics are shared by its "
               "C // G channels, averaged over the axes (2, 3, 4) of x.reshape(N, G, C // G, H, W)")
GAMMA_SHAPE = ("dgamma and dbeta must have the shape of gamma and beta, (1, C, 1, 1): sum over the axes (0, 2, 3) "
               "with keepdims=True")
NO_MEAN_TERMS = ("the backward pass is missing the mean terms: the mean and the variance depend on every input of "
                 "the group, so dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std, per (example, group)")
NO_XHAT_TERM = ("the backward pass is missing the variance term: subtract xhat * mean(dxhat * xhat) too (the "
                "gradient through the group's standard deviation)")
NO_MEAN_TERM = ("the backward pass is missing mean(dxhat): subtract the group's mean of dxhat (the gradient "
                "through the group's mean)")
NO_GAMMA = "dxhat is dout * gamma: the gradient reaches xhat through the scale gamma"
BN_ERROR = ("a shape error here usually means the rows are not (N*H*W, C): move C last with "
            "x.transpose(0, 2, 3, 1), reshape to (-1, C), and undo both on the way out")
GN_ERROR = ("a shape error here usually means the groups are not x.reshape(N, G, C // G, H, W), or gamma, of "
            "shape (1, C, 1, 1), met the (N, G, C // G, H, W) view instead of the (N, C, H, W) one")


# --------------------------------------------------------------------------- spatial batch norm
def _bn_forward_mistakes(x, gamma, beta):
    N, C, H, W = x.shape
    return [Mistake(NO_TRANSPOSE, like=lambda: _bn_layout(x, gamma, beta, "reshape", "right")),
            Mistake(NO_TRANSPOSE, like=lambda: _bn_layout(x, gamma, beta, "reshape", "reshape")),
            Mistake(NOT_BACK, like=lambda: _bn_layout(x, gamma, beta, "right", "reshape")),
            Mistake(PER_POSITION, like=lambda: _bn_per_position(x, gamma, beta)),
            Mistake(NOT_BACK, test=_shape_is((N, C, W, H)) if H != W else None)]


def _running_var_expected(rv_torch, rv0, m, momentum=0.9):
    """CS231n's running_var from PyTorch's: PyTorch averaged the unbiased batch variance, CS231n the
    biased one, (m - 1) / m of it."""
    unbiased = (rv_torch - momentum * rv0) / (1 - momentum)
    return momentum * rv0 + (1 - momentum) * unbiased * (m - 1) / m


def check_spatial_batchnorm_forward(spatial_batchnorm_forward):
    """The official notebook's printed means and stds, then ``torch.nn.BatchNorm2d`` in train mode
    (output and running statistics) and in eval mode, and the dtype."""
    with checking("spatial_batchnorm_forward", error_hint=BN_ERROR):
        x = official_inputs("bn_forward")
        C = x.shape[1]
        for gamma, beta, stds in ((np.ones(C), np.zeros(C), OFFICIAL_BN_STDS),
                                  (np.array([3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0]), OFFICIAL_BN_STDS_GAMMA)):
            out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
            mistakes = _bn_forward_mistakes(x, gamma, beta)
            check_close(out, _bn_per_channel(x, gamma, beta), tol=1e-10, name=f"official input, gamma {gamma}", mistakes=mistakes)
            check_close(np.asarray(out).mean(axis=(0, 2, 3)), beta, tol=1e-7, metric="abs", name="  per-channel means == beta")
            check_close(np.asarray(out).std(axis=(0, 2, 3)), stds, tol=1e-7, metric="abs", name="  per-channel stds == the official notebook's")

        rng = np.random.default_rng(5)
        N, C, H, W = 4, 3, 5, 6
        x = rng.standard_normal((N, C, H, W)) * np.array([1.0, 3.0, 0.5])[:, None, None] + np.array([2.0, -1.0, 5.0])[:, None, None]
        gamma, beta = rng.standard_normal(C), rng.standard_normal(C)
        rm0, rv0 = rng.standard_normal(C), rng.random(C) + 0.5
        bn_param = {"mode": "train", "running_mean": rm0.copy(), "running_var": rv0.copy()}
        out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
        out_t, rm_t, rv_t = reference.batchnorm2d(x, gamma, beta, running_mean=rm0, running_var=rv0)
        check_close(out, out_t, tol=1e-10, name="train mode vs torch.nn.BatchNorm2d", mistakes=_bn_forward_mistakes(x, gamma, beta))
        rm, rv = bn_param.get("running_mean"), bn_param.get("running_var")
        if rm is None or rv is None or np.allclose(rm, rm0, rtol=0, atol=0):
            fail("running statistics", "bn_param['running_mean'] is unchanged after a train-mode call", NOT_UPDATED)
        check_close(rm, rm_t, tol=1e-10, name="  running_mean vs PyTorch's")
        check_close(rv, _running_var_expected(rv_t, rv0, N * H * W), tol=1e-10,
                    name="  running_var vs PyTorch's, converted to the biased variance",
                    mistakes=[Mistake(UNBIASED_RUNNING, like=rv_t)])

        bn_param["mode"] = "test"
        out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
        out_t, _, _ = reference.batchnorm2d(x, gamma, beta, running_mean=rm, running_var=rv, training=False)
        check_close(out, out_t, tol=1e-10, name="test mode vs torch.nn.BatchNorm2d.eval() (the running statistics)")

        bn_param = {"mode": "train"}
        *warmup, x_test = official_inputs("bn_test")
        gamma, beta = np.ones(4), np.zeros(4)
        for xb in warmup:
            spatial_batchnorm_forward(xb, gamma, beta, bn_param)
        bn_param["mode"] = "test"
        out, _ = spatial_batchnorm_forward(x_test, gamma, beta, bn_param)
        check_close(np.asarray(out).mean(axis=(0, 2, 3)), OFFICIAL_BN_TEST_MEANS, tol=1e-7, metric="abs",
                    name="official test-time check (50 warm-up batches): means")
        check_close(np.asarray(out).std(axis=(0, 2, 3)), OFFICIAL_BN_TEST_STDS, tol=1e-7, metric="abs", name="  and stds")

        x32 = x_test[:2].astype(np.float32)
        out32, _ = spatial_batchnorm_forward(x32, np.ones(4, np.float32), np.zeros(4, np.float32), {"mode": "train"})
        check_true(np.asarray(out32).dtype == np.float32 and np.asarray(out32).shape == x32.shape, "float32 in, float32 out",
                   f"dtype {np.asarray(out32).dtype}, shape {np.asarray(out32).shape}")


def _bn_per_channel(x, gamma, beta):
    return gamma[None, :, None, None] * _normalize(x, (0, 2, 3)) + beta[None, :, None, None]


def check_spatial_batchnorm_backward(spatial_batchnorm_forward, spatial_batchnorm_backward):
    """The official numeric gradient check (float64), then PyTorch's autograd in train and eval mode."""
    with checking("spatial_batchnorm_backward", error_hint=BN_ERROR):
        x, gamma, beta, dout = official_inputs("bn_backward")
        mistakes = {"x": [Mistake(DOUT_NO_TRANSPOSE, like=lambda: _bn_dx(x, gamma, dout, "reshape", "right")[0]),
                          Mistake(DX_NOT_BACK, like=lambda: _bn_dx(x, gamma, dout, "right", "reshape")[0]),
                          Mistake(DOUT_NO_TRANSPOSE, like=lambda: _bn_dx(x, gamma, dout, "reshape", "reshape")[0])],
                    "gamma": [Mistake(DOUT_NO_TRANSPOSE, like=lambda: _bn_dx(x, gamma, dout, "reshape")[1])]}
        check_layer_gradients(lambda x, gamma, beta: spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"}),
                              {"x": x, "gamma": gamma, "beta": beta}, spatial_batchnorm_backward, dout,
                              threshold={"x": 1e-6, "gamma": 1e-8, "beta": 1e-8}, name="official numeric check",
                              mistakes=mistakes)
        rng = np.random.default_rng(6)
        x = rng.standard_normal((3, 4, 5, 6)) * 2 + 1
        gamma, beta, dout = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((3, 4, 5, 6))
        for mode in ("train", "test"):
            bn_param = {"mode": mode, "running_mean": rng.standard_normal(4), "running_var": rng.random(4) + 0.5}
            rm, rv = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
            _, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
            dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
            _, dx_t, dg_t, db_t, _, _ = reference.batchnorm2d(x, gamma, beta, dout, running_mean=rm, running_var=rv,
                                                               training=mode == "train")
            name = "train" if mode == "train" else "eval"
            m = {"x": [Mistake(DOUT_NO_TRANSPOSE, test=lambda a: mode == "train" and np.allclose(a, _bn_dx(x, gamma, dout, "reshape")[0])),
                       Mistake(DX_NOT_BACK, test=lambda a: mode == "train" and np.allclose(a, _bn_dx(x, gamma, dout, "right", "reshape")[0]))]}
            check_close(dx, dx_t, tol=1e-8, name=f"dx vs PyTorch autograd ({name} mode)", mistakes=m["x"])
            check_close(dgamma, dg_t, tol=1e-8, name="  dgamma")
            check_close(dbeta, db_t, tol=1e-8, name="  dbeta")


# --------------------------------------------------------------------------- spatial group norm
def _gn_forward_mistakes(x, gamma, beta, G):
    C = x.shape[1]
    found = [Mistake(EPS_OUTSIDE, like=lambda: _gn(x, gamma, beta, G, eps_outside=True)),
             Mistake(UNBIASED, like=lambda: _gn(x, gamma, beta, G, ddof=1)),
             Mistake(OVER_BATCH, like=lambda: _gn(x, gamma, beta, G, axes=(0, 2, 3, 4)))]
    if 1 < G < C:
        found += [Mistake(STRIDED, like=lambda: _gn(x, gamma, beta, G, strided=True))]
    if G != C // G and C % (C // G) == 0:
        found += [Mistake(SWAPPED_G, like=lambda: _gn(x, gamma, beta, C // G))]
    if G < C:
        found += [Mistake(PER_CHANNEL, like=lambda: _gn(x, gamma, beta, G, axes=(3, 4)))]
    return found


def check_spatial_groupnorm_forward(spatial_groupnorm_forward):
    """The official notebook's printed stds per (example, group), ``torch.nn.GroupNorm`` for several
    G (train and eval mode: the same), independence of the batch, and the dtype."""
    with checking("spatial_groupnorm_forward", error_hint=GN_ERROR):
        x = official_inputs("gn_forward")
        N, C, H, W = x.shape
        G = 2
        gamma, beta = np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))
        out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {"mode": "train"})   # the official cell passes a bn_param
        check_close(out, _gn(x, gamma, beta, G), tol=1e-10, name="official input (G = 2)", mistakes=_gn_forward_mistakes(x, gamma, beta, G))
        out_g = np.asarray(out).reshape(N * G, -1)
        check_close(out_g.mean(axis=1), np.zeros(N * G), tol=1e-7, metric="abs", name="  mean of every (example, group) == 0")
        check_close(out_g.std(axis=1), np.ones(N * G), tol=1e-5, metric="abs", name="  std of every (example, group) == 1")

        rng = np.random.default_rng(7)
        N, C, H, W = 3, 6, 4, 5
        x = rng.standard_normal((N, C, H, W)) * rng.choice([0.01, 1.0, 4.0], size=(N, C, 1, 1)) + rng.standard_normal((N, C, 1, 1))
        gamma, beta = rng.standard_normal((1, C, 1, 1)), rng.standard_normal((1, C, 1, 1))
        for G in (1, 2, 3, 6):
            out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {})
            for training in (True, False):
                check_close(out, reference.groupnorm(x, gamma, beta, G, training=training), tol=1e-10,
                            name=f"G = {G} vs torch.nn.GroupNorm ({'train' if training else 'eval'} mode)",
                            mistakes=_gn_forward_mistakes(x, gamma, beta, G))
        G = 3
        one, _ = spatial_groupnorm_forward(x[:1], gamma, beta, G, {})
        check_close(one[0], np.asarray(spatial_groupnorm_forward(x, gamma, beta, G, {})[0])[0], tol=1e-12,
                    name="an image alone == the same image in a batch of 3", hint=OVER_BATCH)
        out32, _ = spatial_groupnorm_forward(x.astype(np.float32), gamma.astype(np.float32), beta.astype(np.float32), G, {})
        check_true(np.asarray(out32).dtype == np.float32, "float32 in, float32 out", f"dtype {np.asarray(out32).dtype}")


def check_spatial_groupnorm_backward(spatial_groupnorm_forward, spatial_groupnorm_backward):
    """The official numeric gradient check (float64), then PyTorch's autograd for several G."""
    with checking("spatial_groupnorm_backward", error_hint=GN_ERROR):
        x, gamma, beta, dout = official_inputs("gn_backward")
        G = 2

        def dx_mistakes(x, gamma, G, dout):
            return [Mistake(NO_MEAN_TERMS, like=lambda: _gn_dx(x, gamma, G, dout, terms=())),
                    Mistake(NO_XHAT_TERM, like=lambda: _gn_dx(x, gamma, G, dout, terms=("mean",))),
                    Mistake(NO_MEAN_TERM, like=lambda: _gn_dx(x, gamma, G, dout, terms=("xhat",))),
                    Mistake(NO_GAMMA, like=lambda: _gn_dx(x, gamma, G, dout, with_gamma=False))]
        shape = [Mistake(GAMMA_SHAPE, test=lambda a: np.shape(a) != gamma.shape)]
        check_layer_gradients(lambda x, gamma, beta: spatial_groupnorm_forward(x, gamma, beta, G, {}),
                              {"x": x, "gamma": gamma, "beta": beta}, spatial_groupnorm_backward, dout,
                              threshold={"x": 1e-6, "gamma": 1e-8, "beta": 1e-8}, name="official numeric check (G = 2)",
                              mistakes={"x": dx_mistakes(x, gamma, G, dout), "gamma": shape, "beta": shape})
        rng = np.random.default_rng(8)
        x = rng.standard_normal((3, 6, 4, 5)) * 2 + 1
        gamma, beta, dout = rng.standard_normal((1, 6, 1, 1)), rng.standard_normal((1, 6, 1, 1)), rng.standard_normal(x.shape)
        for G in (1, 3, 6):
            _, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
            dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
            _, dx_t, dg_t, db_t = reference.groupnorm(x, gamma, beta, G, dout)
            check_close(dx, dx_t, tol=1e-8, name=f"G = {G}: dx vs PyTorch autograd", mistakes=dx_mistakes(x, gamma, G, dout))
            check_close(dgamma, dg_t, tol=1e-8, name="  dgamma", mistakes=shape)
            check_close(dbeta, db_t, tol=1e-8, name="  dbeta", mistakes=shape)
