"""A class plan built from the notebook itself: reading time, run time and student activities per
section, the core path apart from the optional sections.

    cnn-plan notebooks/cnn_mnist.ipynb                 # reading and activities, from the text
    cnn-plan notebooks/cnn_mnist.ipynb --run           # and each cell's run time, measured now

A section starts at each ``#`` or ``##`` heading. Its minutes are:

- **reading**: the words of its markdown, read aloud at ``WORDS_PER_MINUTE`` (folded answers,
  code spans and image links excluded: answers are discussed, which the activities count);
- **running**: the seconds its code cells took, measured by executing the notebook (``--run``,
  in a fresh kernel with nbclient's timing records);
- **activities**: the time students work, by the allowances of ``ACTIVITIES`` for each marker
  found in the section's cells.

A section is optional when its heading starts with "Optional"; cells tagged ``optional`` inside
a core section count as optional too. The command prints a Markdown table and the totals.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
import math
from pathlib import Path
import re
import sys

import nbformat

from .slides import section_headings

WORDS_PER_MINUTE = 130  # a comfortable read-aloud pace for explanations

#: Minutes students spend on each kind of activity, by the marker that starts it.
ACTIVITIES = {
    "Predict, then run": 2.0,  # think, say a guess, run, compare, open the answer
    "Your turn": 3.0,  # change a line, run two cells, read the result
    "### BEGIN SOLUTION": 5.0,  # write a step of the exercise, run its check cell, fix it
    "quiz question": 1.5,  # per numbered question of "Check your understanding", with discussion
}
FIGURE_MINUTES = 0.5  # look at a figure and point at what it shows

_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,×·−-]*")


@dataclass
class Section:
    """One section of the notebook: its title, whether it is optional, and what it takes."""

    title: str
    optional: bool
    words: int = 0
    run_seconds: float = 0.0
    activities: dict[str, int] = field(default_factory=dict)
    figures: int = 0

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def activity_minutes(self) -> float:
        return sum(ACTIVITIES[k] * n for k, n in self.activities.items()) + FIGURE_MINUTES * self.figures

    @property
    def minutes(self) -> float:
        return self.reading_minutes + self.run_seconds / 60 + self.activity_minutes


def prose_words(markdown: str) -> int:
    """The number of words of ``markdown`` a presenter reads aloud (no answers, code or images)."""
    text = _CODE_SPAN.sub(" ", _IMAGE.sub(" ", _DETAILS.sub(" ", markdown)))
    return len(_WORD.findall(text))


_MARKERS = {  # how each activity is marked: bold at the start of a paragraph, or nbgrader's marker
    "Predict, then run": re.compile(r"^\*\*Predict, then run\.\*\*", re.M),
    "Your turn": re.compile(r"^\*\*Your turn\.\*\*", re.M),
    "### BEGIN SOLUTION": re.compile(r"^### BEGIN SOLUTION$", re.M),
}


def _activities(cell: nbformat.NotebookNode, title: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for marker, pattern in _MARKERS.items():
        count = len(pattern.findall(cell.source))
        if count and (marker.startswith("###") == (cell.cell_type == "code")):
            found[marker] = count
    if cell.cell_type == "markdown" and title.startswith("Check your understanding"):
        questions = len(re.findall(r"^\d+\. ", _DETAILS.sub("", cell.source), re.M))
        if questions:
            found["quiz question"] = questions
    return found


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    """The seconds a code cell ran, from nbclient's timing metadata (0 without it)."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def plan(notebook: nbformat.NotebookNode) -> list[Section]:
    """The sections of ``notebook`` with their words, run time, activities and figures.

    Cells before the first heading belong to a section titled "(start)". Run times are read from
    the cells' timing metadata, if the notebook was executed with it (see ``execute_timed``).
    """
    sections = [Section("(start)", optional=False)]
    optional_extra = Section("(optional cells of core sections)", optional=True)
    for cell in notebook.cells:
        headings = section_headings(cell.source) if cell.cell_type == "markdown" else []
        if headings:
            title = headings[-1]
            sections.append(Section(title, optional=title.lower().startswith("optional")))
        current = sections[-1]
        target = (
            optional_extra
            if "optional" in cell.metadata.get("tags", []) and not current.optional
            else current
        )
        if cell.cell_type == "markdown":
            target.words += prose_words(cell.source)
        else:
            target.run_seconds += cell_seconds(cell)
            target.figures += sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        for marker, count in _activities(cell, current.title).items():
            target.activities[marker] = target.activities.get(marker, 0) + count
    if optional_extra.words or optional_extra.run_seconds or optional_extra.activities:
        sections.append(optional_extra)
    return [s for s in sections if s.words or s.run_seconds or s.activities or s.figures]


def execute_timed(path: Path) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in a fresh kernel, recording each cell's run time."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1800, kernel_name="python3", record_timing=True)
    client.execute(cwd=str(path.parent))
    return notebook


def table(sections: Sequence[Section]) -> str:
    """The plan as a Markdown table in minutes, core sections first; each total is rounded up."""
    rows = [
        "| section | words | reading | running | activities | minutes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for optional in (False, True):
        chosen = [s for s in sections if s.optional == optional]
        for s in chosen:
            acts = ", ".join(f"{n} × {k}" for k, n in s.activities.items())
            rows.append(
                f"| {s.title} | {s.words} | {s.reading_minutes:.1f} | {s.run_seconds / 60:.1f} | "
                f"{s.activity_minutes:.1f}{' (' + acts + ')' if acts else ''} | {s.minutes:.1f} |"
            )
        total = math.ceil(sum(s.minutes for s in chosen))
        label = "optional sections" if optional else "core path"
        rows.append(f"| **{label}** | {sum(s.words for s in chosen)} | | | | **{total}** |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cnn-plan``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="cnn-plan",
        description="Print a class plan of a lesson notebook: minutes of reading, running and activities.",
    )
    parser.add_argument("notebook", type=Path, help="the lesson notebook")
    parser.add_argument(
        "--run", action="store_true", help="execute the notebook now to measure each cell's run time"
    )
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    try:
        notebook = execute_timed(args.notebook) if args.run else nbformat.read(args.notebook, as_version=4)
    except (ValueError, nbformat.ValidationError) as error:
        print(f"cnn-plan: {args.notebook}: {error}", file=sys.stderr)
        return 2
    print(table(plan(notebook)))
    if not args.run:
        print("\n(run times not measured: add --run to execute the notebook and time its cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
