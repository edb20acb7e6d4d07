"""Write the nbgrader source notebook of the exercise from the lesson (the solution).

The assignment is the lesson, marked up for nbgrader (cell metadata ``nbgrader``, schema 3):

- each code cell with lines a student writes is a **solution** cell, those lines marked with
  nbgrader's ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the lesson names them in its
  metadata, ``cnn_instructor.notebook_text``);
- each markdown cell, and each cell only the assignment has, is **read-only** (locked);
- each of the four check cells (``check_images``, ``check_labels``, ``check_model``,
  ``check_compiled``) is a **graded test** cell worth ``Part.points``: the check the student sees,
  then hidden tests (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) for what the check
  cannot show; a fifth graded cell after the test-set evaluation grades the trained model. The
  hidden tests are the functions of ``cnn_instructor.hidden_tests``, their source rendered into
  the cell with their call (``hidden_source``);
- a locked cell after the cell tagged ``parameters`` sets ``EPOCHS = 1`` while nbgrader grades
  (it sets ``NBGRADER_EXECUTION``), so that a class is graded in minutes; the training cell is
  locked too, and autograde sets the grading epochs at its top (``cnn_instructor.grading``).

A graded cell's hidden region runs no test in the student's kernel, which could be talked into
passing one: it saves the part's objects (``graded_files``) for ``cnn_instructor.judge``, a fresh
process that runs the function of ``cnn_instructor.hidden_tests`` on them.

Everything else is the lesson's, outputs cleared. nbgrader's release (``nbgrader
generate_assignment``, configured by ``course/nbgrader_config.py`` with
``cnn_instructor.release``) turns each solution block into the exercise's TODO hints and skeleton.
This module needs nbformat only: neither nbgrader nor TensorFlow (it reads the hidden tests' text).
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from dataclasses import dataclass, field
from pathlib import Path
import re
import sys

import nbformat

from .cli import generator_main
from .exercise import Block, marked_text, solution_parts
from .hidden_region import AssignmentError, hidden_source
from .notebook_text import BEGIN, HIDDEN_BEGIN, HIDDEN_END, SOLUTION_LINES, TODO_MINUTES, MarkerError

ASSIGNMENT = "cnn_mnist"
DEFAULT_COURSE = Path("course")
SCHEMA_VERSION = 3  # nbgrader's cell metadata schema
ACCURACY_FLOOR = 0.95  # the trained model's test accuracy after grading's one epoch (about 0.98)
MODEL_FLOOR = 0.5  # part 3: a fresh copy of the model, trained briefly, against chance (0.1)


@dataclass(frozen=True)
class Part:
    """One graded part: its nbgrader id, its points, the check cell it grades (the start of its source,
    or None for a cell of the assignment's own), the function of ``cnn_instructor.hidden_tests`` that
    is its hidden tests, and the values of that function's keyword-only arguments."""

    grade_id: str
    points: int
    check: str | None
    test: str
    settings: Mapping[str, float] = field(default_factory=dict, hash=False)  # a dict: left out of the hash


PARTS = (
    Part("images", 2, "check_images(", "grade_images"),
    Part("labels", 2, "check_labels(", "grade_labels"),
    Part("model", 2, "check_model(", "grade_model", {"floor": MODEL_FLOOR}),
    Part("compiled", 2, "check_compiled(", "grade_compiled"),
    # a cell of its own, after the test-set evaluation
    Part("trained", 2, None, "grade_trained", {"floor": ACCURACY_FLOOR}),
)
TRAINED = PARTS[-1]
TOTAL_POINTS = sum(part.points for part in PARTS)

#: The ids of the two cells only the assignment has.
GRADING_EPOCHS_ID = "grading-epochs"
TRAINED_ID = "grade-trained"
TRAINING_ID = "training"  # nbgrader's id of the lesson's training cell, locked in the assignment
GRADING_EPOCHS = 1

GRADING_EPOCHS_SOURCE = """\
# Grading only: nbgrader sets NBGRADER_EXECUTION while it grades (or validates) this notebook;
# training then runs one epoch instead of EPOCHS, so that a whole class is graded in minutes.
import os

if os.environ.get("NBGRADER_EXECUTION"):
    EPOCHS = 1"""

TRAINED_VISIBLE = f"""\
# Graded ({TRAINED.points} points): the trained model. Hidden tests measure its accuracy again on
# MNIST's 10,000 test digits: at least {ACCURACY_FLOOR * 100:g} % after the one epoch that grading trains."""

EVALUATE = re.compile(r"^score = model\.evaluate\(x_test, y_test\b", re.MULTILINE)
TRAINING = re.compile(r"^history = model\.fit\(", re.MULTILINE)


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, points: int = 0) -> dict:
    """nbgrader's cell metadata: a solution cell, a graded test cell (locked) or a read-only cell."""
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _graded_source(visible: str, part: Part) -> str:
    """The check the student sees, then the part's hidden region (the release keeps ``visible``
    exactly)."""
    return f"{visible}\n{HIDDEN_BEGIN}\n{hidden_source(part)}\n{HIDDEN_END}"


