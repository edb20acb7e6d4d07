"""Is a saliency map about the model? The randomization check of Adebayo et al. (2018, "Sanity
checks for saliency maps"): the same maps from a copy of the model whose weights are re-initialized,
compared with the trained model's. Part 5 of the explore notebook (Where the model looks).

If a map is as much the untrained copy's as the trained model's, it shows the image and the
architecture, not what the model learned. The figure is ``figures.attribution.show_saliency_check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._args import check_built_model, check_gray_images, check_int
from .attribution import class_scores, saliency_map

#: A pixel is ink when it is at least this fraction of its image's brightest pixel.
INK_LEVEL = 0.5


def randomized_copy(model: Any, seed: int = 0) -> Any:
    """Return a copy of ``model``, same layers, with every kernel and bias re-initialized at random.

    Each layer's own initializers draw the new weights (seeded: the same ``seed`` gives the same
    copy); other weights (e.g. BatchNormalization's) start fresh. ``model`` is not changed.
    """
    import keras

    check_built_model(model)
    seed = check_int("seed", seed, 0, 2**31 - 1000)
    try:
        copy = keras.models.clone_model(model)
    except (TypeError, ValueError, NotImplementedError) as err:
        raise ValueError(
            f"cannot copy model {model.name!r} (a Sequential or functional model): {err}"
        ) from err
    for i, layer in enumerate(copy.layers):
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


@dataclass
class SaliencyCheck:
    """The trained and the randomized model's saliency maps of ``m`` digits, and how alike they are.

    ``trained``, ``randomized``: ``(m, h, w)``; ``classes``: ``(m,)`` the trained model's
    predictions (both maps are of that class's score). Per digit ``(m,)``: ``rank_all``, the rank
    correlation of the two maps over all pixels; ``rank_ink``, the same over the digit's ink only
    (pixels >= ``INK_LEVEL`` x its brightest); ``ink_trained``, ``ink_randomized``: each map's
    (Pearson) correlation with the digit's pixel values. ``print()`` gives them as a table.
    """

    trained: np.ndarray
    randomized: np.ndarray
    classes: np.ndarray
    rank_all: np.ndarray
    rank_ink: np.ndarray
    ink_trained: np.ndarray
    ink_randomized: np.ndarray

    def __str__(self) -> str:
        lines = [
            "digit  class  rank corr. trained/randomized  on the ink only  "
            "corr. with the ink: trained  randomized"
        ]
        for i in range(len(self.classes)):
            lines.append(
                f"{i:>5}  {self.classes[i]:>5}  {self.rank_all[i]:>29.2f}  {self.rank_ink[i]:>15.2f}  "
                f"{self.ink_trained[i]:>27.2f}  {self.ink_randomized[i]:>10.2f}"
            )
        return "\n".join(lines)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return 0.0 if np.ptp(a) == 0 or np.ptp(b) == 0 else float(np.corrcoef(a, b)[0, 1])


def saliency_check(model: Any, images: Any, *, randomized: Any = None, seed: int = 0) -> SaliencyCheck:
    """Compare ``saliency_map`` of ``model`` and of ``randomized`` for each digit ``(m, h, w)``.

    ``randomized`` defaults to ``randomized_copy(model, seed)``. Both maps are taken for the class
    the trained model predicts. Returns a ``SaliencyCheck``; print it for the table.
    """
    images = check_gray_images("images", images)
    if len(images) > 8:
        raise ValueError(f"images holds {len(images)} digits; compare at most 8 at a time")
    randomized = randomized_copy(model, seed) if randomized is None else randomized
    classes = np.array([int(class_scores(model, image).argmax()) for image in images])
    trained = np.stack([saliency_map(model, im, int(c)) for im, c in zip(images, classes, strict=True)])
    random = np.stack([saliency_map(randomized, im, int(c)) for im, c in zip(images, classes, strict=True)])
    ink = [image >= INK_LEVEL * image.max() for image in images]
    return SaliencyCheck(
        trained=trained,
        randomized=random,
        classes=classes,
        rank_all=np.array([rank_correlation(t, r) for t, r in zip(trained, random, strict=True)]),
        rank_ink=np.array(
            [rank_correlation(t[k], r[k]) for t, r, k in zip(trained, random, ink, strict=True)]
        ),
        ink_trained=np.array([_pearson(t, im) for t, im in zip(trained, images, strict=True)]),
        ink_randomized=np.array([_pearson(r, im) for r, im in zip(random, images, strict=True)]),
    )
