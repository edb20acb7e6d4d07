"""The exploratory notebook's figures: kernels, padding and stride, receptive fields, shifts, saliency."""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.attribution import show_saliency
from cnn_helpers.figures.kernels import show_kernels
from cnn_helpers.figures.padding import show_padding_stride
from cnn_helpers.figures.receptive_field import show_receptive_field
from cnn_helpers.figures.shifts import plot_shift_accuracy
from cnn_helpers.maths.convolution import conv2d_by_hand
from cnn_helpers.maths.padding import conv_output_size
from figure_checks import assert_readable
from helpers import titles
from matplotlib.figure import Figure
import numpy as np
import pytest


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


def test_show_padding_stride_titles_give_keras_output_shapes(test_digits):
    image, kernel = test_digits[0][0], np.array([[1, 0, -1]] * 3, float)
    settings = (("valid", 1), ("same", 1), ("valid", 2), ("same", 2))
    fig = show_padding_stride(image, kernel)
    panels = [ax for ax in fig.axes if ax.images][1:]
    assert len(panels) == len(settings)
    for ax, (padding, stride) in zip(panels, settings, strict=True):
        n = conv_output_size(28, 3, padding=padding, stride=stride)
        assert ax.get_title() == f"padding={padding!r}, stride={stride}\noutput {n}x{n}"
        assert ax.images[0].get_array().shape == (n, n)
        assert ax.images[0].get_clim() == panels[0].images[0].get_clim()  # one shared scale
    np.testing.assert_allclose(panels[0].images[0].get_array(), conv2d_by_hand(image, kernel), atol=1e-5)
    np.testing.assert_allclose(
        panels[2].images[0].get_array(), conv2d_by_hand(image, kernel)[::2, ::2], atol=1e-5
    )


def test_show_padding_stride_refuses_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match=r"kernel_size=5 is larger than the padded input \(4 \+ 2\*0\)"):
        show_padding_stride(np.zeros((4, 4)), np.ones((5, 5)))


def test_show_receptive_field_outlines_each_box(test_digits):
    boxes = {"conv1 unit": (10, 12, 3), "conv2 unit": (-1, 20, 8)}
    fig = show_receptive_field(test_digits[0][0], boxes, feature_map=np.ones((11, 11)), unit=(4, 5))
    image_ax, map_ax = fig.axes
    drawn = [(p.get_xy(), p.get_width(), p.get_height()) for p in image_ax.patches]
    assert drawn == [((11.5, 9.5), 3, 3), ((19.5, -1.5), 8, 8)]
    assert [t.get_text() for t in image_ax.get_legend().get_texts()] == ["conv1 unit: 3x3", "conv2 unit: 8x8"]
    assert map_ax.patches[0].get_xy() == (4.5, 3.5) and "unit (4, 5)" in map_ax.get_title()
    assert len(show_receptive_field(test_digits[0][0], {"one": (0, 0, 3)}).axes) == 1


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


def test_plot_shift_accuracy_labels_every_point():
    fig = plot_shift_accuracy([2, -2, 0], [0.8, 0.75, 0.99], baseline=0.1)
    (ax,) = fig.axes
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [-2, 0, 2] and list(line.get_ydata()) == [0.75, 0.99, 0.8]
    assert sorted(t.get_text() for t in ax.texts) == ["75.0%", "80.0%", "99.0%"]
    assert ax.get_lines()[1].get_ydata()[0] == 0.1 and "guessing at random (10%)" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]
    assert ax.get_xlabel() == "shift (pixels)"


