"""One unit seen three ways (receptive field, covering it, one-pixel shifts), on a small model and
known cases; its figure; the UnitExplorer widget driven without a browser.
"""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.unit import show_unit_view
from cnn_helpers.maths.shifts import shift_images
from cnn_helpers.maths.unit import UnitReport, feature_layers, inspect_unit
from cnn_helpers.widgets import UnitExplorer
from figure_checks import assert_readable
from helpers import assert_plain_sentence, shown_png
import keras
from models import no_convolution
import numpy as np
import pytest

layers = keras.layers


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(5)
    return keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(3, 3, activation="relu", bias_initializer="ones", name="conv_a"),
            layers.MaxPooling2D(2, name="pool_a"),
            layers.Conv2D(4, 3, activation="relu", padding="same", name="conv_b"),
            layers.Flatten(name="flat"),
            layers.Dense(3, activation="softmax", name="out"),
        ]
    )


@pytest.fixture(scope="module")
def digit():
    image = np.zeros((12, 12), "float32")
    image[4:9, 5:8] = np.linspace(0.4, 1, 15).reshape(5, 3)
    return image


def _maps(model, name, images):
    extractor = keras.Model(model.inputs[0], model.get_layer(name).output)
    return np.asarray(extractor(images[..., None].astype("float32")))


def _logits(model, image):
    """The class scores before the softmax, computed here from the last layer's weights."""
    features = keras.Model(model.inputs[0], model.layers[-1].input)
    kernel, bias = model.layers[-1].get_weights()
    return np.asarray(features(image[None, ..., None].astype("float32")))[0] @ kernel + bias


def test_feature_layers_are_those_before_flatten(model):
    assert feature_layers(model) == ["conv_a", "pool_a", "conv_b"]


def test_covering_a_field_of_background_changes_nothing(model, digit):
    report = inspect_unit(model, digit, "conv_a", 1, 0, 0)  # sees rows 0-2, columns 0-2: all black
    assert report.box == (0, 0, 3) and report.covered == (0, 3, 0, 3)
    assert report.score_after == report.score_before and report.new_prediction == report.predicted
    probabilities = model.predict(digit[None, ..., None], verbose=0)[0]
    assert report.predicted == probabilities.argmax()
    # the score is the logit, not the probability: its softmax gives the model's probabilities
    logits = _logits(model, digit)
    assert report.score_before == pytest.approx(logits[report.predicted], rel=1e-5)
    assert report.score_before != pytest.approx(probabilities.max())


def test_covering_the_field_is_the_model_on_the_covered_digit(model, digit):
    report = inspect_unit(model, digit, "conv_b", 2, 0, 2)  # same padding: its 8x8 field sticks out
    assert report.box == (-2, 2, 8) and report.covered == (0, 6, 2, 10)
    covered = digit.copy()
    covered[0:6, 2:10] = 0
    logits = _logits(model, covered)
    assert report.score_after == pytest.approx(logits[report.predicted], rel=1e-5, abs=1e-6)
    assert report.new_prediction == logits.argmax()
    assert report.score_new == pytest.approx(logits.max(), rel=1e-5)
    text = str(report)
    before, after = f"{report.score_before:.2f}", f"{report.score_after:.2f}"
    assert f"covered: score of {report.predicted} {before} -> {after}" in text
    assert "p(" not in text
    assert report.value == pytest.approx(_maps(model, "conv_b", digit[None])[0, 0, 2, 2])
    np.testing.assert_allclose(report.feature_map, _maps(model, "conv_b", digit[None])[0, :, :, 2], atol=1e-6)


def test_a_first_layer_unit_follows_a_shift_to_its_neighbour(model, digit):
    """A convolution moves with the image: moved one pixel right, unit (r, c) gets what (r, c - 1) had."""
    row, col = 4, 5
    report = inspect_unit(model, digit, "conv_a", 0, row, col)
    fmap = report.feature_map
    assert report.shifted[1, 1] == pytest.approx(report.value) == pytest.approx(fmap[row, col])
    assert report.shifted[1, 2] == pytest.approx(fmap[row, col - 1])  # digit moved right
    assert report.shifted[1, 0] == pytest.approx(fmap[row, col + 1])  # left
    assert report.shifted[2, 1] == pytest.approx(fmap[row - 1, col])  # down
    assert report.shifted[0, 1] == pytest.approx(fmap[row + 1, col])  # up
    moved = shift_images(digit[None], -1, 1)  # left and down
    assert report.shifted[2, 0] == pytest.approx(_maps(model, "conv_a", moved)[0, row, col, 0])
    text = str(report)
    assert f"value {report.value:.2f}" in text and f"right {report.shifted[1, 2]:.2f}" in text


def test_inspect_unit_refuses_what_has_no_unit(model, digit):
    with pytest.raises(ValueError, match=r"layer 'out' has no feature map; pick one of \['conv_a'"):
        inspect_unit(model, digit, "out", 0, 0, 0)
    with pytest.raises(ValueError, match=r"channel must be in \[0, 2\]"):
        inspect_unit(model, digit, "conv_a", 3, 0, 0)
    with pytest.raises(ValueError, match=r"row must be in \[0, 9\]"):
        inspect_unit(model, digit, 0, 0, 10, 0)
    with pytest.raises(ValueError, match="image is 28x28 but the model expects 12x12"):
        inspect_unit(model, np.zeros((28, 28)), 0, 0, 0, 0)
    with pytest.raises(TypeError, match="report must be the UnitReport"):
        show_unit_view(digit, {"value": 1})


