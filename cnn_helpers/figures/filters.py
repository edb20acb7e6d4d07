"""A layer's filters and feature maps. Used in "Look inside before training: filters" and "...:
feature maps".

Read ``show_filters`` from the top: it reads the layer's weights, then draws each filter with one
``imshow`` on a colour scale shared by all. How colour carries the sign (red positive, blue
negative, negative weights dotted) is in ``_colour``; a new figure, its grid of panels and its
description in words are in ``_base``.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
import numpy as np

from .._args import require_count, require_one_image
from .._words import listing, number, plural, sign_share
from ..maths.layers import conv_kernel
from ._base import FigureLike, clean, describe, grid_shape, image_grid, new_figure
from ._colour import (
    DEAD_MAP_LABEL,
    DIVERGING,
    SEQUENTIAL,
    SHADES,
    draw_negative_dots,
    draw_signed_colorbar,
    symmetric_limit,
)


def show_filters(layer: Any, n: int) -> Figure:
    """Show the first ``n`` filters of a ``Conv2D`` layer, every input channel of each.

    The layer's weights are read first: its kernels ``(kh, kw, in_channels, filters)``. One panel
    per filter when the layer sees one channel (a grayscale image); with several input channels,
    one row per filter and one column per input channel (beyond 8 channels, each filter takes rows
    of 8). All panels share one colour scale, symmetric around zero up to the largest weight shown:
    red positive, blue negative, negative weights also dotted. Used in "Look inside before
    training: filters".
    """
    kernels = conv_kernel(layer)  # the weights: from here on, arrays
    kh, kw, channels, filters = kernels.shape
    n = require_count("n", n, maximum=filters, what=f"filters of layer {layer.name!r}")
    shown = kernels[..., :n]
    limit = symmetric_limit(shown)
    fig = new_figure(*_filter_size(kernels.shape, n))
    for ax, weights, label in _filter_panels(fig, shown):
        image = ax.imshow(weights, cmap=DIVERGING, vmin=-limit, vmax=limit)  # white: a weight of 0
        draw_negative_dots(ax, weights, image)
        if label:
            ax.set_title(label, fontsize=12)
    draw_signed_colorbar(fig, image, fig.axes, "weight", shrink=0.8)
    title = f"First {plural(n, 'filter')} of {layer.name!r} ({kh}x{kw}x{channels})"
    fig.suptitle(title, fontsize=14)
    return describe(fig, _filter_sentence(title, shown, limit))


def _filter_size(kernel_shape: tuple[int, ...], n: int) -> tuple[float, float]:
    """Width and height (inches) of a figure of ``n`` kernels ``(kh, kw, channels, filters)``."""
    channels = kernel_shape[2]
    if channels == 1:
        rows, cols = grid_shape(n)
        return 1.9 * cols + 1.6, 2.0 * rows + 0.7
    cols, rows = min(channels, 8), n * -(-channels // 8)
    side = 0.85 if channels > 8 else 1.2
    return side * cols + 3.0, side * rows + 1.0


def _filter_panels(fig: FigureLike, shown: np.ndarray) -> list[tuple[Axes, np.ndarray, str | None]]:
    """Lay out panels for kernels ``(kh, kw, channels, n)``: a grid if one channel; one row per
    filter and one column per input channel up to 8 channels; beyond, each filter a block of rows
    of 8 input channels, each row named by its filter and channels."""
    channels, n = shown.shape[2:]
    if channels == 1:
        return [(ax, shown[:, :, 0, i], f"filter {i}") for i, ax in enumerate(image_grid(fig, n))]
    cols = min(channels, 8)
    per_filter = -(-channels // cols)
    axes = fig.subplots(n * per_filter, cols, squeeze=False)
    panels = []
    for i in range(n):
        for c in range(per_filter * cols):
            ax = axes[i * per_filter + c // cols, c % cols]
            clean(ax)
            if c >= channels:
                ax.set_axis_off()
                continue
            if c % cols == 0:
                last = min(c + cols, channels) - 1
                name = f"filter {i}" if per_filter == 1 else f"filter {i}\nin {c}–{last}"
                ax.set_ylabel(name, fontsize=12, rotation=0, ha="right", va="center")
            panels.append((ax, shown[:, :, c, i], f"in {c}" if i == 0 and per_filter == 1 else None))
    return panels


def _filter_sentence(name: str, kernel: np.ndarray, limit: float) -> str:
    """The alt text of a filter figure: what is drawn, the colour scale, the extremes."""
    kh, kw, channels, n = kernel.shape
    flat = kernel.reshape(-1, n)
    high, low = (
        np.unravel_index(kernel.argmax(), kernel.shape)[3],
        np.unravel_index(kernel.argmin(), kernel.shape)[3],
    )
    layout = "" if channels == 1 else f", each shown for its {channels} input channels"
    return (
        f"{name}: {plural(n, 'filter')} of {kh}x{kw} weights{layout}, on one colour scale from "
        f"{number(-limit)} to {number(limit)} (red positive, blue and dotted negative). Their weights: "
        f"{sign_share(flat)}; the largest {number(kernel.max())} (filter {high}), the smallest "
        f"{number(kernel.min())} (filter {low})."
    )


def show_feature_maps(feature_maps: Any, n: int) -> Figure:
    """Show the first ``n`` channels of a ``(1, h, w, c)`` activation array.

    Each map is scaled on its own colour scale (yellow = the strongest response in that
    map), as the title says. A map that is zero everywhere (a "dead" ReLU channel for this
    image) is labelled instead of drawn as a dark square. Used in "Look inside before
    training: feature maps".
    """
    maps = require_one_image("feature_maps", feature_maps)
    n = require_count("n", n, maximum=maps.shape[-1], what="channels in feature_maps")
    rows, cols = grid_shape(n)
    return draw_feature_maps(new_figure(2.1 * cols, 2.2 * rows + 0.8), maps[:, :, :n])


def draw_feature_maps(fig: FigureLike, maps: np.ndarray, title: str | None = None) -> FigureLike:
    """Draw feature maps ``(h, w, n)`` on a grid of ``fig`` (a figure or a part of one), each on its
    own colour scale, under ``title``; describe them and return ``fig``."""
    h, w, n = maps.shape
    for i, ax in enumerate(image_grid(fig, n)):
        draw_feature_map(ax, maps[:, :, i])
        ax.set_title(f"channel {i}", fontsize=12)
    fig.suptitle(
        (title + "\n" if title else "") + f"First {n} feature maps ({h}x{w}), each on its own colour scale",
        fontsize=14,
    )
    return describe(fig, feature_map_sentence(title, maps))


def draw_feature_map(ax: Axes, channel: np.ndarray) -> None:
    """Draw one map ``(h, w)`` on its own colour scale, or label it if it is zero everywhere."""
    if np.any(channel):
        ax.imshow(channel, cmap=SEQUENTIAL)
        return
    ax.imshow(np.zeros_like(channel), cmap=SHADES, vmin=0, vmax=1)  # a white panel
    ax.text(
        0.5,
        0.5,
        "all zeros\n(dead here)",
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=11,
        color=DEAD_MAP_LABEL,
    )


def feature_map_sentence(title: str | None, maps: np.ndarray) -> str:
    """The alt text of feature maps ``(h, w, n)``: how many, which are dead, the strongest response."""
    h, w, n = maps.shape
    dead = [c for c in range(n) if not np.any(maps[..., c])]
    strongest = int(maps.max(axis=(0, 1)).argmax())
    verb = "is" if len(dead) == 1 else "are"
    dead_words = f"{listing(f'channel {c}' for c in dead)} {verb} zero everywhere (dead); " if dead else ""
    return (
        f"{(title + ': ') if title else ''}the first {plural(n, 'feature map')} ({h}x{w}) of one image, "
        f"each on its own colour scale (yellow strongest); {dead_words}the strongest response is "
        f"{number(maps.max())}, in channel {strongest}."
    )
