"""The theory made visible: a convolution step by step, hand-made kernels on a digit, an RGB
convolution and pooling. Used in "What is a convolution?" and "Average and max pooling".
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_array
from .._words import listing, number, where_signed
from ..maths.convolution import conv2d_by_hand, pool2d_by_hand
from ._base import FigureLike, clean, describe, new_figure
from ._colour import (
    CHANNEL_MAPS,
    DIVERGING,
    GRAYSCALE,
    POOL_OUTLINE,
    SEQUENTIAL,
    WINDOW_OUTLINE,
    draw_negative_dots,
    draw_signed_colorbar,
    symmetric_limit,
)
from ._panels import draw_matrix, draw_outline


def _require_positions(positions: Any, out_shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """Return ``positions`` as ``(row, col)`` pairs inside an output of ``out_shape``; else raise."""
    try:
        pairs = [tuple(int(v) for v in p) for p in positions]
    except (TypeError, ValueError) as err:
        raise TypeError(f"positions must be (row, col) pairs, got {positions!r}") from err
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError(f"positions must be a non-empty list of (row, col) pairs, got {positions!r}")
    for r, c in pairs:
        if not (0 <= r < out_shape[0] and 0 <= c < out_shape[1]):
            raise ValueError(f"position {(r, c)} is outside the {out_shape[0]}x{out_shape[1]} output")
    return pairs


def _rows(values: np.ndarray) -> str:
    """A small matrix in words, row by row: ``"1 0 -1; 1 0 -1"``."""
    return "; ".join(" ".join(number(v, 3) for v in row) for row in values)


def _span(values: np.ndarray) -> str:
    """``"from -2.5 to 3"``."""
    return f"from {number(values.min(), 3)} to {number(values.max(), 3)}"


def show_convolution_steps(image: Any, kernel: Any, positions: Any = ((0, 0), (2, 1), (2, 3))) -> Figure:
    """Show a grayscale convolution step by step: one row per output position ``(row, col)``.

    ``image`` ``(h, w)`` and ``kernel`` ``(kh, kw)``, small enough to print (at most 12x12).
    Each row draws the input (bright = large) with the window outlined, the kernel, the
    element-wise products with their sum, and the output map with the computed cell outlined.
    Kernel, products and output are red where positive and blue where negative.
    """
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    kernel = require_array("kernel", kernel, ndim=(2,), shape_hint="(kh, kw)")
    if max(image.shape) > 12:
        raise ValueError(f"image {image.shape} is too large to print its numbers; use at most 12x12")
    out = conv2d_by_hand(image, kernel)
    positions = _require_positions(positions, out.shape)
    kh, kw = kernel.shape
    fig = new_figure(10, 2.9 * len(positions) + 0.5)
    axes = fig.subplots(len(positions), 4, squeeze=False)
    image_limits = (float(image.min()), float(image.max()))
    for row, (r, c) in enumerate(positions):
        products = image[r : r + kh, c : c + kw] * kernel
        draw_matrix(axes[row, 0], image, "input", cmap=GRAYSCALE, limits=image_limits)
        draw_outline(axes[row, 0], r, c, kh, kw, WINDOW_OUTLINE)
        limit = symmetric_limit(kernel)
        draw_matrix(axes[row, 1], kernel, "kernel", cmap=DIVERGING, limits=(-limit, limit))
        limit = symmetric_limit(products)
        title = f"window × kernel\nsum = {products.sum():g}"
        draw_matrix(axes[row, 2], products, title, cmap=DIVERGING, limits=(-limit, limit))
        limit = symmetric_limit(out)
        draw_matrix(
            axes[row, 3], out, f"output[{r}, {c}]\n= {out[r, c]:g}", cmap=DIVERGING, limits=(-limit, limit)
        )
        draw_outline(axes[row, 3], r, c, 1, 1, WINDOW_OUTLINE)
    fig.suptitle("Convolution, one output pixel at a time (valid padding, stride 1)", fontsize=14)
    steps = listing(f"output[{r}, {c}] = {number(out[r, c], 3)}" for r, c in positions)
    return describe(
        fig,
        f"Convolution, one output pixel at a time: a {image.shape[0]}x{image.shape[1]} input and a "
        f"{kh}x{kw} kernel (rows {_rows(kernel)}) give a {out.shape[0]}x{out.shape[1]} output (valid "
        f"padding, stride 1). For each step the window is outlined on the input, multiplied by the "
        f"kernel cell by cell, and summed: {steps}.",
    )


def show_kernel_outputs(image: Any, kernels: dict[str, Any]) -> Figure:
    """Show a ``(h, w)`` image next to what each named ``(kh, kw)`` kernel makes of it.

    The outputs share one colour scale, symmetric around zero (red positive, blue
    negative), so their strengths can be compared.
    """
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError("kernels must be a non-empty dict of name -> (kh, kw) kernel")
    outputs = {name: conv2d_by_hand(image, k) for name, k in kernels.items()}
    limit = symmetric_limit(*outputs.values())
    fig = new_figure(2.9 * (1 + len(outputs)) + 1.2, 3.8)
    axes = fig.subplots(1, 1 + len(outputs), squeeze=False)[0]
    axes[0].imshow(image, cmap=GRAYSCALE)
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}", fontsize=13)
    shown = None
    for ax, (name, out) in zip(axes[1:], outputs.items(), strict=True):
        shown = ax.imshow(out, cmap=DIVERGING, vmin=-limit, vmax=limit)
        draw_negative_dots(ax, out, shown)
        ax.set_title(f"{name} {out.shape[0]}x{out.shape[1]}", fontsize=13)
    for ax in axes:
        clean(ax)
    draw_signed_colorbar(fig, shown, list(axes[1:]), "output value", shrink=0.8)
    each = "; ".join(
        f"{name} {out.shape[0]}x{out.shape[1]} {_span(out)}: {where_signed(out)}"
        for name, out in outputs.items()
    )
    strongest = max(outputs, key=lambda name: float(np.abs(outputs[name]).max()))
    return describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} input and what each kernel makes of it, on one colour "
        f"scale (red positive, blue and dotted negative): {each}"
        + (f"; the strongest response is {strongest}'s." if len(outputs) > 1 else "."),
    )


def _rgb_channels_rows(fig: FigureLike, grid: Any, image: np.ndarray, kernel: np.ndarray) -> None:
    """Top row: each input channel; middle row: that channel convolved with its kernel slice."""
    per_channel = [conv2d_by_hand(image[..., c], kernel[..., c]) for c in range(3)]
    limit = symmetric_limit(*per_channel)
    names = ("red", "green", "blue")
    for c in range(3):
        title = f"input: {names[c]}\nchannel"
        draw_matrix(
            fig.add_subplot(grid[0, c]),
            image[..., c],
            title,
            cmap=CHANNEL_MAPS[c],
            limits=(0, image.max() or 1),
        )
        title = f"{names[c]} *\nkernel[:, :, {c}]"
        draw_matrix(
            fig.add_subplot(grid[1, c]), per_channel[c], title, cmap=DIVERGING, limits=(-limit, limit)
        )


def show_rgb_convolution(image: Any, kernel: Any, bias: float = 0.0) -> Figure:
    """Show how one ``(kh, kw, 3)`` filter turns an ``(h, w, 3)`` RGB image into one map.

    Top row: each input channel. Middle row: that channel convolved with its own kernel
    slice (numbers written in). Bottom: their sum plus ``bias``, the single output map.
    """
    image = require_array("image", image, ndim=(3,), shape_hint="(h, w, 3)")
    kernel = require_array("kernel", kernel, ndim=(3,), shape_hint="(kh, kw, 3)")
    if image.shape[2] != 3 or kernel.shape[2] != 3:
        raise ValueError(f"image and kernel must have 3 channels (RGB), got {image.shape} and {kernel.shape}")
    if max(image.shape[:2]) > 10:
        raise ValueError(f"image {image.shape} is too large to print its numbers; use at most 10x10")
    total = conv2d_by_hand(image, kernel, bias)
    fig = new_figure(10, 9)
    grid = fig.add_gridspec(3, 4)
    _rgb_channels_rows(fig, grid, image, kernel)
    rgb = fig.add_subplot(grid[0, 3])
    rgb.imshow(image / (float(image.max()) or 1.0))
    rgb.set_title("the RGB image", fontsize=12)
    clean(rgb)
    note = fig.add_subplot(grid[1, 3])
    note.set_axis_off()
    text = f"one filter =\n3 kernel slices\n+ 1 bias\n\nbias = {bias:g}"
    note.text(0.5, 0.5, text, ha="center", va="center", fontsize=13)
    limit = symmetric_limit(total)
    title = "sum of the three + bias = ONE feature map"
    draw_matrix(fig.add_subplot(grid[2, 1:3]), total, title, cmap=DIVERGING, limits=(-limit, limit))
    fig.suptitle("An RGB convolution: one 3x3x3 filter gives one output map", fontsize=14)
    (h, w), (kh, kw), (oh, ow) = image.shape[:2], kernel.shape[:2], total.shape
    values = f"rows {_rows(total)}" if total.size <= 16 else _span(total)
    return describe(
        fig,
        f"An RGB convolution: a {h}x{w}x3 image, one {kh}x{kw}x3 filter and bias {number(bias, 3)}. Each "
        f"colour channel, convolved with its own {kh}x{kw} kernel slice, gives a {oh}x{ow} map; the sum "
        f"of the three maps plus the bias is one {oh}x{ow} feature map, {values}.",
    )


def show_pooling(feature_map: Any) -> Figure:
    """Show a ``(h, w)`` map next to its max- and average-pooled versions: 2x2 windows, stride 2.

    All three share the input's colour scale. Small maps (up to 12x12) have their numbers
    written in and each pooling window outlined.
    """
    fmap = require_array("feature_map", feature_map, ndim=(2,), shape_hint="(h, w)")
    pool_size = 2  # as the lesson's MaxPooling2D(pool_size=2): windows of 2x2, moved by 2
    pooled = {mode: pool2d_by_hand(fmap, pool_size, mode) for mode in ("max", "avg")}
    numbers = max(fmap.shape) <= 12
    limits = (float(fmap.min()), float(fmap.max()))
    fig = new_figure(10, 4.4)
    axes = fig.subplots(1, 3, width_ratios=[2, 1, 1])
    title = f"feature map {fmap.shape[0]}x{fmap.shape[1]}"
    draw_matrix(axes[0], fmap, title, cmap=SEQUENTIAL, limits=limits, numbers=numbers)
    if numbers:
        for r in range(0, pooled["max"].shape[0] * pool_size, pool_size):
            for c in range(0, pooled["max"].shape[1] * pool_size, pool_size):
                draw_outline(axes[0], r, c, pool_size, pool_size, POOL_OUTLINE)
    out_h, out_w = pooled["max"].shape
    title = f"max pooling {pool_size}x{pool_size}\n-> {out_h}x{out_w}"
    draw_matrix(axes[1], pooled["max"], title, cmap=SEQUENTIAL, limits=limits, numbers=numbers)
    title = f"average pooling\n-> {out_h}x{out_w}"
    draw_matrix(axes[2], pooled["avg"], title, cmap=SEQUENTIAL, limits=limits, numbers=numbers)

    def values(array: np.ndarray) -> str:
        return f"rows {_rows(array)}" if array.size <= 16 else _span(array)

    return describe(
        fig,
        f"A {fmap.shape[0]}x{fmap.shape[1]} feature map ({values(fmap) if numbers else _span(fmap)}) "
        f"pooled with {pool_size}x{pool_size} windows moving by {pool_size}, to {out_h}x{out_w}: max "
        f"pooling keeps each window's largest value ({values(pooled['max'])}), average pooling their mean "
        f"({values(pooled['avg'])}).",
    )
