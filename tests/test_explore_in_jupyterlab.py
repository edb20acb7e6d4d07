"""The interactive tools of ``cnn_mnist_explore.ipynb`` work in a real JupyterLab, offline.

JupyterLab runs on loopback, headless Chromium has every other request refused. A copy of the
notebook without outputs is run from the browser (it trains its model, then shows its widgets);
then, as a student would: the convolution stepper's slider is moved with the keyboard and its
sum and figure follow; a number of the kernel editor is typed in and its feature map is redrawn;
a vertical stroke is drawn on the drawing pad with the mouse: it shows on the pad, the model
reads a 1 and its figure appears; Clear wipes it all. Nothing may ask the network for anything.

The tools the notebook does not hold yet (the padding and stride tool, the unit explorer) run in
a small notebook this test writes (``TOOLS_NOTEBOOK``: a small model trained in seconds, then each
tool and its snapshot figure), driven by the keyboard alone: arrow keys move between cells, Tab
reaches a control, arrow keys change it, Shift+Tab leaves it; no mouse click. The drawing pad's
picker beside its canvas is driven the same way.
"""

from __future__ import annotations

import re

from browser import error_outputs, offline_page, open_notebook, run_all_cells
import nbformat
from paths import EXPLORE
from playwright.sync_api import Locator, Page, expect
import pytest

from testbed.labserver import jupyterlab_server

pytestmark = pytest.mark.slow  # JupyterLab and a browser


# Every cell attached to the page, in view or not: the widgets are found without scrolling first.
NO_WINDOWING = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}

STEP_SUM = re.compile(r"^output\[(\d+), (\d+)\] = sum of window x kernel = -?\d")
PREDICTION = re.compile(r"^prediction: \d \(\d+%\)$")
PNG = re.compile(r"^data:image/png;base64,")
WIDGET_TIMEOUT = 60_000  # ms: the kernel redraws a figure, on a loaded 2-core machine


def _png_src(output: Locator) -> str:
    """The ``src`` of the one PNG image an ``Output`` widget shows (waits for it)."""
    image = output.locator("img")
    expect(image).to_have_count(1, timeout=WIDGET_TIMEOUT)
    expect(image).to_have_attribute("src", PNG)
    return image.get_attribute("src")


def _position(label: Locator) -> tuple[int, int]:
    """The ``(row, col)`` the stepper's sum label reads."""
    match = STEP_SUM.match(label.inner_text().strip())
    assert match, f"not a stepper sum: {label.inner_text()!r}"
    return int(match[1]), int(match[2])


def _step_the_window(page: Page) -> None:
    """Move the stepper's slider with the keyboard: its sum label and its figure follow."""
    stepper = page.locator(".cnn-stepper")
    expect(stepper).to_have_count(1)
    label, output = page.locator(".cnn-stepper-sum"), page.locator(".cnn-stepper-output")
    expect(label).to_have_text(STEP_SUM, timeout=WIDGET_TIMEOUT)
    # The notebook sets position 15 (row 2, column 3 of the 6x6 output) for its printed line.
    assert _position(label) == (2, 3)
    figures = {(2, 3): _png_src(output)}

    handle = stepper.locator(".noUi-handle")  # noUiSlider's handle: arrow keys move it by one step
    handle.scroll_into_view_if_needed()
    handle.focus()
    # One key at a time: the kernel sets the label, then the figure; each step waits for both.
    for key, position in [("ArrowRight", (2, 4)), ("ArrowRight", (2, 5)), ("ArrowLeft", (2, 4))]:
        shown = output.locator("img").get_attribute("src")
        page.keyboard.press(key)
        expect(label).to_contain_text(f"output[{position[0]}, {position[1]}] =", timeout=WIDGET_TIMEOUT)
        expect(output.locator("img")).not_to_have_attribute("src", shown, timeout=WIDGET_TIMEOUT)
        src = _png_src(output)
        # A position's figure is drawn the same each time, and differs from every other's.
        assert figures.setdefault(position, src) == src, f"another figure for {position} the second time"
    assert len(set(figures.values())) == 3, "two positions show the same figure"
    assert _position(label) == (2, 4)


