"""Are the attributions faithful? Integrated gradients and their completeness, SmoothGrad, the blur
and the edge map (against SciPy and by hand), the deletion and insertion curves against random
orders over the ink, the controls that must fail, the statistics, and their figures."""

from __future__ import annotations

from cnn_helpers import (
    blurred,
    faithfulness_tables,
    integrated_gradients,
    method_curves,
    plot_removal_curves,
    show_attributions,
    smoothgrad,
)
from cnn_helpers.figures._base import alt_text, png_bytes
from cnn_helpers.figures.removal import plot_removal_areas
from cnn_helpers.maths.attribution import saliency_map
from cnn_helpers.maths.faithfulness import edge_map, ink_mask
from cnn_helpers.maths.removal import EDGE_CONTROL, RANDOMIZED_CONTROL, random_ink_ranking, removal_curves
from cnn_helpers.maths.removal_table import faithfulness_table
from cnn_helpers.maths.statistics import mean_interval, paired_test
from figure_checks import assert_readable
import keras
from models import no_convolution, small_cnn
import numpy as np
import pytest
from scipy import stats


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


def _blurred_by_hand(image, sigma):
    """The blur as the package wrote it before SciPy: two 1-D convolutions, cut at ceil(3 sigma)."""
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()

    def smooth(line):
        return np.convolve(line, kernel, mode="full")[radius : radius + len(line)]

    return np.apply_along_axis(smooth, 0, np.apply_along_axis(smooth, 1, image.astype(np.float64)))


@pytest.mark.parametrize("sigma", [0.7, 2.0, 2.1, 3.0])
def test_scipys_blur_is_the_blur_written_by_hand(sigma):
    image = np.random.default_rng(4).random((12, 14)).astype("float32")
    np.testing.assert_allclose(blurred(image, sigma), _blurred_by_hand(image, sigma), atol=1e-6)


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
    methods = {"saliency": lambda m, im, c: saliency_map(m, im, c)}
    tables = faithfulness_tables(model, images, methods, steps=6, random_orders=3)
    table = tables["black"]
    assert set(tables) == {"black", "blurred"} and tables["blurred"].fill == "blurred"
    assert table.methods == ["saliency", EDGE_CONTROL, RANDOMIZED_CONTROL, "random order over the ink"]
    assert table.controls == (EDGE_CONTROL, RANDOMIZED_CONTROL) and table.random_orders == 3
    assert table.deletion.shape == table.insertion.shape == (4, 4)
    assert table.beats_random()[-1] == 0 and table.beats_random("insertion")[-1] == 0  # never beats itself
    one = faithfulness_table(model, images, methods, steps=6, random_orders=3)
    np.testing.assert_allclose(one.deletion, table.deletion)  # the same maps, orders and curves
    lines = str(table).splitlines()
    assert "Over 4 digits" in lines[0] and "3 orders" in lines[2] and lines[5].startswith("saliency")
    assert lines[-1].startswith("random order over the ink") and lines[-1].endswith("-")
    assert "two-sided paired Wilcoxon tests" in table.verdicts()
    assert faithfulness_table(model, images, methods, steps=6, controls=False).methods == [
        "saliency",
        "random order over the ink",
    ]
    with pytest.raises(TypeError, match="methods must be a dict"):
        faithfulness_table(model, images, [saliency_map])
    with pytest.raises(ValueError, match="fill must be one of"):
        faithfulness_table(model, images, methods, fill="grey")
    fig = plot_removal_areas(table)
    assert "over 4 digits" in alt_text(fig) and png_bytes(fig).startswith(b"\x89PNG")
    assert_readable(fig)


def test_a_good_ranking_is_supported_and_a_reversed_one_is_not():
    """On a score known exactly, the pixels that carry it first pass; the same pixels last fail."""
    images = np.stack([_digit(s) for s in range(8)])
    net = _linear_model()
    weights = np.zeros((12, 12))
    weights[4, 5], weights[6, 6] = 2.0, 3.0
    methods = {"right": lambda m, im, c: weights * im, "reversed": lambda m, im, c: -weights * im}
    table = faithfulness_table(net, images, methods, steps=6, random_orders=4)
    supported = dict(zip(table.methods, table.supported(), strict=True))
    assert supported["right"] and not supported["reversed"]
    assert table.ranking("deletion")[0] == "right" == table.ranking("insertion")[0]
    assert table.p_values()[0] == pytest.approx(1 / 2**8)  # 8 of 8 digits: the sign test's floor
    assert table.against_best()["reversed"] < 0.01  # the paired test puts right ahead, digit by digit
    assert table.leaders() == ["right"]  # ahead of every other, not only in the mean
    twins = faithfulness_table(
        net, images, {"right": methods["right"], "twin": methods["right"]}, steps=6, random_orders=4
    )
    assert twins.leaders() == ["right", "twin"]  # the same map: not shown behind
    assert (
        'deletion: the map "right": removing its top pixels to black lowers the score fastest; '
        "not shown ahead of twin" in twins.verdicts()
    )


