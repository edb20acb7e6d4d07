"""The drawing pad (widgets/drawing_pad.py), driven without a browser: its front-end events sent to
the canvas as the browser would send them, the fallback's picker and upload set from Python.
"""

from __future__ import annotations

import datetime
import io
import sys
import types

from cnn_helpers.figures._base import alt_text
from cnn_helpers.widgets.drawing_pad import DrawingPad
from helpers import assert_plain_sentence, assert_shows_itself, shown_png, titles
import keras
from models import no_convolution, small_cnn
import numpy as np
import pytest


@pytest.fixture(scope="module")
def model(mnist):
    """A small CNN trained for one epoch on 6000 digits: enough to read a clear 1."""
    (x_train, y_train), _ = mnist
    net = small_cnn(28, filters=8, seed=0)
    net.compile("adam", "sparse_categorical_crossentropy")
    net.fit(x_train[:6000, ..., None] / 255, y_train[:6000], epochs=1, batch_size=64, verbose=0)
    return net


def _send(canvas, event, x, y):
    """Deliver a mouse event as the browser's canvas view sends it."""
    canvas._handle_frontend_event(None, {"event": event, "x": x, "y": y}, [])


def test_pad_predicts_a_one_for_a_vertical_stroke(model):
    pad = DrawingPad(model, use_canvas=True)
    assert pad.uses_canvas and "cnn-drawing-pad" in pad.canvas._dom_classes
    assert "cnn-prediction" in pad.prediction_label._dom_classes and pad.text.startswith("draw a digit")
    assert pad.output.outputs == () and pad.figure is None
    _send(pad.canvas, "mouse_move", 10, 10)  # the button is up: nothing is drawn
    assert pad.strokes == []
    _send(pad.canvas, "mouse_down", 140, 40)
    for y in range(60, 241, 20):
        _send(pad.canvas, "mouse_move", 140, y)
    assert pad.figure is None  # no answer until the button is released
    _send(pad.canvas, "mouse_up", 140, 240)
    assert (
        len(pad.strokes) == 1 and pad.strokes[0][0] == (140.0, 40.0) and pad.strokes[0][-1] == (140.0, 240.0)
    )
    assert pad.text.startswith("prediction: 1 (") and pad.prediction_label.value == pad.text
    assert pad.image.shape == (28, 28) and pad.probabilities.argmax() == 1
    assert any(t.startswith("says 1 (p = ") for t in titles(pad.figure))
    shown_png(pad.output)
    assert_shows_itself(pad)


def test_the_pad_runs_the_model_once_per_drawing(model, monkeypatch):
    pad = DrawingPad(model, use_canvas=True)
    runs = []
    run = keras.Model.__call__
    monkeypatch.setattr(
        keras.Model, "__call__", lambda self, *a, **k: runs.append(self.name) or run(self, *a, **k)
    )
    pad.draw([[(140, 40), (140, 240)]])
    assert len(runs) == 1, runs  # the answer and the feature maps come from one pass


def test_pad_clear_and_leaving_the_pad(model):
    pad = DrawingPad(model, use_canvas=True)
    _send(pad.canvas, "mouse_down", 60, 60)
    _send(pad.canvas, "mouse_move", 200, 60)
    _send(pad.canvas, "mouse_out", 300, 60)  # dragged off the pad: the stroke ends there
    assert pad.text.startswith("prediction: ") and len(pad.strokes[0]) == 3
    _send(pad.canvas, "mouse_move", 100, 100)
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) == 3
    pad.clear_button.click()
    assert pad.strokes == [] and pad.output.outputs == () and pad.text.startswith("draw a digit")
    pad.canvas._handle_frontend_event(None, {"event": "touch_start", "touches": [{"x": 100, "y": 50}]}, [])
    pad.canvas._handle_frontend_event(None, {"event": "touch_move", "touches": [{"x": 100, "y": 200}]}, [])
    pad.canvas._handle_frontend_event(None, {"event": "touch_end", "touches": []}, [])
    assert pad.text.startswith("prediction: ") and pad.strokes[0][:2] == [(100.0, 50.0), (100.0, 200.0)]


def test_pad_fallback_picks_test_digits(model, mnist):
    (_, _), (x_test, y_test) = mnist
    pad = DrawingPad(model, fallback_images=x_test[:10], fallback_labels=y_test[:10], use_canvas=False)
    assert not pad.uses_canvas and pad.canvas is None and pad.clear_button is None
    assert pad.picker.options[0] == ("#0: a 7", 0) and "cnn-pad-picker" in pad.picker._dom_classes
    assert pad.text.startswith("prediction: 7 (")  # the first digit is shown at once
    np.testing.assert_allclose(pad.image, x_test[0] / 255)
    pad.picker.value = 2
    np.testing.assert_allclose(pad.image, x_test[2] / 255)
    assert pad.text.startswith(f"prediction: {y_test[2]} (") and pad.probabilities.argmax() == y_test[2]
    assert f"({pad.probabilities.max():.0%})" in pad.text  # how sure the model is
    with pytest.raises(ValueError, match=r"index must be an int in \[0, 9\]"):
        pad.pick(10)
    with pytest.raises(RuntimeError, match="has no canvas"):
        pad.clear()


