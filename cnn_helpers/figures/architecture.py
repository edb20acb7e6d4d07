"""The architecture of a model, drawn as a textbook would from the stages that
``maths.architecture.read_stages`` reads off its layers. Used in "Build the model".

Feature maps are stacks of planes to scale with their height and width, vectors are bars whose
length grows with the square root of their size, and arrows name the operation between stages.
Lengths are in inches, so that the drawing keeps its proportions next to the text.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
import numpy as np

from .._args import require_array
from ..maths.architecture import Stage, read_stages
from ._base import COLUMN_PX, DPI, MIN_TEXT_PT, describe, new_figure
from ._colour import ARROW, GRAYSCALE, OTHER_STAGE, RGB_PLANES, STAGE_COLOURS, STAGE_EDGE, WINDOW

INPUT_SIDE = 1.6  # inches: the largest map; the others are to scale
BAR_WIDTH, BAR_MAX, BAR_MIN = 0.22, 2.0, 0.2  # inches: vectors (BAR_MAX for 1,024 values or the largest)
GAP = 0.55  # inches: the least space between two stages
DEPTH_STEP = 0.08  # inches between two planes of a stack
CHAR = 0.085  # inches: about the width of a character at font size 12


@dataclass
class Placed(Stage):
    """A stage as drawn: its front plane (or bar) ``box`` in inches, and how many ``planes`` stand for
    its channels."""

    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # front plane or bar: x, y, width, height
    planes: int = 1

    @property
    def extent(self) -> tuple[float, float]:
        """Return the width and height (inches) of the whole stack."""
        return self.box[2] + (self.planes - 1) * DEPTH_STEP, self.box[3] + (self.planes - 1) * DEPTH_STEP

    @property
    def centre(self) -> float:
        """Return the x (inches) of the middle of the stack."""
        return self.box[0] + self.extent[0] / 2


def shape_text(shape: tuple[int, ...]) -> str:
    """Return ``26×26×16`` for a map, ``1,200`` for a vector."""
    return f"{shape[0]:,}" if len(shape) == 1 else "×".join(map(str, shape))


def sentence(name: str, stages: list[Stage]) -> str:
    """The alt text: the layers in order, each as the operation and the shape it makes."""
    steps = [f"{', '.join(s.ops).replace(', + ', ' with ')} to {shape_text(s.shape)}" for s in stages[1:]]
    windows = (
        " A red outline on a map marks a window, through all its sheets for a convolution, and a filled"
        " red square on the next map the one value that window makes; dashed lines join them."
    )
    return (
        f"The network {name}, drawn layer by layer from its input of {shape_text(stages[0].shape)}: "
        f"{'; '.join(steps)}.{windows if any(s.window for s in stages) else ''}"
    )


def _require_image(image: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``image`` ``(h, w)`` or ``(h, w, channels)`` as ``(h, w, channels)``, as the model's input."""
    image = require_array("image", image, ndim=(2, 3), shape_hint="(h, w) or (h, w, channels)")
    if image.ndim == 2:
        image = image[..., None]
    if image.shape != shape:
        wanted = "×".join(map(str, shape))
        raise ValueError(f"image is shaped {image.shape}, but the model takes inputs of {wanted}")
    return image


def _text_width(*lines: str, size: float = 12) -> float:
    """Return roughly how wide (inches) the longest of ``lines`` is at font size ``size``."""
    return CHAR * size / 12 * max(len(line) for line in lines)


def _size(stage: Placed, side: float, bar_unit: float) -> None:
    """Set the stage's front plane (or bar) size in inches, and its number of planes."""
    if len(stage.shape) != 3:
        stage.box = (0.0, 0.0, BAR_WIDTH, max(BAR_MIN, bar_unit * math.sqrt(math.prod(stage.shape))))
        return
    height, width, channels = stage.shape
    stage.planes = 1 if channels == 1 else min(channels, 2 + math.ceil(math.log2(channels)), 8)
    stage.box = (0.0, 0.0, max(0.1, side * width), max(0.1, side * height))


