"""``UnitExplorer``, the linked view of one unit as a widget: a layer picker and three sliders
(channel, row, col), usable by keyboard, and the figure of ``show_unit_view``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..figures._base import FigureLike
from ..figures.unit import show_unit_view
from ..maths.attribution import as_model_batch, digit_probabilities
from ..maths.layers import layer_index
from ..maths.unit import UnitReport, feature_layers, inspect_unit
from .base import ShownAsWidget


class UnitExplorer(ShownAsWidget):
    """Pick a unit of ``model`` (a trained softmax CNN) and see it on ``image`` ``(h, w)``, linked.

    ``.layer`` (toggle buttons, CSS class ``cnn-unit-layer``) offers the layers with feature maps;
    ``.sliders`` ``channel``, ``row``, ``col`` (``cnn-unit-channel`` ...) pick the unit, their
    ranges following the layer. Each change redraws ``show_unit_view`` into ``.output``
    (``cnn-unit-output``) and writes the numbers into ``.label`` (``cnn-unit-label``).
    Keyboard: Tab to a control; Space or Enter picks a layer, arrow keys move a slider.
    ``snapshot()`` is the current figure.
    """

    name, action = "Unit explorer", "pick a unit"

    def __init__(
        self, model: Any, image: Any, *, layer: Any = None, channel: int = 0, row: int = 0, col: int = 0
    ) -> None:
        digit_probabilities(model, image)  # a softmax model that takes this image, or raise
        self.model, self.image = model, as_model_batch(model, image)[0, :, :, 0]
        names = feature_layers(model)
        if not names:
            raise ValueError("model has no Conv2D or pooling layer whose units could be picked")
        start = names[0] if layer is None else model.layers[layer_index(model, layer)].name
        if start not in names:
            raise ValueError(f"layer {start!r} has no feature map; pick one of {names}")
        # Toggle buttons, not a Dropdown: JupyterLab takes a collapsed Dropdown's arrow keys for itself
        # (ipywidgets issue 3912); a button takes Tab, then Space or Enter.
        self.layer = widgets.ToggleButtons(options=names, value=start, description="layer").add_class(
            "cnn-unit-layer"
        )
        self.sliders = {
            name: widgets.IntSlider(0, min=0, max=1, description=name, continuous_update=False).add_class(
                f"cnn-unit-{name}"
            )
            for name in ("channel", "row", "col")
        }
        self.label = widgets.HTML().add_class("cnn-unit-label")
        self.output = widgets.Output().add_class("cnn-unit-output")
        controls = widgets.HBox([widgets.VBox([self.layer, *self.sliders.values()]), self.label])
        self.widget = widgets.VBox([controls, self.output])
        self.report: UnitReport | None = None
        self.text = ""
        self._quiet = True  # no redraw while the controls are being set
        self._set_ranges()
        for name, value in (("channel", channel), ("row", row), ("col", col)):
            self._put(name, value)
        self._quiet = False
        self.layer.observe(lambda _change: self._on_layer(), names="value")
        for slider in self.sliders.values():
            slider.observe(lambda _change: None if self._quiet else self.redraw(), names="value")
        self.redraw()

    def _put(self, name: str, value: Any) -> None:
        slider = self.sliders[name]
        if isinstance(value, bool) or not isinstance(value, int) or not slider.min <= value <= slider.max:
            raise ValueError(
                f"{name} must be an int in [0, {slider.max}] for layer {self.layer.value!r}, got {value!r}"
            )
        slider.value = value

    def _set_ranges(self) -> None:
        """Fit the sliders' ranges to the layer's map ``(h', w', channels)``."""
        _, rows, cols, channels = self.model.get_layer(self.layer.value).output.shape
        for name, size in (("channel", channels), ("row", rows), ("col", cols)):
            slider = self.sliders[name]
            slider.value = min(slider.value, size - 1)
            slider.max = size - 1

    def _on_layer(self) -> None:
        self._quiet = True
        try:
            self._set_ranges()
        finally:
            self._quiet = False
        self.redraw()

    @property
    def unit(self) -> tuple[str, int, int, int]:
        """``(layer name, channel, row, col)`` as the controls stand."""
        return (self.layer.value, *(self.sliders[name].value for name in ("channel", "row", "col")))

    def redraw(self) -> FigureLike:
        """Inspect the chosen unit, draw it into ``.output``, its numbers into ``.label``; the figure."""
        self.report = inspect_unit(self.model, self.image, *self.unit)
        self.text = str(self.report)
        self.label.value = "<br>".join(self.text.splitlines())
        return self.show(show_unit_view(self.image, self.report))

    def current(self) -> str:
        layer, channel, row, col = self.unit
        return f"at unit ({row}, {col}) of channel {channel} of layer {layer!r}"
