"""The exploratory notebook's plain functions: output sizes and receptive fields against Keras and
brute force, shifts, the kernel editor's numbers.
"""

from __future__ import annotations

from cnn_helpers.maths.convolution import kernel_from_values
from cnn_helpers.maths.padding import conv_output_size
from cnn_helpers.maths.receptive_field import receptive_field, receptive_field_box
from cnn_helpers.maths.shifts import (
    ShiftAccuracy,
    ink_cut_off,
    ink_share_cut,
    shift_accuracy,
    shift_images,
    shift_similarity,
)
import keras
import numpy as np
import pytest
import tensorflow as tf

layers = keras.layers
POSITIVE = {"kernel_initializer": keras.initializers.RandomUniform(0.1, 1.0, seed=0)}

# --- conv_output_size -------------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_output_size_matches_keras_conv_and_pooling(padding):
    for n in (5, 7, 12, 28):
        for k in (1, 2, 3, 5):
            for s in (1, 2, 3):
                x = np.zeros((1, n, n, 1), "float32")
                conv = layers.Conv2D(1, k, strides=s, padding=padding)(x).shape[1]
                pool = layers.MaxPooling2D(k, strides=s, padding=padding)(x).shape[1]
                assert conv_output_size(n, k, padding=padding, stride=s) == conv == pool, (n, k, s)


@pytest.mark.parametrize(
    ("n", "k", "p", "s"), [(28, 3, 1, 1), (28, 5, 2, 2), (7, 3, 3, 2), (5, 7, 1, 1), (9, 4, 2, 3)]
)
def test_conv_output_size_with_explicit_padding_matches_keras(n, k, p, s):
    x = np.zeros((1, n, n, 1), "float32")
    out = layers.Conv2D(1, k, strides=s)(layers.ZeroPadding2D(p)(x))
    assert conv_output_size(n, k, padding=p, stride=s) == out.shape[1]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"size": 0, "kernel_size": 3}, ValueError, "size must be a positive int"),
        ({"size": 28, "kernel_size": "3"}, TypeError, "kernel_size must be an int"),
        ({"size": 28, "kernel_size": 3, "stride": 0}, ValueError, "stride must be a positive int"),
        ({"size": 28, "kernel_size": 3, "padding": "full"}, ValueError, "padding must be 'valid', 'same'"),
        ({"size": 28, "kernel_size": 3, "padding": -1}, ValueError, "an int >= 0, got -1"),
        ({"size": 28, "kernel_size": 3, "padding": True}, ValueError, "padding must be"),
        ({"size": 2, "kernel_size": 3}, ValueError, "larger than the padded input"),
    ],
)
def test_conv_output_size_refuses_bad_input(kwargs, error, match):
    size, kernel_size = kwargs.pop("size"), kwargs.pop("kernel_size")
    with pytest.raises(error, match=match):
        conv_output_size(size, kernel_size, **kwargs)


# --- receptive fields -------------------------------------------------------------------------


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


# --- shifts -----------------------------------------------------------------------------------


def test_shift_images_moves_without_wrapping():
    images = np.arange(2 * 5 * 6, dtype="float32").reshape(2, 5, 6) + 1
    right_down = shift_images(images, 2, 1)
    np.testing.assert_array_equal(right_down[:, 1:, 2:], images[:, :-1, :-2])
    assert not right_down[:, 0].any() and not right_down[:, :, :2].any()
    left_up = shift_images(images[..., None], -3, -4)
    assert left_up.shape == (2, 5, 6, 1) and left_up.dtype == images.dtype
    np.testing.assert_array_equal(left_up[:, :1, :3, 0], images[:, 4:, 3:])
    assert left_up[:, 1:].sum() == 0 and left_up[:, :, 3:].sum() == 0
    np.testing.assert_array_equal(shift_images(images, 0, 0), images)


