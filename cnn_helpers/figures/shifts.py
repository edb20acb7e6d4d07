"""A model's accuracy on shifted digits, per shift. Part 4 of the explore notebook (Shifts)."""

from __future__ import annotations

import numbers
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
import numpy as np

from .._args import require_array
from ._base import describe, new_figure
from ._colour import REFERENCE


def plot_shift_accuracy(
    shifts: Any,
    accuracies: Any,
    *,
    intact: Any = None,
    baseline: float | None = None,
) -> Figure:
    """Plot accuracy ``(k,)`` against shift in pixels ``(k,)``, each point labelled with its value.

    ``intact`` ``(k,)``, the accuracy on the digits whose ink stayed inside the image
    (``ShiftAccuracy.accuracy_intact``), is drawn dashed with square markers; ``baseline``, the
    accuracy of guessing at random in [0, 1] (0.1 for ten classes), dotted. Used in "Shifts".
    """
    shifts = require_array("shifts", shifts, ndim=(1,), shape_hint="(k,)")
    lines = {"all digits": require_array("accuracies", accuracies, ndim=(1,), shape_hint="(k,)")}
    if intact is not None:
        lines["digits left intact"] = require_array("intact", intact, ndim=(1,), shape_hint="(k,)")
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
    fig = new_figure(8, 4.8)
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
        ax.axhline(baseline, color=REFERENCE, linestyle=":", label=f"guessing at random ({baseline:.0%})")
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
