"""Temperature scaling (Guo et al., 2017): a model's class scores before its softmax (its logits),
divided by one number fitted on some digits and judged on others. Part 7 of the explore notebook
(Calibration). The logits are read as ``attribution.batch_logits`` reads them; the fit is SciPy's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special

from .._args import require_array, require_built_model, require_count
from .attribution import batch_logits
from .calibration import require_class_labels

#: The temperatures ``fit_temperature`` searches: from this much sharper to this much softer.
TEMPERATURE_RANGE = (0.05, 20.0)


def model_logits(model: Any, images: Any, *, batch_size: int = 256) -> np.ndarray:
    """The class scores before the softmax, the logits ``(n, classes)`` float32, of ``images``
    ``(n, h, w, 1)`` (or ``(n, h, w)``), read ``batch_size`` at a time as
    ``attribution.batch_logits`` reads them: what temperature scaling divides. (TensorFlow keeps the
    memory of the largest batch it has seen: a hub's limit counts it.)"""
    shape = require_built_model(model)
    images = require_array("images", images, ndim=(3, 4), shape_hint="(n, h, w, 1) or (n, h, w)")
    if images.ndim == 3:
        images = images[..., None]
    if tuple(images.shape[1:]) != tuple(shape[1:]) and None not in shape[1:]:
        raise ValueError(f"images are {images.shape[1:]} each but the model takes {tuple(shape[1:])}")
    batch_size = require_count("batch_size", batch_size)
    images = images.astype(np.float32, copy=False)
    parts = [
        np.asarray(batch_logits(model, images[start : start + batch_size]))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(parts).astype(np.float32)


def _require_temperature(temperature: Any) -> float:
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not math.isfinite(temperature)
        or not temperature > 0
    ):
        raise ValueError(f"temperature must be a number above 0, got {temperature!r}")
    return float(temperature)


def temperature_scaled(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """The class probabilities ``(..., classes)`` float64 of ``logits`` ``(..., classes)`` (a model's
    scores before its softmax) divided by ``temperature``: the softmax of ``logits / temperature``.
    Above 1 every probability is less sure, below 1 surer; the order of the classes stays.
    ``temperature_scaled(logits)`` is the model's own probabilities, in float64."""
    temperature = _require_temperature(temperature)
    logits = require_array("logits", logits, ndim=(1, 2, 3), shape_hint="(n, classes)")
    return special.softmax(logits.astype(np.float64) / temperature, axis=-1)


def fit_temperature(logits: Any, labels: Any) -> float:
    """The temperature that gives ``labels`` ``(n,)`` the lowest cross-entropy (mean negative log
    probability) under ``temperature_scaled(logits, t)``, for ``logits`` ``(n, classes)``: found by
    SciPy's bounded scalar minimization over 1 / t (the loss is convex in it), within
    ``TEMPERATURE_RANGE``. Fitted on one set of digits, it is then judged on another."""
    logits = require_array("logits", logits, ndim=(2,), shape_hint="(n, classes)").astype(np.float64)
    labels = require_class_labels(labels, len(logits), logits.shape[1], owner="logits")
    true = logits[np.arange(len(labels)), labels]

    def loss(inverse: float) -> float:
        return float(np.mean(special.logsumexp(logits * inverse, axis=1) - true * inverse))

    low, high = TEMPERATURE_RANGE
    found = optimize.minimize_scalar(
        loss, bounds=(1 / high, 1 / low), method="bounded", options={"xatol": 1e-7}
    )
    return float(1 / found.x)