def test_plot_shift_accuracy_draws_the_intact_digits_dashed_and_says_its_numbers():
    fig = plot_shift_accuracy([0, 1, 4], [0.99, 0.98, 0.84], intact=[0.99, 0.985, 0.862], baseline=0.1)
    (ax,) = fig.axes
    everything, intact, baseline = ax.get_lines()
    assert (everything.get_linestyle(), everything.get_marker()) == ("-", "o")
    assert (intact.get_linestyle(), intact.get_marker()) == ("--", "s")  # not by colour alone
    assert baseline.get_linestyle() == ":" and list(intact.get_ydata()) == [0.99, 0.985, 0.862]
    assert "86.2%" in [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["test accuracy, all digits", "test accuracy, digits left intact"]
    text = alt_text(fig)
    assert "all digits, 99.0% at 0 pixels, 84.0% at 4" in text and "digits left intact" in text
    assert "86.2% at 4" in text and "guessing at random gives 10%" in text
    assert_readable(fig)
    with pytest.raises(ValueError, match="shifts has 3 values but intact has 2"):
        plot_shift_accuracy([0, 1, 4], [0.9] * 3, intact=[0.9, 0.9])


def test_the_explore_figures_say_what_they_show(test_digits):
    image = test_digits[0][0]
    kernels = show_kernels({"learned": np.eye(3), "true": -np.eye(3)})
    assert "2 kernels on one colour scale from -1 to 1" in alt_text(kernels)
    assert "learned with rows 1 0 0 | 0 1 0 | 0 0 1" in alt_text(kernels)
    settings = show_padding_stride(image, np.ones((3, 3)))
    assert "padding 'valid' and stride 1 give 26x26; padding 'same' and stride 1 give 28x28" in alt_text(
        settings
    )
    assert "padding 'same' and stride 2 give 14x14." in alt_text(settings)
    boxes = show_receptive_field(image, {"unit": (6, 4, 8)}, feature_map=np.ones((11, 11)), unit=(3, 2))
    assert "unit, 8x8 pixels from row 6, column 4" in alt_text(boxes)
    assert "11x11 feature map with unit (3, 2)" in alt_text(boxes)
    ink = test_digits[0][0] >= 0.5 * test_digits[0][0].max()
    peak = np.eye(28)
    peak[tuple(np.argwhere(ink)[0])] = 3.0  # the largest value on the 7's ink
    maps = show_saliency(test_digits[0][:2], np.stack([peak, 2 * np.eye(28)]), ["#0: a 7", "#1:\na 2"])
    row, col = np.argwhere(ink)[0]
    text = alt_text(maps)
    assert text.startswith(
        "2 digits, each above its saliency map on its own colour scale: #0: a 7, saliency up to 3, "
        f"{(3.0 + np.eye(28)[ink].sum() - np.eye(28)[row, col]) / peak.sum():.0%} on the ink, "
        f"peak at row {row}, column {col} (on the ink); #1: a 2, saliency up to 2"
    ), text


@pytest.mark.parametrize(
    ("shifts", "accuracies", "baseline", "match"),
    [
        ([0, 1], [0.5], None, "shifts has 2 values but accuracies has 1"),
        ([0], [99.0], None, r"fractions in \[0, 1\]"),
        ([0], [0.9], 2, "baseline must be an accuracy"),
        ([[0]], [0.9], None, "shifts must be shaped"),
    ],
)
def test_plot_shift_accuracy_refuses_bad_input(shifts, accuracies, baseline, match):
    with pytest.raises(ValueError, match=match):
        plot_shift_accuracy(shifts, accuracies, baseline=baseline)


def test_show_saliency_gives_each_map_its_own_scale(test_digits):
    images = test_digits[0][:3]
    maps = np.stack([np.full((28, 28), 1.0), np.linspace(0, 5, 784).reshape(28, 28), np.eye(28) - 0.5])
    fig = show_saliency(images[..., None], maps, ["a", "b", "c"])
    assert titles(fig)[:3] == ["a", "b", "c"]
    map_axes = fig.axes[3:]
    assert [ax.images[0].get_clim() for ax in map_axes] == [(0, 1), (0, 5), (-0.5, 0.5)]
    assert map_axes[0].get_ylabel() == "saliency\n(own scale)"
    small = show_saliency(images[:1], np.ones((1, 13, 13)), ["13x13 occlusion"])
    assert small.axes[1].images[0].get_array().shape == (13, 13)


@pytest.mark.parametrize(
    ("maps", "titles", "error", "match"),
    [
        (np.ones((2, 28, 28)), ["a", "b", "c"], ValueError, "maps has 2 maps but there are 3 images"),
        (np.ones((3, 28, 28)), ["a", "b"], TypeError, "titles must be a list of 3 strings"),
        (np.ones((3, 28, 28)), "abc", TypeError, "titles must be a list of 3 strings"),
        (np.ones((28, 28)), ["a", "b", "c"], ValueError, "maps must be shaped"),
    ],
)
def test_show_saliency_refuses_bad_input(test_digits, maps, titles, error, match):
    with pytest.raises(error, match=match):
        show_saliency(test_digits[0][:3], maps, titles)
    with pytest.raises(ValueError, match="more than the 8 images"):
        show_saliency(np.zeros((9, 28, 28)), np.zeros((9, 28, 28)), ["x"] * 9)
