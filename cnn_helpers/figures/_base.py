"""What every figure shares: a new figure at a readable size, its description in words, and the
PNG it is shown as.

Figures are made at ``DPI`` dots per inch, so that text stays readable on a projector, and at most
about ``MAX_WIDTH`` inches wide, so that a notebook column 1,000 px wide (GitHub's) shows them
unscaled and their text at least 12 px tall.

Every figure also says in words what it shows: a helper calls ``describe(fig, sentence)`` with a
sentence made from the data it draws. ``new_figure`` makes a ``DescribedFigure``, which Jupyter
stores as a PNG with that text as its alt text (``metadata["image/png"]["alt"]``, the convention
nbconvert's HTML export reads).
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from matplotlib import pyplot as plt
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text

from .._args import check_count

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
    root.savefig(buffer, format="png", bbox_inches="tight", facecolor=root.get_facecolor())
    return buffer.getvalue()


#: Resolution of every figure the helpers make (and so of the PNG that Jupyter stores).
DPI = 110
#: The smallest text of a figure, in points as shown in a notebook column ``COLUMN_PX`` wide
#: (GitHub's): a wider figure is scaled down to the column, its text with it. 11 pt at 110 dpi is
#: about 17 px, capitals about 12 px tall: readable on a projector at the back of a room.
MIN_TEXT_PT, COLUMN_PX = 11.0, 1000


def shown_scale(fig: FigureLike) -> float:
    """How much a notebook column ``COLUMN_PX`` wide scales ``fig``'s top-level figure down (<= 1):
    its PNG is at most the figure and the padding ``png_bytes`` leaves around the content."""
    root = _root(fig)
    width = root.get_figwidth() + 2 * plt.rcParams["savefig.pad_inches"]
    return min(1.0, COLUMN_PX / (width * root.dpi))


def enlarge_small_text(fig: FigureLike) -> None:
    """Raise every text of ``fig`` (tick labels, colour bars, numbers in cells) that would be shown
    smaller than ``MIN_TEXT_PT`` to that size; larger text is left as it is."""
    root = _root(fig)
    smallest = MIN_TEXT_PT / shown_scale(root) + 0.05  # a margin for rounding
    for ax in root.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if ticks and min(t.label1.get_fontsize() for t in ticks) < smallest:
                axis.set_tick_params(which="both", labelsize=max(smallest, ticks[0].label1.get_fontsize()))
    for text in root.findobj(Text):
        if text.get_fontsize() < smallest:
            text.set_fontsize(smallest)


#: Widest figure (inches): 10 in at 110 dpi is 1,100 px, shown at 91 % in a 1,000 px column, where
#: its text needs 12.1 pt to be shown at ``MIN_TEXT_PT``.
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
