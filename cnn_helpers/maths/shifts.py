"""Digits moved by whole pixels, how much ink a shift cuts off, and a model's accuracy under
shifts, apart for digits whose ink was cut off. Part 4 of the explore notebook (Shifts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any

import numpy as np
from scipy.stats import binomtest, fisher_exact

from .._args import (
    require_array,
    require_class_numbers,
    require_count,
    require_gray_images,
    require_int,
)


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
    median share of its ink that a cut-off copy lost (NaN where none was cut). Per copy, for the
    comparisons within a direction (``within_direction``, ``direction_pair``): ``correct`` and
    ``cut`` ``(k, 4, n)``, whether copy ``[shift, direction, digit]`` was read right and whether its
    ink was cut, and ``correct_unshifted`` ``(n,)``, whether each digit was read right unshifted.
    ``print()`` gives the table.
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
    correct: np.ndarray = field(repr=False)
    cut: np.ndarray = field(repr=False)
    correct_unshifted: np.ndarray = field(repr=False)

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

    def _row(self, pixels: int) -> int:
        rows = np.flatnonzero(self.pixels == pixels)
        if not len(rows) or pixels == 0 or not self.correct.size:
            measured = [int(p) for p in self.pixels if p > 0]
            raise ValueError(
                f"pixels must be a shift measured above 0 pixels, one of {measured}; got {pixels}"
            )
        return int(rows[0])

    def within_direction(self, pixels: int) -> CutWithinDirection:
        """Cut-off against intact copies within each direction, at a shift of ``pixels``, each group
        against the same digits unshifted (``CutWithinDirection``)."""
        k = self._row(pixels)
        rows = []
        for d in range(len(DIRECTIONS)):
            cut, right = self.cut[k, d], self.correct[k, d]
            read = self.correct_unshifted  # the digits read right unshifted: does the move lose them?
            lost = [int(np.sum(read & group & ~right)) for group in (cut, ~cut)]
            kept = [int(np.sum(read & group & right)) for group in (cut, ~cut)]
            # one-sided Fisher test: a digit read unshifted is lost more often when its ink is cut
            p = fisher_exact([[lost[0], kept[0]], [lost[1], kept[1]]], alternative="greater").pvalue
            rows.append(
                [cut.mean(), cut.sum(), _mean(right[cut]), _mean(read[cut])]
                + [(~cut).sum(), _mean(right[~cut]), _mean(read[~cut]), float(p)]
            )
        return CutWithinDirection(int(pixels), *(np.array(column) for column in zip(*rows, strict=True)))

    def direction_pair(self, pixels: int, first: str, second: str) -> tuple[float, float, int, float]:
        """Compare two directions at ``pixels`` on the digits whose copies stay intact in both: return
        ``(accuracy moved first, accuracy moved second, how many digits, p)``, ``p`` two-sided from
        McNemar's exact test (a binomial test on the digits read right one way only)."""
        k = self._row(pixels)
        for name, value in (("first", first), ("second", second)):
            if value not in DIRECTIONS:
                raise ValueError(f"{name} must be one of {DIRECTIONS}, got {value!r}")
        a, b = DIRECTIONS.index(first), DIRECTIONS.index(second)
        both = ~self.cut[k, a] & ~self.cut[k, b]
        right_a, right_b = self.correct[k, a][both], self.correct[k, b][both]
        only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
        p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
        return _mean(right_a), _mean(right_b), int(both.sum()), float(p)


@dataclass
class CutWithinDirection:
    """Cut-off against intact copies at one shift of ``pixels``, one entry per direction
    (``DIRECTIONS``), each ``(4,)``: ``cut_off``, the share of copies whose ink was cut, and
    ``count_cut`` of them; ``accuracy_cut`` on those copies and ``unshifted_cut`` on the same digits
    unshifted; ``count_intact``, ``accuracy_intact``, ``unshifted_intact`` the same for the intact
    copies; ``p``: one-sided Fisher exact test that a digit read right unshifted is lost (misread
    once moved) more often when its ink is cut than when it is intact. ``print()`` gives the table.
    """

    pixels: int
    cut_off: np.ndarray
    count_cut: np.ndarray
    accuracy_cut: np.ndarray
    unshifted_cut: np.ndarray
    count_intact: np.ndarray
    accuracy_intact: np.ndarray
    unshifted_intact: np.ndarray
    p: np.ndarray

    def __str__(self) -> str:
        def pair(shifted: float, unshifted: float, count: int) -> str:
            text = "-" if not count else f"{shifted:.1%} ({unshifted:.1%})"
            return f"{text:>16} {count:>5}"

        lines = [
            f"{'moved':>10}  {'ink cut off':>11}  {'cut off (unshifted)':>19} {'n':>5}"
            f"  {'intact (unshifted)':>18} {'n':>5}  p, cut off lose more"
        ]
        for d, name in enumerate(DIRECTIONS):
            lines.append(
                f"{f'{self.pixels} px {name}':>10}  {self.cut_off[d]:>11.1%}  "
                f"   {pair(self.accuracy_cut[d], self.unshifted_cut[d], self.count_cut[d])}"
                f"  {pair(self.accuracy_intact[d], self.unshifted_intact[d], self.count_intact[d])}"
                f"  p={self.p[d]:.2g}"
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

    def read(batch: np.ndarray) -> np.ndarray:
        scores = model.predict(batch[..., None].astype(np.float32), batch_size=batch_size, verbose=0)
        return scores.argmax(axis=1) == np.tile(labels, len(batch) // len(labels))

    unshifted = None
    rows, per_copy = [], []
    for pixels in map(int, steps):
        moves = list(dict.fromkeys([(pixels, 0), (-pixels, 0), (0, pixels), (0, -pixels)]))  # r, l, d, u
        shifted = np.concatenate([shift_images(images, dx, dy) for dx, dy in moves])
        lost = np.concatenate([ink_share_cut(images, dx, dy) for dx, dy in moves])
        cut = np.concatenate([ink_cut_off(images, dx, dy) for dx, dy in moves])
        right = read(shifted)
        if pixels == 0:
            unshifted = right
        median_lost = float(np.median(lost[cut])) if cut.any() else math.nan
        by_direction = np.resize(right.reshape(len(moves), -1).mean(axis=1), 4)  # 0 pixels: one copy
        rows.append(
            [pixels, right.mean(), cut.mean(), _mean(right[cut]), _mean(right[~cut]), cut.sum(), (~cut).sum()]
            + [by_direction, median_lost]
        )
        per_copy.append([np.resize(right, 4 * len(images)), np.resize(cut, 4 * len(images))])
    if unshifted is None:
        unshifted = read(images.reshape(images.shape[:3]))
    correct, cut = (
        np.stack(column).reshape(len(steps), 4, len(images)) for column in zip(*per_copy, strict=True)
    )
    return ShiftAccuracy(
        *(np.array(column) for column in zip(*rows, strict=True)),
        correct=correct,
        cut=cut,
        correct_unshifted=unshifted,
    )


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else math.nan
