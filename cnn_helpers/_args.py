"""Argument validators shared by every layer.

Each ``require_*`` returns the argument checked, or raises a TypeError or ValueError that names it,
before any work. A validator tied to one computation's setting lives in the maths module that
computes it: ``maths.padding.require_window_setting``, ``maths.attribution.require_softmax_output``.
The checks of a student's work, ``check_*``, which say what to fix in the student's words, are in
``checks``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import keras
import numpy as np


def require_count(name: str, value: Any, *, maximum: int | None = None, what: str = "") -> int:
    """Return ``value`` if it is an int in ``[1, maximum]``; else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value} is more than the {maximum} {what} available")
    return value


def require_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a positive, finite number; else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive finite number, got {type(value).__name__} {value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def require_array(name: str, value: Any, *, ndim: tuple[int, ...], shape_hint: str) -> np.ndarray:
    """Return ``value`` as a finite, non-empty numeric array with one of ``ndim`` dimensions."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()  # a tf.Tensor
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged nested lists
        raise TypeError(f"{name} must be an array shaped {shape_hint}: {err}") from err
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(
            f"{name} must hold numbers, got dtype {array.dtype} (expected an array shaped {shape_hint})"
        )
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    if array.ndim not in ndim:
        raise ValueError(f"{name} must be shaped {shape_hint}, got {array.ndim} dimensions {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected {shape_hint}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def require_one_image(name: str, feature_maps: Any) -> np.ndarray:
    """Return the feature maps of one image, ``(1, h, w, c)``, as ``(h, w, c)``; else raise."""
    maps = require_array(name, feature_maps, ndim=(4,), shape_hint="(1, h, w, c)")
    if maps.shape[0] != 1:
        raise ValueError(
            f"{name} must hold one image, shape (1, h, w, c); got a batch of {maps.shape[0]}: "
            f"pass {name}[i:i + 1]"
        )
    return maps[0]


def require_gray_images(name: str, images: Any) -> np.ndarray:
    """Return grayscale ``images`` ``(m, h, w)`` or ``(m, h, w, 1)`` as ``(m, h, w)``; refuse colour."""
    images = require_array(name, images, ndim=(3, 4), shape_hint="(m, h, w) or (m, h, w, 1)")
    if images.ndim == 4:
        if images.shape[-1] != 1:
            raise ValueError(
                f"{name} must have one channel, shape (m, h, w, 1); got {images.shape}: "
                "these figures draw grayscale digits"
            )
        images = images[..., 0]
    return images


def require_class_numbers(name: str, labels: Any, count: int) -> np.ndarray:
    """Return ``labels`` ``(m,)`` or one-hot ``(m, classes)`` as class numbers ``(m,)``; ``m == count``."""
    labels = require_array(name, labels, ndim=(1, 2), shape_hint="(m,) or one-hot (m, classes)")
    if len(labels) != count:
        raise ValueError(f"{name} has {len(labels)} entries but there are {count} images; give one per image")
    return labels.argmax(axis=1) if labels.ndim == 2 else labels


def require_int(name: str, value: Any, low: int, high: int) -> int:
    """Return ``value`` if it is an int in ``[low, high)``; else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not low <= value < high:
        raise ValueError(f"{name} must be in [{low}, {high - 1}], got {value}")
    return int(value)


def require_built_model(model: Any) -> tuple[int | None, ...]:
    """Return the input shape of a keras ``model``, batch axis included: ``(None, h, w, c)``.

    Raise if ``model`` is not a keras Model, or has no input shape yet (not started with
    ``keras.Input``).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras Model, got {type(model).__name__}")
    try:
        return tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, ValueError) as err:
        raise ValueError(
            f"model {model.name!r} has no input shape yet: start it with keras.Input(shape)"
        ) from err