def _edit_a_kernel(page: Page) -> None:
    """Type a number into the kernel editor's middle box: its message and feature map follow."""
    boxes = page.locator(".cnn-kernel-boxes input")
    expect(boxes).to_have_count(9)
    message, output = page.locator(".cnn-kernel-message"), page.locator(".cnn-kernel-output")
    # The notebook sets a top-edge kernel for its printed line.
    expect(message).to_have_text("kernel rows: -1 -1 -1 | 0 0 0 | 1 1 1", timeout=WIDGET_TIMEOUT)
    before_src = _png_src(output)

    middle = boxes.nth(4)
    middle.scroll_into_view_if_needed()
    middle.fill("5")
    middle.press("Enter")
    expect(message).to_have_text("kernel rows: -1 -1 -1 | 0 5 0 | 1 1 1", timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).not_to_have_attribute("src", before_src, timeout=WIDGET_TIMEOUT)
    _png_src(output)


def _wait_for_pad_pixel(pad: Locator, x: int, y: int, white: bool) -> None:
    """Wait until the pad's canvas shows white (or black) at canvas point ``(x, y)``."""
    pad.page.wait_for_function(
        """([canvas, x, y, white]) => {
            const [r, g, b] = canvas.getContext("2d").getImageData(x, y, 1, 1).data;
            return white ? Math.min(r, g, b) > 200 : Math.max(r, g, b) < 50;
        }""",
        arg=[pad.element_handle(), x, y, white],
        timeout=WIDGET_TIMEOUT,
    )


def _draw_a_digit(page: Page) -> None:
    """Draw a vertical stroke on the pad with the mouse: it shows, and the model reads a 1; then Clear."""
    pad = page.locator("canvas.cnn-drawing-pad")
    expect(pad).to_have_count(1)
    label, output = page.locator(".cnn-prediction"), page.locator(".cnn-pad-output")
    clear = page.locator(".cnn-pad-clear")
    # The notebook draws a 7 in code for its fixed setting; Clear it, as the notebook tells readers.
    expect(label).to_have_text(re.compile(r"^prediction: "), timeout=WIDGET_TIMEOUT)
    clear.scroll_into_view_if_needed()
    clear.click()
    expect(label).to_have_text(re.compile(r"^draw a digit"), timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).to_have_count(0, timeout=WIDGET_TIMEOUT)
    _wait_for_pad_pixel(pad, 140, 140, white=False)  # a black pad, before anything is drawn

    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, f"the pad is not shown at its size: {box}"
    x = box["x"] + box["width"] / 2
    top, bottom = box["y"] + box["height"] * 0.2, box["y"] + box["height"] * 0.8
    page.mouse.move(x, top)
    page.mouse.down()
    steps = 8
    for i in range(1, steps + 1):
        page.mouse.move(x, top + (bottom - top) * i / steps)
        page.wait_for_timeout(40)  # a drag at a hand's pace: one mouse_move message per step
    page.mouse.up()

    expect(label).to_have_text(PREDICTION, timeout=WIDGET_TIMEOUT)
    # The stroke went through the kernel and back onto the pad: white in the middle, black beside.
    _wait_for_pad_pixel(pad, 140, 140, white=True)
    _wait_for_pad_pixel(pad, 60, 140, white=False)
    _png_src(output)
    # A vertical line is the plainest "1" there is; anything else means the stroke was mangled.
    expect(label).to_have_text(re.compile(r"^prediction: 1 "))

    clear.scroll_into_view_if_needed()
    clear.click()
    expect(label).to_have_text(re.compile(r"^draw a digit"), timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).to_have_count(0, timeout=WIDGET_TIMEOUT)
    _wait_for_pad_pixel(pad, 140, 140, white=False)


