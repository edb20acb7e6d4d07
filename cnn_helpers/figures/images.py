"""Digits in a grid, with their labels. Used in "Verify the data"."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from .._args import require_class_numbers, require_count, require_gray_images
from .._words import listing, plural
from ._base import describe, grid_shape, image_grid, new_figure
from ._colour import GRAYSCALE


def show_images(images: Any, labels: Any = None, n: int = 9) -> Figure:
    """Show the first ``n`` images on a grid, with their labels as titles.

    ``images``: ``(m, h, w)`` or ``(m, h, w, 1)``; ``labels``: ``(m,)`` or
    one-hot ``(m, classes)``. Used in "Verify the data".
    """
    images = require_gray_images("images", images)
    n = require_count("n", n, maximum=len(images), what="images")
    if labels is not None:
        labels = require_class_numbers("labels", labels, len(images))
    rows, cols = grid_shape(n, max_cols=6)
    fig = new_figure(2.2 * cols, 2.3 * rows)
    shown = images[:n]
    for i, ax in enumerate(image_grid(fig, n, max_cols=6)):
        ax.imshow(shown[i], cmap=GRAYSCALE, vmin=float(shown.min()), vmax=float(shown.max()))
        if labels is not None:
            ax.set_title(f"label {int(labels[i])}", fontsize=14)
    labelled = "" if labels is None else f", labelled {listing((int(v) for v in labels[:n]), most=12)}"
    h, w = shown.shape[1:3]
    return describe(fig, f"{plural(n, 'image')} of {h}x{w} pixels{labelled}.")
