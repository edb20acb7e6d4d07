"""The nbgrader assignment (cnn-assignment, cnn_instructor.release, course/nbgrader_config.py): the
committed source notebook generated from the lesson and up to date; its cells marked for nbgrader;
nbgrader's release of it equal to the committed exercise but for the assignment's own cells; and
the course's config. Each part's hidden tests are tested in test_hidden_tests.py; the whole
pipeline, graded by nbgrader with training, is in test_grading.py."""

from __future__ import annotations

import copy
import difflib
import os
from pathlib import Path
import re
import subprocess
import sys

from cnn_instructor.assignment import (
    GRADING_EPOCHS_ID,
    PARTS,
    TOTAL_POINTS,
    TRAINED_ID,
    TRAINING_ID,
    AssignmentError,
    make_assignment,
    render_assignment,
)
from cnn_instructor.exercise import (
    BEGIN,
    END,
    FOLDED_TAG,
    TODO_MINUTES,
    MarkerError,
    solution_parts,
    split_cell,
)
from cnn_instructor.notebook_text import SOLUTION_LINES
import nbformat
from paths import EXERCISE, LESSON, ROOT, SOURCE
import pytest

from testbed import nbgrading

ASSIGNMENT_ONLY = {GRADING_EPOCHS_ID, TRAINED_ID}  # cell ids of the cells the lesson does not have
NBGRADER_KEYS = {"nbgrader", "deletable", "editable"}  # what nbgrader adds to a cell's metadata


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


# --------------------------------------------------------------------------- the source notebook
def test_committed_assignment_is_generated_from_the_lesson():
    assert SOURCE.read_text(encoding="utf-8") == render_assignment(LESSON), "run: cnn-assignment"


def test_every_cell_is_marked_for_its_role():
    """Solution blocks are solution cells; markdown and the assignment's own cells are read-only;
    the four check cells and the cell after the evaluation are graded, with the points of PARTS."""
    source = _read(SOURCE)
    roles = {}
    for cell in source.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "markdown":
            assert meta["locked"] and not meta["solution"] and not meta["grade"], cell.id
        elif BEGIN in cell.source.split("\n"):
            assert meta["solution"] and not meta["locked"] and not meta["grade"], cell.id
        if meta:
            assert meta["schema_version"] == 3 and meta["grade_id"], cell.id
            roles[meta["grade_id"]] = meta
    solutions = [c for c in source.cells if _nbgrader(c).get("solution")]
    assert len(solutions) == 4
    graded = {
        _nbgrader(c)["grade_id"]: (_nbgrader(c)["points"], c.source)
        for c in source.cells
        if _nbgrader(c).get("grade")
    }
    assert {k: v[0] for k, v in graded.items()} == {part.grade_id: part.points for part in PARTS}
    assert sum(points for points, _ in graded.values()) == TOTAL_POINTS == 10
    for part in PARTS:
        assert roles[part.grade_id]["locked"], part.grade_id
        visible, hidden = graded[part.grade_id][1].split("### BEGIN HIDDEN TESTS\n")
        assert hidden.endswith("\n### END HIDDEN TESTS") and "def grade_" not in hidden  # judged elsewhere
        if part.check:
            assert visible.startswith(part.check), part.grade_id  # the student's check comes first
    assert roles[GRADING_EPOCHS_ID]["locked"] and not roles[GRADING_EPOCHS_ID]["grade"]
    # the training cell is read-only: autograde restores it and sets the grading epochs at its top
    (training,) = [c for c in source.cells if "history = model.fit(" in c.source]
    assert _nbgrader(training)["grade_id"] == TRAINING_ID and roles[TRAINING_ID]["locked"]


