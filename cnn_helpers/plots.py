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

from matplotlib import pyplot as plt
from matplotlib.figure import Figure, SubFigure
import numpy as np

from ._checks import check_array, check_count

__all__ = [
    "grid_shape",
    "plot_confusion_matrix",
    "plot_history",
    "show_feature_maps",
    "show_filters",
    "show_images",
    "show_misclassified",
    "show_probabilities",
]

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
                f"images must have one channel, got shape {images.shape}; show_images draws grayscale digits"
            )
        images = images[..., 0]
    n = check_count("n", n, maximum=len(images), what="images")
    if labels is not None:
        labels = check_array("labels", labels, ndim=(1, 2), shape_hint="(m,) or one-hot (m, classes)")
        if len(labels) != len(images):
            raise ValueError(
                f"labels has {len(labels)} entries but images has {len(images)}; give one label per image"
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


def show_filters(
    layer: Any,
    n_filters: int,
    *,
    limit: float | None = None,
    title: str | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show the first ``n_filters`` kernels of a ``Conv2D`` layer, every input channel of each.

    Kernels are ``(kh, kw, in_channels, filters)``. One filter per panel when the
    layer sees one channel (a grayscale image); with several input channels, one
    row per filter and one column per channel. All panels share one colour scale,
    symmetric around zero: red weights are positive, blue negative. The scale runs from
    ``-limit`` to ``+limit``, by default the largest absolute weight shown; pass the same
    ``limit`` to compare two layers (before / after training). Used in "Look inside: filters".
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
    if limit is None:
        limit = float(np.abs(shown).max()) or 1.0  # symmetric scale; all-zero kernels still draw
    elif isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 < limit < float("inf"):
        raise ValueError(f"limit must be a positive finite number, got {limit!r}")

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
    fig.suptitle(title or f"First {n_filters} filters of {layer.name!r} ({kh}x{kw}x{channels})", fontsize=14)
    return fig


def show_feature_maps(
    feature_maps: Any, n: int, *, title: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
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
        else:
            ax.imshow(channel, cmap="viridis")
        ax.set_title(f"channel {i}", fontsize=12)
    fig.suptitle(title or f"First {n} feature maps ({maps.shape[1]}x{maps.shape[2]} each)", fontsize=14)
    return fig


def plot_history(history: Any, *, fig: FigureLike | None = None) -> FigureLike:
    """Plot loss and accuracy per epoch, training vs validation, from ``model.fit``'s result.

    ``history`` is the ``keras.callbacks.History`` that ``fit`` returns (or its
    ``.history`` dict) with ``loss`` and ``accuracy``, and ``val_`` versions if a
    validation set was used. Used in "How training went".
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"history must be a keras History or a dict, got {type(history).__name__}")
    for key in ("loss", "accuracy"):
        if key not in logs:
            raise ValueError(f"history has no {key!r}: compile the model with metrics=['accuracy']")
        check_array(f"history[{key!r}]", logs[key], ndim=(1,), shape_hint="(epochs,)")
    fig = _new_figure(fig, 12, 4.2)
    axes = fig.subplots(1, 2)
    epochs = np.arange(1, len(logs["loss"]) + 1)
    for ax, key in zip(axes, ("loss", "accuracy"), strict=True):
        ax.plot(epochs, logs[key], "o-", label="training")
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], "s-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(key, fontsize=14)
        ax.set_xticks(epochs if len(epochs) <= 15 else epochs[:: max(1, len(epochs) // 10)])
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def plot_confusion_matrix(matrix: Any, *, fig: FigureLike | None = None) -> FigureLike:
    """Draw a ``(k, k)`` confusion matrix: rows are true classes, columns predicted ones.

    Counts are written in each cell; the colour is on a log scale so that the few
    mistakes stand out next to the large diagonal. Used in "Where it fails".
    """
    from matplotlib.colors import LogNorm

    matrix = check_array("matrix", matrix, ndim=(2,), shape_hint="(classes, classes)")
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if np.any(matrix < 0):
        raise ValueError("matrix must hold counts (no negative values)")
    k = matrix.shape[0]
    fig = _new_figure(fig, 0.75 * k + 2.5, 0.7 * k + 1.5)
    ax = fig.add_subplot()
    image = ax.imshow(
        np.maximum(matrix, 0.5), cmap="Blues", norm=LogNorm(vmin=0.5, vmax=max(float(matrix.max()), 1))
    )
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            colour = "white" if i == j else "firebrick"  # mistakes in red
            ax.text(
                j,
                i,
                f"{int(count)}",
                ha="center",
                va="center",
                fontsize=11,
                color=colour,
                fontweight="bold" if i != j else "normal",
            )
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"Confusion matrix: {int(np.trace(matrix))} of {int(matrix.sum())} correct", fontsize=14)
    fig.colorbar(image, ax=ax, shrink=0.8, label="count (log scale)")
    return fig


def show_misclassified(
    images: Any, labels: Any, probabilities: Any, n: int = 12, *, fig: FigureLike | None = None
) -> FigureLike:
    """Show the ``n`` most confidently wrong predictions, most confident first.

    ``images`` ``(m, h, w)`` or ``(m, h, w, 1)``, true ``labels`` ``(m,)`` (or one-hot),
    ``probabilities`` ``(m, classes)`` from ``model.predict``. Each title gives the true
    label, the prediction and the probability the model gave it.
    """
    images = check_array("images", images, ndim=(3, 4), shape_hint="(m, h, w) or (m, h, w, 1)")
    labels = check_array("labels", labels, ndim=(1, 2), shape_hint="(m,) or one-hot (m, classes)")
    probabilities = check_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if not len(images) == len(labels) == len(probabilities):
        raise ValueError(
            f"images ({len(images)}), labels ({len(labels)}) and probabilities ({len(probabilities)}) "
            "must have one entry per image"
        )
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    if len(wrong) == 0:
        raise ValueError("there are no misclassified images to show")
    n = check_count("n", n, maximum=len(wrong), what="misclassified images")
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")][:n]
    if images.ndim == 4:
        images = images[..., 0]
    rows, cols = grid_shape(n, max_cols=6)
    fig = _new_figure(fig, 2.1 * cols, 2.3 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, index in zip(axes.flat, order, strict=False):  # more panels than mistakes
        ax.imshow(images[index], cmap="gray")
        ax.set_title(
            f"true {int(labels[index])}, said {predicted[index]}\n"
            f"p = {probabilities[index, predicted[index]]:.2f}  (#{index})",
            fontsize=11,
        )
    for ax in axes.flat:
        _clean(ax)
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    fig.suptitle(f"The {n} most confident mistakes (of {len(wrong)})", fontsize=14)
    return fig


def show_probabilities(images: Any, probabilities: Any, *, fig: FigureLike | None = None) -> FigureLike:
    """Show each image above a bar chart of its class probabilities ``(m, classes)``."""
    images = check_array("images", images, ndim=(3, 4), shape_hint="(m, h, w) or (m, h, w, 1)")
    probabilities = check_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if len(images) != len(probabilities):
        raise ValueError(f"images has {len(images)} entries but probabilities has {len(probabilities)}")
    check_count("len(images)", len(images), maximum=10, what="images this figure can show")
    if images.ndim == 4:
        images = images[..., 0]
    m, k = probabilities.shape
    fig = _new_figure(fig, 2.4 * m, 4.6)
    axes = fig.subplots(2, m, squeeze=False, height_ratios=[1, 1])
    for i in range(m):
        axes[0, i].imshow(images[i], cmap="gray")
        _clean(axes[0, i])
        best = int(probabilities[i].argmax())
        axes[0, i].set_title(f"says {best} ({probabilities[i, best]:.0%})", fontsize=12)
        colours = ["tab:orange" if c == best else "tab:blue" for c in range(k)]
        axes[1, i].bar(range(k), probabilities[i], color=colours)
        axes[1, i].set_ylim(0, 1)
        axes[1, i].set_xticks(range(k))
        axes[1, i].tick_params(labelsize=9)
        if i == 0:
            axes[1, i].set_ylabel("probability")
        else:
            axes[1, i].set_yticks([])
    return fig
