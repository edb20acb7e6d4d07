"""cnn-plan: where each minute of a class goes, counted from the notebook, calibrated on the lesson
as two teachers' walk-throughs timed it, and the table README prints."""

from __future__ import annotations

import math
from pathlib import Path
import subprocess
import sys

from cnn_instructor.plan import (
    ACTIVITIES,
    CODE_LINES_PER_MINUTE,
    FIGURE_MINUTES,
    LAPTOP_SLOWDOWN,
    PANEL_MINUTES,
    WORDS_PER_MINUTE,
    WRITE_LINE_MINUTES,
    WRITE_STEP_MINUTES,
    cell_seconds,
    code_lines,
    plan,
    prose_words,
    readme_block,
    table,
)
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "cnn_mnist.ipynb"
#: The lesson at commit 81b054b, which two timed walk-throughs put at 95-115 and 125-217 minutes
#: (its figures' pictures left out; their panel counts, the code and the training log kept).
CALIBRATION = ROOT / "tests" / "data" / "lesson_81b054b.ipynb"


def _core(notebook) -> float:
    return sum(s.minutes for s in plan(notebook) if not s.optional)


def test_prose_words_leave_out_answers_code_and_images():
    text = (
        "Two words. `a long code span` ![alt text here](attachment:x.png)\n<details>one two three</details>"
    )
    assert prose_words(text) == 2
    assert prose_words("3×3 filters, 26×26 maps — 16 of them.") == 7  # the dash is not a word


def test_code_lines_to_read_and_lines_to_write():
    source = "# a hint\nx = 1\n\n### BEGIN SOLUTION\na = 1\nb = 2\n### END SOLUTION\nprint(a)\n"
    assert code_lines(source) == (3, [2])  # the hint, x and print are read; a and b are written
    assert code_lines("### BEGIN SOLUTION\n### END SOLUTION\n### BEGIN SOLUTION\nz\n### END SOLUTION") == (
        0,
        [0, 1],
    )


def _figure(axes: int):
    return new_output(
        "display_data",
        data={"image/png": "iVBOR", "text/plain": f"<DescribedFigure size 10x10 with {axes} Axes>"},
    )


def _notebook(timed: bool = False):
    train = new_code_cell("history = model.fit(data)\nprint(history)")
    train.outputs = [
        new_output("stream", name="stdout", text="Epoch 1/2\n211/211 - 4s - 18ms/step - accuracy: 0.8\n"),
        new_output("stream", name="stdout", text="Epoch 2/2\n211/211 - 5s - 23ms/step - accuracy: 0.9\n"),
    ]
    build = new_code_cell(
        "# Create the model: model\n### BEGIN SOLUTION\nmodel = 1\nmodel = 2\n### END SOLUTION"
    )
    build.outputs = [_figure(3)]
    if timed:
        train.metadata["execution"] = {
            "iopub.execute_input": "2026-12-01T10:00:00.000000Z",
            "shell.execute_reply": "2026-12-01T10:00:30.000000Z",
        }
    return new_notebook(
        cells=[
            new_markdown_cell("# Title\n\n" + "word " * 130),
            new_markdown_cell("## Build\n\n**Predict, then run.** What shape?\n\n<details>answer</details>"),
            build,
            new_markdown_cell(
                "**Your turn.** Change it. The words Predict, then run in a sentence do not count."
            ),
            new_markdown_cell("## Optional: more\n\nfour words of text"),
            train,
            new_markdown_cell(
                "## Check your understanding\n\n1. One?\n2. Two?\n\n<details>\n\n1. a\n</details>"
            ),
            new_markdown_cell("A core paragraph's aside", metadata={"tags": ["optional"]}),
        ]
    )


