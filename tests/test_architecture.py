"""plot_architecture: the picture follows the model, is drawn to scale, and refuses bad arguments.

conftest.py checks after each test that no figure is left registered in pyplot.
"""

from __future__ import annotations

from cnn_helpers import plot_architecture
from figure_checks import low_contrast_texts, small_texts
import keras
from matplotlib.figure import Figure
import numpy as np
import pytest

layers = keras.layers


def _lesson_model(filters=(16, 48)):
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(filters[0], 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(filters[1], 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="hidden"),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="mnist_cnn",
    )


def _one_block(filters, *layers_between):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(filters, 3, activation="relu", name="conv1"),
            *layers_between,
            layers.MaxPooling2D(name="pool1"),
            layers.Flatten(name="flatten"),
            layers.Dense(10, activation="softmax", name="digit"),
        ]
    )


@pytest.fixture(scope="module")
def lesson_model():
    return _lesson_model()


def _texts(fig, gid=None):
    """The texts of the figure (those of one kind: ``gid``), each with its line breaks as spaces."""
    texts = [t for ax in fig.axes for t in ax.texts if gid is None or t.get_gid() == gid]
    return [" ".join(t.get_text().split()) for t in texts]


def _patches(fig, gid):
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def _stacks(fig):
    """The planes of each stage as ``(width, height, planes)``, left to right."""
    stacks = []
    for p in _patches(fig, "plane"):
        size = (round(p.get_width(), 9), round(p.get_height(), 9))
        if stacks and stacks[-1][:2] == size:
            stacks[-1] = (*size, stacks[-1][2] + 1)
        else:
            stacks.append((*size, 1))
    return stacks


def test_the_picture_follows_the_model():
    fig = plot_architecture(_one_block(8))
    assert _texts(fig, "shape") == ["28×28×1", "26×26×8", "13×13×8", "1,352", "10"]
    assert _texts(fig, "operation") == ["conv 3×3 + ReLU", "max-pool 2×2", "flatten", "dense + softmax"]
    assert _texts(fig, "name") == ["input", "conv1", "pool1", "flatten", "digit"]
    assert _texts(plot_architecture(_one_block(4)), "shape") == ["28×28×1", "26×26×4", "13×13×4", "676", "10"]


def test_the_lesson_model_is_labelled_with_shapes_and_operations(lesson_model):
    fig = plot_architecture(lesson_model)
    shapes = ["28×28×1", "26×26×16", "13×13×16", "11×11×48", "5×5×48", "1,200", "128", "10"]
    assert _texts(fig, "shape") == shapes  # no stage of its own for the dropout
    operations = ["conv 3×3 + ReLU", "max-pool 2×2"] * 2 + ["flatten", "dense + ReLU"]
    assert _texts(fig, "operation") == [*operations, "dropout 0.5 dense + softmax"]
    assert "mnist_cnn" in fig.axes[0].get_title()


def test_other_layers_are_named_on_their_arrow():
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(8, 3, strides=2, padding="same", activation="tanh"),
            layers.BatchNormalization(),
            layers.AveragePooling2D(2),
            layers.GaussianNoise(0.1),
            layers.Flatten(),
            layers.Dense(10),
        ]
    )
    fig = plot_architecture(model)
    assert _texts(fig, "shape") == ["32×32×3", "16×16×8", "8×8×8", "512", "10"]
    assert _texts(fig, "operation") == [
        "conv 3×3 stride 2 + tanh",
        "batch norm avg-pool 2×2",
        "GaussianNoise flatten",  # an unknown layer: its class name
        "dense",
    ]
    assert _stacks(fig)[0][2] == 3  # a colour input: three planes


def test_vector_bars_grow_with_their_size(lesson_model):
    heights = [p.get_height() for p in _patches(plot_architecture(lesson_model), "vector")]
    assert len(heights) == 3  # 1,200, 128, 10
    assert heights[0] > 2 * heights[1] > 4 * heights[2] > 0
    small = [p.get_height() for p in _patches(plot_architecture(_one_block(4)), "vector")]
    large = [p.get_height() for p in _patches(plot_architecture(_one_block(8)), "vector")]
    assert small[0] < large[0] and small[1] == large[1]  # 676 < 1,352; 10 == 10


def test_planes_are_to_scale_and_stacks_deepen_with_channels(lesson_model):
    stacks = _stacks(plot_architecture(lesson_model))
    sides = np.array([28, 26, 13, 11, 5])
    widths = np.array([width for width, _, _ in stacks])
    assert len(stacks) == 5
    np.testing.assert_allclose(widths / sides, widths[0] / 28)
    assert all(width == height for width, height, _ in stacks)  # square maps, square planes
    planes = [n for _, _, n in stacks]
    assert planes[0] == 1 and 1 < planes[1] < planes[3]  # 1, 16 then 48 channels
    assert planes[1] == planes[2] and planes[3] == planes[4]  # pooling keeps the channels


