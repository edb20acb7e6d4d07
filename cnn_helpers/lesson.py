"""The theory made visible: convolution and pooling computed by hand, their figures, and the
architecture of a model drawn from the model itself.

Used in the notebook's sections "What is a convolution?", "Average and max pooling" and
"Build the model".
"""

from __future__ import annotations

from typing import Any

from matplotlib.patches import Rectangle
import numpy as np

from ._checks import check_array, check_count
from .plots import FigureLike, _clean, _new_figure

__all__ = [
    "conv2d_by_hand",
    "pool2d_by_hand",
    "show_convolution_steps",
    "show_kernel_outputs",
    "show_rgb_convolution",
    "show_pooling",
    "plot_architecture",
]


def conv2d_by_hand(image: Any, kernel: Any, bias: float = 0.0) -> np.ndarray:
    """Slide ``kernel`` over ``image`` (valid padding, stride 1) and return the output map.

    ``image`` is ``(h, w)`` or ``(h, w, c)``; ``kernel`` is ``(kh, kw)`` or ``(kh, kw, c)``
    with the same ``c``. Each output pixel is the sum of the element-wise products of the
    kernel and the window under it, over all channels, plus ``bias``: shape
    ``(h - kh + 1, w - kw + 1)``. This is what ``tf.nn.conv2d`` computes (deep learning's
    "convolution" does not flip the kernel).
    """
    image = check_array("image", image, ndim=(2, 3), shape_hint="(h, w) or (h, w, c)").astype(float)
    kernel = check_array("kernel", kernel, ndim=(2, 3), shape_hint="(kh, kw) or (kh, kw, c)").astype(float)
    if image.ndim != kernel.ndim:
        raise ValueError(f"image {image.shape} and kernel {kernel.shape} must both have channels or neither")
    if image.ndim == 3 and image.shape[2] != kernel.shape[2]:
        raise ValueError(
            f"kernel has {kernel.shape[2]} channels but image has {image.shape[2]}: "
            "a filter spans every input channel"
        )
    kh, kw = kernel.shape[:2]
    if kh > image.shape[0] or kw > image.shape[1]:
        raise ValueError(f"kernel {kernel.shape[:2]} is larger than image {image.shape[:2]}")
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.empty((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            window = image[i : i + kh, j : j + kw]
            out[i, j] = np.sum(window * kernel) + bias
    return out


def pool2d_by_hand(feature_map: Any, size: int = 2, mode: str = "max") -> np.ndarray:
    """Pool a ``(h, w)`` map with a ``size`` x ``size`` window and stride ``size``.

    ``mode`` is ``"max"`` (largest value of each window) or ``"avg"`` (their mean). Rows or
    columns that do not fill a whole window are dropped, as with ``padding="valid"``:
    the output is ``(h // size, w // size)``.
    """
    fmap = check_array("feature_map", feature_map, ndim=(2,), shape_hint="(h, w)").astype(float)
    size = check_count("size", size, maximum=min(fmap.shape), what="rows/columns in feature_map")
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    out_h, out_w = fmap.shape[0] // size, fmap.shape[1] // size
    windows = fmap[: out_h * size, : out_w * size].reshape(out_h, size, out_w, size)
    return windows.max(axis=(1, 3)) if mode == "max" else windows.mean(axis=(1, 3))


def _matrix(
    ax: Any,
    values: np.ndarray,
    title: str,
    cmap: str = "Greys",
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = "{:g}",
    numbers: bool = True,
) -> None:
    """Draw ``values`` as shaded cells, with each number written in its cell."""
    if vmin is None:
        vmin, vmax = float(values.min()), float(values.max())
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    if numbers:
        for (i, j), v in np.ndenumerate(values):
            shade = image.cmap(image.norm(v))[:3]
            colour = "white" if sum(shade) < 1.5 else "black"  # readable on dark and light cells
            ax.text(
                j,
                i,
                fmt.format(round(float(v), 2) + 0.0),
                ha="center",
                va="center",
                fontsize=11,
                color=colour,
            )
    _clean(ax)
    ax.set_title(title, fontsize=13)


def _box(ax: Any, row: int, col: int, h: int, w: int, colour: str) -> None:
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), w, h, fill=False, edgecolor=colour, linewidth=3))