def _layout(stages: list[Placed], size: float) -> tuple[float, float, float, float]:
    """Size the stages and place them left to right, centred on y = 0, with room for their labels
    at font size ``size``.

    Return the limits (inches) of the drawing with its labels: left, right, bottom, top.
    """
    side = INPUT_SIDE / max((max(s.shape[:2]) for s in stages if len(s.shape) == 3), default=1)
    vectors = [math.prod(s.shape) for s in stages if len(s.shape) != 3]
    bar_unit = BAR_MAX / math.sqrt(max([*vectors, 1024]))
    centre = 0.0
    for i, stage in enumerate(stages):
        _size(stage, side, bar_unit)
        if i:
            before = stages[i - 1]
            labels = [_text_width(s.name, shape_text(s.shape), size=size) for s in (before, stage)]
            centre += max(
                (before.extent[0] + stage.extent[0]) / 2 + GAP,
                sum(labels) / 2 + 0.2,
                _text_width("", *stage.ops, size=size) + 0.3,
            )
        width, height = stage.extent
        stage.box = (centre - width / 2, -height / 2, stage.box[2], stage.box[3])
    top = max(stage.extent[1] for stage in stages) / 2
    bottom = -top - 0.45 - 0.21 * size / 12 * max(len(stage.ops) for stage in stages)
    ends = [
        max(s.extent[0] / 2 + 0.3, _text_width(s.name, shape_text(s.shape), size=size) / 2 + 0.1)
        for s in stages
    ]
    return (
        stages[0].centre - ends[0],
        stages[-1].centre + max(ends[-1], 0.6),
        bottom,
        top + 0.5 + 0.3 * size / 12,
    )


def _draw_stage(ax: Axes, stage: Placed, image: np.ndarray | None) -> None:
    """Draw a stage as a stack of planes, back to front, or as a bar; ``image`` on the front plane."""
    left, bottom, width, height = stage.box
    for k in reversed(range(stage.planes)):
        colour = STAGE_COLOURS.get(stage.kind, OTHER_STAGE)
        if stage.kind == "input" and stage.shape[-1] == 3:
            colour = RGB_PLANES[k]
        gid = "plane" if len(stage.shape) == 3 else "vector"
        corner = (left + k * DEPTH_STEP, bottom + k * DEPTH_STEP)
        ax.add_patch(Rectangle(corner, width, height, fc=colour, ec=STAGE_EDGE, lw=1, zorder=2, gid=gid))
    if image is not None:
        shown = image[..., 0] if image.shape[-1] == 1 else (image - image.min()) / (np.ptp(image) or 1)
        extent = (left, left + width, bottom, bottom + height)
        ax.imshow(shown, cmap=GRAYSCALE, extent=extent, zorder=3, interpolation="nearest", gid="input-image")


def _point(stage: Placed, row: float, col: float) -> tuple[float, float]:
    """Return where pixel corner ``(row, col)`` of the stage's front plane is, in inches."""
    x, y, width, height = stage.box
    return x + col * width / stage.shape[1], y + height - row * height / stage.shape[0]


def _draw_window(ax: Axes, source: Placed, target: Placed) -> None:
    """Outline ``target.window`` on ``source``'s front plane, lines from its corners to the unit it
    makes. A convolution's window reads every channel: it is also outlined on the back plane, its
    corners joined, a box through the whole stack; a pooling window reads one map."""
    (kh, kw), (h, w) = target.window, source.shape[:2]
    row, col = round(0.25 * max(h - kh, 0)), round(0.25 * max(w - kw, 0))
    (x0, y1), (x1, y0) = _point(source, row, col), _point(source, row + kh, col + kw)
    if target.kind == "conv" and source.planes > 1:
        depth = (source.planes - 1) * DEPTH_STEP
        hidden = (0, (2, 2))  # dashed, as hidden edges are drawn: behind the front sheet
        back = {"fill": False, "ec": WINDOW, "lw": 1.2, "ls": hidden, "zorder": 4.5, "gid": "window-back"}
        ax.add_patch(Rectangle((x0 + depth, y0 + depth), x1 - x0, y1 - y0, **back))
        for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            line = {"color": WINDOW, "lw": 1.2, "linestyle": hidden, "zorder": 4.5, "gid": "window-depth"}
            ax.plot([x, x + depth], [y, y + depth], **line)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=WINDOW, lw=2.5, zorder=5, gid="window"))
    unit_row = min(int((row + kh / 2) * target.shape[0] / h), target.shape[0] - 1)
    unit_col = min(int((col + kw / 2) * target.shape[1] / w), target.shape[1] - 1)
    (ux0, uy1), (ux1, uy0) = _point(target, unit_row, unit_col), _point(target, unit_row + 1, unit_col + 1)
    ax.add_patch(Rectangle((ux0, uy0), ux1 - ux0, uy1 - uy0, fc=WINDOW, ec=WINDOW, zorder=5, gid="unit"))
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        line = {"color": WINDOW, "lw": 1.2, "linestyle": (0, (4, 2)), "zorder": 4, "gid": "window-line"}
        ax.plot([x, (ux0 + ux1) / 2], [y, (uy0 + uy1) / 2], **line)  # dashed: not a plane's edge


