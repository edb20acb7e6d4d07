"""The drawing pad of part 6 of the explore notebook (Play: draw your own digit), with a
core-ipywidgets fallback (a picker of test digits and an upload) where ipycanvas does not run.
"""

from __future__ import annotations

import sys
from typing import Any

import ipywidgets as widgets
import numpy as np

from .._args import require_class_numbers, require_gray_images
from ..figures._colour import PAD_FRAME, PAD_GROUND, PAD_INK
from ..figures.digit_response import show_digit_response
from ..maths.digit_response import digit_response
from ..maths.drawn_digit import image_file_to_drawing, mnist_style, render_strokes
from .base import ShownAsWidget

PEN_WIDTH = 18.0  # pixels on the 280x280 pad: a stroke about 2 pixels wide once the digit is 28x28


def _canvas_available() -> bool:
    """True unless on Colab (its widget manager loads ipycanvas from a CDN) or ipycanvas is missing."""
    if "google.colab" in sys.modules:
        return False
    try:
        import ipycanvas  # noqa: F401
    except ImportError:
        return False
    return True


class DrawingPad(ShownAsWidget):
    """Draw a digit with the mouse, or pick or upload one; the model's answer and first feature maps.

    ``.canvas`` (an ipycanvas ``Canvas``, CSS class ``cnn-drawing-pad``) records strokes in
    ``.strokes``; ``.clear_button`` (``cnn-pad-clear``) wipes them. On release: ``render_strokes``
    -> ``mnist_style`` -> ``digit_response`` (the model runs once) -> ``show_digit_response`` into
    ``.output`` (``cnn-pad-output``), and ``.prediction_label`` (``cnn-prediction``) reads e.g.
    ``prediction: 7 (93%)``. Beside the
    canvas, for the keyboard (and alone without ipycanvas, on Colab, or with ``use_canvas=False``):
    ``.picker`` (a slider, ``cnn-pad-picker``; ``.show_button``, ``cnn-pad-show``, shows the digit it
    is on) over ``fallback_images`` ``(m, 28, 28)`` (at most 100) and
    ``.upload`` (``cnn-pad-upload``) for a PNG/JPG photo of a digit feed the same path.
    ``draw(strokes)`` draws strokes from code; ``snapshot()`` is the figure shown last.
    """

    name = "Drawing pad"
    action = "draw a digit with the mouse, or pick a test digit or upload a photo"

    def __init__(
        self,
        model: Any,
        *,
        fallback_images: Any = None,
        fallback_labels: Any = None,
        use_canvas: bool | None = None,
    ) -> None:
        digit_response(model, np.zeros((28, 28), np.float32))  # a 28x28 softmax CNN, or raise
        self.model = model
        self.images, self.labels = self._require_fallback(fallback_images, fallback_labels)
        if use_canvas not in (None, True, False):
            raise TypeError(f"use_canvas must be True, False or None (automatic), got {use_canvas!r}")
        self.uses_canvas = _canvas_available() if use_canvas is None else use_canvas
        self.strokes: list[list[tuple[float, float]]] = []
        self.image: np.ndarray | None = None
        self.probabilities: np.ndarray | None = None
        self.canvas = self.clear_button = self.picker = self.show_button = self.upload = None
        self._pen = False  # the mouse button is down
        self.source = "nothing yet"  # what the figure shows, for plain_text()
        self.output = widgets.Output().add_class("cnn-pad-output")
        self.prediction_label = widgets.Label().add_class("cnn-prediction")
        choices = self._build_choices()
        if self.uses_canvas:
            canvas = self._build_canvas()  # after the controls: ipycanvas keeps every key, Tab too
            controls = widgets.HBox([widgets.VBox([self.clear_button, *choices]), canvas])
        else:
            controls = widgets.HBox(choices)
            if self.images is None:
                self.prediction_label.value = "upload a photo of a digit (dark on light paper is fine)"
            else:
                self.pick(0)  # shows the first digit at once
        self.widget = widgets.VBox([controls, self.prediction_label, self.output])
        self.text = self.prediction_label.value

    @staticmethod
    def _require_fallback(images: Any, labels: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        if images is None:
            if labels is not None:
                raise ValueError("fallback_labels needs fallback_images: give the digits they label")
            return None, None
        images = require_gray_images("fallback_images", images)
        if images.shape[1:] != (28, 28) or len(images) > 100:
            raise ValueError(f"fallback_images must be up to 100 digits (m, 28, 28), got {images.shape}")
        if labels is not None:
            labels = require_class_numbers("fallback_labels", labels, len(images))
        return images, labels

    def _build_canvas(self) -> widgets.Widget:
        from ipycanvas import Canvas  # here, not at the top: ipycanvas may be missing (see above)

        size = widgets.Layout(width="280px", height="280px", border=f"1px solid {PAD_FRAME}")
        self.canvas = Canvas(width=280, height=280, layout=size).add_class("cnn-drawing-pad")
        self.canvas.stroke_style = self.canvas.fill_style = PAD_INK
        self.canvas.line_width, self.canvas.line_cap, self.canvas.line_join = PEN_WIDTH, "round", "round"
        self.canvas.on_mouse_down(self.pen_down)
        self.canvas.on_mouse_move(self.pen_move)
        self.canvas.on_mouse_up(self.pen_up)
        self.canvas.on_mouse_out(self.pen_up)
        self.canvas.on_touch_start(lambda touches: touches and self.pen_down(*touches[0]))
        self.canvas.on_touch_move(lambda touches: touches and self.pen_move(*touches[0]))
        self.canvas.on_touch_end(lambda _touches: self.strokes and self.pen_up(*self.strokes[-1][-1]))
        self.clear_button = widgets.Button(description="Clear", icon="eraser").add_class("cnn-pad-clear")
        self.clear_button.on_click(lambda _button: self.clear())
        self.clear()
        return self.canvas

    def _build_choices(self) -> list[widgets.Widget]:
        """The picker of ``fallback_images`` (if any) and the upload: keyboard-usable, no drawing."""
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="photo of a digit")
        self.upload.add_class("cnn-pad-upload").observe(self._on_upload, names="value")
        if self.images is None:
            return [self.upload]
        options = [
            (f"#{i}" + ("" if self.labels is None else f": a {int(self.labels[i])}"), i)
            for i in range(len(self.images))
        ]
        # A slider, not a Dropdown: JupyterLab takes a collapsed Dropdown's arrow keys for itself
        # (ipywidgets issue 3912); a slider's handle keeps them. "show" picks the digit it is on.
        self.picker = widgets.SelectionSlider(
            options=options, value=0, description="test digit", continuous_update=False
        ).add_class("cnn-pad-picker")
        self.picker.observe(lambda change: self.pick(change["new"]), "value")
        self.show_button = widgets.Button(description="show this digit").add_class("cnn-pad-show")
        self.show_button.on_click(lambda _button: self.pick(self.picker.value))
        return [self.picker, self.show_button, self.upload]

    def pen_down(self, x: float, y: float) -> None:
        """Start a stroke at canvas point ``(x, y)`` (mouse button pressed)."""
        self.strokes.append([(float(x), float(y))])
        self._pen = True
        self.canvas.fill_circle(x, y, PEN_WIDTH / 2)

    def pen_move(self, x: float, y: float) -> None:
        """Extend the current stroke to ``(x, y)`` while the button is down."""
        if self._pen:
            self.canvas.stroke_line(*self.strokes[-1][-1], x, y)
            self.strokes[-1].append((float(x), float(y)))

    def pen_up(self, x: float, y: float) -> None:
        """End the stroke at ``(x, y)`` (button released or pointer left the pad), then predict."""
        if self._pen:
            self.pen_move(x, y)
            self._pen = False
            self.predict()

    def clear(self) -> None:
        """Wipe the pad, the strokes and the answer."""
        if self.canvas is None:
            raise RuntimeError("this pad has no canvas (it uses the picker and the upload instead)")
        self.strokes, self._pen = [], False
        self.canvas.clear()
        self.canvas.fill_style = PAD_GROUND
        self.canvas.fill_rect(0, 0, 280, 280)
        self.canvas.fill_style = PAD_INK
        self.show_nothing()
        self.source = "nothing yet"
        self.text = self.prediction_label.value = (
            "draw a digit: hold the mouse button down, let go to see the answer; "
            "or pick a test digit or upload a photo (keyboard: Tab to them)"
        )

    def predict(self) -> str:
        """Show the model's answer for the strokes drawn so far; return the prediction text."""
        self.source = f"a drawing of {len(self.strokes)} stroke{'s' * (len(self.strokes) != 1)}"
        return self._answer(lambda: mnist_style(render_strokes(self.strokes, size=280, width=PEN_WIDTH)))

    def draw(self, strokes: Any) -> str:
        """Draw ``strokes`` (a list of lists of ``(x, y)`` points on the 280x280 pad) as if by mouse,
        replacing what was drawn; return the prediction text."""
        render_strokes(strokes)  # checks them
        if self.canvas is not None:
            self.clear()
        self.strokes = [[(float(x), float(y)) for x, y in stroke] for stroke in strokes]
        for stroke in self.strokes if self.canvas is not None else ():
            self.canvas.fill_circle(*stroke[0], PEN_WIDTH / 2)
            for a, b in zip(stroke, stroke[1:], strict=False):
                self.canvas.stroke_line(*a, *b)
        return self.predict()

    def current(self) -> str:
        return f"showing the model's answer for {self.source}"

    def blank_reason(self) -> str:
        return "nothing drawn yet: draw a digit, pick one or upload a photo first"

    def pick(self, index: int) -> str:
        """Show the model's answer for fallback digit ``index``; return the prediction text."""
        if self.images is None:
            raise ValueError("this pad has no fallback_images to pick from")
        if (
            isinstance(index, bool)
            or not isinstance(index, (int, np.integer))
            or not 0 <= index < len(self.images)
        ):
            raise ValueError(f"index must be an int in [0, {len(self.images) - 1}], got {index!r}")
        image = self.images[index].astype(np.float32)
        self.source = f"test digit #{index}"
        return self._answer(lambda: image / 255 if image.max() > 1 else image)

    def load_file(self, data: Any) -> str:
        """Show the model's answer for the bytes of a PNG/JPG photo of a digit; return the text."""
        self.source = "an uploaded photo"
        return self._answer(lambda: mnist_style(image_file_to_drawing(data)))

    def _on_upload(self, change: dict) -> None:
        if change["new"]:
            self.load_file(change["new"][-1]["content"])

    def _answer(self, make_image: Any) -> str:
        """Make the ``(28, 28)`` image, show the model's response, set and return the label's text."""
        try:
            image = make_image()
        except (TypeError, ValueError) as err:
            self.show_nothing()
            self.text = self.prediction_label.value = str(err)
            return self.text
        response = digit_response(self.model, image)  # the model runs once per drawing
        self.image, self.probabilities = response.image, response.probabilities
        best = int(self.probabilities.argmax())
        self.show(
            show_digit_response(self.image, self.probabilities, response.feature_maps, response.layer_name)
        )
        self.text = self.prediction_label.value = f"prediction: {best} ({self.probabilities[best]:.0%})"
        return self.text
