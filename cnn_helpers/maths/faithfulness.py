"""Are the attributions faithful? Integrated gradients (Sundararajan et al., 2017) with their
completeness test, SmoothGrad (Smilkov et al., 2017, here a variant), an edge map of the digit
(a control that knows nothing of any model), the blur that gives a second baseline, and the
class's logit and its gradient, traced once per model. The deletion and insertion curves that test
the maps are in ``maths.removal``, their table in ``maths.removal_table``. Part 5 of the explore
notebook (Where the model looks). Every score is the class's logit, read as
``attribution.class_scores`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
import weakref

import numpy as np
from scipy import ndimage
import tensorflow as tf

from .._args import require_array, require_count, require_positive
from .attribution import as_model_batch, batch_logits, predicted_class

#: A pixel is ink when it is at least this fraction of its image's brightest pixel.
INK_LEVEL = 0.5


def ink_mask(image: Any) -> np.ndarray:
    """The digit's ink ``(h, w)`` bool: pixels at least ``INK_LEVEL`` of the image's brightest."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    return image >= INK_LEVEL * image.max() if image.max() > 0 else np.zeros(image.shape, bool)


def blurred(image: Any, sigma: float = 3.0) -> np.ndarray:
    """``image`` ``(h, w)`` blurred by a Gaussian of ``sigma`` pixels (``scipy.ndimage.gaussian_filter``,
    cut at 3 sigma, zeros beyond the border): a baseline that keeps the digit's rough place and
    brightness, but not its strokes."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)").astype(np.float64)
    sigma = require_positive("sigma", sigma)
    radius = int(np.ceil(3 * sigma))
    return ndimage.gaussian_filter(image, sigma, mode="constant", cval=0.0, radius=radius).astype(np.float32)


def edge_map(image: Any) -> np.ndarray:
    """The size of the digit's brightness gradient ``(h, w)``, Sobel's (``scipy.ndimage.sobel``, zeros
    beyond the border): large on the strokes' edges. It knows nothing of any model: a control."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)").astype(np.float64)
    rows, cols = (ndimage.sobel(image, axis=a, mode="constant") for a in (0, 1))
    return np.hypot(rows, cols).astype(np.float32)


# ----- the class's logit and its gradient, traced once per model -----------------------------------

_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (scores, gradients)
_CHUNK = 1024  # images per call, to bound memory


