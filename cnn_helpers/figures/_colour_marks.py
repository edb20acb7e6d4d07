"""Colour that never carries meaning alone, drawn: text black or white, whichever contrasts more
with what it is drawn on (at least 4.58:1 on any colour), and the negative cells of a diverging map
dotted (``mark_negative``), as is the negative half of its colour bar (``signed_colorbar``).
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
import numpy as np

from .._colour import NEGATIVE_HATCH, contrast_ratio, relative_luminance


def readable_on(colour: Any) -> str:
    """Return black or white, whichever has the higher contrast with ``colour`` (at least 4.58:1)."""
    luminance = relative_luminance(to_rgb(colour))
    return "black" if contrast_ratio(luminance, 0.0) >= contrast_ratio(luminance, 1.0) else "white"


def text_colour(image: Any, value: float) -> str:
    """Return black or white, whichever reads better on the colour ``image`` gives ``value``."""
    return readable_on(image.cmap(image.norm(value)))


def mark_negative(ax: Axes, values: np.ndarray, image: Any) -> None:
    """Dot every negative cell of ``values`` ``(h, w)``, drawn by ``image`` on ``ax``: the sign is
    then seen without telling red from blue. Dots are black on light cells, white on dark ones."""
    rows, cols = np.nonzero(np.asarray(values) < 0)
    for colour in ("black", "white"):
        cells = [
            Rectangle((c - 0.5, r - 0.5), 1, 1)
            for r, c in zip(rows, cols, strict=True)
            if text_colour(image, values[r, c]) == colour
        ]
        if cells:
            dots = PatchCollection(cells, facecolor="none", edgecolor="none", hatch=NEGATIVE_HATCH, lw=0)
            dots.set_hatchcolor(colour)
            dots.set_gid("negative")
            ax.add_collection(dots)


def signed_colorbar(fig: Figure | SubFigure, image: Any, axes: Any, label: str, **kwargs: Any) -> Any:
    """Add a colour bar for the diverging ``image`` beside ``axes``, its negative half dotted as
    ``mark_negative`` dots the cells; its label says so. Return the colour bar."""
    bar = fig.colorbar(image, ax=axes, label=f"{label} (dotted: negative)", **kwargs)
    low, _ = image.get_clim()
    steps = np.linspace(low, 0, 25)
    for start, end in zip(steps[:-1], steps[1:], strict=True):
        colour = text_colour(image, (start + end) / 2)
        band = Rectangle((0, start), 1, end - start, transform=bar.ax.get_yaxis_transform(), fill=False)
        band.set(hatch=NEGATIVE_HATCH, edgecolor="none", lw=0, gid="negative")
        band.set_hatchcolor(colour)
        bar.ax.add_patch(band)
    return bar
