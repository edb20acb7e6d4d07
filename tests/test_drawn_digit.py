"""What the drawing pad computes: strokes and photos made MNIST-like (maths/drawn_digit.py), the model's
response to a digit (maths/digit_response.py), and its figure."""

from __future__ import annotations

import io

from cnn_helpers.figures.digit_response import show_digit_response
from cnn_helpers.maths.attribution import digit_probabilities
from cnn_helpers.maths.digit_response import digit_response
from cnn_helpers.maths.drawn_digit import image_file_to_drawing, mnist_style, render_strokes
from helpers import titles
import keras
from matplotlib.figure import Figure
from models import no_convolution, small_cnn
import numpy as np
import pytest


def _centre_of_mass(image):
    r = np.arange(image.shape[0])
    return (image.sum(axis=1) * r).sum() / image.sum(), (image.sum(axis=0) * r).sum() / image.sum()


def _ink_box(image):
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


# --- drawings ---------------------------------------------------------------------------------


def test_render_strokes_draws_round_capped_lines():
    image = render_strokes([[(20, 50), (200, 50)], [(100.5, 200.5)]], size=280, width=10)
    assert image.shape == (280, 280) and image.dtype == np.float32
    assert image.min() == 0 and image.max() == 1
    assert np.all(image[50, 20:200] == 1) and np.all(image[47:53, 100] == 1)  # the line, 10 px thick
    assert image[50, 16] == 1 and image[50, 13] == 0  # a round cap: 5 px beyond the end, no more
    assert image[50, 203] == 1 and image[60, 100] == 0
    assert image[200, 100] == 1 and image[200, 106] == 0  # the dot
    assert abs(image[150:250, 50:150].sum() - np.pi * 25) < 3  # its area is a disc's


def test_render_strokes_edge_cases():
    assert not render_strokes([]).any()
    assert not render_strokes([[(-50, -50), (-30, -40)]], size=28).any()  # off the canvas
    assert render_strokes([[(0, 0), (27, 27)]], size=28, width=2).any()
    with pytest.raises(TypeError, match="strokes must be a list of strokes"):
        render_strokes(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"strokes\[0\] must be shaped \(points, 2\)"):
        render_strokes([(10, 20)])  # a point, not a stroke
    with pytest.raises(ValueError, match=r"strokes\[1\] must hold \(x, y\) pairs"):
        render_strokes([[(1, 2)], [(1, 2, 3)]])
    with pytest.raises(ValueError, match=r"strokes\[0\] holds NaN"):
        render_strokes([[(1, np.nan)]])
    with pytest.raises(ValueError, match="width must be a positive"):
        render_strokes([[(1, 2)]], width=0)
    with pytest.raises(ValueError, match="size must be a positive int"):
        render_strokes([[(1, 2)]], size=0)


def test_mnist_style_leaves_real_mnist_digits_unchanged(mnist_test_digits):
    for digit in mnist_test_digits[0]:
        out = mnist_style(digit)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert np.corrcoef(out.ravel(), digit.ravel())[0, 1] > 0.95
        assert np.all(np.abs(np.array(_centre_of_mass(out)) - 14) <= 1)


def test_mnist_style_undoes_scale_and_position(mnist_test_digits):
    for digit in mnist_test_digits[0][:10]:
        canvas = np.zeros((280, 280), "float32")
        canvas[5:145, 130:270] = np.kron(digit, np.ones((5, 5)))  # 5x larger, top right corner
        out = mnist_style(canvas * 255)
        assert np.corrcoef(out.ravel(), digit.ravel())[0, 1] > 0.8
        assert out.max() == 1 and out.min() == 0


def test_mnist_style_of_a_drawing_is_mnist_like():
    strokes = [[(60, 60), (200, 60), (120, 240)], [(100, 150), (170, 150)]]  # a 7 with a bar
    out = mnist_style(render_strokes(strokes))
    top, left, height, width = _ink_box(out)
    assert max(height, width) == 20 and min(top, left) >= 0 and top + height <= 28 and left + width <= 28
    assert np.all(np.abs(np.array(_centre_of_mass(out)) - 14) <= 1)
    assert 0 <= out.min() and out.max() == 1


def test_mnist_style_keeps_the_aspect_ratio():
    wide = np.zeros((100, 100))
    wide[40:50, 10:90] = 1  # 80 x 10
    out = mnist_style(wide)
    assert _ink_box(out)[2:] == (3, 20) or _ink_box(out)[2:] == (2, 20)
    assert np.all(np.abs(np.array(_centre_of_mass(out)) - 14) <= 1)


def test_mnist_style_of_a_border_stroke_and_of_a_tiny_dot():
    border = np.zeros((50, 60))
    border[:, 0] = 1  # along the left edge
    out = mnist_style(border)
    assert _ink_box(out)[2] == 20 and abs(_centre_of_mass(out)[0] - 14) <= 1
    dot = np.zeros((280, 280))
    dot[279, 279] = 0.3  # one faint pixel in the corner
    out = mnist_style(dot)
    assert _ink_box(out) == (4, 4, 20, 20) and out.max() == 1  # scaled up to fill the 20x20 box


