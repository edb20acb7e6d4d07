"""Deletion and insertion curves (Petsiuk et al., 2018): the class's logit as a ranking's ink pixels
are removed to a fill (black, or the blurred digit) or put back on it, batched (one call to the
model per digit for many rankings and fills); random orders over the ink, and the two controls
that should fail: an edge map of the digit and the saliency of the model with every layer
re-initialized. Part 5 of the explore notebook (Where the model looks); the table over many digits
is ``maths.removal_table``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from .._args import require_array, require_count
from .attribution import as_model_batch, batch_logits, predicted_class
from .faithfulness import blurred, class_logits, edge_map, ink_mask, predicted_classes
from .randomization import randomized_copy

#: What removed pixels become: ``"black"`` (0), or ``"blurred"``, the blurred digit's value there.
FILLS = ("black", "blurred")

#: The two controls that ``faithfulness_table`` adds: an edge map of the digit (it knows nothing of
#: any model) and the saliency map of the model with every layer re-initialized.
EDGE_CONTROL = "control: edge map (Sobel)"
RANDOMIZED_CONTROL = "control: randomized saliency"
RANDOM_ORDER = "random order over the ink"


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
    the fill) or put back on the fill image (``insertion``), ``(steps + 1,)`` each, scaled so that 1
    is the logit of the image and 0 that of the fill image (black, or the blurred digit; a curve can
    leave [0, 1]); ``fractions`` ``(steps + 1,)``: the share of the ink's pixels removed or put back.
    A faithful ranking makes the deletion curve fall early (small ``deletion_area``) and the
    insertion curve rise early (large ``insertion_area``)."""

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray

    @property
    def deletion_area(self) -> float:
        return float(np.trapezoid(self.deletion, self.fractions))

    @property
    def insertion_area(self) -> float:
        return float(np.trapezoid(self.insertion, self.fractions))


def _fill_image(image: np.ndarray, fill: str) -> np.ndarray:
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {FILLS}, got {fill!r}")
    return np.zeros_like(image) if fill == "black" else blurred(image)


def rankings_curves(
    model: Any, image: np.ndarray, rankings: np.ndarray, class_index: int, steps: int, fills: tuple[str, ...]
) -> dict[str, list[RemovalCurves]]:
    """The curves of ``image`` ``(h, w)`` for each ranking ``(k, h, w)`` and each fill of ``fills``:
    fill -> ``k`` ``RemovalCurves``, from one call to the model (checked by the callers)."""
    x = image.ravel().astype(np.float32)
    inked = np.flatnonzero(ink_mask(image).ravel())
    counts = np.round(np.linspace(0, len(inked), steps + 1)).astype(int)
    position = np.full((len(rankings), x.size), np.inf)  # where each ink pixel comes in each order
    for r, ranking in enumerate(rankings):
        order = inked[np.argsort(-ranking.ravel()[inked], kind="stable")]  # the ink, highest first
        position[r, order] = np.arange(len(order))
    removed = position[:, None, :] < counts[None, :, None]  # (k, steps + 1, pixels)
    batch = [x[None]]
    for fill in fills:
        filler = _fill_image(image, fill).ravel().astype(np.float32)
        batch += [filler[None], np.where(removed, filler, x).reshape(-1, x.size)]
        batch.append(np.where(removed, x, filler).reshape(-1, x.size))
    scores = class_logits(model, np.concatenate(batch).reshape(-1, *image.shape, 1), class_index)
    image_score, fractions, size = scores[0], counts / max(counts[-1], 1), removed.shape[0] * removed.shape[1]
    curves, at = {}, 1
    for fill in fills:
        fill_score = scores[at]
        scale = image_score - fill_score if abs(image_score - fill_score) > 1e-9 else 1.0
        deletion = ((scores[at + 1 : at + 1 + size] - fill_score) / scale).reshape(removed.shape[:2])
        insertion = ((scores[at + 1 + size : at + 1 + 2 * size] - fill_score) / scale).reshape(
            removed.shape[:2]
        )
        curves[fill] = [RemovalCurves(fractions, d, i) for d, i in zip(deletion, insertion, strict=True)]
        at += 1 + 2 * size
    return curves


