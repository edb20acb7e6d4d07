"""Figures of the exploratory notebook ``cnn_mnist_explore.ipynb``, by part: 1. kernels side by side
(Filters are learned), 3. receptive fields, 4. accuracy on shifted digits. Part 2's figures are in
``padding`` and part 5's saliency and occlusion maps (Where the model looks) in
``attribution_figures``; ``show_padding_stride`` and ``show_saliency`` are re-exported here. Like
every helper, each checks its arguments first, draws on a new figure (or the ``fig=`` you pass),
describes it in words (its alt text) and returns it.
"""

from __future__ import annotations

import numbers
from typing import Any

from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
import numpy as np

from ._args import check_array
from ._figure import FigureLike, clean, describe, matrix, new_figure, outline, symmetric_limit
from .attribution_figures import show_saliency
from .padding import show_padding_stride

__all__ = [
    "plot_shift_accuracy",
    "show_kernels",
    "show_padding_stride",
    "show_receptive_field",
    "show_saliency",
]

COLOURS = ("tab:orange", "tab:red", "tab:cyan", "tab:green", "tab:purple")


def show_kernels(
    kernels: dict[str, Any], *, title: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Show named kernels ``(kh, kw)`` side by side, numbers written in, on one shared colour scale.

    The scale is symmetric around zero (red positive, blue negative), so that e.g. a "true
    kernel" and a "learned kernel" compare at a glance. Used in "Can a network learn a kernel?".
    """
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError(f"kernels must be a non-empty dict of name -> (kh, kw) kernel, got {kernels!r}")
    arrays = {
        n: check_array(f"kernels[{n!r}]", k, ndim=(2,), shape_hint="(kh, kw)") for n, k in kernels.items()
    }
    if max(max(k.shape) for k in arrays.values()) > 12:
        raise ValueError("kernels larger than 12x12 are too large to print their numbers")
    limit = symmetric_limit(*arrays.values())
    fig = new_figure(fig, 3.6 * len(arrays) + 1.2, 4.0 + (0.4 if title else 0))
    axes = fig.subplots(1, len(arrays), squeeze=False)[0]
    for ax, (name, kernel) in zip(axes, arrays.items(), strict=True):
        label = f"{name} ({kernel.shape[0]}x{kernel.shape[1]})"
        image = matrix(ax, kernel, label, cmap="RdBu_r", limits=(-limit, limit))
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    if title:
        fig.suptitle(title, fontsize=14)
    rows = {n: " | ".join(" ".join(f"{v:.2g}" for v in row) for row in k) for n, k in arrays.items()}
    describe(
        fig,
        (f"{title}: " if title else "")
        + f"{len(arrays)} kernel{'s' * (len(arrays) != 1)} on one colour scale "
        + f"from {-limit:.2g} to {limit:.2g}, "
        + "; ".join(f"{n} with rows {r}" for n, r in rows.items())
        + ".",
    )
    return fig


def _check_boxes(boxes: Any) -> dict[str, tuple[int, int, int]]:
    """Return ``boxes`` if it maps up to five names to ``(top, left, size)`` ints; else raise."""
    if not isinstance(boxes, dict) or not 1 <= len(boxes) <= len(COLOURS):
        raise TypeError(
            f"boxes must be a dict of 1 to {len(COLOURS)} name -> (top, left, size), got {boxes!r}"
        )
    for name, box in boxes.items():
        ints = isinstance(box, (tuple, list)) and len(box) == 3
        ints = ints and not any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in box)
        if not ints or box[2] < 1:
            raise ValueError(f"boxes[{name!r}] must be three ints (top, left, size >= 1), got {box!r}")
    return {name: tuple(int(v) for v in box) for name, box in boxes.items()}


def _check_unit(feature_map: Any, unit: Any) -> np.ndarray:
    """Return ``feature_map`` ``(h', w')`` checked, with ``unit`` ``(row, col)`` inside it."""
    fmap = check_array("feature_map", feature_map, ndim=(2,), shape_hint="(h', w')")
    pair = isinstance(unit, (tuple, list)) and len(unit) == 2
    if not pair or not all(
        isinstance(u, numbers.Integral) and 0 <= u < n for u, n in zip(unit, fmap.shape, strict=True)
    ):
        raise ValueError(f"unit must be a (row, col) inside the {fmap.shape} feature map, got {unit!r}")
    return fmap


def show_receptive_field(
    image: Any,
    boxes: dict[str, Any],
    *,
    feature_map: Any = None,
    unit: tuple[int, int] | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show a digit ``(h, w)`` with receptive fields outlined, one colour per ``(top, left, size)``.

    Boxes come from ``receptive_field_box`` and may stick out of the image (same padding).
    With ``feature_map`` ``(h', w')`` and ``unit`` ``(row, col)``, the map is drawn alongside
    with that unit outlined in the colour of the last box. Used in "How far does a unit see?".
    """
    image = check_array("image", image, ndim=(2,), shape_hint="(h, w)")
    boxes = _check_boxes(boxes)
    fmap = None if feature_map is None else _check_unit(feature_map, unit)
    fig = new_figure(fig, 5.4 + (4.8 if fmap is not None else 0), 6.0)
    axes = fig.subplots(1, 2 if fmap is not None else 1, squeeze=False)[0]
    if fmap is not None:
        axes[1].imshow(fmap, cmap="viridis")
        outline(axes[1], unit[0], unit[1], 1, 1, COLOURS[len(boxes) - 1])
        axes[1].set_title(f"feature map {fmap.shape[0]}x{fmap.shape[1]}, unit {tuple(unit)}", fontsize=13)
        clean(axes[1])
    axes[0].imshow(image, cmap="gray")
    handles = []
    for colour, (name, (top, left, size)) in zip(COLOURS, boxes.items(), strict=False):
        outline(axes[0], top, left, size, size, colour)
        handles.append(Patch(fill=False, edgecolor=colour, linewidth=3, label=f"{name}: {size}x{size}"))
    axes[0].legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=12, frameon=False
    )
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}: what one unit sees", fontsize=13)
    clean(axes[0])
    describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} digit with {len(boxes)} receptive field"
        f"{'s' * (len(boxes) != 1)} outlined: "
        + "; ".join(
            f"{name}, {size}x{size} pixels from row {top}, column {left}"
            for name, (top, left, size) in boxes.items()
        )
        + (
            f". Beside it, the {fmap.shape[0]}x{fmap.shape[1]} feature map with unit {tuple(unit)} outlined."
            if fmap is not None
            else "."
        ),
    )
    return fig


