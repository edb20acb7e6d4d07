"""Padding and stride drawn: where the window goes on a padded input, and a digit convolved under
several settings. Part 2 of the explore notebook (Padding and stride).
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
import numpy as np

from .._args import require_array
from ..maths.padding import (
    conv_output_size,
    convolve_padded,
    output_size_formula,
    require_window_setting,
    rows_left_over,
    window_starts,
)
from ._base import clean, describe, new_figure
from ._colour import (
    CELL_EDGE,
    DIVERGING,
    GRAYSCALE,
    INK,
    PADDING_CELL,
    PAPER,
    WINDOW_POSITIONS,
    draw_negative_dots,
    draw_signed_colorbar,
    symmetric_limit,
)

#: The (padding, stride) settings ``show_padding_stride`` draws.
SETTINGS = (("valid", 1), ("same", 1), ("valid", 2), ("same", 2))


def show_padding_windows(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> Figure:
    """Draw a ``size`` x ``size`` input with ``padding`` zeros around it, and where a ``kernel_size``
    x ``kernel_size`` window goes at ``stride``.

    Padding cells are hatched and hold a 0; a dot marks the centre of every window position; the
    first window is outlined solid, the next one along the row dashed, the last one dotted. The
    formula ⌊(n + 2p − k) / s⌋ + 1 and its value stand beside, in its letters: n the size, k the
    kernel size, p the padding, s the stride. Used by the padding and stride tool.
    """
    n, k, p, s = require_window_setting(size, kernel_size, padding, stride, drawn=True)
    starts, padded = window_starts(n, k, p, s), n + 2 * p
    out, left_over = len(starts), rows_left_over(n, k, p, s)
    fig = new_figure(9.0, 5.2)
    grid, text = fig.subplots(1, 2, width_ratios=[1.15, 1])
    for (row, col), _ in np.ndenumerate(np.zeros((padded, padded))):
        zero = not (p <= row < p + n and p <= col < p + n)  # a padding cell
        grid.add_patch(
            Rectangle(
                (col, row),
                1,
                1,
                facecolor=PADDING_CELL if zero else PAPER,
                edgecolor=CELL_EDGE,
                hatch="//" if zero else None,
                linewidth=0.8,
            )
        )
        if zero and padded <= 12:
            grid.text(col + 0.5, row + 0.5, "0", ha="center", va="center", fontsize=11)
    centres = starts + k / 2
    xs, ys = np.meshgrid(centres, centres)
    grid.plot(xs.ravel(), ys.ravel(), "o", color=INK, markersize=max(3, 9 - padded // 3))
    windows = [("first window", (0, 0), "-", WINDOW_POSITIONS["first"])]
    if out > 1:
        windows.append((f"next window, {s} to the right", (0, starts[1]), "--", WINDOW_POSITIONS["next"]))
        windows.append(("last window", (starts[-1], starts[-1]), ":", WINDOW_POSITIONS["last"]))
    for _name, (top, left), style, colour in windows:
        grid.add_patch(
            Rectangle((left, top), k, k, fill=False, edgecolor=colour, linestyle=style, linewidth=3.5)
        )
    handles = [Line2D([], [], color=c, linestyle=ls, linewidth=3, label=name) for name, _, ls, c in windows]
    handles.append(Line2D([], [], color=INK, marker="o", linestyle="", label="centre of each window"))
    grid.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=11, frameon=False)
    grid.set(xlim=(0, padded), ylim=(padded, 0), aspect="equal", xticks=[], yticks=[])
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
        f"A {n}x{n} input with {p} pixel{'s' * (p != 1)} of zero padding on each side ({padded}x{padded} "
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


def show_padding_stride(image: Any, kernel: Any) -> Figure:
    """Show an image ``(h, w)`` and its convolution with ``kernel`` ``(kh, kw)`` under four settings:
    padding ``"valid"`` and ``"same"`` (Keras' names), stride 1 and 2. Each title gives the output
    shape; the outputs share one colour scale. Used in "2. Padding and stride".
    """
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    kernel = require_array("kernel", kernel, ndim=(2,), shape_hint="(kh, kw)")
    for size, kernel_size in zip(image.shape, kernel.shape, strict=True):
        conv_output_size(size, kernel_size)  # raises if the kernel does not fit the image
    pairs = SETTINGS
    outputs = [convolve_padded(image, kernel, padding, stride) for padding, stride in pairs]
    limit = symmetric_limit(*outputs)
    rows = 2 if len(pairs) > 2 else 1  # two rows of outputs beside the input: narrow enough to read
    cols = -(-len(pairs) // rows)
    fig = new_figure(3.3 * (1 + cols) + 1, 4.2 * rows)
    grid = fig.add_gridspec(rows, 1 + cols)
    axes = [fig.add_subplot(grid[:, 0])]
    axes += [fig.add_subplot(grid[i // cols, 1 + i % cols]) for i in range(len(pairs))]
    axes[0].imshow(image, cmap=GRAYSCALE)
    axes[0].set_title(
        f"input {image.shape[0]}x{image.shape[1]}\nkernel {kernel.shape[0]}x{kernel.shape[1]}", fontsize=13
    )
    for ax, out, (padding, stride) in zip(axes[1:], outputs, pairs, strict=True):
        shown = ax.imshow(out, cmap=DIVERGING, vmin=-limit, vmax=limit)
        draw_negative_dots(ax, out, shown)  # the sign without telling red from blue
        ax.set_title(
            f"padding={padding!r}, stride={stride}\noutput {out.shape[0]}x{out.shape[1]}", fontsize=13
        )
    for ax in axes:
        clean(ax)
    draw_signed_colorbar(fig, shown, list(axes[1:]), "output value", shrink=0.8)
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
