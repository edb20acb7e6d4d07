"""Drawing code shared by every figure helper: new figures, clean axes, image grids, colour limits,
matrices with their numbers written in, outlines, and a figure put into a widget as a PNG image.

Figures are made at ``DPI`` dots per inch, so that text stays readable on a projector, and at most
about ``MAX_WIDTH`` inches wide, so that a notebook column 1,000 px wide (GitHub's) shows them
unscaled and their text at least 12 px tall.

Colour never carries meaning alone (``_colour``): the sign of a diverging map is also dotted, the
most likely class in ``probability_bars`` is hatched and labelled, and text drawn on a coloured cell
is black or white, whichever contrasts more.

Every figure also says in words what it shows: a helper calls ``describe(fig, sentence)`` with a
sentence made from the data it draws. ``new_figure`` makes a ``DescribedFigure``, which Jupyter
stores as a PNG with that text as its alt text (``metadata["image/png"]["alt"]``, the convention
nbconvert's HTML export reads); ``show_as_png`` does the same for a widget's figure.
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
from ._colour import (  # noqa: F401  (re-exported: the figure modules import them from here)
    BEST_BAR,
    DIVERGING,
    OTHER_BAR,
    TRAINING,
    VALIDATION,
    contrast_ratio,
    mark_negative,
    readable_on,
    relative_luminance,
    signed_colorbar,
    text_colour,
)

FigureLike = Figure | SubFigure


class DescribedFigure(Figure):
    """A Figure that carries a description in words; Jupyter shows it as a PNG with that alt text."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        data = {"image/png": base64.b64encode(png_bytes(self)).decode("ascii")}
        text = alt_text(self)
        return data, ({"image/png": {"alt": text}} if text else {})


def _root(fig: FigureLike) -> Figure:
    """The top-level Figure of ``fig`` (itself, or the figure a SubFigure belongs to)."""
    return fig.figure if isinstance(fig, SubFigure) else fig


def describe(fig: FigureLike, text: str) -> FigureLike:
    """Add the sentence ``text`` to the alt text of ``fig`` (of its top-level figure); return ``fig``.

    A figure drawn in parts (sub-figures) collects one sentence per part, in drawing order.
    """
    root = _root(fig)
    sentences = getattr(root, "_cnn_alt", [])
    text = " ".join(text.split())
    root._cnn_alt = [*sentences, text[:1].upper() + text[1:]]
    return fig


def alt_text(fig: FigureLike) -> str:
    """The description in words of ``fig``'s top-level figure ("" if none was given)."""
    return " ".join(getattr(_root(fig), "_cnn_alt", []))


def png_bytes(fig: FigureLike) -> bytes:
    """``fig`` as PNG bytes, cropped to its content as Jupyter's inline backend does."""
    buffer = io.BytesIO()
    root = _root(fig)
    root.savefig(buffer, format="png", bbox_inches="tight", facecolor=root.get_facecolor())
    return buffer.getvalue()


#: Resolution of every figure the helpers make (and so of the PNG that Jupyter stores).
DPI = 110
#: Widest figure (inches): 10 in at 110 dpi is 1,100 px, shown at 91 % in a 1,000 px column, so
#: text of 9 pt or more stays 12 px tall there.
MAX_WIDTH = 10.0


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
        new = plt.figure(figsize=(width, height), dpi=DPI, layout="constrained", FigureClass=DescribedFigure)
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

    Works with or without a kernel (the image is set on ``output.outputs``, not displayed). The
    figure's description (``describe``) goes with it as the image's alt text.
    """
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    data = {
        "image/png": base64.b64encode(png_bytes(fig)).decode("ascii"),
        "text/plain": f"<Figure {width}x{height}>",
    }
    text = alt_text(fig)
    metadata = {"image/png": {"alt": text}} if text else {}
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
    return fig


def probability_bars(ax: Axes, probabilities: np.ndarray) -> int:
    """Draw class probabilities ``(classes,)`` as bars; return the most likely class.

    That class's bar is dark orange, hatched and labelled with its probability; the others are blue.
    """
    best = int(np.argmax(probabilities))
    k = len(probabilities)
    bars = ax.bar(range(k), probabilities, color=[BEST_BAR if c == best else OTHER_BAR for c in range(k)])
    bars[best].set(hatch="//", edgecolor="white", linewidth=0)
    ax.annotate(
        f"{probabilities[best]:.2f}",
        (best, float(probabilities[best])),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=11,
        color="black",
        gid="best",
    )
    ax.set(ylim=(0, 1.18), xticks=range(k), yticks=[0, 0.5, 1])  # room for the label above a bar at 1
    ax.tick_params(labelsize=11)
    return best
