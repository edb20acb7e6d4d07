"""The whole grading pipeline with nbgrader itself, in a temporary course folder, without a hub:
``generate_assignment``, one ``autograde`` of every submission below (one epoch of training each),
then ``generate_feedback``.

The submissions: the solution's code (full marks); four typical mistakes, each costing its part and
the parts that depend on it; one of them also edits its graded check cell so that it would pass
(nbgrader restores the original); a kernel that dies and a cell that runs past the course's
timeout, both ahead of the others in nbgrader's order (by student id), both reported in the log and
the exit status while the others are graded.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
import html
import io
from pathlib import Path
import re
import time

from cnn_helpers import NotReadyError, check_compiled, check_images, check_labels, check_model
from cnn_instructor.assignment import ASSIGNMENT, PARTS, TOTAL_POINTS
from cnn_instructor.exercise import Block
import keras
import nbformat
import numpy as np
from paths import SOURCE
import pytest

from testbed import nbgrading

pytestmark = pytest.mark.slow  # grades eight submissions, each training for one epoch

HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass(frozen=True)
class Mistake:
    """A mistake in one solution block (``grade_id``): each ``old`` text of the solution's code
    replaced by its ``new``; ``lost`` is every part it costs."""

    grade_id: str
    replacements: tuple[tuple[str, str], ...]
    lost: frozenset[str]


MISTAKES = {
    # Training on pixels from 0 to 255 gives a model that misreads the [0, 1] digits it is graded on.
    "4_unscaled_pixels": Mistake("images", ((" / 255.0", ""),), frozenset({"images", "trained"})),
    # check_compiled compares the loss with y_train, and fit cannot train on class numbers with it.
    "5_labels_not_one_hot": Mistake(
        "labels",
        (
            ("keras.utils.to_categorical(train_labels, classes)", "train_labels"),
            ("keras.utils.to_categorical(test_labels, classes)", "test_labels"),
        ),
        frozenset({"labels", "compiled", "trained"}),
    ),
    # The second block written, but no Flatten: the last Dense layer scores every position of the
    # last maps, check_model says so, and fit cannot train it on one label per image.
    "6_model_without_flatten": Mistake(
        "model",
        (("keras.layers.Flatten(),\n        ", ""),),
        frozenset({"model", "trained"}),
    ),
    "7_wrong_loss": Mistake(
        "compiled",
        (('loss="categorical_crossentropy"', 'loss="sparse_categorical_crossentropy"'),),
        frozenset({"compiled", "trained"}),
    ),
}
SOLUTION = "3_solution"
KERNEL_DIES, PAST_TIMEOUT = "1_kernel_dies", "2_past_timeout"  # graded first: student ids sort so
EDITED = "4_unscaled_pixels"  # also replaces its graded check cell by one that always passes
EDITED_CHECK = 'print("images ready")'


def _source() -> nbformat.NotebookNode:
    return nbformat.read(SOURCE, as_version=4)


def _blocks() -> dict[str, Block]:
    """The solution's blocks by the part they belong to (one block per solution cell here)."""
    by_cell = nbgrading.solution_blocks(_source())
    assert [len(blocks) for blocks in by_cell.values()] == [1, 1, 1, 1]
    return dict(zip([p.grade_id for p in PARTS if p.check], [b[0] for b in by_cell.values()], strict=True))


def _with_mistake(solved: nbformat.NotebookNode, mistake: Mistake) -> nbformat.NotebookNode:
    code = _blocks()[mistake.grade_id].code
    wrong = code
    for old, new in mistake.replacements:
        assert old in wrong, f"{old!r} is not in the solution's {mistake.grade_id} block"
        wrong = wrong.replace(old, new)
    return nbgrading.with_block_code(solved, code, wrong)


