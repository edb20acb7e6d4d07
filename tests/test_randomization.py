"""The randomization check of saliency maps (Adebayo et al. 2018), cascading from the top, against
a noise floor: a re-initialized copy of a model, rank correlations and SSIM, the per-digit numbers
and their figure.
"""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text, png_bytes
from cnn_helpers.figures.faithfulness import plot_cascade, show_cascade_maps
from cnn_helpers.maths.attribution import saliency_map
from cnn_helpers.maths.randomization import (
    CascadeCheck,
    cascade_check,
    randomized_copy,
    rank_correlation,
    ssim,
)
from figure_checks import assert_readable
import keras
from models import small_cnn
import numpy as np
import pytest

layers = keras.layers


@pytest.fixture(scope="module")
def model():
    """A small CNN on 12x12 images with weights far from any initializer's (all shifted by +0.3)."""
    net = small_cnn(12, filters=4, classes=5)
    net.set_weights([w + 0.3 for w in net.get_weights()])
    return net


def _digits(m=3):
    rng = np.random.default_rng(0)
    images = np.zeros((m, 12, 12), "float32")
    images[:, 3:9, 4:8] = rng.uniform(0.5, 1, (m, 6, 4))
    return images


def test_randomized_copy_has_the_same_layers_and_new_weights(model):
    copy = randomized_copy(model, seed=3)
    assert [type(x) for x in copy.layers] == [type(x) for x in model.layers] and copy is not model
    for old, new in zip(model.get_weights(), randomized_copy(model, seed=3).get_weights(), strict=True):
        assert old.shape == new.shape and not np.allclose(old, new)
    again = randomized_copy(model, seed=3).get_weights()
    for a, b in zip(copy.get_weights(), again, strict=True):
        np.testing.assert_array_equal(a, b)  # the same seed, the same copy
    other = randomized_copy(model, seed=4).get_weights()
    assert not np.allclose(copy.get_weights()[0], other[0])
    # Drawn by the layers' initializers: Glorot-uniform kernels within their bound, zero biases.
    kernel, bias = copy.get_weights()[:2]
    assert np.abs(kernel).max() <= np.sqrt(6 / (9 + 36)) and not bias.any()
    assert np.allclose(model.get_weights()[1], 0.3)  # the model itself is unchanged


def test_randomized_copy_refuses_what_is_not_a_model():
    with pytest.raises(TypeError, match="model must be a keras Model"):
        randomized_copy("model")
    with pytest.raises(ValueError, match=r"seed must be in \[0,"):
        randomized_copy(keras.Sequential([keras.Input((4,)), layers.Dense(2)]), seed=-1)


def test_rank_correlation_is_spearmans_rho():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert rank_correlation(a, a**3) == pytest.approx(1.0)  # same order, different values
    assert rank_correlation(a, -a) == pytest.approx(-1.0)
    # Ties share their average rank: ranks (1.5, 1.5, 3, 4) against (1, 2, 3, 4).
    x, y = np.array([0.0, 0.0, 1.0, 2.0]), np.array([0.0, 1.0, 2.0, 3.0])
    expected = np.corrcoef([1.5, 1.5, 3, 4], [1, 2, 3, 4])[0, 1]
    assert rank_correlation(x, y) == pytest.approx(expected)
    assert rank_correlation(np.zeros((2, 2)), np.eye(2)) == 0.0  # a flat map says nothing
    with pytest.raises(ValueError, match="the same shape"):
        rank_correlation(np.zeros(3), np.zeros(4))


def test_randomized_copy_of_some_layers_keeps_the_others_trained(model):
    copy = randomized_copy(model, seed=3, layers=[-1])  # only the last Dense
    old, new = model.get_weights(), copy.get_weights()
    np.testing.assert_array_equal(old[0], new[0])  # the convolution's kernel kept
    assert not np.allclose(old[2], new[2])  # the Dense kernel re-initialized


def test_ssim_is_one_for_the_same_map_and_lower_for_another():
    rng = np.random.default_rng(0)
    a = rng.random((12, 12))
    assert ssim(a, a) == pytest.approx(1.0)
    assert ssim(a, 3 * a) == pytest.approx(1.0)  # each map is scaled by its own largest value
    assert ssim(a, rng.random((12, 12))) < 0.5
    with pytest.raises(ValueError, match="same 2-D shape, at least 7x7"):
        ssim(np.zeros((5, 5)), np.zeros((5, 5)))