def show_convolution_steps(
    image: Any, kernel: Any, positions: Any = ((0, 0), (1, 2), (3, 3)), *, fig: FigureLike | None = None
) -> FigureLike:
    """Show a grayscale convolution step by step: one row per output position.

    ``image`` ``(h, w)`` and ``kernel`` ``(kh, kw)``, small enough to print (at most 12x12).
    Each row draws the input with the window at ``(row, col)`` outlined, the kernel, the
    element-wise products, and the output map with the computed cell outlined.
    """
    image = check_array("image", image, ndim=(2,), shape_hint="(h, w)")
    kernel = check_array("kernel", kernel, ndim=(2,), shape_hint="(kh, kw)")
    if max(image.shape) > 12:
        raise ValueError(f"image {image.shape} is too large to print its numbers; use at most 12x12")
    out = conv2d_by_hand(image, kernel)
    try:
        positions = [tuple(int(v) for v in p) for p in positions]
    except (TypeError, ValueError) as err:
        raise TypeError(f"positions must be (row, col) pairs, got {positions!r}") from err
    if not positions or any(len(p) != 2 for p in positions):
        raise ValueError(f"positions must be a non-empty list of (row, col) pairs, got {positions!r}")
    for r, c in positions:
        if not (0 <= r < out.shape[0] and 0 <= c < out.shape[1]):
            raise ValueError(f"position {(r, c)} is outside the {out.shape[0]}x{out.shape[1]} output")
    kh, kw = kernel.shape
    fig = _new_figure(fig, 14, 3.4 * len(positions))
    axes = fig.subplots(len(positions), 4, squeeze=False)
    limit = float(np.abs(kernel).max()) or 1.0
    out_limit = float(np.abs(out).max()) or 1.0
    for row, (r, c) in enumerate(positions):
        window = image[r : r + kh, c : c + kw]
        products = window * kernel
        product_limit = float(np.abs(products).max()) or 1.0
        _matrix(axes[row, 0], image, "input", vmin=float(image.min()), vmax=float(image.max()))
        _box(axes[row, 0], r, c, kh, kw, "tab:orange")
        _matrix(axes[row, 1], kernel, "kernel", cmap="RdBu_r", vmin=-limit, vmax=limit)
        _matrix(
            axes[row, 2],
            products,
            f"window x kernel, sum = {products.sum():g}",
            cmap="RdBu_r",
            vmin=-product_limit,
            vmax=product_limit,
        )
        _matrix(
            axes[row, 3],
            out,
            f"output[{r}, {c}] = {out[r, c]:g}",
            cmap="RdBu_r",
            vmin=-out_limit,
            vmax=out_limit,
        )
        _box(axes[row, 3], r, c, 1, 1, "tab:orange")
    fig.suptitle("Convolution, one output pixel at a time (valid padding, stride 1)", fontsize=15)
    return fig


def show_kernel_outputs(image: Any, kernels: dict[str, Any], *, fig: FigureLike | None = None) -> FigureLike:
    """Show a ``(h, w)`` image next to what each named ``(kh, kw)`` kernel makes of it.

    The outputs share one colour scale, symmetric around zero (red positive, blue
    negative), so their strengths can be compared.
    """
    image = check_array("image", image, ndim=(2,), shape_hint="(h, w)")
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError("kernels must be a non-empty dict of name -> (kh, kw) kernel")
    outputs = {name: conv2d_by_hand(image, k) for name, k in kernels.items()}
    limit = max(float(np.abs(o).max()) for o in outputs.values()) or 1.0
    fig = _new_figure(fig, 3.6 * (1 + len(outputs)) + 1, 4.2)
    axes = fig.subplots(1, 1 + len(outputs), squeeze=False)[0]
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}", fontsize=13)
    _clean(axes[0])
    shown = None
    for ax, (name, out) in zip(axes[1:], outputs.items(), strict=True):
        shown = ax.imshow(out, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"{name} {out.shape[0]}x{out.shape[1]}", fontsize=13)
        _clean(ax)
    fig.colorbar(shown, ax=list(axes[1:]), shrink=0.8, label="output value")
    return fig


def show_rgb_convolution(
    image: Any, kernel: Any, bias: float = 0.0, *, fig: FigureLike | None = None
) -> FigureLike:
    """Show how one ``(kh, kw, 3)`` filter turns an ``(h, w, 3)`` RGB image into one map.

    Top row: each input channel. Middle row: that channel convolved with its own kernel
    slice (numbers written in). Bottom: their sum plus ``bias``, the single output map.
    """
    image = check_array("image", image, ndim=(3,), shape_hint="(h, w, 3)")
    kernel = check_array("kernel", kernel, ndim=(3,), shape_hint="(kh, kw, 3)")
    if image.shape[2] != 3 or kernel.shape[2] != 3:
        raise ValueError(f"image and kernel must have 3 channels (RGB), got {image.shape} and {kernel.shape}")
    if max(image.shape[:2]) > 10:
        raise ValueError(f"image {image.shape} is too large to print its numbers; use at most 10x10")
    per_channel = [conv2d_by_hand(image[..., c], kernel[..., c]) for c in range(3)]
    total = conv2d_by_hand(image, kernel, bias)
    fig = _new_figure(fig, 14, 11)
    grid = fig.add_gridspec(3, 4)
    names, cmaps = ("red", "green", "blue"), ("Reds", "Greens", "Blues")
    limit = max(float(np.abs(p).max()) for p in per_channel) or 1.0
    for c in range(3):
        _matrix(
            fig.add_subplot(grid[0, c]),
            image[..., c],
            f"input: {names[c]} channel",
            cmap=cmaps[c],
            vmin=0,
            vmax=float(image.max()) or 1,
        )
        _matrix(
            fig.add_subplot(grid[1, c]),
            per_channel[c],
            f"{names[c]} * kernel[:, :, {c}]",
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
        )
    rgb = fig.add_subplot(grid[0, 3])
    rgb.imshow(image / (float(image.max()) or 1.0))
    rgb.set_title("the RGB image", fontsize=13)
    _clean(rgb)
    kernel_ax = fig.add_subplot(grid[1, 3])
    kernel_ax.set_axis_off()
    kernel_ax.text(
        0.5,
        0.5,
        f"one filter =\n3 kernel slices\n+ 1 bias\n\nbias = {bias:g}",
        ha="center",
        va="center",
        fontsize=14,
        transform=kernel_ax.transAxes,
    )
    total_limit = float(np.abs(total).max()) or 1.0
    _matrix(
        fig.add_subplot(grid[2, 1:3]),
        total,
        "sum of the three + bias = ONE feature map",
        cmap="RdBu_r",
        vmin=-total_limit,
        vmax=total_limit,
    )
    fig.suptitle("An RGB convolution: one 3x3x3 filter gives one output map", fontsize=15)
    return fig


