"""Variants of the committed notebooks, checked by nbval against their stored outputs.

A variant keeps every stored output and changes how the notebook runs: other settings injected
after the cell tagged ``parameters`` (papermill's convention), every code cell run twice in a
row, or a deliberate bug. ``run_nbval`` then checks it exactly as ``python -m pytest`` checks the
committed notebook (same sanitizers and bands, from pyproject's nbval options) and reports which
cells passed.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ElementTree

import nbformat
from papermill.parameterize import parameterize_notebook
from paths import ROOT

IGNORE_OUTPUT = "nbval-ignore-output"  # nbval's tag: run the cell, do not compare its output


def read(path: Path) -> nbformat.NotebookNode:
    """The committed notebook at ``path`` (``paths.LESSON``, ``paths.EXPLORE``), outputs included."""
    return nbformat.read(path, as_version=4)


def with_parameters(notebook: nbformat.NotebookNode, **values: object) -> nbformat.NotebookNode:
    """``notebook`` with ``values`` injected after its ``parameters`` cell, as papermill does.

    The injected cell prints nothing, so nbval has nothing of it to compare.
    """
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "the notebook needs exactly one cell tagged parameters"
    copy = nbformat.from_dict(notebook)
    copy.metadata["papermill"] = {}  # where papermill records what it injected
    for cell in copy.cells:  # papermill looks for tags on every cell (its reader adds them)
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(copy, dict(values), kernel_name="python3")


def run_every_cell_twice(notebook: nbformat.NotebookNode, starting: str = "") -> nbformat.NotebookNode:
    """``notebook`` with each code cell (or each one whose source starts with ``starting``) run twice
    in a row: the first run's output is not compared, the second run's is compared with the stored
    output."""
    copy = nbformat.from_dict(notebook)
    cells = []
    for cell in copy.cells:
        if cell.cell_type == "code" and cell.source.startswith(starting):
            first = nbformat.from_dict(cell)
            if "id" in first:
                first["id"] = uuid.uuid4().hex[:8]  # an id of its own: cell ids must be unique
            first.metadata["tags"] = [*first.metadata.get("tags", []), IGNORE_OUTPUT]
            first.outputs = []
            cells.append(first)
        cells.append(cell)
    copy.cells = cells
    return copy


def replace_in_code(notebook: nbformat.NotebookNode, old: str, new: str) -> nbformat.NotebookNode:
    """``notebook`` with ``old`` replaced by ``new`` in the one code cell that contains it."""
    copy = nbformat.from_dict(notebook)
    (cell,) = [c for c in copy.cells if c.cell_type == "code" and old in c.source]
    cell.source = cell.source.replace(old, new)
    return copy


def execute(notebook: nbformat.NotebookNode, folder: Path, **parameters: object) -> nbformat.NotebookNode:
    """Run ``notebook`` once with papermill, ``parameters`` injected after its ``parameters`` cell,
    its kernel started in ``folder`` (a temporary folder); return the executed notebook.

    papermill raises ``PapermillExecutionError`` (naming the cell) at the first cell that fails.
    """
    import papermill

    source, executed = folder / "variant.ipynb", folder / "variant.executed.ipynb"
    nbformat.write(notebook, source)
    papermill.execute_notebook(
        source,
        executed,
        parameters=parameters,
        kernel_name="python3",
        cwd=str(folder),
        progress_bar=False,
        execution_timeout=900,
    )
    return nbformat.read(executed, as_version=4)


@dataclass
class NbvalRun:
    """What nbval said about each code cell of a variant: ``passed`` and ``failed`` list the cells
    by nbval's own numbering (code cells from 0) and the source's first line; ``output`` is pytest's."""

    passed: list[tuple[int, str]]
    failed: list[tuple[int, str]]
    output: str

    def failed_cells_containing(self, text: str) -> list[int]:
        """nbval numbers of the failed cells whose first line contains ``text``."""
        return [number for number, first_line in self.failed if text in first_line]


def run_nbval(
    notebook: nbformat.NotebookNode, folder: Path, *, stop_at_first_failure: bool = False
) -> NbvalRun:
    """Check ``notebook`` with nbval as the test suite checks the committed notebooks.

    The notebook is written to ``folder`` (a temporary folder, where its kernel starts); the
    environment is this one (``MNIST_NPZ`` included).
    """
    path = folder / "variant.ipynb"
    nbformat.write(notebook, path)
    report = folder / "report.xml"
    command = [sys.executable, "-m", "pytest", str(path), "-p", "no:cacheprovider", "-q"]
    command += ["--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), f"--junitxml={report}"]
    command += ["-x"] if stop_at_first_failure else []
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ))
    sources = [c.source.splitlines()[0] if c.source else "" for c in notebook.cells if c.cell_type == "code"]
    passed, failed = [], []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        number = int(case.get("name", "").rsplit("Cell ", 1)[-1])
        entry = (number, sources[number])
        (failed if case.find("failure") is not None or case.find("error") is not None else passed).append(
            entry
        )
    return NbvalRun(passed, failed, result.stdout + result.stderr)


def core_path(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` without its optional layer: the sections whose heading starts with "Optional"
    and the cells tagged ``optional``, as a class that skips them would run it."""
    from cnn_instructor.slides import section_headings

    copy = nbformat.from_dict(notebook)
    kept, optional = [], False
    for cell in copy.cells:
        headings = section_headings(cell.source) if cell.cell_type == "markdown" else []
        if headings:
            optional = headings[-1].lower().startswith("optional")
        if not optional and "optional" not in cell.metadata.get("tags", []):
            kept.append(cell)
    copy.cells = kept
    return copy
