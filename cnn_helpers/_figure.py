"""Drawing code shared by every figure helper: new figures, clean axes, image grids, colour limits,
matrices with their numbers written in, outlines, and a figure put into a widget as a PNG image.

Figures are made at ``DPI`` dots per inch, so that text stays readable on a projector.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
import numpy as np

from ._args import check_count

FigureLike = Figure | SubFigure

#: Resolution of every figure the helpers make (and so of the PNG that Jupyter stores).
DPI = 110


def grid_shape(n: int, max_cols: int = 8) -> tuple[int, int]:
    """Return ``(rows, cols)`` of a square-ish grid, wider than tall, holding ``n`` panels."""
    n = check_count("n", n)
    max_cols = check_count("max_cols", max_cols)
    rows = max(math.isqrt(n), math.ceil(n / max_cols))
    return rows, math.ceil(n / rows)


def new_figure(fig: FigureLike | None, width: float, height: float) -> FigureLike:
    """Return ``fig`` if given (checked), else a new ``width`` x ``height`` inch figure at ``DPI``.

    A new figure is made through pyplot, so that Jupyter's inline display can render it, and
    closed in pyplot at once, so that Jupyter shows it exactly once: as the cell's value.
    """
    if fig is None:
        new = plt.figure(figsize=(width, height), dpi=DPI, layout="constrained")
        plt.close(new)
        return new
    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"fig must be a matplotlib Figure or SubFigure, got {type(fig).__name__}")
    return fig


def clean(ax: Axes) -> None:
    """Remove the ticks of a panel that shows an image or a matrix."""
    ax.set_xticks([])
    ax.set_yticks([])


def image_grid(fig: FigureLike, n: int, max_cols: int = 8) -> list[Axes]:
    """Add a square-ish grid of ``n`` clean panels to ``fig`` and return them; spare cells are hidden."""
    rows, cols = grid_shape(n, max_cols)
    axes = fig.subplots(rows, cols, squeeze=False).flat
    for ax in axes[n:]:
        ax.set_axis_off()
    panels = list(axes[:n])
    for ax in panels:
        clean(ax)
    return panels


def symmetric_limit(*arrays: Any) -> float:
    """Return the largest absolute value in ``arrays``, for a colour scale symmetric around zero.

    All zeros give 1.0, so that the scale stays valid.
    """
    return max(float(np.abs(np.asarray(a)).max()) for a in arrays) or 1.0


def text_colour(image: Any, value: float) -> str:
    """Return black or white, whichever reads better on the colour ``image`` gives ``value``."""
    red, green, blue = image.cmap(image.norm(value))[:3]
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "black" if luminance > 0.5 else "white"


def matrix(
    ax: Axes,
    values: np.ndarray,
    title: str,
    *,
    cmap: str = "Greys",
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
                f"{round(float(value), 2) + 0.0:g}",  # + 0.0: no "-0"
                ha="center",
                va="center",
                fontsize=11,
                color=text_colour(image, value),
            )
    clean(ax)
    ax.set_title(title, fontsize=13)
    return image


def outline(ax: Axes, row: int, col: int, height: int, width: int, colour: str, linewidth: float = 3) -> None:
    """Outline the ``height`` x ``width`` cells whose top-left cell is ``(row, col)``."""
    ax.add_patch(
        Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor=colour, linewidth=linewidth)
    )


def show_as_png(output: Any, fig: FigureLike) -> FigureLike:
    """Replace what the ipywidgets ``Output`` ``output`` shows by ``fig`` as a PNG image; return ``fig``.

    Works with or without a kernel (the image is set on ``output.outputs``, not displayed).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    data = {
        "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "text/plain": f"<Figure {width}x{height}>",
    }
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)
    return fig


def probability_bars(ax: Axes, probabilities: np.ndarray) -> int:
    """Draw class probabilities ``(classes,)`` as bars, the most likely orange; return that class."""
    best = int(np.argmax(probabilities))
    k = len(probabilities)
    ax.bar(range(k), probabilities, color=["tab:orange" if c == best else "tab:blue" for c in range(k)])
    ax.set(ylim=(0, 1), xticks=range(k))
    ax.tick_params(labelsize=10)
    return best
