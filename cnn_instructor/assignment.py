"""Write the nbgrader source notebook of the exercise from the lesson (the solution).

The assignment is the lesson, marked up for nbgrader (cell metadata ``nbgrader``, schema 3):

- each code cell with lines a student writes is a **solution** cell, those lines marked with
  nbgrader's ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the lesson names them in its
  metadata, ``cnn_instructor.notebook_text``);
- each markdown cell, and each cell only the assignment has, is **read-only** (locked);
- each of the four check cells (``check_images``, ``check_labels``, ``check_model``,
  ``check_compiled``) is a **graded test** cell worth ``Part.points``: the check the student sees,
  then hidden tests (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) for what the check
  cannot show; a fifth graded cell after the test-set evaluation grades the trained model;
- a locked cell after the cell tagged ``parameters`` sets ``EPOCHS = 1`` while nbgrader grades
  (it sets ``NBGRADER_EXECUTION``), so that a class is graded in minutes.

Everything else is the lesson's, outputs cleared. nbgrader's release (``nbgrader
generate_assignment``, configured by ``course/nbgrader_config.py`` with
``cnn_instructor.release``) turns each solution block into the exercise's TODO hints and skeleton.
This module needs nbformat only: neither nbgrader nor TensorFlow.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
import re
import sys

import nbformat

from .cli import generator_main
from .exercise import TODO_MINUTES, Block, marked_text, solution_parts
from .notebook_text import BEGIN, HIDDEN_BEGIN, HIDDEN_END, SOLUTION_LINES, MarkerError

ASSIGNMENT = "cnn_mnist"
DEFAULT_COURSE = Path("course")
SCHEMA_VERSION = 3  # nbgrader's cell metadata schema
ACCURACY_FLOOR = 0.95  # the trained model's test accuracy after grading's one epoch (about 0.98)
MODEL_FLOOR = 0.5  # part 3: a fresh copy of the model, trained briefly, against chance (0.1)


class AssignmentError(ValueError):
    """The solution notebook lacks a cell the assignment is built around, or has it twice."""


@dataclass(frozen=True)
class Part:
    """One graded part: its nbgrader id, its points, the check cell it grades (the start of its source,
    or None for a cell of the assignment's own) and its hidden tests."""

    grade_id: str
    points: int
    check: str | None
    hidden: str


_IMAGES_TESTS = '''\
def grade_images():
    """x_train and x_test are MNIST's images divided by 255, float32, one channel, in MNIST's order;
    train_images and test_images are as loaded."""
    (raw_train, _), (raw_test, _) = load_mnist()
    same = np.array_equal(train_images, raw_train) and np.array_equal(test_images, raw_test)
    assert same, "train_images or test_images changed: leave the raw arrays as loaded, prepare copies"
    for name, x, raw in (("x_train", x_train, raw_train), ("x_test", x_test, raw_test)):
        x = np.asarray(x)
        assert x.dtype == np.float32, f"{name} holds {x.dtype} pixels, not float32"
        for start in range(0, len(raw), 10000):  # ten thousand images at a time: little memory
            scaled_back = x[start : start + 10000, ..., 0] * 255
            assert np.allclose(scaled_back, raw[start : start + 10000], atol=1e-3), (
                f"{name} is not the raw pixels divided by 255, image by image in MNIST's order"
            )


grade_images()
del grade_images'''

_LABELS_TESTS = '''\
def grade_labels():
    """y_train and y_test are the one-hot vectors of MNIST's labels, in MNIST's order."""
    (_, raw_train), (_, raw_test) = load_mnist()
    for name, y, raw in (("y_train", y_train, raw_train), ("y_test", y_test, raw_test)):
        one_hot = keras.utils.to_categorical(raw, 10)
        assert np.array_equal(np.asarray(y), one_hot), f"{name} is not MNIST's labels one-hot, in order"


grade_labels()
del grade_labels'''

_MODEL_TESTS = f'''\
def grade_model():
    """The model has two convolutions or more, and it learns: a fresh copy of it, trained here for
    two epochs on 2,048 MNIST images, reads at least {MODEL_FLOOR * 100:g} % of 1,000 test digits."""
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convolutions) >= 2, f"the model has {{len(convolutions)}} Conv2D layers: build two blocks"
    (images, labels), (digits, digit_labels) = load_mnist()
    fresh = keras.models.clone_model(model)  # the same layers with new weights
    fresh.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    x, y = images[:2048, ..., None] / np.float32(255), keras.utils.to_categorical(labels[:2048], 10)
    fresh.fit(x, y, epochs=2, batch_size=64, verbose=0)
    x, y = digits[:1000, ..., None] / np.float32(255), keras.utils.to_categorical(digit_labels[:1000], 10)
    accuracy = fresh.evaluate(x, y, verbose=0)[1]
    assert accuracy >= {MODEL_FLOOR}, f"a fresh copy of the model learned little: {{accuracy:.1%}} correct"


grade_model()
del grade_model'''

_COMPILED_TESTS = '''\
def grade_compiled():
    """Adam, and the categorical cross-entropy loss: minus the log of the true class's probability,
    computed here on two examples, whatever the labels."""
    optimizer = type(model.optimizer).__name__
    assert isinstance(model.optimizer, keras.optimizers.Adam), f"the optimizer is {optimizer}, not Adam"
    truth = np.array([[0, 1, 0], [1, 0, 0]], dtype="float32")
    predicted = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype="float32")
    loss = float(np.mean(keras.losses.get(model.loss)(truth, predicted)))
    expected = float(np.mean(-np.log([0.7, 0.5])))
    assert abs(loss - expected) < 1e-4, f"the loss gives {loss:.4f} where cross-entropy gives {expected:.4f}"


grade_compiled()
del grade_compiled'''

_TRAINED_TESTS = f'''\
def grade_trained():
    """The model was trained, and it reads at least {ACCURACY_FLOOR * 100:g} % of MNIST's 10,000 test digits,
    prepared here as the lesson prepares them."""
    assert int(model.optimizer.iterations) > 0, "the model has not been trained: run the training cell"
    (_, _), (digits, digit_labels) = load_mnist()
    predicted = model.predict(digits[..., None] / np.float32(255), verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == digit_labels))
    floor = {ACCURACY_FLOOR}
    assert accuracy >= floor, f"the trained model reads {{accuracy:.2%}} of test digits, under {{floor:.0%}}"


grade_trained()
del grade_trained'''

PARTS = (
    Part("images", 2, "check_images(", _IMAGES_TESTS),
    Part("labels", 2, "check_labels(", _LABELS_TESTS),
    Part("model", 2, "check_model(", _MODEL_TESTS),
    Part("compiled", 2, "check_compiled(", _COMPILED_TESTS),
    Part("trained", 2, None, _TRAINED_TESTS),  # a cell of its own, after the test-set evaluation
)
TRAINED = PARTS[-1]
TOTAL_POINTS = sum(part.points for part in PARTS)

#: The ids of the two cells only the assignment has.
GRADING_EPOCHS_ID = "grading-epochs"
TRAINED_ID = "grade-trained"

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


def _graded_source(visible: str, hidden: str) -> str:
    """The check the student sees, then the hidden tests (two blank lines before their function, as
    ruff formats it, inside the hidden region: the release keeps ``visible`` exactly)."""
    return f"{visible}\n{HIDDEN_BEGIN}\n\n\n{hidden}\n{HIDDEN_END}"


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
    for part in PARTS:
        if part.grade_id in checks:
            cell = source.cells[checks[part.grade_id]]
            cell.source = _graded_source(cell.source.rstrip("\n"), part.hidden)
            cell.metadata["nbgrader"] = _nbgrader(part.grade_id, grade=True, points=part.points)
    trained = nbformat.v4.new_code_cell(_graded_source(TRAINED_VISIBLE, TRAINED.hidden), id=TRAINED_ID)
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
