"""benchmarks/grading.py's own logic: cell times from nbclient's timestamps, the figures computed from
an autograde's time and the graded notebooks, the report, and its arguments refused before any grading
starts."""

from __future__ import annotations

import re

from cnn_instructor.assignment import TOTAL_POINTS
import nbformat
import pytest

from benchmarks import grading as grading_bench


def _cell(start: str | None, end: str | None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x = 1")
    if start and end:
        cell.metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
    return cell


def test_cell_seconds_reads_nbclients_timestamps():
    notebook = nbformat.v4.new_notebook(
        cells=[
            _cell("2026-12-04T10:00:00.000000Z", "2026-12-04T10:00:06.500000Z"),
            _cell(None, None),  # not run: no time
            nbformat.v4.new_markdown_cell("text"),
            _cell("2026-12-04T10:00:07Z", "2026-12-04T10:00:07.250Z"),
        ]
    )
    assert grading_bench.cell_seconds(notebook) == [6.5, 0.25]


def _graded(*cells: tuple[float, float]) -> nbformat.NotebookNode:
    """A graded notebook whose code cells ran from ``start`` to ``end`` seconds after 10:00."""

    def stamp(seconds: float) -> str:  # as nbclient writes it
        return f"2026-12-04T10:{int(seconds) // 60:02d}:{seconds % 60:09.6f}Z"

    return nbformat.v4.new_notebook(cells=[_cell(stamp(start), stamp(end)) for start, end in cells])


def test_the_figures_come_from_the_autograde_time_and_the_graded_notebooks():
    graded = [_graded((0, 6.4), (7, 20)), _graded((0, 2), (3, 9.5)), _graded((0, 30))]
    values = grading_bench.figures(81.0, graded, [TOTAL_POINTS, TOTAL_POINTS - 2, TOTAL_POINTS], 1.5)
    assert values["submissions"] == 3
    assert values["per_submission_s"] == pytest.approx(27.0)  # the autograde's time over the submissions
    assert values["class_of_30_min"] == pytest.approx(30 * 27.0 / 60)
    assert values["cells_total_s"] == pytest.approx([19.4, 8.5, 30.0])  # each notebook's cells summed
    assert values["longest_cell_s"] == pytest.approx([13.0, 6.5, 30.0])
    assert values["full_marks"] == 2  # the second lost points
    assert values["peak_rss_gib"] == 1.5


def test_the_figures_refuse_what_gives_no_rate():
    with pytest.raises(ValueError, match="graded: no notebooks"):
        grading_bench.figures(10.0, [], [], 1.0)
    with pytest.raises(ValueError, match="points: one per graded notebook, got 1 for 2"):
        grading_bench.figures(10.0, [_graded((0, 1)), _graded((0, 1))], [TOTAL_POINTS], 1.0)


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} is not in the report:\n{text}"
    return float(match.group(1))


def test_the_report_gives_each_figure_rounded():
    values = grading_bench.figures(
        80.0, [_graded((0, 6.44)), _graded((0, 7.06)), _graded((0, 9))], [0, 0, 0], 1.484
    )
    text = grading_bench.report(values, "1 core (0)", "a machine")
    assert text.splitlines()[0].startswith("Machine: a machine") and "1 core (0)" in text.splitlines()[0]
    assert _number(r"([\d.]+) s per submission", text) == 26.7  # 80 s over 3, to a tenth
    assert _number(r"class of 30\D*([\d.]+) minutes", text) == 13.3  # 30 × 26.67 s
    assert _number(r"peak memory\D*([\d.]+) GiB", text) == 1.48
    assert re.search(r"longest cell: 6.4 s, 7.1 s, 9.0 s$", text, re.MULTILINE)
    assert re.search(r"full marks: 0 of 3$", text, re.MULTILINE)
    assert "plain nbgrader" not in text  # no reference given


def test_the_report_gives_the_ratio_to_plain_nbgrader_timed_in_the_same_run():
    values = grading_bench.figures(90.0, [_graded((0, 6))] * 3, [TOTAL_POINTS] * 3, 1.5)
    reference = grading_bench.figures(60.0, [_graded((0, 6))] * 3, [TOTAL_POINTS] * 3, 1.5)
    text = grading_bench.report(values, "1 core (0)", "a machine", reference)
    assert _number(r"reference, same run\): ([\d.]+) s per submission", text) == 20.0
    assert _number(r"the sandbox and the judge: ([\d.]+) times", text) == 1.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--submissions", "0"], "--submissions must be 1 or more, got 0"),
        (["--cores", "99"], "--cores must be from 1"),
    ],
)
def test_bad_arguments_are_refused(args, message, capsys):
    with pytest.raises(SystemExit) as exited:
        grading_bench.main(args)
    assert exited.value.code == 2 and message in capsys.readouterr().err
