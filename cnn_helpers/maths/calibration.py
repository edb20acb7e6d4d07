"""How far a model's softmax probabilities can be trusted: the reliability table, the expected
calibration error (Guo et al., 2017, with equal-width bins) and temperature scaling. Part 7 of
the explore notebook (Calibration). The model's class scores are read before its softmax
(``model_logits``); the rest is numpy and SciPy (the temperature's fit, the binomial intervals of
each bin, the bootstrap over digits). The figure is ``figures.calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from .._args import require_array, require_built_model, require_count
from .attribution import batch_logits

#: The temperatures ``fit_temperature`` searches: from this much sharper to this much softer.
TEMPERATURE_RANGE = (0.05, 20.0)
#: The scores that ``calibration_change`` compares, in its order.
SCORES = ("ECE", "NLL", "Brier")


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
    labels = _checked_labels(labels, len(probabilities), probabilities.shape[1])
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3):
        raise ValueError(
            "probabilities must be rows of non-negative numbers adding up to 1 (a softmax output)"
        )
    return probabilities.astype(np.float64), labels


def _checked_labels(
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


def _require_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a whole number of at least 1, got {bins!r}")
    return bins


def _equal_width_bins(top: np.ndarray, bins: int) -> np.ndarray:
    """The bin of each top probability among ``bins`` equal-width bins, (a, b], 0 in the first."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    return np.clip(np.digitize(top, edges[1:-1], right=True), 0, bins - 1)


def reliability(probabilities: Any, labels: Any, *, bins: int = 10, equal_mass: bool = False) -> Reliability:
    """Group ``probabilities`` ``(n, classes)`` by their top value into ``bins`` bins, equal-width
    from 0 to 1 or (``equal_mass``) of equal counts ordered by the top value, and compare each bin's
    mean top probability with its accuracy on ``labels`` ``(n,)``. Pass float64 probabilities
    (``temperature_scaled(logits)``) to keep 1 - p where float32 rounds p to 1."""
    bins = _require_bins(bins)
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
        which = _equal_width_bins(top, bins)
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


def model_logits(model: Any, images: Any, *, batch_size: int = 1000) -> np.ndarray:
    """The class scores before the softmax, the logits ``(n, classes)`` float32, of ``images``
    ``(n, h, w, 1)`` (or ``(n, h, w)``), read ``batch_size`` at a time as
    ``attribution.batch_logits`` reads them: what temperature scaling divides."""
    shape = require_built_model(model)
    images = require_array("images", images, ndim=(3, 4), shape_hint="(n, h, w, 1) or (n, h, w)")
    if images.ndim == 3:
        images = images[..., None]
    if tuple(images.shape[1:]) != tuple(shape[1:]) and None not in shape[1:]:
        raise ValueError(f"images are {images.shape[1:]} each but the model takes {tuple(shape[1:])}")
    batch_size = require_count("batch_size", batch_size)
    images = images.astype(np.float32, copy=False)
    parts = [
        np.asarray(batch_logits(model, images[start : start + batch_size]))
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(parts).astype(np.float32)


def _require_temperature(temperature: Any) -> float:
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not math.isfinite(temperature)
        or not temperature > 0
    ):
        raise ValueError(f"temperature must be a number above 0, got {temperature!r}")
    return float(temperature)


def temperature_scaled(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """The class probabilities ``(..., classes)`` float64 of ``logits`` ``(..., classes)`` (a model's
    scores before its softmax) divided by ``temperature``: the softmax of ``logits / temperature``.
    Above 1 every probability is less sure, below 1 surer; the order of the classes stays.
    ``temperature_scaled(logits)`` is the model's own probabilities, in float64."""
    temperature = _require_temperature(temperature)
    logits = require_array("logits", logits, ndim=(1, 2, 3), shape_hint="(n, classes)")
    return special.softmax(logits.astype(np.float64) / temperature, axis=-1)


def fit_temperature(logits: Any, labels: Any) -> float:
    """The temperature that gives ``labels`` ``(n,)`` the lowest cross-entropy (mean negative log
    probability) under ``temperature_scaled(logits, t)``, for ``logits`` ``(n, classes)``: found by
    SciPy's bounded scalar minimization over 1 / t (the loss is convex in it), within
    ``TEMPERATURE_RANGE``. Fitted on one set of digits, it is then judged on another."""
    logits = require_array("logits", logits, ndim=(2,), shape_hint="(n, classes)").astype(np.float64)
    labels = _checked_labels(labels, len(logits), logits.shape[1], owner="logits")
    true = logits[np.arange(len(labels)), labels]

    def loss(inverse: float) -> float:
        return float(np.mean(special.logsumexp(logits * inverse, axis=1) - true * inverse))

    low, high = TEMPERATURE_RANGE
    found = optimize.minimize_scalar(
        loss, bounds=(1 / high, 1 / low), method="bounded", options={"xatol": 1e-7}
    )
    return float(1 / found.x)


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
    bins = _require_bins(bins)
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
    labels = _checked_labels(labels, n, classes, owner=owner, unit=unit)
    one_hot = np.eye(classes)[labels]
    parts = []
    for side in sides:
        top = side.max(axis=-1)
        right = (side.argmax(axis=-1) == labels).astype(np.float64)
        nll = -np.log(np.maximum(side[:, np.arange(n), labels], 1e-300))
        brier = np.sum((side - one_hot) ** 2, axis=-1)
        parts.append((top, _equal_width_bins(top, bins), right, nll, brier))

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
        batch=max(1, 2_000_000 // (copies * n)),
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