@pytest.mark.parametrize(
    ("drawing", "error", "match"),
    [
        (np.zeros((280, 280)), ValueError, "the drawing is empty: draw a digit first"),
        (np.zeros(28), ValueError, "drawing must be shaped"),
        (np.zeros((1, 28, 28, 1)), ValueError, "drawing must be shaped"),
        (np.zeros((28, 28, 3)), ValueError, "drawing must be grayscale"),
        (np.full((28, 28), np.nan), ValueError, "drawing holds NaN"),
        (-np.ones((28, 28)), ValueError, "must not be negative"),
        ([["a"]], TypeError, "drawing must hold numbers"),
    ],
)
def test_mnist_style_refuses_bad_input(drawing, error, match):
    with pytest.raises(error, match=match):
        mnist_style(drawing)


def _image_file(array, fmt="PNG", mode="L"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()


def test_image_file_to_drawing_reads_ink_on_paper(mnist_test_digits):
    digit = mnist_test_digits[0][0]
    paper = (255 - np.kron(digit, np.ones((4, 4))) * 255).astype("uint8")  # dark ink on white paper
    for data in (_image_file(paper), _image_file(paper, "JPEG"), _image_file(255 - paper)):
        drawing = image_file_to_drawing(data)
        assert drawing.shape == (112, 112) and 0 <= drawing.min() and drawing.max() <= 1
        assert np.corrcoef(mnist_style(drawing).ravel(), digit.ravel())[0, 1] > 0.9
    rgba = np.zeros((112, 112, 4), "uint8")
    rgba[..., 3] = (np.kron(digit, np.ones((4, 4))) * 255).astype("uint8")  # black ink, transparent paper
    drawing = image_file_to_drawing(_image_file(rgba, mode="RGBA"))
    assert np.corrcoef(mnist_style(drawing).ravel(), digit.ravel())[0, 1] > 0.9


def test_image_file_to_drawing_refuses_other_files():
    with pytest.raises(ValueError, match="could not read the file as an image"):
        image_file_to_drawing(b"not an image")
    with pytest.raises(TypeError, match="data must be the bytes of an image file"):
        image_file_to_drawing("digit.png")


# --- the model's response ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist_like_model():
    return small_cnn(28, filters=5)


def test_digit_response_is_the_models_answer_and_first_maps(mnist_like_model, mnist_test_digits):
    digit = mnist_test_digits[0][0]
    response = digit_response(mnist_like_model, digit[..., None])
    np.testing.assert_array_equal(response.image, digit)
    np.testing.assert_allclose(
        response.probabilities, digit_probabilities(mnist_like_model, digit), rtol=1e-6
    )
    conv = mnist_like_model.get_layer("conv1")
    expected = keras.Model(mnist_like_model.inputs[0], conv.output)(digit[None, ..., None])
    np.testing.assert_allclose(response.feature_maps, expected, rtol=1e-6)
    assert response.layer_name == "conv1"


def test_show_digit_response_shows_the_answer_and_the_maps(mnist_like_model, mnist_test_digits):
    digit = mnist_test_digits[0][0]
    response = digit_response(mnist_like_model, digit)
    probabilities = response.probabilities
    best = int(probabilities.argmax())
    fig = show_digit_response(digit, probabilities, response.feature_maps, "conv1")
    assert isinstance(fig, Figure)
    shown = titles(fig)
    assert f"says {best} (p = {probabilities[best]:.2f})" in shown and "the digit, 28x28" in shown
    bars = next(ax for ax in fig.axes if ax.patches)
    np.testing.assert_allclose([p.get_height() for p in bars.patches], probabilities, rtol=1e-5)
    assert [p.get_facecolor() for p in bars.patches].count(bars.patches[best].get_facecolor()) == 1
    assert sum(t.startswith("channel ") for t in shown) == 5  # all five filters (up to 8)
    assert any("layer 'conv1'" in t for t in shown)
    twelve = np.zeros((1, 26, 26, 12), "float32")
    assert (
        sum(t.startswith("channel ") for t in titles(show_digit_response(digit, probabilities, twelve, "c")))
        == 8
    )


def test_digit_response_and_its_figure_refuse_bad_input(mnist_like_model):
    with pytest.raises(ValueError, match="image is 27x27 but the model expects 28x28"):
        digit_response(mnist_like_model, np.zeros((27, 27)))
    with pytest.raises(ValueError, match="no Conv2D layer"):
        digit_response(no_convolution(), np.zeros((28, 28)))
    maps, probabilities = np.zeros((1, 26, 26, 5)), np.full(10, 0.1)
    with pytest.raises(ValueError, match=r"image must be shaped \(h, w\)"):
        show_digit_response(np.zeros((1, 28, 28)), probabilities, maps, "conv1")
    with pytest.raises(ValueError, match=r"probabilities must be shaped \(classes,\)"):
        show_digit_response(np.zeros((28, 28)), probabilities[None], maps, "conv1")
