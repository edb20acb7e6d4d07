"""Are the attributions faithful? Integrated gradients (Sundararajan et al., 2017) with their
completeness test, SmoothGrad (Smilkov et al., 2017, here a variant), and deletion and insertion
curves (Petsiuk et al., 2018) against random orders over the ink, with two controls that know
nothing of what the model learned, two fills (black, and the blurred digit) and the statistics of
SciPy. Part 5 of the explore notebook (Where the model looks). Every score is the class's logit,
read as ``attribution.class_scores`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
import warnings
import weakref

import numpy as np
from scipy import ndimage, stats
import tensorflow as tf

from .._args import require_array, require_count, require_gray_images, require_int, require_positive
from .attribution import as_model_batch, batch_logits, predicted_class

#: A pixel is ink when it is at least this fraction of its image's brightest pixel.
INK_LEVEL = 0.5

#: What removed pixels become: ``"black"`` (0), or ``"blurred"``, the blurred digit's value there.
FILLS = ("black", "blurred")

#: The two controls that ``faithfulness_table`` adds: an edge map of the digit (it knows nothing of
#: any model) and the saliency map of the model with every layer re-initialized.
EDGE_CONTROL = "control: edge map (Sobel)"
RANDOMIZED_CONTROL = "control: randomized saliency"
RANDOM_ORDER = "random order over the ink"


def ink_mask(image: Any) -> np.ndarray:
    """The digit's ink ``(h, w)`` bool: pixels at least ``INK_LEVEL`` of the image's brightest."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    return image >= INK_LEVEL * image.max() if image.max() > 0 else np.zeros(image.shape, bool)


def blurred(image: Any, sigma: float = 3.0) -> np.ndarray:
    """``image`` ``(h, w)`` blurred by a Gaussian of ``sigma`` pixels (``scipy.ndimage.gaussian_filter``,
    cut at 3 sigma, zeros beyond the border): a baseline that keeps the digit's rough place and
    brightness, but not its strokes."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)").astype(np.float64)
    sigma = require_positive("sigma", sigma)
    radius = int(np.ceil(3 * sigma))
    return ndimage.gaussian_filter(image, sigma, mode="constant", cval=0.0, radius=radius).astype(np.float32)


def edge_map(image: Any) -> np.ndarray:
    """The size of the digit's brightness gradient ``(h, w)``, Sobel's (``scipy.ndimage.sobel``, zeros
    beyond the border): large on the strokes' edges. It knows nothing of any model: a control."""
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)").astype(np.float64)
    rows, cols = (ndimage.sobel(image, axis=a, mode="constant") for a in (0, 1))
    return np.hypot(rows, cols).astype(np.float32)


# ----- the class's logit and its gradient, traced once per model -----------------------------------

_TRACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> (scores, gradients)
_CHUNK = 1024  # images per call, to bound memory


