"""Plain functions behind the exploratory notebook ``cnn_mnist_explore.ipynb``: output sizes for
part 2 (Padding and stride), receptive fields for part 3 (The second layer and its receptive field),
shifted images for part 4 (Shifts), and the nine numbers of part 6's kernel editor (Play).

``shift_accuracy`` measures the accuracy under shifts, apart for digits whose ink was cut off.
Drawn digits are in ``drawing``, saliency and occlusion maps in ``attribution``.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
import numbers
from typing import Any

import numpy as np

from ._args import check_array, check_built_model, check_count, check_gray_images, check_int, class_numbers

__all__ = [
    "ShiftAccuracy",
    "conv_output_size",
    "ink_cut_off",
    "kernel_from_values",
    "receptive_field",
    "receptive_field_box",
    "shift_accuracy",
    "shift_images",
]


def conv_output_size(size: int, kernel_size: int, *, padding: str | int = "valid", stride: int = 1) -> int:
    """Return the output size of a convolution or pooling along one axis of ``size`` pixels.

    ``padding`` is ``"valid"`` (no padding), ``"same"`` (Keras' rule: ``ceil(size / stride)``) or
    an int ``p >= 0`` of zeros on each side: ``floor((size + 2p - kernel_size) / stride) + 1``.
    Used in "Padding and stride".
    """
    size, kernel_size, stride = (
        check_count(n, v) for n, v in (("size", size), ("kernel_size", kernel_size), ("stride", stride))
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


def _layer_index(model: Any, layer: Any) -> int:
    """Return the index in ``model.layers`` of ``layer``: a layer object, an index or a name."""
    check_built_model(model)
    layers = model.layers
    if isinstance(layer, str):
        names = [x.name for x in layers]
        if layer not in names:
            raise ValueError(f"model has no layer named {layer!r}; its layers are {names}")
        return names.index(layer)
    if isinstance(layer, numbers.Integral) and not isinstance(layer, bool):
        return check_int("layer", layer, -len(layers), len(layers)) % len(layers)
    for i, candidate in enumerate(layers):
        if candidate is layer:
            return i
    raise ValueError(f"layer must be one of model.layers, an index into it or a name, got {layer!r}")


# Layers a receptive field passes through unchanged, and layers after which a unit sees everything.
_PASS_THROUGH = {"Dropout", "GaussianNoise", "BatchNormalization", "LayerNormalization", "Activation", "ReLU"}
_PASS_THROUGH |= {"LeakyReLU", "PReLU", "ELU", "Rescaling", "InputLayer"}
_DENSE = {"Flatten", "Dense", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Reshape"}


def _window(layer: Any) -> tuple[tuple[int, int], tuple[int, int], str] | None:
    """Return ``(kernel, strides, padding)`` of a sliding-window layer, per axis; None to pass through."""
    import keras

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
    index = _layer_index(model, layer)
    axes = [[1, 1, 0, n] for n in check_built_model(model)[1:3]]
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
    pass through; Flatten/Dense raise ValueError. Used in "How far does a unit see?".
    """
    return int(_field_geometry(model, layer)[0][0])


def receptive_field_box(model: Any, layer: Any, row: int, col: int) -> tuple[int, int, int]:
    """Return ``(top, left, size)`` of the input square seen by unit ``(row, col)`` of ``layer``.

    The box is not clipped: with ``"same"`` padding it may stick out of the image (``top < 0``);
    the unit sees the part of the box inside the image, the rest is padding zeros.
    """
    rows, cols = _field_geometry(model, layer)
    row = check_int("row", row, 0, rows[3] if rows[3] is not None else 1 << 30)
    col = check_int("col", col, 0, cols[3] if cols[3] is not None else 1 << 30)
    return int(rows[2] + row * rows[1]), int(cols[2] + col * cols[1]), int(rows[0])


def shift_images(images: Any, dx: int, dy: int) -> np.ndarray:
    """Return ``images`` ``(n, h, w)`` or ``(n, h, w, 1)`` moved ``dx`` pixels right, ``dy`` down.

    Pixels moved in are zeros (no wrap-around); shape and dtype are kept. Used in "Shifted digits".
    """
    images = check_array("images", images, ndim=(3, 4), shape_hint="(n, h, w) or (n, h, w, 1)")
    h, w = images.shape[1:3]
    dx, dy = check_int("dx", dx, 1 - w, w), check_int("dy", dy, 1 - h, h)
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


def ink_cut_off(images: Any, dx: int, dy: int) -> np.ndarray:
    """Return ``(n,)`` bool: True where ``shift_images(images, dx, dy)`` pushes some ink off the image.

    Exact: a digit is cut off when a pixel that leaves the image is not 0.
    """
    images = check_array("images", images, ndim=(3, 4), shape_hint="(n, h, w) or (n, h, w, 1)")
    kept = shift_images(shift_images(images, dx, dy), -dx, -dy)  # what survives, moved back
    return np.any((images != kept).reshape(len(images), -1), axis=1)


@dataclass
class ShiftAccuracy:
    """Accuracy on shifted digits, one entry per shift in ``pixels`` ``(k,)``, each ``(k,)``.

    ``accuracy``: on every shifted digit; ``cut_off``: the fraction whose ink was partly pushed off
    the image; ``accuracy_cut`` / ``accuracy_intact``: on those digits / on the others (NaN where
    there are none); ``count_cut``, ``count_intact``: how many. ``print()`` gives the table.
    """

    pixels: np.ndarray
    accuracy: np.ndarray
    cut_off: np.ndarray
    accuracy_cut: np.ndarray
    accuracy_intact: np.ndarray
    count_cut: np.ndarray
    count_intact: np.ndarray

    def __str__(self) -> str:
        def percent(value: float) -> str:
            return "-" if math.isnan(value) else f"{value:.1%}"

        lines = [
            f"{'shift':>5}  {'accuracy':>8}  {'ink cut off':>11}  {'accuracy, cut off':>17}  accuracy, intact"
        ]
        for k, pixels in enumerate(self.pixels):
            lines.append(
                f"{pixels:>5}  {self.accuracy[k]:>8.1%}  {self.cut_off[k]:>11.1%}  "
                f"{percent(self.accuracy_cut[k]) + f' of {self.count_cut[k]}':>17}  "
                f"{percent(self.accuracy_intact[k])} of {self.count_intact[k]}"
            )
        return "\n".join(lines)


def shift_accuracy(
    model: Any, images: Any, labels: Any, shifts: Any = (0, 1, 2, 3, 4), *, batch_size: int = 1000
) -> ShiftAccuracy:
    """Return the accuracy of ``model`` on ``images`` ``(n, h, w)`` or ``(n, h, w, 1)`` under shifts.

    Each digit is shifted by each number of pixels in ``shifts``, in each of the four directions
    (right, left, down, up; one unshifted copy for 0), as ``shift_images`` does; the accuracy is
    then also given apart for the digits whose ink was cut off (``ink_cut_off``) and those left
    intact. ``labels`` ``(n,)`` or one-hot ``(n, classes)``. Used in "Shifts".
    """
    images = check_gray_images("images", images)
    labels = class_numbers("labels", labels, len(images))
    steps = check_array("shifts", shifts, ndim=(1,), shape_hint="(k,) numbers of pixels")
    if not np.issubdtype(steps.dtype, np.integer) or steps.min() < 0:
        raise ValueError(f"shifts must be whole numbers of pixels >= 0, got {list(shifts)}")
    batch_size = check_count("batch_size", batch_size)
    rows = []
    for pixels in map(int, steps):
        moves = list(dict.fromkeys([(pixels, 0), (-pixels, 0), (0, pixels), (0, -pixels)]))
        shifted = np.concatenate([shift_images(images, dx, dy) for dx, dy in moves])
        cut = np.concatenate([ink_cut_off(images, dx, dy) for dx, dy in moves])
        batch = shifted[..., None].astype(np.float32)
        right = model.predict(batch, batch_size=batch_size, verbose=0).argmax(axis=1) == np.tile(
            labels, len(moves)
        )
        rows.append(
            [pixels, right.mean(), cut.mean(), _mean(right[cut]), _mean(right[~cut]), cut.sum(), (~cut).sum()]
        )
    columns = [np.array(column) for column in zip(*rows, strict=True)]
    return ShiftAccuracy(*columns)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


def kernel_from_values(values: Any) -> np.ndarray:
    """Return nine numbers, a flat list or 3x3 nested, as a ``(3, 3)`` float32 kernel.

    Backs the kernel editor's nine number boxes.
    """
    kernel = check_array("values", values, ndim=(1, 2), shape_hint="nine numbers, flat or 3x3")
    if kernel.size != 9:
        raise ValueError(f"a 3×3 kernel needs nine numbers, got {kernel.size}")
    if kernel.ndim == 2 and kernel.shape != (3, 3):
        raise ValueError(f"a 3×3 kernel needs 3 rows of 3 numbers, got shape {kernel.shape}")
    return kernel.reshape(3, 3).astype(np.float32)
