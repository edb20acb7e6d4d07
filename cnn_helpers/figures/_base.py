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