@pytest.fixture(scope="module")
def trained_small(mnist):
    """A small CNN trained a little on 3,000 MNIST digits (about 90 % right on the test digits)."""
    (x_train, y_train), (x_test, _) = mnist
    net = small_cnn(28, filters=8, seed=0)
    net.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.005))
    net.fit(x_train[:3000, ..., None] / 255, y_train[:3000], batch_size=100, epochs=2, verbose=0)
    return net, (x_test[:24] / 255).astype("float32")


def test_the_controls_fail_where_a_method_of_the_model_passes(trained_small):
    net, images = trained_small
    methods = {
        "IG": lambda m, im, c: integrated_gradients(m, im, c, steps=16).attributions,
        "IG reversed": lambda m, im, c: -integrated_gradients(m, im, c, steps=16).attributions,
    }
    table = faithfulness_table(net, images, methods, steps=6, random_orders=4)
    supported = dict(zip(table.methods, table.supported(), strict=True))
    assert supported["IG"]  # evidence for the class first: removing it lowers the score fastest
    assert not supported["IG reversed"] and not supported[EDGE_CONTROL]
    assert "do not: IG reversed, control: edge map (Sobel)" in table.verdicts()


def test_one_digits_curves_hold_every_method_and_the_mean_random_order(model):
    methods = {"saliency": lambda m, im, c: saliency_map(m, im, c)}
    curves = method_curves(model, _digit(), methods, steps=6, random_orders=5)
    assert list(curves) == ["saliency", EDGE_CONTROL, RANDOMIZED_CONTROL, "random order over the ink"]
    single = [removal_curves(model, _digit(), random_ink_ranking(_digit(), s), steps=6) for s in range(3)]
    assert all(c.deletion.shape == (7,) for c in [*curves.values(), *single])
    blurred_curves = method_curves(model, _digit(), methods, steps=6, fill="blurred")
    assert blurred_curves["saliency"].deletion[0] == pytest.approx(1.0)  # the digit itself: 1
    fig = plot_removal_curves(curves, "a made-up digit")
    text = alt_text(fig)
    assert (
        "a made-up digit for 4 rankings" in text
        and f"saliency, deletion {curves['saliency'].deletion_area:.2f}" in text
    )
    assert_readable(fig)
    lines = fig.axes[0].get_lines()
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines[:4]}) == 4  # not colour alone
    with pytest.raises(TypeError, match="curves must be a dict"):
        plot_removal_curves({"x": 1})


def test_the_statistics_are_scipys():
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 30), rng.normal(0.8, 1, 30)
    assert paired_test(a, b) == pytest.approx(stats.wilcoxon(a, b, alternative="less").pvalue)
    assert paired_test(b, a) > 0.5 and paired_test(a, a) == 1.0
    both_ways = stats.wilcoxon(a, b, alternative="two-sided").pvalue
    assert paired_test(a, b, two_sided=True) == pytest.approx(both_ways) == paired_test(b, a, two_sided=True)
    assert paired_test(a, b, two_sided=True) > paired_test(a, b)  # the direction chosen after: no half price
    low, high = mean_interval(a)
    assert low < a.mean() < high and high - low < 1.5
    assert mean_interval(np.ones(5)) == (1.0, 1.0)
    with pytest.raises(ValueError, match="paired"):
        paired_test(a, b[:3])


def test_the_edge_map_is_sobels_and_knows_no_model():
    image = np.zeros((12, 12), "float32")
    image[:, 6:] = 1.0  # one vertical edge
    edges = edge_map(image)
    assert edges[5, 5] > 0 and edges[5, 6] > 0 and edges[5, 2] == 0 and edges[5, 9] == 0


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
    from cnn_helpers.maths.statistics import sign_test

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
