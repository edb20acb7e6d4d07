"""Is a saliency map about the model? Cascading randomization (Adebayo et al., 2018, "Sanity
checks for saliency maps"): the layers re-initialized from the top down, one more each step, and
each step's maps compared with the trained model's; against a noise floor, the same comparison
with a second model trained alike from another seed. Part 5 of the explore notebook (Where the
model looks). The figure is ``figures.faithfulness.plot_cascade``.

If a map is as much the untrained copy's as the trained model's, it shows the image and the
architecture, not what the model learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .._args import require_built_model, require_gray_images, require_int
from .attribution import class_scores, saliency_map
from .faithfulness import INK_LEVEL, sign_test


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


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of ``values`` ``(n,)``, ties sharing their average rank (as Spearman's rho needs)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    _, group, counts = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(group, ranks) / counts)[group]


def rank_correlation(a: Any, b: Any) -> float:
    """Return Spearman's rank correlation of two maps of the same shape, in [-1, 1] (0 if one is flat).

    1: both order their pixels the same way; 0: the order of one says nothing about the other.
    (numpy has no Spearman, and the package does not depend on scipy for this one number.)
    """
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"the two maps must have the same shape with 2+ values, got {a.size} and {b.size}")
    ra, rb = _ranks(a), _ranks(b)
    if np.ptp(ra) == 0 or np.ptp(rb) == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _similarities(a: np.ndarray, b: np.ndarray, ink: np.ndarray) -> tuple[float, float, float]:
    """Spearman of |a| and |b| over all pixels and over the ink, and their SSIM (maps scaled to [0, 1])."""
    a, b = np.abs(a), np.abs(b)
    return rank_correlation(a, b), rank_correlation(a[ink], b[ink]), ssim(a, b)


def ssim(a: Any, b: Any) -> float:
    """Structural similarity (Wang et al., 2004) of two maps ``(h, w)``, each first scaled to
    [0, 1] by its own largest value, averaged over 7x7 windows: 1 when equal."""
    window = 7
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 2 or min(a.shape) < window:
        raise ValueError(f"the two maps must have the same 2-D shape, at least {window}x{window}")
    a, b = (m / m.max() if m.max() > 0 else m for m in (a, b))
    views = [
        np.lib.stride_tricks.sliding_window_view(m, (window, window)) for m in (a, b, a * a, b * b, a * b)
    ]
    mu_a, mu_b, aa, bb, ab = (v.mean(axis=(-2, -1)) for v in views)
    var_a, var_b, cov = aa - mu_a**2, bb - mu_b**2, ab - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(index.mean())


MEASURES = ("rank, whole image", "rank, ink only", "SSIM")


@dataclass
class CascadeCheck:
    """Cascading randomization (Adebayo et al., 2018) over ``m`` digits: ``steps`` names what is
    re-initialized at each step ("none", then one more layer each, from the top); ``similarity``
    ``(steps, 3, m)``: each step's saliency maps against the trained model's, by the three
    ``MEASURES``; ``floor`` ``(3, m)``: the same between the trained model and a second model
    trained alike from another seed, the noise floor. ``print()`` gives the table and the verdict."""

    steps: list[str]
    similarity: np.ndarray
    floor: np.ndarray

    def p_values(self) -> np.ndarray:
        """Per measure ``(3,)``: the sign test's p-value of that many digits falling under the floor
        with all layers re-initialized by chance (small: the randomized maps really are less alike
        than the floor)."""
        m = self.similarity.shape[2]
        return np.array([sign_test(round(share * m), m) for share in self.below_floor()])

    def below_floor(self) -> np.ndarray:
        """The share of digits ``(3,)``, per measure, whose similarity with all layers re-initialized
        is under the floor."""
        return (self.similarity[-1] < self.floor).mean(axis=1)

    def __str__(self) -> str:
        m = self.similarity.shape[2]
        lines = [f"similarity to the trained model's saliency maps, mean ± spread (SD) over {m} digits:"]
        lines.append(f"{'re-initialized':<22}" + "".join(f"{name:>22}" for name in MEASURES))
        rows = [*zip(self.steps, self.similarity, strict=True), ("second model (floor)", self.floor)]
        for name, values in rows:
            cells = "".join(f"{f'{v.mean():.2f} ± {v.std():.2f}':>22}" for v in values)
            lines.append(f"{name:<22}{cells}")
        shares = self.below_floor()
        lines.append(
            "all layers re-initialized, digits below the floor: "
            + ", ".join(f"{name} {share:.0%}" for name, share in zip(MEASURES, shares, strict=True))
        )
        return "\n".join(lines)


def cascade_check(model: Any, images: Any, *, second: Any) -> CascadeCheck:
    """Cascading randomization of ``model`` over ``images`` ``(m, h, w)``: re-initialize its
    layers with weights from the top down, one more each step, and compare each step's saliency
    maps with the trained ones; ``second``, the same network trained alike from another seed,
    gives the noise floor. All maps are of the class the trained model predicts."""
    images = require_gray_images("images", images)
    require_built_model(second)
    learnable = [i for i, layer in enumerate(model.layers) if getattr(layer, "kernel", None) is not None]
    classes = [int(class_scores(model, image).argmax()) for image in images]
    ink = [image >= INK_LEVEL * image.max() for image in images]

    def maps(network: Any) -> list[np.ndarray]:
        return [saliency_map(network, image, c) for image, c in zip(images, classes, strict=True)]

    def against(other: list[np.ndarray]) -> np.ndarray:
        rows = [_similarities(t, o, k) for t, o, k in zip(trained, other, ink, strict=True)]
        return np.array(rows).T  # (3, m)

    trained = maps(model)
    steps, similarity = [], []
    for k in range(1, len(learnable) + 1):
        copy = randomized_copy(model, layers=learnable[-k:])
        name = model.layers[learnable[-k]].name
        steps.append(name if k == 1 else f"+ {name}" + (" (all)" if k == len(learnable) else ""))
        similarity.append(against(maps(copy)))
        del copy
    return CascadeCheck(steps, np.stack(similarity), against(maps(second)))
