"""The statistics of part 5 of the explore notebook (Where the model looks), from SciPy, so that a
reader can trust them without reading them: the one-sided sign test (``scipy.stats.binomtest``),
the paired Wilcoxon signed-rank test (``scipy.stats.wilcoxon``) and a bootstrap interval of a mean
over the digits (``scipy.stats.bootstrap``).
"""

from __future__ import annotations

from typing import Any
import warnings

import numpy as np
from scipy import stats

from .._args import require_array


def sign_test(wins: int, trials: int) -> float:
    """One-sided sign test (``scipy.stats.binomtest``): the chance of ``wins`` or more successes in
    ``trials`` fair coin flips, the p-value of "better on more digits than chance would give"."""
    wins, trials = int(wins), int(trials)
    if not 0 <= wins <= trials:
        raise ValueError(f"wins must be between 0 and trials ({trials}), got {wins}")
    if trials == 0:
        return 1.0
    return float(stats.binomtest(wins, trials, 0.5, alternative="greater").pvalue)


def paired_test(smaller: Any, larger: Any, *, two_sided: bool = False) -> float:
    """Wilcoxon signed-rank test (``scipy.stats.wilcoxon``) over paired values ``(m,)``: the
    one-sided p-value of "``smaller`` is below ``larger``, digit by digit", or with ``two_sided``
    of "they differ" (the test to use when the data chose which is ``smaller``); 1 when they never
    differ."""
    a = require_array("smaller", smaller, ndim=(1,), shape_hint="(m,)").astype(np.float64)
    b = require_array("larger", larger, ndim=(1,), shape_hint="(m,)").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"smaller and larger must be paired, one value per digit: {a.shape} and {b.shape}")
    if not np.any(a != b):
        return 1.0
    return float(stats.wilcoxon(a, b, alternative="two-sided" if two_sided else "less").pvalue)


def mean_interval(values: Any, *, seed: int = 0, confidence: float = 0.95) -> tuple[float, float]:
    """A bootstrap interval ``(low, high)`` of the mean of ``values`` ``(m,)`` over the digits
    (``scipy.stats.bootstrap``, BCa, 2,000 resamples, seeded)."""
    values = require_array("values", values, ndim=(1,), shape_hint="(m,)").astype(np.float64)
    if len(values) < 2 or np.ptp(values) == 0:
        return float(values.mean()), float(values.mean())
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # BCa on a few distinct values: a warning, not an error
        result = stats.bootstrap(
            (values,), np.mean, n_resamples=2000, confidence_level=confidence, rng=np.random.default_rng(seed)
        )
    low, high = result.confidence_interval
    return float(low), float(high)
