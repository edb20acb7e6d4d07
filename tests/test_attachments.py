"""cnn_instructor.attachments copies a tagged figure, and its generated alt text, into the markdown that
shows it before the code runs (the lesson's architecture picture)."""

from __future__ import annotations

from cnn_instructor.attachments import main, sync_attachments
import nbformat

PNG = "iVBORw0KGgo="
ALT = "The network tiny, drawn layer by layer from its input of 28×28×1: conv 3×3 [with ReLU] to 26×26×8."


def _notebook(alt: str | None) -> nbformat.NotebookNode:
    output = nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})
    if alt:
        output.metadata = {"image/png": {"alt": alt}}
    code = nbformat.v4.new_code_cell("plot_architecture(model)", metadata={"tags": ["attach:arch.png"]})
    code.outputs = [output]
    intro = nbformat.v4.new_markdown_cell(
        "The network:\n\n![The network, drawn from the model](attachment:arch.png)"
    )
    return nbformat.v4.new_notebook(cells=[intro, code])


def test_the_figure_and_its_alt_text_are_copied():
    notebook = _notebook(ALT)
    assert sync_attachments(notebook) == ["cell 1: arch.png", "cell 1: the alt text of arch.png"]
    intro = notebook.cells[0]
    assert intro.attachments == {"arch.png": {"image/png": PNG}}
    escaped = ALT.replace("[", "\\[").replace("]", "\\]")
    assert intro.source == f"The network:\n\n![{escaped}](attachment:arch.png)"
    assert sync_attachments(notebook) == []  # in step now


def test_a_figure_without_alt_text_keeps_the_written_one():
    notebook = _notebook(None)
    assert sync_attachments(notebook) == ["cell 1: arch.png"]
    assert "![The network, drawn from the model](attachment:arch.png)" in notebook.cells[0].source


def test_check_reports_a_stale_alt_text(tmp_path, capsys):
    notebook = _notebook(ALT)
    sync_attachments(notebook)
    notebook.cells[1].outputs[0].metadata["image/png"]["alt"] = "A new description."
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    assert main([str(path), "--check"]) == 1
    assert "cell 1: the alt text of arch.png is out of date" in capsys.readouterr().out
    assert main([str(path)]) == 0
    assert "![A new description.](attachment:arch.png)" in nbformat.read(path, 4).cells[0].source
    assert main([str(path), "--check"]) == 0
