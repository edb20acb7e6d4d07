"""One unit drawn three ways: its receptive field on the digit, the digit with that field covered,
and the unit's value under one-pixel shifts. The numbers come from ``maths.unit.inspect_unit``.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_array
from ..maths.unit import UnitReport
from ._base import clean, describe, new_figure
from ._colour import GRAYSCALE, SEQUENTIAL, SHADES, UNIT_OUTLINE, WINDOW_OUTLINE
from ._panels import draw_matrix, draw_outline


def show_unit_view(image: Any, report: UnitReport) -> Figure:
    """Draw a ``UnitReport`` in four panels: the digit ``(h, w)`` with the unit's receptive field
    outlined; its feature map with the unit outlined; the digit with the field covered, and the
    predicted class's score (logit) before and after; the unit's value for each one-pixel shift of
    the digit, as numbers.
    """
    if not isinstance(report, UnitReport):
        raise TypeError(
            f"report must be the UnitReport that inspect_unit returned, got {type(report).__name__}"
        )
    image = np.asarray(image, np.float32).reshape(np.shape(image)[:2])
    top, left, size = report.box
    r0, r1, c0, c1 = report.covered
    fig = new_figure(8.6, 8.4)
    (field, fmap), (cover, moves) = fig.subplots(2, 2)
    field.imshow(image, cmap=GRAYSCALE)
    draw_outline(field, top, left, size, size, WINDOW_OUTLINE, linewidth=3.5)
    field.set_title(f"receptive field: {size}x{size} pixels\n(orange square)", fontsize=13)
    fmap.imshow(report.feature_map, cmap=SEQUENTIAL)
    draw_outline(fmap, report.row, report.col, 1, 1, UNIT_OUTLINE, linewidth=3.5)
    fmap.set_title(
        f"{report.layer}, channel {report.channel}\nunit ({report.row}, {report.col}) = {report.value:.3g}",
        fontsize=13,
    )
    hidden = image.copy()
    hidden[r0:r1, c0:c1] = 0.0
    cover.imshow(hidden, cmap=GRAYSCALE, vmin=float(image.min()), vmax=float(image.max()))
    draw_outline(cover, r0, c0, r1 - r0, c1 - c0, WINDOW_OUTLINE, linewidth=2)
    changed = "still" if report.new_prediction == report.predicted else "now"
    cover.set_title(
        f"field covered: score of {report.predicted}\n{report.score_before:.2f} → {report.score_after:.2f}, "
        f"{changed} says {report.new_prediction}",
        fontsize=13,
    )
    draw_matrix(
        moves, report.shifted, "unit's value, digit moved\none pixel (centre: not moved)", cmap=SHADES
    )
    draw_outline(moves, 1, 1, 1, 1, UNIT_OUTLINE, linewidth=2.5)
    moves.set_xticks([0, 1, 2], ["left", "·", "right"], fontsize=12)
    moves.set_yticks([0, 1, 2], ["up", "·", "down"], fontsize=12)
    for ax in (field, fmap, cover):
        clean(ax)
    shifted = report.shifted
    describe(
        fig,
        f"Unit ({report.row}, {report.col}) of channel {report.channel} of layer {report.layer} has value "
        f"{report.value:.3g} on this digit and sees a {size}x{size} square of it, rows {r0} to {r1 - 1}, "
        f"columns {c0} to {c1 - 1}. Covering that square changes the score (logit) of "
        f"{report.predicted} from {report.score_before:.2f} to {report.score_after:.2f}; the model then says "
        f"{report.new_prediction}. "
        f"With the digit moved one pixel the unit's value is {shifted[1, 2]:.3g} (right), "
        f"{shifted[1, 0]:.3g} (left), {shifted[2, 1]:.3g} (down), {shifted[0, 1]:.3g} (up); "
        f"between {shifted.min():.3g} and {shifted.max():.3g} over all nine moves.",
    )
    return fig


def compare_unit_shifts(values: dict[str, Any]) -> Figure:
    """Units side by side: each one's value ``(3, 3)`` under the nine one-pixel moves of the digit
    (``UnitReport.shifted``: row up/still/down, column left/still/right, the centre not moved), on
    one colour scale (no colour bar: the numbers are written in), the centre outlined. ``values``
    maps a unit's name to its ``(3, 3)``; the alt text gives each unit's value unmoved and the
    most a move changes it.
    """
    if not isinstance(values, dict) or not values:
        raise TypeError(f"values must be a non-empty dict of name -> (3, 3) values, got {values!r}")
    arrays = {}
    for name, grid in values.items():
        arrays[name] = require_array(f"values[{name!r}]", grid, ndim=(2,), shape_hint="(3, 3)")
        if arrays[name].shape != (3, 3):
            raise ValueError(f"values[{name!r}] must be shaped (3, 3), got {arrays[name].shape}")
    low = min(float(a.min()) for a in arrays.values())
    high = max(float(a.max()) for a in arrays.values())
    fig = new_figure(3.2 * len(arrays), 3.6)
    axes = fig.subplots(1, len(arrays), squeeze=False)[0]
    for ax, (name, grid) in zip(axes, arrays.items(), strict=True):  # numbers written in: no colour bar
        draw_matrix(ax, grid, name, cmap=SHADES, limits=(low, high))
        draw_outline(ax, 1, 1, 1, 1, UNIT_OUTLINE, linewidth=2.5)
        ax.set_xticks([0, 1, 2], ["left", "·", "right"], fontsize=12)
        ax.set_yticks([0, 1, 2], ["up", "·", "down"], fontsize=12)
    fig.suptitle("Value, digit moved one pixel (one colour scale)", fontsize=13)

    def summary(name: str, grid: np.ndarray) -> str:
        change = float(np.abs(grid - grid[1, 1]).max())
        return (
            f"{name}: {grid[1, 1]:.3g} unmoved, from {grid.min():.3g} to {grid.max():.3g} over the nine "
            f"moves, a move changes it by {change:.3g} at most"
        )

    describe(
        fig,
        f"{len(arrays)} unit{'s' * (len(arrays) != 1)} side by side on one colour scale, each one's value "
        "with the digit moved one pixel in each direction (centre: not moved): "
        + "; ".join(summary(name, grid) for name, grid in arrays.items())
        + ".",
    )
    return fig
