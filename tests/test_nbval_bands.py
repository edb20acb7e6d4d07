"""The bands of tests/nbval_sanitize.cfg: each accepts exactly the range it states, and each still
finds its number in the committed notebooks.

A band is a section whose ``replace`` is ``<low..high>``: its regex, read without its lookaround
context, must match a number printed with the band's precision exactly when it lies in
``[low, high]``. nbval applies the same regexes to the stored and the fresh outputs, so a fresh
number inside the band compares equal to the stored one, and a number outside stays as it is and
fails the comparison.
"""

from __future__ import annotations

import configparser
from decimal import Decimal
import re

import nbformat
from paths import EXPLORE, LESSON, ROOT
import pytest

CONFIG = ROOT / "tests" / "nbval_sanitize.cfg"
_BAND = re.compile(r"^(.*)<(-?[\d.]+)\.\.(-?[\d.]+)>(.*)$")
_CONTEXT = re.compile(r"^(\(\?<=(?:[^()\\]|\\.)*\))?(.*?)(\(\?[=!](?:[^()\\]|\\.)*\))?$", re.S)


def _sections():
    config = configparser.ConfigParser(interpolation=None)
    config.read(CONFIG, encoding="utf-8")
    return {name: (config[name]["regex"], config[name]["replace"]) for name in config.sections()}


BANDS = {name: pair for name, pair in _sections().items() if _BAND.match(pair[1])}


def test_the_config_has_bands_and_nbval_reads_every_section():
    from nbval.plugin import get_sanitize_patterns

    assert len(BANDS) >= 10
    patterns = get_sanitize_patterns(CONFIG.read_text(encoding="utf-8"))
    assert [regex for regex, _ in patterns] == [regex for regex, _ in _sections().values()]


def _grid(low: Decimal, high: Decimal) -> list[Decimal]:
    """Every number with the band's precision from well below ``low`` to well above ``high``."""
    step = Decimal(1).scaleb(low.as_tuple().exponent)
    width = high - low
    start, stop = max(low - width - 10 * step, Decimal(0)), high + width + 10 * step
    count = int((stop - start) / step) + 1
    return [start + i * step for i in range(count)]


@pytest.mark.parametrize("name", sorted(BANDS))
def test_each_band_accepts_exactly_its_range(name):
    regex, replace = BANDS[name]
    _, low, high, _ = _BAND.match(replace).groups()
    low, high = Decimal(low), Decimal(high)
    assert low.as_tuple().exponent == high.as_tuple().exponent, "write both ends with the same precision"
    number = re.compile(_CONTEXT.match(regex).group(2))
    wrong = [  # written out in full ("0.0000001", not Decimal's "1E-7")
        format(value, "f")
        for value in _grid(low, high)
        if bool(number.fullmatch(format(value, "f"))) != (low <= value <= high)
    ]
    assert wrong == [], f"{name}: the regex disagrees with <{low}..{high}> at {wrong[:5]}"


def _stored_text() -> str:
    texts = []
    for path in (LESSON, EXPLORE):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                texts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
    return "\n".join(texts)


def test_every_section_finds_something_in_the_stored_outputs():
    text = _stored_text()
    for name, (regex, replace) in _sections().items():
        if name == "epoch-time" or re.search(regex, text):
            text = re.sub(regex, replace, text)  # in order, as nbval does
            continue
        pytest.fail(f"section [{name}] matches nothing in the committed notebooks: a stale band?")
