"""Bring up to date everything generated from the lesson, with one command:

    cnn-regenerate            # from the project's folder, after editing (and re-running) the lesson
    cnn-regenerate --check    # write nothing; exit status 1, naming each stale file

The steps (``STEPS``), in order:

1. the lesson's attachments: the figure of each cell tagged ``attach:<name>``, and its alt text, in
   the markdown that shows it (``python -m cnn_instructor.attachments``);
2. the student exercise, ``notebooks/cnn_mnist_exercise.ipynb`` (what ``cnn-exercise`` writes);
3. the nbgrader source notebook, ``course/source/cnn_mnist/cnn_mnist.ipynb`` (``cnn-assignment``);
4. the docs' generated blocks: the class plan, the files they quote, the points table, the figure
   (``python -m cnn_instructor.docs_blocks``).

A step writes only what is stale, and ``--check`` writes nothing. ``cnn-exercise`` and
``cnn-assignment`` stay, for one file or another path.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
import sys

import nbformat

from . import docs_blocks
from .assignment import assignment_path, render_assignment
from .attachments import sync_attachments
from .cli import DEFAULT_SOLUTION, write_or_check
from .exercise import exercise_path, render_exercise
from .slides import lesson_notebooks

#: A step: ``step(root, check=...)`` brings its files in the project's folder ``root`` up to date
#: (writing nothing when ``check``) and returns those that were stale.
Step = Callable[..., list[Path]]


def lesson_attachments(root: Path, *, check: bool = False) -> list[Path]:
    """The lesson notebooks whose attached figures (or their alt text) differ from the figures drawn
    in them; unless ``check``, each rewritten with its figures copied (source text only)."""
    stale = []
    for path in lesson_notebooks(root / DEFAULT_SOLUTION.parent):
        notebook = nbformat.read(path, as_version=4)
        if sync_attachments(notebook):
            stale.append(path)
            if not check:
                nbformat.write(notebook, path)
    return stale


def exercise_notebook(root: Path, *, check: bool = False) -> list[Path]:
    """The student exercise, if stale (written unless ``check``)."""
    solution = root / DEFAULT_SOLUTION
    path = exercise_path(solution)
    return [path] if write_or_check(path, render_exercise(solution), check=check) else []


def nbgrader_source(root: Path, *, check: bool = False) -> list[Path]:
    """The nbgrader source notebook, if stale (written unless ``check``)."""
    path = root / assignment_path()
    return [path] if write_or_check(path, render_assignment(root / DEFAULT_SOLUTION), check=check) else []


#: What ``cnn-regenerate`` brings up to date, in this order: the lesson's own attachments first,
#: since the exercise and the assignment copy its markdown.
STEPS: tuple[Step, ...] = (
    lesson_attachments,
    exercise_notebook,
    nbgrader_source,
    docs_blocks.update,
)


def regenerate(root: Path, *, check: bool = False, steps: Sequence[Step] = STEPS) -> list[Path]:
    """Run ``steps`` on the project's folder ``root``; return the files that were stale (written
    unless ``check``). A ValueError names the step that failed and why."""
    stale = []
    for step in steps:
        try:
            stale += step(root, check=check)
        except (ValueError, nbformat.ValidationError) as err:  # a MarkerError, a block the docs cannot render
            raise ValueError(f"{step.__module__}.{step.__name__}: {err}") from err
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cnn-regenerate`` command; its exit status."""
    parser = argparse.ArgumentParser(
        prog="cnn-regenerate",
        description="Bring up to date everything generated from the lesson: its attached figures, the "
        "student exercise, the nbgrader source notebook and the docs' generated blocks.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit with status 1, naming each file that is not what the lesson gives",
    )
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not (root / DEFAULT_SOLUTION).is_file():
        parser.error(f"no {DEFAULT_SOLUTION} here: run this from the project's folder")
    try:
        stale = regenerate(root, check=args.check)
    except ValueError as err:
        parser.exit(2, f"cnn-regenerate: error: {err}\n")
    for path in stale:
        print(f"{path.relative_to(root)} {'is out of date' if args.check else 'written'}")
    if args.check and stale:
        print("run cnn-regenerate")
        return 1
    if not stale:
        print("everything generated from the lesson is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
