"""A class plan built from the notebook itself: where each minute of a class goes, section by
section, for two classes, the core path apart from the optional sections.

    cnn-plan notebooks/cnn_mnist.ipynb                 # from the stored notebook
    cnn-plan notebooks/cnn_mnist.ipynb --run           # with each cell's run time measured now
    cnn-plan notebooks/cnn_mnist.ipynb --json          # the counts, for tools

Two rows, each with its class clock:

- **presented**: the teacher runs every cell on the projector and reads the code out, the lines
  of the TODOs like any other; the class answers the "Predict, then run" prompts.
- **students write**: every student runs the notebook and writes each TODO step; the class waits
  at each step, and at the set-up, for its slowest quarter.

A *lab* (the explore notebook, which students work through themselves, running its cells and
answering its "Your turn" questions) is the *students write* row: it has no TODOs, so it differs
from *presented* only by the set-up each student does. Its count, 122 minutes against an
expert's 120, is the old single count's 97 with the time to explain its 18 figures (9 more
minutes) and its 18 new bold terms (9), and the set-up (7.5); each "Your turn" keeps its 3
minutes, as in a lesson.

Sections, optional parts, activities and folded answers are read as ``cnn_instructor.notebook_text``
defines them: a section starts at each ``#`` or ``##`` heading; it is optional when its heading
starts with "Optional", and cells tagged ``optional`` inside a core section count as optional too.
A class spends its minutes on eight things, each counted from the notebook with a constant below:

- **set-up**: logins, opening the notebook, a kernel start, at the "Set up" section (or the start);
- **prose**: the words of its markdown, read aloud (folded answers, code spans and image links
  left out: answers are discussed, which the activities count);
- **terms**: explaining each bold term the first time the core path (or an optional part) shows
  it; a plural is the same term, and a bold lead-in ("**Your turn.**", "**Filters are
  learned:**") or a bold phrase of more than three words is not a term;
- **code**: reading and explaining the code cells, line by line (in *students write*, the lines
  a student writes count under *writing* instead);
- **figures**: explaining each figure (what it draws, where to look), longer for more panels;
- **writing** (*students write* only): each TODO step, read from ``notebook_text.marked_source``
  (regions in ``metadata["solution_lines"]`` or nbgrader's markers, inside a call or a list
  too, read as the exercise reads them), its hints read, its lines written, its check cell run
  and what it says fixed;
- **running**: the cells' run time on a student's laptop: Keras' own per-epoch times stored in
  the outputs (training is nearly all of it), or with ``--run`` every cell's time measured now,
  in a fresh kernel, times ``LAPTOP_SLOWDOWN``;
- **activities**: the "Predict, then run" and "Your turn" moments and the quiz questions.

Calibration: the constants marked (w) were fitted together on four timed walk-throughs and an
expert's estimate, each count within 15 % of its walk-through (``CALIBRATION``, checked by
tests/test_plan.py): the lesson at 81b054b presented in 104 minutes (counted 110) and written by
students in about 160 (151); the lesson at 9655331 presented in 92 (86) and written by a class of
30 in 119 (127); the explore notebook as a lab, 120 by an expert's estimate (122). Both lessons
have the same four TODOs, so the count puts the same 41 minutes between their two rows, where
the walk-throughs put 56 and 27: the fit shares that difference out, each count within 7 %.

Two periods: ``two_periods`` splits the core path before the section that best balances the two
halves on the *students write* clock, the second half starting with ``RERUN_MINUTES`` (log in
again, Run All Above) and the run time of the cells above; it says whether both halves stay
under ``PERIOD_MINUTES``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
import json
import math
from pathlib import Path
import re
import sys
from typing import Any

import nbformat

from .notebook_text import (
    LEAD_INS,
    Marked,
    bold_phrases,
    is_optional_cell,
    is_optional_section,
    is_quiz_section,
    is_setup_section,
    lead_ins,
    marked_source,
    quiz_questions,
    section_headings,
    split_marked,
    without_code_spans,
    without_folded,
    without_images,
)

# (w): fitted together on the walk-throughs of CALIBRATION; the others' sources are beside them.
WORDS_PER_MINUTE = 130  # reading aloud to a class: presentations run at 100–150 words a minute
TERM_MINUTES = 0.5  # (w) say what a new bold term means, with an example, and take a question
CODE_LINES_PER_MINUTE = 15  # (w) a teacher reads out and explains a line in about 4 seconds
FIGURE_MINUTES = 1.0  # (w) explain a figure: what it draws, where to look, what it shows
PANEL_MINUTES = 0.075  # (w) each further panel (a map, a filter, a colour bar): 4.5 seconds
SETUP_MINUTES = 5.0  # (w) log in, open the notebook, start its kernel, run the set-up cells
LAPTOP_SLOWDOWN = 2.0  # a laptop or a hub's one-core limit against the 2-core machine that ran it
WRITE_STEP_MINUTES = 2.5  # (w) the median student reads a TODO's hints, runs its check, fixes it
WRITE_LINE_MINUTES = 0.5  # (w) the median student works out one line of a solution
TYPE_LINE_MINUTES = 0.25  # and types it: a line of about 50 characters at 200 a minute (40 words)
# Task times spread log-normally; a spread of σ ≈ 0.6 (in log units, assumed; the (w) constants
# were fitted with it) puts the slowest quarter's start, the 75th percentile, at e^(0.674 σ) ≈ 1.5
# times the median: at each TODO step (and at the set-up) the class waits that long.
SLOWEST_QUARTER = 1.5
RERUN_MINUTES = 3.0  # a second period: log in again, Run All Above (and the cells' run time): a guess
PERIOD_MINUTES = 50  # a class period

#: Minutes students spend on each kind of activity: the lead-ins of ``notebook_text.LEAD_INS``
#: and each question of a quiz.
PREDICT, YOUR_TURN = LEAD_INS
QUIZ_QUESTION = "quiz question"
ACTIVITIES = {
    PREDICT: 2.0,  # think, say a guess, run, compare, open the answer
    YOUR_TURN: 3.0,  # change a line, run two cells, read the result
    QUIZ_QUESTION: 1.5,  # per numbered question of "Check your understanding", with discussion
}

PRESENTED, STUDENTS_WRITE = "presented", "students_write"
ROWS = (PRESENTED, STUDENTS_WRITE)
KINDS = ("set-up", "prose", "terms", "code", "figures", "writing", "running", "activities")

#: The walk-throughs the (w) constants were fitted on: (notebook, row, minutes, their range).
CALIBRATION = (
    ("tests/data/lesson_81b054b.ipynb", PRESENTED, 104, "95–115", "a teacher's walk-through"),
    ("tests/data/lesson_81b054b.ipynb", STUDENTS_WRITE, 160, "125–217", "students writing the code"),
    ("tests/data/lesson_9655331.ipynb", PRESENTED, 92, "67–131", "a teacher's walk-through"),
    ("tests/data/lesson_9655331.ipynb", STUDENTS_WRITE, 119, "78–182", "a class of 30 writing the TODOs"),
    ("tests/data/explore_9655331.ipynb", STUDENTS_WRITE, 120, "66–217", "an expert's estimate of the lab"),
)
TOLERANCE = 0.15  # each count within 15 % of its walk-through

_WORD = re.compile(r"[A-Za-z0-9][\w'’.,×·−-]*")
_AXES = re.compile(r"with (\d+) Axes")
_EPOCH_SECONDS = re.compile(r"^\d+/\d+ - (\d+)s - ", re.M)  # Keras' verbose=2 line of an epoch


@dataclass
class Section:
    """One section of the notebook: its title, whether it is optional, and what it takes."""

    title: str
    optional: bool
    setup: bool = False  # the class sets up here
    words: int = 0
    terms: list[str] = field(default_factory=list)  # bold terms new here
    code_lines: int = 0  # lines to read out (not to write)
    solution_lines: list[int] = field(default_factory=list)  # lines of each step to write
    panels: list[int] = field(default_factory=list)  # panels of each figure
    run_seconds: float = 0.0  # on the machine that ran the notebook
    activities: dict[str, int] = field(default_factory=dict)

    def parts(self, row: str) -> dict[str, float]:
        """Minutes of each kind (``KINDS``) in ``row``: ``"presented"`` or ``"students_write"``."""
        if row not in ROWS:
            raise ValueError(f"row should be one of {ROWS}, not {row!r}")
        write = row == STUDENTS_WRITE
        gate = SLOWEST_QUARTER if write else 1.0  # what each student does, the class waits for
        read = self.code_lines + (0 if write else sum(self.solution_lines))
        per_line = WRITE_LINE_MINUTES + TYPE_LINE_MINUTES
        steps = sum(WRITE_STEP_MINUTES + per_line * n for n in self.solution_lines)
        return {
            "set-up": gate * SETUP_MINUTES if self.setup else 0.0,
            "prose": self.words / WORDS_PER_MINUTE,
            "terms": TERM_MINUTES * len(self.terms),
            "code": read / CODE_LINES_PER_MINUTE,
            "figures": sum(FIGURE_MINUTES + PANEL_MINUTES * (n - 1) for n in self.panels),
            "writing": gate * steps if write else 0.0,
            "running": LAPTOP_SLOWDOWN * self.run_seconds / 60,
            "activities": sum(ACTIVITIES[k] * n for k, n in self.activities.items()),
        }

    def minutes(self, row: str) -> float:
        """The section's minutes on the clock of ``row`` (``PRESENTED`` or ``STUDENTS_WRITE``)."""
        return sum(self.parts(row).values())


