"""Convolution and pooling by hand (maths/convolution.py) against TensorFlow, the kernel editor's nine
numbers, and the figures of figures/convolution.py and figures/kernels.py."""

from __future__ import annotations

from cnn_helpers import (
    conv2d_by_hand,
    pool2d_by_hand,
    show_convolution_steps,
    show_kernel_outputs,
    show_pooling,
    show_rgb_convolution,
)
from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.kernels import show_kernels
from cnn_helpers.maths.convolution import kernel_from_values
from helpers import titles
from matplotlib.figure import Figure
import numpy as np
import pytest
import tensorflow as tf


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


@pytest.mark.parametrize(("h", "w", "c", "k"), [(6, 6, 1, 3), (9, 7, 1, 2), (8, 8, 3, 3), (5, 11, 4, 5)])
def test_conv2d_by_hand_matches_tensorflow(h, w, c, k):
    rng = np.random.default_rng(h * w + c)
    image = rng.normal(size=(h, w, c))
    kernel = rng.normal(size=(k, k, c))
    expected = tf.nn.conv2d(image[None], kernel[..., None], strides=1, padding="VALID")[0, :, :, 0].numpy()
    ours = conv2d_by_hand(image if c > 1 else image[..., 0], kernel if c > 1 else kernel[..., 0], bias=0.5)
    assert ours.shape == (h - k + 1, w - k + 1)
    np.testing.assert_allclose(ours, expected + 0.5, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("h", "w", "size"), [(4, 4, 2), (7, 9, 2), (26, 26, 2), (9, 9, 3)])
def test_pool2d_by_hand_matches_tensorflow(h, w, size):
    fmap = np.random.default_rng(h + w).normal(size=(h, w)).astype("float32")
    x = fmap[None, :, :, None]
    for mode, op in (("max", tf.nn.max_pool2d), ("avg", tf.nn.avg_pool2d)):
        expected = op(x, ksize=size, strides=size, padding="VALID")[0, :, :, 0].numpy()
        np.testing.assert_allclose(pool2d_by_hand(fmap, size, mode), expected, rtol=1e-6)


def test_max_pooling_ignores_a_shift_inside_its_window():
    a = np.zeros((4, 4))
    b = np.zeros((4, 4))
    a[0, 0], b[1, 1] = 5, 5  # the same "stroke", one pixel down and right, same 2x2 window
    assert np.array_equal(pool2d_by_hand(a), pool2d_by_hand(b))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize(
    ("image", "kernel", "error", "match"),
    [
        (np.zeros((5, 5)), np.zeros((3, 3, 2)), ValueError, "both have channels or neither"),
        (np.zeros((5, 5, 3)), np.zeros((3, 3, 2)), ValueError, "kernel has 2 channels but image has 3"),
        (np.zeros((2, 5)), np.zeros((3, 3)), ValueError, "larger than image"),
        (np.zeros(5), np.zeros((3, 3)), ValueError, "image must be shaped"),
        (np.zeros((5, 5)), [["a"]], TypeError, "kernel must hold numbers"),
    ],
)
def test_conv2d_by_hand_refuses_bad_input(image, kernel, error, match):
    with pytest.raises(error, match=match):
        conv2d_by_hand(image, kernel)


def test_pool2d_by_hand_refuses_bad_input():
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        pool2d_by_hand(np.zeros((4, 4)), 2, "min")
    with pytest.raises(ValueError, match="size=5 is more than"):
        pool2d_by_hand(np.zeros((4, 4)), 5)
    with pytest.raises(TypeError, match="size must be an int"):
        pool2d_by_hand(np.zeros((4, 4)), 2.0)
    with pytest.raises(ValueError, match="feature_map must be shaped"):
        pool2d_by_hand(np.zeros((1, 4, 4, 1)))


def test_show_convolution_steps():
    image = np.arange(36, dtype=float).reshape(6, 6)
    kernel = np.array([[1, 0, -1]] * 3, dtype=float)
    fig = show_convolution_steps(image, kernel, positions=[(0, 0), (3, 3)])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 4
    out = conv2d_by_hand(image, kernel)
    assert f"output[3, 3]\n= {out[3, 3]:g}" in _texts(fig)
    picture = fig.axes[0].get_images()[0]
    assert picture.get_cmap().name == "gray"  # bright pixels drawn bright: large values are white
    colours = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    assert colours["0"] == "white" and colours["35"] == "black"  # numbers readable on dark and light cells
    with pytest.raises(ValueError, match="outside the 4x4 output"):
        show_convolution_steps(image, kernel, positions=[(4, 0)])
    with pytest.raises(TypeError, match="positions must be"):
        show_convolution_steps(image, kernel, positions=[("a", 1)])
    with pytest.raises(ValueError, match="too large"):
        show_convolution_steps(np.zeros((28, 28)), kernel)