def _traced(model: Any) -> tuple[Any, Any]:
    """``(scores, gradients)``: tf.functions of a batch ``(m, h, w, c)`` and its classes ``(m,)``
    giving each image's class logit ``(m,)`` (and its gradient ``(m, h, w, c)``). Traced once per
    model: many small calls cost little. They hold the model weakly, so that ``del`` frees it."""
    found = _TRACED.get(model)
    if found is None:
        batch_logits(model, as_model_batch(model, np.zeros(model.inputs[0].shape[1:3], np.float32)))
        ref = weakref.ref(model)
        specs = [
            tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32),
            tf.TensorSpec((None,), tf.int32),
        ]

        @tf.function(input_signature=specs)
        def scores(x: Any, classes: Any) -> Any:
            return tf.gather(batch_logits(ref(), x), classes, batch_dims=1)

        @tf.function(input_signature=specs)
        def gradients(x: Any, classes: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(x)
                chosen = tf.gather(batch_logits(ref(), x), classes, batch_dims=1)
            return chosen, tape.gradient(chosen, x)

        found = _TRACED[model] = (scores, gradients)
    return found


def class_logits(model: Any, batch: np.ndarray, classes: Any) -> np.ndarray:
    """The logit ``(m,)`` of each image's class (``classes``: ``(m,)`` or one int) in ``batch``
    ``(m, h, w, 1)``."""
    scores, _ = _traced(model)
    classes = np.broadcast_to(np.asarray(classes, np.int32), (len(batch),))
    parts = [
        scores(tf.constant(batch[s : s + _CHUNK], tf.float32), tf.constant(classes[s : s + _CHUNK])).numpy()
        for s in range(0, len(batch), _CHUNK)
    ]
    return np.concatenate(parts).astype(np.float64)


def class_gradients(model: Any, batch: np.ndarray, classes: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each image's class logit ``(m,)`` and its gradient ``(m, h, w)`` for ``batch`` ``(m, h, w, 1)``."""
    _, gradients = _traced(model)
    classes = np.broadcast_to(np.asarray(classes, np.int32), (len(batch),))
    scores, grads = [], []
    for s in range(0, len(batch), _CHUNK):
        z, g = gradients(tf.constant(batch[s : s + _CHUNK], tf.float32), tf.constant(classes[s : s + _CHUNK]))
        scores.append(z.numpy())
        grads.append(g.numpy()[..., 0])
    return np.concatenate(scores).astype(np.float64), np.concatenate(grads).astype(np.float64)


def predicted_classes(model: Any, images: np.ndarray) -> np.ndarray:
    """The class ``(m,)`` the model predicts for each of ``images`` ``(m, h, w)``, in one call."""
    return np.asarray(batch_logits(model, images[..., None].astype(np.float32))).argmax(axis=1)


@dataclass(frozen=True)
class IntegratedGradients:
    """Integrated gradients of one image: ``attributions`` ``(h, w)``, the class's ``score`` at the
    image and ``baseline_score`` at the baseline. Completeness: the attributions add up to
    ``score - baseline_score``, up to ``gap`` (the path's discretisation)."""

    attributions: np.ndarray
    score: float
    baseline_score: float
    class_index: int

    @property
    def gap(self) -> float:
        """How far the attributions' sum is from ``score - baseline_score``, as a fraction of it."""
        difference = self.score - self.baseline_score
        return float(abs(self.attributions.sum() - difference) / max(abs(difference), 1e-12))


def integrated_gradients(
    model: Any, image: Any, class_index: int | None = None, *, baseline: Any = None, steps: int = 128
) -> IntegratedGradients:
    """Integrated gradients of the class's logit for ``image`` ``(h, w)``, from ``baseline``
    ``(h, w)`` (black by default) in ``steps`` midpoint steps along the straight path."""
    x = as_model_batch(model, image).astype(np.float64)
    x0 = np.zeros_like(x) if baseline is None else as_model_batch(model, baseline).astype(np.float64)
    steps = require_count("steps", steps, maximum=4096)
    class_index = predicted_class(model, image) if class_index is None else class_index
    alphas = (np.arange(steps) + 0.5) / steps
    path = x0 + alphas[:, None, None, None] * (x - x0)
    scores, gradients = class_gradients(model, np.concatenate([path, x, x0]).astype(np.float32), class_index)
    attributions = ((x - x0)[0, ..., 0] * gradients[:steps].sum(axis=0) / steps).astype(np.float32)
    return IntegratedGradients(attributions, float(scores[steps]), float(scores[steps + 1]), int(class_index))


def smoothgrad(
    model: Any,
    image: Any,
    class_index: int | None = None,
    *,
    samples: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad ``(h, w)``, a variant: the mean of ``|d logit / d pixel|`` over ``samples`` copies
    of ``image`` with Gaussian noise of 0.15 times the image's range added (seeded). Smilkov et al.
    (2017) average the signed gradients and take the size of the mean; averaging the sizes, as
    here, lets no two copies cancel out."""
    x = as_model_batch(model, image)
    noise = 0.15  # Smilkov et al. (2017) found 10-20 % of the range best
    samples = require_count("samples", samples, maximum=1024)
    class_index = predicted_class(model, image) if class_index is None else class_index
    rng = np.random.default_rng(seed)
    spread = noise * float(np.ptp(x)) or noise
    noisy = (x + rng.normal(0.0, spread, size=(samples, *x.shape[1:]))).astype(np.float32)
    return np.abs(class_gradients(model, noisy, class_index)[1]).mean(axis=0).astype(np.float32)
