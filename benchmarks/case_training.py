"""Training, end to end on the CPU: a two-layer net for one epoch, and a ThreeLayerConvNet
step, against the same network and optimizer written in PyTorch (same float32 data, same
initial weights, same minibatches, SGD with momentum 0.9)."""
import numpy as np

from benchmarks import _torch
from benchmarks.core import Target, case, close

LR, MOMENTUM, REG = 1e-3, 0.9, 1e-3


class _Ours:
    """Our model + our update rule; ``reset()`` restores the initial weights before each run."""

    def __init__(self, model, sgd_momentum):
        self.model, self.update = model, sgd_momentum
        self.init = {k: v.copy() for k, v in model.params.items()}

    def reset(self):
        self.model.params = {k: v.copy() for k, v in self.init.items()}
        self.configs = {k: {"learning_rate": LR, "momentum": MOMENTUM} for k in self.init}

    def step(self, Xb, yb):
        loss, grads = self.model.loss(Xb, yb)
        for k, w in self.model.params.items():
            self.model.params[k], self.configs[k] = self.update(w, grads[k], self.configs[k])
        return loss


class _Theirs:
    """The same network in PyTorch: ``weights`` maps our parameter names to torch tensors."""

    def __init__(self, net, weights, init_from_ours):
        torch = _torch.get()
        self.torch, self.net, self.weights = torch, net, weights
        self.init = init_from_ours
        self.params = list(net.parameters())

    def reset(self):
        with self.torch.no_grad():
            for k, (tensor, convert) in self.weights.items():
                tensor.copy_(self.torch.from_numpy(np.ascontiguousarray(convert(self.init[k]))))
        self.opt = self.torch.optim.SGD(self.params, lr=LR, momentum=MOMENTUM)

    def step(self, Xb, yb):
        F = self.torch.nn.functional
        out = self.net(Xb)
        # L2 on the weight matrices only, 0.5 * reg * sum(W^2), as our models do
        l2 = sum((t * t).sum() for k, (t, _) in self.weights.items() if k.startswith("W"))
        loss = F.cross_entropy(out, yb) + 0.5 * REG * l2
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss


def _delta_check(ours, theirs, run_ours, run_theirs, names, tol=2e-3):
    """Run both from the same start and compare how far each weight moved (float32)."""
    ours.reset()
    theirs.reset()
    run_ours()
    run_theirs()
    parts, ok = [], True
    for k in names:
        t, convert = theirs.weights[k]
        a = ours.model.params[k] - ours.init[k]
        b = convert(t.detach().numpy(), inverse=True) - ours.init[k]
        good, err = close(a, b, tol)
        ok &= good
        parts.append(f"{k} {err:.1e}")
    return ok, f"weight updates vs torch, rel. error: {', '.join(parts)} (tol {tol:g})"


def _same(a, inverse=False):
    return a


def _transpose(a, inverse=False):
    return a.T


@case("twolayer", "two-layer net (3,072-100-10), one training epoch on 5,000 images, batch 100")
def two_layer(bench):
    from cs231n_helpers.fc_net import TwoLayerNet
    from cs231n_helpers.optim import sgd_momentum

    torch = _torch.get()
    nn = torch.nn
    rng = np.random.default_rng(7)
    N, D, H, C, B = 5000, 3072, 100, 10, 100
    X = rng.uniform(-128, 128, size=(N, D)).astype(np.float32)
    y = rng.integers(0, C, N)
    batches = [np.sort(idx) for idx in np.array_split(rng.permutation(N), N // B)]
    ours = _Ours(TwoLayerNet(D, H, C, weight_scale=1e-3, reg=REG, dtype=np.float32, seed=0), sgd_momentum)
    net = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C)).float()
    weights = {"W1": (net[0].weight, _transpose), "b1": (net[0].bias, _same),
               "W2": (net[2].weight, _transpose), "b2": (net[2].bias, _same)}
    theirs = _Theirs(net, weights, ours.init)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    tbatches = [torch.from_numpy(idx) for idx in batches]

    def ours_epoch():
        ours.reset()
        for idx in batches:
            ours.step(X[idx], y[idx])

    def torch_epoch():
        theirs.reset()
        for idx in tbatches:
            theirs.step(Xt[idx], yt[idx])

    bench.compare("one epoch, float32, SGD momentum", ours_epoch, torch_epoch, "torch nn + optim.SGD",
                  Target("ratio", 2.0),
                  check=lambda: _delta_check(ours, theirs, ours_epoch, torch_epoch, ["W1", "b1", "W2", "b2"]))


@case("threelayer", "ThreeLayerConvNet training step, batch 50")
def three_layer(bench):
    from cs231n_helpers.cnn import ThreeLayerConvNet
    from cs231n_helpers.optim import sgd_momentum

    torch = _torch.get()
    nn = torch.nn
    rng = np.random.default_rng(8)
    model = ThreeLayerConvNet(weight_scale=1e-3, reg=REG, dtype=np.float32)
    p = model.params
    Fn, Cin, K, _ = p["W1"].shape
    hidden, C = p["W3"].shape[0], p["W3"].shape[1]
    B = 50
    X = rng.uniform(-128, 128, size=(B, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, C, B)
    ours = _Ours(model, sgd_momentum)
    pooled = p["W2"].shape[0]
    net = nn.Sequential(nn.Conv2d(Cin, Fn, K, padding=(K - 1) // 2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(pooled, hidden), nn.ReLU(), nn.Linear(hidden, C)).float()
    weights = {"W1": (net[0].weight, _same), "b1": (net[0].bias, _same),
               "W2": (net[4].weight, _transpose), "b2": (net[4].bias, _same),
               "W3": (net[6].weight, _transpose), "b3": (net[6].bias, _same)}
    theirs = _Theirs(net, weights, ours.init)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def ours_step():
        ours.reset()
        ours.step(X, y)

    def torch_step():
        theirs.reset()
        theirs.step(Xt, yt)

    bench.compare(f"one step: conv {Fn}x{K}x{K} - relu - pool - affine {hidden} - relu - affine, float32",
                  ours_step, torch_step, "torch nn + optim.SGD", Target("ratio", 3.0),
                  check=lambda: _delta_check(ours, theirs, ours_step, torch_step, list(weights)))
