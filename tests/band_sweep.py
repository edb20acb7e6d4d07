"""Read the bands of tests/nbval_sanitize.cfg against notebooks executed with several seeds: for
each band, the numbers it meets in each run, and whether its range holds them all.

    for seed in 1 2 3; do papermill -p SEED $seed notebooks/cnn_mnist_explore.ipynb /tmp/s$seed.ipynb; done
    python tests/band_sweep.py /tmp/s1.ipynb /tmp/s2.ipynb /tmp/s3.ipynb

The sections are applied in the config's order, as nbval applies them, so that a band sees the
text the sections above it left. A band's number is found by its context (its lookbehind and
lookahead) around any number, in or out of its range; a band with no context is skipped (it can
only be read by its own range), and a band whose context does not single out its number (one that
needs only a "%" after it) also reports the numbers it is not about. Prints one line per band: its
range, the lowest and highest number the runs printed, in how many runs it found a number, and OUT
where a run printed one outside.
"""

from __future__ import annotations

import configparser
from decimal import Decimal
from pathlib import Path
import re
import sys

import nbformat

CONFIG = Path(__file__).with_name("nbval_sanitize.cfg")
_BAND = re.compile(r"^<(-?[\d.]+)\.\.(-?[\d.]+)>$")
_CONTEXT = re.compile(r"^(\(\?<=(?:[^()\\]|\\.)*\))?(.*?)(\(\?[=!](?:[^()\\]|\\.)*\))?$", re.S)
_ANY_NUMBER = r"-?\d+(?:\.\d+)?"
_NOT_AFTER = re.compile(r"\(\?<!(?:[^()\\]|\\.)*\)")  # a leading negative lookbehind


def output_texts(path: Path) -> list[str]:
    """The texts nbval compares in a notebook: each output's stream text or text/plain."""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain")
            if text:
                texts.append(text if isinstance(text, str) else "".join(text))
    return texts


def sweep(paths: list[Path]) -> list[tuple[str, Decimal, Decimal, list[list[Decimal]]]]:
    """For each band: its name, range, and the numbers found in each run."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(CONFIG, encoding="utf-8")
    runs = [output_texts(path) for path in paths]
    found: dict[str, list[list[Decimal]]] = {}
    for name in config.sections():
        regex, replace = config[name]["regex"], config[name]["replace"]
        band = _BAND.match(replace)
        context = _CONTEXT.match(regex)
        before = context.group(1) or (_NOT_AFTER.match(regex) or [""])[0]
        if band and (context.group(1) or context.group(3)):
            finder = re.compile(before + _ANY_NUMBER + (context.group(3) or ""))
            found[name] = [[Decimal(m) for text in texts for m in finder.findall(text)] for texts in runs]
        for texts in runs:
            texts[:] = [re.sub(regex, replace, text) for text in texts]
    rows = []
    for name, values in found.items():
        low, high = (Decimal(v) for v in _BAND.match(config[name]["replace"]).groups())
        rows.append((name, low, high, values))
    return rows


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    outside = 0
    for name, low, high, values in sweep([Path(a) for a in argv]):
        every = [v for run in values for v in run]
        seen = f"{min(every)}..{max(every)}" if every else "none"
        out = [v for v in every if not low <= v <= high]
        outside += bool(out)
        flag = "OUT" if out else ""
        runs = sum(bool(run) for run in values)
        print(f"{name:<34} band {low}..{high:<12} seen {seen:<20} in {runs}/{len(values)} runs {flag}")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