def test_explore_widgets_respond_in_jupyterlab(tmp_path, mnist_file):
    nb = nbformat.read(EXPLORE, as_version=4)  # read once, at the start: others may rewrite it
    for cell in nb.cells:
        if cell.cell_type == "code":  # whatever appears comes from the run below
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, tmp_path / EXPLORE.name)

    with (
        jupyterlab_server(
            [tmp_path / EXPLORE.name], user_settings=NO_WINDOWING, env={"MNIST_NPZ": mnist_file}
        ) as server,
        offline_page(allowed_origin=server.origin, width=1400, height=900) as (page, refused),
    ):
        open_notebook(page, server, EXPLORE.name, timeout=120)
        run_all_cells(page, timeout=600)
        assert error_outputs(page) == []
        _step_the_window(page)
        _edit_a_kernel(page)
        _draw_a_digit(page)
        assert error_outputs(page) == []

    assert refused == [], f"requests that left loopback: {refused}"


# ----- the new tools, by keyboard alone ----------------------------------------------------------

TOOLS_NOTEBOOK = [
    """import keras
import numpy as np
from cnn_helpers import load_mnist
from cnn_helpers.widgets import DrawingPad, PaddingStrideTool, UnitExplorer

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = load_mnist()
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.Flatten(),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(x_train[:3000, ..., None] / 255, y_train[:3000], epochs=1, batch_size=64, verbose=0)""",
    "padding_tool = PaddingStrideTool(n=7, k=3, p=1, s=2)\npadding_tool",
    "padding_tool.snapshot()",
    "explorer = UnitExplorer(model, x_test[0] / 255, layer=0, channel=0, row=8, col=8)\nexplorer",
    "explorer.snapshot()",
    "pad = DrawingPad(model, fallback_images=x_test[:10], fallback_labels=y_test[:10])\npad",
]

_ACTIVE_CELL_HOLDS = (
    """(selector) => !!document.querySelector('.jp-Notebook-cell.jp-mod-active')?.querySelector(selector)"""
)
_FOCUS_IN = """(selector) => !!document.activeElement?.closest(selector)"""
_SNAPSHOTS = """(count) => [...document.querySelectorAll(
    ".jp-OutputArea-output[data-mime-type='image/png'] img")]
    .filter(img => !img.closest(".widget-output")).length === count"""


def _go_to_cell_with(page: Page, selector: str) -> None:
    """Shift+Tab out of any widget (Escape does not leave one), ArrowUp to the first cell, then
    ArrowDown to the cell holding ``selector``: JupyterLab's command mode moves between cells."""
    for _ in range(20):
        if not page.evaluate(_FOCUS_IN, ".jp-OutputArea"):
            break
        page.keyboard.press("Shift+Tab")
    else:
        raise AssertionError("Shift+Tab does not leave the widgets")
    for _ in range(len(TOOLS_NOTEBOOK)):
        page.keyboard.press("ArrowUp")
    for _ in range(len(TOOLS_NOTEBOOK)):
        if page.evaluate(_ACTIVE_CELL_HOLDS, selector):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no cell holds {selector}")


def _tab_to(page: Page, selector: str, presses: int = 12) -> None:
    """Press Tab until the focused element is inside ``selector``."""
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUS_IN, selector):
            return
        seen.append(
            page.evaluate("() => `${document.activeElement?.tagName}.${document.activeElement?.className}`")
        )
    raise AssertionError(f"{presses} Tabs did not reach {selector}; focus went to {seen}")


def _changes_figure(page: Page, output: Locator, key: str, label: Locator, expected: str | re.Pattern) -> str:
    """Press ``key``: ``label`` comes to read ``expected`` and ``output`` shows another PNG; its src."""
    before = _png_src(output)
    page.keyboard.press(key)
    expect(label).to_contain_text(expected, timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).not_to_have_attribute("src", before, timeout=WIDGET_TIMEOUT)
    return _png_src(output)


