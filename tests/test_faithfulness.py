"""Are the attributions faithful? Integrated gradients and their completeness, SmoothGrad, the
deletion and insertion curves against a random order over the ink, and their figures."""

from __future__ import annotations

from cnn_helpers import (
    blurred,
    faithfulness_table,
    integrated_gradients,
    plot_removal_areas,
    show_attributions,
    smoothgrad,
)
from cnn_helpers.figures._base import alt_text, png_bytes
from cnn_helpers.maths.attribution import saliency_map
from cnn_helpers.maths.faithfulness import ink_mask, random_ink_ranking, removal_curves
from figure_checks import assert_readable
from models import no_convolution, small_cnn
import numpy as np
import pytest


@pytest.fixture(scope="module")
def model():
    """A small CNN on 12x12 images: ReLU layers, so that its scores are not linear in the pixels."""
    return small_cnn(12, filters=4, classes=3, pool=False, hidden=8, seed=1)


def _digit(seed=0):
    image = np.zeros((12, 12), "float32")
    image[3:9, 5:7] = np.random.default_rng(seed).uniform(0.6, 1.0, (6, 2))
    return image


def _linear_model():
    """Class 0's logit is 2 x pixel (4, 5) + 3 x pixel (6, 6): its attributions are known exactly."""
    net = no_convolution(12, classes=2)
    weights = np.zeros((144, 2), "float32")
    weights[4 * 12 + 5, 0], weights[6 * 12 + 6, 0] = 2.0, 3.0
    net.layers[-1].set_weights([weights, np.zeros(2, "float32")])
    return net


def test_integrated_gradients_of_a_linear_score_are_weight_times_pixel():
    image = _digit()
    result = integrated_gradients(_linear_model(), image, class_index=0)
    expected = np.zeros((12, 12))
    expected[4, 5], expected[6, 6] = 2 * image[4, 5], 3 * image[6, 6]
    np.testing.assert_allclose(result.attributions, expected, atol=1e-5)
    assert result.gap < 1e-5 and result.class_index == 0


def test_integrated_gradients_are_complete_for_a_relu_network(model):
    for baseline in (None, blurred(_digit(1))):
        result = integrated_gradients(model, _digit(1), baseline=baseline)
        difference = result.score - result.baseline_score
        assert result.attributions.sum() == pytest.approx(difference, rel=0.01, abs=1e-4)  # within 1 %
        assert result.gap < 0.01
    black = integrated_gradients(model, _digit(1))
    assert not black.attributions[~(_digit(1) > 0)].any()  # a black baseline: zero on the black pixels


def test_a_blurred_digit_keeps_its_brightness_and_place_but_not_its_strokes():
    image = _digit()
    soft = blurred(image, sigma=2)
    assert soft.shape == image.shape and soft.sum() == pytest.approx(image.sum(), rel=0.05)
    assert soft.max() < image.max() and soft[5, 5] > 0 and soft[5, 1] > 0  # spread beside the stroke
    with pytest.raises(ValueError, match="sigma"):
        blurred(image, sigma=0)


def test_smoothgrad_averages_the_saliency_of_noisy_copies(model):
    image = _digit()
    smooth = smoothgrad(model, image, samples=16, seed=3)
    assert smooth.shape == (12, 12) and (smooth >= 0).all()
    np.testing.assert_array_equal(smooth, smoothgrad(model, image, samples=16, seed=3))  # seeded
    exact = smoothgrad(_linear_model(), image, class_index=0, samples=4)
    assert exact[4, 5] == pytest.approx(2.0) and exact[6, 6] == pytest.approx(3.0)  # the gradient itself


