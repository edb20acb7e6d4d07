"""The deletion and insertion areas of many digits in one table: each method against random orders
over the ink (a sign test), the best against each other method digit by digit (a paired test),
bootstrap intervals of the mean areas, two controls that should fail, and a fill of black or of
the blurred digit. Part 5 of the explore notebook (Where the model looks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._args import require_count, require_gray_images, require_int
from .faithfulness import predicted_classes
from .removal import (
    EDGE_CONTROL,
    FILLS,
    RANDOM_ORDER,
    RANDOMIZED_CONTROL,
    method_maps,
    random_rankings,
    rankings_curves,
    require_methods,
)
from .statistics import mean_interval, paired_test, sign_test


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
        """The paired test (Wilcoxon, digit by digit) of the best method (the first of ``ranking``)
        against each other method and control: name -> p-value. Two-sided: the means chose which
        is best, so a one-sided test would halve the p-values it should not."""
        areas = self._areas(curve)
        order = self.ranking(curve)
        best = areas[self.methods.index(order[0])]
        return {
            name: paired_test(best, areas[self.methods.index(name)], two_sided=True) for name in order[1:]
        }

    def leaders(self, curve: str = "deletion") -> list[str]:
        """The best method by mean area and those the paired tests do not show behind it (p at or
        above 0.05 divided by the number of comparisons: Bonferroni), best first."""
        tests = self.against_best(curve)
        threshold = 0.05 / max(len(tests), 1)
        return [self.ranking(curve)[0], *[name for name, p in tests.items() if p >= threshold]]

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
            ("deletion", f"removing its top pixels {to} lowers"),
            ("insertion", f"putting its top pixels back {on} raises"),
        ):
            best, tests = self.ranking(curve)[0], self.against_best(curve)
            threshold = 0.05 / max(len(tests), 1)
            tied = self.leaders(curve)[1:]
            lines.append(
                f'{curve}: the map "{best}": {verb} the score fastest'
                + (f"; not shown ahead of {', '.join(tied)}" if tied else ", ahead of every other")
            )
            lines.append(
                f"  two-sided paired Wilcoxon tests, ahead when p < {threshold:.2g}: "
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
    methods = require_methods(methods)
    if not isinstance(fills, (tuple, list)) or not fills or any(f not in FILLS for f in fills):
        raise ValueError(f"fills must be a non-empty tuple of {FILLS}, got {fills!r}")
    steps = require_count("steps", steps, maximum=1024)
    random_orders = require_count("random_orders", random_orders, maximum=1000)
    seed = require_int("seed", seed, 0, 2**31 - 1000)
    classes = predicted_classes(model, images)
    names, maps = method_maps(model, images, classes, methods, controls, seed)
    areas = {fill: ([], []) for fill in fills}  # fill -> deletion, insertion, each (m, rows)
    for number, (image, chosen, own) in enumerate(zip(images, classes, maps, strict=True)):
        randoms = random_rankings(image, random_orders, np.random.default_rng([seed, number]))
        curves = rankings_curves(model, image, np.stack([*own, *randoms]), int(chosen), steps, tuple(fills))
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