def _traced(model: Any) -> tuple[Any, Any]:
    """``(scores, gradients)``: tf.functions of a batch ``(m, h, w, c)`` and its classes ``(m,)``
    giving each image's class logit ``(m,)`` (and its gradient ``(m, h, w, c)``). Traced once per
    model: many small calls cost little. They hold the model weakly, so that ``del`` frees it."""
    found = _TRACED.get(model)
    if found is None:
        batch_logits(model, as_model_batch(model, np.zeros(model.inputs[0].shape[1:3], np.float32)))
        ref = weakref.ref(model)
        specs = [
            tf.TensorSpec((None, *model.inputs[0].shape[1:]), tf.float32),
            tf.TensorSpec((None,), tf.int32),
        ]

        @tf.function(input_signature=specs)
        def scores(x: Any, classes: Any) -> Any:
            return tf.gather(batch_logits(ref(), x), classes, batch_dims=1)

        @tf.function(input_signature=specs)
        def gradients(x: Any, classes: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(x)
                chosen = tf.gather(batch_logits(ref(), x), classes, batch_dims=1)
            return chosen, tape.gradient(chosen, x)

        found = _TRACED[model] = (scores, gradients)
    return found


def _class_scores(model: Any, batch: np.ndarray, classes: Any) -> np.ndarray:
    """The logit ``(m,)`` of each image's class (``classes``: ``(m,)`` or one int) in ``batch``
    ``(m, h, w, 1)``."""
    scores, _ = _traced(model)
    classes = np.broadcast_to(np.asarray(classes, np.int32), (len(batch),))
    parts = [
        scores(tf.constant(batch[s : s + _CHUNK], tf.float32), tf.constant(classes[s : s + _CHUNK])).numpy()
        for s in range(0, len(batch), _CHUNK)
    ]
    return np.concatenate(parts).astype(np.float64)


def _class_gradients(model: Any, batch: np.ndarray, classes: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each image's class logit ``(m,)`` and its gradient ``(m, h, w)`` for ``batch`` ``(m, h, w, 1)``."""
    _, gradients = _traced(model)
    classes = np.broadcast_to(np.asarray(classes, np.int32), (len(batch),))
    scores, grads = [], []
    for s in range(0, len(batch), _CHUNK):
        z, g = gradients(tf.constant(batch[s : s + _CHUNK], tf.float32), tf.constant(classes[s : s + _CHUNK]))
        scores.append(z.numpy())
        grads.append(g.numpy()[..., 0])
    return np.concatenate(scores).astype(np.float64), np.concatenate(grads).astype(np.float64)


def _predicted_classes(model: Any, images: np.ndarray) -> np.ndarray:
    """The class ``(m,)`` the model predicts for each of ``images`` ``(m, h, w)``, in one call."""
    return np.asarray(batch_logits(model, images[..., None].astype(np.float32))).argmax(axis=1)


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
    path = x0 + alphas[:, None, None, None] * (x - x0)
    scores, gradients = _class_gradients(model, np.concatenate([path, x, x0]).astype(np.float32), class_index)
    attributions = ((x - x0)[0, ..., 0] * gradients[:steps].sum(axis=0) / steps).astype(np.float32)
    return IntegratedGradients(attributions, float(scores[steps]), float(scores[steps + 1]), int(class_index))


def smoothgrad(
    model: Any,
    image: Any,
    class_index: int | None = None,
    *,
    samples: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """SmoothGrad ``(h, w)``, a variant: the mean of ``|d logit / d pixel|`` over ``samples`` copies
    of ``image`` with Gaussian noise of 0.15 times the image's range added (seeded). Smilkov et al.
    (2017) average the signed gradients and take the size of the mean; averaging the sizes, as
    here, lets no two copies cancel out."""
    x = as_model_batch(model, image)
    noise = 0.15  # Smilkov et al. (2017) found 10-20 % of the range best
    samples = require_count("samples", samples, maximum=1024)
    class_index = predicted_class(model, image) if class_index is None else class_index
    rng = np.random.default_rng(seed)
    spread = noise * float(np.ptp(x)) or noise
    noisy = (x + rng.normal(0.0, spread, size=(samples, *x.shape[1:]))).astype(np.float32)
    return np.abs(_class_gradients(model, noisy, class_index)[1]).mean(axis=0).astype(np.float32)


# ----- statistics, from SciPy -----------------------------------------------------------------------


def sign_test(wins: int, trials: int) -> float:
    """One-sided sign test (``scipy.stats.binomtest``): the chance of ``wins`` or more successes in
    ``trials`` fair coin flips, the p-value of "better on more digits than chance would give"."""
    wins, trials = int(wins), int(trials)
    if not 0 <= wins <= trials:
        raise ValueError(f"wins must be between 0 and trials ({trials}), got {wins}")
    if trials == 0:
        return 1.0
    return float(stats.binomtest(wins, trials, 0.5, alternative="greater").pvalue)


def paired_test(smaller: Any, larger: Any) -> float:
    """One-sided Wilcoxon signed-rank test (``scipy.stats.wilcoxon``) over paired values ``(m,)``:
    the p-value of "``smaller`` is below ``larger``, digit by digit" (1 when they never differ)."""
    a = require_array("smaller", smaller, ndim=(1,), shape_hint="(m,)").astype(np.float64)
    b = require_array("larger", larger, ndim=(1,), shape_hint="(m,)").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"smaller and larger must be paired, one value per digit: {a.shape} and {b.shape}")
    if not np.any(a != b):
        return 1.0
    return float(stats.wilcoxon(a, b, alternative="less").pvalue)


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


# ----- deletion and insertion -----------------------------------------------------------------------


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


def _removal(
    model: Any, image: np.ndarray, rankings: np.ndarray, class_index: int, steps: int, fills: tuple[str, ...]
) -> dict[str, list[RemovalCurves]]:
    """The curves of each ranking ``(k, h, w)`` for each fill, from one call to the model."""
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
    scores = _class_scores(model, np.concatenate(batch).reshape(-1, *image.shape, 1), class_index)
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
    return _removal(model, x, ranking[None], class_index, steps, (fill,))[fill][0]


def _random_rankings(image: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    ink = ink_mask(image)
    rankings = []
    for _ in range(count):
        ranking = np.full(ink.shape, -1.0)
        ranking[ink] = rng.random(int(ink.sum()))
        rankings.append(ranking)
    return rankings


def _require_methods(methods: Any) -> dict[str, Any]:
    if not isinstance(methods, dict) or not methods or not all(callable(f) for f in methods.values()):
        raise TypeError("methods must be a dict of name -> function(model, image, class_index) -> map")
    return methods


def _rankings(
    model: Any, images: np.ndarray, classes: np.ndarray, methods: dict[str, Any], controls: bool, seed: int
) -> tuple[list[str], list[list[np.ndarray]]]:
    """The names, and for each digit the maps ``(h, w)`` of each method, then of the controls."""
    names = list(methods)
    per_digit = [
        [np.asarray(f(model, im, int(c))) for f in methods.values()]
        for im, c in zip(images, classes, strict=True)
    ]
    if controls:
        from .randomization import randomized_copy  # randomization imports this module

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
    methods = _require_methods(methods)
    _fill_image(x, fill)
    steps = require_count("steps", steps, maximum=1024)
    random_orders = require_count("random_orders", random_orders, maximum=1000)
    classes = _predicted_classes(model, x[None])
    names, (maps,) = _rankings(model, x[None], classes, methods, controls, seed)
    randoms = _random_rankings(x, random_orders, np.random.default_rng([seed, 0]))
    curves = _removal(model, x, np.stack([*maps, *randoms]), int(classes[0]), steps, (fill,))[fill]
    shown = dict(zip(names, curves[: len(names)], strict=True))
    rest = curves[len(names) :]
    shown[RANDOM_ORDER] = RemovalCurves(
        rest[0].fractions,
        np.mean([c.deletion for c in rest], axis=0),
        np.mean([c.insertion for c in rest], axis=0),
    )
    return shown


def _p_text(p: float) -> str:
    return f"{p:.1g}"


@dataclass(frozen=True)
class FaithfulnessTable:
    """Deletion and insertion areas ``(methods, m)`` of each ranking method over ``m`` digits with
    one ``fill`` (see ``FILLS``), the controls (their names in ``controls``) after the methods, and
    last the random order over the ink: on each digit, the mean area of ``random_orders`` orders.
    ``print()`` gives each method's mean area with a bootstrap interval, the share of digits on
    which it beats the random order and that share's sign test; ``verdicts()`` says what is
    supported and compares the best method with each other one, digit by digit."""

    methods: list[str]
    deletion: np.ndarray
    insertion: np.ndarray
    fill: str = "black"
    controls: tuple[str, ...] = ()
    random_orders: int = 1

    def _areas(self, curve: str) -> np.ndarray:
        if curve not in ("deletion", "insertion"):
            raise ValueError(f"curve must be 'deletion' or 'insertion', got {curve!r}")
        return self.deletion if curve == "deletion" else -self.insertion  # smaller is better, both

    def beats_random(self, curve: str = "deletion") -> np.ndarray:
        """For each method ``(methods,)``: the share of digits whose area is better than the random
        order's on that digit (deletion: smaller; insertion: larger)."""
        areas = self._areas(curve)
        return (areas < areas[-1]).mean(axis=1)

    def p_values(self, curve: str = "deletion") -> np.ndarray:
        """For each method ``(methods,)``: the one-sided sign test's p-value of beating the random
        order on that many digits by chance (small: the method really removes better)."""
        m = self.deletion.shape[1]
        return np.array([sign_test(round(share * m), m) for share in self.beats_random(curve)])

    def intervals(self, curve: str = "deletion") -> np.ndarray:
        """For each method ``(methods, 2)``: a 95 % bootstrap interval of its mean area."""
        values = self.deletion if curve == "deletion" else self.insertion
        return np.array([mean_interval(v) for v in values])

    def supported(self) -> np.ndarray:
        """For each method ``(methods,)``: whether it beats the random order on both curves, in the
        mean and on more digits than chance would give (sign test, p < 0.05)."""
        result = np.ones(len(self.methods), bool)
        for curve in ("deletion", "insertion"):
            areas = self._areas(curve)
            result &= (areas.mean(axis=1) < areas[-1].mean()) & (self.p_values(curve) < 0.05)
        result[-1] = False
        return result

    def ranking(self, curve: str = "deletion") -> list[str]:
        """The methods and controls, best mean area first (the random order left out)."""
        means = self._areas(curve)[:-1].mean(axis=1)
        return [self.methods[i] for i in np.argsort(means, kind="stable")]

    def against_best(self, curve: str = "deletion") -> dict[str, float]:
        """The paired test (one-sided Wilcoxon, digit by digit) of the best method (the first of
        ``ranking``) against each other method and control: name -> p-value."""
        areas = self._areas(curve)
        order = self.ranking(curve)
        best = areas[self.methods.index(order[0])]
        return {name: paired_test(best, areas[self.methods.index(name)]) for name in order[1:]}

    def __str__(self) -> str:
        m = self.deletion.shape[1]
        what = "set to black" if self.fill == "black" else "set to the blurred digit"
        start = "a black image" if self.fill == "black" else "the blurred digit"
        lines = [
            f"fill {self.fill}: removed ink {what}; insertion starts from {start}. Over {m} digits,",
            "area under each curve: mean [95% bootstrap interval]; wins: digits on which it beats the",
            f"random order (the mean of its {self.random_orders} orders there); p: sign test",
            f"{'':<30}{'deletion: lower is better':^31}{'insertion: higher is better':^31}",
            f"{'method':<30}" + f"{'mean [interval]':>19}{'wins':>6}{'p':>6}" * 2,
        ]
        columns = {}
        for curve in ("deletion", "insertion"):
            values = self.deletion if curve == "deletion" else self.insertion
            columns[curve] = (values, self.intervals(curve), self.beats_random(curve), self.p_values(curve))
        for r, name in enumerate(self.methods):
            cells = ""
            for values, intervals, shares, p in columns.values():
                area = f"{values[r].mean():.2f} [{intervals[r, 0]:.2f}, {intervals[r, 1]:.2f}]"
                last = r == len(self.methods) - 1
                cells += f"{area:>19}" + (
                    f"{'-':>6}{'-':>6}" if last else f"{shares[r]:>6.0%}{_p_text(p[r]):>6}"
                )
            lines.append(f"{name:<30}{cells}")
        return "\n".join(lines)

    def verdicts(self) -> str:
        """What the areas support, in words that say what was measured, with each test's p-value."""
        to = "to black" if self.fill == "black" else "to the blurred digit"
        on = "on black" if self.fill == "black" else "on the blurred digit"
        supported = self.supported()
        names = self.methods[:-1]
        yes = [n for n, s in zip(names, supported, strict=False) if s]
        no = [n for n, s in zip(names, supported, strict=False) if not s]
        lines = [
            f"beat the random order on both curves (sign tests, p < 0.05): {', '.join(yes) or 'none'}",
            f"do not: {', '.join(no) or 'none'}",
        ]
        failing = [c for c in self.controls if c in no]
        if len(failing) == len(self.controls):
            lines.append(
                "both controls fail, as they should: the test tells a map of this model from one that is not"
            )
        elif self.controls:
            lines.append(
                "a control passes too: beating the random order does not by itself show that a map is "
                "about this model"
            )
        for curve, verb in (
            ("deletion", f"removing them {to} lowers"),
            ("insertion", f"putting them back {on} raises"),
        ):
            best, tests = self.ranking(curve)[0], self.against_best(curve)
            threshold = 0.05 / max(len(tests), 1)
            tied = [n for n, p in tests.items() if p >= threshold]
            lines.append(
                f'{curve}: the pixels "{best}" ranks first: {verb} the score fastest'
                + (f", tied with {', '.join(tied)}" if tied else ", ahead of every other")
            )
            lines.append(
                f"  paired Wilcoxon tests, ahead when p < {threshold:.2g}: "
                + ", ".join(f"{n} p = {_p_text(p)}" for n, p in tests.items())
            )
        return "\n".join(lines)


def faithfulness_tables(
    model: Any,
    images: Any,
    methods: dict[str, Any],
    *,
    fills: tuple[str, ...] = FILLS,
    steps: int = 8,
    random_orders: int = 10,
    controls: bool = True,
    seed: int = 0,
) -> dict[str, FaithfulnessTable]:
    """One ``FaithfulnessTable`` per fill of ``fills``, from the same maps: the deletion and insertion
    areas of ``images`` ``(m, h, w)`` for each of ``methods``, a dict of name -> function ``(model,
    image, class_index) -> map (h, w)`` (its values order the ink's pixels, highest first: for a
    signed map, the strongest evidence for the class first); with ``controls``, then an edge map
    of the digit and the saliency map of ``model`` with every layer re-initialized (seeded), which
    should fail; last ``random_orders`` random orders over the ink per digit (seeded), averaged.
    Each digit is scored on the class the model predicts for it; one call to the model per digit."""
    images = require_gray_images("images", images)
    methods = _require_methods(methods)
    if not isinstance(fills, (tuple, list)) or not fills or any(f not in FILLS for f in fills):
        raise ValueError(f"fills must be a non-empty tuple of {FILLS}, got {fills!r}")
    steps = require_count("steps", steps, maximum=1024)
    random_orders = require_count("random_orders", random_orders, maximum=1000)
    seed = require_int("seed", seed, 0, 2**31 - 1000)
    classes = _predicted_classes(model, images)
    names, maps = _rankings(model, images, classes, methods, controls, seed)
    areas = {fill: ([], []) for fill in fills}  # fill -> deletion, insertion, each (m, rows)
    for number, (image, chosen, own) in enumerate(zip(images, classes, maps, strict=True)):
        randoms = _random_rankings(image, random_orders, np.random.default_rng([seed, number]))
        curves = _removal(model, image, np.stack([*own, *randoms]), int(chosen), steps, tuple(fills))
        for fill, found in curves.items():
            d = [c.deletion_area for c in found]
            i = [c.insertion_area for c in found]
            k = len(names)
            areas[fill][0].append([*d[:k], float(np.mean(d[k:]))])
            areas[fill][1].append([*i[:k], float(np.mean(i[k:]))])
    rows = [*names, RANDOM_ORDER]
    chosen_controls = (EDGE_CONTROL, RANDOMIZED_CONTROL) if controls else ()
    return {
        fill: FaithfulnessTable(rows, np.array(d).T, np.array(i).T, fill, chosen_controls, random_orders)
        for fill, (d, i) in areas.items()
    }


def faithfulness_table(
    model: Any,
    images: Any,
    methods: dict[str, Any],
    *,
    fill: str = "black",
    steps: int = 8,
    random_orders: int = 10,
    controls: bool = True,
    seed: int = 0,
) -> FaithfulnessTable:
    """``faithfulness_tables`` with one ``fill``: the deletion and insertion areas of each method,
    the controls and the random orders over the ink (see there)."""
    if fill not in FILLS:
        raise ValueError(f"fill must be one of {FILLS}, got {fill!r}")
    return faithfulness_tables(
        model,
        images,
        methods,
        fills=(fill,),
        steps=steps,
        random_orders=random_orders,
        controls=controls,
        seed=seed,
    )[fill]
