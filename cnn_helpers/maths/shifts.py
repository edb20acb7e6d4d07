"""Digits moved by whole pixels, how much ink a shift cuts off, and a model's accuracy under
shifts, apart for digits whose ink was cut off. Part 4 of the explore notebook (Shifts).
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

import numpy as np

from .._args import require_array, require_class_numbers, require_count, require_gray_images, require_int
from .layers import layer_output


def shift_images(images: Any, dx: int, dy: int) -> np.ndarray:
    """Return ``images`` ``(n, h, w)`` or ``(n, h, w, 1)`` moved ``dx`` pixels right, ``dy`` down.

    Pixels moved in are zeros (no wrap-around); shape and dtype are kept. Used in the explore
    notebook's "4. Shifts".
    """
    images = require_array("images", images, ndim=(3, 4), shape_hint="(n, h, w) or (n, h, w, 1)")
    h, w = images.shape[1:3]
    dx, dy = require_int("dx", dx, 1 - w, w), require_int("dy", dy, 1 - h, h)
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


def ink_cut_off(images: Any, dx: int, dy: int) -> np.ndarray:
    """Return ``(n,)`` bool: True where ``shift_images(images, dx, dy)`` pushes some ink off the image.

    Exact: a digit is cut off when a pixel that leaves the image is not 0.
    """
    images = require_array("images", images, ndim=(3, 4), shape_hint="(n, h, w) or (n, h, w, 1)")
    kept = shift_images(shift_images(images, dx, dy), -dx, -dy)  # what survives, moved back
    return np.any((images != kept).reshape(len(images), -1), axis=1)


def ink_share_cut(images: Any, dx: int, dy: int) -> np.ndarray:
    """Return ``(n,)``: the share of each digit's ink (the sum of its pixel values) that
    ``shift_images(images, dx, dy)`` pushes off the image; 0 for a digit left intact."""
    images = require_array("images", images, ndim=(3, 4), shape_hint="(n, h, w) or (n, h, w, 1)")
    total = images.reshape(len(images), -1).sum(axis=1).astype(np.float64)
    kept = shift_images(images, dx, dy).reshape(len(images), -1).sum(axis=1)
    return np.where(total > 0, 1 - kept / np.where(total > 0, total, 1), 0.0)


DIRECTIONS = ("right", "left", "down", "up")


@dataclass
class ShiftAccuracy:
    """Accuracy on shifted digits, one entry per shift in ``pixels`` ``(k,)``, each ``(k,)``.

    ``accuracy``: on every shifted digit; ``cut_off``: the fraction whose ink was partly pushed off
    the image; ``accuracy_cut`` / ``accuracy_intact``: on those digits / on the others (NaN where
    there are none); ``count_cut``, ``count_intact``: how many; ``by_direction`` ``(k, 4)``: the
    accuracy of the copies moved right, left, down and up (``DIRECTIONS``); ``ink_lost``: the
    median share of its ink that a cut-off copy lost (NaN where none was cut). ``print()`` gives
    the table.
    """

    pixels: np.ndarray
    accuracy: np.ndarray
    cut_off: np.ndarray
    accuracy_cut: np.ndarray
    accuracy_intact: np.ndarray
    count_cut: np.ndarray
    count_intact: np.ndarray
    by_direction: np.ndarray
    ink_lost: np.ndarray

    def __str__(self) -> str:
        def percent(value: float) -> str:
            return "-" if math.isnan(value) else f"{value:.1%}"

        lines = [
            f"{'shift':>5}  {'accuracy':>8}  "
            + "  ".join(f"{d:>6}" for d in DIRECTIONS)
            + f"  {'ink cut off':>11}  {'ink lost':>8}  {'accuracy, cut off':>17}  accuracy, intact"
        ]
        for k, pixels in enumerate(self.pixels):
            lines.append(
                f"{pixels:>5}  {self.accuracy[k]:>8.1%}  "
                + "  ".join(f"{a:>6.1%}" for a in self.by_direction[k])
                + f"  {self.cut_off[k]:>11.1%}  {percent(self.ink_lost[k]):>8}  "
                f"{percent(self.accuracy_cut[k]) + f' of {self.count_cut[k]}':>17}  "
                f"{percent(self.accuracy_intact[k])} of {self.count_intact[k]}"
            )
        return "\n".join(lines)


def shift_accuracy(
    model: Any, images: Any, labels: Any, shifts: Any = (0, 1, 2, 3, 4), *, batch_size: int = 256
) -> ShiftAccuracy:
    """Return the accuracy of ``model`` on ``images`` ``(n, h, w)`` or ``(n, h, w, 1)`` under shifts.

    Each digit is shifted by each number of pixels in ``shifts``, in each of the four directions
    (right, left, down, up; one unshifted copy for 0), as ``shift_images`` does; the accuracy is
    then also given apart for the digits whose ink was cut off (``ink_cut_off``) and those left
    intact. ``labels`` ``(n,)`` or one-hot ``(n, classes)``. ``batch_size``: images predicted at
    once (TensorFlow keeps the memory of the largest batch for later: a hub's limit counts it).
    Used in "4. Shifts".
    """
    images = require_gray_images("images", images)
    labels = require_class_numbers("labels", labels, len(images))
    steps = require_array("shifts", shifts, ndim=(1,), shape_hint="(k,) numbers of pixels")
    if not np.issubdtype(steps.dtype, np.integer) or steps.min() < 0:
        raise ValueError(f"shifts must be whole numbers of pixels >= 0, got {list(shifts)}")
    batch_size = require_count("batch_size", batch_size)
    rows = []
    for pixels in map(int, steps):
        moves = list(dict.fromkeys([(pixels, 0), (-pixels, 0), (0, pixels), (0, -pixels)]))  # r, l, d, u
        shifted = np.concatenate([shift_images(images, dx, dy) for dx, dy in moves])
        lost = np.concatenate([ink_share_cut(images, dx, dy) for dx, dy in moves])
        cut = np.concatenate([ink_cut_off(images, dx, dy) for dx, dy in moves])
        batch = shifted[..., None].astype(np.float32)
        right = model.predict(batch, batch_size=batch_size, verbose=0).argmax(axis=1) == np.tile(
            labels, len(moves)
        )
        median_lost = float(np.median(lost[cut])) if cut.any() else math.nan
        rows.append(
            [pixels, right.mean(), cut.mean(), _mean(right[cut]), _mean(right[~cut]), cut.sum(), (~cut).sum()]
            + [
                np.resize(right.reshape(len(moves), -1).mean(axis=1), 4),
                median_lost,
            ]  # by direction; 0: one copy
        )
    return ShiftAccuracy(*(np.array(column) for column in zip(*rows, strict=True)))


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan


@dataclass
class ShiftSimilarity:
    """How alike a digit's representation stays when the digit moves: for each layer (``layers``,
    the pixels first) and each shift in ``pixels`` ``(k,)``, the mean cosine similarity ``(layers,
    k)`` between the layer's output for the digits and for the digits moved right by that many
    pixels, position by position (nothing re-aligned). 1: the layer did not notice the move.
    ``unrelated`` ``(layers,)``: the same similarity between two *different* digits (each against
    the next one), the level that says "no more alike than another digit"."""

    layers: list[str]
    pixels: np.ndarray
    similarity: np.ndarray
    unrelated: np.ndarray

    def __str__(self) -> str:
        lines = [
            f"{'layer':<18}" + "".join(f"{f'moved {p} px':>12}" for p in self.pixels) + f"{'other digit':>14}"
        ]
        for name, row, other in zip(self.layers, self.similarity, self.unrelated, strict=True):
            lines.append(f"{name:<18}" + "".join(f"{v:>12.2f}" for v in row) + f"{other:>14.2f}")
        return "\n".join(lines)


def shift_similarity(model: Any, images: Any, shifts: Any = (1, 2, 3)) -> ShiftSimilarity:
    """Measure "what, not where": each layer's output for ``images`` ``(n, h, w)`` against its output
    for the same digits moved right by each of ``shifts`` pixels (mean cosine similarity)."""
    images = require_gray_images("images", images).astype(np.float32)
    steps = require_array("shifts", shifts, ndim=(1,), shape_hint="(k,) numbers of pixels")
    if not np.issubdtype(steps.dtype, np.integer) or steps.min() < 1:
        raise ValueError(f"shifts must be whole numbers of pixels >= 1, got {list(shifts)}")
    skip = ("Dropout", "Flatten")  # a copy of the layer before, reordered, or nothing at test time
    layers = [layer for layer in model.layers if type(layer).__name__ not in skip][:-1]  # not the output

    def cosine(a: np.ndarray, b: np.ndarray) -> float:
        a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        return float(np.mean(np.sum(a * b, axis=1) / np.where(norms > 0, norms, 1)))

    rows, unrelated = [], []
    moved = [shift_images(images, int(p), 0) for p in steps]
    others = np.roll(images, 1, axis=0)  # each digit against another one
    rows.append([cosine(images, m) for m in moved])
    unrelated.append(cosine(images, others))
    for layer in layers:
        still = layer_output(model, layer, images[..., None])
        rows.append([cosine(still, layer_output(model, layer, m[..., None])) for m in moved])
        unrelated.append(cosine(still, layer_output(model, layer, others[..., None])))
    names = ["pixels", *[layer.name for layer in layers]]
    return ShiftSimilarity(names, steps, np.array(rows), np.array(unrelated))
