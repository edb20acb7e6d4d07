"""Padding and stride: the output size against Keras, where the window goes, the formula with its
numbers, the figures, and the tool driven without a browser (slider values set from Python, as the
browser's arrow keys set them).
"""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.padding import show_padding_stride, show_padding_windows
from cnn_helpers.maths.convolution import conv2d_by_hand
from cnn_helpers.maths.padding import conv_output_size, output_size_formula, window_starts
from cnn_helpers.widgets import PaddingStrideTool
from figure_checks import assert_readable, small_texts
from helpers import assert_plain_sentence, shown_png
import keras
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
import numpy as np
import pytest

layers = keras.layers


@pytest.mark.parametrize(
    ("n", "k", "p", "s"), [(7, 3, 1, 2), (5, 5, 0, 1), (16, 4, 3, 3), (6, 2, 2, 4), (1, 1, 0, 1)]
)
def test_window_starts_are_every_fitting_position_one_stride_apart(n, k, p, s):
    padded = n + 2 * p
    brute = [t for t in range(padded) if t + k <= padded and t % s == 0]
    assert window_starts(n, k, p, s).tolist() == brute
    x = np.zeros((1, n, n, 1), "float32")
    keras_size = keras.layers.Conv2D(1, k, strides=s)(keras.layers.ZeroPadding2D(p)(x)).shape[1]
    assert len(brute) == keras_size == conv_output_size(n, k, padding=p, stride=s)


def test_output_size_formula_shows_its_numbers():
    assert output_size_formula(7, 3, 1, 2) == "⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4"
    assert output_size_formula(28, 5, 0, 1).endswith("= ⌊23 / 1⌋ + 1 = 24")


@pytest.mark.parametrize(
    ("args", "error", "match", "everywhere"),
    [
        ((2, 5, 1, 1), ValueError, r"kernel_size=5 is larger than the padded input \(2 \+ 2\*1\)", True),
        ((8, 3, -1, 1), ValueError, r"padding \(p\) must be an int >= 0.*, got -1", True),
        ((8, 3, 0, 0), ValueError, r"stride \(s\) must be an int >= 1.*, got 0", True),
        ((8, 3.0, 0, 1), TypeError, r"kernel_size \(k\) must be an int, got float", True),
        (
            (17, 3, 0, 1),
            ValueError,
            r"size \(n\) must be an int >= 1 and <= 16 \(the figure draws up to that\)",
            False,
        ),
        ((8, 3, 4, 1), ValueError, r"padding \(p\) must be an int >= 0 and <= 3", False),
    ],
)
def test_padding_functions_refuse_bad_settings(args, error, match, everywhere):
    for function in (window_starts, output_size_formula, show_padding_windows):
        if everywhere or function is show_padding_windows:
            with pytest.raises(error, match=match):
                function(*args)
        else:
            function(*args)  # any size is fine for the numbers: only the figure has limits


def _outlines(fig):
    """The windows outlined on the grid: ``(top, left, size, linestyle)`` of each unfilled rectangle."""
    grid = fig.axes[0]
    return [
        (int(r.get_y()), int(r.get_x()), int(r.get_width()), r.get_linestyle())
        for r in grid.patches
        if isinstance(r, Rectangle) and not r.get_fill()
    ]


def test_padding_figure_draws_zeros_windows_and_the_formula():
    fig = show_padding_windows(7, 3, 1, 2)
    assert isinstance(fig, Figure)
    grid, text = fig.axes
    cells = [r for r in grid.patches if r.get_fill()]
    hatched = [r for r in cells if r.get_hatch()]
    assert len(cells) == 81 and len(hatched) == 81 - 49  # the 1-pixel border of 9x9 is padding
    assert [t.get_text() for t in grid.texts] == ["0"] * 32  # and each padding cell says 0
    # First window solid, the next one a stride to the right dashed, the last one dotted.
    assert _outlines(fig) == [(0, 0, 3, "-"), (0, 2, 3, "--"), (6, 6, 3, ":")]
    (dots,) = grid.get_lines()
    assert sorted(set(dots.get_xdata())) == [1.5, 3.5, 5.5, 7.5] and len(dots.get_xdata()) == 16
    shown = text.texts[0].get_text()
    assert "= ⌊6 / 2⌋ + 1 = 4" in shown and "output 4x4: 16 window positions" in shown
    assert alt_text(fig).startswith("A 7x7 input with 1 pixel of zero padding on each side (9x9 in all)")
    assert "the output is 4x4" in alt_text(fig)
    assert_readable(fig)


