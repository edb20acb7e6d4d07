"""nbgrader's feedback for this course: what a student reads of their graded notebook.

``HideHiddenTests`` shows each graded cell's check, its points and its message, and nothing of the
grading: no hidden region, no traceback through one, no line of a hidden region that a submission
printed (an IPython hook can print the code of the cell it runs), and nothing that can carry a
script into the page: outputs keep their text and pictures (no HTML, SVG, markdown or JavaScript),
and a markdown cell the student wrote is shown as text. The instructor's copy in ``autograded/``
keeps everything. ``course/nbgrader_config.py`` uses it::

    c.GenerateFeedback.preprocessors = feedback_preprocessors()

This module needs nbgrader (the ``grade`` extra), not TensorFlow.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

#: What a page shows of an output: text and pictures; HTML, SVG, markdown and scripts can carry code.
SHOWN = ("text/plain", "image/png", "image/jpeg")
SHORTEST = 12  # a hidden line this long or longer is removed wherever it appears in a printed line


class HideHiddenTests(ClearHiddenTests):
    """Feedback without the hidden regions and what comes from them, and without active content."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        """Read every hidden region's lines first, then strip each cell."""
        self.hidden_lines = {self.begin_test_delimeter, self.end_test_delimeter} | {
            line.strip()
            for cell in nb.cells
            if utils.is_grade(cell) and self.begin_test_delimeter in cell.source
            for line in cell.source.split(self.begin_test_delimeter, 1)[1].split("\n")
            if line.strip()
        }
        return super().preprocess(nb, resources)

    def _shown(self, text: str) -> str:
        """``text`` without the lines that hold a line of a hidden region (prefixed or not)."""
        long = [hidden for hidden in self.hidden_lines if len(hidden) >= SHORTEST]
        return "\n".join(
            line
            for line in text.split("\n")
            if line.strip() not in self.hidden_lines and not any(hidden in line for hidden in long)
        )

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, cell_index: int) -> tuple:
        """A graded cell without its hidden region, its errors as one line (the check's message);
        every cell's outputs without hidden lines or active content; a student's markdown as text."""
        course = utils.is_locked(cell) and cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "markdown" and not course:  # restored by nbgrader, or the student's
            cell.source = "````text\n" + cell.source.replace("`", "'") + "\n````"
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
                for mime in [m for m in output.data if m not in SHOWN]:
                    del output.data[mime]
                if "text/plain" in output.data:
                    output.data["text/plain"] = self._shown(output.data["text/plain"])
        return cell, resources


def feedback_preprocessors() -> list[type]:
    """nbgrader's feedback steps with ``HideHiddenTests`` first."""
    from nbgrader.converters import GenerateFeedback

    return [HideHiddenTests, *GenerateFeedback.class_traits()["preprocessors"].default()]
