"""Are the attributions faithful? Integrated gradients (Sundararajan et al., 2017) with their
completeness test, SmoothGrad (Smilkov et al., 2017), and deletion and insertion curves (Petsiuk et
al., 2018) against a random order over the ink. Part 5 of the explore notebook (Where the model
looks). Every score is the class's logit, read as ``attribution.class_scores`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

import numpy as np
import tensorflow as tf

from .._args import require_array, require_count, require_gray_images, require_positive
from .attribution import as_model_batch, batch_logits, predicted_class

#: A pixel is ink when it is at least this fraction of its image's brightest pixel.
INK_LEVEL = 0.5


def ink_mask(image: Any) -> np.ndarray:
    """The digit's ink ``(h, w)`` bool: pixels at least ``INK_LEVEL`` of the image's brightest."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    return image >= INK_LEVEL * image.max() if image.max() > 0 else np.zeros(image.shape, bool)


def blurred(image: Any, sigma: float = 3.0) -> np.ndarray:
    """``image`` ``(h, w)`` blurred by a Gaussian of ``sigma`` pixels (zeros beyond the border):
    a baseline that keeps the digit's rough place and brightness, but not its strokes."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)").astype(np.float64)
    sigma = require_positive("sigma", sigma)
    radius = int(np.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()

    def smooth(line: np.ndarray) -> np.ndarray:  # the centre of the full convolution: any kernel size
        return np.convolve(line, kernel, mode="full")[radius : radius + len(line)]

    rows = np.apply_along_axis(smooth, 1, image)
    return np.apply_along_axis(smooth, 0, rows).astype(np.float32)


def _gradients(model: Any, batch: np.ndarray, class_index: int) -> tuple[np.ndarray, np.ndarray]:
    """The class's logits ``(m,)`` of ``batch`` ``(m, h, w, 1)`` and their gradients ``(m, h, w)``."""
    x = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = batch_logits(model, x)[:, class_index]
    return scores.numpy().astype(np.float64), tape.gradient(scores, x).numpy()[..., 0].astype(np.float64)


@dataclass(frozen=True)
class IntegratedGradients:
    """Integrated gradients of one image: ``attributions`` ``(h, w)``, the class's ``score`` at the
    image and ``baseline_score`` at the baseline. Completeness: the attributions add up to
    ``score - baseline_score``, up to ``gap`` (the path's discretisation)."""

    attributions: np.ndarray
    score: float
    baseline_score: float
    class_index: int

    @property
    def gap(self) -> float:
        """How far the attributions' sum is from ``score - baseline_score``, as a fraction of it."""
        difference = self.score - self.baseline_score
        return float(abs(self.attributions.sum() - difference) / max(abs(difference), 1e-12))


def integrated_gradients(
    model: Any, image: Any, class_index: int | None = None, *, baseline: Any = None, steps: int = 128
) -> IntegratedGradients:
    """Integrated gradients of the class's logit for ``image`` ``(h, w)``, from ``baseline``
    ``(h, w)`` (black by default) in ``steps`` midpoint steps along the straight path."""
    x = as_model_batch(model, image).astype(np.float64)
    x0 = np.zeros_like(x) if baseline is None else as_model_batch(model, baseline).astype(np.float64)
    steps = require_count("steps", steps, maximum=4096)
    class_index = predicted_class(model, image) if class_index is None else class_index
    alphas = (np.arange(steps) + 0.5) / steps
    path = (x0 + alphas[:, None, None, None] * (x - x0)).astype(np.float32)
    total = np.zeros(x.shape[1:3])
    for start in range(0, steps, 256):  # in batches, to bound memory
        total += _gradients(model, path[start : start + 256], class_index)[1].sum(axis=0)
    ends, _ = _gradients(model, np.concatenate([x, x0]).astype(np.float32), class_index)
    attributions = ((x - x0)[0, ..., 0] * total / steps).astype(np.float32)
    return IntegratedGradients(attributions, float(ends[0]), float(ends[1]), int(class_index))


