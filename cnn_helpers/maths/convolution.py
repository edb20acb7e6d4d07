"""Convolution and pooling computed by hand, with numpy loops a student can read, and a 3x3
kernel read from nine numbers. Used in "What is a convolution?", "Average and max pooling" and by
the kernel editor of the explore notebook.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import require_array, require_count


def conv2d_by_hand(image: Any, kernel: Any, bias: float = 0.0) -> np.ndarray:
    """Slide ``kernel`` over ``image`` (valid padding, stride 1) and return the output map.

    ``image`` is ``(h, w)`` or ``(h, w, c)``; ``kernel`` is ``(kh, kw)`` or ``(kh, kw, c)``
    with the same ``c``. Each output pixel is the sum of the element-wise products of the
    kernel and the window under it, over all channels, plus ``bias``: shape
    ``(h - kh + 1, w - kw + 1)``. This is what ``tf.nn.conv2d`` computes (deep learning's
    "convolution" does not flip the kernel).
    """
    image = require_array("image", image, ndim=(2, 3), shape_hint="(h, w) or (h, w, c)").astype(float)
    kernel = require_array("kernel", kernel, ndim=(2, 3), shape_hint="(kh, kw) or (kh, kw, c)").astype(float)
    if image.ndim != kernel.ndim:
        raise ValueError(f"image {image.shape} and kernel {kernel.shape} must both have channels or neither")
    if image.ndim == 3 and image.shape[2] != kernel.shape[2]:
        raise ValueError(
            f"kernel has {kernel.shape[2]} channels but image has {image.shape[2]}: "
            "a filter spans every input channel"
        )
    kh, kw = kernel.shape[:2]
    if kh > image.shape[0] or kw > image.shape[1]:
        raise ValueError(f"kernel {kernel.shape[:2]} is larger than image {image.shape[:2]}")
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.empty((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = image[i : i + kh, j : j + kw]
            out[i, j] = np.sum(window * kernel) + bias
    return out


def pool2d_by_hand(feature_map: Any, pool_size: int = 2, mode: str = "max") -> np.ndarray:
    """Pool a ``(h, w)`` map with a ``pool_size`` x ``pool_size`` window and stride ``pool_size``.

    ``mode`` is ``"max"`` (largest value of each window) or ``"avg"`` (their mean). Rows or
    columns that do not fill a whole window are dropped, as with ``padding="valid"``:
    the output is ``(h // pool_size, w // pool_size)``.
    """
    fmap = require_array("feature_map", feature_map, ndim=(2,), shape_hint="(h, w)").astype(float)
    pool_size = require_count(
        "pool_size", pool_size, maximum=min(fmap.shape), what="rows/columns in feature_map"
    )
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    out_h, out_w = fmap.shape[0] // pool_size, fmap.shape[1] // pool_size
    windows = fmap[: out_h * pool_size, : out_w * pool_size].reshape(out_h, pool_size, out_w, pool_size)
    return windows.max(axis=(1, 3)) if mode == "max" else windows.mean(axis=(1, 3))


def kernel_from_values(values: Any) -> np.ndarray:
    """Return nine numbers, a flat list or 3x3 nested, as a ``(3, 3)`` float32 kernel.

    Backs the kernel editor's nine number boxes.
    """
    kernel = require_array("values", values, ndim=(1, 2), shape_hint="nine numbers, flat or 3x3")
    if kernel.size != 9:
        raise ValueError(f"a 3×3 kernel needs nine numbers, got {kernel.size}")
    if kernel.ndim == 2 and kernel.shape != (3, 3):
        raise ValueError(f"a 3×3 kernel needs 3 rows of 3 numbers, got shape {kernel.shape}")
    return kernel.reshape(3, 3).astype(np.float32)
