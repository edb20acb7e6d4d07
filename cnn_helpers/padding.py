"""Padding and stride, for part 2 of ``cnn_mnist_explore.ipynb`` (Padding and stride): where a k x k
window goes on an n x n input with p zeros around it and a step of s, and the output-size formula
with its numbers, and a digit convolved under several settings. Plain functions and figures;
``padding_tool.PaddingStrideTool`` makes them live.
"""

from __future__ import annotations

import numbers
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
import numpy as np

from ._args import check_array
from ._colour import mark_negative, signed_colorbar
from ._figure import FigureLike, clean, describe, new_figure, symmetric_limit
from .explore import conv_output_size

__all__ = ["output_size_formula", "show_padding_stride", "show_padding_windows", "window_starts"]

#: The largest n, k, p, s the figure draws (and the tool's sliders offer).
LIMITS = {"n": (1, 16), "k": (1, 7), "p": (0, 3), "s": (1, 4)}


def _check(n: Any, k: Any, p: Any, s: Any, *, drawn: bool = False) -> tuple[int, int, int, int]:
    """Return n, k, p, s checked (within ``LIMITS`` if ``drawn``), the window fitting the padded input."""
    values = []
    for (name, (low, high)), value in zip(LIMITS.items(), (n, k, p, s), strict=True):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
        if value < low or (drawn and value > high):
            limit = f" and <= {high} (the figure draws up to that)" if drawn else ""
            raise ValueError(f"{name} must be an int >= {low}{limit}, got {value}")
        values.append(int(value))
    conv_output_size(values[0], values[1], padding=values[2], stride=values[3])  # raises if k > n + 2p
    return tuple(values)


def window_starts(n: int, k: int, p: int = 0, s: int = 1) -> np.ndarray:
    """Return where the window starts along one axis, ``(out,)`` ints, counted on the padded input.

    Position 0 is the first padding zero (the first pixel if ``p == 0``); the window covers
    ``start .. start + k - 1``. ``out = conv_output_size(n, k, padding=p, stride=s)``.
    """
    n, k, p, s = _check(n, k, p, s)
    return np.arange(conv_output_size(n, k, padding=p, stride=s)) * s


def output_size_formula(n: int, k: int, p: int = 0, s: int = 1) -> str:
    """Return the formula with these numbers, e.g. ``"⌊(7 + 2·1 − 3) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4"``."""
    n, k, p, s = _check(n, k, p, s)
    out = conv_output_size(n, k, padding=p, stride=s)
    return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{n + 2 * p - k} / {s}⌋ + 1 = {out}"


def _left_over(n: int, k: int, p: int, s: int) -> int:
    """How many rows (and columns) at the padded input's end no window reaches: (n + 2p − k) mod s."""
    return (n + 2 * p - k) % s


