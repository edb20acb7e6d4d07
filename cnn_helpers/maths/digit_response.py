"""A model's response to one digit, computed in one pass: its class probabilities and the feature
maps of its first Conv2D layer. What the drawing pad shows of each digit (the figure is
``figures.digit_response.show_digit_response``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
import weakref

import keras
import numpy as np

from .attribution import as_model_batch, require_softmax_output
from .layers import first_conv


@dataclass(frozen=True)
class DigitResponse:
    """What ``digit_response`` found: the ``image`` ``(h, w)`` as the model saw it, the model's class
    ``probabilities`` ``(classes,)``, and ``feature_maps`` ``(1, h', w', filters)``, the output of
    the model's first Conv2D layer, named ``layer_name``."""

    image: np.ndarray
    probabilities: np.ndarray
    feature_maps: np.ndarray
    layer_name: str


_BOTH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (first Conv2D, output) model


def digit_response(model: Any, image: Any) -> DigitResponse:
    """Run ``model`` once on one digit ``(h, w)`` or ``(h, w, 1)``: its probabilities and first maps.

    ``model`` ends in a softmax and has a Conv2D layer. The model from its input to both outputs is
    built once and kept while ``model`` lives.
    """
    batch = as_model_batch(model, image)
    conv = first_conv(model)
    if model not in _BOTH:
        _BOTH[model] = keras.Model(model.inputs[0], [conv.output, model.outputs[0]])
    maps, probabilities = (np.asarray(x) for x in _BOTH[model](batch, training=False))
    require_softmax_output(probabilities)
    return DigitResponse(batch[0, :, :, 0], probabilities[0].astype(np.float32), maps, conv.name)
