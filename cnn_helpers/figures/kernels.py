"""Named kernels side by side, their numbers written in, on one shared colour scale. Used in the
explore notebook's "Can a network learn a kernel?".
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from .._args import require_array
from ._base import describe, new_figure
from ._colour import DIVERGING, symmetric_limit
from ._panels import cell_number, draw_matrix


def show_kernels(kernels: dict[str, Any]) -> Figure:
    """Show named kernels ``(kh, kw)`` side by side, numbers written in, on one shared colour scale.

    The scale is symmetric around zero (red positive, blue negative), so that e.g. a "true
    kernel" and a "learned kernel" compare at a glance. Used in "1. Filters are learned".
    """
    if not isinstance(kernels, dict) or not kernels:
        raise TypeError(f"kernels must be a non-empty dict of name -> (kh, kw) kernel, got {kernels!r}")
    arrays = {
        n: require_array(f"kernels[{n!r}]", k, ndim=(2,), shape_hint="(kh, kw)") for n, k in kernels.items()
    }
    if max(max(k.shape) for k in arrays.values()) > 12:
        raise ValueError("kernels larger than 12x12 are too large to print their numbers")
    limit = symmetric_limit(*arrays.values())
    fig = new_figure(3.6 * len(arrays) + 1.2, 4.0)
    axes = fig.subplots(1, len(arrays), squeeze=False)[0]
    for ax, (name, kernel) in zip(axes, arrays.items(), strict=True):
        label = f"{name} ({kernel.shape[0]}x{kernel.shape[1]})"
        image = draw_matrix(ax, kernel, label, cmap=DIVERGING, limits=(-limit, limit))
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    rows = {n: " | ".join(" ".join(cell_number(v) for v in row) for row in k) for n, k in arrays.items()}
    describe(
        fig,
        f"{len(arrays)} kernel{'s' * (len(arrays) != 1)} on one colour scale "
        + f"from {cell_number(-limit)} to {cell_number(limit)}, "
        + "; ".join(f"{n} with rows {r}" for n, r in rows.items())
        + ".",
    )
    return fig