def _draw_labels(ax: Axes, stages: list[Placed], top: float, size: float) -> None:
    """Write each stage's name and shape above it; below, arrows from stage to stage, named by operation."""
    arrow = {"arrowstyle": "-|>", "lw": 1.5, "color": ARROW, "shrinkA": 0, "shrinkB": 0}
    for i, stage in enumerate(stages):
        above, shape = {"ha": "center", "va": "bottom"}, shape_text(stage.shape)
        name_y = top + 0.15 + 0.3 * size / 12
        ax.text(stage.centre, name_y, stage.name, fontsize=size, color=STAGE_EDGE, gid="name", **above)
        ax.text(stage.centre, top + 0.15, shape, fontsize=size, weight="bold", gid="shape", **above)
        if i:
            start, end, y = stages[i - 1].centre + 0.12, stage.centre - 0.12, -top - 0.2
            ax.annotate("", xy=(end, y), xytext=(start, y), arrowprops=arrow, gid="arrow")
            label = "\n".join(stage.ops)
            ax.text((start + end) / 2, y - 0.1, label, ha="center", va="top", fontsize=size, gid="operation")


def plot_architecture(model: Any, *, image: Any = None) -> Figure:
    """Draw a Keras model as a textbook CNN figure, from the model's own layers and shapes.

    Each feature map ``(h, w, c)`` is a stack of planes to scale, each vector a bar; arrows name
    the operation (``conv 3×3 + ReLU``, ``max-pool 2×2``, ...); a red window shows which units of
    one map make one unit of the next. ``image``, shaped like one input (``(h, w)`` or
    ``(h, w, c)``, e.g. ``x_train[0]``), is drawn on the input plane.
    """
    stages = [Placed(**vars(stage)) for stage in read_stages(model)]  # the model read: drawing from here on
    image = None if image is None else _require_image(image, stages[0].shape)
    title = (
        f"{model.name}: the output of each layer (height×width×channels),\nand the operation that makes it"
        "\n(a few sheets stand for all channels; outline: a window; filled: its value)"
    )
    size, width = 12.0, 0.0
    for _ in range(4):  # a wider figure is shown smaller in a 1,000 px column: grow the text to match
        left, right, bottom, top = _layout(stages, size)
        width = max(right - left + 0.4, _text_width(*title.split("\n"), size=max(14, size + 1)) + 0.3)
        needed = 1.03 * MIN_TEXT_PT * max(1.0, width * DPI / COLUMN_PX)
        if size >= needed:
            break
        size = needed
    fig = new_figure(width, top - bottom + 1.3)  # room for the three lines of the title
    ax = fig.add_subplot()
    for i, stage in enumerate(stages):
        _draw_stage(ax, stage, image if i == 0 else None)
        if stage.window and len(stages[i - 1].shape) == 3:
            _draw_window(ax, stages[i - 1], stage)
    _draw_labels(ax, stages, max(stage.extent[1] for stage in stages) / 2, size)
    ax.set(xlim=(left, right), ylim=(bottom, top), aspect="equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=max(14, size + 1))
    return describe(fig, sentence(model.name, stages))
