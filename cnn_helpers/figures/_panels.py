"""Drawing pieces the figures share: matrices with their numbers written in, outlines and
probability bars. Their colours follow ``_colour``: a number drawn on a coloured cell is black or
white, whichever contrasts more, and the most likely class of ``draw_probability_bars`` is hatched and
labelled as well as coloured.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
import numpy as np

from ._base import clean
from ._colour import BEST_BAR, INK, OTHER_BAR, PAPER, SHADES, text_colour


def cell_number(value: float) -> str:
    """A number as ``draw_matrix`` writes it in its cell (two decimals at most, no "-0"): what an
    alt text says when it gives the numbers the figure shows."""
    return f"{round(float(value), 2) + 0.0:g}"


def draw_matrix(
    ax: Axes,
    values: np.ndarray,
    title: str,
    *,
    cmap: str = SHADES,
    limits: tuple[float, float] | None = None,
    numbers: bool = True,
) -> Any:
    """Draw ``values`` ``(h, w)`` as shaded cells, each number written in its cell; return the image.

    ``limits`` is ``(vmin, vmax)`` of the colour scale, by default the values' own range.
    """
    vmin, vmax = limits if limits is not None else (float(values.min()), float(values.max()))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    if numbers:
        for (i, j), value in np.ndenumerate(values):
            ax.text(
                j,
                i,
                cell_number(value),
                ha="center",
                va="center",
                fontsize=11,
                color=text_colour(image, value),
            )
    clean(ax)
    ax.set_title(title, fontsize=13)
    return image


def draw_outline(
    ax: Axes, row: int, col: int, height: int, width: int, colour: str, linewidth: float = 3
) -> None:
    """Outline the ``height`` x ``width`` cells whose top-left cell is ``(row, col)``."""
    ax.add_patch(
        Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor=colour, linewidth=linewidth)
    )


def draw_probability_bars(ax: Axes, probabilities: np.ndarray) -> int:
    """Draw class probabilities ``(classes,)`` as bars; return the most likely class.

    That class's bar is dark orange, hatched and labelled with its probability; the others are blue.
    """
    best = int(np.argmax(probabilities))
    k = len(probabilities)
    bars = ax.bar(range(k), probabilities, color=[BEST_BAR if c == best else OTHER_BAR for c in range(k)])
    bars[best].set(hatch="//", edgecolor=PAPER, linewidth=0)
    ax.annotate(
        f"{probabilities[best]:.2f}",
        (best, float(probabilities[best])),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=11,
        color=INK,
        gid="best",
    )
    ax.set(ylim=(0, 1.18), xticks=range(k), yticks=[0, 0.5, 1])  # room for the label above a bar at 1
    ax.tick_params(labelsize=11)
    return best
