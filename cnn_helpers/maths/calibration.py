"""How far a model's softmax probabilities can be trusted: the reliability table, the expected
calibration error (Guo et al., 2017, with equal-width bins) and temperature scaling. Part 7 of
the explore notebook (Calibration). Numpy only: the figure is ``figures.calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._args import require_array


@dataclass(frozen=True)
class Reliability:
    """Test digits grouped by the model's top probability: for each of ``bins`` equal-width bins
    of ``edges`` ``(bins + 1,)``, the ``counts``, the mean top probability (``confidence``) and the
    fraction read right (``accuracy``), each ``(bins,)`` (NaN for an empty bin); and ``ece``, the
    expected calibration error: the gap between accuracy and confidence, averaged over the digits."""

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    ece: float

    @property
    def overall_confidence(self) -> float:
        """The mean top probability over all digits."""
        filled = self.counts > 0
        return float(np.sum(self.confidence[filled] * self.counts[filled]) / self.counts.sum())

    @property
    def overall_accuracy(self) -> float:
        """The fraction of all digits read right."""
        filled = self.counts > 0
        return float(np.sum(self.accuracy[filled] * self.counts[filled]) / self.counts.sum())


def _checked(probabilities: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(n, classes)")
    labels = require_array("labels", labels, ndim=(1,), shape_hint="(n,)")
    if len(labels) != len(probabilities) or len(labels) == 0:
        raise ValueError(
            f"probabilities has {len(probabilities)} rows but labels has {len(labels)} values: "
            "give one label per row, at least one"
        )
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3):
        raise ValueError(
            "probabilities must be rows of non-negative numbers adding up to 1 (a softmax output)"
        )
    if not np.all((labels >= 0) & (labels < probabilities.shape[1]) & (labels == np.round(labels))):
        raise ValueError(f"labels must be class numbers from 0 to {probabilities.shape[1] - 1}")
    return probabilities.astype(np.float64), labels.astype(int)


def reliability(probabilities: Any, labels: Any, *, bins: int = 10) -> Reliability:
    """Group ``probabilities`` ``(n, classes)`` by their top value into ``bins`` equal-width bins
    from 0 to 1, and compare each bin's mean top probability with its accuracy on ``labels`` ``(n,)``."""
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a whole number of at least 1, got {bins!r}")
    probabilities, labels = _checked(probabilities, labels)
    top = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(top, edges[1:-1], right=True), 0, bins - 1)  # (a, b] bins, 0 in the first
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):
        confidence = np.bincount(which, weights=top, minlength=bins) / counts
        accuracy = np.bincount(which, weights=right, minlength=bins) / counts
    filled = counts > 0
    ece = float(np.sum(counts[filled] * np.abs(accuracy[filled] - confidence[filled])) / len(labels))
    return Reliability(edges, counts, confidence, accuracy, ece)


def temperature_scaled(probabilities: Any, temperature: float) -> np.ndarray:
    """``probabilities`` ``(n, classes)`` made softer (temperature above 1) or sharper (below 1):
    the softmax of the class scores divided by ``temperature``, computed from the probabilities
    (their logarithms are the scores up to a constant per row, which the softmax ignores)."""
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not temperature > 0:
        raise ValueError(f"temperature must be a number above 0, got {temperature!r}")
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(n, classes)")
    scores = np.log(np.maximum(probabilities.astype(np.float64), 1e-45)) / temperature  # 0 stays tiny
    scores -= scores.max(axis=1, keepdims=True)
    scaled = np.exp(scores)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: Any, labels: Any) -> float:
    """The temperature (0.25 to 8, 3 significant digits) that gives ``labels`` ``(n,)`` the lowest
    cross-entropy under ``temperature_scaled(probabilities, t)``: fitted on one set of digits, it
    is then judged on another."""
    probabilities, labels = _checked(probabilities, labels)
    rows = np.arange(len(labels))

    def loss(t: float) -> float:
        return float(-np.mean(np.log(temperature_scaled(probabilities, t)[rows, labels] + 1e-300)))

    grid = np.geomspace(0.25, 8.0, 301)  # steps of about 1.2 %
    best = grid[int(np.argmin([loss(t) for t in grid]))]
    return float(f"{best:.3g}")
