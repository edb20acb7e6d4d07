"""Output sizes under padding and stride: where a k x k window goes on an n x n input with p zeros
around it and a step of s, the output-size formula with its numbers, and a convolution as Keras pads
it. Part 2 of the explore notebook (Padding and stride).
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


#: The largest n, k, p, s the figure draws (and the tool's sliders offer).
LIMITS = {"n": (1, 16), "k": (1, 7), "p": (0, 3), "s": (1, 4)}


def require_window_setting(
    n: Any, k: Any, p: Any, s: Any, *, drawn: bool = False
) -> tuple[int, int, int, int]:
    """Return n, k, p, s checked (within ``LIMITS`` if ``drawn``), the window fitting the padded input."""
    values = []
    for (name, (low, high)), value in zip(LIMITS.items(), (n, k, p, s), strict=True):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
        if value < low or (drawn and value > high):
            limit = f" and <= {high} (the figure draws up to that)" if drawn else ""
            raise ValueError(f"{name} must be an int >= {low}{limit}, got {value}")
        values.append(int(value))
    conv_output_size(values[0], values[1], padding=values[2], stride=values[3])  # raises if k > n + 2p
    return tuple(values)


def window_starts(n: int, k: int, p: int = 0, s: int = 1) -> np.ndarray:
    """Return where the window starts along one axis, ``(out,)`` ints, counted on the padded input.

    Position 0 is the first padding zero (the first pixel if ``p == 0``); the window covers
    ``start .. start + k - 1``. ``out = conv_output_size(n, k, padding=p, stride=s)``.
    """
    n, k, p, s = require_window_setting(n, k, p, s)
    return np.arange(conv_output_size(n, k, padding=p, stride=s)) * s


def output_size_formula(n: int, k: int, p: int = 0, s: int = 1) -> str:
    """Return the formula with these numbers, e.g. ``"⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4"``."""
    n, k, p, s = require_window_setting(n, k, p, s)
    out = conv_output_size(n, k, padding=p, stride=s)
    return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{n + 2 * p - k} / {s}⌋ + 1 = {out}"


def rows_left_over(n: int, k: int, p: int, s: int) -> int:
    """How many rows (and columns) at the padded input's end no window reaches: (n + 2p − k) mod s."""
    return (n + 2 * p - k) % s


def convolve_padded(image: np.ndarray, kernel: np.ndarray, padding: str | int, stride: int) -> np.ndarray:
    """Return ``tf.nn.conv2d`` of ``image`` ``(h, w)`` with ``kernel`` ``(kh, kw)``, as Keras pads."""
    pad = padding.upper() if isinstance(padding, str) else [[0, 0], [padding] * 2, [padding] * 2, [0, 0]]
    x, k = image[None, :, :, None].astype(np.float32), kernel[:, :, None, None].astype(np.float32)
    return tf.nn.conv2d(x, k, strides=stride, padding=pad)[0, :, :, 0].numpy()


def require_padding_settings(settings: Any, image_shape: tuple, kernel_shape: tuple) -> list[tuple[Any, Any]]:
    """Return ``settings`` as 1 to 6 ``(padding, stride)`` pairs that Keras accepts for these shapes."""
    try:
        pairs = [(padding, stride) for padding, stride in settings]
    except (TypeError, ValueError) as err:
        raise TypeError(f"settings must be (padding, stride) pairs, got {settings!r}") from err
    if not 1 <= len(pairs) <= 6:
        raise ValueError(f"settings must hold 1 to 6 (padding, stride) pairs, got {len(pairs)}")
    for padding, stride in pairs:
        for n, k in zip(image_shape, kernel_shape, strict=True):
            conv_output_size(n, k, padding=padding, stride=stride)  # raises on a bad setting
    return pairs
