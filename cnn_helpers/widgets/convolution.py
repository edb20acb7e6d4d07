"""Step the window of a convolution, and edit a kernel: two tools of the explore notebook's part 6
(Play)."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from .._args import require_array
from ..figures._base import FigureLike
from ..figures.convolution import show_convolution_steps, show_kernel_outputs
from ..maths.convolution import conv2d_by_hand, kernel_from_values
from .base import ShownAsWidget

#: The kernel editor's preset buttons: name -> 3x3 kernel.
KERNEL_PRESETS = {
    "vertical edge": ((1, 0, -1), (1, 0, -1), (1, 0, -1)),
    "horizontal edge": ((1, 1, 1), (0, 0, 0), (-1, -1, -1)),
    "blur": ((1 / 9,) * 3,) * 3,
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
}


class ConvolutionStepper(ShownAsWidget):
    """Step a ``(kh, kw)`` kernel over a small ``(h, w)`` image (at most 12x12), one output pixel at a time.

    ``.slider`` (CSS class ``cnn-stepper``) picks the output position in reading order; each
    change redraws ``show_convolution_steps`` into ``.output`` (``cnn-stepper-output``) and writes
    the sum into ``.label`` (``cnn-stepper-sum``). Used in "6. Play" of the explore notebook.
    """

    name, action = "Convolution stepper", "move the window"

    def __init__(self, image: Any, kernel: Any) -> None:
        self.image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
        self.kernel = require_array("kernel", kernel, ndim=(2,), shape_hint="(kh, kw)")
        if max(self.image.shape) > 12:
            raise ValueError(f"image {self.image.shape} is too large to print its numbers; use at most 12x12")
        self.result = conv2d_by_hand(self.image, self.kernel)  # checks that the kernel fits
        count = self.result.size
        self.slider = widgets.IntSlider(
            0, min=0, max=count - 1, description="position", continuous_update=False
        )
        self.slider.add_class("cnn-stepper")
        self.label = widgets.Label().add_class("cnn-stepper-sum")
        self.output = widgets.Output().add_class("cnn-stepper-output")
        self.widget = widgets.VBox([widgets.HBox([self.slider, self.label]), self.output])
        self.text = ""
        self.slider.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    @property
    def position(self) -> tuple[int, int]:
        """The ``(row, col)`` of the output pixel the slider points at."""
        row, col = divmod(self.slider.value, self.result.shape[1])
        return row, col

    def redraw(self) -> FigureLike:
        """Draw the step at the slider's position into ``.output``; return the figure."""
        row, col = self.position
        self.text = f"output[{row}, {col}] = sum of window x kernel = {self.result[row, col]:g}"
        self.label.value = self.text
        return self.show(show_convolution_steps(self.image, self.kernel, [(row, col)]))

    def current(self) -> str:
        return f"at position {self.position}"


class KernelEditor(ShownAsWidget):
    """Edit a 3x3 kernel in nine number boxes (first the vertical edge) and see its feature map of an
    ``(h, w)`` digit live.

    ``.boxes`` (nine ``FloatText``, in a grid with CSS class ``cnn-kernel-boxes``) hold the kernel
    row by row; ``.presets`` maps each name of ``KERNEL_PRESETS`` to its button
    (``cnn-kernel-preset``); ``.output`` (``cnn-kernel-output``) shows ``show_kernel_outputs``;
    ``.message`` (``cnn-kernel-message``) the kernel or what is wrong with it.
    """

    name, action = "Kernel editor", "type a kernel's nine numbers or pick a preset"

    def __init__(self, image: Any) -> None:
        self.image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
        if min(self.image.shape) < 3:
            raise ValueError(f"image {self.image.shape} is smaller than the 3x3 kernel")
        start = kernel_from_values(KERNEL_PRESETS["vertical edge"])
        box_layout = widgets.Layout(width="5.5em")
        self.boxes = [widgets.FloatText(value=float(v), step=0.1, layout=box_layout) for v in start.flat]
        grid = widgets.GridBox(self.boxes, layout=widgets.Layout(grid_template_columns="repeat(3, 6em)"))
        self.presets = {name: widgets.Button(description=name) for name in KERNEL_PRESETS}
        for name, button in self.presets.items():
            button.add_class("cnn-kernel-preset")
            button.on_click(lambda _button, name=name: self.set_kernel(KERNEL_PRESETS[name]))
        self.message = widgets.Label().add_class("cnn-kernel-message")
        self.output = widgets.Output().add_class("cnn-kernel-output")
        controls = widgets.HBox(
            [grid.add_class("cnn-kernel-boxes"), widgets.VBox(list(self.presets.values()))]
        )
        self.widget = widgets.VBox([controls, self.message, self.output])
        self._setting = False
        for box in self.boxes:
            box.observe(lambda _change: None if self._setting else self.redraw(), names="value")
        self.redraw()

    @property
    def kernel(self) -> np.ndarray:
        """The ``(3, 3)`` kernel in the boxes."""
        return kernel_from_values([box.value for box in self.boxes])

    def set_kernel(self, values: Any) -> FigureLike:
        """Put nine numbers (flat or 3x3) into the boxes, then redraw once; return the figure."""
        kernel = kernel_from_values(values)
        self._setting = True
        try:
            for box, value in zip(self.boxes, kernel.flat, strict=True):
                box.value = round(float(value), 4)
        finally:
            self._setting = False
        return self.redraw()

    def redraw(self) -> FigureLike | None:
        """Draw the digit's feature map under the boxes' kernel into ``.output``; return the figure."""
        try:
            kernel = self.kernel
        except (TypeError, ValueError) as err:
            self.message.value = str(err)
            return self.figure
        self.message.value = "kernel rows: " + " | ".join(" ".join(f"{v:g}" for v in row) for row in kernel)
        self._shown = self.message.value.removeprefix("kernel rows: ")
        return self.show(show_kernel_outputs(self.image, {"your kernel": kernel}))

    def current(self) -> str:
        return f"with the kernel rows {self._shown}"

    def blank_reason(self) -> str:
        return self.message.value
