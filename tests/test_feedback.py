"""The feedback's own step (cnn_instructor.feedback.HideHiddenTests) on a built notebook: a graded
cell keeps its check and the check's message, and loses its hidden region, its traceback, and any
line of a hidden region a submission printed, in any cell; no output or markdown of the submission
carries a script into the page. The whole pipeline is in test_grading.py."""

from __future__ import annotations

from cnn_instructor.feedback import HideHiddenTests, feedback_preprocessors
import nbformat
from nbformat.notebooknode import NotebookNode

HIDDEN = 'import os as _os\nif _os.environ.get("CNN_MNIST_GRADED"):\n    model.save("x.keras")'
GRADED = {"grade": True, "grade_id": "model", "locked": True, "points": 2, "solution": False}


def _notebook() -> nbformat.NotebookNode:
    graded = nbformat.v4.new_code_cell(
        f"check_model(model)\n### BEGIN HIDDEN TESTS\n{HIDDEN}\n### END HIDDEN TESTS"
    )
    graded.metadata["nbgrader"] = {**GRADED, "schema_version": 3, "task": False}
    printed = f"model ready\n{HIDDEN}\n"  # an IPython hook printed the cell it ran
    graded.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=printed),
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="the model has 1 Conv2D layers",
            traceback=[
                "Traceback (most recent call last):",
                '  File "hidden_tests.py", line 9',
                "AssertionError",
            ],
        ),
    ]
    own = nbformat.v4.new_code_cell("print(secret)")
    own.outputs = [
        nbformat.v4.new_output(
            "stream", name="stdout", text=f"mine\n{HIDDEN.splitlines()[1]}\nRED| {HIDDEN}\n"
        ),
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<script>steal()</script>", "text/plain": "<HTML>"}
        ),
        nbformat.v4.new_output(
            "display_data", data={"application/javascript": "steal()", "image/png": "iVBOR"}
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/svg+xml": "<svg onload=steal()>", "text/markdown": "[a](javascript:x)"},
        ),
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue="mine", traceback=["frame 1", "ValueError: mine"]
        ),
    ]
    markdown = nbformat.v4.new_markdown_cell('Look <img src=x onerror="steal()">')
    return nbformat.v4.new_notebook(cells=[graded, own, markdown])


def test_feedback_shows_the_check_and_its_message_and_nothing_of_the_grading():
    notebook, _ = HideHiddenTests().preprocess(_notebook(), {})
    graded, own, markdown = notebook.cells
    assert graded.source == "check_model(model)"
    assert graded.outputs[0].text == "model ready\n"  # the hidden lines it printed are gone
    assert graded.outputs[1].traceback == ["AssertionError: the model has 1 Conv2D layers"]
    assert own.outputs[0].text == "mine\n"
    assert own.outputs[1].data == {"text/plain": "<HTML>"}  # the script is gone, its text stays
    assert own.outputs[2].data == {"image/png": "iVBOR"}
    assert own.outputs[3].data == {}  # SVG and markdown can carry scripts too
    assert own.outputs[4].traceback == ["frame 1", "ValueError: mine"]  # the student's own error, whole
    assert markdown.source == '````text\nLook <img src=x onerror="steal()">\n````'  # shown as text
    text = nbformat.writes(notebook)
    assert "CNN_MNIST_GRADED" not in text and "</script>" not in text and "javascript:" not in text


def test_the_course_feedback_runs_it_first():
    steps = feedback_preprocessors()
    assert steps[0] is HideHiddenTests and isinstance(_notebook(), NotebookNode)
