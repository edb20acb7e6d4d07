"""Did a change of the probabilities (a temperature, say) make them better? ECE, NLL and Brier
score before and after on the same digits, each change with a percentile-bootstrap interval
(``scipy.stats.bootstrap``) that resamples digits, a digit with all its copies. Part 7 of the
explore notebook (Calibration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .._args import require_array, require_count
from .calibration import equal_width_bins, require_bins, require_class_labels

#: The scores that ``calibration_change`` compares, in its order.
SCORES = ("ECE", "NLL", "Brier")


@dataclass(frozen=True)
class CalibrationChange:
    """ECE, NLL and Brier score (``SCORES``) of the same digits under two sets of probabilities,
    ``before`` and ``after`` each ``(3,)``, and the change ``after - before`` with its 95 %
    percentile-bootstrap interval (``low``, ``high``, ``(3,)``), resampling the ``digits`` (a digit
    with all its copies). NLL: the mean negative log probability of the true class; Brier: the mean
    squared distance between the probabilities and the one-hot label, summed over the classes;
    ECE: ``bins`` equal-width bins. ``print()`` gives one line per score, named by ``name``, the two
    sides by ``before_label`` and ``after_label``."""

    before: np.ndarray
    after: np.ndarray
    low: np.ndarray
    high: np.ndarray
    digits: int
    copies: int
    resamples: int
    name: str = ""
    before_label: str = "before"
    after_label: str = "after"

    @property
    def change(self) -> np.ndarray:
        """``after - before`` ``(3,)``: below 0, the score is lower (better) after."""
        return self.after - self.before

    def verdicts(self) -> list[str]:
        """One line per score: lower or higher after, where its interval excludes 0; else within noise."""
        lines = []
        for score, low, high in zip(SCORES, self.low, self.high, strict=True):
            if high < 0:
                words = f"lower {self.after_label} (the interval is below 0)"
            elif low > 0:
                words = f"higher {self.after_label} (the interval is above 0)"
            else:
                words = "no change beyond noise (the interval includes 0)"
            lines.append(f"{score}: {words}")
        return lines

    def __str__(self) -> str:
        copies = f" ({self.copies} copies each)" if self.copies > 1 else ""
        lines = [
            f"{self.before_label} -> {self.after_label}, on {self.digits} digits{copies}; 95% intervals "
            f"of the change from {self.resamples} bootstrap resamples of the digits:"
        ]
        label = f"{self.name}, " if self.name else ""
        for k, score in enumerate(SCORES):
            lines.append(
                f"{label}{score}: {self.before[k]:.4f} -> {self.after[k]:.4f}, change {self.change[k]:+.4f} "
                f"(95% interval {self.low[k]:+.4f} to {self.high[k]:+.4f})"
            )
        return "\n".join(lines)


def _scores(
    before: tuple[np.ndarray, ...], after: tuple[np.ndarray, ...], rows: np.ndarray, bins: int
) -> np.ndarray:
    """The three scores before and after, ``(6, b)``, of ``b`` resamples ``rows`` ``(b, n)`` of the
    digits; each side is ``(top, bin, right, nll, brier)``, each ``(copies, digits)``."""
    b = len(rows)
    values = []
    for top, which, right, nll, brier in (before, after):
        picked = [part[:, rows] for part in (top, which, right)]  # (copies, b, n)
        top_, which_, right_ = (np.moveaxis(part, 0, 1).reshape(b, -1) for part in picked)
        flat = (which_ + bins * np.arange(b)[:, None]).ravel()
        gaps = np.bincount(flat, weights=(right_ - top_).ravel(), minlength=b * bins).reshape(b, bins)
        values += [
            np.abs(gaps).sum(axis=1) / top_.shape[1],
            nll.mean(axis=0)[rows].mean(axis=1),
            brier.mean(axis=0)[rows].mean(axis=1),
        ]
    return np.stack(values)


def calibration_change(
    before: Any,
    after: Any,
    labels: Any,
    *,
    resamples: int = 1000,
    seed: int = 0,
    bins: int = 10,
    name: str = "",
    before_label: str = "before",
    after_label: str = "after",
) -> CalibrationChange:
    """Compare two sets of probabilities of the same digits, ``before`` and ``after`` (e.g. as
    trained and with a temperature), each ``(n, classes)``, or ``(copies, n, classes)`` for copies
    of each digit (shifted, say) that are resampled together; ``labels`` ``(n,)``. The 95 %
    intervals of the changes come from ``scipy.stats.bootstrap`` (percentile, ``resamples``
    resamples of the ``n`` digits, seeded by ``seed``), the three scores computed at once, a batch
    of resamples at a time (vectorised). ``name``, ``before_label``, ``after_label``: words for the
    printed lines."""
    resamples = require_count("resamples", resamples)
    bins = require_bins(bins)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    for word, value in (("name", name), ("before_label", before_label), ("after_label", after_label)):
        if not isinstance(value, str):
            raise TypeError(f"{word} must be a string, got {type(value).__name__} {value!r}")
    sides = []
    for side_name, side in (("before", before), ("after", after)):
        side = require_array(side_name, side, ndim=(2, 3), shape_hint="(n, classes) or (copies, n, classes)")
        side = side[None] if side.ndim == 2 else side
        if np.any(side < 0) or not np.allclose(side.sum(axis=-1), 1, atol=1e-3):
            raise ValueError(
                f"{side_name} must hold rows of non-negative numbers adding up to 1 (probabilities)"
            )
        sides.append(side.astype(np.float64))
    if sides[0].shape != sides[1].shape:
        raise ValueError(
            f"before is shaped {sides[0].shape[-2:]} but after {sides[1].shape[-2:]}: give the same digits"
        )
    copies, n, classes = sides[0].shape
    owner, unit = ("each copy of probabilities", "digit") if copies > 1 else ("probabilities", "row")
    labels = require_class_labels(labels, n, classes, owner=owner, unit=unit)
    one_hot = np.eye(classes)[labels]
    parts = []
    for side in sides:
        top = side.max(axis=-1)
        right = (side.argmax(axis=-1) == labels).astype(np.float64)
        nll = -np.log(np.maximum(side[:, np.arange(n), labels], 1e-300))
        brier = np.sum((side - one_hot) ** 2, axis=-1)
        parts.append((top, equal_width_bins(top, bins), right, nll, brier))

    def statistic(rows: np.ndarray, axis: int = -1) -> np.ndarray:
        rows = np.asarray(rows)
        values = _scores(parts[0], parts[1], rows.reshape(-1, rows.shape[-1]), bins)
        change = values[3:] - values[:3]
        return change.reshape((3, *rows.shape[:-1]))

    observed = _scores(parts[0], parts[1], np.arange(n)[None], bins)[:, 0]
    result = stats.bootstrap(
        (np.arange(n),),
        statistic,
        n_resamples=resamples,
        method="percentile",
        vectorized=True,
        batch=max(1, 250_000 // (copies * n)),  # resamples at once: about 20 MB a batch
        rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return CalibrationChange(
        observed[:3],
        observed[3:],
        np.asarray(low),
        np.asarray(high),
        n,
        copies,
        resamples,
        name,
        before_label,
        after_label,
    )


def ece_interval(
    probabilities: Any, labels: Any, *, resamples: int = 1000, seed: int = 0, bins: int = 10
) -> tuple[float, float]:
    """A 95 % interval ``(low, high)`` of the expected calibration error of ``probabilities``
    ``(n, classes)`` on ``labels`` ``(n,)``: ``scipy.stats.bootstrap`` (percentile, ``resamples``
    resamples of the digits, seeded), ``bins`` equal-width bins as ``reliability`` has them."""
    resamples = require_count("resamples", resamples)
    bins = require_bins(bins)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}")
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(n, classes)")
    n, classes = probabilities.shape
    labels = require_class_labels(labels, n, classes)
    top = probabilities.max(axis=1).astype(np.float64)[None]
    right = (probabilities.argmax(axis=1) == labels).astype(np.float64)[None]
    side = (top, equal_width_bins(top, bins), right, np.zeros_like(top), np.zeros_like(top))

    def statistic(rows: np.ndarray, axis: int = -1) -> np.ndarray:
        rows = np.asarray(rows)
        return _scores(side, side, rows.reshape(-1, rows.shape[-1]), bins)[0].reshape(rows.shape[:-1])

    result = stats.bootstrap(
        (np.arange(n),),
        statistic,
        n_resamples=resamples,
        method="percentile",
        vectorized=True,
        batch=max(1, 250_000 // n),  # resamples at once: about 20 MB a batch
        rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return float(low), float(high)
