"""Measure "what, not where": how alike each layer's output stays when the digits move, against
another digit's, with bootstrap intervals over the digits. Part 3 of the explore notebook (The
second layer, and "what, not where").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import bootstrap

from .._args import require_array, require_gray_images
from .layers import layer_outputs
from .shifts import DIRECTIONS, shift_images


@dataclass
class ShiftSimilarity:
    """How alike a digit's representation stays when the digit moves: for each layer (``layers``,
    the pixels first) and each shift in ``pixels`` ``(k,)``, the mean cosine similarity ``(layers,
    k)`` between the layer's output for the digits and for the digits moved that many pixels in
    ``direction``, position by position (nothing re-aligned). 1: the layer did not notice the move.
    ``unrelated`` ``(layers,)``: the same similarity between two *different* digits (each against
    the next one), the level that says "no more alike than another digit". ``per_digit``
    ``(layers, k, n)`` and ``unrelated_per_digit`` ``(layers, n)``: the same, digit by digit, for
    the bootstrap intervals of ``kept_interval`` and ``gain_interval``."""

    layers: list[str]
    pixels: np.ndarray
    similarity: np.ndarray
    unrelated: np.ndarray
    per_digit: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)), repr=False)
    unrelated_per_digit: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    direction: str = "right"

    def __str__(self) -> str:
        lines = [
            f"{'layer':<18}" + "".join(f"{f'moved {p} px':>12}" for p in self.pixels) + f"{'other digit':>14}"
        ]
        for name, row, other in zip(self.layers, self.similarity, self.unrelated, strict=True):
            lines.append(f"{name:<18}" + "".join(f"{v:>12.2f}" for v in row) + f"{other:>14.2f}")
        return "\n".join(lines)

    @property
    def kept(self) -> np.ndarray:
        """``(layers, k)``: each likeness rescaled between another digit (0) and not moved (1)."""
        return _kept(self.similarity, self.unrelated[:, None])

    def _column(self, pixels: int) -> int:
        columns = np.flatnonzero(self.pixels == pixels)
        if not len(columns):
            raise ValueError(
                f"pixels must be one of the shifts measured, {self.pixels.tolist()}; got {pixels!r}"
            )
        return int(columns[0])

    def kept_interval(
        self, pixels: int, *, confidence: float = 0.95, n_resamples: int = 1000, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)``, each ``(layers,)``: a percentile bootstrap interval of ``kept`` at a
        shift of ``pixels``, the digits resampled (``scipy.stats.bootstrap``, paired, seeded)."""
        k = self._column(pixels)
        ends = [
            _bootstrap(_kept_of_means, (moved[k], other), confidence, n_resamples, seed)
            for moved, other in zip(self.per_digit, self.unrelated_per_digit, strict=True)
        ]
        return np.array([e[0] for e in ends]), np.array([e[1] for e in ends])

    def gain_interval(
        self, pixels: int, *, confidence: float = 0.95, n_resamples: int = 1000, seed: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(gain, low, high)``, each ``(layers - 1,)``: how much each layer (after the pixels)
        raises ``kept`` over its input, the layer before it, at a shift of ``pixels``, and a
        percentile bootstrap interval of that gain, the same digits resampled for both layers."""
        k = self._column(pixels)
        gain = np.diff(self.kept[:, k])
        ends = [
            _bootstrap(
                _gain_of_means,
                (
                    self.per_digit[i - 1, k],
                    self.unrelated_per_digit[i - 1],
                    self.per_digit[i, k],
                    self.unrelated_per_digit[i],
                ),
                confidence,
                n_resamples,
                seed,
            )
            for i in range(1, len(self.layers))
        ]
        return gain, np.array([e[0] for e in ends]), np.array([e[1] for e in ends])


def _kept(moved: Any, other: Any) -> Any:
    return (moved - other) / (1 - other)


def _kept_of_means(moved: np.ndarray, other: np.ndarray, axis: int = -1) -> np.ndarray:
    return _kept(moved.mean(axis=axis), other.mean(axis=axis))


def _gain_of_means(
    moved_a: np.ndarray, other_a: np.ndarray, moved_b: np.ndarray, other_b: np.ndarray, axis: int = -1
) -> np.ndarray:
    return _kept_of_means(moved_b, other_b, axis) - _kept_of_means(moved_a, other_a, axis)


def _bootstrap(
    statistic: Any, samples: tuple, confidence: float, n_resamples: int, seed: int
) -> tuple[float, float]:
    result = bootstrap(
        samples,
        statistic,
        paired=True,
        vectorized=True,
        confidence_level=confidence,
        n_resamples=n_resamples,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


#: Each direction's move of one pixel, ``(dx, dy)``: right, left, down, up.
_MOVES = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}


#: How many digits (each with its moved copies and another digit) go through the model at once:
#: every layer's output of 100 digits and 4 copies each is about 70 MB, all 500 at once 5 times more.
_DIGITS_AT_ONCE = 100


def shift_similarity(
    model: Any, images: Any, shifts: Any = (1, 2, 3), *, direction: str = "right"
) -> ShiftSimilarity:
    """Measure "what, not where": each layer's output for ``images`` ``(n, h, w)`` against its output
    for the same digits moved by each of ``shifts`` pixels in ``direction`` (one of
    ``DIRECTIONS``; mean cosine similarity, and digit by digit)."""
    images = require_gray_images("images", images).astype(np.float32)
    steps = require_array("shifts", shifts, ndim=(1,), shape_hint="(k,) numbers of pixels")
    if not np.issubdtype(steps.dtype, np.integer) or steps.min() < 1:
        raise ValueError(f"shifts must be whole numbers of pixels >= 1, got {list(shifts)}")
    if direction not in _MOVES:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    skip = ("Dropout", "Flatten")  # a copy of the layer before, reordered, or nothing at test time
    layers = [layer for layer in model.layers if type(layer).__name__ not in skip][:-1]  # not the output

    def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
        norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        return np.sum(a * b, axis=1) / np.where(norms > 0, norms, 1)

    dx, dy = _MOVES[direction]
    moved = [shift_images(images, dx * int(p), dy * int(p)) for p in steps]
    others = np.roll(images, 1, axis=0)  # each digit against another one
    rows, unrelated = [[cosines(images, m) for m in moved]], [cosines(images, others)]
    for start in range(0, len(images), _DIGITS_AT_ONCE):  # a group of digits at a time: bounded memory
        group = slice(start, start + _DIGITS_AT_ONCE)
        batch = np.concatenate([images[group], *(m[group] for m in moved), others[group]])[..., None]
        for k, output in enumerate(layer_outputs(model, layers, batch), start=1):  # every layer, one pass
            still, *shifted, other = np.split(output, len(steps) + 2)
            if len(rows) <= k:
                rows.append([[] for _ in steps])
                unrelated.append([])
            for column, copy in zip(rows[k], shifted, strict=True):
                column.append(cosines(still, copy))
            unrelated[k].append(cosines(still, other))
    rows = [rows[0], *[[np.concatenate(column) for column in row] for row in rows[1:]]]
    unrelated = [unrelated[0], *[np.concatenate(parts) for parts in unrelated[1:]]]
    per_digit, unrelated_per_digit = np.array(rows), np.array(unrelated)
    names = ["pixels", *[layer.name for layer in layers]]
    return ShiftSimilarity(
        names,
        steps,
        per_digit.mean(axis=2),
        unrelated_per_digit.mean(axis=1),
        per_digit,
        unrelated_per_digit,
        direction,
    )
