"""The tamper report: ``tamper_report.csv`` in the course folder, beside nbgrader's grades, one row per
line of a submission that ``cnn_instructor.tamper.findings`` names, for the instructor to read."""

from __future__ import annotations

import csv
import os
from pathlib import Path
import stat
import tempfile

from .tamper import Finding

COLUMNS = ("assignment", "student", "notebook", "cell", "line", "finding", "code")


def _strings(**values: object) -> None:
    """None; a TypeError or a ValueError naming the first of ``values`` that is not a non-empty str."""
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            kind = ValueError if isinstance(value, str) else TypeError
            raise kind(f"{name} must be a non-empty str, not {value!r}")


def report_rows(student: str, notebook_name: str, found: list[Finding]) -> list[dict[str, str]]:
    """The CSV rows of one student's notebook, one per finding, every column but ``assignment``
    (a code line starting with =, +, - or @ gets a ' first: a spreadsheet would run it)."""
    _strings(student=student, notebook_name=notebook_name)
    if not isinstance(found, list) or not all(isinstance(f, Finding) for f in found):
        raise TypeError(f"found must be a list of Finding, not {type(found).__name__}")
    return [
        {"student": student, "notebook": notebook_name, "cell": str(f.cell), "line": str(f.line)}
        | {"finding": f.what, "code": "'" * (f.code[:1] in ("=", "+", "-", "@")) + f.code}
        for f in found
    ]


def update_report(
    path: Path, assignment: str, student: str, notebook_name: str, found: list[Finding]
) -> None:
    """Replace the rows of (assignment, student, notebook_name) in the CSV at ``path`` by ``found``'s,
    keep the others, sorted; create the file, with its header, if there is none. Returns None."""
    if not isinstance(path, Path):
        raise TypeError(f"path must be a pathlib.Path, not {type(path).__name__}")
    _strings(assignment=assignment)
    rows = [{"assignment": assignment} | row for row in report_rows(student, notebook_name, found)]
    if path.exists():
        with path.open(newline="", encoding="utf-8") as file:
            reader = csv.DictReader(file)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise ValueError(f"path {path} is not a tamper report: its columns are not {COLUMNS}")
            rows += [r for r in reader if [r[k] for k in COLUMNS[:3]] != [assignment, student, notebook_name]]
    rows.sort(key=lambda r: [int(r[k]) if r[k].isdigit() else 0 for k in ("cell", "line")])
    rows.sort(key=lambda r: [r[k] for k in COLUMNS[:3]])  # stable: cells and lines stay in order
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