def test_show_kernel_outputs_share_one_symmetric_scale():
    image = np.random.default_rng(0).random((10, 10))
    kernels = {"vertical": np.array([[1, 0, -1]] * 3), "horizontal": np.array([[1, 0, -1]] * 3).T}
    fig = show_kernel_outputs(image, kernels)
    clims = {im.get_clim() for ax in fig.axes[1:3] for im in ax.get_images()}
    assert len(clims) == 1 and next(iter(clims))[0] == -next(iter(clims))[1]
    with pytest.raises(TypeError, match="kernels must be a non-empty dict"):
        show_kernel_outputs(image, {})


def test_show_rgb_convolution_sums_the_channels():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 4, (5, 5, 3)).astype(float)
    kernel = rng.integers(-1, 2, (3, 3, 3)).astype(float)
    fig = show_rgb_convolution(image, kernel, bias=1.0)
    total = [ax for ax in fig.axes if "ONE feature map" in ax.get_title()][0]
    expected = sum(conv2d_by_hand(image[..., c], kernel[..., c]) for c in range(3)) + 1
    np.testing.assert_allclose(total.get_images()[0].get_array(), expected)
    with pytest.raises(ValueError, match="3 channels"):
        show_rgb_convolution(image[..., :2], kernel[..., :2])


def test_show_pooling_titles_follow_the_input():
    fig = show_pooling(np.arange(36, dtype=float).reshape(6, 6))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["feature map 6x6", "max pooling 2x2\n-> 3x3", "average pooling\n-> 3x3"]
    with pytest.raises(ValueError, match="feature_map must be shaped"):
        show_pooling(np.zeros((1, 6, 6, 1)))


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


def test_show_kernels_shares_one_symmetric_scale():
    true = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    fig = show_kernels({"true kernel": true, "learned kernel": true * 0.5})
    assert isinstance(fig, Figure)
    assert {"true kernel (3x3)", "learned kernel (3x3)"} <= set(titles(fig))
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.images[0].get_clim() for ax in panels] == [(-2, 2), (-2, 2)]
    assert [t.get_text() for t in panels[1].texts][:3] == ["0.5", "0", "-0.5"]


@pytest.mark.parametrize(
    ("kernels", "error", "match"),
    [
        ({}, TypeError, "kernels must be a non-empty dict"),
        ([np.eye(3)], TypeError, "kernels must be a non-empty dict"),
        ({"a": np.zeros(3)}, ValueError, r"kernels\['a'\] must be shaped \(kh, kw\)"),
        ({"a": np.zeros((13, 3))}, ValueError, "too large to print"),
    ],
)
def test_show_kernels_refuses_bad_input(kernels, error, match):
    with pytest.raises(error, match=match):
        show_kernels(kernels)


def test_the_kernels_figure_says_its_scale_and_rows():
    kernels = show_kernels({"learned": np.eye(3), "true": -np.eye(3)})
    assert "2 kernels on one colour scale from -1 to 1" in alt_text(kernels)
    assert "learned with rows 1 0 0 | 0 1 0 | 0 0 1" in alt_text(kernels)


def test_the_kernels_figure_says_the_numbers_it_shows():
    """The cells show two decimals (-1.02); the alt text said "-1" with ``.2g``: it says what is shown."""
    learned = np.array([[0.96, 0.05, -1.02], [1.02, -0.033, -0.99], [1, 0, -1]])
    fig = show_kernels({"learned": learned})
    shown = [t.get_text() for ax in fig.axes if ax.images for t in ax.texts]
    assert shown[:3] == ["0.96", "0.05", "-1.02"]
    text = alt_text(fig)
    assert "learned with rows 0.96 0.05 -1.02 | 1.02 -0.03 -0.99 | 1 0 -1" in text
    assert "from -1.02 to 1.02" in text


def test_the_kernel_output_says_where_it_is_positive_and_negative():
    image = np.zeros((9, 9))
    image[4:, :] = 1.0  # dark above, bright below: one horizontal edge
    top_edges = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
    text = alt_text(show_kernel_outputs(image, {"your kernel": top_edges}))
    assert "your kernel 7x7" in text and "positive at 14 positions, centred at row 2" in text
    assert "no negative value" in text and "strongest response" not in text  # one kernel: nothing to rank
    stripe = np.zeros((9, 9))
    stripe[3:6, :] = 1.0  # a bright bar: a top edge above a bottom edge
    text = alt_text(show_kernel_outputs(stripe, {"your kernel": top_edges}))
    assert "the positive values lie mostly above the negative ones (3.0 rows above" in text
    flipped = alt_text(show_kernel_outputs(stripe, {"your kernel": -top_edges}))
    assert "the positive values lie mostly below the negative ones" in flipped  # the control: the sign flips
    sideways = alt_text(show_kernel_outputs(stripe.T, {"your kernel": top_edges.T}))
    assert "the positive values lie mostly to the left of the negative ones" in sideways
