"""Colour, in one place: the palettes of the figures, and how colour never carries meaning alone.

- Every colour and colour map a figure (or the drawing pad) draws with is named here, by its role
  (``GRAYSCALE`` for digits, ``SEQUENTIAL`` for feature maps, ``WINDOW_OUTLINE``...); the figures
  use these names, never a colour of their own.
- Signed values (weights, outputs) are drawn with the diverging map ``DIVERGING`` (red positive,
  blue negative) on a scale symmetric around zero (``symmetric_limit``). Their negative cells are
  also dotted (``draw_negative_dots``), and so is the negative half of the colour bar
  (``draw_signed_colorbar``): the sign shows without telling red from blue.
- Text drawn on a colour is black or white, whichever contrasts more with it (``readable_on``,
  ``text_colour``): at least 4.58:1 on any colour, by WCAG 2.1's luminance and contrast ratio.
- Categories differ by more than colour: the training and validation curves by marker and line
  style too (``TRAINING``, ``VALIDATION``), the most likely bar of a probability chart by its
  hatching (``BEST_BAR``). The palettes stay apart under the common colour-vision deficiencies
  (tests/test_accessibility.py simulates them).
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Rectangle
import numpy as np

# --------------------------------------------------------------------------- palettes
#: The diverging colour map of signed values (weights, outputs): red positive, blue negative.
DIVERGING = "RdBu_r"
#: Dots on the negative cells of a diverging map (sparse: small PNGs).
NEGATIVE_HATCH = ".."
#: Training and validation curves: blue and dark orange (apart under every common colour-vision
#: deficiency, each 5:1 on white so that a label in that colour reads too), also circles and a solid
#: line against squares and a dashed line.
TRAINING = {"color": "#0072B2", "marker": "o", "linestyle": "-"}
VALIDATION = {"color": "#A95A00", "marker": "s", "linestyle": "--"}
#: Bars of a probability chart: the most likely class dark orange and hatched, the others blue.
BEST_BAR, OTHER_BAR = "#A95A00", "#0072B2"
#: The three similarity measures of the cascading randomization (also told apart by their markers).
MEASURE_COLOURS = ("#0072B2", "#A95A00", "#009E73")
#: Receptive fields outlined on a digit, one colour per box (also named in the legend).
BOX_COLOURS = ("tab:orange", "tab:red", "tab:cyan", "tab:green", "tab:purple")
#: The architecture's stages, by kind: light enough for black text, apart under the common
#: colour-vision deficiencies (ΔE' >= 10 in CAM02-UCS); the kinds are also told apart by the arrows'
#: labels. A colour input's planes are ``RGB_PLANES``.
STAGE_COLOURS = {"input": "#f0f0f0", "conv": "#d0b1f0", "pool": "#efae77", "vector": "#acc6be"}
RGB_PLANES = ("#f4b6b6", "#b6e0b6", "#b6c8f4")
#: The architecture's window: dark red, at least 3:1 against every stage colour (WCAG's non-text
#: contrast).
WINDOW = "#b2182b"
#: The architecture's other strokes: a stage of another kind, the planes' edges and the stages'
#: names (dark grey), the arrows between stages (darker).
OTHER_STAGE, STAGE_EDGE, ARROW = "#dddddd", "#444444", "#333333"
#: The learning rate's curve under the training curves: dark green, apart from both.
LEARNING_RATE = "#1b7837"

# --------------------------------------------------------------------------- colour maps
#: Digits and other grayscale inputs, as they are: black 0, white the largest value.
GRAYSCALE = "gray"
#: Values of one sign on their own scale (feature maps, pooled maps): dark low, yellow high.
SEQUENTIAL = "viridis"
#: Attribution magnitudes (how much each pixel counts, no sign): black 0, bright the most.
MAGNITUDE = "inferno"
#: The confusion matrix's counts, on a log scale: white few, dark blue many.
COUNTS = "Blues"
#: Numbers written on shaded cells (``draw_matrix``'s default): white low, black high; at 0 on a
#: scale from 0 it is a white panel (a dead feature map's).
SHADES = "Greys"
#: The red, green and blue planes of a colour image, each drawn in its own hue.
CHANNEL_MAPS = ("Reds", "Greens", "Blues")

# --------------------------------------------------------------------------- marks
#: Plain black and white: text, edges and the zero line (``INK``); hollow markers, hatching on a
#: dark bar and the input's cells in the padding figure (``PAPER``).
INK, PAPER = "black", "white"
#: Lines to compare against, drawn light: the calibrated diagonal, guessing at random, a separator.
REFERENCE = "gray"
#: A digit's outline over its attribution maps: grey over ``show_attributions``' rows (it reads on
#: the diverging map's white zero and on ``MAGNITUDE``'s black one); white, half transparent, over
#: ``show_saliency``'s maps (a saliency map has no sign: ``MAGNITUDE``, dark at zero).
DIGIT_CONTOUR, DIGIT_CONTOUR_ON_DARK = "gray", "white"
#: The window a unit reads, outlined on its input (a kernel's window, a receptive field, the field
#: covered), and the output value that window makes in the convolution's steps.
WINDOW_OUTLINE = "tab:orange"
#: The one unit looked at, outlined on its feature map (and the unshifted centre of its shifts).
UNIT_OUTLINE = "tab:red"
#: Pooling windows outlined on a feature map drawn ``SEQUENTIAL`` (dark to yellow).
POOL_OUTLINE = "white"
#: The padding figure's window positions (also solid, dashed and dotted), its padding cells (grey,
#: hatched, holding 0) and the lines between cells.
WINDOW_POSITIONS = {"first": WINDOW_OUTLINE, "next": "tab:blue", "last": "tab:purple"}
PADDING_CELL, CELL_EDGE = "#d9d9d9", "#777777"
#: The label of a feature map that is zero everywhere ("all zeros (dead here)"), on white.
DEAD_MAP_LABEL = "firebrick"
#: The drawing pad (a widget): white ink on black, as MNIST's digits are, in a grey frame.
PAD_INK, PAD_GROUND, PAD_FRAME = "white", "black", "gray"


# --------------------------------------------------------------------------- contrast
def relative_luminance(rgb: Any) -> Any:
    """WCAG 2.1's relative luminance of sRGB colours ``(..., 3)`` in [0, 1]: 0 black, 1 white."""
    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: Any, second: Any) -> Any:
    """WCAG 2.1's contrast ratio, 1 to 21, of two relative luminances (or arrays of them)."""
    high, low = np.maximum(first, second), np.minimum(first, second)
    return (high + 0.05) / (low + 0.05)