def _one(cells: list[tuple[int, nbformat.NotebookNode]], what: str) -> int:
    """The index of the only cell in ``cells`` (index, cell), or an AssignmentError naming ``what``."""
    if len(cells) != 1:
        found = "none" if not cells else "cells " + ", ".join(str(i + 1) for i, _ in cells)
        raise AssignmentError(f"the solution needs exactly one {what}; found {found}")
    return cells[0][0]


def make_assignment(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the nbgrader source notebook made from the solution notebook (left untouched)."""
    if not isinstance(solution, nbformat.NotebookNode):
        raise TypeError(f"solution must be an nbformat.NotebookNode, got {type(solution).__name__}")
    source = copy.deepcopy(solution)
    code = [(i, c) for i, c in enumerate(source.cells) if c.cell_type == "code"]
    parameters = _one(
        [(i, c) for i, c in code if "parameters" in c.metadata.get("tags", [])], "cell tagged parameters"
    )
    evaluate = _one([(i, c) for i, c in code if EVALUATE.search(c.source)], "cell computing score")
    training = _one([(i, c) for i, c in code if TRAINING.search(c.source)], "training cell")
    checks = {
        part.grade_id: _one(
            [(i, c) for i, c in code if c.source.lstrip().startswith(part.check)], f"check cell {part.check})"
        )
        for part in PARTS
        if part.check
    }
    solutions = 0
    for number, cell in enumerate(source.cells, 1):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            parts = solution_parts(cell, number)
            if any(isinstance(p, Block) for p in parts):
                cell.source = marked_text(parts)  # the markers nbgrader reads, the hints as the exercise's
                cell.metadata.pop(SOLUTION_LINES, None)
                cell.metadata.pop(TODO_MINUTES, None)
                cell.metadata["nbgrader"] = _nbgrader(cell.id, solution=True)
                solutions += 1
        elif cell.cell_type == "markdown":
            cell.metadata["nbgrader"] = _nbgrader(cell.id)
    if not solutions:
        raise MarkerError(f"no lines for a student to write (solution_lines, or {BEGIN}) in any code cell")
    source.cells[training].metadata["nbgrader"] = _nbgrader(TRAINING_ID)  # restored by nbgrader
    for part in PARTS:
        if part.grade_id in checks:
            cell = source.cells[checks[part.grade_id]]
            cell.source = _graded_source(cell.source.rstrip("\n"), part)
            cell.metadata["nbgrader"] = _nbgrader(part.grade_id, grade=True, points=part.points)
    trained = nbformat.v4.new_code_cell(_graded_source(TRAINED_VISIBLE, TRAINED), id=TRAINED_ID)
    trained.metadata["nbgrader"] = _nbgrader(TRAINED.grade_id, grade=True, points=TRAINED.points)
    epochs = nbformat.v4.new_code_cell(GRADING_EPOCHS_SOURCE, id=GRADING_EPOCHS_ID)
    epochs.metadata["nbgrader"] = _nbgrader(GRADING_EPOCHS_ID)
    for cell in (trained, epochs):  # the lesson's slides: these run on the slide before them
        cell.metadata["slideshow"] = {"slide_type": "-"}
    source.cells.insert(evaluate + 1, trained)  # the later index first
    source.cells.insert(parameters + 1, epochs)
    return source


def assignment_path(course: Path = DEFAULT_COURSE) -> Path:
    """Where the source notebook goes in nbgrader's layout: ``<course>/source/cnn_mnist/cnn_mnist.ipynb``."""
    return Path(course) / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def render_assignment(solution: Path) -> str:
    """Return the text of the source notebook made from the ``solution`` notebook, as Jupyter writes it."""
    notebook = make_assignment(nbformat.read(solution, as_version=4))
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The ``cnn-assignment`` command; its exit status."""
    return generator_main(
        argv,
        prog="cnn-assignment",
        description="Write the nbgrader source notebook of the exercise from the solution notebook: "
        f"solution cells, read-only cells, {len(PARTS)} graded test cells with hidden tests "
        f"({TOTAL_POINTS} points), one epoch of training while nbgrader grades.",
        render=render_assignment,
        output=lambda _solution: assignment_path(),
        output_help=str(assignment_path()),
    )


if __name__ == "__main__":
    sys.exit(main())
