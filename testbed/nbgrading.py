"""A course graded with nbgrader in a temporary folder, as an instructor would grade it (no hub).

``new_course(folder)`` copies the committed course (``course/nbgrader_config.py`` and
``course/source/``) into ``folder``; ``nbgrader(course, "autograde", "cnn_mnist")`` runs nbgrader's
own command line there, with errors in the config file fatal (nbgrader otherwise logs them and
goes on with its defaults). ``solved(release, source)`` is the release filled in with the
solution's code, and ``with_block_code`` puts a mistake in one block: the submissions the grading
tests and ``benchmarks.grading`` hand in with ``submit``. ``scores`` reads the gradebook through
nbgrader's API.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
import shutil
import subprocess
import sys

from cnn_instructor.assignment import ASSIGNMENT
from cnn_instructor.exercise import Block, exercise_source, split_cell
import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"


def new_course(folder: Path) -> Path:
    """``folder`` made a course: the committed config and source notebook, nothing generated yet."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COURSE / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", folder / "source")
    return folder


def nbgrader(course: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` run in ``course`` on this interpreter; its status and output, unchecked."""
    env = {**os.environ, "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1"}
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


def course_config(course: Path = COURSE):
    """The course's ``nbgrader_config.py`` as nbgrader reads it (a traitlets Config)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def release_path(course: Path) -> Path:
    """The student's notebook that ``nbgrader generate_assignment`` writes."""
    return course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def solution_blocks(source: nbformat.NotebookNode) -> dict[str, list[Block]]:
    """The solution blocks of the source notebook, by the grade_id of their cell."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: [
            part for part in split_cell(cell.source, number) if isinstance(part, Block)
        ]
        for number, cell in enumerate(source.cells, 1)
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def solved(release: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the release with each TODO block replaced by the solution's hints and code: what a
    student who wrote exactly the solution hands in."""
    blocks = solution_blocks(source)
    submission = copy.deepcopy(release)
    for cell in submission.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for block in blocks.get(grade_id, []):
            todo = exercise_source([block])
            assert cell.source.count(todo) == 1, f"{grade_id}: the TODO block is not in the release"
            cell.source = cell.source.replace(todo, "\n".join([*block.hints, block.code]))
    return submission


def with_block_code(notebook: nbformat.NotebookNode, old: str, new: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with ``old`` replaced by ``new`` in the one solution cell holding it."""
    changed = copy.deepcopy(notebook)
    cells = [c for c in changed.cells if c.metadata.get("nbgrader", {}).get("solution") and old in c.source]
    assert len(cells) == 1, f"{old!r} is in {len(cells)} solution cells"
    cells[0].source = cells[0].source.replace(old, new)
    return changed


def with_cell(notebook: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose nbgrader cell ``grade_id`` holds ``source`` instead."""
    changed = copy.deepcopy(notebook)
    (cell,) = [c for c in changed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    cell.source = source
    return changed


def submit(course: Path, student: str, notebook: nbformat.NotebookNode) -> Path:
    """Hand ``notebook`` in as ``student``'s submission, where ``nbgrader collect`` puts it."""
    path = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def scores(course: Path) -> dict[str, dict[str, float]]:
    """Each graded student's score per graded cell (grade_id), from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission_notebooks = gradebook.notebook_submissions(ASSIGNMENT, ASSIGNMENT)
        return {
            notebook.student.id: {grade.name: grade.score for grade in notebook.grades}
            for notebook in submission_notebooks
        }
