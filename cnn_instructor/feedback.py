"""nbgrader's feedback for this course: what a student reads of their graded notebook.

``HideHiddenTests`` shows each graded cell's check, its points and its message, and nothing of the
grading: no hidden region, no traceback through one, no line of a hidden region that a submission
printed (an IPython hook can print the code of the cell it runs), and no script a submission's
outputs or markdown cells carry into the page. The instructor's copy in ``autograded/`` keeps
everything. ``course/nbgrader_config.py`` uses it::

    c.GenerateFeedback.preprocessors = feedback_preprocessors()

This module needs nbgrader (the ``grade`` extra), not TensorFlow.
"""

from __future__ import annotations

import html
import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

ACTIVE = re.compile(r"<\s*(script|iframe|object|embed)|javascript:|\son\w+\s*=", re.IGNORECASE)
RUNS_CODE = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json")


class HideHiddenTests(ClearHiddenTests):
    """Feedback without the hidden regions and what comes from them, and without active content."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        """Read every hidden region's lines first, then strip each cell."""
        self.hidden_lines = {
            line.strip()
            for cell in nb.cells
            if utils.is_grade(cell) and self.begin_test_delimeter in cell.source
            for line in cell.source.split(self.begin_test_delimeter, 1)[1].split("\n")
            if line.strip()
        }
        return super().preprocess(nb, resources)

    def _shown(self, text: str) -> str:
        """``text`` without the lines of a hidden region."""
        return "\n".join(line for line in text.split("\n") if line.strip() not in self.hidden_lines)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, cell_index: int) -> tuple:
        """A graded cell without its hidden region, its errors as one line (the check's message);
        every cell's outputs without hidden lines or active content; a student's markdown escaped."""
        if cell.cell_type == "markdown" and not utils.is_locked(cell) and ACTIVE.search(cell.source):
            cell.source = html.escape(cell.source)
        if cell.cell_type != "code":
            return cell, resources
        if utils.is_grade(cell):
            self._remove_hidden_test_region(cell)
        for output in cell.outputs:
            if output.output_type == "stream":
                output.text = self._shown(output.text)
            elif output.output_type == "error":
                output.evalue = self._shown(output.evalue)
                lines = [f"{output.ename}: {output.evalue}"] if utils.is_grade(cell) else output.traceback
                output.traceback = [self._shown(line) for line in lines]
            elif "data" in output:
                data = output.data
                for mime in [
                    m for m in data if m in RUNS_CODE or ACTIVE.search(str(data[m])) and m != "text/plain"
                ]:
                    del data[mime]
                if "text/plain" in data:
                    data["text/plain"] = self._shown(data["text/plain"])
        return cell, resources


def feedback_preprocessors() -> list[type]:
    """nbgrader's feedback steps with ``HideHiddenTests`` first."""
    from nbgrader.converters import GenerateFeedback

    return [HideHiddenTests, *GenerateFeedback.class_traits()["preprocessors"].default()]
