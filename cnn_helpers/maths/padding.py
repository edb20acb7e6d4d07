"""Output sizes under padding and stride: where a window of ``kernel_size`` goes on an input of
``size`` with ``padding`` zeros around it and a step of ``stride`` (n, k, p and s in the formula
⌊(n + 2p − k) / s⌋ + 1), the formula with its numbers, and a convolution as Keras pads it. Part 2
of the explore notebook (Padding and stride).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import tensorflow as tf

from .._args import require_count


def conv_output_size(size: int, kernel_size: int, *, padding: str | int = "valid", stride: int = 1) -> int:
    """Return the output size of a convolution or pooling along one axis of ``size`` pixels.

    ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras' rule: ``ceil(size / stride)``) or
    an int ``p >= 0`` of zeros on each side: ``floor((size + 2p - kernel_size) / stride) + 1``.
    Used in "2. Padding and stride".
    """
    size, kernel_size, stride = (
        require_count(n, v) for n, v in (("size", size), ("kernel_size", kernel_size), ("stride", stride))
    )
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "valid":
        padding = 0
    elif isinstance(padding, bool) or not isinstance(padding, numbers.Integral) or padding < 0:
        raise ValueError(f"padding must be 'valid', 'same' or an int >= 0, got {padding!r}")
    if kernel_size > size + 2 * padding:
        raise ValueError(f"kernel_size={kernel_size} is larger than the padded input ({size} + 2*{padding})")
    return (size + 2 * padding - kernel_size) // stride + 1


#: The largest setting the figure draws (and the tool's sliders offer), and each setting's letter in
#: the formula ⌊(n + 2p − k) / s⌋ + 1.
LIMITS = {"size": (1, 16), "kernel_size": (1, 7), "padding": (0, 3), "stride": (1, 4)}
LETTERS = {"size": "n", "kernel_size": "k", "padding": "p", "stride": "s"}


def require_window_setting(
    size: Any, kernel_size: Any, padding: Any, stride: Any, *, drawn: bool = False
) -> tuple[int, int, int, int]:
    """Return the four settings as ints, checked (within ``LIMITS`` if ``drawn``), the window
    fitting the padded input."""
    values = []
    for (name, (low, high)), value in zip(LIMITS.items(), (size, kernel_size, padding, stride), strict=True):
        named = f"{name} ({LETTERS[name]})"
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{named} must be an int, got {type(value).__name__} {value!r}")
        if value < low or (drawn and value > high):
            limit = f" and <= {high} (the figure draws up to that)" if drawn else ""
            raise ValueError(f"{named} must be an int >= {low}{limit}, got {value}")
        values.append(int(value))
    conv_output_size(values[0], values[1], padding=values[2], stride=values[3])  # raises if k > n + 2p
    return tuple(values)


def window_starts(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> np.ndarray:
    """Return where the window starts along one axis, ``(out,)`` ints, counted on the padded input.

    Position 0 is the first padding zero (the first pixel without padding); the window covers
    ``start .. start + kernel_size - 1``; ``out = conv_output_size(size, kernel_size, ...)``.
    """
    n, k, p, s = require_window_setting(size, kernel_size, padding, stride)
    return np.arange(conv_output_size(n, k, padding=p, stride=s)) * s


def output_size_formula(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> str:
    """Return the formula with these numbers, e.g. ``"⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4"``."""
    n, k, p, s = require_window_setting(size, kernel_size, padding, stride)
    out = conv_output_size(n, k, padding=p, stride=s)
    return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{n + 2 * p - k} / {s}⌋ + 1 = {out}"


def rows_left_over(size: int, kernel_size: int, padding: int, stride: int) -> int:
    """How many rows (and columns) at the padded input's end no window reaches: (n + 2p − k) mod s."""
    return (size + 2 * padding - kernel_size) % stride


def convolve_padded(image: np.ndarray, kernel: np.ndarray, padding: str, stride: int) -> np.ndarray:
    """Return ``tf.nn.conv2d`` of ``image`` ``(h, w)`` with ``kernel`` ``(kh, kw)``, ``padding``
    ``"valid"`` or ``"same"`` as Keras pads."""
    x, k = image[None, :, :, None].astype(np.float32), kernel[:, :, None, None].astype(np.float32)
    return tf.nn.conv2d(x, k, strides=stride, padding=padding.upper())[0, :, :, 0].numpy()
