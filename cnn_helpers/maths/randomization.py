"""Is a saliency map about the model? Cascading randomization (Adebayo et al., 2018, "Sanity
checks for saliency maps"): the layers re-initialized from the top down, one more each step, and
each step's maps compared with the trained model's; against a noise floor, the same comparison
with a second model trained alike from another seed. Part 5 of the explore notebook (Where the
model looks). The figures are ``figures.faithfulness.plot_cascade`` (the similarities against the
floor) and ``show_cascade_maps`` (one digit's maps at each step).

If a map is as much the untrained copy's as the trained model's, it shows the image and the
architecture, not what the model learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from scipy import ndimage, stats
import tensorflow as tf

from .._args import require_built_model, require_gray_images, require_int
from .attribution import batch_logits
from .faithfulness import INK_LEVEL
from .statistics import sign_test


def randomized_copy(model: Any, seed: int = 0, *, layers: Any = None) -> Any:
    """Return a copy of ``model``, same layers, with every kernel and bias re-initialized at random,
    or only those of the layers at the indices ``layers`` (the others keep the trained weights).

    Each layer's own initializers draw the new weights (seeded: the same ``seed`` gives the same
    copy); other weights (e.g. BatchNormalization's) start fresh. ``model`` is not changed.
    """
    require_built_model(model)
    seed = require_int("seed", seed, 0, 2**31 - 1000)
    try:
        copy = keras.models.clone_model(model)
    except (TypeError, ValueError, NotImplementedError) as err:
        raise ValueError(
            f"cannot copy model {model.name!r} (a Sequential or functional model): {err}"
        ) from err
    chosen = set(range(len(copy.layers))) if layers is None else {int(i) % len(copy.layers) for i in layers}
    if layers is not None:
        copy.set_weights(model.get_weights())
    for i, layer in enumerate(copy.layers):
        if i not in chosen:
            continue
        for name in ("kernel", "bias"):
            variable, initializer = getattr(layer, name, None), getattr(layer, f"{name}_initializer", None)
            if variable is None or initializer is None:
                continue
            config = initializer.get_config()
            if "seed" in config:
                config["seed"] = seed + 2 * i + (name == "bias")
            variable.assign(type(initializer).from_config(config)(variable.shape, variable.dtype))
    return copy


def rank_correlation(a: Any, b: Any) -> float:
    """Return Spearman's rank correlation (``scipy.stats.spearmanr``) of two maps of the same shape,
    in [-1, 1] (0 if one is flat).

    1: both order their pixels the same way; 0: the order of one says nothing about the other.
    """
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"the two maps must have the same shape with 2+ values, got {a.size} and {b.size}")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0  # a flat map orders nothing (SciPy would warn and return nan)
    return float(stats.spearmanr(a, b).statistic)


def _similarities(a: np.ndarray, b: np.ndarray, ink: np.ndarray) -> tuple[float, float, float]:
    """Spearman of |a| and |b| over all pixels and over the ink, and their SSIM (maps scaled to [0, 1])."""
    a, b = np.abs(a), np.abs(b)
    return rank_correlation(a, b), rank_correlation(a[ink], b[ink]), ssim(a, b)


def ssim(a: Any, b: Any) -> float:
    """Structural similarity (Wang et al., 2004) of two maps ``(h, w)``, each first scaled to
    [0, 1] by its own largest value, averaged over the 7x7 windows inside the maps: 1 when equal.

    Written here: SciPy has no SSIM (scikit-image has one; the package does not depend on it for
    this one number). ``scipy.ndimage.uniform_filter`` computes the windows' means.
    """
    window = 7
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 2 or min(a.shape) < window:
        raise ValueError(f"the two maps must have the same 2-D shape, at least {window}x{window}")
    a, b = (m / m.max() if m.max() > 0 else m for m in (a, b))
    inside = (slice(window // 2, -(window // 2)),) * 2  # windows wholly inside the maps
    mu_a, mu_b, aa, bb, ab = (ndimage.uniform_filter(m, window)[inside] for m in (a, b, a * a, b * b, a * b))
    var_a, var_b, cov = aa - mu_a**2, bb - mu_b**2, ab - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(index.mean())


MEASURES = ("rank, whole image", "rank, ink only", "SSIM")


@dataclass
class CascadeCheck:
    """Cascading randomization (Adebayo et al., 2018) over ``m`` digits: ``steps`` names what is
    re-initialized at each step (one more layer each, from the top); ``similarity``
    ``(steps, 3, m)``: each step's saliency maps against the trained model's, by the three
    ``MEASURES``; ``floor`` ``(3, m)``: the same between the trained model and a second model
    trained alike from another seed, the noise floor. ``example`` ``(h, w)``: the first digit, and
    ``example_maps`` ``(steps + 2, h, w)``: its saliency maps, trained, at each step, and the second
    model's. ``print()`` gives the table, each step's share of digits below the floor, and for each
    measure the first step whose maps are less alike than the floor (a sign test over the digits)."""

    steps: list[str]
    similarity: np.ndarray
    floor: np.ndarray
    example: np.ndarray | None = None
    example_maps: np.ndarray | None = None

    def below_floor(self, step: int = -1) -> np.ndarray:
        """The share of digits ``(3,)``, per measure, whose similarity at ``step`` (by default the
        last: all layers re-initialized) is under the floor."""
        return (self.similarity[step] < self.floor).mean(axis=1)

    def p_values(self, step: int = -1) -> np.ndarray:
        """Per measure ``(3,)``: the one-sided sign test's p-value of that many digits falling under
        the floor at ``step`` by chance (small: those maps really are less alike than the floor)."""
        m = self.similarity.shape[2]
        return np.array([sign_test(round(share * m), m) for share in self.below_floor(step)])

    def first_below_floor(self) -> list[tuple[int | None, float]]:
        """Per measure: the first step whose maps fall under the floor (sign test, p < 0.05) and its
        p-value, or ``(None, p)`` with the last step's p-value if none does."""
        table = np.array([self.p_values(k) for k in range(len(self.steps))])  # (steps, 3)
        found = []
        for j in range(len(MEASURES)):
            below = np.flatnonzero(table[:, j] < 0.05)
            found.append(
                (int(below[0]), float(table[below[0], j])) if len(below) else (None, float(table[-1, j]))
            )
        return found

    def __str__(self) -> str:
        m = self.similarity.shape[2]
        lines = [
            f"similarity to the trained model's saliency maps over {m} digits: mean ± spread (SD), and the",
            "share of digits below the floor",
            f"{'re-initialized':<22}" + "".join(f"{name:>23}" for name in MEASURES),
        ]
        for k, (name, values) in enumerate(zip(self.steps, self.similarity, strict=True)):
            shares = self.below_floor(k)
            cells = "".join(
                f"{f'{v.mean():.2f} ± {v.std():.2f} {s:4.0%}':>23}"
                for v, s in zip(values, shares, strict=True)
            )
            lines.append(f"{name:<22}{cells}")
        cells = "".join(f"{f'{v.mean():.2f} ± {v.std():.2f}     ':>23}" for v in self.floor)
        lines.append(f"{'second model (floor)':<22}{cells}")
        lines.append("first step below the floor (sign test over the digits, p < 0.05):")
        for name, (step, p) in zip(MEASURES, self.first_below_floor(), strict=True):
            where = f"{self.steps[step]}" if step is not None else "none, not even all re-initialized"
            lines.append(f"  {name}: {where} (p = {p:.1g})")
        return "\n".join(lines)


def _saliency_maps(model: Any, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``|d logit / d pixel|`` ``(m, h, w)`` of each image's class, in one call: what
    ``attribution.saliency_map`` gives for each image."""
    x = tf.convert_to_tensor(images[..., None].astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        chosen = tf.gather(batch_logits(model, x), classes, batch_dims=1)
    return np.abs(tape.gradient(chosen, x).numpy()[..., 0])


def cascade_check(model: Any, images: Any, *, second: Any) -> CascadeCheck:
    """Cascading randomization of ``model`` over ``images`` ``(m, h, w)``: re-initialize its
    layers with weights from the top down, one more each step, and compare each step's saliency
    maps with the trained ones; ``second``, the same network trained alike from another seed,
    gives the noise floor. All maps are of the class the trained model predicts."""
    images = require_gray_images("images", images)
    require_built_model(second)
    learnable = [i for i, layer in enumerate(model.layers) if getattr(layer, "kernel", None) is not None]
    classes = np.asarray(batch_logits(model, images[..., None].astype(np.float32))).argmax(axis=1)
    ink = [image >= INK_LEVEL * image.max() for image in images]

    def against(other: np.ndarray) -> np.ndarray:
        rows = [_similarities(t, o, k) for t, o, k in zip(trained, other, ink, strict=True)]
        return np.array(rows).T  # (3, m)

    trained = _saliency_maps(model, images, classes)
    steps, similarity, examples = [], [], [trained[0]]
    for k in range(1, len(learnable) + 1):
        copy = randomized_copy(model, layers=learnable[-k:])
        name = model.layers[learnable[-k]].name
        steps.append(name if k == 1 else f"+ {name}" + (" (all)" if k == len(learnable) else ""))
        maps = _saliency_maps(copy, images, classes)
        similarity.append(against(maps))
        examples.append(maps[0])
        del copy
    floor_maps = _saliency_maps(second, images, classes)
    examples.append(floor_maps[0])
    return CascadeCheck(steps, np.stack(similarity), against(floor_maps), images[0], np.stack(examples))
