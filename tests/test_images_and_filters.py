"""The figure helpers of figures/images.py and figures/filters.py: digits, filters and feature
maps; what they draw, and the bad input they refuse."""

from __future__ import annotations

from cnn_helpers import show_feature_maps, show_filters, show_images
from cnn_helpers.figures._base import grid_shape
import keras
from matplotlib.figure import Figure
from models import small_cnn
import numpy as np
import pytest
import tensorflow as tf


def _images(axes):
    return [im for ax in axes for im in ax.get_images()]


@pytest.fixture
def conv_model():
    return small_cnn(28, filters=16, seed=1)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, (1, 1)), (3, (1, 3)), (8, (2, 4)), (9, (3, 3)), (10, (3, 4)), (32, (5, 7)), (100, (13, 8))],
)
def test_grid_shape(n, expected):
    assert grid_shape(n) == expected


def test_grid_shape_refuses_bad_arguments():
    with pytest.raises(ValueError, match="max_cols must be a positive int, got 0"):
        grid_shape(5, max_cols=0)
    with pytest.raises(ValueError, match="n must be a positive int"):
        grid_shape(0)


def test_show_images_titles_and_count(random_uint8_digits):
    images, labels = random_uint8_digits
    fig = show_images(images, labels, n=9)
    assert isinstance(fig, Figure)
    drawn = _images(fig.axes)
    assert len(drawn) == 9
    assert [ax.get_title() for ax in fig.axes[:3]] == ["label 0", "label 1", "label 2"]
    assert np.array_equal(drawn[4].get_array(), images[4])


def test_show_images_accepts_channel_axis_and_one_hot(random_uint8_digits):
    images, labels = random_uint8_digits
    one_hot = keras.utils.to_categorical(labels, 10)
    fig = show_images(images[..., None].astype("float32") / 255, one_hot, n=4)
    assert [ax.get_title() for ax in fig.axes if ax.get_images()] == [
        "label 0",
        "label 1",
        "label 2",
        "label 3",
    ]


def test_show_images_without_labels_has_no_titles(random_uint8_digits):
    fig = show_images(random_uint8_digits[0], n=3)
    assert len(fig.axes) == 3 and all(ax.get_title() == "" for ax in fig.axes)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive int"),
        ({"n": -2}, ValueError, "n must be a positive int"),
        ({"n": 2.5}, TypeError, "n must be an int"),
        ({"n": True}, TypeError, "n must be an int"),
        ({"n": 13}, ValueError, "n=13 is more than the 12 images"),
        ({"labels": np.arange(5)}, ValueError, "labels has 5 entries but there are 12 images"),
        ({"labels": np.array(["a"] * 12)}, TypeError, "labels must hold numbers"),
    ],
)
def test_show_images_refuses_bad_arguments(random_uint8_digits, kwargs, error, match):
    images, labels = random_uint8_digits
    kwargs = {"labels": labels, **kwargs}
    with pytest.raises(error, match=match):
        show_images(images, **kwargs)


@pytest.mark.parametrize(
    ("images", "error", "match"),
    [
        (np.zeros((28, 28)), ValueError, r"images must be shaped .* got 2 dimensions"),
        (np.zeros((0, 28, 28)), ValueError, "images is empty"),
        (np.zeros((3, 28, 28, 3)), ValueError, "one channel"),
        ([[[1, 2], [3]]], TypeError, "images must be an array shaped"),  # ragged
        (tf.zeros((3, 28, 28)) * np.nan, ValueError, "NaN or infinite"),  # a tf.Tensor is read too
        (np.full((3, 28, 28), np.nan), ValueError, "NaN or infinite"),
        (np.full((3, 28, 28), "x"), TypeError, "images must hold numbers"),
        ("digits", TypeError, "images must hold numbers"),
    ],
)
def test_show_images_refuses_bad_images(images, error, match):
    with pytest.raises(error, match=match):
        show_images(images, n=1)


def test_show_filters_grayscale_layer(conv_model):
    layer = conv_model.layers[0]
    fig = show_filters(layer, 8)
    drawn = _images(fig.axes)
    assert len(drawn) == 8
    kernel = layer.get_weights()[0]
    for i, image in enumerate(drawn):
        assert np.allclose(image.get_array(), kernel[:, :, 0, i])
    limit = np.abs(kernel[..., :8]).max()
    assert {image.get_clim() for image in drawn} == {(-limit, limit)}  # one scale, symmetric
    assert drawn[0].get_cmap().name == "RdBu_r"
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_show_filters_draws_every_input_channel():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)])
    layer = model.layers[0]
    fig = show_filters(layer, 2)
    drawn = _images(fig.axes)
    assert len(drawn) == 2 * 3
    kernel = layer.get_weights()[0]
    assert np.allclose(drawn[5].get_array(), kernel[:, :, 2, 1])  # filter 1, input channel 2


