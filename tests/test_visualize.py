"""cs231n_helpers.visualize (notebook 07) and its pictures: receptive-field windows that really
bound what a unit sees, the top-patch search, class visualization, features, plotting inputs."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest
import torch

from cs231n_helpers import plotting
from cs231n_helpers import visualize as v
from cs231n_helpers.feedback.cnn_vis import receptive_field_footprint

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def _model(seed=0):
    torch.manual_seed(seed)
    net = v.make_convnet((4, 6, 8))
    return net, v.PixelModel(net, torch.full((1, 3, 1, 1), 120.0), torch.full((1, 3, 1, 1), 60.0)).eval()


@pytest.mark.parametrize("seed", range(5))
def test_receptive_fields_match_a_gradient_footprint(seed):
    rng = np.random.default_rng(seed)
    layers = [(int(rng.integers(1, 6)), int(rng.integers(1, 3)), 0) for _ in range(int(rng.integers(1, 5)))]
    layers = [(k, s, int(rng.integers(0, k))) for k, s, _ in layers]
    ours = v.receptive_fields(layers)[-1]
    assert (ours["size"], ours["jump"], ours["start"]) == pytest.approx(receptive_field_footprint(layers))


def test_layer_list_reads_the_network():
    net, _ = _model()
    assert [(k, s, p) for _, k, s, p in v.layer_list(net)] == [(5, 1, 2), (2, 2, 0), (3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)]


@pytest.mark.parametrize("stage", [0, 1, 2])
def test_noise_outside_a_units_window_changes_nothing(stage):
    net, model = _model()
    layers = v.layer_list(net)
    convs = [i for i, (name, *_) in enumerate(layers) if isinstance(net[int(name)], torch.nn.Conv2d)]
    i = convs[stage]
    field = v.receptive_fields([(k, s, p) for _, k, s, p in layers])[i]
    relu = net[int(layers[i][0]) + 2]
    g = torch.Generator().manual_seed(stage)
    x = torch.rand(1, 3, 32, 32, generator=g)
    act = v.layer_output(model, relu, x)[0, 1]
    for r, c in ((0, 0), (act.shape[0] // 2, act.shape[1] // 3), (act.shape[0] - 1, act.shape[1] - 1)):
        top, left, size = v.unit_window(field, r, c)
        noisy = torch.rand(x.shape, generator=g)
        rows, cols = slice(max(top, 0), top + size), slice(max(left, 0), left + size)
        noisy[..., rows, cols] = x[..., rows, cols]
        assert v.layer_output(model, relu, noisy)[0, 1, r, c].item() == pytest.approx(act[r, c].item(), abs=1e-5)
        shrunk = noisy.clone()                    # one pixel less on each side: the unit notices (generically)
        changed = False
        for _ in range(3):
            shrunk[..., rows, cols] = torch.rand(shrunk[..., rows, cols].shape, generator=g)
            shrunk[..., max(top + 1, 0):top + size - 1, max(left + 1, 0):left + size - 1] = \
                x[..., max(top + 1, 0):top + size - 1, max(left + 1, 0):left + size - 1]
            changed |= abs(v.layer_output(model, relu, shrunk)[0, 1, r, c].item() - act[r, c].item()) > 1e-6
        assert changed or act[r, c].item() == 0.0


def test_crop_window_pads_with_grey():
    img = torch.rand(3, 8, 8)
    patch = v.crop_window(img, -2, 5, 5)
    assert patch.shape == (3, 5, 5)
    assert torch.all(patch[:, :2] == 0.5) and torch.all(patch[:, :, 3:] == 0.5)
    assert torch.equal(patch[:, 2:, :3], img[:, :3, 5:8])
    with pytest.raises(ValueError, match="field"):
        v.unit_window({"size": 4, "jump": 1, "start": 0.0}, 0, 0)


def test_top_patches_are_sorted_and_sized():
    net, model = _model()
    field = v.receptive_fields([(k, s, p) for _, k, s, p in v.layer_list(net)])[2]
    images = torch.rand(40, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    patches, values = v.top_patches(model, net[6], images, field, [0, 3], k=4, batch_size=16)
    assert patches.shape == (2, 4, 3, 10, 10) and values.shape == (2, 4)
    assert torch.all(values[:, :-1] >= values[:, 1:])
    best = v.layer_output(model, net[6], images)[:, [0, 3]].flatten(2).max(2).values.max(0).values
    assert torch.allclose(values[:, 0], best)


def test_class_visualization_raises_the_score_and_stays_in_range():
    _, model = _model()
    classes = torch.tensor([0, 7])
    start = model(torch.full((2, 3, 32, 32), 0.5)).gather(1, classes[:, None])[:, 0]
    img = v.class_visualization(model, classes, steps=20)
    assert img.shape == (2, 3, 32, 32) and img.min() >= 0 and img.max() <= 1
    assert torch.all(model(img).gather(1, classes[:, None])[:, 0] > start)


def test_gaussian_blur_keeps_constants_and_smooths():
    x = torch.full((1, 3, 6, 6), 0.3)
    assert torch.allclose(v.gaussian_blur(x), x)
    spike = torch.zeros(1, 1, 5, 5)
    spike[0, 0, 2, 2] = 1
    out = v.gaussian_blur(spike)
    assert out.sum().item() == pytest.approx(1.0) and out[0, 0, 2, 2] < 1


def test_penultimate_features_and_most_salient_square():
    net, model = _model()
    images = torch.rand(5, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    feats = v.penultimate_features(model, images, batch_size=2)
    assert feats.shape == (5, 8) and feats.dtype == np.float32
    assert np.allclose(feats @ net[-1].weight.detach().numpy().T + net[-1].bias.detach().numpy(),
                       model(images).detach().numpy(), atol=1e-5)
    sal = torch.zeros(2, 10, 10)
    sal[0, 6:9, 1:4] = 1
    sal[1, 0, 9] = 5
    top, left = v.most_salient_square(sal, 3)
    assert top.tolist() == [6, 0] and left.tolist() == [1, 7]


def test_plotting_section_07():
    W = np.random.default_rng(0).standard_normal((6, 3, 5, 5))
    figs = [plotting.show_filter_comparison([W, W], ["a", "b"]),
            plotting.show_patch_grid(np.random.rand(2, 3, 3, 5, 5), row_labels=["u0", "u1"]),
            plotting.show_heatmaps(np.random.rand(3, 3, 8, 8), np.random.rand(3, 4, 4), titles=list("abc")),
            plotting.plot_flip_rate([1, 2, 3], [0.1, 0.2, 0.4], reference={"noise": ([1, 2, 3], [0, 0, 0.01])}),
            plotting.show_adversarial(np.random.rand(2, 3, 8, 8), np.random.rand(2, 3, 8, 8), [0, 1], [1, 0], ["x", "y"]),
            plotting.plot_embedding_2d(np.random.rand(20, 2), np.arange(20) % 3, ["a", "b", "c"])]
    assert all(isinstance(f, plotting.CourseFigure) for f in figs)
    for bad in (lambda: plotting.show_filter_comparison([W[:, :2]], ["a"]),
                lambda: plotting.show_patch_grid(np.random.rand(2, 3, 5, 5)),
                lambda: plotting.show_heatmaps(np.random.rand(3, 3, 8, 8), np.random.rand(2, 4, 4)),
                lambda: plotting.plot_flip_rate([1, 2], [0.1]),
                lambda: plotting.plot_embedding_2d(np.random.rand(20, 3), np.arange(20))):
        with pytest.raises(ValueError):
            bad()
    import matplotlib.pyplot as plt
    plt.close("all")