def test_everything_else_is_the_lesson_without_outputs():
    lesson, source = _read(LESSON), _read(SOURCE)
    added = [i for i, c in enumerate(source.cells) if c.id in ASSIGNMENT_ONLY]
    kept = [c for c in source.cells if c.id not in ASSIGNMENT_ONLY]
    assert len(kept) == len(lesson.cells)
    for ours, theirs in zip(kept, lesson.cells, strict=True):
        assert ours.id == theirs.id and ours.cell_type == theirs.cell_type
        lesson_metadata = {
            k: v for k, v in theirs.metadata.items() if k not in (SOLUTION_LINES, TODO_MINUTES)
        }
        assert {k: v for k, v in ours.metadata.items() if k != "nbgrader"} == lesson_metadata, ours.id
        if ours.cell_type == "code":
            assert ours.outputs == [] and ours.execution_count is None
            if not _nbgrader(ours).get("grade"):  # the lines to write marked for nbgrader
                assert split_cell(ours.source, 1) == solution_parts(theirs, 1), ours.id
                assert (BEGIN in ours.source) == bool(_nbgrader(ours).get("solution")), ours.id
            else:  # a check cell: the lesson's source, then the hidden tests
                assert ours.source.startswith(theirs.source + "\n### BEGIN HIDDEN TESTS\n"), ours.id
        else:
            assert ours.source == theirs.source, ours.id
    # The grading cell right after the parameters; the trained model's right after the evaluation.
    assert "parameters" in source.cells[added[0] - 1].metadata["tags"]
    assert (
        "EPOCHS = 1" in source.cells[added[0]].source
        and "NBGRADER_EXECUTION" in source.cells[added[0]].source
    )
    assert source.cells[added[1] - 1].source.startswith("score = model.evaluate(x_test, y_test")


def test_make_assignment_leaves_the_lesson_untouched():
    lesson = _read(LESSON)
    before = copy.deepcopy(lesson)
    make_assignment(lesson)
    assert lesson == before


@pytest.mark.parametrize(
    ("left_out", "message"),
    [
        (
            lambda c: c.source.startswith("check_labels("),
            r"exactly one check cell check_labels\(\); found none",
        ),
        (lambda c: "score = model.evaluate" in c.source, "exactly one cell computing score; found none"),
        (
            lambda c: "parameters" in c.metadata.get("tags", []),
            "exactly one cell tagged parameters; found none",
        ),
    ],
)
def test_a_lesson_without_a_cell_it_needs_is_an_error_naming_it(left_out, message):
    lesson = _read(LESSON)
    lesson.cells = [c for c in lesson.cells if not left_out(c)]
    with pytest.raises(AssignmentError, match=message):
        make_assignment(lesson)


def test_a_cell_it_needs_twice_is_an_error_naming_both():
    lesson = _read(LESSON)
    (index,) = [i for i, c in enumerate(lesson.cells) if c.source.startswith("check_model(")]
    twice = copy.deepcopy(lesson.cells[index])
    twice.id = "twice"
    lesson.cells.insert(index + 1, twice)
    with pytest.raises(AssignmentError, match=rf"check_model\(\); found cells {index + 1}, {index + 2}$"):
        make_assignment(lesson)


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="solution must be an nbformat.NotebookNode, got str"):
        make_assignment("notebooks/cnn_mnist.ipynb")
    lesson = _read(LESSON)
    step = next(c for c in lesson.cells if SOLUTION_LINES in c.metadata)
    step.metadata[SOLUTION_LINES] = [[99, 100]]
    with pytest.raises(MarkerError, match=r"solution_lines region \[99, 100\] is not"):
        make_assignment(lesson)
    lesson = _read(LESSON)
    step = next(c for c in lesson.cells if SOLUTION_LINES in c.metadata)
    del step.metadata[SOLUTION_LINES]
    step.source = f"# a hint: x\n## BEGIN SOLUTION\nx = 1\n{END}"
    with pytest.raises(MarkerError, match="'## BEGIN SOLUTION' is not a marker"):
        make_assignment(lesson)


def _cli(*args, cwd=ROOT, env=None):
    command = [sys.executable, "-m", "cnn_instructor.assignment", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)


@pytest.mark.slow  # six runs of the command, each a new Python
def test_command_line(tmp_path):
    result = _cli("--help")
    assert result.returncode == 0 and "usage: cnn-assignment" in result.stdout and "--check" in result.stdout
    result = _cli("--check")
    assert result.returncode == 0 and "up to date" in result.stdout, result.stdout + result.stderr
    stale = tmp_path / "stale.ipynb"
    stale.write_text(SOURCE.read_text(encoding="utf-8").replace("EPOCHS = 1", "EPOCHS = 2"), encoding="utf-8")
    result = _cli("--check", "-o", str(stale))
    assert result.returncode == 1 and "out of date: run cnn-assignment" in result.stdout
    result = _cli(cwd=tmp_path)
    assert result.returncode == 2 and "run this from the project's folder" in result.stderr
    out = tmp_path / SOURCE.relative_to(ROOT)
    result = _cli(str(LESSON), "-o", str(out))
    assert result.returncode == 0 and out.read_text(encoding="utf-8") == SOURCE.read_text(encoding="utf-8")
    result = _cli(str(EXERCISE), "-o", str(tmp_path / "x.ipynb"))  # no solution blocks in it
    assert result.returncode == 2 and "no lines for a student to write" in result.stderr