@dataclass
class Graded:
    course: Path
    submitted: dict[str, nbformat.NotebookNode]
    autograde: object  # subprocess.CompletedProcess
    seconds: float
    feedback: object
    scores: dict[str, dict[str, float]]

    def autograded(self, student: str) -> Path:
        return self.course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    def feedback_text(self, student: str) -> str:
        """The feedback page's text, as a student reads it (tags left out, entities decoded)."""
        page = self.course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    course = nbgrading.new_course(tmp_path_factory.mktemp("course"))
    result = nbgrading.nbgrader(course, "generate_assignment", ASSIGNMENT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    solved = nbgrading.solved(nbformat.read(nbgrading.release_path(course), as_version=4), _source())
    first_line = _blocks()["images"].code.split("\n", 1)[0]
    submitted = {
        SOLUTION: solved,
        KERNEL_DIES: nbgrading.with_block_code(
            solved,
            first_line,
            f"import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)\n{first_line}",
        ),
        PAST_TIMEOUT: nbgrading.with_block_code(
            solved, first_line, f"import time\n\ntime.sleep(3600)\n{first_line}"
        ),
        **{student: _with_mistake(solved, mistake) for student, mistake in MISTAKES.items()},
    }
    submitted[EDITED] = nbgrading.with_cell(submitted[EDITED], "images", EDITED_CHECK)
    for student, notebook in submitted.items():
        nbgrading.submit(course, student, notebook)
    start = time.perf_counter()
    autograde = nbgrading.nbgrader(course, "autograde", ASSIGNMENT)
    seconds = time.perf_counter() - start
    print(f"autograde of {len(submitted)} submissions: {seconds:.0f} s")
    feedback = nbgrading.nbgrader(course, "generate_feedback", ASSIGNMENT, timeout=300)
    return Graded(course, submitted, autograde, seconds, feedback, nbgrading.scores(course))


def test_the_solution_gets_full_marks_after_one_epoch(graded):
    assert graded.scores[SOLUTION] == {part.grade_id: part.points for part in PARTS}
    assert sum(graded.scores[SOLUTION].values()) == TOTAL_POINTS
    notebook = nbformat.read(graded.autograded(SOLUTION), as_version=4)
    (fit,) = [c for c in notebook.cells if "history = model.fit(" in c.source]
    epochs = re.findall(
        r"^\d+/\d+ - \d+s - .*val_accuracy", "".join(o.get("text", "") for o in fit.outputs), re.M
    )
    assert len(epochs) == 1, f"grading should train one epoch: {fit.outputs}"


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_a_typical_mistake_costs_its_part_and_the_parts_that_depend_on_it(graded, student):
    lost = {grade_id for grade_id, score in graded.scores[student].items() if score == 0}
    partial = {grade_id for grade_id, score in graded.scores[student].items() if 0 < score < PARTS[0].points}
    assert lost == MISTAKES[student].lost and not partial, graded.scores[student]
    assert 0 < sum(graded.scores[student].values()) < TOTAL_POINTS


def _check_message(mistake: Mistake, mnist) -> str:
    """What the check cell after the mistaken block says, found here by running the solution's cells
    in order, with the mistake, and that check cell's visible line."""
    (train_images, train_labels), (test_images, test_labels) = mnist
    namespace = {
        **{"np": np, "keras": keras, "input_shape": (28, 28, 1), "classes": 10},
        **{"train_images": train_images, "train_labels": train_labels},
        **{"test_images": test_images, "test_labels": test_labels},
        **{"check_images": check_images, "check_labels": check_labels},
        **{"check_model": check_model, "check_compiled": check_compiled},
        "schedule": keras.optimizers.schedules.CosineDecay(0.001, decay_steps=100),
    }
    checks = {c.metadata["nbgrader"]["grade_id"]: c.source for c in _source().cells if HIDDEN in c.source}
    solutions = [c for c in _source().cells if c.metadata.get("nbgrader", {}).get("solution")]
    for grade_id, cell in zip(
        _blocks(), solutions, strict=True
    ):  # whole cells: a block may be a part of a list
        code = cell.source
        if grade_id == mistake.grade_id:
            for old, new in mistake.replacements:
                code = code.replace(old, new)
        exec(code, namespace)
        if grade_id == mistake.grade_id:
            with pytest.raises(NotReadyError) as raised, contextlib.redirect_stdout(io.StringIO()):
                exec(checks[grade_id].split(HIDDEN)[0], namespace)
            return str(raised.value)
    raise AssertionError(f"no block {mistake.grade_id}")


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_the_feedback_says_what_was_wrong_in_the_check_cells_words(graded, student, mnist):
    assert graded.feedback.returncode == 0, graded.feedback.stdout + graded.feedback.stderr
    message = _check_message(MISTAKES[student], mnist)
    text = graded.feedback_text(student)
    assert f"NotReadyError: {message}" in text, message
    assert f"{ASSIGNMENT} (Score: {sum(graded.scores[student].values()):.1f} / {TOTAL_POINTS:.1f})" in text


def test_an_edited_graded_cell_is_graded_with_the_original_test(graded):
    (edited,) = [
        c
        for c in graded.submitted[EDITED].cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "images"
    ]
    assert edited.source == EDITED_CHECK  # alone, this cell passes whatever x_train holds
    (original,) = [c for c in _source().cells if c.metadata.get("nbgrader", {}).get("grade_id") == "images"]
    autograded = nbformat.read(graded.autograded(EDITED), as_version=4)
    (run,) = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "images"]
    assert run.source == original.source  # the check and its hidden tests, restored by nbgrader
    assert [o.ename for o in run.outputs if o.output_type == "error"] == ["NotReadyError"]
    assert graded.scores[EDITED]["images"] == 0


def test_a_dead_kernel_and_a_timeout_are_reported_and_the_others_graded(graded):
    log = graded.autograde.stdout + graded.autograde.stderr
    assert graded.autograde.returncode == 1, log
    timeout = nbgrading.course_config(graded.course).Execute.timeout
    assert f"Timeout waiting for execute reply ({timeout}s)" in log
    assert "DeadKernelError: Kernel died" in log
    for student in (KERNEL_DIES, PAST_TIMEOUT):
        assert f"There was an error processing assignment '{ASSIGNMENT}' for student '{student}'" in log
        assert not graded.autograded(student).exists()  # left ungraded: no autograded copy
    others = {SOLUTION, *MISTAKES}
    assert {s for s in others if graded.autograded(s).exists()} == others
    assert others <= set(graded.scores)
    assert graded.seconds < 600, f"autograde took {graded.seconds:.0f} s"
