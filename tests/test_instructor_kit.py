"""The instructor kit: the exercise generated from the solution, the slide deck, clean code."""

from __future__ import annotations

import json
from pathlib import Path
import re
import shutil
import subprocess
import sys

from cnn_helpers.exercise import BEGIN, END, make_exercise, strip_solution, write_exercise
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "notebooks" / "cnn_mnist.ipynb"
EXERCISE = ROOT / "notebooks" / "cnn_mnist_exercise.ipynb"


def test_strip_solution_turns_the_comments_above_into_todos():
    source = (
        "a = 1\n# Normalize the pixels\n# Add a channel axis\n"
        "### BEGIN SOLUTION\nx = a / 255\n### END SOLUTION\nprint(x)"
    )
    assert (
        strip_solution(source) == "a = 1\n# TODO: Normalize the pixels\n# TODO: Add a channel axis\nprint(x)"
    )
    assert strip_solution(f"{BEGIN}\nx = 1\n{END}") == "# TODO: write the code for this step"


@pytest.mark.parametrize("source", [f"{BEGIN}\nx = 1", f"x = 1\n{END}", f"{BEGIN}\n{BEGIN}\n{END}\n{END}"])
def test_strip_solution_refuses_unbalanced_markers(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        strip_solution(source)


def test_committed_exercise_is_generated_from_the_solution(tmp_path):
    fresh = write_exercise(SOLUTION, tmp_path / "exercise.ipynb")
    assert fresh.read_text() == EXERCISE.read_text(), "run: python -m cnn_helpers.exercise"


def test_exercise_has_todos_no_solutions_and_no_outputs():
    solution = json.loads(SOLUTION.read_text())
    exercise = json.loads(EXERCISE.read_text())
    assert len(exercise["cells"]) == len(solution["cells"])
    text = "\n".join("".join(c["source"]) for c in exercise["cells"] if c["cell_type"] == "code")
    assert "SOLUTION" not in text and "to_categorical(" not in text and "model.compile(" not in text
    todos = re.findall(r"# TODO: (.*)", text)
    assert any(t.startswith("Normalize") for t in todos)
    assert any("(28, 28, 1)" in t for t in todos)
    assert any(t.startswith("Change y to categorical") for t in todos)
    assert any(t.startswith("Create the model architecture") for t in todos)
    assert any(t.startswith("Compile the model") for t in todos)
    for cell in exercise["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    for sol, ex in zip(solution["cells"], exercise["cells"], strict=True):  # everything else identical
        if sol["cell_type"] == "markdown" or BEGIN not in "".join(sol["source"]):
            assert ex["source"] == sol["source"] or "".join(ex["source"]) == "".join(sol["source"])
            assert ex["metadata"] == sol["metadata"]


def test_exercise_runs_up_to_the_first_todo():
    from nbclient import NotebookClient
    import nbformat

    exercise = nbformat.reads(EXERCISE.read_text(), as_version=4)
    first_todo = next(
        i for i, c in enumerate(exercise.cells) if c.cell_type == "code" and "# TODO" in c.source
    )
    assert first_todo > 5  # set-up, theory and data loading come first
    exercise.cells = exercise.cells[:first_todo]
    NotebookClient(
        exercise, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(SOLUTION.parent)}}
    ).execute()
    errors = [
        o for c in exercise.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []


def test_make_exercise_leaves_the_solution_untouched():
    solution = json.loads(SOLUTION.read_text())
    before = json.dumps(solution)
    make_exercise(solution)
    assert json.dumps(solution) == before


def test_slides_have_the_notebook_sections(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "slides",
            str(SOLUTION),
            "--output-dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    html = (tmp_path / "cnn_mnist.slides.html").read_text()
    solution = json.loads(SOLUTION.read_text())
    headings = [
        "".join(c["source"]).splitlines()[0].lstrip("# ").strip()
        for c in solution["cells"]
        if c["cell_type"] == "markdown" and re.match(r"#{1,2} ", "".join(c["source"]))
    ]
    assert len(headings) >= 15
    slides = html.count("<section")
    assert slides >= len(headings)
    for heading in headings:
        assert heading.split("(")[0].strip().replace("&", "&amp;") in html, heading
    assert html.count("data:image/png;base64") >= 15  # every figure made it into the deck


def test_notebook_cells_carry_slide_metadata():
    solution = json.loads(SOLUTION.read_text())
    kinds = {c["metadata"].get("slideshow", {}).get("slide_type") for c in solution["cells"]}
    assert {"slide", "subslide", "-"} <= kinds
    assert all("slideshow" in c["metadata"] for c in solution["cells"])


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run([ruff, *command, "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_notebook_metadata_hygiene():
    for path in (SOLUTION, EXERCISE):
        notebook = json.loads(path.read_text())
        assert notebook["metadata"]["kernelspec"] == {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }
        assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}
        for cell in notebook["cells"]:
            assert "".join(cell["source"]).strip(), f"empty cell in {path.name}"
            assert set(cell["metadata"]) <= {"slideshow", "tags"}, cell["metadata"]