def test_shift_images_refuses_bad_input():
    images = np.zeros((2, 5, 6))
    with pytest.raises(ValueError, match=r"dx must be in \[-5, 5\], got 6"):
        shift_images(images, 6, 0)
    with pytest.raises(ValueError, match=r"dy must be in \[-4, 4\], got -5"):
        shift_images(images, 0, -5)
    with pytest.raises(TypeError, match="dx must be an int"):
        shift_images(images, 1.5, 0)
    with pytest.raises(ValueError, match="images must be shaped"):
        shift_images(np.zeros((5, 6)), 1, 1)


# --- the kernel editor's numbers --------------------------------------------------------------


def test_the_share_of_ink_cut_off_is_measured_per_copy():
    images = np.zeros((2, 5, 5))
    images[0, 2, 2] = 1.0  # one pixel in the middle
    images[1, :, 4] = 0.5  # a column at the right edge, and
    images[1, 0, 0] = 0.5  # one pixel in the top-left corner
    np.testing.assert_allclose(ink_share_cut(images, 1, 0), [0, 5 / 6])  # right: the column goes
    np.testing.assert_allclose(ink_share_cut(images, -1, 0), [0, 1 / 6])  # left: the corner goes
    np.testing.assert_allclose(ink_share_cut(np.zeros((1, 5, 5)), 2, 2), [0])  # no ink, nothing lost


def test_ink_cut_off_is_exact():
    images = np.zeros((3, 6, 6), "float32")
    images[0, 2, 2] = 1.0  # in the middle
    images[1, 0, 3] = 1e-6  # a faint pixel on the top row still counts
    images[2, 3, 5] = 1.0  # on the right column
    assert ink_cut_off(images, 0, 0).tolist() == [False, False, False]
    assert ink_cut_off(images, 0, -1).tolist() == [False, True, False]  # up
    assert ink_cut_off(images, 1, 0).tolist() == [False, False, True]  # right
    assert ink_cut_off(images[..., None], -2, 2).tolist() == [False, False, False]  # left and down
    assert ink_cut_off(images, 3, 3).tolist() == [False, True, True]


class _InkCounter:
    """A stand-in model: says 1 when the image holds its whole ink (1.0), else 0; records its batches."""

    def __init__(self):
        self.batches = []

    def predict(self, batch, *, batch_size, verbose):
        self.batches.append((batch.shape, batch_size, verbose))
        whole = np.isclose(batch.sum(axis=(1, 2, 3)), 1.0)
        return np.stack([~whole, whole], axis=1).astype("float32")


def test_shift_accuracy_splits_cut_off_and_intact_digits():
    images = np.zeros((4, 6, 6), "float32")
    images[0, 2, 2] = images[1, 0, 3] = images[2, 3, 5] = images[3, 3, 3] = 1.0
    model = _InkCounter()
    result = shift_accuracy(model, images, np.ones(4, int), shifts=[0, 1], batch_size=7)
    assert isinstance(result, ShiftAccuracy)
    assert model.batches == [((4, 6, 6, 1), 7, 0), ((16, 6, 6, 1), 7, 0)]  # one copy unshifted, four moved
    assert result.pixels.tolist() == [0, 1]
    # Shifted by 1: #1 loses its ink moving up, #2 moving right; the 14 others keep it and are read.
    assert result.count_cut.tolist() == [0, 2] and result.count_intact.tolist() == [4, 14]
    np.testing.assert_allclose(result.cut_off, [0, 2 / 16])
    np.testing.assert_allclose(result.accuracy, [1, 14 / 16])
    assert np.isnan(result.accuracy_cut[0]) and result.accuracy_cut[1] == 0
    np.testing.assert_allclose(result.accuracy_intact, [1, 1])
    # by direction: #2 is lost moving right, #1 moving up; left and down keep all four
    np.testing.assert_allclose(result.by_direction, [[1, 1, 1, 1], [3 / 4, 1, 1, 3 / 4]])
    assert np.isnan(result.ink_lost[0]) and result.ink_lost[1] == 1.0  # each cut copy lost its one pixel
    table = str(result).splitlines()
    assert table[0].split()[2:6] == ["right", "left", "down", "up"]
    assert table[1].split()[:8] == ["0", "100.0%", "100.0%", "100.0%", "100.0%", "100.0%", "0.0%", "-"]
    assert table[2].split()[:8] == ["1", "87.5%", "75.0%", "100.0%", "100.0%", "75.0%", "12.5%", "100.0%"]
    assert "0.0% of 2" in table[2]
    one_hot = shift_accuracy(model, images[..., None], np.eye(2)[np.ones(4, int)], shifts=[1])
    np.testing.assert_allclose(one_hot.accuracy, [14 / 16])


