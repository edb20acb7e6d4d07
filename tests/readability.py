"""Is a figure's text readable on a projector? Every visible text is at least 11 pt once the figure's
PNG is shown in a column 1,000 px wide (a wider figure is scaled down to it): about 12 px tall
capitals at the helpers' 110 dpi.
"""

from __future__ import annotations

import io

from cnn_helpers.figures._base import png_bytes
from matplotlib.text import Text
from PIL import Image

COLUMN_PX = 1000
MIN_POINTS = 11.0


def small_texts(fig) -> list[tuple[str, float]]:
    """``(text, size in pt as shown)`` of every visible text smaller than ``MIN_POINTS``."""
    root = fig.figure if fig.figure is not None and fig.figure is not fig else fig
    with Image.open(io.BytesIO(png_bytes(root))) as image:
        scale = min(1.0, COLUMN_PX / image.width)
    texts = [t for t in root.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return [(t.get_text(), t.get_fontsize() * scale) for t in texts if t.get_fontsize() * scale < MIN_POINTS]


def assert_readable(fig) -> None:
    small = small_texts(fig)
    assert small == [], f"text smaller than {MIN_POINTS} pt at {COLUMN_PX} px: {small}"