def plot_shift_accuracy(
    shifts: Any,
    accuracies: Any,
    *,
    intact: Any = None,
    baseline: float | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Plot accuracy ``(k,)`` against shift in pixels ``(k,)``, each point labelled with its value.

    ``intact`` ``(k,)``, the accuracy on the digits whose ink stayed inside the image
    (``ShiftAccuracy.accuracy_intact``), is drawn dashed with square markers; ``baseline``, the
    accuracy of guessing at random in [0, 1] (0.1 for ten classes), dotted. Used in "Shifts".
    """
    shifts = check_array("shifts", shifts, ndim=(1,), shape_hint="(k,)")
    lines = {"all digits": check_array("accuracies", accuracies, ndim=(1,), shape_hint="(k,)")}
    if intact is not None:
        lines["digits left intact"] = check_array("intact", intact, ndim=(1,), shape_hint="(k,)")
    for name, values in zip(("accuracies", "intact"), lines.values(), strict=False):
        if len(values) != len(shifts):
            raise ValueError(f"shifts has {len(shifts)} values but {name} has {len(values)}")
        if np.any(values < 0) or np.any(values > 1):
            raise ValueError(f"{name} must be fractions in [0, 1]")
    if baseline is not None and (
        isinstance(baseline, bool) or not isinstance(baseline, numbers.Real) or not 0 <= baseline <= 1
    ):
        raise ValueError(f"baseline must be an accuracy in [0, 1], got {baseline!r}")
    order = np.argsort(shifts, kind="stable")
    fig = new_figure(fig, 8, 4.8)
    ax = fig.add_subplot()
    series = list(lines.values())
    for index, ((name, values), style) in enumerate(zip(lines.items(), ("o-", "s--"), strict=False)):
        ax.plot(
            shifts[order], values[order], style, linewidth=2.5, markersize=8, label=f"test accuracy, {name}"
        )
        others = [other for j, other in enumerate(series) if j != index]
        for i, (x, y) in enumerate(zip(shifts, values, strict=True)):
            # each label beside its own point: the higher of two values above, the lower below
            above = all(y > other[i] or (y == other[i] and index == 0) for other in others)
            ax.annotate(
                f"{y:.1%}",
                (x, y),
                textcoords="offset points",
                xytext=(0, 9 if above else -17),
                ha="center",
                fontsize=11,
            )
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle=":", label=f"guessing at random ({baseline:.0%})")
    ax.set(xlabel="shift (pixels)", ylabel="accuracy", ylim=(0, 1.1), xticks=np.unique(shifts))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.label.set_size(13)
    ax.yaxis.label.set_size(13)
    ax.tick_params(labelsize=11)
    ax.margins(x=0.08)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=11)
    ax.set_title("Accuracy on shifted test digits", fontsize=14)
    first, last = order[0], order[-1]
    describe(
        fig,
        "Accuracy on shifted test digits: "
        + "; ".join(
            f"{name}, {values[first]:.1%} at {shifts[first]:g} pixels, {values[last]:.1%} at {shifts[last]:g}"
            for name, values in lines.items()
        )
        + (f"; guessing at random gives {baseline:.0%}." if baseline is not None else "."),
    )
    return fig
