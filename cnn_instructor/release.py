"""nbgrader's release of the assignment with the exercise's TODO hints and skeletons.

nbgrader's ``ClearSolutions`` replaces every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block
with one fixed stub (``# YOUR CODE HERE`` and ``raise NotImplementedError()``).
``ExerciseStubs`` replaces it with what ``cnn-exercise`` writes instead: the comment lines above
the block as ``# TODO:`` hints and a skeleton of its code, made by ``cnn_instructor.exercise``.
A course uses it from its ``nbgrader_config.py``::

    from cnn_instructor.release import release_preprocessors

    c.GenerateAssignment.preprocessors = release_preprocessors()

This module needs nbgrader (the ``grade`` extra).
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

from .exercise import Block, exercise_source, split_cell
from .notebook_text import BEGIN


class ExerciseStubs(ClearSolutions):
    """``ClearSolutions`` with each solution block of a code cell replaced by the exercise's hints
    and skeleton; a solution cell without a block, or a markdown one, gets nbgrader's stub."""

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """Replace the blocks of one cell; ``cell_index`` counts from 0 (messages count from 1)."""
        if cell.cell_type != "code" or BEGIN not in cell.source.split("\n"):
            return super().preprocess_cell(cell, resources, cell_index)
        parts = split_cell(cell.source, cell_index + 1)  # MarkerError: a marker it does not know
        if not utils.is_solution(cell):
            raise RuntimeError(
                f"cell {cell_index + 1} has a solution block but is not an nbgrader solution cell "
                "(run cnn-assignment to write the source notebook)"
            )
        if any(isinstance(part, Block) for part in parts):
            cell.source = exercise_source(parts)
        return cell, resources


def release_preprocessors() -> list[type]:
    """nbgrader's preprocessors for ``generate_assignment``, with ``ExerciseStubs`` in place of
    ``ClearSolutions``; a ValueError if this nbgrader has no ``ClearSolutions`` step to replace."""
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    if default.count(ClearSolutions) != 1:
        raise ValueError(
            f"GenerateAssignment.preprocessors of this nbgrader has {default.count(ClearSolutions)} "
            "ClearSolutions steps, not one: cnn_instructor.release does not know where its stubs go"
        )
    return [ExerciseStubs if step is ClearSolutions else step for step in default]
