"""A layer's filters and feature maps. Used in "Look inside before training: filters" and "...:
feature maps"."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
import numpy as np

from .._args import require_array, require_count, require_positive
from .._words import listing, number, plural, sign_share
from ..maths.layers import conv_kernel
from ._base import FigureLike, describe, new_figure
from ._colour import DIVERGING, mark_negative, signed_colorbar, symmetric_limit
from ._panels import clean, grid_shape, image_grid


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


def _filter_size(kernel_shape: tuple[int, ...], n_filters: int) -> tuple[float, float]:
    """Width and height (inches) of a figure of ``n_filters`` kernels ``(kh, kw, channels, filters)``."""
    channels = kernel_shape[2]
    if channels == 1:
        rows, cols = grid_shape(n_filters)
        return 1.9 * cols + 1.6, 2.0 * rows + 0.7
    cols, rows = min(channels, 8), n_filters * -(-channels // 8)
    side = 0.85 if channels > 8 else 1.2
    return side * cols + 3.0, side * rows + 1.0


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


def show_filters(
    layer: Any,
    n_filters: int,
    *,
    limit: float | None = None,
    title: str | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show the first ``n_filters`` kernels of a ``Conv2D`` layer, every input channel of each.

    Kernels are ``(kh, kw, in_channels, filters)``. One panel per filter when the layer
    sees one channel (a grayscale image); with several input channels, one row per filter
    and one column per input channel (beyond 8 channels, each filter takes rows of 8). All
    panels share one colour scale, symmetric around zero (red positive, blue negative, and
    negative weights dotted), from ``-limit`` to ``+limit``: by default the largest absolute
    weight shown; pass the same ``limit`` to compare two figures on one scale.
    Used in "Look inside before training: filters".
    """
    kernel = conv_kernel(layer)
    kh, kw, channels, filters = kernel.shape
    n_filters = require_count(
        "n_filters", n_filters, maximum=filters, what=f"filters of layer {layer.name!r}"
    )
    limit = symmetric_limit(kernel[..., :n_filters]) if limit is None else require_positive("limit", limit)
    fig = new_figure(fig, *_filter_size(kernel.shape, n_filters))
    image = None
    for ax, weights, label in _filter_panels(fig, kernel[..., :n_filters]):
        image = ax.imshow(weights, cmap=DIVERGING, vmin=-limit, vmax=limit)
        mark_negative(ax, weights, image)
        if label:
            ax.set_title(label, fontsize=12)
    signed_colorbar(fig, image, fig.axes, "weight", shrink=0.8)
    filters_word = "filter" if n_filters == 1 else "filters"
    title = title or f"First {n_filters} {filters_word} of {layer.name!r} ({kh}x{kw}x{channels})"
    fig.suptitle(title, fontsize=14)
    return describe(fig, _filter_sentence(title, kernel[..., :n_filters], limit))


def show_feature_maps(
    feature_maps: Any, n: int, *, title: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Show the first ``n`` channels of a ``(1, h, w, c)`` activation array.

    Each map is scaled on its own colour scale (yellow = the strongest response in that
    map), as the title says. A map that is zero everywhere (a "dead" ReLU channel for this
    image) is labelled instead of drawn as a dark square. Used in "Look inside before
    training: feature maps".
    """
    maps = require_array("feature_maps", feature_maps, ndim=(4,), shape_hint="(1, h, w, c)")
    if maps.shape[0] != 1:
        raise ValueError(
            f"feature_maps must hold one image, shape (1, h, w, c); got a batch of {maps.shape[0]}: "
            "pass feature_maps[i:i + 1]"
        )
    n = require_count("n", n, maximum=maps.shape[-1], what="channels in feature_maps")
    rows, cols = grid_shape(n)
    fig = new_figure(fig, 2.1 * cols, 2.2 * rows + 0.8)
    for i, ax in enumerate(image_grid(fig, n)):
        draw_feature_map(ax, maps[0, :, :, i])
        ax.set_title(f"channel {i}", fontsize=12)
    fig.suptitle(
        (title + "\n" if title else "")
        + f"First {n} feature maps ({maps.shape[1]}x{maps.shape[2]}), each on its own colour scale",
        fontsize=14,
    )
    return describe(fig, feature_map_sentence(title, maps[0, :, :, :n]))


def draw_feature_map(ax: Axes, channel: np.ndarray) -> None:
    """Draw one map ``(h, w)`` on its own colour scale, or label it if it is zero everywhere."""
    if np.any(channel):
        ax.imshow(channel, cmap="viridis")
        return
    ax.imshow(np.zeros_like(channel), cmap="Greys", vmin=0, vmax=1)
    ax.text(
        0.5,
        0.5,
        "all zeros\n(dead here)",
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=11,
        color="firebrick",
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
