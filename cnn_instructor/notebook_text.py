"""The text conventions of the lesson's notebooks, in one place: what the instructor tools
(``cnn-exercise``, ``cnn-assignment``, ``cnn-plan``, ``cnn-slides``, nbgrader's release) read and
write in a cell.

**The lines a student writes.** The lesson shows its answers as plain code: the lines a student
writes in the exercise are named in the cell's metadata, not marked in its text, so that nothing
but the lesson is on the projector. ``metadata["solution_lines"]`` lists the regions, each
``[first, last]``, line numbers of the cell counted from 1, both included::

    # Normalize: x_train and x_test, ...        <- hint lines (comments) right above a region
    x_train = ...                               <- line 2: first line to write
    x_test = ...                                <- line 3: last line to write

    "metadata": {"solution_lines": [[2, 3]]}

Generated notebooks that nbgrader reads (the assignment's source) carry nbgrader's own markers in
the text instead, ``### BEGIN SOLUTION`` and ``### END SOLUTION``, each alone on its line at
column 0 (inside a call or a list too). ``marked_source`` gives either kind of cell as marked
text, and ``split_marked`` is the one reader of marked text: a line that looks like a marker but
is not exactly one (``## BEGIN SOLUTION``, an indented or lower-case marker), a nested, empty or
unclosed block is a ``MarkerError`` naming the cell and the line, never something passed through.
A graded cell's hidden tests sit between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

**Sections and activities.** A section starts at each ``#`` or ``##`` heading outside a code
fence (``section_headings``); it is optional when its heading starts with "Optional", and a cell
tagged ``optional`` is optional wherever it stands. The class sets up in the section headed "Set
up"; a section headed "Check your understanding" is a quiz, one numbered item per question. An
activity is a bold lead-in at the start of a paragraph, ``**Predict, then run.**`` or ``**Your
turn.**``, after an optional cell's visible mark ``*Optional (skip in class).*`` if it has one. An
answer is folded away between ``<details>`` and ``</details>`` (``folded`` writes one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import re
from typing import Any

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_LINES = "solution_lines"
TODO_MINUTES = "todo_minutes"  # cell metadata: how long a class needs at that TODO
OPTIONAL_TAG = "optional"
OPTIONAL_MARK = "*Optional (skip in class).*"  # an optional cell's visible mark, before its text
LEAD_INS = ("Predict, then run", "Your turn")  # the activities' bold lead-ins, without their "."
QUIZ_HEADING = "Check your understanding"

_NEAR_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END)\b.*\bSOLUTION\b", re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}(#{1,2})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SET_UP = re.compile(r"set[ -]?up\b", re.IGNORECASE)
_FOLDED = re.compile(r"<details>.*?</details>", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LEAD_IN = {
    name: re.compile(rf"^(?:{re.escape(OPTIONAL_MARK)} )?\*\*{re.escape(name)}\.\*\*", re.MULTILINE)
    for name in LEAD_INS
}
_NUMBERED = re.compile(r"^\d+\. ", re.MULTILINE)


class MarkerError(ValueError):
    """A solution marker that is not exactly one, or a block the tools cannot read or turn into a TODO."""


class RegionError(MarkerError):
    """A cell's ``solution_lines`` that do not name lines of the cell, in order, each a region of code."""


# --------------------------------------------------------------------------- the lines to write
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


@dataclass(frozen=True)
class Marked:
    """The lines between a ``BEGIN`` and its ``END``; ``line`` is the ``BEGIN`` line's number (from 1),
    so the block's lines are ``line + 1`` to ``line + len(lines)`` of the marked text."""

    line: int
    lines: tuple[str, ...]


