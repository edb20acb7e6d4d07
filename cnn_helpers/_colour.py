"""Colours shared by every layer: the palettes, and WCAG 2.1's luminance and contrast (numpy only).

- A diverging map (``DIVERGING``: red positive, blue negative) also shows its sign without colour
  (``figures._colour_marks`` dots the negative cells).
- The training and validation curves differ in colour, marker and line style (``TRAINING``,
  ``VALIDATION``). The colours were chosen to stay apart under the common colour-vision
  deficiencies (tests/test_accessibility.py simulates them) and to read as text on white (5:1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The diverging colour map of signed values (weights, outputs): red positive, blue negative.
DIVERGING = "RdBu_r"
#: Training and validation curves: blue and dark orange (apart under every common colour-vision
#: deficiency, each 5:1 on white so that a label in that colour reads too), also circles and a solid
#: line against squares and a dashed line.
TRAINING = {"color": "#0072B2", "marker": "o", "linestyle": "-"}
VALIDATION = {"color": "#A95A00", "marker": "s", "linestyle": "--"}
#: Bars of a probability chart: the most likely class dark orange and hatched, the others blue.
BEST_BAR, OTHER_BAR = "#A95A00", "#0072B2"
NEGATIVE_HATCH = ".."  # dots on the negative cells of a diverging map (sparse: small PNGs)


def relative_luminance(rgb: Any) -> Any:
    """WCAG 2.1's relative luminance of sRGB colours ``(..., 3)`` in [0, 1]: 0 black, 1 white."""
    rgb = np.asarray(rgb, dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: Any, second: Any) -> Any:
    """WCAG 2.1's contrast ratio, 1 to 21, of two relative luminances (or arrays of them)."""
    high, low = np.maximum(first, second), np.minimum(first, second)
    return (high + 0.05) / (low + 0.05)
