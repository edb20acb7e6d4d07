"""What the instructor tools read in a notebook's cells: the lines a student writes.

The lesson shows its answers as plain code: the lines a student writes in the exercise are
named in the cell's metadata, not marked in its text, so that nothing but the lesson is on the
projector. ``metadata["solution_lines"]`` lists the regions, each ``[first, last]``, line numbers
of the cell counted from 1, both included::

    # Normalize: x_train and x_test, ...        <- hint lines (comments) right above a region
    x_train = ...                               <- line 2: first line to write
    x_test = ...                                <- line 3: last line to write

    "metadata": {"solution_lines": [[2, 3]]}

Generated notebooks that nbgrader reads (the assignment's source) carry nbgrader's own markers in
the text instead, ``### BEGIN SOLUTION`` and ``### END SOLUTION``, each alone on its line at
column 0. ``marked_source`` gives either kind of cell as marked text, which ``cnn-exercise``,
``cnn-assignment`` and ``cnn-plan`` read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTION_LINES = "solution_lines"


class RegionError(ValueError):
    """A cell's ``solution_lines`` that do not name lines of the cell, in order, each a region of code."""


def solution_regions(cell: Mapping[str, Any], where: str = "cell") -> list[tuple[int, int]]:
    """The regions ``[first, last]`` (1-based, inclusive) of a cell's lines a student writes.

    A RegionError names ``where`` when the regions are not pairs of line numbers inside the cell,
    in order and apart, or when a region starts or ends on a blank line.
    """
    raw = cell.get("metadata", {}).get(SOLUTION_LINES)
    if raw is None:
        return []
    lines = cell["source"].split("\n")
    if not isinstance(raw, list) or not raw:
        raise RegionError(f"{where}: {SOLUTION_LINES} should be a list of [first, last] line numbers")
    regions: list[tuple[int, int]] = []
    for region in raw:
        ok = isinstance(region, list) and len(region) == 2 and all(type(n) is int for n in region)
        if not ok or not 1 <= region[0] <= region[1] <= len(lines):
            raise RegionError(
                f"{where}: {SOLUTION_LINES} region {region!r} is not [first, last] with "
                f"1 <= first <= last <= {len(lines)} (the cell's lines)"
            )
        first, last = region
        if regions and first <= regions[-1][1] + 1:
            raise RegionError(f"{where}: {SOLUTION_LINES} regions overlap, touch or are out of order")
        if not lines[first - 1].strip() or not lines[last - 1].strip():
            raise RegionError(f"{where}: {SOLUTION_LINES} region {region!r} starts or ends on a blank line")
        regions.append((first, last))
    return regions


def marked_source(cell: Mapping[str, Any], where: str = "cell") -> str:
    """The cell's source with nbgrader's markers around each region a student writes.

    A cell without ``solution_lines`` is returned as it is (it may carry markers already).
    """
    regions = solution_regions(cell, where)
    if not regions:
        return cell["source"]
    lines = cell["source"].split("\n")
    for first, last in reversed(regions):
        lines[first - 1 : last] = [BEGIN, *lines[first - 1 : last], END]
    return "\n".join(lines)
