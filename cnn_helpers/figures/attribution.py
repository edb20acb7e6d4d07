"""Saliency maps under their digits.
Part 5 of the explore notebook (Where the model looks).
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_array, require_count, require_gray_images
from ..maths.faithfulness import ink_mask
from ._base import clean, describe, new_figure
from ._colour import DIGIT_CONTOUR_ON_DARK, DIVERGING, GRAYSCALE, MAGNITUDE, symmetric_limit


def where_it_lies(attribution: np.ndarray, image: np.ndarray) -> str:
    """A phrase for alt text: the share of ``|attribution|`` on the digit's ink, and the peak's place."""
    size = np.abs(attribution)
    ink = ink_mask(image)
    share = float(size[ink].sum() / size.sum()) if size.sum() > 0 else 0.0
    row, col = np.unravel_index(int(size.argmax()), size.shape)
    place = "on" if ink[row, col] else "off"
    return f"{share:.0%} on the ink, peak at row {row}, column {col} ({place} the ink)"


def show_saliency(images: Any, maps: Any, titles: Any) -> Figure:
    """Show each digit ``(m, h, w)`` above its saliency map ``(m, h', w')``.

    Each map has its own colour scale (zero is dark; negative values, if any, blue); a map the
    size of its image carries the digit's outline. Up to 8 digits, ``titles`` one per digit,
    e.g. ``"true 4, said 9 (p = 0.62)"``. Used in "5. Where the model looks".
    """
    images = require_gray_images("images", images)
    maps = require_array("maps", maps, ndim=(3,), shape_hint="(m, h', w')")
    strings = isinstance(titles, (list, tuple)) and all(isinstance(t, str) for t in titles)
    if not strings or len(titles) != len(images):
        raise TypeError(f"titles must be a list of {len(images)} strings, one per image")
    m = require_count("the number of images", len(images), maximum=8, what="images this figure can show")
    if len(maps) != m:
        raise ValueError(f"maps has {len(maps)} maps but there are {m} images")
    fig = new_figure(2.5 * m + 0.8, 5.6)
    axes = fig.subplots(2, m, squeeze=False)
    for i in range(m):
        axes[0, i].imshow(images[i], cmap=GRAYSCALE)
        axes[0, i].set_title(titles[i], fontsize=12)
        low, high = float(maps[i].min()), float(maps[i].max())
        if low < 0:
            limit = symmetric_limit(maps[i])
            axes[1, i].imshow(maps[i], cmap=DIVERGING, vmin=-limit, vmax=limit)
        else:
            axes[1, i].imshow(maps[i], cmap=MAGNITUDE, vmin=0, vmax=high or 1.0)
        if maps[i].shape == images[i].shape and np.ptp(images[i]) > 0:
            level = float(images[i].min() + images[i].max()) / 2
            axes[1, i].contour(
                images[i], levels=[level], colors=DIGIT_CONTOUR_ON_DARK, linewidths=0.8, alpha=0.6
            )
        clean(axes[0, i])
        clean(axes[1, i])
    axes[1, 0].set_ylabel("saliency\n(own scale)", fontsize=12)
    describe(
        fig,
        f"{m} digit{'s' * (m != 1)}, each above its saliency map on its own colour scale: "
        + "; ".join(
            f"{' '.join(t.split())}, saliency up to {float(v.max()):.2g}"
            + (f", {where_it_lies(v, im)}" if v.shape == im.shape else "")
            for t, v, im in zip(titles, maps, images, strict=True)
        )
        + ".",
    )
    return fig
