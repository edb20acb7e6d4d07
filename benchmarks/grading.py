"""Grading time: how long nbgrader takes to autograde one submission of the assignment, and so a class.

    python -m benchmarks.grading                       # 3 submissions on one core (about 5 minutes)
    python -m benchmarks.grading --submissions 5 --cores 2

In a temporary copy of the committed course (``course/``): ``nbgrader generate_assignment``, then
N submissions filled in with the solution's code (``testbed.nbgrading`` makes them as the grading
tests do), then one ``nbgrader autograde`` of all of them, timed from start to exit. nbgrader grades
one submission after the other, each in a fresh kernel that trains one epoch (the assignment sets
``EPOCHS = 1`` while ``NBGRADER_EXECUTION`` is set). With ``--cores 1`` this process, nbgrader and
every kernel are pinned to the first core (``os.sched_setaffinity``, inherited by child processes),
as on a hub that gives grading one core.

The reference, timed in the same run before it: the same submissions graded by plain nbgrader (its
own autograde steps: no sandbox, no judge, the hidden regions saving nothing), so that the ratio
says what the course's sandbox and judge cost.

Reported: seconds per submission (the autograde's time over N), its ratio to the reference, the
longest cell and the sum of the cells of each graded notebook (from the execution timestamps nbgrader
keeps), the largest process's peak memory (the kernels are nbgrader's children), the minutes a
class of 30 takes at that rate, and whether every submission got full marks (the benchmark fails if
one did not). Results are also written as JSON (``benchmarks/results/grading.json``).
"""

from __future__ import annotations

import argparse
from datetime import datetime
import json
import os
from pathlib import Path
import resource
import sys
import tempfile
import time

from cnn_instructor.assignment import ASSIGNMENT, TOTAL_POINTS, assignment_path
import nbformat

from benchmarks import ROOT
from benchmarks.bench import machine_description, max_rss_gib
from testbed import nbgrading

CLASS_SIZE = 30


def cell_seconds(notebook: nbformat.NotebookNode) -> list[float]:
    """Each executed code cell's time, from the timestamps nbclient records in its metadata."""
    seconds = []
    for cell in notebook.cells:
        execution = cell.metadata.get("execution", {})
        if "iopub.execute_input" in execution and "shell.execute_reply" in execution:
            start, end = (
                datetime.fromisoformat(execution[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            seconds.append((end - start).total_seconds())
    return seconds


PLAIN_NBGRADER = """
# benchmarks.grading's reference: nbgrader's own autograde steps (no sandbox, no judge)
from nbgrader.converters import Autograde

c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
"""


def measure(submissions: int, folder: Path, *, plain: bool = False) -> dict:
    """Generate the assignment in a course in ``folder``, hand in ``submissions`` solved notebooks,
    autograde them in one call; the figures of the module's docstring. ``plain``: with nbgrader's own
    autograde steps instead of the course's."""
    course = nbgrading.new_course(folder / "course")
    if plain:
        with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(PLAIN_NBGRADER)
    result = nbgrading.nbgrader(course, "generate_assignment", ASSIGNMENT, timeout=300)
    if result.returncode:
        raise RuntimeError(f"generate_assignment failed:\n{result.stderr}")
    release = nbformat.read(nbgrading.release_path(course), as_version=4)
    source = nbformat.read(assignment_path(course), as_version=4)
    students = [f"student_{n:02d}" for n in range(1, submissions + 1)]
    for student in students:
        nbgrading.submit(course, student, nbgrading.solved(release, source))
    start = time.perf_counter()
    result = nbgrading.nbgrader(course, "autograde", ASSIGNMENT)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"autograde failed:\n{result.stderr[-3000:]}")
    scores = nbgrading.scores(course)
    graded = [course / "autograded" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb" for s in students]
    return figures(
        seconds,
        [nbformat.read(path, as_version=4) for path in graded],
        [sum(scores.get(s, {}).values()) for s in students],
        max_rss_gib(resource.getrusage(resource.RUSAGE_CHILDREN)),
    )


def figures(
    autograde_s: float, graded: list[nbformat.NotebookNode], points: list[float], peak_rss_gib: float
) -> dict:
    """The module docstring's figures from one autograde: its seconds, the graded notebooks, each
    submission's points and the largest process's peak memory."""
    if not graded:
        raise ValueError("graded: no notebooks, so no rate")
    if len(points) != len(graded):
        raise ValueError(f"points: one per graded notebook, got {len(points)} for {len(graded)}")
    cells = [cell_seconds(notebook) for notebook in graded]
    per_submission = autograde_s / len(graded)
    return {
        "submissions": len(graded),
        "autograde_s": autograde_s,
        "per_submission_s": per_submission,
        "class_of_30_min": CLASS_SIZE * per_submission / 60,
        "longest_cell_s": [max(c) for c in cells],
        "cells_total_s": [sum(c) for c in cells],
        "peak_rss_gib": peak_rss_gib,
        "full_marks": sum(p == TOTAL_POINTS for p in points),
    }


def report(values: dict, cores: str, machine: str, reference: dict | None = None) -> str:
    """The figures of ``figures`` in lines of text, with the machine and the cores graded on, and
    the ratio to plain nbgrader's figures (``reference``) when given."""
    against = []
    if reference:
        ratio = values["per_submission_s"] / reference["per_submission_s"]
        against = [
            f"plain nbgrader (the reference, same run): {reference['per_submission_s']:.1f} s per "
            f"submission; the sandbox and the judge: {ratio:.2f} times that"
        ]
    return "\n".join(
        [
            f"Machine: {machine}; grading on {cores}",
            f"autograde of {values['submissions']} submissions: {values['autograde_s']:.1f} s, "
            f"{values['per_submission_s']:.1f} s per submission",
            *against,
            "notebook cells per submission: "
            + ", ".join(f"{t:.1f} s" for t in values["cells_total_s"])
            + "; longest cell: "
            + ", ".join(f"{t:.1f} s" for t in values["longest_cell_s"]),
            f"largest process's peak memory: {values['peak_rss_gib']:.2f} GiB",
            f"a class of {CLASS_SIZE} at this rate: {values['class_of_30_min']:.1f} minutes",
            f"full marks: {values['full_marks']} of {values['submissions']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=3, help="how many to grade (default 3)")
    parser.add_argument("--cores", type=int, default=1, help="cores to grade on, from the first (default 1)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "grading.json")
    args = parser.parse_args(argv)
    if args.submissions < 1:
        parser.error(f"--submissions must be 1 or more, got {args.submissions}")
    available = sorted(os.sched_getaffinity(0))
    if not 1 <= args.cores <= len(available):
        parser.error(f"--cores must be from 1 to {len(available)}, got {args.cores}")
    if not os.environ.get("MNIST_NPZ"):
        print(
            "note: MNIST_NPZ is not set; grading kernels will download MNIST through Keras", file=sys.stderr
        )
    os.sched_setaffinity(0, set(available[: args.cores]))  # nbgrader and its kernels inherit it
    cores = (
        f"{args.cores} core{'s' if args.cores > 1 else ''} ({', '.join(map(str, available[: args.cores]))})"
    )
    with tempfile.TemporaryDirectory(prefix="grading-") as folder:
        reference = measure(args.submissions, Path(folder) / "plain", plain=True)
        values = measure(args.submissions, Path(folder) / "course")
    machine = machine_description()
    print(report(values, cores, machine, reference))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {"machine": machine, "cores": cores, **values, "plain_nbgrader": reference}
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if values["full_marks"] == values["submissions"] else 1


if __name__ == "__main__":
    sys.exit(main())
