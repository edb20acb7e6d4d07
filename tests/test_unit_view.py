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


def test_feature_layers_are_those_before_flatten(model):
    assert feature_layers(model) == ["conv_a", "pool_a", "conv_b"]


def test_covering_a_field_of_background_changes_nothing(model, digit):
    report = inspect_unit(model, digit, "conv_a", 1, 0, 0)  # sees rows 0-2, columns 0-2: all black
    assert report.box == (0, 0, 3) and report.covered == (0, 3, 0, 3)
    assert report.p_after == report.p_before and report.new_prediction == report.predicted
    probabilities = model.predict(digit[None, ..., None], verbose=0)[0]
    assert report.predicted == probabilities.argmax() and report.p_before == pytest.approx(
        probabilities.max()
    )


def test_covering_the_field_is_the_model_on_the_covered_digit(model, digit):
    report = inspect_unit(model, digit, "conv_b", 2, 0, 2)  # same padding: its 8x8 field sticks out
    assert report.box == (-2, 2, 8) and report.covered == (0, 6, 2, 10)
    covered = digit.copy()
    covered[0:6, 2:10] = 0
    probabilities = model.predict(covered[None, ..., None], verbose=0)[0]
    assert report.p_after == pytest.approx(probabilities[report.predicted], abs=1e-6)
    assert report.new_prediction == probabilities.argmax() and report.p_new == pytest.approx(
        probabilities.max()
    )
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
    assert f"from {report.p_before:.3f} to {report.p_after:.3f}" in text
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
