"""Where the model looks: one image as the model's batch, its class probabilities and scores,
saliency maps and occlusion maps. Part 5 of the explore notebook (Where the model looks); in part
6, the unit explorer checks its model with ``digit_probabilities`` (the drawing pad reads the
probabilities from ``digit_response``, in the same pass as the feature maps).
"""

from __future__ import annotations

import math
import numbers
from typing import Any
import weakref

import keras
import numpy as np
import tensorflow as tf

from .._args import require_array, require_built_model, require_count, require_int


def as_model_batch(model: Any, image: Any) -> np.ndarray:
    """Return ``image`` ``(h, w)``, ``(h, w, 1)`` or ``(1, h, w, 1)`` as ``model``'s batch of one, checked.

    float32, shaped ``(1, h, w, 1)`` for the lesson's model (``(1,) + model input shape``).
    """
    expected = require_built_model(model)[1:]
    if len(expected) != 3 or expected[2] != 1:
        raise ValueError(
            f"model must take grayscale images, keras.Input(shape=(h, w, 1)); this one takes {expected}"
        )
    image = require_array("image", image, ndim=(2, 3, 4), shape_hint="(h, w), (h, w, 1) or (1, h, w, 1)")
    if (image.ndim == 4 and image.shape[0] != 1) or (image.ndim > 2 and image.shape[-1] != 1):
        raise ValueError(
            f"image must be one grayscale image, (h, w), (h, w, 1) or (1, h, w, 1); got {image.shape}"
        )
    image = image.reshape(image.shape[-3:-1] if image.ndim == 4 else image.shape[:2]).astype(np.float32)
    if tuple(expected[:2]) != image.shape and None not in expected[:2]:
        raise ValueError(
            f"image is {image.shape[0]}x{image.shape[1]} but the model expects {expected[0]}x{expected[1]}"
        )
    return image.reshape((1, *image.shape, *expected[2:]))


def _require_class(model: Any, class_index: Any) -> int | None:
    """Return ``class_index`` (None: the predicted class) checked against the model's output size."""
    if class_index is None:
        return None
    classes = tuple(model.outputs[0].shape)[-1]
    return require_int("class_index", class_index, 0, classes or 1 << 30)


def require_softmax_output(probabilities: np.ndarray) -> None:
    """Raise unless ``probabilities`` is a model's softmax output ``(m, classes)``: rows adding up to 1."""
    if (
        probabilities.ndim != 2
        or np.any(probabilities < 0)
        or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3)
    ):
        raise ValueError("the model must output class probabilities (m, classes): end it with a softmax")


def digit_probabilities(model: Any, image: Any) -> np.ndarray:
    """Return the model's class probabilities ``(classes,)`` for one image ``(h, w)`` or ``(h, w, 1)``."""
    probabilities = np.asarray(model(as_model_batch(model, image), training=False))
    require_softmax_output(probabilities)
    return probabilities[0].astype(np.float32)


def class_scores(model: Any, image: Any) -> np.ndarray:
    """Return the model's class scores before its softmax, the logits ``(classes,)``, for one image.

    Read from a model that ends in ``Dense(classes, activation="softmax")`` (the layers before it,
    then its kernel and bias without the softmax) or in a ``Softmax`` / ``Activation("softmax")``
    layer (what goes into it); any other ending is refused. Used by ``saliency_map``.
    """
    return np.asarray(batch_logits(model, as_model_batch(model, image)))[0].astype(np.float32)


def predicted_class(model: Any, image: Any) -> int:
    """The class ``model`` predicts for one ``image`` ``(h, w)``: its highest class score."""
    return int(class_scores(model, image).argmax())


_FEATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> up to its last layer


def _softmax_end(model: Any) -> tuple[Any, Any]:
    """Return ``(features, last)``: the model up to its last layer's input, and that layer; or raise."""
    last = model.layers[-1] if model.layers else None
    activation = getattr(last, "activation", None)
    softmax = isinstance(last, keras.layers.Softmax) or (
        isinstance(last, (keras.layers.Dense, keras.layers.Activation))
        and getattr(activation, "__name__", "") == "softmax"
    )
    if not softmax:
        kind = type(last).__name__ if last is not None else "no layer"
        raise ValueError(
            f"cannot read the class scores before the softmax: the model must end in "
            f'Dense(classes, activation="softmax") or a Softmax layer, this one ends in {kind} '
            "(end it with a softmax)"
        )
    features = _FEATURES.get(model)
    if features is None:
        try:
            features = keras.Model(model.inputs[0], last.input)
        except (AttributeError, ValueError) as err:  # a last layer used twice, or not in a graph
            raise ValueError(f"cannot read what goes into the last layer {last.name!r}: {err}") from err
        _FEATURES[model] = features  # built once, kept while the model lives
    return features, last


