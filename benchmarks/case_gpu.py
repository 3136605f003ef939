"""GPU section (notebook 06 targets): run where a CUDA device exists, skipped otherwise."""
from benchmarks import _torch
from benchmarks.core import Skip, case, need


@case("gpu", "GPU: epoch time and images/s of the notebook 06 networks (fast path on and off)")
def gpu(bench):
    torch = _torch.get()
    if not torch.cuda.is_available():
        raise Skip("no CUDA device here: GPU section skipped")
    need("cs231n_helpers.torch_train", why="notebook 06 exports it")
    raise Skip("the GPU benchmark function of cs231n_helpers.torch_train is not wired in yet")
