"""Pictures of the data and of a model: digits, first-layer filters, feature maps.

Every helper checks its arguments first, then draws on a new
``matplotlib.figure.Figure`` (or on the ``fig=`` you pass, e.g. a subfigure) and
returns it. A new figure is closed in pyplot as soon as it is made: it needs no
interactive backend, and Jupyter shows it exactly once, as the cell's value
(outside Jupyter, save it with ``fig.savefig(...)``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.figure import Figure, SubFigure

from ._checks import check_array, check_count

__all__ = ["show_images", "show_filters", "show_feature_maps", "grid_shape"]

FigureLike = Figure | SubFigure


def grid_shape(n: int, max_cols: int = 8) -> tuple[int, int]:
    """Return ``(rows, cols)`` of a square-ish grid, wider than tall, holding ``n`` panels."""
    n = check_count("n", n)
    rows = max(math.isqrt(n), math.ceil(n / max_cols))
    return rows, math.ceil(n / rows)


def _new_figure(fig: FigureLike | None, width: float, height: float) -> FigureLike:
    if fig is None:
        # Made through pyplot, so that Jupyter's inline display knows how to render it, then
        # closed at once, so that the inline backend does not show it a second time.
        new = plt.figure(figsize=(width, height), layout="constrained")
        plt.close(new)
        return new
    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"fig must be a matplotlib Figure or SubFigure, got {type(fig).__name__}")
    return fig


def _clean(ax: Any) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def show_images(
    images: Any,
    labels: Any = None,
    n: int = 9,
    *,
    title: str | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show the first ``n`` images on a grid, with their labels as titles.

    ``images``: ``(m, h, w)`` or ``(m, h, w, 1)``; ``labels``: ``(m,)`` or
    one-hot ``(m, classes)``. Used in "Verify the data".
    """
    images = check_array("images", images, ndim=(3, 4), shape_hint="(m, h, w) or (m, h, w, 1)")
    if images.ndim == 4:
        if images.shape[-1] != 1:
            raise ValueError(
                f"images must have one channel, got shape {images.shape}; "
                "show_images draws grayscale digits"
            )
        images = images[..., 0]
    n = check_count("n", n, maximum=len(images), what="images")
    if labels is not None:
        labels = check_array("labels", labels, ndim=(1, 2), shape_hint="(m,) or one-hot (m, classes)")
        if len(labels) != len(images):
            raise ValueError(
                f"labels has {len(labels)} entries but images has {len(images)}; "
                "give one label per image"
            )
        if labels.ndim == 2:  # one-hot rows back to class numbers
            labels = labels.argmax(axis=1)
    rows, cols = grid_shape(n, max_cols=6)
    fig = _new_figure(fig, 1.8 * cols, 1.9 * rows + (0.4 if title else 0))
    axes = fig.subplots(rows, cols, squeeze=False)
    vmin, vmax = float(images[:n].min()), float(images[:n].max())
    for i, ax in enumerate(axes.flat):
        _clean(ax)
        if i >= n:
            ax.set_axis_off()
            continue
        ax.imshow(images[i], cmap="gray", vmin=vmin, vmax=vmax)
        if labels is not None:
            ax.set_title(f"label {int(labels[i])}", fontsize=13)
    if title:
        fig.suptitle(title, fontsize=15)
    return fig


def show_filters(layer: Any, n_filters: int, *, title: str | None = None,
                 fig: FigureLike | None = None) -> FigureLike:
    """Show the first ``n_filters`` kernels of a ``Conv2D`` layer, every input channel of each.

    Kernels are ``(kh, kw, in_channels, filters)``. One filter per panel when the
    layer sees one channel (a grayscale image); with several input channels, one
    row per filter and one column per channel. All panels share one colour scale,
    symmetric around zero: red weights are positive, blue negative. Used in
    "Look inside: filters".
    """
    import keras  # imported here so that plotting arrays does not need TensorFlow loaded

    if not isinstance(layer, keras.layers.Conv2D):
        raise TypeError(
            f"layer must be a keras.layers.Conv2D (e.g. model.layers[0]), got {type(layer).__name__}"
        )
    weights = layer.get_weights()
    if not weights:
        raise ValueError(
            f"layer {layer.name!r} has no weights yet: build the model (start it with keras.Input) first"
        )
    kernel = weights[0]
    kh, kw, channels, filters = kernel.shape
    n_filters = check_count("n_filters", n_filters, maximum=filters, what=f"filters of layer {layer.name!r}")
    shown = kernel[..., :n_filters]
    limit = float(np.abs(shown).max()) or 1.0  # symmetric scale; all-zero kernels still draw

    if channels == 1:
        rows, cols = grid_shape(n_filters)
        fig = _new_figure(fig, 1.6 * cols + 1.2, 1.7 * rows + 0.6)
        axes = fig.subplots(rows, cols, squeeze=False)
        panels = [(ax, shown[:, :, 0, i], f"filter {i}") for i, ax in enumerate(axes.flat[:n_filters])]
        for ax in axes.flat[n_filters:]:
            ax.set_axis_off()
    else:
        fig = _new_figure(fig, 1.3 * channels + 1.6, 1.3 * n_filters + 0.6)
        axes = fig.subplots(n_filters, channels, squeeze=False)
        panels = []
        for i in range(n_filters):
            for c in range(channels):
                label = f"in ch {c}" if i == 0 else None
                panels.append((axes[i, c], shown[:, :, c, i], label))
            axes[i, 0].set_ylabel(f"filter {i}", fontsize=12)
    image = None
    for ax, weights_2d, label in panels:
        image = ax.imshow(weights_2d, cmap="RdBu_r", vmin=-limit, vmax=limit)
        _clean(ax)
        if label:
            ax.set_title(label, fontsize=12)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    fig.suptitle(title or f"First {n_filters} filters of {layer.name!r} ({kh}x{kw}x{channels})",
                 fontsize=14)
    return fig


def show_feature_maps(feature_maps: Any, n: int, *, title: str | None = None,
                      fig: FigureLike | None = None) -> FigureLike:
    """Show the first ``n`` channels of a ``(1, h, w, c)`` activation array.

    Each map is scaled on its own (bright = strongest response in that map). A
    map that is zero everywhere (a "dead" ReLU channel for this image) is
    labelled instead of drawn as a black square. Used in "Look inside: feature maps".
    """
    maps = check_array("feature_maps", feature_maps, ndim=(4,), shape_hint="(1, h, w, c)")
    if maps.shape[0] != 1:
        raise ValueError(
            f"feature_maps must hold one image, shape (1, h, w, c); got a batch of {maps.shape[0]}: "
            "pass feature_maps[i:i + 1]"
        )
    n = check_count("n", n, maximum=maps.shape[-1], what="channels in feature_maps")
    rows, cols = grid_shape(n)
    fig = _new_figure(fig, 1.8 * cols, 1.9 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        _clean(ax)
        if i >= n:
            ax.set_axis_off()
            continue
        channel = maps[0, :, :, i]
        if not np.any(channel):
            ax.imshow(np.zeros_like(channel), cmap="Greys", vmin=0, vmax=1)
            ax.text(0.5, 0.5, "all zeros\n(dead here)", ha="center", va="center",
                    transform=ax.transAxes, fontsize=11, color="firebrick")
        else:
            ax.imshow(channel, cmap="viridis")
        ax.set_title(f"channel {i}", fontsize=12)
    fig.suptitle(title or f"First {n} feature maps ({maps.shape[1]}x{maps.shape[2]} each)", fontsize=14)
    return fig
