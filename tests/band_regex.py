"""Write the regex of a band for tests/nbval_sanitize.cfg: the numbers from low to high, printed
with the precision both ends are written in.

    python tests/band_regex.py 0.9920 0.9970    ->  0\\.99(?:[2-6]\\d|70)
    python tests/band_regex.py 30 80

tests/test_nbval_bands.py checks every band of the config against its range, whoever wrote it.
"""

from __future__ import annotations

import re
import sys


def _padded(low: int, high: int, width: int) -> str:
    """Integers low..high written with exactly ``width`` digits (leading zeros)."""
    if low == high:
        return str(low).zfill(width)
    if width == 1:
        return f"[{low}-{high}]"
    unit = 10 ** (width - 1)
    (low_digit, low_rest), (high_digit, high_rest) = divmod(low, unit), divmod(high, unit)
    if low_digit == high_digit:
        return f"{low_digit}(?:{_padded(low_rest, high_rest, width - 1)})"
    parts, first, last = [], low_digit, high_digit
    if low_rest != 0:
        parts.append(f"{low_digit}(?:{_padded(low_rest, unit - 1, width - 1)})")
        first += 1
    tail = None
    if high_rest != unit - 1:
        tail = f"{high_digit}(?:{_padded(0, high_rest, width - 1)})"
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        parts.append(digit + r"\d" * (width - 1))
    if tail:
        parts.append(tail)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _tidy(regex: str) -> str:
    while True:
        simpler = re.sub(r"\(\?:(\d+|\[\d-\d\]|\\d|\d(?:\\d)+)\)", r"\1", regex)
        if simpler == regex:
            return regex
        regex = simpler


def band_regex(low: str, high: str) -> str:
    """A regex matching exactly the numbers from ``low`` to ``high`` (both >= 0), written with
    as many decimals as ``low`` and ``high`` are."""
    places = len(low.partition(".")[2])
    if places != len(high.partition(".")[2]):
        raise ValueError(f"write low and high with the same number of decimals, not {low!r} and {high!r}")
    scale = 10**places
    lo, hi = round(float(low) * scale), round(float(high) * scale)
    if not 0 <= lo <= hi:
        raise ValueError(f"need 0 <= low <= high, got {low!r} and {high!r}")
    parts = []
    for whole in range(lo // scale, hi // scale + 1):
        a, b = max(lo, whole * scale) - whole * scale, min(hi, (whole + 1) * scale - 1) - whole * scale
        if places:
            parts.append(rf"{whole}\.{_padded(a, b, places)}")
        else:
            parts.append(None)
    if not places:  # whole numbers, without leading zeros
        parts = []
        for width in range(len(str(lo)), len(str(hi)) + 1):
            a, b = max(lo, 10 ** (width - 1) if width > 1 else 0), min(hi, 10**width - 1)
            if a <= b:
                parts.append(_padded(a, b, width))
    return _tidy(parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")")


if __name__ == "__main__":
    print(band_regex(*sys.argv[1:3]))
