"""Measure a figure as a reader sees it: the size of its text when the figure is shown in a column
1,000 px wide, and the contrast of each text against what is drawn behind it.

The one text-size rule of every figure test (``small_texts``, ``assert_readable``): each drawn text
is at least 11 pt once the figure's PNG is shown in that column (a wider figure is scaled down to
it), i.e. 16.8 px at the helpers' 110 dpi, about 12 px tall capitals: readable on a projector.

Every text that matplotlib actually draws is recorded while the figure renders (``Text.draw``), so
tick labels outside the view, empty labels and hidden texts do not count, and sizes and colours are
the ones drawn. The background of a text is the figure rendered again with every text transparent
(a text's bbox patch stays): what the letters sit on.
"""

from __future__ import annotations

from dataclasses import dataclass
import io
from unittest import mock

from cnn_helpers.figures._base import png_bytes
from cnn_helpers.figures._colour import contrast_ratio, relative_luminance
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure, SubFigure
from matplotlib.text import Text
import numpy as np
from PIL import Image

COLUMN_PX = 1000  # GitHub's notebook column; wider figures are scaled down to it
MIN_TEXT_PT = 11.0  # as shown in COLUMN_PX: font size x how much the column scales the figure down
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, 1.4.3, for text
AREA_SHARE = 0.8  # the contrast must hold on this share of the pixels under a text


@dataclass
class DrawnText:
    text: str
    size_pt: float
    rgba: tuple[float, float, float, float]
    box: tuple[int, int, int, int]  # pixel rows and columns of the canvas: top, bottom, left, right
    artist: Text


def root(fig: Figure | SubFigure) -> Figure:
    return fig.figure if isinstance(fig, SubFigure) else fig


def png_width(fig: Figure | SubFigure) -> int:
    """The width in pixels of the PNG that Jupyter stores for ``fig`` (cropped to its content)."""
    with Image.open(io.BytesIO(png_bytes(root(fig)))) as image:
        return image.width


def shown_scale(fig: Figure | SubFigure, column: int = COLUMN_PX) -> float:
    """How much a column ``column`` px wide scales the figure's PNG down (1 if it fits)."""
    return min(1.0, column / png_width(fig))


def _render(fig: Figure) -> tuple[list[DrawnText], np.ndarray]:
    canvas = FigureCanvasAgg(fig) if not isinstance(fig.canvas, FigureCanvasAgg) else fig.canvas
    drawn: list[tuple[Text, object]] = []
    original = Text.draw

    def recording_draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))

    with mock.patch.object(Text, "draw", recording_draw):
        canvas.draw()
    height = canvas.get_renderer().height
    texts = []
    for artist, extent in drawn:
        top, bottom = int(np.floor(height - extent.y1)), int(np.ceil(height - extent.y0))
        box = (max(top, 0), max(bottom, 0), max(int(np.floor(extent.x0)), 0), max(int(np.ceil(extent.x1)), 0))
        rgba = to_rgba(artist.get_color(), artist.get_alpha())
        texts.append(DrawnText(artist.get_text(), artist.get_fontsize(), rgba, box, artist))
    return texts, np.asarray(canvas.buffer_rgba())[..., :3].astype(float) / 255


def drawn_texts(fig: Figure | SubFigure) -> list[DrawnText]:
    """Every text the figure draws, with its size, colour and place on the canvas."""
    return _render(root(fig))[0]


def background(fig: Figure | SubFigure, texts: list[DrawnText]) -> np.ndarray:
    """The canvas ``(h, w, 3)`` in [0, 1] with ``texts`` (what ``drawn_texts`` found) transparent:
    what each text sits on."""
    colours = [t.artist.get_color() for t in texts]
    try:
        for t in texts:
            t.artist.set_color((0, 0, 0, 0))
        return _render(root(fig))[1]
    finally:
        for t, colour in zip(texts, colours, strict=True):
            t.artist.set_color(colour)


def text_sizes(fig: Figure | SubFigure, column: int = COLUMN_PX) -> list[tuple[str, float]]:
    """``(text, size in pt as shown)`` of every drawn text when the figure is shown ``column`` px wide."""
    scale = shown_scale(fig, column)
    return [(t.text, t.size_pt * scale) for t in drawn_texts(fig)]


def small_texts(fig: Figure | SubFigure, minimum: float = MIN_TEXT_PT) -> list[tuple[str, float]]:
    """The drawn texts smaller than ``minimum`` pt as shown 1,000 px wide, with their size."""
    return [(text, round(pt, 1)) for text, pt in text_sizes(fig) if pt < minimum - 1e-9]


def assert_readable(fig: Figure | SubFigure) -> None:
    """Every drawn text of ``fig`` is at least ``MIN_TEXT_PT`` as shown in a 1,000 px column."""
    small = small_texts(fig)
    assert small == [], f"text smaller than {MIN_TEXT_PT:g} pt as shown {COLUMN_PX:,} px wide: {small}"


def text_contrasts(fig: Figure | SubFigure) -> list[tuple[str, float]]:
    """``(text, contrast)`` of each drawn text against what is behind it: the contrast ratio that
    ``AREA_SHARE`` of the pixels under the text reach (WCAG's relative luminance)."""
    texts = drawn_texts(fig)
    behind = background(fig, texts)
    luminance = relative_luminance(behind)
    results = []
    for t in texts:
        top, bottom, left, right = t.box
        region = luminance[top:bottom, left:right]
        if region.size == 0:
            continue
        fg = relative_luminance(np.array(t.rgba[:3]))
        if t.rgba[3] < 1:  # a translucent text: blend it over the median of what is behind it
            median = np.median(behind[top:bottom, left:right].reshape(-1, 3), axis=0)
            fg = relative_luminance(t.rgba[3] * np.array(t.rgba[:3]) + (1 - t.rgba[3]) * median)
        ratios = contrast_ratio(fg, region)
        results.append((t.text, float(np.quantile(ratios, 1 - AREA_SHARE))))
    return results


def low_contrast_texts(fig: Figure | SubFigure, minimum: float = MIN_CONTRAST) -> list[tuple[str, float]]:
    """The texts whose contrast against their background is below ``minimum``."""
    return [(text, round(ratio, 2)) for text, ratio in text_contrasts(fig) if ratio < minimum]
