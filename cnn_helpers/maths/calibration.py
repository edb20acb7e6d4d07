"""How far a model's softmax probabilities can be trusted: the reliability table and the expected
calibration error (Guo et al., 2017), in equal-width or equal-mass bins, each bin's accuracy with
its binomial interval (SciPy). Part 7 of the explore notebook (Calibration). Temperature scaling is
``maths.temperature``, the bootstrap comparison of two sets of probabilities
``maths.calibration_change``, the figure ``figures.calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

import numpy as np
from scipy import stats

from .._args import require_array


@dataclass(frozen=True)
class Reliability:
    """Test digits grouped by the model's top probability into ``len(counts)`` bins between
    ``edges`` ``(bins + 1,)``: equal-width bins from 0 to 1, or (``equal_mass``) bins of equal
    counts, their edges the smallest top probability of each bin and the largest of the last.

    Per bin, each ``(bins,)`` (NaN for an empty bin): the ``counts``; the mean top probability
    (``confidence``) and the mean of 1 minus it (``said_error``, exact where the confidence rounds
    to 1); the fraction read right (``accuracy``) and how many were misread (``mistakes``); and the
    95 % Clopper-Pearson interval of the accuracy (``accuracy_low``, ``accuracy_high``).
    ``ece``: the expected calibration error, the gap between accuracy and confidence averaged over
    the digits; ``standard_error``: the standard error of ``overall_accuracy -
    overall_confidence``, from the per-digit differences (right 1 or 0, minus the top probability).
    """

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    said_error: np.ndarray
    accuracy: np.ndarray
    mistakes: np.ndarray
    accuracy_low: np.ndarray
    accuracy_high: np.ndarray
    ece: float
    standard_error: float
    equal_mass: bool = False

    @property
    def overall_confidence(self) -> float:
        """The mean top probability over all digits."""
        filled = self.counts > 0
        return float(np.sum(self.confidence[filled] * self.counts[filled]) / self.counts.sum())

    @property
    def overall_accuracy(self) -> float:
        """The fraction of all digits read right."""
        return float(1 - self.mistakes.sum() / self.counts.sum())

    @property
    def gap(self) -> float:
        """``overall_accuracy - overall_confidence``: above 0 underconfident, below 0 overconfident."""
        return self.overall_accuracy - self.overall_confidence

    def within_noise(self, standard_errors: float = 2.0) -> bool:
        """Whether ``gap`` is within ``standard_errors`` standard errors of 0 (calibrated on
        average, as far as these digits can tell)."""
        return abs(self.gap) <= standard_errors * self.standard_error

    @property
    def bins_within_interval(self) -> int:
        """How many filled bins have their mean top probability inside their accuracy's interval."""
        filled = self.counts > 0
        inside = (self.accuracy_low <= self.confidence) & (self.confidence <= self.accuracy_high)
        return int(np.sum(inside & filled))


def _checked(probabilities: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(n, classes)")
    labels = require_class_labels(labels, len(probabilities), probabilities.shape[1])
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3):
        raise ValueError(
            "probabilities must be rows of non-negative numbers adding up to 1 (a softmax output)"
        )
    return probabilities.astype(np.float64), labels


def require_class_labels(
    labels: Any, count: int, classes: int, *, owner: str = "probabilities", unit: str = "row"
) -> np.ndarray:
    """``labels`` ``(count,)`` as class numbers below ``classes``; the message names ``owner``'s
    ``count`` ``unit``s."""
    labels = require_array("labels", labels, ndim=(1,), shape_hint="(n,)")
    if len(labels) != count:
        raise ValueError(
            f"{owner} has {count} {unit}s but labels has {len(labels)} values: give one label per {unit}"
        )
    if not np.all((labels >= 0) & (labels < classes) & (labels == np.round(labels))):
        raise ValueError(f"labels must be class numbers from 0 to {classes - 1}")
    return labels.astype(int)


def require_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a whole number of at least 1, got {bins!r}")
    return bins


def equal_width_bins(top: np.ndarray, bins: int) -> np.ndarray:
    """The bin of each top probability among ``bins`` equal-width bins, (a, b], 0 in the first."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return np.clip(np.digitize(top, edges[1:-1], right=True), 0, bins - 1)


def reliability(probabilities: Any, labels: Any, *, bins: int = 10, equal_mass: bool = False) -> Reliability:
    """Group ``probabilities`` ``(n, classes)`` by their top value into ``bins`` bins, equal-width
    from 0 to 1 or (``equal_mass``) of equal counts ordered by the top value, and compare each bin's
    mean top probability with its accuracy on ``labels`` ``(n,)``. Pass float64 probabilities
    (``temperature_scaled(logits)``) to keep 1 - p where float32 rounds p to 1."""
    bins = require_bins(bins)
    if not isinstance(equal_mass, bool):
        raise TypeError(f"equal_mass must be True or False, got {equal_mass!r}")
    probabilities, labels = _checked(probabilities, labels)
    if equal_mass and bins > len(labels):
        raise ValueError(f"bins={bins} equal-mass bins need at least {bins} digits, got {len(labels)}")
    top = probabilities.max(axis=1)
    rest = np.sort(probabilities, axis=1)[:, :-1].sum(axis=1)  # 1 - top from the others: exact near 1
    right = probabilities.argmax(axis=1) == labels
    if equal_mass:
        order = np.argsort(top, kind="stable")
        which = np.empty(len(top), dtype=int)
        which[order] = np.arange(len(top)) * bins // len(top)
        edges = np.r_[[top[order][k * len(top) // bins] for k in range(bins)], top.max()]
    else:
        which = equal_width_bins(top, bins)
        edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.bincount(which, minlength=bins)
    mistakes = np.bincount(which, weights=~right, minlength=bins).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(which, weights=top, minlength=bins) / counts
        said_error = np.bincount(which, weights=rest, minlength=bins) / counts
        accuracy = 1 - mistakes / counts
    low, high = np.full(bins, np.nan), np.full(bins, np.nan)
    for k in np.flatnonzero(counts):
        interval = stats.binomtest(int(counts[k] - mistakes[k]), int(counts[k])).proportion_ci(0.95)
        low[k], high[k] = interval.low, interval.high
    filled = counts > 0
    ece = float(np.sum(counts[filled] * np.abs(accuracy[filled] - confidence[filled])) / len(labels))
    differences = right - top
    error = float(differences.std(ddof=1) / math.sqrt(len(top))) if len(top) > 1 else math.nan
    return Reliability(
        edges, counts, confidence, said_error, accuracy, mistakes, low, high, ece, error, equal_mass
    )