def _photo(digit):
    from PIL import Image

    paper = (255 - np.kron(digit, np.ones((6, 6)))).astype("uint8")  # dark ink on white paper, 168x168
    buffer = io.BytesIO()
    Image.fromarray(paper).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


def test_pad_fallback_reads_an_uploaded_photo(model, mnist):
    (_, _), (x_test, y_test) = mnist
    pad = DrawingPad(model, use_canvas=False)
    assert pad.picker is None and "cnn-pad-upload" in pad.upload._dom_classes and pad.figure is None
    data = _photo(x_test[0])
    upload = {"name": "seven.jpg", "type": "image/jpeg", "size": len(data), "content": memoryview(data)}
    pad.upload.value = ({**upload, "last_modified": datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)},)
    assert pad.text.startswith("prediction: 7 (") and pad.figure is not None
    assert np.corrcoef(pad.image.ravel(), x_test[0].ravel())[0, 1] > 0.9
    assert pad.load_file(b"not a picture").startswith("could not read the file as an image")
    assert pad.output.outputs == ()


def test_pad_falls_back_on_colab_or_without_ipycanvas(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert not DrawingPad(model).uses_canvas
    monkeypatch.delitem(sys.modules, "google.colab")
    assert DrawingPad(model).uses_canvas
    monkeypatch.setitem(sys.modules, "ipycanvas", None)  # import ipycanvas raises ImportError
    assert not DrawingPad(model).uses_canvas


def test_pad_refuses_bad_arguments(model):
    with pytest.raises(TypeError, match="model must be a keras Model"):
        DrawingPad("model")
    with pytest.raises(ValueError, match="image is 28x28 but the model expects 8x8"):
        DrawingPad(no_convolution(8))
    with pytest.raises(TypeError, match="use_canvas must be True, False or None"):
        DrawingPad(model, use_canvas="yes")
    with pytest.raises(ValueError, match=r"fallback_images must be up to 100 digits \(m, 28, 28\)"):
        DrawingPad(model, fallback_images=np.zeros((3, 20, 20)))
    with pytest.raises(ValueError, match="fallback_labels needs fallback_images"):
        DrawingPad(model, fallback_labels=[1, 2])
    with pytest.raises(ValueError, match="fallback_labels has 2 entries but there are 3 images"):
        DrawingPad(model, fallback_images=np.zeros((3, 28, 28)), fallback_labels=[1, 2])


def test_the_keyboard_alternative_sits_beside_the_canvas(model, mnist):
    (_, _), (x_test, y_test) = mnist
    pad = DrawingPad(model, fallback_images=x_test[:10], fallback_labels=y_test[:10], use_canvas=True)
    assert pad.uses_canvas and pad.picker is not None and pad.upload is not None
    assert "cnn-pad-show" in pad.show_button._dom_classes
    assert pad.figure is None  # nothing shown until a digit is picked: the canvas is empty
    assert pad.text.startswith("draw a digit") and "pick a test digit" in pad.text
    pad.picker.value = 2  # what the browser sends when an arrow key moves the slider
    assert pad.text.startswith(f"prediction: {y_test[2]} (") and pad.source == "test digit #2"
    np.testing.assert_allclose(pad.image, x_test[2] / 255)
    shown_png(pad.output)
    pad.clear_button.click()
    assert pad.figure is None and pad.output.outputs == ()
    with pytest.raises(ValueError, match="nothing to show: nothing drawn yet"):
        pad.snapshot()
    pad.show_button.click()  # the digit the slider is on, again
    assert pad.source == "test digit #2" and pad.snapshot() is pad.figure


def test_pad_draws_strokes_from_code_and_describes_the_answer(model):
    pad = DrawingPad(model, use_canvas=True)
    text = pad.draw([[(140, 40), (140, 240)]])  # a vertical stroke: a 1
    assert text.startswith("prediction: 1 (") and pad.strokes == [[(140.0, 40.0), (140.0, 240.0)]]
    fig = pad.snapshot()
    assert fig is pad.figure and any(t.startswith("says 1 (p = ") for t in titles(fig))
    assert "the model says 1 with probability" in alt_text(fig)
    assert_plain_sentence(pad, "Drawing pad", "answer for a drawing of 1 stroke", "draw a digit")
    no_canvas = DrawingPad(model, use_canvas=False)
    assert no_canvas.draw([[(140, 40), (140, 240)]]).startswith("prediction: 1 (")
    with pytest.raises(TypeError, match="strokes must be a list of strokes"):
        pad.draw("a one")
