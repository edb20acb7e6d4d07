"""A model's response to one digit: the digit, its class probabilities and the first layer's
feature maps. What the drawing pad shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._args import require_count
from ..maths.attribution import as_model_batch, digit_probabilities
from ..maths.layers import first_conv, layer_output
from ._base import FigureLike, describe, new_figure
from ._panels import clean, probability_bars
from .filters import show_feature_maps


def show_digit_response(
    model: Any, image28: Any, *, n_maps: int | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Show one digit ``(28, 28)``, the model's class probabilities and its first feature maps.

    The bars highlight the top class, named with its probability in the title; the first
    ``n_maps`` maps (default: up to 8) of the first Conv2D layer follow. What the drawing pad shows.
    """
    batch = as_model_batch(model, image28)
    probabilities = digit_probabilities(model, batch)
    image = batch.reshape(batch.shape[1:3])
    conv = first_conv(model)
    n_maps = min(8, conv.filters) if n_maps is None else n_maps
    n_maps = require_count("n_maps", n_maps, maximum=conv.filters, what=f"filters of layer {conv.name!r}")
    maps = layer_output(model, conv, batch)
    fig = new_figure(fig, 15, 4.8)
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1, 1.5, 2.4])
    ax = left.subplots()
    ax.imshow(image, cmap="gray")
    ax.set_title(f"the digit, {image.shape[0]}x{image.shape[1]}", fontsize=13)
    clean(ax)
    bars = middle.subplots()
    best = probability_bars(bars, probabilities)
    bars.set(xlabel="class", ylabel="probability")
    bars.set_title(f"says {best} (p = {probabilities[best]:.2f})", fontsize=14)
    show_feature_maps(maps, n_maps, title=f"layer {conv.name!r}", fig=right)
    second = int(np.argsort(probabilities)[-2])
    describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} digit; the model says {best} with probability "
        f"{probabilities[best]:.2f} (next: {second}, {probabilities[second]:.2f}); beside it the first "
        f"{n_maps} feature maps of layer {conv.name!r}.",
    )
    return fig
