"""A class plan built from the notebook itself: where each minute of a class goes, section by
section, the core path apart from the optional sections.

    cnn-plan notebooks/cnn_mnist.ipynb                 # from the stored notebook
    cnn-plan notebooks/cnn_mnist.ipynb --run           # with each cell's run time measured now
    cnn-plan notebooks/cnn_mnist.ipynb --readme README.md   # and write the table into README

A section starts at each ``#`` or ``##`` heading. A class spends its minutes on six things, each
counted from the notebook with a constant below, whose source is given beside it:

- **prose**: the words of its markdown, read aloud (folded answers, code spans and image links
  left out: answers are discussed, which the activities count);
- **code**: reading and explaining the code cells, line by line (lines a student writes are
  counted under *writing* instead);
- **figures**: looking at each figure, longer for a figure of many panels (its ``Axes``);
- **writing**: each exercise step a student writes (a ``### BEGIN SOLUTION`` block) from its
  hints, with its check cell, longer for more lines;
- **running**: the cells' run time on a student's laptop: Keras' own per-epoch times stored in
  the outputs (training is nearly all of it), or with ``--run`` every cell's time measured now,
  in a fresh kernel, times ``LAPTOP_SLOWDOWN``;
- **activities**: the "Predict, then run" and "Your turn" moments and the quiz questions.

Calibration (README, "A 90-minute class"): on the lesson as it stood at commit 81b054b, which
two timed walk-throughs of a teacher put at 95–115 and 125–217 minutes, this count gives 104
minutes (the reading-aloud count alone gave 78). A section is optional when its heading starts
with "Optional"; cells tagged ``optional`` inside a core section count as optional too.
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

# Sources: (w) the two timed walk-throughs of the lesson at 81b054b (issue 30), on which the
# constants marked so were calibrated together; the others are stated where they are defined.
WORDS_PER_MINUTE = 130  # reading aloud to a class: presentations run at 100–150 words a minute
CODE_LINES_PER_MINUTE = 15  # (w) a teacher reads out and explains a line in about 4 seconds
FIGURE_MINUTES = 0.5  # (w) look at a one-panel figure and point at what it shows
PANEL_MINUTES = 0.075  # (w) each further panel (a map, a filter, a colour bar): 4.5 seconds
WRITE_STEP_MINUTES = 2.5  # (w) read a TODO's hints, run its check cell, fix what it says
WRITE_LINE_MINUTES = 0.5  # (w) each line of its solution a student types and gets right
LAPTOP_SLOWDOWN = 2.0  # a laptop or a hub's one-core limit against the 2-core machine that ran it

#: Minutes students spend on each kind of activity, by the marker that starts it.
ACTIVITIES = {
    "Predict, then run": 2.0,  # think, say a guess, run, compare, open the answer
    "Your turn": 3.0,  # change a line, run two cells, read the result
    "quiz question": 1.5,  # per numbered question of "Check your understanding", with discussion
}
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"

_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,×·−-]*")
_AXES = re.compile(r"with (\d+) Axes")
_EPOCH_SECONDS = re.compile(r"^\d+/\d+ - (\d+)s - ", re.M)  # Keras' verbose=2 line of an epoch


@dataclass
class Section:
    """One section of the notebook: its title, whether it is optional, and what it takes."""

    title: str
    optional: bool
    words: int = 0
    code_lines: int = 0
    solution_lines: list[int] = field(default_factory=list)  # lines of each step to write
    panels: list[int] = field(default_factory=list)  # panels of each figure
    run_seconds: float = 0.0  # on the machine that ran the notebook
    activities: dict[str, int] = field(default_factory=dict)

    @property
    def parts(self) -> dict[str, float]:
        """Minutes of each kind: prose, code, figures, writing, running, activities."""
        return {
            "prose": self.words / WORDS_PER_MINUTE,
            "code": self.code_lines / CODE_LINES_PER_MINUTE,
            "figures": sum(FIGURE_MINUTES + PANEL_MINUTES * (n - 1) for n in self.panels),
            "writing": sum(WRITE_STEP_MINUTES + WRITE_LINE_MINUTES * n for n in self.solution_lines),
            "running": LAPTOP_SLOWDOWN * self.run_seconds / 60,
            "activities": sum(ACTIVITIES[k] * n for k, n in self.activities.items()),
        }

    @property
    def minutes(self) -> float:
        return sum(self.parts.values())


def prose_words(markdown: str) -> int:
    """The number of words of ``markdown`` a presenter reads aloud (no answers, code or images)."""
    text = _CODE_SPAN.sub(" ", _IMAGE.sub(" ", _DETAILS.sub(" ", markdown)))
    return len(_WORD.findall(text))


def code_lines(source: str) -> tuple[int, list[int]]:
    """The lines of a code cell to read, and the lines of each solution block in it to write."""
    read, steps, writing = 0, [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == SOLUTION_BEGIN:
            writing = True
            steps.append(0)
        elif stripped == SOLUTION_END:
            writing = False
        elif stripped and writing:
            steps[-1] += 1
        elif stripped:
            read += 1
    return read, steps


_MARKERS = {  # how each activity is marked: bold at the start of a paragraph
    "Predict, then run": re.compile(r"^\*\*Predict, then run\.\*\*", re.M),
    "Your turn": re.compile(r"^\*\*Your turn\.\*\*", re.M),
}


def _activities(cell: nbformat.NotebookNode, title: str) -> dict[str, int]:
    found: dict[str, int] = {}
    if cell.cell_type != "markdown":
        return found
    for marker, pattern in _MARKERS.items():
        if count := len(pattern.findall(cell.source)):
            found[marker] = count
    if title.startswith("Check your understanding"):
        if questions := len(re.findall(r"^\d+\. ", _DETAILS.sub("", cell.source), re.M)):
            found["quiz question"] = questions
    return found


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    """The seconds a code cell ran, from nbclient's timing metadata (0 without it)."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def stored_seconds(cell: nbformat.NotebookNode) -> float:
    """The seconds of training a code cell's stored output reports (Keras' per-epoch times)."""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return float(sum(int(s) for s in _EPOCH_SECONDS.findall(text)))


