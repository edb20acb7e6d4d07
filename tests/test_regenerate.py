"""cnn-regenerate: one command brings up to date everything generated from the lesson (its attached
figures, the exercise, the nbgrader source notebook, the docs' generated blocks), or with --check names
what is stale; the committed files are what it writes."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import sys

from cnn_instructor.assignment import render_assignment
from cnn_instructor.exercise import render_exercise
from cnn_instructor.regenerate import regenerate
import nbformat
import paths
from paths import ROOT
import pytest

# The files cnn-regenerate writes, relative to the project it is run in.
LESSON, EXERCISE, SOURCE = (path.relative_to(ROOT) for path in (paths.LESSON, paths.EXERCISE, paths.SOURCE))
README = Path("README.md")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``cnn-regenerate`` run in ``cwd`` with this tree's cnn_instructor, wherever it is installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "cnn_instructor.regenerate", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)


def test_the_committed_files_are_what_it_writes():
    assert regenerate(ROOT, check=True) == [], "run cnn-regenerate"


@pytest.mark.slow  # the command in a new Python
def test_the_command_says_so():
    result = _cli("--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of what the steps read and write: the lesson, the generated files, and a README whose
    plan table is stale."""
    for path in (LESSON, EXERCISE, SOURCE):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, tmp_path / path)
    (tmp_path / README).write_text(
        f"# A course\n\n<!-- cnn-plan {LESSON.as_posix()} -->\nold\n<!-- end -->\n"
    )
    return tmp_path


@pytest.mark.slow  # the command in a new Python
def test_check_names_each_stale_file_and_writes_nothing(project):
    lesson = nbformat.read(project / LESSON, as_version=4)
    (cell,) = [c for c in lesson.cells if "architecture.png" in c.get("attachments", {})]
    cell.attachments["architecture.png"]["image/png"] = "iVBORw0KGgo="  # not the figure drawn below
    nbformat.write(lesson, project / LESSON)
    (project / EXERCISE).write_text("{}", encoding="utf-8")
    (project / SOURCE).unlink()
    before = {path: (project / path).read_bytes() for path in (LESSON, EXERCISE, README)}
    assert regenerate(project, check=True) == [project / p for p in (LESSON, EXERCISE, SOURCE, README)]
    assert {path: (project / path).read_bytes() for path in before} == before
    assert not (project / SOURCE).exists()
    result = _cli("--check", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    for path in (LESSON, EXERCISE, SOURCE, README):
        assert f"{path} is out of date" in result.stdout


@pytest.mark.slow  # the command in a new Python
def test_it_writes_what_is_stale_and_then_nothing(project):
    (project / EXERCISE).write_text("{}", encoding="utf-8")
    (project / SOURCE).unlink()
    lesson_before = (project / LESSON).read_bytes()
    result = _cli(cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split("\n")[:3] == [f"{p} written" for p in (EXERCISE, SOURCE, README)]
    assert (project / LESSON).read_bytes() == lesson_before  # its attachments were up to date
    assert (project / EXERCISE).read_text(encoding="utf-8") == render_exercise(ROOT / LESSON)
    assert (project / SOURCE).read_text(encoding="utf-8") == render_assignment(ROOT / LESSON)
    assert "old" not in (project / README).read_text(encoding="utf-8")
    assert regenerate(project, check=True) == []


@pytest.mark.slow  # the command in a new Python
def test_errors_name_the_step_and_the_folder(project, tmp_path_factory):
    (project / README).write_text("<!-- file nowhere.py -->\n<!-- end -->\n")
    result = _cli("--check", cwd=project)
    assert result.returncode == 2
    for words in (
        "docs_blocks.update",
        "README.md, line 1",
        "<!-- file nowhere.py -->",
        "no such file: nowhere.py",
    ):
        assert words in result.stderr, result.stderr  # the step, the doc, the block, what is wrong
    result = _cli(cwd=tmp_path_factory.mktemp("elsewhere"))
    assert result.returncode == 2 and "run this from the project's folder" in result.stderr