def test_ssim_with_scipys_windows_is_the_mean_over_every_window_inside():
    rng = np.random.default_rng(1)
    a, b = rng.random((12, 13)), rng.random((12, 13))
    views = [np.lib.stride_tricks.sliding_window_view(m, (7, 7)) for m in (a / a.max(), b / b.max())]
    x, y = (v.reshape(*v.shape[:2], -1) for v in views)
    mu_x, mu_y = x.mean(-1), y.mean(-1)
    cov = (x * y).mean(-1) - mu_x * mu_y
    var_x, var_y = x.var(-1), y.var(-1)
    c1, c2 = 0.01**2, 0.03**2
    by_window = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    assert ssim(a, b) == pytest.approx(by_window.mean(), abs=1e-9)


def test_rank_correlation_is_scipys_spearman():
    from scipy import stats

    rng = np.random.default_rng(2)
    a, b = rng.random(50), rng.random(50)
    b[:10] = a[:10]  # some agreement, and a tie or two
    assert rank_correlation(a, np.round(b, 1)) == pytest.approx(stats.spearmanr(a, np.round(b, 1)).statistic)


def test_cascade_check_compares_each_step_with_the_trained_maps_and_a_floor(model):
    images = _digits(5)
    cascade = cascade_check(model, images, second=model)  # the model as its own "second": a floor of 1
    assert isinstance(cascade, CascadeCheck)
    conv, dense = model.layers[0].name, model.layers[3].name
    assert cascade.steps == [dense, f"+ {conv} (all)"]  # the two layers with weights, from the top
    assert cascade.similarity.shape == (2, 3, 5) and cascade.floor.shape == (3, 5)
    np.testing.assert_allclose(cascade.floor, 1.0)  # a model compared with itself
    assert (cascade.similarity[-1, 0] < 1).all()  # re-initialized: other maps
    np.testing.assert_allclose(cascade.below_floor(), [1, 1, 1])
    chosen = int(model.predict(images[:1, ..., None], verbose=0).argmax())
    trained = saliency_map(model, images[0], chosen)
    copy = randomized_copy(model, 0, layers=[0, 3])  # what the last step re-initialized: both
    random = saliency_map(copy, images[0], chosen)
    assert cascade.similarity[-1, 0, 0] == pytest.approx(rank_correlation(np.abs(trained), np.abs(random)))
    np.testing.assert_allclose(cascade.example_maps[0], trained, rtol=1e-5)  # the batched maps are the same
    np.testing.assert_allclose(cascade.example_maps[-1], trained, rtol=1e-5)  # the "second" model's
    assert cascade.example_maps.shape == (4, 12, 12)
    # 5 of 5 digits below the floor from the first step: p = 1/32 for every measure
    assert cascade.first_below_floor() == [(0, pytest.approx(1 / 32))] * 3
    table = str(cascade).splitlines()
    assert "over 5 digits" in table[0] and table[5].startswith("second model (floor)")
    assert table[-1] == f"  SSIM: {dense} (p = 0.03)"


def test_a_step_alike_with_the_trained_maps_is_not_below_the_floor():
    check = CascadeCheck(
        ["top", "+ all"], np.stack([np.full((3, 8), 0.9), np.full((3, 8), 0.1)]), np.full((3, 8), 0.5)
    )
    assert check.first_below_floor() == [(1, pytest.approx(1 / 256))] * 3  # the first step stays above
    assert check.p_values(0).tolist() == [1.0, 1.0, 1.0]
    never = CascadeCheck(["top"], np.full((1, 3, 8), 0.9), np.full((3, 8), 0.5))
    assert never.first_below_floor()[0][0] is None and "none, not even all re-initialized" in str(never)


def test_the_cascade_maps_figure_shows_one_digit_at_each_step(model):
    cascade = cascade_check(model, _digits(3), second=randomized_copy(model, seed=5))
    fig = show_cascade_maps(cascade)
    text = alt_text(fig)
    assert "6 saliency maps" not in text and "4 saliency maps" in text and "trained," in text
    assert len(fig.axes) == 5  # the digit, trained, two steps, the second model
    assert_readable(fig)
    with pytest.raises(TypeError, match="check must be a CascadeCheck"):
        show_cascade_maps("cascade")


def test_the_cascade_figure_says_its_numbers(model):
    cascade = cascade_check(model, _digits(3), second=randomized_copy(model, seed=5))
    fig = plot_cascade(cascade)
    text = alt_text(fig)
    last = cascade.similarity[-1].mean(axis=1)
    assert "3 digits" in text and f"rank, ink only {last[1]:.2f} against a floor of" in text
    assert png_bytes(fig).startswith(b"\x89PNG")
    assert_readable(fig)
    with pytest.raises(TypeError, match="check must be a CascadeCheck"):
        plot_cascade({"steps": []})
