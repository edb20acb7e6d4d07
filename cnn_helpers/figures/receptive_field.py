"""Receptive fields drawn on the digit, one outlined box per layer. Part 3 of the explore notebook
(The second layer and its receptive field).
"""

from __future__ import annotations

import numbers
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch
import numpy as np

from .._args import require_array
from ._base import clean, describe, new_figure
from ._colour import BOX_COLOURS, GRAYSCALE, SEQUENTIAL
from ._panels import draw_outline


def _require_boxes(boxes: Any) -> dict[str, tuple[int, int, int]]:
    """Return ``boxes`` if it maps up to five names to ``(top, left, size)`` ints; else raise."""
    if not isinstance(boxes, dict) or not 1 <= len(boxes) <= len(BOX_COLOURS):
        raise TypeError(
            f"boxes must be a dict of 1 to {len(BOX_COLOURS)} name -> (top, left, size), got {boxes!r}"
        )
    for name, box in boxes.items():
        ints = isinstance(box, (tuple, list)) and len(box) == 3
        ints = ints and not any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in box)
        if not ints or box[2] < 1:
            raise ValueError(f"boxes[{name!r}] must be three ints (top, left, size >= 1), got {box!r}")
    return {name: tuple(int(v) for v in box) for name, box in boxes.items()}


def _require_unit(feature_map: Any, unit: Any) -> np.ndarray:
    """Return ``feature_map`` ``(h', w')`` checked, with ``unit`` ``(row, col)`` inside it."""
    fmap = require_array("feature_map", feature_map, ndim=(2,), shape_hint="(h', w')")
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
) -> Figure:
    """Show a digit ``(h, w)`` with receptive fields outlined, one colour per ``(top, left, size)``.

    Boxes come from ``receptive_field_box`` and may stick out of the image (same padding).
    With ``feature_map`` ``(h', w')`` and ``unit`` ``(row, col)``, the map is drawn alongside
    with that unit outlined in the colour of the last box. Used in the explore notebook's part 3.
    """
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    boxes = _require_boxes(boxes)
    fmap = None if feature_map is None else _require_unit(feature_map, unit)
    fig = new_figure(5.4 + (4.8 if fmap is not None else 0), 6.0)
    axes = fig.subplots(1, 2 if fmap is not None else 1, squeeze=False)[0]
    if fmap is not None:
        axes[1].imshow(fmap, cmap=SEQUENTIAL)
        draw_outline(axes[1], unit[0], unit[1], 1, 1, BOX_COLOURS[len(boxes) - 1])
        axes[1].set_title(f"feature map {fmap.shape[0]}x{fmap.shape[1]}, unit {tuple(unit)}", fontsize=13)
        clean(axes[1])
    axes[0].imshow(image, cmap=GRAYSCALE)
    handles = []
    for colour, (name, (top, left, size)) in zip(BOX_COLOURS, boxes.items(), strict=False):
        draw_outline(axes[0], top, left, size, size, colour)
        handles.append(Patch(fill=False, edgecolor=colour, linewidth=3, label=f"{name}: {size}x{size}"))
    axes[0].legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=12, frameon=False
    )
    axes[0].set_title(f"input {image.shape[0]}x{image.shape[1]}: what one unit sees", fontsize=13)
    clean(axes[0])
    describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} digit with {len(boxes)} receptive field"
        f"{'s' * (len(boxes) != 1)} outlined: "
        + "; ".join(
            f"{name}, {size}x{size} pixels from row {top}, column {left}"
            for name, (top, left, size) in boxes.items()
        )
        + (
            f". Beside it, the {fmap.shape[0]}x{fmap.shape[1]} feature map with unit {tuple(unit)} outlined."
            if fmap is not None
            else "."
        ),
    )
    return fig
