"""The explore notebook's interactive tools (ipywidgets; ipycanvas for the drawing pad), from the
``lesson`` extra: step the window of a convolution, edit a kernel, change padding and stride, pick
one unit, draw a digit.

Each tool is a ``ShownAsWidget`` (``widgets.base``): its ``.widget`` is the ipywidgets box shown
when the tool is a cell's value; a page without a kernel shows one plain sentence instead
(``plain_text()``), and ``snapshot()`` returns the figure of the current setting with its alt text.
The logic lives in plain methods (``redraw``, ``predict``, ...) that return what they put on screen,
so it runs and is tested without a browser. Every control is usable by keyboard.
"""

from .convolution import ConvolutionStepper, KernelEditor
from .drawing_pad import DrawingPad
from .padding import PaddingStrideTool
from .unit import UnitExplorer

__all__ = [
    "ConvolutionStepper",
    "DrawingPad",
    "KernelEditor",
    "PaddingStrideTool",
    "UnitExplorer",
]