def prose_words(markdown: str) -> int:
    """The number of words of ``markdown`` a presenter reads aloud (no answers, code or images)."""
    return len(_WORD.findall(without_code_spans(without_images(without_folded(markdown)))))


def bold_terms(markdown: str) -> list[str]:
    """The bold terms of ``markdown`` (not in answers or code), in order, as written.

    A bold phrase is a term when it has at most three words and does not end a lead-in with
    ``.``, ``:``, ``?`` or ``!``; the activity markers are not terms.
    """
    found = []
    for phrase in bold_phrases(without_code_spans(without_folded(markdown))):
        lead_in = not phrase or phrase[-1] in ".:?!" or phrase.lower() in {m.lower() for m in ACTIVITIES}
        if not lead_in and len(phrase.split()) <= 3:
            found.append(phrase)
    return found


def term_key(term: str) -> str:
    """The key a term is known by: lower case, a plural's final ``s`` dropped."""
    key = " ".join(term.lower().split())
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


def code_lines(source: str, where: str = "cell") -> tuple[int, list[int]]:
    """The lines of a code cell to read, and the non-blank lines of each solution block to write.

    ``source`` is marked text (``notebook_text.marked_source``), read by
    ``notebook_text.split_marked``: a marker it refuses is a MarkerError naming ``where``.
    """
    read, steps = 0, []
    for part in split_marked(source, where):
        if isinstance(part, Marked):
            steps.append(sum(1 for line in part.lines if line.strip()))
        elif part.strip():
            read += 1
    return read, steps


