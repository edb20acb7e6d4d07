"""nbgrader's autograde for this course: sandboxed, and judged outside the student's kernel (the
feedback's steps are in ``cnn_instructor.feedback``). ``course/nbgrader_config.py`` uses it::

    c.Autograde.autograde_preprocessors = autograde_preprocessors()

Autograde, for each submission:

1. ``GradingSettings``: the training cell (locked, restored by nbgrader) starts with the grading
   epochs, whatever the student's cells set ``EPOCHS`` to; the tamper report is updated.
2. ``SandboxedExecute``: nbgrader's ``Execute`` with every kernel in the sandbox
   (``cnn_instructor.sandbox``); a cell past the timeout is interrupted, named in the log, and the
   cells after it still run. Each graded cell's hidden region only saves the part's objects.
3. ``JudgeVerdicts``: a fresh process (``cnn_instructor.judge``, in the sandbox too) loads those
   objects and runs the hidden tests; its verdict is the graded cell's only error output, so the
   student's kernel cannot change a score. The kernel's own outputs stay, as text. Links, special
   files and trees too deep the submission left in its folder are removed first
   (``cnn_instructor.submission_folder``: nbgrader writes there next).

This module needs nbgrader (the ``grade`` extra), not TensorFlow.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
from time import monotonic
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

from .assignment import GRADING_EPOCHS, PARTS, TRAINING_ID
from .hidden_region import GRADED_ENV
from .sandbox import (
    GRADED_FOLDER,
    GradingSandbox,
    SandboxError,
    SandboxKernelManager,
    sandbox_command,
    sandbox_problem,
)
from .submission_folder import tidy
from .tamper import COPIED, findings
from .tamper_report import update_report

TAMPER_REPORT = "tamper_report.csv"  # in the course folder, beside nbgrader's grades.csv
GRADING_LINE = f"EPOCHS = {GRADING_EPOCHS}  # grading: the grading epochs, whatever EPOCHS was set to"


def _where(cell: NotebookNode, index: int) -> str:
    """A cell as the log names it: its number, nbgrader id and first line."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id", "?"))
    first = next((line for line in cell.source.split("\n") if line.strip()), "")
    return f"cell {index + 1} ({grade_id}: {first[:60]!r})"


class GradingSettings(NbGraderPreprocessor):
    """The grading epochs set at the top of the training cell; the submission's tamper findings
    written to ``tamper_report.csv`` in the course folder (and named in the log)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        """Set the epochs (in every training cell: a submission may have deleted it) and report tampering."""
        training = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == TRAINING_ID]
        if not training:
            self.log.warning("the submission has no training cell (%s): nothing trains it", TRAINING_ID)
        for cell in training:
            if not cell.source.startswith(GRADING_LINE):
                cell.source = f"{GRADING_LINE}\n{cell.source}"
        info = resources.get("nbgrader", {})
        student, assignment, notebook = (info.get(k, "?") for k in ("student", "assignment", "notebook"))
        root = Path(CourseDirectory(config=self.config).root)
        source = root / "source" / assignment / f"{notebook}.ipynb"
        found = findings(nb, course=nbformat.read(source, as_version=4) if source.is_file() else None)
        update_report(root / TAMPER_REPORT, assignment, student, notebook, found)
        copied = [f"cell {f.cell}" for f in found if f.what == COPIED]
        if copied:  # handed in from the course's own files (a link collected, say): no work to grade
            raise ValueError(f"{student}: not graded: {', '.join(copied)} {COPIED}")
        for finding in found:
            self.log.warning(
                "tamper report, %s: cell %d line %d %s", student, finding.cell, finding.line, finding.what
            )
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the grading sandbox (``SandboxKernelManager``), a cell
    past the timeout interrupted and named in the log, the whole notebook within
    ``submission_timeout``, and the judge's folder emptied first."""

    submission_timeout = Integer(
        900, help="Seconds for all the cells of one submission: a kernel that ignores interrupts stops here."
    ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        problem = sandbox_problem()
        self.sandboxed = problem is None
        if self.sandboxed:
            self.kernel_manager_class = SandboxKernelManager
        elif not GradingSandbox.instance(config=self.config).grade_without_sandbox:
            raise SandboxError(
                f"grading stopped: {problem}. Install bubblewrap and allow user namespaces, or grade "
                "without a sandbox by setting c.GradingSandbox.grade_without_sandbox = True in "
                "nbgrader_config.py (docs/grading.md says what a submission can then reach)"
            )
        else:
            self.log.warning("grading WITHOUT a sandbox (GradingSandbox.grade_without_sandbox): %s", problem)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km: Any = None) -> tuple:
        """Empty the judge's folder, then run the notebook (the unsandboxed kernel gets its path too)."""
        folder = Path(resources["metadata"]["path"]) / GRADED_FOLDER
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        if not self.sandboxed:
            os.environ[GRADED_ENV] = str(folder.resolve())
        self._deadline = monotonic() + self.submission_timeout
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            self._deadline = None

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        """The cell's timeout, or less: what is left of the submission's."""
        timeout = super()._get_timeout(cell)
        if getattr(self, "_deadline", None) is None:
            return timeout
        left = max(1, int(self._deadline - monotonic()))
        return left if timeout is None else min(timeout, left)

    async def _async_handle_timeout(self, timeout: int, cell: NotebookNode | None = None) -> Any:
        """Log which cell ran past the timeout, then interrupt it (grading goes on with the next)."""
        index = self.nb.cells.index(cell) if cell in self.nb.cells else -1
        where = _where(cell, index) if cell is not None else "a cell"
        self.log.error("%s ran past the timeout (%d s): interrupted; grading goes on", where, timeout)
        return await super()._async_handle_timeout(timeout, cell)


