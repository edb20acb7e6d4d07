"""The randomization check of saliency maps (Adebayo et al. 2018): a re-initialized copy of a model,
rank correlations, the per-digit numbers and their figure.
"""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text, png_bytes
from cnn_helpers.figures.attribution import show_saliency_check
from cnn_helpers.maths.attribution import saliency_map
from cnn_helpers.maths.randomization import SaliencyCheck, randomized_copy, rank_correlation, saliency_check
from figure_checks import assert_readable
import keras
import numpy as np
import pytest

layers = keras.layers


@pytest.fixture(scope="module")
def model():
    """A small CNN on 12x12 images with weights far from any initializer's (all shifted by +0.3)."""
    net = keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(5, activation="softmax"),
        ]
    )
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


def test_saliency_check_compares_the_two_models_maps(model):
    images = _digits()
    random = randomized_copy(model, seed=0)
    check = saliency_check(model, images, randomized=random)
    assert isinstance(check, SaliencyCheck) and check.trained.shape == check.randomized.shape == (3, 12, 12)
    for i, image in enumerate(images):
        c = int(check.classes[i])
        np.testing.assert_array_equal(check.trained[i], saliency_map(model, image, c))
        np.testing.assert_array_equal(check.randomized[i], saliency_map(random, image, c))
        assert check.rank_all[i] == pytest.approx(rank_correlation(check.trained[i], check.randomized[i]))
        ink = image >= 0.5 * image.max()
        assert check.rank_ink[i] == pytest.approx(
            rank_correlation(check.trained[i][ink], check.randomized[i][ink])
        )
        assert check.ink_trained[i] == pytest.approx(
            np.corrcoef(check.trained[i].ravel(), image.ravel())[0, 1]
        )
    # Comparing a model with itself gives perfect agreement: the check can tell "same" from "different".
    same = saliency_check(model, images, randomized=model)
    np.testing.assert_allclose(same.rank_all, 1.0)
    assert not np.allclose(check.rank_all, 1.0)
    table = str(check).splitlines()
    assert len(table) == 4 and "rank corr." in table[0] and f"{check.rank_all[1]:.2f}" in table[2]


def test_saliency_check_figure_shares_a_0_to_1_scale_and_says_its_numbers(model):
    images = _digits()
    check = saliency_check(model, images, seed=1)
    fig = show_saliency_check(images, check)
    middle, bottom = fig.axes[3].images[0], fig.axes[6].images[0]
    assert middle.get_clim() == bottom.get_clim() == (0, 1)
    assert np.asarray(middle.get_array()).max() == pytest.approx(1.0)
    text = alt_text(fig)
    assert (
        "randomized" in text
        and f"{check.rank_all.min():.2f}" in text
        and f"{check.rank_ink.max():.2f}" in text
    )
    assert png_bytes(fig).startswith(b"\x89PNG")
    assert_readable(fig)
    with pytest.raises(ValueError, match="do not match the check's maps"):
        show_saliency_check(images[:2], check)
    with pytest.raises(TypeError, match="check must be the SaliencyCheck"):
        show_saliency_check(images, {"trained": check.trained})
    with pytest.raises(ValueError, match="compare at most 8"):
        saliency_check(model, np.zeros((9, 12, 12)))
