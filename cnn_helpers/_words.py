"""Numbers and lists in words, for the sentences that describe the figures (their alt text).

A screen reader reads these aloud, so they are short and plain: "2.1 %", "0.60 %", "-0.25", "3, 5
and 8", "7 of 9".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


def percent(fraction: float) -> str:
    """``0.021`` -> ``"2.1 %"``, ``0.006`` -> ``"0.60 %"``, ``0.9943`` -> ``"99.4 %"``: two significant
    digits, and one decimal from 10 % up."""
    value = 100 * float(fraction)
    text = f"{value:.1f}" if abs(value) >= 10 else f"{value:#.2g}".rstrip(".")
    return f"{text} %"


def number(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` significant digits, no exponent for everyday sizes: ``-0.25``, ``12``."""
    value = float(value)
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text and 1e-4 <= abs(value) < 1e6:
        text = f"{value:.{max(digits - 1 - int(np.floor(np.log10(abs(value)))), 0)}f}"
    return text


def listing(items: Iterable[Any], *, most: int = 6) -> str:
    """``"a, b and c"``; more than ``most`` items end in ``", ... (n in all)"``."""
    items = [str(item) for item in items]
    if len(items) > most:
        return f"{', '.join(items[:most])}, ... ({len(items)} in all)"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(count: int, word: str) -> str:
    """``"1 filter"``, ``"8 filters"``."""
    return f"{count} {word if count == 1 else word + 's'}"


def sign_share(values: Any) -> str:
    """How many of ``values`` are positive and negative: ``"5 positive, 4 negative"``."""
    values = np.asarray(values)
    positive, negative = int((values > 0).sum()), int((values < 0).sum())
    parts = [f"{positive} positive", f"{negative} negative"]
    zero = values.size - positive - negative
    return ", ".join(parts + ([f"{zero} zero"] if zero else []))


def where_signed(out: np.ndarray) -> str:
    """Where a map ``(h, w)`` is positive and where negative, in words: how many positions each,
    centred where (weighted by the values), and which way the positive part lies from the negative
    (e.g. a kernel's output on a digit: "positive above the negative" is its top edges)."""
    tiny = 1e-6 * max(float(np.abs(out).max()), 1e-12)
    rows, cols = np.indices(out.shape)
    parts, centres = [], {}
    for sign, name in ((1, "positive"), (-1, "negative")):
        weight = np.where(sign * out > tiny, np.abs(out), 0.0)
        count = int((weight > 0).sum())
        if not count:
            parts.append(f"no {name} value")
            continue
        centre = (float((rows * weight).sum() / weight.sum()), float((cols * weight).sum() / weight.sum()))
        centres[name] = centre
        parts.append(f"{name} at {count} positions, centred at row {centre[0]:.0f}, column {centre[1]:.0f}")
    text = ", ".join(parts)
    if len(centres) == 2:
        down = centres["positive"][0] - centres["negative"][0]
        right = centres["positive"][1] - centres["negative"][1]
        if max(abs(down), abs(right)) >= 0.5:
            vertical = f"{abs(down):.1f} rows {'below' if down > 0 else 'above'}"
            sideways = f"{abs(right):.1f} columns {'right' if right > 0 else 'left'}"
            first, second = (vertical, sideways) if abs(down) >= abs(right) else (sideways, vertical)
            side = first.split()[-1]
            side = side if side in ("below", "above") else f"to the {side} of"
            text += f"; the positive values lie mostly {side} the negative ones ({first}, {second})"
        else:
            text += "; the positive and negative values are centred at the same place"
    return text