def show_pooling(feature_map: Any, size: int = 2, *, fig: FigureLike | None = None) -> FigureLike:
    """Show a ``(h, w)`` map next to its max- and average-pooled versions (window = stride = ``size``).

    Windows are outlined on the input; small maps (up to 12x12) have their numbers written in.
    """
    fmap = check_array("feature_map", feature_map, ndim=(2,), shape_hint="(h, w)")
    pooled_max = pool2d_by_hand(fmap, size, "max")
    pooled_avg = pool2d_by_hand(fmap, size, "avg")
    numbers = max(fmap.shape) <= 12
    vmin, vmax = float(fmap.min()), float(fmap.max())
    fig = _new_figure(fig, 13, 4.6)
    axes = fig.subplots(1, 3, width_ratios=[2, 1, 1])
    _matrix(
        axes[0],
        fmap,
        f"feature map {fmap.shape[0]}x{fmap.shape[1]}",
        cmap="viridis",
        vmin=vmin,
        vmax=vmax,
        numbers=numbers,
    )
    if numbers:
        for r in range(0, pooled_max.shape[0] * size, size):
            for c in range(0, pooled_max.shape[1] * size, size):
                _box(axes[0], r, c, size, size, "white")
    _matrix(
        axes[1],
        pooled_max,
        f"max pooling {size}x{size} -> {pooled_max.shape[0]}x{pooled_max.shape[1]}",
        cmap="viridis",
        vmin=vmin,
        vmax=vmax,
        numbers=numbers,
    )
    _matrix(
        axes[2],
        pooled_avg,
        f"average pooling -> {pooled_avg.shape[0]}x{pooled_avg.shape[1]}",
        cmap="viridis",
        vmin=vmin,
        vmax=vmax,
        numbers=numbers,
    )
    return fig


def plot_architecture(model: Any, *, fig: FigureLike | None = None) -> FigureLike:
    """Draw a Keras model as a row of boxes, one per layer, each with its output shape.

    The shapes come from the model itself (``layer.output.shape``), so the picture follows
    any change to the model. Box heights grow with the spatial size, widths with channels.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    try:
        stages = [("input", tuple(model.inputs[0].shape[1:]))]
        stages += [
            (f"{layer.name}\n{type(layer).__name__}", tuple(layer.output.shape[1:])) for layer in model.layers
        ]
    except (AttributeError, ValueError, IndexError) as err:
        raise ValueError("model has no known shapes yet: start it with keras.Input(shape=...)") from err
    colours = {
        "Conv2D": "#4C72B0",
        "MaxPooling2D": "#DD8452",
        "AveragePooling2D": "#DD8452",
        "Dense": "#55A868",
        "Flatten": "#8C8C8C",
        "Dropout": "#CCCCCC",
        "BatchNormalization": "#B8B8E0",
    }
    fig = _new_figure(fig, max(10, 1.75 * len(stages)), 4.4)
    ax = fig.add_subplot()
    for i, (name, shape) in enumerate(stages):
        kind = name.split("\n")[-1]
        size = shape[0] if len(shape) == 3 else 1
        channels = shape[-1]
        height = 0.6 + 2.4 * size / 28
        width = 0.25 + 0.9 * min(channels, 64) / 64 if len(shape) == 3 else 0.3
        ax.add_patch(
            Rectangle(
                (i * 1.6 - width / 2, -height / 2),
                width,
                height,
                facecolor=colours.get(kind, "#DDDDDD"),
                edgecolor="black",
            )
        )
        ax.text(i * 1.6, 1.75, name, ha="center", va="bottom", fontsize=11)
        ax.text(
            i * 1.6,
            -1.75,
            "x".join(str(s) for s in shape),
            ha="center",
            va="top",
            fontsize=12,
            fontweight="bold",
        )
        if i:
            ax.annotate(
                "",
                xy=(i * 1.6 - 0.55, 0),
                xytext=(i * 1.6 - 1.05, 0),
                arrowprops={"arrowstyle": "->", "lw": 1.5},
            )
    ax.set_xlim(-1, 1.6 * (len(stages) - 1) + 1)
    ax.set_ylim(-2.6, 2.6)
    ax.set_axis_off()
    ax.set_title(f"{model.name}: each layer's output shape (height x width x channels)", fontsize=14)
    return fig
