"""Pictures of the data and of a model's first layers: digits, filters, feature maps.

Every helper checks its arguments first, then draws on a new
``matplotlib.figure.Figure`` (or on the ``fig=`` you pass, e.g. a subfigure) and
returns it. A new figure is closed in pyplot as soon as it is made: it needs no
interactive backend, and Jupyter shows it exactly once, as the cell's value
(outside Jupyter, save it with ``fig.savefig(...)``).
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
import numpy as np

from ._args import check_array, check_count, check_gray_images, check_positive, class_numbers
from ._figure import FigureLike, clean, grid_shape, image_grid, new_figure, symmetric_limit

__all__ = ["show_feature_maps", "show_filters", "show_images"]


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
    images = check_gray_images("images", images)
    n = check_count("n", n, maximum=len(images), what="images")
    if labels is not None:
        labels = class_numbers("labels", labels, len(images))
    rows, cols = grid_shape(n, max_cols=6)
    fig = new_figure(fig, 2.2 * cols, 2.3 * rows + (0.4 if title else 0))
    shown = images[:n]
    for i, ax in enumerate(image_grid(fig, n, max_cols=6)):
        ax.imshow(shown[i], cmap="gray", vmin=float(shown.min()), vmax=float(shown.max()))
        if labels is not None:
            ax.set_title(f"label {int(labels[i])}", fontsize=14)
    if title:
        fig.suptitle(title, fontsize=15)
    return fig


def _conv_kernel(layer: Any) -> np.ndarray:
    """Return the kernel ``(kh, kw, in_channels, filters)`` of a built ``Conv2D`` layer."""
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
    return weights[0]


def _filter_panels(fig: FigureLike, shown: np.ndarray) -> list[tuple[Axes, np.ndarray, str | None]]:
    """Lay out panels for kernels ``(kh, kw, channels, n)``: a grid if one channel, else filter x channel."""
    channels, n = shown.shape[2:]
    if channels == 1:
        return [(ax, shown[:, :, 0, i], f"filter {i}") for i, ax in enumerate(image_grid(fig, n))]
    axes = fig.subplots(n, channels, squeeze=False)
    panels = []
    for i in range(n):
        axes[i, 0].set_ylabel(f"filter {i}", fontsize=12, rotation=0, ha="right", va="center")
        for c in range(channels):
            clean(axes[i, c])
            panels.append((axes[i, c], shown[:, :, c, i], f"in {c}" if i == 0 else None))
    return panels


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
    and one column per input channel. All panels share one colour scale, symmetric around
    zero (red positive, blue negative), from ``-limit`` to ``+limit``: by default the
    largest absolute weight shown; pass the same ``limit`` to compare two figures.
    Used in "Look inside before training: filters".
    """
    kernel = _conv_kernel(layer)
    kh, kw, channels, filters = kernel.shape
    n_filters = check_count("n_filters", n_filters, maximum=filters, what=f"filters of layer {layer.name!r}")
    limit = symmetric_limit(kernel[..., :n_filters]) if limit is None else check_positive("limit", limit)
    if channels == 1:
        rows, cols = grid_shape(n_filters)
        fig = new_figure(fig, 1.9 * cols + 1.3, 2.0 * rows + 0.7)
    else:
        side = min(1.3, 11 / channels)
        fig = new_figure(fig, side * channels + 2.2, side * n_filters + 0.9)
    image = None
    for ax, weights, label in _filter_panels(fig, kernel[..., :n_filters]):
        image = ax.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
        if label:
            ax.set_title(label, fontsize=12)
    fig.colorbar(image, ax=fig.axes, shrink=0.8, label="weight")
    fig.suptitle(title or f"First {n_filters} filters of {layer.name!r} ({kh}x{kw}x{channels})", fontsize=14)
    return fig


def show_feature_maps(
    feature_maps: Any, n: int, *, title: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Show the first ``n`` channels of a ``(1, h, w, c)`` activation array.

    Each map is scaled on its own colour scale (yellow = the strongest response in that
    map), as the title says. A map that is zero everywhere (a "dead" ReLU channel for this
    image) is labelled instead of drawn as a dark square. Used in "Look inside before
    training: feature maps".
    """
    maps = check_array("feature_maps", feature_maps, ndim=(4,), shape_hint="(1, h, w, c)")
    if maps.shape[0] != 1:
        raise ValueError(
            f"feature_maps must hold one image, shape (1, h, w, c); got a batch of {maps.shape[0]}: "
            "pass feature_maps[i:i + 1]"
        )
    n = check_count("n", n, maximum=maps.shape[-1], what="channels in feature_maps")
    rows, cols = grid_shape(n)
    fig = new_figure(fig, 2.1 * cols, 2.2 * rows + 0.8)
    for i, ax in enumerate(image_grid(fig, n)):
        channel = maps[0, :, :, i]
        if np.any(channel):
            ax.imshow(channel, cmap="viridis")
        else:
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
        ax.set_title(f"channel {i}", fontsize=12)
    fig.suptitle(
        (title + "\n" if title else "")
        + f"First {n} feature maps ({maps.shape[1]}x{maps.shape[2]}), each on its own colour scale",
        fontsize=14,
    )
    return fig
