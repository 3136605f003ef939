import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def torch_one_thread():
    """Tiny models run faster on one thread (and do not fight other processes for cores)."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