def test_unit_figure_draws_the_three_views_and_says_their_numbers(model, digit):
    report = inspect_unit(model, digit, "pool_a", 1, 2, 3)
    assert isinstance(report, UnitReport)
    fig = show_unit_view(digit, report)
    field, fmap, cover, moves = fig.axes
    top, left, size = report.box
    assert field.patches[0].get_xy() == (left - 0.5, top - 0.5) and field.patches[0].get_width() == size
    assert fmap.patches[0].get_xy() == (3 - 0.5, 2 - 0.5)
    r0, r1, c0, c1 = report.covered
    assert not np.asarray(cover.images[0].get_array())[r0:r1, c0:c1].any()
    np.testing.assert_allclose(np.asarray(moves.images[0].get_array()), report.shifted)
    assert [t.get_text() for t in moves.texts][4] == f"{round(report.value, 2) + 0.0:g}"
    text = alt_text(fig)
    assert f"Unit (2, 3) of channel 1 of layer pool_a has value {report.value:.3g}" in text
    before, after = f"{report.score_before:.2f}", f"{report.score_after:.2f}"
    assert f"score (logit) of {report.predicted} from {before} to {after}" in text
    assert "probability" not in text
    assert f"{report.shifted[1, 2]:.3g} (right)" in text
    assert_readable(fig)


def test_unit_explorer_follows_its_controls(model, digit):
    explorer = UnitExplorer(model, digit)
    assert explorer.unit == ("conv_a", 0, 0, 0) and list(explorer.layer.options) == feature_layers(model)
    assert [explorer.sliders[n].max for n in ("channel", "row", "col")] == [2, 9, 9]
    assert (
        "cnn-unit-output" in explorer.output._dom_classes and "cnn-unit-layer" in explorer.layer._dom_classes
    )
    first = shown_png(explorer.output)
    explorer.sliders["row"].value = 9
    explorer.layer.value = "conv_b"  # a 5x5 map with 4 channels: the row slider comes back inside it
    assert explorer.unit == ("conv_b", 0, 4, 0)
    assert [explorer.sliders[n].max for n in ("channel", "row", "col")] == [3, 4, 4]
    assert (
        explorer.report.layer == "conv_b" and explorer.report.row == 4 and shown_png(explorer.output) != first
    )
    explorer.sliders["channel"].value = 3
    assert explorer.report.channel == 3 and "channel 3" in explorer.label.value
    assert explorer.snapshot() is explorer.figure and "channel 3 of layer conv_b" in alt_text(
        explorer.snapshot()
    )
    assert_plain_sentence(
        explorer, "Unit explorer", "unit (4, 0) of channel 3 of layer 'conv_b'", "pick a unit"
    )


def test_unit_explorer_starts_where_asked_and_refuses_bad_starts(model, digit):
    explorer = UnitExplorer(model, digit, layer="conv_b", channel=2, row=3, col=1)
    assert explorer.unit == ("conv_b", 2, 3, 1) and explorer.report.value == pytest.approx(
        _maps(model, "conv_b", digit[None])[0, 3, 1, 2]
    )
    with pytest.raises(ValueError, match=r"row must be an int in \[0, 4\] for layer 'conv_b', got 7"):
        UnitExplorer(model, digit, layer="conv_b", row=7)
    with pytest.raises(ValueError, match="layer 'flat' has no feature map"):
        UnitExplorer(model, digit, layer="flat")
    with pytest.raises(ValueError, match="no Conv2D or pooling layer"):
        UnitExplorer(no_convolution(12, classes=2), digit)


def test_shift_change_is_the_mean_move_of_the_active_units_over_their_values(model, digit):
    from cnn_helpers.maths.unit import shift_change

    maps = _maps(model, "conv_a", digit[None])[0]
    moved = np.stack(
        [
            _maps(model, "conv_a", shift_images(digit[None], dx, dy))[0]
            for dy, dx in _NINE
            if (dy, dx) != (0, 0)
        ]
    )
    active = maps > 0
    expected = np.abs(moved - maps).mean(axis=0)[active].sum() / maps[active].sum()
    assert shift_change(model, digit, "conv_a") == pytest.approx(expected, rel=1e-5)
    assert shift_change(model, digit, "conv_a") > 0.01  # a digit's strokes move: so do the units on them
    # control: an empty image has the same value everywhere (the bias), so no move changes it
    assert shift_change(model, np.zeros((12, 12)), "conv_a") == pytest.approx(0, abs=1e-6)
    with pytest.raises(ValueError, match="layer 'out' has no feature map"):
        shift_change(model, digit, "out")


_NINE = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


def test_compare_unit_shifts_shares_one_scale_and_says_each_units_change():
    from cnn_helpers.figures.unit import compare_unit_shifts

    steady = np.full((3, 3), 2.0)
    steady[0, 1] = 1.5
    follows = np.array([[0.0, 0.2, 0.1], [3.0, 3.5, 0.5], [0.1, 0.0, 0.4]])
    fig = compare_unit_shifts({"pooled unit": steady, "convolution unit": follows})
    first, second = (ax for ax in fig.axes if ax.images)
    assert first.images[0].get_clim() == second.images[0].get_clim() == (0.0, 3.5)  # one scale
    assert [t.get_text() for t in second.texts][4] == "3.5" and first.get_title() == "pooled unit"
    text = alt_text(fig)
    assert "pooled unit: 2 unmoved, from 1.5 to 2 over the nine moves, a move changes it by 0.5" in text
    assert (
        "convolution unit: 3.5 unmoved, from 0 to 3.5 over the nine moves, a move changes it by 3.5" in text
    )
    assert_readable(fig)
    with pytest.raises(ValueError, match=r"values\['a'\] must be shaped \(3, 3\)"):
        compare_unit_shifts({"a": np.zeros((2, 3))})
    with pytest.raises(TypeError, match="non-empty dict"):
        compare_unit_shifts({})
