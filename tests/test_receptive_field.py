"""Receptive fields: their size and box against the gradient's support (brute force) on many
geometries, the layers they pass through or refuse, and the figure that outlines them."""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.receptive_field import show_receptive_field
from cnn_helpers.maths.receptive_field import receptive_field, receptive_field_box
import keras
import numpy as np
import pytest
import tensorflow as tf

layers = keras.layers
POSITIVE = {"kernel_initializer": keras.initializers.RandomUniform(0.1, 1.0, seed=0)}


def _lesson_like(pool=layers.MaxPooling2D, extra=()):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(2, 3, activation="relu", name="conv1", **POSITIVE),
            pool(2, name="pool1"),
            *extra,
            layers.Conv2D(2, 3, activation="relu", name="conv2", **POSITIVE),
            layers.Flatten(name="flatten"),
            layers.Dense(3, activation="softmax", name="dense"),
        ]
    )


def test_receptive_field_of_the_lesson_model():
    model = _lesson_like()
    assert receptive_field(model, model.layers[0]) == 3
    assert receptive_field(model, 1) == 4
    assert receptive_field(model, model.layers[2]) == 8
    assert receptive_field(model, "conv2") == 8
    assert receptive_field(model, -3) == 8
    assert receptive_field_box(model, "conv2", 0, 0) == (0, 0, 8)
    assert receptive_field_box(model, "conv2", 3, 5) == (6, 10, 8)


def test_pass_through_layers_leave_the_receptive_field_alone():
    extra = (layers.Dropout(0.5), layers.BatchNormalization(), layers.Activation("relu"), layers.ReLU())
    model = _lesson_like(extra=extra)
    assert receptive_field(model, "conv2") == 8
    assert receptive_field(model, 3) == 4  # the BatchNormalization after the pooling


def _gradient_support(model, index, row, col):
    """Brute force: the input pixels whose change moves unit (row, col, 0) of layer ``index``."""
    x = tf.constant(
        np.random.default_rng(index).uniform(0.2, 1.0, (1, *model.inputs[0].shape[1:])), "float32"
    )
    part = keras.Model(model.inputs, model.layers[index].output)
    with tf.GradientTape() as tape:
        tape.watch(x)
        unit = part(x)[0, row, col, 0]
    return np.abs(tape.gradient(unit, x).numpy()[0, :, :, 0]) > 0


GEOMETRIES = {
    "lesson, average pooling": [
        layers.Conv2D(2, 3, **POSITIVE),
        layers.AveragePooling2D(2),
        layers.Conv2D(2, 3, **POSITIVE),
    ],
    "same padding, strides": [
        layers.Conv2D(2, 3, strides=2, padding="same", **POSITIVE),
        layers.Conv2D(2, 3, padding="same", **POSITIVE),
        layers.AveragePooling2D(3, strides=2, padding="same"),
        layers.Conv2D(2, 4, padding="same", **POSITIVE),
    ],
    "large kernels": [
        layers.Conv2D(2, 5, strides=2, **POSITIVE),
        layers.BatchNormalization(),
        layers.Conv2D(2, 3, strides=3, **POSITIVE),
    ],
}


