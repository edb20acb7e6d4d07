"""``PaddingStrideTool``, padding and stride live, for part 2 of ``cnn_mnist_explore.ipynb``: four
sliders (n, k, p, s), usable by keyboard (Tab to a slider, arrow keys to change it), the figure of
``padding.show_padding_windows`` and the output-size formula with its numbers beside it.
"""

from __future__ import annotations

import ipywidgets as widgets

from ._figure import FigureLike, show_as_png
from .pad import ShownAsWidget
from .padding import LIMITS, _check, output_size_formula, show_padding_windows

__all__ = ["PaddingStrideTool"]


class PaddingStrideTool(ShownAsWidget):
    """Four sliders, n, k, p and s (``.sliders``, CSS classes ``cnn-padding-n`` ... ``-s``), and the
    figure of ``show_padding_windows`` (``.output``, ``cnn-padding-output``) with the formula beside
    (``.formula``, ``cnn-padding-formula``). Keyboard: Tab to a slider, arrow keys to move it.
    Used in "Padding and stride"; ``snapshot()`` is the figure of the current setting.
    """

    def __init__(self, n: int = 7, k: int = 3, p: int = 1, s: int = 2) -> None:
        start = dict(zip("nkps", _check(n, k, p, s, drawn=True), strict=True))
        names = {"n": "n (input)", "k": "k (kernel)", "p": "p (padding)", "s": "s (stride)"}
        style = {"description_width": "7em"}
        self.sliders = {
            name: widgets.IntSlider(
                start[name], min=low, max=high, description=names[name], continuous_update=False, style=style
            ).add_class(f"cnn-padding-{name}")
            for name, (low, high) in LIMITS.items()
        }
        self.formula = widgets.HTML().add_class("cnn-padding-formula")
        self.output = widgets.Output().add_class("cnn-padding-output")
        controls = widgets.HBox([widgets.VBox(list(self.sliders.values())), self.formula])
        self.widget = widgets.VBox([controls, self.output])
        self.figure: FigureLike | None = None
        self.text = ""
        for slider in self.sliders.values():
            slider.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    @property
    def setting(self) -> tuple[int, int, int, int]:
        """``(n, k, p, s)`` as the sliders stand."""
        return tuple(self.sliders[name].value for name in "nkps")

    def redraw(self) -> FigureLike | None:
        """Draw the current setting into ``.output`` and its formula into ``.formula``; the figure."""
        try:
            formula = output_size_formula(*self.setting)
        except ValueError as err:
            self.text = f"no window fits: {err}"
            self.formula.value = f"<p>{self.text}</p>"
            self.output.outputs, self.figure = (), None
            return None
        self.text = f"output size = {formula}"
        self.formula.value = f"<p style='font-size: 1.2em'>output size<br>{formula}</p>"
        self.figure = show_as_png(self.output, show_padding_windows(*self.setting))
        return self.figure

    def snapshot(self) -> FigureLike:
        """The figure of the current setting, with its alt text: what a reader without a kernel sees."""
        if self.figure is None:
            raise ValueError(f"nothing to show: {self.text}")
        return self.figure

    def plain_text(self) -> str:
        n, k, p, s = self.setting
        return (
            f"Padding and stride tool (interactive, now at n = {n}, k = {k}, p = {p}, s = {s}): open this "
            "notebook in JupyterLab to change n, k, p and s."
        )