def test_kernel_windows_connect_to_one_unit(lesson_model):
    fig = plot_architecture(lesson_model)
    windows, units = _patches(fig, "window"), _patches(fig, "unit")
    lines = [line for line in fig.axes[0].lines if line.get_gid() == "window-line"]
    assert len(windows) == len(units) == 4  # input -> conv1 -> pool1 -> conv2 -> pool2
    assert len(lines) == 16
    plane = _stacks(fig)[0][0] / 28  # inches per input pixel
    assert windows[0].get_width() == pytest.approx(3 * plane)  # the 3×3 kernel, to scale
    x, y = windows[0].get_xy()
    corners = {(round(cx, 9), round(cy, 9)) for cx in (x, x + 3 * plane) for cy in (y, y + 3 * plane)}
    assert {tuple(np.round(line.get_xydata()[0], 9)) for line in lines[:4]} == corners
    unit = units[0].get_center()
    for line in lines[:4]:
        np.testing.assert_allclose(line.get_xydata()[1], unit)


def test_a_convolution_window_spans_every_channel_a_pooling_window_one(lesson_model):
    """The second convolution reads all 16 maps: its window is drawn on the front and the back sheet
    of the pooled stack, corners joined; a pooling window and the first convolution's (one
    channel in) are drawn on the front sheet only. The title says what the marks are."""
    fig = plot_architecture(lesson_model)
    windows, backs = _patches(fig, "window"), _patches(fig, "window-back")
    depth = [line for line in fig.axes[0].lines if line.get_gid() == "window-depth"]
    assert len(backs) == 1 and len(depth) == 4
    front = windows[2]  # input -> conv1, conv1 -> pool1, pool1 -> conv2 (the third window)
    assert backs[0].get_width() == pytest.approx(front.get_width())
    (fx, fy), (bx, by) = front.get_xy(), backs[0].get_xy()
    assert bx > fx and by > fy and bx - fx == pytest.approx(by - fy)  # behind it, along the stack
    title = fig.axes[0].get_title()
    assert "a few sheets stand for all channels" in title and "outline: a window" in title
    assert "filled: its value" in title


def test_the_digit_is_drawn_on_the_input_plane(lesson_model):
    digit = np.zeros((28, 28), dtype=np.uint8)
    digit[6:22, 12:16] = 255
    for image in (digit, digit[..., None]):
        fig = plot_architecture(lesson_model, image=image)
        (drawn,) = [im for im in fig.axes[0].images if im.get_gid() == "input-image"]
        np.testing.assert_array_equal(drawn.get_array(), digit)
        front = _patches(fig, "plane")[0]
        assert drawn.get_extent() == pytest.approx(
            [
                front.get_x(),
                front.get_x() + front.get_width(),
                front.get_y(),
                front.get_y() + front.get_height(),
            ]
        )
    assert not plot_architecture(lesson_model).axes[0].images


def test_the_figure_reads_on_a_projector(lesson_model):
    fig = plot_architecture(lesson_model)
    assert isinstance(fig, Figure)
    assert fig.dpi == 110
    ax = fig.axes[0]
    assert not ax.axison
    texts = [t for t in ax.texts if t.get_text()]  # not the arrows, empty annotations
    assert low_contrast_texts(fig) == []
    fig.draw_without_rendering()  # lays the figure out, so that the texts have their final places
    boxes = [t.get_window_extent() for t in [*texts, ax.title]]
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    assert overlapping == []
    assert small_texts(fig) == []  # at least 11 pt as shown in a column 1,000 px wide (figure_checks.py)


@pytest.mark.parametrize(
    ("model", "error", "match"),
    [
        (layers.Dense(3), TypeError, "model must be a keras.Model, got Dense"),
        ("mnist_cnn", TypeError, "model must be a keras.Model, got str"),
        (keras.Sequential([layers.Dense(3)]), ValueError, r"start it with keras\.Input\(shape=\.\.\.\)"),
        (
            keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(4, 3)]),
            ValueError,
            "unknown sizes",
        ),
    ],
)
def test_it_refuses_a_bad_model(model, error, match):
    with pytest.raises(error, match=match):
        plot_architecture(model)


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (
            np.zeros((32, 32)),
            ValueError,
            r"image is shaped \(32, 32, 1\), but the model takes inputs of 28×28×1",
        ),
        (np.zeros((28, 28, 3)), ValueError, "but the model takes inputs of 28×28×1"),
        (np.zeros((1, 28, 28, 1)), ValueError, "image must be shaped"),
        (np.full((28, 28), np.nan), ValueError, "NaN"),
        ([["a"] * 28] * 28, TypeError, "image must hold numbers"),
    ],
)
def test_it_refuses_a_bad_image(lesson_model, image, error, match):
    with pytest.raises(error, match=match):
        plot_architecture(lesson_model, image=image)
