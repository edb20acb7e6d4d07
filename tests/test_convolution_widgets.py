"""The convolution stepper and the kernel editor (widgets/convolution.py), driven without a browser:
values set from Python."""

from __future__ import annotations

from cnn_helpers import conv2d_by_hand
from cnn_helpers._words import number
from cnn_helpers.figures._base import alt_text
from cnn_helpers.widgets import ConvolutionStepper, KernelEditor
from cnn_helpers.widgets import convolution as cnn_widgets
from cnn_helpers.widgets.convolution import KERNEL_PRESETS
from helpers import assert_plain_sentence, assert_shows_itself, shown_png, titles
import numpy as np
import pytest

# --- ConvolutionStepper -----------------------------------------------------------------------


def _said(fig):
    """The figure's titles, each on one line (a helper may wrap a long title)."""
    return [" ".join(t.split()) for t in titles(fig)]


IMAGE = np.arange(36, dtype=float).reshape(6, 6) % 7
KERNEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def test_stepper_starts_at_the_first_position_and_follows_the_slider():
    stepper = ConvolutionStepper(IMAGE, KERNEL)
    expected = conv2d_by_hand(IMAGE, KERNEL)
    assert (
        "cnn-stepper" in stepper.slider._dom_classes and "cnn-stepper-output" in stepper.output._dom_classes
    )
    assert (stepper.slider.min, stepper.slider.max, stepper.position) == (0, 15, (0, 0))
    assert f"output[0, 0] = {expected[0, 0]:g}" in _said(stepper.figure)
    assert stepper.label.value == stepper.text  # the label shows the stepper's sentence
    assert stepper.text.startswith("output[0, 0] = ") and stepper.text.endswith(f"= {expected[0, 0]:g}")
    first = shown_png(stepper.output)
    stepper.slider.value = 7  # row 1, column 3
    assert stepper.position == (1, 3)
    assert f"output[1, 3] = {expected[1, 3]:g}" in _said(stepper.figure)
    assert f"= {expected[1, 3]:g}" in stepper.label.value
    assert shown_png(stepper.output) != first
    assert_shows_itself(stepper)


def test_stepper_is_deterministic():
    one, two = ConvolutionStepper(IMAGE, KERNEL), ConvolutionStepper(IMAGE, KERNEL)
    assert shown_png(one.output) == shown_png(two.output) and one.output.outputs[0]["data"][
        "text/plain"
    ].startswith("<Figure ")


@pytest.mark.parametrize(
    ("image", "kernel", "match"),
    [
        (np.zeros((13, 13)), KERNEL, "too large to print"),
        (np.zeros((2, 6)), KERNEL, "larger than image"),
        (np.zeros(6), KERNEL, "image must be shaped"),
        (IMAGE, np.zeros(3), "kernel must be shaped"),
    ],
)
def test_stepper_refuses_bad_input(image, kernel, match):
    with pytest.raises(ValueError, match=match):
        ConvolutionStepper(image, kernel)


# --- KernelEditor -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digit(mnist):
    return mnist[1][0][0].astype("float32") / 255


def _feature_map(fig):
    return np.asarray(fig.axes[1].images[0].get_array())


def test_kernel_editor_redraws_when_a_box_changes(digit):
    editor = KernelEditor(digit)
    assert len(editor.boxes) == 9 and "cnn-kernel-output" in editor.output._dom_classes
    np.testing.assert_array_equal(editor.kernel, KERNEL_PRESETS["vertical edge"])
    np.testing.assert_allclose(_feature_map(editor.figure), conv2d_by_hand(digit, editor.kernel), atol=1e-6)
    assert any(t.startswith("your kernel") for t in titles(editor.figure))
    editor.boxes[4].value = 3.0  # the centre
    assert editor.kernel[1, 1] == 3
    np.testing.assert_allclose(_feature_map(editor.figure), conv2d_by_hand(digit, editor.kernel), atol=1e-6)
    assert "1 0 -1 | 1 3 -1 | 1 0 -1" in editor.message.value  # the kernel's rows, the centre now 3
    assert_shows_itself(editor)