def _activities(cell: nbformat.NotebookNode, title: str) -> dict[str, int]:
    if cell.cell_type != "markdown":
        return {}
    found = lead_ins(cell.source)
    if is_quiz_section(title) and (questions := quiz_questions(cell.source)):
        found[QUIZ_QUESTION] = questions
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

    Cells before the first heading belong to a section titled "(start)". The class sets up in
    the first section whose title starts with "Set up", else in the first section. A bold term
    counts where the core path first shows it; in an optional part, where it first shows it
    unless the core path showed it before. Run times are the cells' timing metadata where the
    notebook was executed with it (see ``execute_timed``), else the training times stored in the
    outputs.
    """
    timed = any(cell_seconds(c) for c in notebook.cells if c.cell_type == "code")
    sections = [Section("(start)", optional=False)]
    optional_extra = Section("(optional cells of core sections)", optional=True)
    known: dict[bool, set[str]] = {False: set(), True: set()}  # terms known to the core, to optional parts
    for index, cell in enumerate(notebook.cells, 1):  # cells counted from 1, as cnn-exercise does
        headings = section_headings(cell.source) if cell.cell_type == "markdown" else []
        if headings:
            title = headings[-1]
            sections.append(Section(title, optional=is_optional_section(title)))
        current = sections[-1]
        target = optional_extra if is_optional_cell(cell) and not current.optional else current
        if cell.cell_type == "markdown":
            target.words += prose_words(cell.source)
            for term in bold_terms(cell.source):
                key = term_key(term)
                if key not in known[False] and key not in known[target.optional]:
                    known[target.optional].add(key)
                    target.terms.append(term)
        elif cell.cell_type == "code":
            where = f"cell {index}"
            read, steps = code_lines(marked_source(cell, where), where)
            target.code_lines += read
            target.solution_lines += steps
            target.run_seconds += cell_seconds(cell) if timed else stored_seconds(cell)
            target.panels += figure_panels(cell)
        for marker, count in _activities(cell, current.title).items():
            target.activities[marker] = target.activities.get(marker, 0) + count
    sections.append(optional_extra)
    core = [s for s in sections if not s.optional and (s.minutes(PRESENTED) or is_setup_section(s.title))]
    if core:
        next((s for s in core if is_setup_section(s.title)), core[0]).setup = True
    return [s for s in sections if s.minutes(PRESENTED) or s.minutes(STUDENTS_WRITE)]


def totals(sections: Sequence[Section]) -> dict[str, dict[str, float]]:
    """The minutes of each row, core path and optional parts, rounded to 0.1."""
    return {
        row: {
            part: round(float(sum(s.minutes(row) for s in sections if s.optional == (part == "optional"))), 1)
            for part in ("core", "optional")
        }
        for row in ROWS
    }


@dataclass
class Split:
    """Two periods: the core path split before ``before``, each half's minutes (students write)."""

    before: str
    first: float
    second: float  # with the set-up again and Run All Above

    @property
    def fits(self) -> bool:
        """Whether both halves stay under ``PERIOD_MINUTES``."""
        return max(self.first, self.second) < PERIOD_MINUTES