def removal_curves(
    model: Any,
    image: Any,
    ranking: Any,
    class_index: int | None = None,
    *,
    steps: int = 16,
    fill: str = "black",
) -> RemovalCurves:
    """Deletion and insertion curves of ``image`` ``(h, w)`` for ``ranking`` ``(h, w)``: the digit's
    ink pixels are removed (set to the ``fill``: ``"black"``, or ``"blurred"``, the blurred digit's
    value there) or put back on the fill image, in the ranking's order, highest first, in ``steps``
    equal steps. Only the ink is ever removed, so every ranking competes on the same pixels:
    removing black background from a black-filled image would change nothing."""
    x = as_model_batch(model, image)[0, ..., 0]
    ranking = require_array("ranking", ranking, ndim=(2,), shape_hint="(h, w)")
    if ranking.shape != x.shape:
        raise ValueError(f"ranking is {ranking.shape} but the image is {x.shape}: one value per pixel")
    steps = require_count("steps", steps, maximum=1024)
    _fill_image(x, fill)
    class_index = predicted_class(model, image) if class_index is None else class_index
    return rankings_curves(model, x, ranking[None], class_index, steps, (fill,))[fill][0]


def random_rankings(image: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``count`` random orders ``(h, w)`` over the ink of ``image``, drawn from ``rng`` (as
    ``random_ink_ranking``)."""
    ink = ink_mask(image)
    rankings = []
    for _ in range(count):
        ranking = np.full(ink.shape, -1.0)
        ranking[ink] = rng.random(int(ink.sum()))
        rankings.append(ranking)
    return rankings


def require_methods(methods: Any) -> dict[str, Any]:
    """Return ``methods`` if it is a non-empty dict of name -> function; else raise TypeError."""
    if not isinstance(methods, dict) or not methods or not all(callable(f) for f in methods.values()):
        raise TypeError("methods must be a dict of name -> function(model, image, class_index) -> map")
    return methods


def method_maps(
    model: Any, images: np.ndarray, classes: np.ndarray, methods: dict[str, Any], controls: bool, seed: int
) -> tuple[list[str], list[list[np.ndarray]]]:
    """The names, and for each of ``images`` ``(m, h, w)`` the maps ``(h, w)`` of each of ``methods``
    for its class of ``classes`` ``(m,)``, then (with ``controls``) the edge map and the saliency of
    ``model`` with every layer re-initialized (``seed``), in one call for all the digits."""
    names = list(methods)
    per_digit = [
        [np.asarray(f(model, im, int(c))) for f in methods.values()]
        for im, c in zip(images, classes, strict=True)
    ]
    if controls:
        randomized = randomized_copy(model, seed)
        x = tf.convert_to_tensor(images[..., None].astype(np.float32))
        with tf.GradientTape() as tape:  # one call, not traced: the copy is used once
            tape.watch(x)
            chosen = tf.gather(batch_logits(randomized, x), classes, batch_dims=1)
        gradients = np.abs(tape.gradient(chosen, x).numpy()[..., 0])
        del randomized
        for maps, image, gradient in zip(per_digit, images, gradients, strict=True):
            maps += [edge_map(image), gradient]
        names += [EDGE_CONTROL, RANDOMIZED_CONTROL]
    return names, per_digit


def method_curves(
    model: Any,
    image: Any,
    methods: dict[str, Any],
    *,
    fill: str = "black",
    steps: int = 8,
    random_orders: int = 10,
    controls: bool = True,
    seed: int = 0,
) -> dict[str, RemovalCurves]:
    """One digit's deletion and insertion curves for each of ``methods`` (as ``faithfulness_table``
    takes them), then the controls (with ``controls``), then the random order over the ink: the
    mean curves of ``random_orders`` orders (seeded)."""
    x = as_model_batch(model, image)[0, ..., 0]
    methods = require_methods(methods)
    _fill_image(x, fill)
    steps = require_count("steps", steps, maximum=1024)
    random_orders = require_count("random_orders", random_orders, maximum=1000)
    classes = predicted_classes(model, x[None])
    names, (maps,) = method_maps(model, x[None], classes, methods, controls, seed)
    randoms = random_rankings(x, random_orders, np.random.default_rng([seed, 0]))
    curves = rankings_curves(model, x, np.stack([*maps, *randoms]), int(classes[0]), steps, (fill,))[fill]
    shown = dict(zip(names, curves[: len(names)], strict=True))
    rest = curves[len(names) :]
    shown[RANDOM_ORDER] = RemovalCurves(
        rest[0].fractions,
        np.mean([c.deletion for c in rest], axis=0),
        np.mean([c.insertion for c in rest], axis=0),
    )
    return shown
