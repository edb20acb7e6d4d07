"""What every figure shares: a new figure at a readable size, a grid of clean panels, its
description in words, and the PNG it is shown as.

Figures are made at ``DPI`` dots per inch. A notebook column 1,000 px wide (GitHub's) shows a wider
figure scaled down, its text with it; so every text that would be shown under ``MIN_TEXT_PT`` there
is raised to it (``enlarge_small_text``): readable on a projector.

Every figure also says in words what it shows: a helper calls ``describe(fig, sentence)`` last, with
a sentence made from the data it draws. ``new_figure`` makes a ``DescribedFigure``, which Jupyter
stores as a PNG with that text as its alt text (``metadata["image/png"]["alt"]``, the convention
nbconvert's HTML export reads).
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text

from .._args import require_count

FigureLike = Figure | SubFigure

#: Resolution of every figure the helpers make (and so of the PNG that Jupyter stores).
DPI = 110
#: The smallest text of a figure, in points as shown in a notebook column ``COLUMN_PX`` wide
#: (GitHub's): a wider figure is scaled down to the column, its text with it. 11 pt at 110 dpi is
#: about 17 px, capitals about 12 px tall: readable on a projector at the back of a room.
MIN_TEXT_PT, COLUMN_PX = 11.0, 1000


class DescribedFigure(Figure):
    """A Figure that carries a description in words; Jupyter shows it as a PNG with that alt text."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        data = {"image/png": base64.b64encode(png_bytes(self)).decode("ascii")}
        text = alt_text(self)
        return data, ({"image/png": {"alt": text}} if text else {})


def _root(fig: FigureLike) -> Figure:
    """The top-level Figure of ``fig`` (itself, or the figure a SubFigure belongs to)."""
    return fig.figure if isinstance(fig, SubFigure) else fig


def new_figure(width: float, height: float) -> DescribedFigure:
    """Return a new ``width`` x ``height`` inch figure at ``DPI``.

    It is made through pyplot, so that Jupyter's inline display can render it, and closed in pyplot
    at once, so that Jupyter shows it exactly once: as the cell's value.
    """
    fig = plt.figure(figsize=(width, height), dpi=DPI, layout="constrained", FigureClass=DescribedFigure)
    plt.close(fig)
    return fig


def clean(ax: Axes) -> None:
    """Remove the ticks of a panel that shows an image or a matrix."""
    ax.set_xticks([])
    ax.set_yticks([])


def grid_shape(n: int, max_cols: int = 8) -> tuple[int, int]:
    """Return ``(rows, cols)`` of a square-ish grid, wider than tall, holding ``n`` panels."""
    n = require_count("n", n)
    max_cols = require_count("max_cols", max_cols)
    rows = max(math.isqrt(n), math.ceil(n / max_cols))
    return rows, math.ceil(n / rows)


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


def shown_scale(fig: FigureLike) -> float:
    """How much a notebook column ``COLUMN_PX`` wide scales ``fig``'s top-level figure down (<= 1):
    its PNG is at most the figure and the padding ``png_bytes`` leaves around the content."""
    root = _root(fig)
    width = root.get_figwidth() + 2 * plt.rcParams["savefig.pad_inches"]
    return min(1.0, COLUMN_PX / (width * root.dpi))


def enlarge_small_text(fig: FigureLike) -> None:
    """Raise every text of ``fig`` (tick labels, colour bars, numbers in cells) that would be shown
    smaller than ``MIN_TEXT_PT`` to that size; text at or above it is left as it is."""
    root = _root(fig)
    needed = MIN_TEXT_PT / shown_scale(root)
    raised = needed * 1.02  # a margin: the cropped PNG can reach a little beyond the figure

    def small(size: float) -> bool:
        return size < needed - 1e-6

    for ax in root.get_axes():
        for axis in (ax.xaxis, ax.yaxis):  # also the tick labels made later, when the figure is drawn
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if any(small(tick.label1.get_fontsize()) for tick in ticks):
                axis.set_tick_params(which="both", labelsize=raised)
    for text in root.findobj(Text):
        if small(text.get_fontsize()):
            text.set_fontsize(raised)


def describe(fig: FigureLike, text: str) -> FigureLike:
    """Add the sentence ``text`` to the alt text of ``fig`` (of its top-level figure); return ``fig``.

    A figure drawn in parts (sub-figures) collects one sentence per part, in drawing order. Every
    helper calls this last, when all its text is drawn: so here every text of the figure is also
    made readable (``enlarge_small_text``).
    """
    root = _root(fig)
    enlarge_small_text(root)
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
    root.savefig(  # optimize: the same pixels in fewer bytes (the notebooks store every figure)
        buffer,
        format="png",
        bbox_inches="tight",
        facecolor=root.get_facecolor(),
        pil_kwargs={"optimize": True},
    )
    return buffer.getvalue()
