"""A model's response to one digit: the digit, its class probabilities and the first layer's
feature maps. What the drawing pad shows; ``maths.digit_response`` computes it.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_array, require_one_image
from ._base import clean, describe, new_figure
from ._colour import GRAYSCALE
from ._panels import draw_probability_bars
from .filters import draw_feature_maps


def show_digit_response(image: Any, probabilities: Any, feature_maps: Any, layer_name: str) -> Figure:
    """Show one digit ``(h, w)``, the model's class ``probabilities`` ``(classes,)`` as bars and the
    first feature maps ``(1, h', w', c)``, up to 8, of the layer named ``layer_name``: what
    ``digit_response`` returns. The bars highlight the top class, named with its probability in
    the title. What the drawing pad shows.
    """
    image = require_array("image", image, ndim=(2,), shape_hint="(h, w)")
    probabilities = require_array("probabilities", probabilities, ndim=(1,), shape_hint="(classes,)")
    maps = require_one_image("feature_maps", feature_maps)
    n = min(8, maps.shape[-1])
    fig = new_figure(15, 4.8)
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1, 1.5, 2.4])
    ax = left.subplots()
    ax.imshow(image, cmap=GRAYSCALE)
    ax.set_title(f"the digit, {image.shape[0]}x{image.shape[1]}", fontsize=13)
    clean(ax)
    bars = middle.subplots()
    best = draw_probability_bars(bars, probabilities)
    bars.set(xlabel="class", ylabel="probability")
    bars.set_title(f"says {best} (p = {probabilities[best]:.2f})", fontsize=14)
    draw_feature_maps(right, maps[:, :, :n], title=f"layer {layer_name!r}")
    second = int(np.argsort(probabilities)[-2])
    describe(
        fig,
        f"A {image.shape[0]}x{image.shape[1]} digit; the model says {best} with probability "
        f"{probabilities[best]:.2f} (next: {second}, {probabilities[second]:.2f}); beside it the first "
        f"{n} feature maps of layer {layer_name!r}.",
    )
    return fig
