"""cnn-plan: a class plan from the notebook's own text, run times and activities."""

from __future__ import annotations

import math
from pathlib import Path
import subprocess
import sys

from cnn_instructor.plan import (
    ACTIVITIES,
    FIGURE_MINUTES,
    WORDS_PER_MINUTE,
    cell_seconds,
    plan,
    prose_words,
    table,
)
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_prose_words_leave_out_answers_code_and_images():
    text = (
        "Two words. `a long code span` ![alt text here](attachment:x.png)\n<details>one two three</details>"
    )
    assert prose_words(text) == 2
    assert prose_words("3×3 filters, 26×26 maps — 16 of them.") == 7  # the dash is not a word


def _timed(source, seconds, figures=0):
    cell = new_code_cell(source)
    cell.metadata["execution"] = {
        "iopub.execute_input": "2026-12-01T10:00:00.000000Z",
        "shell.execute_reply": f"2026-12-01T10:00:{seconds:02d}.500000Z",
    }
    cell.outputs = [new_output("display_data", data={"image/png": "iVBOR"}) for _ in range(figures)]
    return cell


def _notebook():
    return new_notebook(
        cells=[
            new_markdown_cell("# Title\n\n" + "word " * 130),
            new_markdown_cell("## Build\n\n**Predict, then run.** What shape?\n\n<details>answer</details>"),
            _timed(
                "# Create the model: model\n### BEGIN SOLUTION\nmodel = 1\n### END SOLUTION", 9, figures=1
            ),
            new_markdown_cell(
                "**Your turn.** Change it. The words Predict, then run in a sentence do not count."
            ),
            new_markdown_cell("## Optional: more\n\nfour words of text"),
            _timed("x = 2", 30),
            new_markdown_cell(
                "## Check your understanding\n\n1. One?\n2. Two?\n\n<details>\n\n1. a\n</details>"
            ),
            new_markdown_cell("A core paragraph's aside", metadata={"tags": ["optional"]}),
        ]
    )


def test_sections_with_their_words_run_times_activities_and_figures():
    sections = {s.title: s for s in plan(_notebook())}
    assert list(sections) == [
        "Title",
        "Build",
        "Optional: more",
        "Check your understanding",
        "(optional cells of core sections)",
    ]
    title, build, more, quiz, aside = sections.values()
    assert title.words == 131 and title.reading_minutes == pytest.approx(131 / WORDS_PER_MINUTE)
    assert build.activities == {"Predict, then run": 1, "### BEGIN SOLUTION": 1, "Your turn": 1}
    assert build.run_seconds == pytest.approx(9.5) and build.figures == 1
    assert build.activity_minutes == pytest.approx(
        ACTIVITIES["Predict, then run"]
        + ACTIVITIES["### BEGIN SOLUTION"]
        + ACTIVITIES["Your turn"]
        + FIGURE_MINUTES
    )
    assert more.optional and more.run_seconds == pytest.approx(30.5) and not build.optional
    assert quiz.activities == {"quiz question": 2}
    assert aside.optional and aside.words == 4


def test_the_table_totals_the_core_path_and_the_optional_sections_apart():
    sections = plan(_notebook())
    lines = table(sections).splitlines()
    core = sum(s.minutes for s in sections if not s.optional)
    optional = sum(s.minutes for s in sections if s.optional)
    assert core == pytest.approx(1.0 + 10.8 + 3.1, abs=0.1) and optional == pytest.approx(0.6, abs=0.1)
    assert f"| **core path** | 159 | | | | **{math.ceil(core)}** |" in lines  # 131 + 21 + 7 words
    assert f"| **optional sections** | 10 | | | | **{math.ceil(optional)}** |" in lines
    build = "| Build | 21 | 0.2 | 0.2 | 10.5 (1 × Predict, then run, 1 × ### BEGIN SOLUTION, 1 × Your turn) |"
    assert any(line.startswith(build) for line in lines)


def test_cells_without_timing_count_zero_seconds():
    assert cell_seconds(new_code_cell("x = 1")) == 0.0


def test_command_line(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    result = subprocess.run(
        [sys.executable, "-m", "cnn_instructor.plan", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "| **core path** |" in result.stdout and "add --run" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "cnn_instructor.plan", str(tmp_path / "missing.ipynb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "no such notebook" in result.stderr
