"""The first layer before and after training, side by side: its filters and its feature maps.

Each figure has two rows, before training above after training, one column per filter or
channel, so that a filter (or its map) is compared with itself. Used in "Look inside after training:
what changed".
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_count, require_one_image
from .._words import number, plural
from ..maths.layers import conv_kernel
from ._base import FigureLike, clean, describe, new_figure
from ._colour import DIVERGING, draw_negative_dots, draw_signed_colorbar, symmetric_limit
from .filters import draw_feature_map

ROWS = ("before training", "after training")
SIDE = 0.95  # inches per panel: eight columns fit a figure 10 inches wide


def _row_axes(fig: FigureLike, n: int) -> np.ndarray:
    """A 2 x ``n`` grid of clean panels, each row named at its left."""
    axes = fig.subplots(2, n, squeeze=False)
    for row, name in enumerate(ROWS):
        axes[row, 0].set_ylabel(name.replace(" ", "\n"), fontsize=12, rotation=0, ha="right", va="center")
        for ax in axes[row]:
            clean(ax)
    return axes


def compare_filters(before_layer: Any, after_layer: Any, n: int) -> Figure:
    """Show the first ``n`` filters of a one-channel ``Conv2D`` layer before training (top row) and
    after (bottom row), kernels ``(kh, kw, 1, filters)``, on one colour scale symmetric around zero:
    red positive, blue negative (dotted), up to the largest absolute weight of the two.
    ``before_layer`` is the layer of a copy kept before ``fit``, ``after_layer`` the trained one.
    """
    before, after = conv_kernel(before_layer), conv_kernel(after_layer)
    if before.shape != after.shape:
        raise ValueError(
            f"the two layers' kernels differ in shape: {before.shape} before, {after.shape} after; "
            "pass the same layer of the untrained copy and of the trained model"
        )
    kh, kw, channels, filters = before.shape
    if channels != 1:
        raise ValueError(
            f"compare_filters draws kernels of one input channel (a first layer on grayscale images); "
            f"layer {after_layer.name!r} sees {channels} channels: use show_filters for it"
        )
    n = require_count("n", n, maximum=filters, what=f"filters of layer {after_layer.name!r}")
    kernels = (before[:, :, 0, :n], after[:, :, 0, :n])
    limit = symmetric_limit(*kernels)
    fig = new_figure(SIDE * n + 2.6, 2 * SIDE + 1.1)
    axes = _row_axes(fig, n)
    image = None
    for row, weights in enumerate(kernels):
        for i, ax in enumerate(axes[row]):
            image = ax.imshow(weights[:, :, i], cmap=DIVERGING, vmin=-limit, vmax=limit)
            draw_negative_dots(ax, weights[:, :, i], image)
            if row == 0:
                ax.set_title(f"filter {i}", fontsize=12)
    draw_signed_colorbar(fig, image, list(axes.flat), "weight", shrink=0.9)
    title = f"The first {n} filters of {after_layer.name!r} ({kh}x{kw}), one colour scale"
    fig.suptitle(title, fontsize=14)
    change = np.abs(kernels[1] - kernels[0]).sum(axis=(0, 1))
    ranges = [
        f"{name} from {number(k.min())} to {number(k.max())}" for name, k in zip(ROWS, kernels, strict=True)
    ]
    return describe(
        fig,
        f"{title}, before training (top row) and after training (bottom row); red positive, blue and "
        f"dotted negative. The weights run {ranges[0]}, {ranges[1]}; filter {int(change.argmax())} "
        f"changed most.",
    )


def compare_feature_maps(maps_before: Any, maps_after: Any, n: int) -> Figure:
    """Show the first ``n`` feature maps of one image before training (top row) and after (bottom
    row): two ``(1, h, w, c)`` activation arrays of the same layer. Each map is on its own colour
    scale (yellow strongest); a map that is zero everywhere is labelled "all zeros".
    """
    maps = [require_one_image("maps_before", maps_before), require_one_image("maps_after", maps_after)]
    if maps[0].shape != maps[1].shape:
        raise ValueError(
            f"maps_before {maps[0].shape} and maps_after {maps[1].shape} must have one shape: "
            "the same layer's output for the same image"
        )
    h, w, channels = maps[0].shape
    n = require_count("n", n, maximum=channels, what="channels in the feature maps")
    fig = new_figure(SIDE * n + 1.6, 2 * SIDE + 1.0)
    axes = _row_axes(fig, n)
    for row in range(2):
        for i, ax in enumerate(axes[row]):
            draw_feature_map(ax, maps[row][:, :, i])
            if row == 0:
                ax.set_title(f"channel {i}", fontsize=12)
    title = f"The first {n} feature maps ({h}x{w}) of one image, each on its own colour scale"
    fig.suptitle(title, fontsize=14)
    words = []
    for name, array in zip(ROWS, maps, strict=True):
        shown = array[:, :, :n]
        dead = sum(not np.any(shown[:, :, c]) for c in range(n))
        covered = float(np.mean(shown > 0.5 * shown.max())) if shown.max() > 0 else 0.0
        words.append(
            f"{name}, {plural(dead, 'map')} zero everywhere, the strongest response "
            f"{number(shown.max())} (channel {int(shown.max(axis=(0, 1)).argmax())}), "
            f"{covered:.0%} of the pixels above half of it"
        )
    return describe(
        fig,
        f"{title}, before training (top row) and after training (bottom row), yellow strongest. "
        f"{words[0][0].upper() + words[0][1:]}; {words[1]}.",
    )