class JudgeVerdicts(NbGraderPreprocessor):
    """Each graded cell's result from ``cnn_instructor.judge``, run in a fresh (sandboxed) process."""

    judge_timeout = Integer(600, help="Seconds the judge may take for one submission.").tag(config=True)

    def _verdicts(self, folder: Path) -> dict[str, dict[str, str]]:
        """The judge's verdicts on the objects in ``folder``, by part (a folder the submission turned
        into a link, or removed, holds nothing)."""
        if folder.is_symlink() or not folder.is_dir():
            self.log.warning("%s is not the folder grading made: nothing in it is judged", folder)
            with tempfile.TemporaryDirectory(prefix="cnn-grading-empty-") as empty:
                return self._verdicts(Path(empty))
        # -P: not the working directory first on sys.path, where a submission could plant a module
        argv = [sys.executable, "-P", "-m", "cnn_instructor.judge", str(folder)]
        settings = GradingSandbox.instance(config=self.config)
        if sandbox_problem() is None:
            argv = sandbox_command(
                argv,
                workdir=folder,
                env=dict(os.environ),
                memory_bytes=settings.memory_bytes(),
                packages=("cnn_helpers", "cnn_instructor"),
                workdir_writable=False,
            )
        with tempfile.TemporaryDirectory(prefix="cnn-grading-judge-") as empty:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=self.judge_timeout, cwd=empty)
        if done.returncode:
            raise RuntimeError(f"the judge failed (status {done.returncode}): {done.stderr[-2000:]}")
        return {verdict["part"]: verdict for verdict in json.loads(done.stdout.strip().split("\n")[-1])}

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        """Replace each graded cell's outputs: the kernel's as text, then the judge's verdict."""
        submission = Path(resources["metadata"]["path"])
        for removed in tidy(submission):  # the kernel is gone: nothing can add one now
            self.log.warning("removed %s from %s: the submission left it", removed, submission)
        folder = submission / GRADED_FOLDER
        verdicts = self._verdicts(folder)
        if folder.is_symlink():
            folder.unlink()
        shutil.rmtree(folder, ignore_errors=True)
        parts = {part.grade_id for part in PARTS}
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if utils.is_grade(cell) and cell.cell_type == "code" and grade_id in parts:
                cell.outputs = _judged_outputs(cell.outputs, verdicts[grade_id])
        return nb, resources


def _judged_outputs(outputs: list[NotebookNode], verdict: dict[str, Any]) -> list[NotebookNode]:
    """The kernel's outputs made ungradable (text and displays only), then the verdict: nothing when
    it passed, else one error (the kernel's own, when its cell stopped before handing anything over)."""
    kept, errors = [], [o for o in outputs if o.output_type == "error"]
    for output in outputs:
        if output.output_type == "stream":
            kept.append(NotebookNode(output_type="stream", name="stdout", text=output.text))
        elif output.output_type in ("execute_result", "display_data"):
            kept.append(NotebookNode(output_type="display_data", data=output.data, metadata={}))
    if verdict["passed"]:
        return kept
    if verdict["missing"] and errors:  # the cell stopped: its own message says why
        error = errors[-1]
        return [
            *kept,
            NotebookNode(
                output_type="error", ename=error.ename, evalue=error.evalue, traceback=error.traceback
            ),
        ]
    lines = [*verdict["traceback"].rstrip("\n").split("\n"), f"{verdict['ename']}: {verdict['message']}"]
    return [
        *kept,
        NotebookNode(output_type="error", ename=verdict["ename"], evalue=verdict["message"], traceback=lines),
    ]


def autograde_preprocessors() -> list[type]:
    """nbgrader's autograde steps with ``SandboxedExecute`` for ``Execute``, ``GradingSettings``
    before it and ``JudgeVerdicts`` after it."""
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    if default.count(Execute) != 1:
        raise ValueError("Autograde.autograde_preprocessors of this nbgrader has no single Execute step")
    at = default.index(Execute)
    return [*default[:at], GradingSettings, SandboxedExecute, JudgeVerdicts, *default[at + 1 :]]
