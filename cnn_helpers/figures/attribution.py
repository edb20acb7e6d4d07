"""Saliency and occlusion maps under their digits, and the randomization check's maps side by side.
Part 5 of the explore notebook (Where the model looks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import check_array, check_count, check_gray_images
from ..maths.randomization import SaliencyCheck
from ._base import FigureLike, describe, new_figure
from ._panels import clean, symmetric_limit


def show_saliency(
    images: Any, maps: Any, titles: Any, *, map_name: str = "saliency", fig: FigureLike | None = None
) -> FigureLike:
    """Show each digit ``(m, h, w)`` above its map ``(m, h', w')`` (saliency or occlusion).

    Each map has its own colour scale (zero is dark; negative values, if any, blue); a map the
    size of its image carries the digit's outline. Up to 8 digits, ``titles`` one per digit,
    e.g. ``"true 4, said 9 (p = 0.62)"``. Used in "5. Where the model looks".
    """
    images = check_gray_images("images", images)
    maps = check_array("maps", maps, ndim=(3,), shape_hint="(m, h', w')")
    strings = isinstance(titles, (list, tuple)) and all(isinstance(t, str) for t in titles)
    if not strings or len(titles) != len(images):
        raise TypeError(f"titles must be a list of {len(images)} strings, one per image")
    m = check_count("the number of images", len(images), maximum=8, what="images this figure can show")
    if len(maps) != m:
        raise ValueError(f"maps has {len(maps)} maps but there are {m} images")
    fig = new_figure(fig, 2.5 * m + 0.8, 5.6)
    axes = fig.subplots(2, m, squeeze=False)
    for i in range(m):
        axes[0, i].imshow(images[i], cmap="gray")
        axes[0, i].set_title(titles[i], fontsize=12)
        low, high = float(maps[i].min()), float(maps[i].max())
        if low < 0:
            limit = symmetric_limit(maps[i])
            axes[1, i].imshow(maps[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            axes[1, i].imshow(maps[i], cmap="inferno", vmin=0, vmax=high or 1.0)
        if maps[i].shape == images[i].shape and np.ptp(images[i]) > 0:
            level = float(images[i].min() + images[i].max()) / 2
            axes[1, i].contour(images[i], levels=[level], colors="white", linewidths=0.8, alpha=0.6)
        clean(axes[0, i])
        clean(axes[1, i])
    axes[1, 0].set_ylabel(f"{map_name}\n(own scale)", fontsize=12)
    describe(
        fig,
        f"{m} digit{'s' * (m != 1)}, each above its {map_name} map on its own colour scale: "
        + "; ".join(
            f"{' '.join(t.split())}, {map_name} up to {float(v.max()):.2g}"
            for t, v in zip(titles, maps, strict=True)
        )
        + ".",
    )
    return fig


def show_saliency_check(images: Any, check: SaliencyCheck, *, fig: FigureLike | None = None) -> FigureLike:
    """Show each digit ``(m, h, w)`` above its trained model's map and its randomized model's map.

    Each map is divided by its own largest value, so that both rows share one 0-1 scale: the two
    models' class scores have different sizes (an untrained model's are tiny), and what the
    check compares is *where* a map is large. The rank correlations are written under each pair.
    """
    images = check_gray_images("images", images)
    if not isinstance(check, SaliencyCheck):
        raise TypeError(f"check must be the SaliencyCheck that saliency_check returned, got {type(check)}")
    if images.shape != check.trained.shape:
        raise ValueError(f"images {images.shape} do not match the check's maps {check.trained.shape}")
    m = len(images)
    fig = new_figure(fig, 1.9 * m + 1.4, 7.2)
    axes = fig.subplots(3, m, squeeze=False)
    for i in range(m):
        axes[0, i].imshow(images[i], cmap="gray")
        axes[0, i].set_title(f"says {check.classes[i]}", fontsize=13)
        for row, maps in ((1, check.trained), (2, check.randomized)):
            shown = axes[row, i].imshow(maps[i] / (maps[i].max() or 1.0), cmap="inferno", vmin=0, vmax=1)
        axes[2, i].set_xlabel(
            f"rank corr.\n{check.rank_all[i]:.2f} (ink {check.rank_ink[i]:.2f})", fontsize=12
        )
        for row in range(3):
            clean(axes[row, i])
    for row, name in enumerate(("digit", "trained\nmodel", "randomized\nmodel")):
        axes[row, 0].set_ylabel(name, fontsize=13)
    bar = fig.colorbar(shown, ax=list(axes[1:, :].flat), shrink=0.8)
    bar.set_label("fraction of the map's largest value", fontsize=12)
    bar.ax.tick_params(labelsize=11)
    describe(
        fig,
        f"Saliency maps of {m} digits (predicted {', '.join(map(str, check.classes))}), from the trained "
        "model (middle row) and from a copy with random weights (bottom row). Rank correlation between "
        f"the two maps: {_spread(check.rank_all)} over the whole image, {_spread(check.rank_ink)} on the "
        f"ink only. Correlation with the digit's ink: trained {_spread(check.ink_trained)}, randomized "
        f"{_spread(check.ink_randomized)}.",
    )
    return fig


def _spread(values: np.ndarray) -> str:
    """``"0.61"`` or ``"0.60 to 0.67"``: the range of per-digit numbers, for alt text."""
    low, high = float(np.min(values)), float(np.max(values))
    return f"{low:.2f}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f} to {high:.2f}"