def show_padding_windows(
    n: int, k: int, p: int = 0, s: int = 1, *, fig: FigureLike | None = None
) -> FigureLike:
    """Draw an n x n input with ``p`` zeros around it and where a k x k window goes at stride ``s``.

    Padding cells are hatched and hold a 0; a dot marks the centre of every window position; the
    first window is outlined solid, the next one along the row dashed, the last one dotted. The
    formula ⌊(n + 2p − k) / s⌋ + 1 and its value stand beside. Used in "Padding and stride".
    """
    n, k, p, s = _check(n, k, p, s, drawn=True)
    starts, size = window_starts(n, k, p, s), n + 2 * p
    out, left_over = len(starts), _left_over(n, k, p, s)
    fig = new_figure(fig, 9.0, 5.2)
    grid, text = fig.subplots(1, 2, width_ratios=[1.15, 1])
    for (row, col), _ in np.ndenumerate(np.zeros((size, size))):
        padding = not (p <= row < p + n and p <= col < p + n)
        grid.add_patch(
            Rectangle(
                (col, row),
                1,
                1,
                facecolor="#d9d9d9" if padding else "white",
                edgecolor="#777777",
                hatch="//" if padding else None,
                linewidth=0.8,
            )
        )
        if padding and size <= 12:
            grid.text(col + 0.5, row + 0.5, "0", ha="center", va="center", fontsize=11)
    centres = starts + k / 2
    xs, ys = np.meshgrid(centres, centres)
    grid.plot(xs.ravel(), ys.ravel(), "o", color="black", markersize=max(3, 9 - size // 3))
    windows = [("first window", (0, 0), "-", "tab:orange")]
    if out > 1:
        windows.append((f"next window, {s} to the right", (0, starts[1]), "--", "tab:blue"))
        windows.append(("last window", (starts[-1], starts[-1]), ":", "tab:purple"))
    for _name, (top, left), style, colour in windows:
        grid.add_patch(
            Rectangle((left, top), k, k, fill=False, edgecolor=colour, linestyle=style, linewidth=3.5)
        )
    handles = [Line2D([], [], color=c, linestyle=ls, linewidth=3, label=name) for name, _, ls, c in windows]
    handles.append(Line2D([], [], color="black", marker="o", linestyle="", label="centre of each window"))
    grid.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=11, frameon=False)
    grid.set(xlim=(0, size), ylim=(size, 0), aspect="equal", xticks=[], yticks=[])
    grid.set_title(f"input {n}x{n}, padding {p} (hatched zeros)", fontsize=13)
    lines = [
        f"n = {n}, k = {k}, p = {p}, s = {s}",
        "output = ⌊(n + 2p − k) / s⌋ + 1",
        f"= ⌊({n} + 2·{p} − {k}) / {s}⌋ + 1",
        f"= ⌊{n + 2 * p - k} / {s}⌋ + 1 = {out}",
        f"output {out}x{out}: {out * out} window position{'s' * (out * out != 1)}",
    ]
    if left_over:
        lines.append(f"the last {left_over} row{'s' * (left_over != 1)} and column{'s' * (left_over != 1)}")
        lines.append("of the padded input: under no window")
    text.text(0.0, 0.95, "\n".join(lines), va="top", ha="left", fontsize=14, linespacing=1.7)
    text.set_axis_off()
    describe(
        fig,
        f"A {n}x{n} input with {p} pixel{'s' * (p != 1)} of zero padding on each side ({size}x{size} "
        f"in all) and a {k}x{k} window moved {s} pixel{'s' * (s != 1)} at a time: it fits in {out} "
        f"positions per direction, so the output is {out}x{out}: "
        f"{output_size_formula(n, k, p, s).replace('⌊', 'floor of ').replace('⌋', '')}."
        + (
            f" The last {left_over} rows and columns of the padded input are under no window."
            if left_over
            else ""
        ),
    )
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
    rows = 2 if len(pairs) > 2 else 1  # two rows of outputs beside the input: narrow enough to read
    cols = -(-len(pairs) // rows)
    fig = new_figure(fig, 3.3 * (1 + cols) + 1, 4.2 * rows)
    grid = fig.add_gridspec(rows, 1 + cols)
    axes = [fig.add_subplot(grid[:, 0])]
    axes += [fig.add_subplot(grid[i // cols, 1 + i % cols]) for i in range(len(pairs))]
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title(
        f"input {image.shape[0]}x{image.shape[1]}\nkernel {kernel.shape[0]}x{kernel.shape[1]}", fontsize=13
    )
    for ax, out, (padding, stride) in zip(axes[1:], outputs, pairs, strict=True):
        shown = ax.imshow(out, cmap="RdBu_r", vmin=-limit, vmax=limit)
        mark_negative(ax, out, shown)  # the sign without telling red from blue
        ax.set_title(
            f"padding={padding!r}, stride={stride}\noutput {out.shape[0]}x{out.shape[1]}", fontsize=13
        )
    for ax in axes:
        clean(ax)
    signed_colorbar(fig, shown, list(axes[1:]), "output value", shrink=0.8)
    describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} input convolved with a {kernel.shape[0]}x{kernel.shape[1]} "
        "kernel: "
        + "; ".join(
            f"padding {padding!r} and stride {stride} give {out.shape[0]}x{out.shape[1]}"
            for out, (padding, stride) in zip(outputs, pairs, strict=True)
        )
        + ".",
    )
    return fig