@pytest.mark.slow  # two new Pythons
def test_the_generator_needs_neither_tensorflow_nor_nbgrader(tmp_path):
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\nfor name in ('tensorflow', 'keras', 'nbgrader'):\n    sys.modules[name] = None\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "import nbgrader"], env=env, capture_output=True)
    assert probe.returncode != 0  # the blocker works
    result = _cli(str(LESSON), "-o", str(tmp_path / "a.ipynb"), env=env)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- the release
def release_differences(release: nbformat.NotebookNode, exercise: nbformat.NotebookNode) -> list[str]:
    """Where the release differs from the exercise, one sentence each, apart from the cells only the
    assignment has, the exercise's folded answers (a graded release holds no answer) and the
    metadata nbgrader adds to a cell."""
    differences = []
    exercise = copy.deepcopy(exercise)
    exercise.cells = [c for c in exercise.cells if FOLDED_TAG not in c.metadata.get("tags", [])]
    cells = [c for c in release.cells if c.id not in ASSIGNMENT_ONLY]
    if [c.id for c in cells] != [c.id for c in exercise.cells]:
        differences.append(
            "the cells differ: "
            + "; ".join(
                difflib.unified_diff([c.id for c in exercise.cells], [c.id for c in cells], lineterm="")
            )
        )
    released = {c.id: c for c in cells}
    for number, theirs in enumerate(exercise.cells, 1):
        where = f"exercise cell {number} ({theirs.id})"
        ours = released.get(theirs.id)
        if ours is None:
            differences.append(f"{where}: not in the release")
            continue
        if ours.cell_type != theirs.cell_type:
            differences.append(
                f"{where}: {ours.cell_type} in the release, {theirs.cell_type} in the exercise"
            )
        if ours.source != theirs.source:
            diff = difflib.unified_diff(
                theirs.source.splitlines(), ours.source.splitlines(), "exercise", "release", lineterm=""
            )
            differences.append(f"{where}: the source differs:\n" + "\n".join(diff))
        metadata = {k: v for k, v in ours.metadata.items() if k not in NBGRADER_KEYS}
        if metadata != theirs.metadata:
            differences.append(f"{where}: the metadata differs: {metadata} against {theirs.metadata}")
        if ours.cell_type == "code" and (ours.outputs or ours.execution_count is not None):
            differences.append(f"{where}: the release has outputs")
    return differences


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> nbformat.NotebookNode:
    """The student's notebook that nbgrader generate_assignment writes from the committed course."""
    course = nbgrading.new_course(tmp_path_factory.mktemp("course"))
    result = nbgrading.nbgrader(course, "generate_assignment", "cnn_mnist", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return _read(nbgrading.release_path(course))


@pytest.mark.slow  # nbgrader generate_assignment
def test_the_release_is_the_exercise_plus_the_assignments_own_cells(release):
    differences = release_differences(release, _read(EXERCISE))
    assert differences == [], "the release differs from the exercise:\n" + "\n\n".join(differences)
    extra = [c for c in release.cells if c.id in ASSIGNMENT_ONLY]
    assert [c.id for c in extra] == [GRADING_EPOCHS_ID, TRAINED_ID]
    assert "HIDDEN" not in extra[1].source and extra[1].source.startswith("# Graded (2 points)")
    text = "\n".join(c.source for c in release.cells)
    assert "SOLUTION" not in text and "HIDDEN TESTS" not in text and "grade_" not in text
    assert "# Time for this TODO: about 8 minutes\n# TODO: Normalize" in text
    assert "raise NotImplementedError" not in text
    assert "<details>\n<summary>Still stuck" not in text  # no folded answer to paste
    for answer in (
        'loss="categorical_crossentropy",',
        'keras.layers.Conv2D(32, kernel_size=3, activation="relu"),',
    ):
        assert answer not in text, answer


@pytest.mark.slow  # nbgrader generate_assignment
def test_the_release_locks_what_the_source_marks(release):
    for cell in release.cells:
        meta = _nbgrader(cell)
        if meta.get("locked"):
            assert cell.metadata["deletable"] is False and cell.metadata["editable"] is False, cell.id
        elif meta.get("solution"):
            assert cell.metadata["deletable"] is False and "editable" not in cell.metadata, cell.id


@pytest.mark.slow  # nbgrader generate_assignment
def test_the_comparison_names_where_they_differ(release):
    exercise = _read(EXERCISE)
    changed = copy.deepcopy(release)
    (cell,) = [c for c in changed.cells if c.source.startswith("check_model(")]
    cell.source += "  # edited"
    differences = release_differences(changed, exercise)
    unfolded = [c.id for c in exercise.cells if FOLDED_TAG not in c.metadata.get("tags", [])]
    number = unfolded.index(cell.id) + 1  # counted without the folded answers
    assert len(differences) == 1 and differences[0].startswith(
        f"exercise cell {number} ({cell.id}): the source"
    )
    assert "+check_model(model, input_shape=input_shape, classes=classes)  # edited" in differences[0]
    del changed.cells[3]
    assert any(d.startswith("the cells differ") for d in release_differences(changed, exercise))


# --------------------------------------------------------------------------- the course's config
def test_the_course_config_releases_the_stubs_grades_in_the_sandbox_and_sets_the_timeout():
    from cnn_instructor.release import ExerciseStubs, release_preprocessors
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    config = nbgrading.course_config()
    steps = config.GenerateAssignment.preprocessors
    assert steps == release_preprocessors() and ExerciseStubs in steps and ClearSolutions not in steps
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    assert [ClearSolutions if s is ExerciseStubs else s for s in steps] == default  # nothing else changed
    assert config.Execute.timeout > 30  # nbgrader's default is shorter than training on a slow machine
    assert config.Execute.interrupt_on_timeout is True  # a timeout costs the cell, not the submission
    from cnn_instructor.feedback import HideHiddenTests, feedback_preprocessors
    from cnn_instructor.grading import (
        GradingSettings,
        JudgeVerdicts,
        SandboxedExecute,
        autograde_preprocessors,
    )
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = config.Autograde.autograde_preprocessors
    assert steps == autograde_preprocessors() and Execute not in steps
    at = steps.index(SandboxedExecute)
    assert steps[at - 1 : at + 2] == [GradingSettings, SandboxedExecute, JudgeVerdicts]
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    assert [s for s in steps if s not in (GradingSettings, JudgeVerdicts)] == [
        SandboxedExecute if s is Execute else s for s in default
    ]
    assert config.GenerateFeedback.preprocessors == feedback_preprocessors()
    assert feedback_preprocessors()[0] is HideHiddenTests
    assert re.fullmatch(r"[\w-]+", config.CourseDirectory.course_id)


def test_release_preprocessors_refuses_an_nbgrader_it_does_not_know(monkeypatch):
    from cnn_instructor import release

    monkeypatch.setattr(release, "ClearSolutions", type("Other", (), {}))
    with pytest.raises(ValueError, match="has 0 ClearSolutions steps, not one"):
        release.release_preprocessors()


def _stubbed(source: str, meta: dict, cell_type: str = "code") -> str:
    from cnn_instructor.release import ExerciseStubs

    cell = nbformat.v4.new_code_cell(source) if cell_type == "code" else nbformat.v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = meta
    notebook = nbformat.v4.new_notebook(
        cells=[cell],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    notebook, _ = ExerciseStubs().preprocess(notebook, {})
    return notebook.cells[0].source


def test_exercise_stubs_write_the_exercises_hints_and_skeleton():
    solution = {"grade": False, "grade_id": "s", "locked": False, "schema_version": 3, "solution": True}
    source = f"a = 1\n# Scale the pixels: x\n{BEGIN}\nx = a / 255\n### END SOLUTION\nprint(x)"
    assert _stubbed(source, solution) == "a = 1\n# TODO: Scale the pixels: x\nx = ...\nprint(x)"
    # a solution cell without a block, code or markdown: nbgrader's own stubs
    assert _stubbed("x = 1", solution) == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert _stubbed("An answer", {**solution, "grade": True, "points": 1}, "markdown") == "YOUR ANSWER HERE"
    with pytest.raises(
        RuntimeError, match="cell 1 has a solution block but is not an nbgrader solution cell"
    ):
        _stubbed(source, {**solution, "solution": False, "locked": True})
    with pytest.raises(MarkerError, match="cell 1, line 1: put a comment right above"):
        _stubbed(f"{BEGIN}\nx = 1\n### END SOLUTION", solution)