def test_kernel_editor_presets_redraw_once(digit, monkeypatch):
    editor = KernelEditor(digit)
    calls = []
    real = cnn_widgets.show_kernel_outputs
    monkeypatch.setattr(cnn_widgets, "show_kernel_outputs", lambda *a, **k: calls.append(1) or real(*a, **k))
    editor.presets["sharpen"].click()
    assert len(calls) == 1
    np.testing.assert_array_equal(editor.kernel, KERNEL_PRESETS["sharpen"])
    np.testing.assert_allclose(_feature_map(editor.figure), conv2d_by_hand(digit, editor.kernel), atol=1e-5)
    assert all("cnn-kernel-preset" in b._dom_classes for b in editor.presets.values())


def test_kernel_editor_reports_a_bad_number_and_keeps_the_figure(digit):
    editor = KernelEditor(digit)
    before = editor.figure
    editor.boxes[0].value = float("nan")
    assert "NaN" in editor.message.value and editor.figure is before
    editor.boxes[0].value = 0.5
    assert editor.figure is not before and editor.message.value.startswith("kernel rows: 0.5")


def test_kernel_editor_refuses_bad_input(digit):
    with pytest.raises(ValueError, match="a 3×3 kernel needs nine numbers, got 8"):
        KernelEditor(digit).set_kernel(list(range(8)))
    with pytest.raises(ValueError, match="smaller than the 3x3 kernel"):
        KernelEditor(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="image must be shaped"):
        KernelEditor(np.zeros((1, 28, 28)))


# --- Without a kernel: one plain sentence, and the setting as an ordinary figure ----------------


def test_stepper_is_a_sentence_and_a_described_figure_without_a_kernel():
    stepper = ConvolutionStepper(IMAGE, KERNEL)
    stepper.slider.value = 7  # row 1, column 3
    expected = conv2d_by_hand(IMAGE, KERNEL)[1, 3]
    assert_plain_sentence(stepper, "Convolution stepper", "position (1, 3)", "move the window")
    fig = stepper.snapshot()
    assert fig is stepper.figure and f"output[1, 3] = {expected:g}" in _said(fig)
    text = alt_text(fig)
    assert "1, 3" in text and f"{expected:g}" in text  # the drawing helper's words, or the stepper's
    png, metadata = fig._repr_mimebundle_()
    assert png["image/png"] and metadata["image/png"]["alt"] == text
    assert stepper.output.outputs[0]["metadata"]["image/png"]["alt"] == text  # the widget's image too


def test_kernel_editor_is_a_sentence_and_a_described_figure_without_a_kernel(digit):
    editor = KernelEditor(digit)
    editor.set_kernel([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
    out = conv2d_by_hand(digit, editor.kernel)
    assert_plain_sentence(editor, "Kernel editor", "kernel rows -1 -1 -1 | 0 0 0 | 1 1 1", "nine numbers")
    text = alt_text(editor.snapshot())
    assert editor.output.outputs[0]["metadata"]["image/png"]["alt"] == text  # the widget's image too
    # What the figure shows: the 28x28 digit, and the 26x26 map the kernel makes of it, with its range.
    assert "28x28 input" in text and f"your kernel {out.shape[0]}x{out.shape[1]}" in text
    assert f"from {number(out.min(), 3)} to {number(out.max(), 3)}" in text
    editor.boxes[0].value = float("nan")  # a bad number: the sentence still names the kernel shown
    assert "now with the kernel rows -1 -1 -1 | 0 0 0 | 1 1 1)" in editor.plain_text()


def test_no_tool_shows_a_widget_repr():
    stepper, editor = ConvolutionStepper(IMAGE, KERNEL), KernelEditor(np.ones((6, 6)))
    for tool, name in ((stepper, "Convolution stepper"), (editor, "Kernel editor")):
        plain = assert_plain_sentence(tool, name, "interactive")
        assert "Box(" not in plain and "children" not in plain