def test_show_filters_refuses_bad_arguments(conv_model):
    layer = conv_model.layers[0]
    with pytest.raises(TypeError, match=r"layer must be a keras.layers.Conv2D .* got Dense"):
        show_filters(keras.layers.Dense(3), 1)
    with pytest.raises(TypeError, match="got ndarray"):
        show_filters(np.zeros((3, 3, 1, 8)), 1)
    with pytest.raises(ValueError, match="has no weights yet"):
        show_filters(keras.layers.Conv2D(8, 3), 1)
    with pytest.raises(ValueError, match="n=17 is more than the 16 filters"):
        show_filters(layer, 17)
    with pytest.raises(ValueError, match="n must be a positive int"):
        show_filters(layer, 0)
    with pytest.raises(TypeError, match="n must be an int"):
        show_filters(layer, "8")


def test_show_feature_maps_scales_each_map_and_marks_dead_ones():
    maps = np.zeros((1, 6, 6, 5), dtype="float32")
    maps[0, :, :, 0] = np.arange(36).reshape(6, 6)
    maps[0, :, :, 2] = 1000 * np.eye(6)
    fig = show_feature_maps(maps, 4)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in axes] == ["channel 0", "channel 1", "channel 2", "channel 3"]
    assert axes[0].get_images()[0].get_clim() == (0, 35)  # own scale
    assert axes[2].get_images()[0].get_clim() == (0, 1000)
    dead = [ax for ax in axes if any("all zeros" in t.get_text() for t in ax.texts)]
    assert dead == [axes[1], axes[3]]
    assert fig.get_suptitle() == "First 4 feature maps (6x6), each on its own colour scale"


def test_show_feature_maps_from_a_real_sub_model(conv_model, mnist_test_digits):
    """A real digit (an all-ones image would give flat maps that any drawing order shows alike):
    each axes shows its own channel, unchanged, or says that it is all zeros."""
    extractor = keras.Model(inputs=conv_model.inputs, outputs=conv_model.layers[0].output)
    maps = extractor.predict(mnist_test_digits[0][:1, ..., None], verbose=0)
    assert maps.shape == (1, 26, 26, 16)
    alive = [c for c in range(16) if np.any(maps[0, :, :, c])]
    assert len(alive) >= 4 and all(np.ptp(maps[0, :, :, c]) > 0 for c in alive)  # maps with a picture
    fig = show_feature_maps(maps, 16)
    assert len(fig.axes) == 16
    for channel, ax in enumerate(fig.axes):
        assert ax.get_title() == f"channel {channel}"
        (image,) = ax.get_images()
        if channel in alive:
            assert np.array_equal(image.get_array(), maps[0, :, :, channel]), channel
        else:
            assert [t.get_text() for t in ax.texts] == ["all zeros\n(dead here)"], channel
    assert "(26x26)" in fig.get_suptitle()


@pytest.mark.parametrize(
    ("maps", "n", "error", "match"),
    [
        (np.zeros((26, 26, 8)), 2, ValueError, r"shaped \(1, h, w, c\), got 3 dimensions"),
        (np.zeros((0, 26, 26, 8)), 2, ValueError, "feature_maps is empty"),
        (np.zeros((2, 26, 26, 8)), 2, ValueError, "batch of 2"),
        (np.zeros((1, 26, 26, 8)), 9, ValueError, "n=9 is more than the 8 channels"),
        (np.zeros((1, 26, 26, 8)), 0, ValueError, "n must be a positive int"),
        (np.zeros((1, 26, 26, 8)), 2.0, TypeError, "n must be an int"),
        (np.full((1, 4, 4, 2), np.inf), 1, ValueError, "NaN or infinite"),
        (np.zeros((1, 4, 4, 2), dtype=complex), 1, TypeError, "real numbers"),
    ],
)
def test_show_feature_maps_refuses_bad_arguments(maps, n, error, match):
    with pytest.raises(error, match=match):
        show_feature_maps(maps, n)