def test_padding_figure_says_which_rows_no_window_reaches():
    fig = show_padding_windows(8, 3, 0, 2)  # (8 - 3) mod 2 = 1: the last row and column are skipped
    assert "the last 1 row and column" in fig.axes[1].texts[0].get_text()
    assert "The last 1 rows and columns of the padded input are under no window" in alt_text(fig)
    assert not show_padding_windows(8, 3, 0, 1).axes[1].texts[0].get_text().count("under no window")
    assert len(_outlines(show_padding_windows(3, 3, 0, 1))) == 1  # one position: one window


def test_the_readability_check_can_fail():
    fig = show_padding_windows(5, 3, 0, 1)
    fig.axes[1].texts[0].set_fontsize(8)
    assert small_texts(fig) and small_texts(fig)[0][1] == 8


def test_padding_tool_follows_its_sliders():
    tool = PaddingStrideTool()
    assert tool.setting == (7, 3, 1, 2)
    assert {f"cnn-padding-{name}" for name in "nkps"} <= {
        c for s in tool.sliders.values() for c in s._dom_classes
    }
    assert (
        "cnn-padding-output" in tool.output._dom_classes
        and "cnn-padding-formula" in tool.formula._dom_classes
    )
    assert (
        tool.text == "output size = ⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4" and "= 4" in tool.formula.value
    )
    first = shown_png(tool.output)
    tool.sliders["p"].value = 0
    assert tool.text.endswith("= ⌊4 / 2⌋ + 1 = 3") and shown_png(tool.output) != first
    assert _outlines(tool.figure)[-1] == (4, 4, 3, ":")
    tool.sliders["s"].value = 1
    assert tool.text.endswith("= 5") and alt_text(tool.snapshot()).endswith("= 5.")
    assert tool.snapshot() is tool.figure


def test_padding_tool_says_when_no_window_fits():
    tool = PaddingStrideTool(n=3, k=3, p=0, s=1)
    tool.sliders["k"].value = 5
    assert tool.text.startswith("no window fits: kernel_size=5 is larger than the padded input")
    assert tool.output.outputs == () and tool.figure is None
    with pytest.raises(ValueError, match="nothing to show: no window fits"):
        tool.snapshot()
    tool.sliders["p"].value = 1
    assert tool.text.endswith("= 1") and tool.figure is not None


def test_padding_tool_is_a_plain_sentence_without_a_kernel():
    tool = PaddingStrideTool(n=5, k=3, p=2, s=1)
    bundle = tool._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == tool.widget.model_id
    assert_plain_sentence(
        tool, "Padding and stride tool", "n = 5, k = 3, p = 2, s = 1", "change n, k, p and s"
    )
    png, metadata = tool.snapshot()._repr_mimebundle_()
    alt = metadata["image/png"]["alt"]  # stored with the PNG: what the figure of this setting shows
    assert "image/png" in png and "5x5 input" in alt and "3x3 window" in alt and "output is 7x7" in alt
    with pytest.raises(ValueError, match=r"size \(n\) must be an int >= 1 and <= 16"):
        PaddingStrideTool(n=20)


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


def test_show_padding_stride_titles_give_keras_output_shapes(mnist_test_digits):
    image, kernel = mnist_test_digits[0][0], np.array([[1, 0, -1]] * 3, float)
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


def test_the_padding_and_stride_figure_says_each_output_size(mnist_test_digits):
    settings = show_padding_stride(mnist_test_digits[0][0], np.ones((3, 3)))
    assert "padding 'valid' and stride 1 give 26x26; padding 'same' and stride 1 give 28x28" in alt_text(
        settings
    )
    assert "padding 'same' and stride 2 give 14x14." in alt_text(settings)