def test_shift_accuracy_refuses_bad_input():
    images = np.zeros((2, 6, 6))
    with pytest.raises(ValueError, match="shifts must be whole numbers of pixels >= 0"):
        shift_accuracy(_InkCounter(), images, [0, 1], shifts=[-1])
    with pytest.raises(ValueError, match="shifts must be whole numbers"):
        shift_accuracy(_InkCounter(), images, [0, 1], shifts=[0.5])
    with pytest.raises(ValueError, match="labels has 3 entries but there are 2 images"):
        shift_accuracy(_InkCounter(), images, [0, 1, 2])
    with pytest.raises(ValueError, match="must have one channel"):
        shift_accuracy(_InkCounter(), np.zeros((2, 6, 6, 3)), [0, 1])


def test_kernel_from_values_accepts_flat_and_nested():
    expected = np.arange(9, dtype="float32").reshape(3, 3)
    for values in (
        list(range(9)),
        expected.tolist(),
        tuple(range(9)),
        expected,
        [0, 1.0, 2, 3, 4, 5, 6, 7, 8],
    ):
        kernel = kernel_from_values(values)
        assert kernel.dtype == np.float32
        np.testing.assert_array_equal(kernel, expected)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        (list(range(8)), ValueError, "a 3×3 kernel needs nine numbers, got 8"),
        ([[1, 2, 3, 4]] * 2, ValueError, "a 3×3 kernel needs nine numbers, got 8"),
        ([list(range(9))], ValueError, r"3 rows of 3 numbers, got shape \(1, 9\)"),
        ([1, 2, 3, 4, 5, 6, 7, 8, "9"], TypeError, "values must hold numbers"),
        ([1, 2, 3, 4, 5, 6, 7, 8, None], TypeError, "values must hold numbers"),
        ([True] * 9, TypeError, "values must hold numbers"),
        ([1, 2, 3, 4, 5, 6, 7, 8, float("nan")], ValueError, "values holds NaN"),
        ([[1, 2, 3], [4, 5], [6, 7, 8, 9]], TypeError, "values must be an array"),
        ([], ValueError, "values is empty"),
        (np.zeros((3, 3, 1)), ValueError, "values must be shaped"),
    ],
)
def test_kernel_from_values_refuses_bad_input(values, error, match):
    with pytest.raises(error, match=match):
        kernel_from_values(values)


def test_shift_similarity_measures_what_each_layer_keeps_of_a_move():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(2, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    images = np.zeros((3, 8, 8), "float32")
    images[:, 2:6, 3] = 1.0  # a vertical stroke
    result = shift_similarity(model, images, shifts=(1, 2))
    conv, pool = model.layers[0].name, model.layers[1].name
    assert result.layers == ["pixels", conv, pool]  # no Flatten (a copy), no output layer
    assert result.similarity.shape == (3, 2)
    assert result.similarity[0, 0] == pytest.approx(0.0)  # a one-pixel-wide stroke moved 1: no overlap
    assert str(result).splitlines()[0].split() == [
        "layer",
        "moved",
        "1",
        "px",
        "moved",
        "2",
        "px",
        "other",
        "digit",
    ]
    assert result.unrelated.shape == (3,)  # one reference per layer: each digit against the next
    assert result.unrelated[0] == pytest.approx(1.0)  # here all three digits are the same stroke
    with pytest.raises(ValueError, match="shifts must be whole numbers of pixels >= 1"):
        shift_similarity(model, images, shifts=(0,))