def batch_logits(model: Any, batch: Any) -> Any:
    """The logits ``(m, classes)`` of a batch ``(m, h, w, 1)``, a tf tensor (differentiable): the
    class scores before the softmax, read as ``class_scores`` reads them."""
    require_built_model(model)
    features, last = _softmax_end(model)
    x = features(batch, training=False)
    if isinstance(last, keras.layers.Dense):
        x = tf.matmul(x, last.kernel)
        if last.use_bias:
            x = x + last.bias
    return x


def saliency_map(model: Any, image: Any, class_index: int | None = None) -> np.ndarray:
    """Return ``|d z(class) / d pixel|`` ``(h, w)`` float32, the largest over channels.

    ``z`` is the class score before the softmax (the logit; Simonyan et al. 2014), read as
    ``class_scores`` does, so that a confident prediction (p = 1.00) does not flatten the map: the
    gradient of p or of log p vanishes there, the logit's does not. ``class_index`` defaults to
    the predicted class. Used in the explore notebook's "5. Where the model looks".
    """
    x = tf.convert_to_tensor(as_model_batch(model, image))
    class_index = _require_class(model, class_index)
    _softmax_end(model)  # refuse a model whose end cannot be read, before any work
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = batch_logits(model, x)
        chosen = int(np.argmax(logits[0])) if class_index is None else class_index
        score = logits[0, chosen]
    gradient = np.abs(tape.gradient(score, x).numpy()[0])
    return (gradient.max(axis=-1) if gradient.ndim == 3 else gradient).astype(np.float32)


def occlusion_map(
    model: Any,
    image: Any,
    class_index: int | None = None,
    *,
    patch: int = 4,
    fill: Any = 0.0,
) -> np.ndarray:
    """Return ``(h, w)`` float32: how much the class's score before the softmax (its logit) drops
    when a ``patch`` x ``patch`` square over each pixel is set to ``fill``.

    The square visits every position (stride 1), so every pixel is covered; a pixel's value is the
    mean drop of all the squares that cover it. Positive: covering there lowers the score; negative:
    covering raises it. ``fill`` is a number (0: black) or an image ``(h, w)``, such as the mean
    training image, whose pixels go into the square. The logit, not the probability: a saturated
    softmax (p = 1.00) hides the change.
    """
    x = as_model_batch(model, image)[0, ..., 0]
    class_index = _require_class(model, class_index)
    h, w = x.shape
    patch = require_count("patch", patch, maximum=min(h, w), what="pixels on the image's shorter side")
    if isinstance(fill, numbers.Real) and not isinstance(fill, bool):
        if not math.isfinite(fill):
            raise ValueError(f"fill must be a finite number or an image ({h}, {w}), got {fill!r}")
        filler = np.full((h, w), fill, np.float32)
    else:
        filler = require_array("fill", fill, ndim=(2,), shape_hint=f"a number or an image ({h}, {w})")
        if filler.shape != (h, w):
            raise ValueError(f"fill must be a number or an image ({h}, {w}), got shape {filler.shape}")
    _softmax_end(model)  # refuse a model whose end cannot be read, before any work
    positions = list(np.ndindex(h - patch + 1, w - patch + 1))
    batch = np.repeat(x[None], 1 + len(positions), axis=0)
    for k, (i, j) in enumerate(positions, start=1):
        batch[k, i : i + patch, j : j + patch] = filler[i : i + patch, j : j + patch]
    scores = np.concatenate(
        [np.asarray(batch_logits(model, batch[s : s + 256, ..., None])) for s in range(0, len(batch), 256)]
    )
    chosen = int(scores[0].argmax()) if class_index is None else class_index
    drop, covered = np.zeros((h, w)), np.zeros((h, w))
    for k, (i, j) in enumerate(positions, start=1):
        drop[i : i + patch, j : j + patch] += scores[0, chosen] - scores[k, chosen]
        covered[i : i + patch, j : j + patch] += 1
    return (drop / covered).astype(np.float32)