def test_each_kind_of_minute_is_counted_with_its_constant():
    sections = {s.title: s for s in plan(_notebook())}
    assert list(sections) == [
        "Title",
        "Build",
        "Optional: more",
        "Check your understanding",
        "(optional cells of core sections)",
    ]
    title, build, more, quiz, aside = sections.values()
    assert title.parts["prose"] == pytest.approx(131 / WORDS_PER_MINUTE)
    assert build.parts == pytest.approx(
        {
            "prose": 21 / WORDS_PER_MINUTE,
            "code": 1 / CODE_LINES_PER_MINUTE,  # the hint comment; the two solution lines are written
            "figures": FIGURE_MINUTES + 2 * PANEL_MINUTES,  # a figure of three panels
            "writing": WRITE_STEP_MINUTES + 2 * WRITE_LINE_MINUTES,
            "running": 0.0,
            "activities": ACTIVITIES["Predict, then run"] + ACTIVITIES["Your turn"],
        }
    )
    # the training log's epoch times (4 s + 5 s), as on a student's slower laptop
    assert more.optional and more.parts["running"] == pytest.approx(LAPTOP_SLOWDOWN * 9 / 60)
    assert more.parts["code"] == pytest.approx(2 / CODE_LINES_PER_MINUTE)
    assert quiz.activities == {"quiz question": 2} and not build.optional
    assert aside.optional and aside.words == 4


def test_measured_run_times_replace_the_stored_ones():
    more = next(s for s in plan(_notebook(timed=True)) if s.title == "Optional: more")
    assert more.run_seconds == pytest.approx(30.0)  # the cell's timing, not its 9 s of epochs
    assert cell_seconds(new_code_cell("x = 1")) == 0.0


def test_the_table_says_where_each_minute_goes_and_when():
    sections = plan(_notebook())
    lines = table(sections).splitlines()
    assert (
        lines[0] == "| minutes | section | prose | code | figures | writing | running | activities | total |"
    )
    core = [s for s in sections if not s.optional]
    assert lines[2].startswith(f"| 0–{core[0].minutes:.0f} | Title | 1.0 |")
    assert lines[3].startswith(f"| {core[0].minutes:.0f}–{core[0].minutes + core[1].minutes:.0f} | Build |")
    total = math.ceil(sum(s.minutes for s in core))
    assert any(line.startswith("| | **core path** |") and line.endswith(f"**{total}** |") for line in lines)
    assert any(line.startswith("| +") and "Optional: more" in line for line in lines)


def test_the_count_is_calibrated_on_the_lesson_the_walk_throughs_timed():
    """Two walk-throughs gave 95-115 (about 104) and 125-217 minutes; reading aloud alone gave 78."""
    old = nbformat.read(CALIBRATION, as_version=4)
    assert 100 <= _core(old) <= 115
    prose_only = sum(s.parts["prose"] + s.parts["activities"] for s in plan(old) if not s.optional)
    assert prose_only < 80  # what the old count saw


def test_the_lesson_core_path_fits_a_90_minute_class():
    lesson = nbformat.read(LESSON, as_version=4)
    assert _core(lesson) <= 80
    optional = [s.title for s in plan(lesson) if s.optional]
    assert "Optional: look inside after training" in optional


def test_readme_prints_the_plan_cnn_plan_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme_block("notebooks/cnn_mnist.ipynb").search(readme)
    assert block, "README lacks the plan table between its markers"
    assert block.group(2) == table(plan(nbformat.read(LESSON, as_version=4))), (
        "README's plan table is stale: run `cnn-plan notebooks/cnn_mnist.ipynb --readme README.md`"
    )
    old = math.ceil(_core(nbformat.read(CALIBRATION, as_version=4)))
    assert f"counts **{old} minutes**" in readme  # the calibration README records


def test_command_line(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    result = subprocess.run(
        [sys.executable, "-m", "cnn_instructor.plan", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "| | **core path** |" in result.stdout
    assert "training times stored in the notebook" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "cnn_instructor.plan", str(tmp_path / "missing.ipynb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "no such notebook" in result.stderr


def test_the_command_writes_its_table_into_readme(tmp_path):
    path, readme = tmp_path / "nb.ipynb", tmp_path / "README.md"
    nbformat.write(_notebook(), path)
    readme.write_text(f"Before.\n<!-- cnn-plan {path.as_posix()} -->\nold table\n<!-- end -->\nAfter.\n")
    command = [sys.executable, "-m", "cnn_instructor.plan", str(path), "--readme", str(readme)]
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    written = readme.read_text()
    assert "old table" not in written and table(plan(_notebook())) in written
    assert written.startswith("Before.\n") and written.endswith("<!-- end -->\nAfter.\n")
    readme.write_text("no markers\n")
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2 and "has no <!-- cnn-plan" in result.stderr
