"""The interactive tools of ``cnn_mnist_explore.ipynb`` work in a real JupyterLab, offline.

JupyterLab runs on loopback, headless Chromium has every other request refused. A copy of the
notebook without outputs is run from the browser (it trains its model, then shows its widgets);
then, as a student would: the convolution stepper's slider is moved with the keyboard and its
sum and figure follow; a number of the kernel editor is typed in and its feature map is redrawn;
a vertical stroke is drawn on the drawing pad with the mouse: it shows on the pad, the model
reads a 1 and its figure appears; Clear wipes it all. Nothing may ask the network for anything.
"""

from __future__ import annotations

from pathlib import Path
import re

from browser import offline_page
from labserver import error_outputs, jupyterlab_server, open_notebook, run_all_cells
import nbformat
from playwright.sync_api import Locator, Page, expect

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "cnn_mnist_explore.ipynb"

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
    expect(label).to_have_text(re.compile(r"^draw a digit"), timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).to_have_count(0)
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

    clear = page.locator(".cnn-pad-clear")
    clear.scroll_into_view_if_needed()
    clear.click()
    expect(label).to_have_text(re.compile(r"^draw a digit"), timeout=WIDGET_TIMEOUT)
    expect(output.locator("img")).to_have_count(0, timeout=WIDGET_TIMEOUT)
    _wait_for_pad_pixel(pad, 140, 140, white=False)


def test_explore_widgets_respond_in_jupyterlab(tmp_path, mnist_file):
    nb = nbformat.read(NOTEBOOK, as_version=4)  # read once, at the start: others may rewrite it
    for cell in nb.cells:
        if cell.cell_type == "code":  # whatever appears comes from the run below
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, tmp_path / NOTEBOOK.name)

    with (
        jupyterlab_server(
            [tmp_path / NOTEBOOK.name], user_settings=NO_WINDOWING, env={"MNIST_NPZ": mnist_file}
        ) as server,
        offline_page(allowed_origin=server.origin, width=1400, height=900) as (page, refused),
    ):
        open_notebook(page, server, NOTEBOOK.name, timeout=120)
        run_all_cells(page, timeout=600)
        assert error_outputs(page) == []
        _step_the_window(page)
        _edit_a_kernel(page)
        _draw_a_digit(page)
        assert error_outputs(page) == []

    assert refused == [], f"requests that left loopback: {refused}"
