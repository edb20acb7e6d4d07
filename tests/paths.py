"""Where the project's files are, for every test: the repository's root and the committed notebooks
(the lesson, the explore notebook, and the two generated from the lesson: the exercise and nbgrader's
source notebook)."""

from __future__ import annotations

from pathlib import Path

from cnn_instructor.assignment import assignment_path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSON = NOTEBOOKS / "cnn_mnist.ipynb"
EXPLORE = NOTEBOOKS / "cnn_mnist_explore.ipynb"
EXERCISE = NOTEBOOKS / "cnn_mnist_exercise.ipynb"  # generated from the lesson (cnn-regenerate)
SOURCE = ROOT / assignment_path(Path("course"))  # nbgrader's source notebook, generated from the lesson