def figure_panels(cell: nbformat.NotebookNode) -> list[int]:
    """The number of panels (``Axes``) of each figure a code cell shows (1 when not stated)."""
    panels = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            found = _AXES.search(str(data.get("text/plain", "")))
            panels.append(int(found.group(1)) if found else 1)
    return panels


def plan(notebook: nbformat.NotebookNode) -> list[Section]:
    """The sections of ``notebook`` with what each takes.

    Cells before the first heading belong to a section titled "(start)". Run times are the
    cells' timing metadata where the notebook was executed with it (see ``execute_timed``), else
    the training times stored in the outputs.
    """
    timed = any(cell_seconds(c) for c in notebook.cells if c.cell_type == "code")
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
        elif cell.cell_type == "code":
            read, steps = code_lines(cell.source)
            target.code_lines += read
            target.solution_lines += steps
            target.run_seconds += cell_seconds(cell) if timed else stored_seconds(cell)
            target.panels += figure_panels(cell)
        for marker, count in _activities(cell, current.title).items():
            target.activities[marker] = target.activities.get(marker, 0) + count
    if optional_extra.minutes:
        sections.append(optional_extra)
    return [s for s in sections if s.minutes]


def execute_timed(path: Path) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in a fresh kernel, recording each cell's run time."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1800, kernel_name="python3", record_timing=True)
    client.execute(cwd=str(path.parent))
    return notebook


COLUMNS = ("prose", "code", "figures", "writing", "running", "activities")


def table(sections: Sequence[Section]) -> str:
    """The plan as a Markdown table: each section's minutes by kind, and when it starts and ends
    in the class (core path first, then the optional sections); each total is rounded up."""
    rows = [
        "| minutes | section | " + " | ".join(COLUMNS) + " | total |",
        "|---|---|" + "---:|" * (len(COLUMNS) + 1),
    ]
    for optional in (False, True):
        chosen = [s for s in sections if s.optional == optional]
        clock = 0.0
        for s in chosen:
            start, clock = clock, clock + s.minutes
            when = f"+{s.minutes:.0f}" if optional else f"{start:.0f}–{clock:.0f}"
            parts = " | ".join(f"{m:.1f}" if m else "" for m in s.parts.values())
            rows.append(f"| {when} | {s.title} | {parts} | {s.minutes:.1f} |")
        sums = " | ".join(f"{sum(s.parts[k] for s in chosen):.0f}" for k in COLUMNS)
        label = "optional sections" if optional else "core path"
        rows.append(f"| | **{label}** | {sums} | **{math.ceil(clock)}** |")
    return "\n".join(rows)


def readme_block(notebook_path: str) -> re.Pattern[str]:
    """The markers around a notebook's plan table in README, the table between them captured."""
    return re.compile(rf"(<!-- cnn-plan {re.escape(notebook_path)} -->\n)(.*?)(\n<!-- end -->)", re.S)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cnn-plan``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="cnn-plan",
        description="Print a class plan of a lesson notebook: where each minute of the class goes.",
    )
    parser.add_argument("notebook", type=Path, help="the lesson notebook")
    parser.add_argument(
        "--run", action="store_true", help="execute the notebook now to measure each cell's run time"
    )
    parser.add_argument(
        "--readme",
        type=Path,
        help="also write the table into this file, between <!-- cnn-plan NOTEBOOK --> and <!-- end -->",
    )
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    try:
        notebook = execute_timed(args.notebook) if args.run else nbformat.read(args.notebook, as_version=4)
    except (ValueError, nbformat.ValidationError) as error:
        print(f"cnn-plan: {args.notebook}: {error}", file=sys.stderr)
        return 2
    printed = table(plan(notebook))
    print(printed)
    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        block = readme_block(args.notebook.as_posix())
        if not block.search(text):
            print(
                f"cnn-plan: {args.readme} has no <!-- cnn-plan {args.notebook.as_posix()} --> block",
                file=sys.stderr,
            )
            return 2
        args.readme.write_text(block.sub(lambda m: m[1] + printed + m[3], text), encoding="utf-8")
    source = "every cell's run time measured now" if args.run else "training times stored in the notebook"
    print(f"\n(running: {source}, × {LAPTOP_SLOWDOWN:g} for a student's laptop)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