def readable_on(colour: Any) -> str:
    """Return black or white, whichever has the higher contrast with ``colour`` (at least 4.58:1)."""
    luminance = relative_luminance(to_rgb(colour))
    return "black" if contrast_ratio(luminance, 0.0) >= contrast_ratio(luminance, 1.0) else "white"


def text_colour(image: Any, value: float) -> str:
    """Return black or white, whichever reads better on the colour ``image`` gives ``value``."""
    return readable_on(image.cmap(image.norm(value)))


# --------------------------------------------------------------------------- signed values
def symmetric_limit(*arrays: Any) -> float:
    """Return the largest absolute value in ``arrays``, for a colour scale symmetric around zero.

    All zeros give 1.0, so that the scale stays valid.
    """
    return max(float(np.abs(np.asarray(a)).max()) for a in arrays) or 1.0


def draw_negative_dots(ax: Axes, values: np.ndarray, image: Any) -> None:
    """Dot every negative cell of ``values`` ``(h, w)``, drawn by ``image`` on ``ax``: the sign is
    then seen without telling red from blue. Dots are black on light cells, white on dark ones."""
    rows, cols = np.nonzero(np.asarray(values) < 0)
    for colour in ("black", "white"):
        cells = [
            Rectangle((c - 0.5, r - 0.5), 1, 1)
            for r, c in zip(rows, cols, strict=True)
            if text_colour(image, values[r, c]) == colour
        ]
        if cells:
            dots = PatchCollection(cells, facecolor="none", edgecolor="none", hatch=NEGATIVE_HATCH, lw=0)
            dots.set_hatchcolor(colour)
            dots.set_gid("negative")
            ax.add_collection(dots)


def draw_signed_colorbar(fig: Figure | SubFigure, image: Any, axes: Any, label: str, **kwargs: Any) -> Any:
    """Add a colour bar for the diverging ``image`` beside ``axes``, its negative half dotted as
    ``draw_negative_dots`` dots the cells; its label says so. Return the colour bar."""
    bar = fig.colorbar(image, ax=axes, label=f"{label} (dotted: negative)", **kwargs)
    low, _ = image.get_clim()
    steps = np.linspace(low, 0, 25)
    for start, end in zip(steps[:-1], steps[1:], strict=True):
        colour = text_colour(image, (start + end) / 2)
        band = Rectangle((0, start), 1, end - start, transform=bar.ax.get_yaxis_transform(), fill=False)
        band.set(hatch=NEGATIVE_HATCH, edgecolor="none", lw=0, gid="negative")
        band.set_hatchcolor(colour)
        bar.ax.add_patch(band)
    return bar