@pytest.mark.parametrize("name", GEOMETRIES)
def test_receptive_field_box_matches_the_gradient_support(name):
    model = keras.Sequential([keras.Input((21, 23, 1)), *GEOMETRIES[name]])
    for index, current in enumerate(model.layers):
        h, w = current.output.shape[1:3]
        for row, col in {(0, 0), (h // 2, w // 3), (h - 1, w - 1)}:
            top, left, size = receptive_field_box(model, index, row, col)
            assert size == receptive_field(model, index)
            expected = np.zeros((21, 23), bool)
            expected[max(top, 0) : top + size, max(left, 0) : left + size] = True  # clipped to the image
            np.testing.assert_array_equal(
                _gradient_support(model, index, row, col), expected, err_msg=f"{index} {row} {col}"
            )


def test_receptive_field_box_of_max_pooling_holds_the_gradient_support():
    model = _lesson_like()
    top, left, size = receptive_field_box(model, 2, 4, 7)
    support = _gradient_support(model, 2, 4, 7)
    assert support.any()
    assert (
        support[top : top + size, left : left + size].sum() == support.sum()
    )  # max pooling routes to the max


def test_dilation_grows_the_field():
    model = keras.Sequential([keras.Input((20, 20, 1)), layers.Conv2D(1, 3, dilation_rate=2, **POSITIVE)])
    assert receptive_field(model, 0) == 5
    support = _gradient_support(model, 0, 2, 3)
    rows, cols = np.flatnonzero(support.any(axis=1)), np.flatnonzero(support.any(axis=0))
    assert (rows[0], cols[0], rows[-1] - rows[0] + 1) == receptive_field_box(model, 0, 2, 3)


def test_receptive_field_refuses_bad_layers():
    model = _lesson_like()
    with pytest.raises(ValueError, match="sees the whole image"):
        receptive_field(model, "flatten")
    with pytest.raises(ValueError, match="sees the whole image"):
        receptive_field(model, "dense")
    with pytest.raises(ValueError, match="no layer named 'conv9'.*'conv1'"):
        receptive_field(model, "conv9")
    with pytest.raises(ValueError, match=r"layer must be in \[-5, 4\], got 5"):
        receptive_field(model, 5)
    with pytest.raises(ValueError, match="layer must be one of model.layers"):
        receptive_field(model, layers.Conv2D(1, 3))
    with pytest.raises(TypeError, match="model must be a keras Model"):
        receptive_field("model", 0)
    with pytest.raises(ValueError, match=r"row must be in \[0, 10\], got 11"):
        receptive_field_box(model, "conv2", 11, 0)
    with pytest.raises(TypeError, match="col must be an int"):
        receptive_field_box(model, "conv2", 0, 1.5)
    odd = keras.Sequential([keras.Input((9, 9, 1)), layers.Conv2D(1, (3, 5))])
    with pytest.raises(ValueError, match="3x5, not square"):
        receptive_field(odd, 0)
    upsampled = keras.Sequential([keras.Input((9, 9, 1)), layers.UpSampling2D(2)])
    with pytest.raises(ValueError, match="cannot follow a receptive field through layer"):
        receptive_field(upsampled, 0)


def test_show_receptive_field_outlines_each_box(mnist_test_digits):
    boxes = {"conv1 unit": (10, 12, 3), "conv2 unit": (-1, 20, 8)}
    fig = show_receptive_field(mnist_test_digits[0][0], boxes, feature_map=np.ones((11, 11)), unit=(4, 5))
    image_ax, map_ax = fig.axes
    drawn = [(p.get_xy(), p.get_width(), p.get_height()) for p in image_ax.patches]
    assert drawn == [((11.5, 9.5), 3, 3), ((19.5, -1.5), 8, 8)]
    assert [t.get_text() for t in image_ax.get_legend().get_texts()] == ["conv1 unit: 3x3", "conv2 unit: 8x8"]
    assert map_ax.patches[0].get_xy() == (4.5, 3.5) and "unit (4, 5)" in map_ax.get_title()
    assert len(show_receptive_field(mnist_test_digits[0][0], {"one": (0, 0, 3)}).axes) == 1


@pytest.mark.parametrize(
    ("boxes", "extra", "error", "match"),
    [
        ({}, {}, TypeError, "boxes must be a dict of 1 to 5"),
        ({"a": (1, 2)}, {}, ValueError, r"boxes\['a'\] must be three ints"),
        ({"a": (1, 2, 0)}, {}, ValueError, "size >= 1"),
        ({"a": (1, 2, 3)}, {"feature_map": np.ones((5, 5)), "unit": (5, 0)}, ValueError, "unit must be a"),
        ({"a": (1, 2, 3)}, {"feature_map": np.ones((5, 5))}, ValueError, "unit must be a"),
    ],
)
def test_show_receptive_field_refuses_bad_input(boxes, extra, error, match):
    with pytest.raises(error, match=match):
        show_receptive_field(np.zeros((28, 28)), boxes, **extra)


def test_the_receptive_field_figure_says_where_the_box_lies(mnist_test_digits):
    boxes = show_receptive_field(
        mnist_test_digits[0][0], {"unit": (6, 4, 8)}, feature_map=np.ones((11, 11)), unit=(3, 2)
    )
    assert "unit, 8x8 pixels from row 6, column 4" in alt_text(boxes)
    assert "11x11 feature map with unit (3, 2)" in alt_text(boxes)