def smoothgrad(
    model: Any,
    image: Any,
    class_index: int | None = None,
    *,
    samples: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad ``(h, w)``: the mean of ``|d logit / d pixel|`` over ``samples`` copies of
    ``image`` with Gaussian noise of 0.15 times the image's range added (seeded)."""
    x = as_model_batch(model, image)
    noise = 0.15  # Smilkov et al. (2017) found 10-20 % of the range best
    samples = require_count("samples", samples, maximum=1024)
    class_index = predicted_class(model, image) if class_index is None else class_index
    rng = np.random.default_rng(seed)
    spread = noise * float(np.ptp(x)) or noise
    noisy = (x + rng.normal(0.0, spread, size=(samples, *x.shape[1:]))).astype(np.float32)
    return np.abs(_gradients(model, noisy, class_index)[1]).mean(axis=0).astype(np.float32)


def sign_test(wins: int, trials: int) -> float:
    """One-sided sign test: the chance of ``wins`` or more successes in ``trials`` fair coin flips,
    the p-value of "better on more digits than chance would give"."""
    wins, trials = int(wins), int(trials)
    if not 0 <= wins <= trials:
        raise ValueError(f"wins must be between 0 and trials ({trials}), got {wins}")
    return sum(math.comb(trials, k) for k in range(wins, trials + 1)) / 2**trials


def random_ink_ranking(image: Any, seed: int = 0) -> np.ndarray:
    """A ranking ``(h, w)`` that puts the ink's pixels first, in a random order (seeded), then the
    rest: the order a deletion curve of a method must beat. (A random order over the whole image
    would remove mostly background, which any method beats.)"""
    ink = ink_mask(image)
    ranking = np.full(ink.shape, -1.0)
    ranking[ink] = np.random.default_rng(seed).random(int(ink.sum()))
    return ranking


@dataclass(frozen=True)
class RemovalCurves:
    """The class's logit as the ink pixels a ranking puts first are removed (``deletion``: set to
    black) or put back on a black image (``insertion``), ``(steps + 1,)`` each, scaled so that 1 is
    the logit of the image and 0 that of a black image (a curve can leave [0, 1]); ``fractions``
    ``(steps + 1,)``: the share of the ink's pixels removed or put back. A faithful ranking makes
    the deletion curve fall early (small ``deletion_area``) and the insertion curve rise early
    (large ``insertion_area``)."""

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray

    @property
    def deletion_area(self) -> float:
        return float(np.trapezoid(self.deletion, self.fractions))

    @property
    def insertion_area(self) -> float:
        return float(np.trapezoid(self.insertion, self.fractions))


def removal_curves(
    model: Any, image: Any, ranking: Any, class_index: int | None = None, *, steps: int = 16
) -> RemovalCurves:
    """Deletion and insertion curves of ``image`` ``(h, w)`` for ``ranking`` ``(h, w)``: the digit's
    ink pixels are removed (or put back) in the ranking's order, highest first, in ``steps`` equal
    steps. Only the ink is ever removed, so every ranking competes on the same pixels: removing
    black background from a black-filled image would change nothing."""
    x = as_model_batch(model, image)[0, ..., 0]
    ranking = require_array("ranking", ranking, ndim=(2,), shape_hint="(h, w)")
    if ranking.shape != x.shape:
        raise ValueError(f"ranking is {ranking.shape} but the image is {x.shape}: one value per pixel")
    steps = require_count("steps", steps, maximum=1024)
    class_index = predicted_class(model, image) if class_index is None else class_index
    inked = np.flatnonzero(ink_mask(x).ravel())
    order = inked[np.argsort(-ranking.ravel()[inked], kind="stable")]  # the ink's pixels, highest first
    counts = np.round(np.linspace(0, len(inked), steps + 1)).astype(int)
    deleted = np.repeat(x.ravel()[None], steps + 1, axis=0)
    inserted = np.zeros_like(deleted)
    for row, k in enumerate(counts):
        deleted[row, order[:k]] = 0.0
        inserted[row, order[:k]] = x.ravel()[order[:k]]
    batch = np.concatenate([deleted, inserted, np.zeros((1, x.size))]).reshape(-1, *x.shape, 1)
    scores = np.asarray(batch_logits(model, batch.astype(np.float32)))[:, class_index].astype(np.float64)
    image_score, black_score = scores[0], scores[-1]
    scale = image_score - black_score if abs(image_score - black_score) > 1e-9 else 1.0
    deletion = (scores[: steps + 1] - black_score) / scale
    insertion = (scores[steps + 1 : -1] - black_score) / scale
    return RemovalCurves(counts / max(counts[-1], 1), deletion, insertion)


@dataclass(frozen=True)
class FaithfulnessTable:
    """Deletion and insertion areas ``(methods, m)`` of each ranking method over ``m`` digits, the
    random order over the ink last. ``print()`` gives each method's mean ± spread (SD) and on how
    many digits it removes better than the random order (a smaller deletion area)."""

    methods: list[str]
    deletion: np.ndarray
    insertion: np.ndarray

    def beats_random(self) -> np.ndarray:
        """For each method ``(methods,)``: the share of digits whose deletion area is below random's."""
        return (self.deletion < self.deletion[-1]).mean(axis=1)

    def p_values(self) -> np.ndarray:
        """For each method ``(methods,)``: the sign test's p-value of beating the random order on
        that many digits by chance (small: the method really deletes better)."""
        m = self.deletion.shape[1]
        return np.array([sign_test(round(share * m), m) for share in self.beats_random()])

    def __str__(self) -> str:
        m = self.deletion.shape[1]
        lines = [
            f"over {m} digits: area under the curve, mean ± spread (SD); deletion: lower is better, "
            "insertion: higher is better",
            f"{'method':<30}{'deletion':>14}{'insertion':>14}{'deletes better than random':>30}",
        ]
        for name, d, i, share in zip(
            self.methods, self.deletion, self.insertion, self.beats_random(), strict=True
        ):
            better = "-" if name == self.methods[-1] else f"on {share:4.0%} of the digits"
            d_text, i_text = (f"{v.mean():.2f} ± {v.std():.2f}" for v in (d, i))
            lines.append(f"{name:<30}{d_text:>14}{i_text:>14}{better:>30}")
        return "\n".join(lines)


def faithfulness_table(
    model: Any, images: Any, methods: dict[str, Any], *, steps: int = 16
) -> FaithfulnessTable:
    """Deletion and insertion areas of ``images`` ``(m, h, w)`` for each of ``methods``, a dict of
    name -> function ``(model, image, class_index) -> map (h, w)`` (its values order the ink's
    pixels, highest first: for a signed map, the strongest evidence for the class first), then for
    a random order over the ink (seeded, one per digit). Each digit is scored
    on the class the model predicts for it."""
    images = require_gray_images("images", images)
    if not isinstance(methods, dict) or not methods or not all(callable(f) for f in methods.values()):
        raise TypeError("methods must be a dict of name -> function(model, image, class_index) -> map")
    deletion, insertion = [], []
    for number, image in enumerate(images):
        chosen = predicted_class(model, image)
        rankings = [np.asarray(f(model, image, chosen)) for f in methods.values()]
        rankings.append(random_ink_ranking(image, number))
        curves = [removal_curves(model, image, r, chosen, steps=steps) for r in rankings]
        deletion.append([c.deletion_area for c in curves])
        insertion.append([c.insertion_area for c in curves])
    names = [*methods, "random order over the ink"]
    return FaithfulnessTable(names, np.array(deletion).T, np.array(insertion).T)