def split_marked(source: str, where: str = "cell") -> list[str | Marked]:
    """Marked text (``marked_source``) as its plain lines and its ``Marked`` blocks, in order.

    A MarkerError names ``where`` and the line: a line that looks like a marker but is not exactly
    ``BEGIN`` or ``END`` at column 0, a block inside another, an ``END`` without its ``BEGIN``, a
    ``BEGIN`` without its ``END``, and a block without a line of code.
    """
    parts: list[str | Marked] = []
    lines = source.split("\n")
    start = None  # the number of the open BEGIN line
    for number, line in enumerate(lines, 1):
        at = f"{where}, line {number}"
        if line == BEGIN:
            if start is not None:
                raise MarkerError(f"{at}: {BEGIN} inside another solution block; close it first")
            start = number
        elif line == END:
            if start is None:
                raise MarkerError(f"{at}: {END} without {BEGIN} above it")
            block = Marked(start, tuple(lines[start : number - 1]))
            if not "".join(block.lines).strip():
                raise MarkerError(f"{where}, line {start}: the solution block is empty")
            parts.append(block)
            start = None
        elif _NEAR_MARKER.match(line):
            raise MarkerError(
                f"{at}: {line.strip()!r} is not a marker this tool knows; write exactly "
                f"{BEGIN!r} or {END!r}, alone on its line and starting at column 0"
            )
        elif start is None:
            parts.append(line)
    if start is not None:
        raise MarkerError(f"{where}, line {start}: {BEGIN} has no {END}")
    return parts


# --------------------------------------------------------------------------- sections
def section_headings(markdown: str) -> list[str]:
    """The text of the level-1 and level-2 ATX headings of ``markdown``, outside code fences, as
    written (inline markup kept)."""
    headings, fence = [], None
    for line in markdown.splitlines():
        opening = _FENCE.match(line)
        if opening and fence is None:
            fence = opening.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and (match := _HEADING.match(line)):
            headings.append(match.group(2))
    return headings


def is_optional_section(heading: str) -> bool:
    """Whether a section with this heading is optional: its heading starts with "Optional"."""
    return heading.lower().startswith("optional")


def is_optional_cell(cell: Mapping[str, Any]) -> bool:
    """Whether a cell is tagged ``optional`` (optional even inside a core section)."""
    return OPTIONAL_TAG in cell.get("metadata", {}).get("tags", [])


def is_setup_section(heading: str) -> bool:
    """Whether the class sets up in the section with this heading ("Set up", "Setup", "Set-up")."""
    return bool(_SET_UP.match(heading))


def is_quiz_section(heading: str) -> bool:
    """Whether the section with this heading is a quiz ("Check your understanding...")."""
    return heading.startswith(QUIZ_HEADING)


# --------------------------------------------------------------------------- markdown
def folded(summary: str, body: str) -> str:
    """Markdown that folds ``body`` away under a line saying ``summary`` (an HTML ``<details>``)."""
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"


def without_folded(markdown: str) -> str:
    """``markdown`` with each folded part (``<details>`` ... ``</details>``) a space."""
    return _FOLDED.sub(" ", markdown)


def without_images(markdown: str) -> str:
    """``markdown`` with each image (``![alt](url)``) a space."""
    return _IMAGE.sub(" ", markdown)


def without_code_spans(markdown: str) -> str:
    """``markdown`` with each code span (```code```) a space."""
    return _CODE_SPAN.sub(" ", markdown)


def bold_phrases(markdown: str) -> list[str]:
    """The bold phrases of ``markdown`` (``**...**``), in order, each on one line with single spaces."""
    return [" ".join(bold.split()) for bold in _BOLD.findall(markdown)]


def lead_ins(markdown: str) -> dict[str, int]:
    """How many paragraphs of ``markdown`` start with each activity's lead-in (``LEAD_INS``), the
    optional mark before it allowed; only those that do."""
    found = {name: len(pattern.findall(markdown)) for name, pattern in _LEAD_IN.items()}
    return {name: count for name, count in found.items() if count}


def quiz_questions(markdown: str) -> int:
    """The numbered items of ``markdown`` outside its folded answers: a quiz's questions."""
    return len(_NUMBERED.findall(without_folded(markdown)))


def markdown_alt(text: str) -> str:
    """``text`` as the alt text of a markdown image, ``![alt](...)``: one line, brackets and
    backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(text.split()))
