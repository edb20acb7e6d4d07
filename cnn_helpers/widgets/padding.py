"""``PaddingStrideTool``: padding and stride live, four sliders (n, k, p, s), usable by keyboard (Tab
to a slider, arrow keys to change it), the figure of ``show_padding_windows`` and the output-size
formula with its numbers beside it. Part 2 of the explore notebook.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..figures._base import FigureLike
from ..figures.padding import show_padding_windows
from ..maths.padding import LETTERS, LIMITS, output_size_formula, require_window_setting
from .base import ShownAsWidget


class PaddingStrideTool(ShownAsWidget):
    """Four sliders, n, k, p and s (``.sliders``, CSS classes ``cnn-padding-n`` ... ``-s``), and the
    figure of ``show_padding_windows`` (``.output``, ``cnn-padding-output``) with the formula beside
    (``.formula``, ``cnn-padding-formula``). Keyboard: Tab to a slider, arrow keys to move it.
    Used in "2. Padding and stride"; ``snapshot()`` is the figure of the current setting.
    """

    name, action = "Padding and stride tool", "change n, k, p and s"

    def __init__(self, n: int = 7, k: int = 3, p: int = 1, s: int = 2) -> None:
        start = dict(zip(LIMITS, require_window_setting(n, k, p, s, drawn=True), strict=True))
        words = {"size": "input", "kernel_size": "kernel", "padding": "padding", "stride": "stride"}
        style = {"description_width": "7em"}
        self.sliders = {  # named by the formula's letters, as the figure writes them
            LETTERS[name]: widgets.IntSlider(
                start[name],
                min=low,
                max=high,
                description=f"{LETTERS[name]} ({words[name]})",
                continuous_update=False,
                style=style,
            ).add_class(f"cnn-padding-{LETTERS[name]}")
            for name, (low, high) in LIMITS.items()
        }
        self.formula = widgets.HTML().add_class("cnn-padding-formula")
        self.output = widgets.Output().add_class("cnn-padding-output")
        controls = widgets.HBox([widgets.VBox(list(self.sliders.values())), self.formula])
        self.widget = widgets.VBox([controls, self.output])
        self.text = ""
        for slider in self.sliders.values():
            slider.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    @property
    def setting(self) -> tuple[int, int, int, int]:
        """``(n, k, p, s)`` as the sliders stand."""
        return tuple(self.sliders[LETTERS[name]].value for name in LIMITS)

    def redraw(self) -> FigureLike | None:
        """Draw the current setting into ``.output`` and its formula into ``.formula``; the figure."""
        try:
            formula = output_size_formula(*self.setting)
        except ValueError as err:
            self.text = f"no window fits: {err}"
            self.formula.value = f"<p>{self.text}</p>"
            self.show_nothing()
            return None
        self.text = f"output size = {formula}"
        self.formula.value = f"<p style='font-size: 1.2em'>output size<br>{formula}</p>"
        return self.show(show_padding_windows(*self.setting))

    def current(self) -> str:
        n, k, p, s = self.setting
        return f"at n = {n}, k = {k}, p = {p}, s = {s}"

    def blank_reason(self) -> str:
        return self.text
