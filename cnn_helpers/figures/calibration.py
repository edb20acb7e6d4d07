"""The reliability diagram: how often the model is right at each level of its top probability.
Part 7 of the explore notebook (Calibration)."""

from __future__ import annotations

from matplotlib.figure import Figure
import numpy as np

from ..maths.calibration import Reliability
from ._base import describe, new_figure
from ._colour import BEST_BAR, INK, OTHER_BAR, REFERENCE


def plot_reliability(table: Reliability) -> Figure:
    """Draw ``table`` (``maths.calibration.reliability``): for each bin of top probability, a bar
    of the accuracy beside a hatched bar of the mean top probability, the count written above them,
    and the diagonal a calibrated model would follow. Used in "Calibration"."""
    if not isinstance(table, Reliability):
        raise TypeError(f"table must be a Reliability (from reliability(...)), got {type(table).__name__}")
    fig = new_figure(9, 5.2)
    ax = fig.add_subplot()
    filled = table.counts > 0
    centres = (table.edges[:-1] + table.edges[1:]) / 2
    width = (table.edges[1] - table.edges[0]) * 0.42
    ax.plot([0, 1], [0, 1], ":", color=REFERENCE, linewidth=2, label="calibrated: accuracy = confidence")
    ax.bar(centres[filled] - width / 2, table.accuracy[filled], width, color=BEST_BAR, label="accuracy")
    ax.bar(
        centres[filled] + width / 2,
        table.confidence[filled],
        width,
        color=OTHER_BAR,
        hatch="//",
        edgecolor=INK,
        label="mean top probability",
    )
    heights = np.maximum(table.accuracy, table.confidence)
    for x, n, y in zip(centres[filled], table.counts[filled], heights[filled], strict=True):
        ax.annotate(f"{n:,}", (x, y), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=11)
    ax.set(xlim=(0, 1), ylim=(0, 1.2), xticks=table.edges[::2] if len(table.edges) > 6 else table.edges)
    ax.set_xlabel(
        "top probability (bins); the number of test digits in each is written above its bars", fontsize=12
    )
    ax.set_ylabel("fraction / probability", fontsize=13)
    ax.tick_params(labelsize=11)
    ax.legend(loc="upper left", fontsize=11, framealpha=1)
    ax.set_title(f"Reliability diagram: expected calibration error {table.ece:.2%}", fontsize=14)
    top = int(np.flatnonzero(filled)[-1])
    low, high = table.edges[top], table.edges[top + 1]
    describe(
        fig,
        f"Reliability diagram of {int(table.counts.sum()):,} test digits in {len(table.counts)} bins of "
        f"top probability; {int(table.counts[top]):,} of them fall in the top bin, from {low:.1f} to "
        f"{high:.1f}, where the model is right on {table.accuracy[top]:.2%} with a mean top probability "
        f"of {table.confidence[top]:.2%}. Over all digits: accuracy {table.overall_accuracy:.2%}, mean "
        f"top probability {table.overall_confidence:.2%}, expected calibration error {table.ece:.2%}.",
    )
    return fig