def test_removal_curves_find_the_pixels_a_linear_score_needs():
    image = _digit()
    net = _linear_model()
    right = np.zeros((12, 12))
    right[4, 5], right[6, 6] = 1.0, 2.0  # the two pixels that carry the score, (6, 6) first
    curves = removal_curves(net, image, right, class_index=0, steps=12)
    assert curves.fractions[0] == 0 and curves.fractions[-1] == 1
    assert curves.deletion[0] == pytest.approx(1.0) and curves.insertion[0] == pytest.approx(0.0, abs=1e-6)
    assert curves.deletion[-1] == pytest.approx(0.0, abs=1e-6)  # both pixels gone after the first steps
    wrong = removal_curves(net, image, -right, class_index=0, steps=12)  # those two pixels last
    assert curves.deletion_area < wrong.deletion_area and curves.insertion_area > wrong.insertion_area
    with pytest.raises(ValueError, match="one value per pixel"):
        removal_curves(net, image, np.zeros((5, 5)), class_index=0)


def test_the_random_order_covers_the_ink_first():
    image = _digit()
    ranking = random_ink_ranking(image, seed=2)
    ink = ink_mask(image)
    assert ranking[ink].min() > ranking[~ink].max()  # every ink pixel before any background pixel
    np.testing.assert_array_equal(ranking, random_ink_ranking(image, seed=2))


def test_the_table_scores_each_method_against_the_random_order(model):
    images = np.stack([_digit(s) for s in range(4)])
    table = faithfulness_table(model, images, {"saliency": lambda m, im, c: saliency_map(m, im, c)}, steps=6)
    assert table.methods == ["saliency", "random order over the ink"]
    assert table.deletion.shape == table.insertion.shape == (2, 4)
    assert table.beats_random()[-1] == 0  # the random order never beats itself
    lines = str(table).splitlines()
    assert "over 4 digits" in lines[0] and lines[2].startswith("saliency") and lines[-1].endswith("-")
    with pytest.raises(TypeError, match="methods must be a dict"):
        faithfulness_table(model, images, [saliency_map])
    fig = plot_removal_areas(table)
    assert "over 4 digits" in alt_text(fig) and png_bytes(fig).startswith(b"\x89PNG")
    assert_readable(fig)


def test_the_attribution_figure_says_where_each_map_lies(model):
    images = np.stack([_digit(s) for s in range(2)])
    signed = np.zeros((2, 12, 12), "float32")
    signed[:, 4, 5] = 1.0  # on the ink
    signed[:, 0, 0] = -0.5  # off it, negative
    fig = show_attributions(images, {"made up, signed": signed}, ["first", "second"])
    text = alt_text(fig)
    assert "made up, signed (signed, diverging scale, up to 1)" in text
    assert "digit 1, 67% on the ink, peak at row 4, column 5 (on the ink)" in text
    image = fig.axes[2].images[0]
    assert image.get_clim() == (-1.0, 1.0)  # centred on zero
    assert_readable(fig)
    with pytest.raises(ValueError, match=r"maps\['bad'\] is \(2, 5, 5\)"):
        show_attributions(images, {"bad": np.zeros((2, 5, 5))}, ["a", "b"])
    with pytest.raises(TypeError, match="titles must be a list of 2 strings"):
        show_attributions(images, {"x": signed}, ["only one"])


def test_the_sign_test_is_the_binomial_tail():
    from cnn_helpers.maths.faithfulness import sign_test

    assert sign_test(0, 4) == 1.0 and sign_test(4, 4) == pytest.approx(1 / 16)
    assert sign_test(3, 4) == pytest.approx(5 / 16)  # 3 or 4 heads of 4
    assert sign_test(32, 50) < 0.05 < sign_test(31, 50)  # 32 of 50 digits: better than a coin flip
    with pytest.raises(ValueError, match="wins must be between 0 and trials"):
        sign_test(5, 4)


def test_only_the_ink_is_removed_so_every_ranking_competes_on_the_same_pixels():
    image = _digit()
    background_first = np.where(image > 0, 0.0, 1.0)  # ranks every black pixel above the ink
    curves = removal_curves(_linear_model(), image, background_first, class_index=0, steps=12)
    assert curves.deletion[-1] == pytest.approx(0.0, abs=1e-6)  # the ink was removed all the same
