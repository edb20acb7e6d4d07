"""Argument checks shared by the public helpers: each raises a clear error before any work."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def check_count(name: str, value: Any, *, maximum: int | None = None, what: str = "") -> int:
    """Return ``value`` if it is an int in ``[1, maximum]``; else raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value} is more than the {maximum} {what} available")
    return value


def check_array(name: str, value: Any, *, ndim: tuple[int, ...], shape_hint: str) -> np.ndarray:
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
