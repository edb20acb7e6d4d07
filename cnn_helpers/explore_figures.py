"""Figures of the exploratory notebook ``cnn_mnist_explore.ipynb``, by part: 1. kernels side by side
(Filters are learned), 2. padding and stride, 3. receptive fields, 4. accuracy on shifted digits,
5. saliency and occlusion maps (Where the model looks). Like every helper, each checks its arguments
first, draws on a new figure (or the ``fig=`` you pass) and returns it.
"""

from __future__ import annotations

import numbers
from typing import Any

from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
import numpy as np

from ._args import check_array, check_count, check_gray_images
from ._figure import FigureLike, clean, matrix, new_figure, outline, symmetric_limit
from .explore import conv_output_size

__all__ = [
    "plot_shift_accuracy",
    "show_kernels",
    "show_padding_stride",
    "show_receptive_field",
    "show_saliency",
]

COLOURS = ("tab:orange", "tab:red", "tab:cyan", "tab:green", "tab:purple")


def show_kernels(
    kernels: dict[str, Any], *, title: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Show named kernels ``(kh, kw)`` side by side, numbers written in, on one shared colour scale.

    The scale is symmetric around zero (red positive, blue negative), so that e.g. a "true
    kernel" and a "learned kernel" compare at a glance. Used in "Can a network learn a kernel?".
    """
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError(f"kernels must be a non-empty dict of name -> (kh, kw) kernel, got {kernels!r}")
    arrays = {
        n: check_array(f"kernels[{n!r}]", k, ndim=(2,), shape_hint="(kh, kw)") for n, k in kernels.items()
    }
    if max(max(k.shape) for k in arrays.values()) > 12:
        raise ValueError("kernels larger than 12x12 are too large to print their numbers")
    limit = symmetric_limit(*arrays.values())
    fig = new_figure(fig, 3.6 * len(arrays) + 1.2, 4.0 + (0.4 if title else 0))
    axes = fig.subplots(1, len(arrays), squeeze=False)[0]
    for ax, (name, kernel) in zip(axes, arrays.items(), strict=True):
        label = f"{name} ({kernel.shape[0]}x{kernel.shape[1]})"
        image = matrix(ax, kernel, label, cmap="RdBu_r", limits=(-limit, limit))
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    if title:
        fig.suptitle(title, fontsize=14)
    return fig


def _convolve(image: np.ndarray, kernel: np.ndarray, padding: str | int, stride: int) -> np.ndarray:
    """Return ``tf.nn.conv2d`` of ``image`` ``(h, w)`` with ``kernel`` ``(kh, kw)``, as Keras pads."""
    import tensorflow as tf

    pad = padding.upper() if isinstance(padding, str) else [[0, 0], [padding] * 2, [padding] * 2, [0, 0]]
    x, k = image[None, :, :, None].astype(np.float32), kernel[:, :, None, None].astype(np.float32)
    return tf.nn.conv2d(x, k, strides=stride, padding=pad)[0, :, :, 0].numpy()


def _check_settings(settings: Any, image_shape: tuple, kernel_shape: tuple) -> list[tuple[Any, Any]]:
    """Return ``settings`` as 1 to 6 ``(padding, stride)`` pairs that Keras accepts for these shapes."""
    try:
        pairs = [(padding, stride) for padding, stride in settings]
    except (TypeError, ValueError) as err:
        raise TypeError(f"settings must be (padding, stride) pairs, got {settings!r}") from err
    if not 1 <= len(pairs) <= 6:
        raise ValueError(f"settings must hold 1 to 6 (padding, stride) pairs, got {len(pairs)}")
    for padding, stride in pairs:
        for n, k in zip(image_shape, kernel_shape, strict=True):
            conv_output_size(n, k, padding=padding, stride=stride)  # raises on a bad setting
    return pairs


def show_padding_stride(
    image: Any,
    kernel: Any,
    settings: Any = (("valid", 1), ("same", 1), ("valid", 2), ("same", 2)),
    *,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show an image ``(h, w)`` and its convolution with ``kernel`` ``(kh, kw)`` under each setting.

    ``settings`` are ``(padding, stride)`` pairs, padding ``"valid"``, ``"same"`` or an int, as in
    Keras; each title gives the output shape. The outputs share one colour scale.
    Used in "Padding and stride".
    """
    image = check_array("image", image, ndim=(2,), shape_hint="(h, w)")
    kernel = check_array("kernel", kernel, ndim=(2,), shape_hint="(kh, kw)")
    pairs = _check_settings(settings, image.shape, kernel.shape)
    outputs = [_convolve(image, kernel, padding, stride) for padding, stride in pairs]
    limit = symmetric_limit(*outputs)
    fig = new_figure(fig, 3.3 * (1 + len(pairs)) + 1, 4.2)
    axes = fig.subplots(1, 1 + len(pairs))
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title(
        f"input {image.shape[0]}x{image.shape[1]}\nkernel {kernel.shape[0]}x{kernel.shape[1]}", fontsize=13
    )
    for ax, out, (padding, stride) in zip(axes[1:], outputs, pairs, strict=True):
        shown = ax.imshow(out, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(
            f"padding={padding!r}, stride={stride}\noutput {out.shape[0]}x{out.shape[1]}", fontsize=13
        )
    for ax in axes:
        clean(ax)
    fig.colorbar(shown, ax=list(axes[1:]), shrink=0.8, label="output value")
    return fig


def _check_boxes(boxes: Any) -> dict[str, tuple[int, int, int]]:
    """Return ``boxes`` if it maps up to five names to ``(top, left, size)`` ints; else raise."""
    if not isinstance(boxes, dict) or not 1 <= len(boxes) <= len(COLOURS):
        raise TypeError(
            f"boxes must be a dict of 1 to {len(COLOURS)} name -> (top, left, size), got {boxes!r}"
        )
    for name, box in boxes.items():
        ints = isinstance(box, (tuple, list)) and len(box) == 3
        ints = ints and not any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in box)
        if not ints or box[2] < 1:
            raise ValueError(f"boxes[{name!r}] must be three ints (top, left, size >= 1), got {box!r}")
    return {name: tuple(int(v) for v in box) for name, box in boxes.items()}


def _check_unit(feature_map: Any, unit: Any) -> np.ndarray:
    """Return ``feature_map`` ``(h', w')`` checked, with ``unit`` ``(row, col)`` inside it."""
    fmap = check_array("feature_map", feature_map, ndim=(2,), shape_hint="(h', w')")
    pair = isinstance(unit, (tuple, list)) and len(unit) == 2
    if not pair or not all(
        isinstance(u, numbers.Integral) and 0 <= u < n for u, n in zip(unit, fmap.shape, strict=True)
    ):
        raise ValueError(f"unit must be a (row, col) inside the {fmap.shape} feature map, got {unit!r}")
    return fmap


def show_receptive_field(
    image: Any,
    boxes: dict[str, Any],
    *,
    feature_map: Any = None,
    unit: tuple[int, int] | None = None,
    fig: FigureLike | None = None,
) -> FigureLike:
    """Show a digit ``(h, w)`` with receptive fields outlined, one colour per ``(top, left, size)``.

    Boxes come from ``receptive_field_box`` and may stick out of the image (same padding).
    With ``feature_map`` ``(h', w')`` and ``unit`` ``(row, col)``, the map is drawn alongside
    with that unit outlined in the colour of the last box. Used in "How far does a unit see?".
    """
    image = check_array("image", image, ndim=(2,), shape_hint="(h, w)")
    boxes = _check_boxes(boxes)
    fmap = None if feature_map is None else _check_unit(feature_map, unit)
    fig = new_figure(fig, 5.4 + (4.8 if fmap is not None else 0), 6.0)
    axes = fig.subplots(1, 2 if fmap is not None else 1, squeeze=False)[0]
    if fmap is not None:
        axes[1].imshow(fmap, cmap="viridis")
        outline(axes[1], unit[0], unit[1], 1, 1, COLOURS[len(boxes) - 1])
        axes[1].set_title(f"feature map {fmap.shape[0]}x{fmap.shape[1]}, unit {tuple(unit)}", fontsize=13)
        clean(axes[1])
    axes[0].imshow(image, cmap="gray")
    handles = []
    for colour, (name, (top, left, size)) in zip(COLOURS, boxes.items(), strict=False):
        outline(axes[0], top, left, size, size, colour)
        handles.append(Patch(fill=False, edgecolor=colour, linewidth=3, label=f"{name}: {size}x{size}"))
    axes[0].legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=12, frameon=False
    )
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}: what one unit sees", fontsize=13)
    clean(axes[0])
    return fig