def two_periods(sections: Sequence[Section]) -> Split | None:
    """The best balanced split of the core path in two periods, on the *students write* clock.

    The split falls between two core sections; the second half adds ``RERUN_MINUTES`` and the run
    time of the cells above it (Run All Above). Among the splits that keep both halves under
    ``PERIOD_MINUTES``, the one whose longer half is shortest; if none does, still the best
    balanced one (its ``fits`` is false). None for a core path of fewer than two sections.
    """
    core = [s for s in sections if not s.optional]
    splits = []
    for k in range(1, len(core)):
        above = core[:k]
        rerun = RERUN_MINUTES + sum(s.parts(STUDENTS_WRITE)["running"] for s in above)
        first = sum(s.minutes(STUDENTS_WRITE) for s in above)
        second = rerun + sum(s.minutes(STUDENTS_WRITE) for s in core[k:])
        splits.append(Split(core[k].title, round(first, 1), round(second, 1)))
    return min(splits, key=lambda s: max(s.first, s.second), default=None)


def two_periods_line(split: Split | None) -> str:
    """One sentence on the two-period plan, printed under the table."""
    if split is None:
        return "Two periods: the core path has a single section."
    verdict = (
        f"both under {PERIOD_MINUTES} minutes"
        if split.fits
        else f"no split keeps both under {PERIOD_MINUTES} minutes; this is the best balanced"
    )
    return (
        f'Two periods (students write): split before "{split.before}": {split.first:.1f} + '
        f"{split.second:.1f} minutes ({verdict}); the second period starts on that heading's first "
        "cell with Run ▸ Run All Above Selected Cell."
    )


def as_json(sections: Sequence[Section]) -> dict[str, dict[str, Any] | None]:
    """The counts for tools: each row's core and optional minutes, and the two-period split."""
    counts: dict = totals(sections)
    split = two_periods(sections)
    counts["two_periods"] = split and {
        "split_before": split.before,
        "first": split.first,
        "second": split.second,
        "fits": split.fits,
    }
    return counts


def execute_timed(path: Path) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in a fresh kernel, recording each cell's run time."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1800, kernel_name="python3", record_timing=True)
    client.execute(cwd=str(path.parent))
    return notebook


def table(sections: Sequence[Section]) -> str:
    """The plan as a Markdown table: each section's minutes in both rows, each with its class
    clock (core path first, then what each optional section adds); each total is rounded up."""
    rows = [
        "| section | presented | clock | students write | clock |",
        "|---|---:|---:|---:|---:|",
    ]
    for optional in (False, True):
        chosen = [s for s in sections if s.optional == optional]
        clocks = dict.fromkeys(ROWS, 0.0)
        for s in chosen:
            cells = []
            for row in ROWS:
                start, clocks[row] = clocks[row], clocks[row] + s.minutes(row)
                when = f"+{s.minutes(row):.0f}" if optional else f"{start:.0f}–{clocks[row]:.0f}"
                cells.append(f"{s.minutes(row):.1f} | {when}")
            rows.append(f"| {s.title} | {' | '.join(cells)} |")
        label = "optional sections" if optional else "core path"
        presented, written = (math.ceil(clocks[row]) for row in ROWS)
        rows.append(f"| **{label}** | **{presented}** | | **{written}** | |")
    return "\n".join(rows)


def plan_text(sections: Sequence[Section]) -> str:
    """What ``cnn-plan`` prints, and docs/teaching.md shows (``cnn-regenerate``): the table, then the
    two-period split."""
    return f"{table(sections)}\n\n{two_periods_line(two_periods(sections))}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cnn-plan``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="cnn-plan",
        description="Print a class plan of a lesson notebook: where each minute of the class goes, "
        "presented and with students writing the TODOs.",
    )
    parser.add_argument("notebook", type=Path, help="the lesson notebook")
    parser.add_argument(
        "--run", action="store_true", help="execute the notebook now to measure each cell's run time"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print only the counts, as JSON: each row's core and optional minutes, and the two periods",
    )
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    try:
        notebook = execute_timed(args.notebook) if args.run else nbformat.read(args.notebook, as_version=4)
        sections = plan(notebook)
    except (ValueError, nbformat.ValidationError) as error:
        print(f"cnn-plan: {args.notebook}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(as_json(sections), ensure_ascii=False))
        return 0
    print(plan_text(sections))
    source = "every cell's run time measured now" if args.run else "training times stored in the notebook"
    print(f"(running: {source}, × {LAPTOP_SLOWDOWN:g} for a student's laptop)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