def _padding_tool_by_keyboard(page: Page) -> None:
    formula, output = page.locator(".cnn-padding-formula"), page.locator(".cnn-padding-output")
    expect(formula).to_contain_text("⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4", timeout=WIDGET_TIMEOUT)
    _go_to_cell_with(page, ".cnn-padding-n")
    _tab_to(page, ".cnn-padding-n .noUi-handle")
    _changes_figure(page, output, "ArrowRight", formula, "⌊(8 + 2·1 − 3) / 2⌋ + 1 = ⌊7 / 2⌋ + 1 = 4")
    _tab_to(page, ".cnn-padding-s .noUi-handle")
    _changes_figure(page, output, "ArrowLeft", formula, "⌊(8 + 2·1 − 3) / 1⌋ + 1 = ⌊7 / 1⌋ + 1 = 8")


def _unit_explorer_by_keyboard(page: Page) -> None:
    label, output = page.locator(".cnn-unit-label"), page.locator(".cnn-unit-output")
    expect(label).to_contain_text("channel 0, unit (8, 8)", timeout=WIDGET_TIMEOUT)
    _go_to_cell_with(page, ".cnn-unit-layer")
    _tab_to(page, ".cnn-unit-layer button:nth-of-type(2)")  # the second layer's button
    _changes_figure(page, output, "Space", label, "layer 'max_pooling2d")
    expect(label).to_contain_text("unit (8, 8)")  # still inside the 13x13 map of the pooling layer
    _tab_to(page, ".cnn-unit-channel .noUi-handle")
    _changes_figure(page, output, "ArrowRight", label, "channel 1, unit (8, 8)")
    expect(label).to_contain_text(re.compile(r"covered: score of \d -?[\d.]+ -> -?[\d.]+"))


def _pad_picker_by_keyboard(page: Page) -> None:
    label, output = page.locator(".cnn-prediction"), page.locator(".cnn-pad-output")
    expect(page.locator("canvas.cnn-drawing-pad")).to_have_count(1)  # the canvas is there, and beside it:
    expect(label).to_have_text(re.compile(r"^draw a digit"), timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).to_have_count(0)
    _go_to_cell_with(page, ".cnn-pad-picker")
    _tab_to(page, ".cnn-pad-show")
    page.keyboard.press("Enter")  # shows test digit #0, where the slider starts
    expect(label).to_have_text(PREDICTION, timeout=WIDGET_TIMEOUT)
    first = _png_src(output)
    for _ in range(4):  # back to the slider's handle
        page.keyboard.press("Shift+Tab")
        if page.evaluate(_FOCUS_IN, ".cnn-pad-picker .noUi-handle"):
            break
    page.keyboard.press("ArrowRight")  # test digit #1
    expect(output.locator("img")).not_to_have_attribute("src", first, timeout=WIDGET_TIMEOUT)
    expect(label).to_have_text(PREDICTION)


def test_new_tools_respond_to_the_keyboard_alone_in_jupyterlab(tmp_path, mnist_file):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in TOOLS_NOTEBOOK]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "tools.ipynb")

    with (
        jupyterlab_server(
            [tmp_path / "tools.ipynb"], user_settings=NO_WINDOWING, env={"MNIST_NPZ": mnist_file}
        ) as server,
        offline_page(allowed_origin=server.origin, width=1400, height=900) as (page, refused),
    ):
        open_notebook(page, server, "tools.ipynb", timeout=120)
        run_all_cells(page, timeout=300)
        assert error_outputs(page) == []
        # Each snapshot cell shows an ordinary PNG image, outside any widget.
        page.wait_for_function(_SNAPSHOTS, arg=2, timeout=WIDGET_TIMEOUT)
        _padding_tool_by_keyboard(page)
        _unit_explorer_by_keyboard(page)
        _pad_picker_by_keyboard(page)
        assert error_outputs(page) == []
        assert page.evaluate("() => document.activeElement?.tagName") != "BODY"  # focus never lost

    assert refused == [], f"requests that left loopback: {refused}"