def plot_shift_accuracy(
    shifts: Any, accuracies: Any, *, baseline: float | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Plot accuracy ``(k,)`` against shift in pixels ``(k,)``, each point labelled with its value.

    ``baseline``, the accuracy of guessing at random in [0, 1] (0.1 for ten classes), is drawn as a
    dashed line.
    Used in "Shifted digits".
    """
    shifts = check_array("shifts", shifts, ndim=(1,), shape_hint="(k,)")
    accuracies = check_array("accuracies", accuracies, ndim=(1,), shape_hint="(k,)")
    if len(shifts) != len(accuracies):
        raise ValueError(f"shifts has {len(shifts)} values but accuracies has {len(accuracies)}")
    if np.any(accuracies < 0) or np.any(accuracies > 1):
        raise ValueError("accuracies must be fractions in [0, 1]")
    if baseline is not None and (
        isinstance(baseline, bool) or not isinstance(baseline, numbers.Real) or not 0 <= baseline <= 1
    ):
        raise ValueError(f"baseline must be an accuracy in [0, 1], got {baseline!r}")
    order = np.argsort(shifts, kind="stable")
    fig = new_figure(fig, 8, 4.8)
    ax = fig.add_subplot()
    ax.plot(shifts[order], accuracies[order], "o-", linewidth=2.5, markersize=8, label="test accuracy")
    for x, y in zip(shifts, accuracies, strict=True):
        ax.annotate(f"{y:.1%}", (x, y), textcoords="offset points", xytext=(0, 9), ha="center", fontsize=11)
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle="--", label=f"guessing at random ({baseline:.0%})")
    ax.set(xlabel="shift (pixels)", ylabel="accuracy", ylim=(0, 1.1), xticks=np.unique(shifts))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.label.set_size(13)
    ax.yaxis.label.set_size(13)
    ax.tick_params(labelsize=11)
    ax.margins(x=0.08)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=11)
    ax.set_title("Accuracy on shifted test digits", fontsize=14)
    return fig


def show_saliency(
    images: Any, maps: Any, titles: Any, *, map_name: str = "saliency", fig: FigureLike | None = None
) -> FigureLike:
    """Show each digit ``(m, h, w)`` above its map ``(m, h', w')`` (saliency or occlusion).

    Each map has its own colour scale (zero is dark; negative values, if any, blue); a map the
    size of its image carries the digit's outline. Up to 8 digits, ``titles`` one per digit,
    e.g. ``"true 4, said 9 (p = 0.62)"``. Used in "What does the model look at?".
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
    return fig
