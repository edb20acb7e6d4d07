"""Write the student exercise from the solution notebook.

    python -m cnn_helpers.exercise [SOLUTION] [EXERCISE]

Defaults: ``notebooks/cnn_mnist.ipynb`` -> ``notebooks/cnn_mnist_exercise.ipynb``.

In the solution, the code a student must write sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (nbgrader's markers, so nbgrader users can take the notebook as is).
The comment lines just above ``### BEGIN SOLUTION`` say what to write: in the exercise they
become ``# TODO:`` hints and the marked block disappears. All outputs and execution counts
are cleared; everything else is kept as it is.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
import sys
from typing import Any

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "notebooks" / "cnn_mnist.ipynb"
EXERCISE = ROOT / "notebooks" / "cnn_mnist_exercise.ipynb"


def strip_solution(source: str) -> str:
    """Return a code cell's source with each marked block replaced by ``# TODO:`` hints."""
    lines = source.split("\n")
    out: list[str] = []
    inside = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"line {number}: {BEGIN} inside another solution block")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            hints = []
            while out and out[-1].strip().startswith("#") and not out[-1].strip().startswith("# TODO"):
                hints.insert(0, out.pop().strip().lstrip("#").strip())
            out.extend(f"{indent}# TODO: {hint}" for hint in (hints or ["write the code for this step"]))
        elif stripped == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out).strip("\n")


def make_exercise(solution: dict[str, Any]) -> dict[str, Any]:
    """Return the exercise notebook (a dict in nbformat 4) made from the solution's."""
    exercise = copy.deepcopy(solution)
    for cell in exercise["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if BEGIN in source:
            source = strip_solution(source)
        cell["source"] = source.splitlines(keepends=True)
        cell["outputs"] = []
        cell["execution_count"] = None
    return exercise


def write_exercise(solution: Path = SOLUTION, exercise: Path = EXERCISE) -> Path:
    """Write the exercise next to the solution, formatted as Jupyter writes notebooks."""
    notebook = make_exercise(json.loads(Path(solution).read_text(encoding="utf-8")))
    Path(exercise).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return Path(exercise)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 2 or any(a in ("-h", "--help") for a in args):
        print(__doc__)
        raise SystemExit(0 if args and args[0] in ("-h", "--help") else 2)
    paths = [Path(a) for a in args] + [SOLUTION, EXERCISE][len(args) :]
    print(f"wrote {write_exercise(*paths)}")


if __name__ == "__main__":
    main()
