"""benchmarks/grading.py's own logic: cell times from nbclient's timestamps, the report's figures,
and its arguments refused before any grading starts."""

from __future__ import annotations

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


def test_the_report_gives_the_rate_and_the_class():
    values = {
        "submissions": 3,
        "autograde_s": 81.0,
        "per_submission_s": 27.0,
        "class_of_30_min": 13.5,
        "longest_cell_s": [6.4, 6.3, 6.2],
        "cells_total_s": [23.0, 22.5, 23.5],
        "peak_rss_gib": 1.48,
        "full_marks": 3,
    }
    text = grading_bench.report(values, "1 core (0)", "a machine")
    assert "81.0 s, 27.0 s per submission" in text
    assert "a class of 30 at this rate: 13.5 minutes" in text
    assert "longest cell: 6.4 s, 6.3 s, 6.2 s" in text and "full marks: 3 of 3" in text


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
