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
