"""Receptive fields: how large a patch of the input one unit of a layer sees, and where. Part 3 of
the explore notebook (The second layer and its receptive field).
"""

from __future__ import annotations

import math
from typing import Any

import keras

from .._args import require_built_model, require_int
from .layers import layer_index
from .padding import conv_output_size

# Layers a receptive field passes through unchanged, and layers after which a unit sees everything.
_PASS_THROUGH = {"Dropout", "GaussianNoise", "BatchNormalization", "LayerNormalization", "Activation", "ReLU"}
_PASS_THROUGH |= {"LeakyReLU", "PReLU", "ELU", "Rescaling", "InputLayer"}


_DENSE = {"Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape"}


def _window(layer: Any) -> tuple[tuple[int, int], tuple[int, int], str] | None:
    """Return ``(kernel, strides, padding)`` of a sliding-window layer, per axis; None to pass through."""
    if isinstance(layer, keras.layers.Conv2D):
        kernel = tuple(d * (k - 1) + 1 for k, d in zip(layer.kernel_size, layer.dilation_rate, strict=True))
        return kernel, tuple(layer.strides), layer.padding
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        return tuple(layer.pool_size), tuple(layer.strides), layer.padding
    kinds = {cls.__name__ for cls in type(layer).__mro__}
    if kinds & _PASS_THROUGH:
        return None
    if kinds & _DENSE:
        raise ValueError(
            f"layer {layer.name!r} ({type(layer).__name__}) mixes all positions: a dense unit sees the "
            "whole image, it has no receptive field to draw"
        )
    raise ValueError(f"cannot follow a receptive field through layer {layer.name!r} ({type(layer).__name__})")


def _field_geometry(model: Any, layer: Any) -> tuple[list[Any], list[Any]]:
    """Per axis ``[field size, jump, top/left of unit 0's field, output size or None]``; square only."""
    index = layer_index(model, layer)
    axes = [[1, 1, 0, n] for n in require_built_model(model)[1:3]]
    for window in filter(None, map(_window, model.layers[: index + 1])):
        for axis, k, s in zip(axes, *window[:2], strict=True):
            size, jump, first, n = axis
            if window[2] == "same" and n is None:
                raise ValueError(
                    "'same' padding needs the input size: start the model with keras.Input(shape)"
                )
            before = max((math.ceil(n / s) - 1) * s + k - n, 0) // 2 if window[2] == "same" else 0
            out = None if n is None else conv_output_size(n, k, padding=window[2], stride=s)
            axis[:] = [size + (k - 1) * jump, jump * s, first - before * jump, out]
    if axes[0][0] != axes[1][0]:
        raise ValueError(f"the receptive field is {axes[0][0]}x{axes[1][0]}, not square")
    return axes[0], axes[1]


def receptive_field(model: Any, layer: Any) -> int:
    """Return the side, in input pixels, of the receptive field of one unit of ``layer``.

    ``layer`` is one of ``model.layers`` (a chain of layers, channels last), its index or its
    name. Conv2D and pooling layers grow the field; Dropout, BatchNormalization, activations
    pass through; Flatten/Dense raise ValueError. Used in the explore notebook's part 3.
    """
    return int(_field_geometry(model, layer)[0][0])


def receptive_field_box(model: Any, layer: Any, row: int, col: int) -> tuple[int, int, int]:
    """Return ``(top, left, size)`` of the input square seen by unit ``(row, col)`` of ``layer``.

    The box is not clipped: with ``"same"`` padding it may stick out of the image (``top < 0``);
    the unit sees the part of the box inside the image, the rest is padding zeros.
    """
    rows, cols = _field_geometry(model, layer)
    row = require_int("row", row, 0, rows[3] if rows[3] is not None else 1 << 30)
    col = require_int("col", col, 0, cols[3] if cols[3] is not None else 1 << 30)
    return int(rows[2] + row * rows[1]), int(cols[2] + col * cols[1]), int(rows[0])
