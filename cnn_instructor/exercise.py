"""Write the student exercise from a solution notebook.

In the solution, the lines a student writes are named in the cell's metadata
(``solution_lines``) or, in a notebook for nbgrader, sit between two marker lines
(``cnn_instructor.notebook_text`` reads both the same way):

    # Comment lines right above the block say what to write, naming the variables it creates.
    ### BEGIN SOLUTION
    x_train = ...the answer...
    ### END SOLUTION

A block may also sit inside a call or a list, indented (the middle layers of a
``keras.Sequential([...])``, the ``loss=`` and ``metrics=`` of ``model.compile(...)``); its hint
lines are the comments just above it, at its indentation.

In the exercise, the comment lines become ``# TODO:`` hints (a comment line indented as
``#   ...`` continues the hint above it) and the block becomes its
skeleton: the same statements with the answer taken out, so that the student sees which
variables to create and which call to complete:

    x_train = <anything>                      ->  x_train = ...
    model = keras.Sequential([<layers>])      ->  model = keras.Sequential(
                                                      [
                                                          # your layers here
                                                      ]
                                                  )
    model.compile(loss=<a>, metrics=[<c>])    ->  model.compile(loss=..., metrics=[...])
        loss=<a>,        (inside a call)      ->      loss=...,
        keras.layers.Flatten(),  (in a list)  ->      (the hints only)

After each cell with a block (after its check cell), a folded markdown cell holds the block's
lines, for a student still stuck when the class moves on; a cell's ``todo_minutes`` metadata puts
the time to give the TODO on a line of its own above the hints. Outputs and execution counts are
cleared; everything else is kept as it is. A marker line that is not exactly one of the two
(``## BEGIN SOLUTION``, an indented marker, a nested or missing END) is an error naming the cell,
never something passed through (``notebook_text.split_marked`` reads the markers, for every tool).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path
import re
import sys

import nbformat

from .cli import generator_main
from .notebook_text import (
    BEGIN,
    END,
    SOLUTION_LINES,
    TODO_MINUTES,
    Marked,
    MarkerError,
    folded,
    marked_source,
    split_marked,
)

_MINUTES = re.compile(r"^\(about (\d+) minutes\)$")
_SKELETON_LIST = "# your layers here, one per line, separated by commas"


@dataclass(frozen=True)
class Block:
    """One solution block of a cell: its hint (comment) lines, its code, and the skeleton that replaces it."""

    hints: tuple[str, ...]
    code: str
    skeleton: str


def _call_skeleton(call: ast.Call, prefix: str) -> str:
    """Return ``prefix`` + the call with every argument's value replaced by ``...``.

    A list or tuple literal positional argument becomes an empty list with a comment inside;
    a list keyword argument becomes ``[...]``.
    """
    if any(isinstance(arg, (ast.List, ast.Tuple)) for arg in call.args):
        lines = [f"{prefix}{ast.unparse(call.func)}(", "    ["]
        lines.append(f"        {_SKELETON_LIST}")
        lines.append("    ]" + ("," if call.keywords else ""))
        lines += [f"    {_keyword_skeleton(kw)}," for kw in call.keywords]
        return "\n".join([*lines, ")"])
    arguments = ["..."] * len(call.args) + [_keyword_skeleton(kw) for kw in call.keywords]
    return f"{prefix}{ast.unparse(call.func)}({', '.join(arguments)})"


def _keyword_skeleton(keyword: ast.keyword) -> str:
    """``name=...``, or ``name=[...]`` where the answer is a list (e.g. ``metrics=["accuracy"]``)."""
    return f"{keyword.arg}=[...]" if isinstance(keyword.value, ast.List) else f"{keyword.arg}=..."


def skeleton(code: str) -> str:
    """Return the skeleton of a solution block's ``code``: each top-level statement, answer removed."""
    lines = []
    for statement in ast.parse(code).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = ast.unparse(statement.targets[0])
            value = statement.value
            if isinstance(value, ast.Call) and any(isinstance(a, (ast.List, ast.Tuple)) for a in value.args):
                lines.append(_call_skeleton(value, f"{target} = "))
            else:
                lines.append(f"{target} = ...")
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            lines.append(_call_skeleton(statement.value, ""))
    return "\n".join(lines)


def _created_names(code: str) -> list[str]:
    names = []
    for statement in ast.parse(code).body:
        if isinstance(statement, ast.Assign):
            names += [n.id for t in statement.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


def split_cell(source: str, cell: int) -> list[str | Block]:
    """Return a code cell's marked source as a list of plain lines and solution ``Block``s.

    ``cell`` is the cell's number (1-based), used in error messages; the markers are read by
    ``notebook_text.split_marked``.
    """
    where = f"cell {cell}"
    lines = source.split("\n")
    parts: list[str | Block] = []
    for part in split_marked(source, where):
        if isinstance(part, Marked):
            first, last = part.line, part.line + len(part.lines) - 1  # its first and last line, from 0
            inside = _enclosing(lines, first, last, where)
            parts.append(_block(parts, list(part.lines), f"{where}, line {part.line}", inside))
        else:
            parts.append(part)
    return parts


def _enclosing(lines: list[str], first: int, last: int, where: str) -> str:
    """What a block on ``lines[first:last + 1]`` sits in: ``"call"`` (keyword arguments), ``"list"``
    (items of a list or a tuple) or ``"statements"`` (a cell's, a loop's or a function's body), read
    from the innermost node of the parsed cell that spans it. A cell that is not valid Python is a
    MarkerError naming ``where``."""
    try:
        tree = ast.parse("\n".join(lines))  # the markers are comments: the cell parses as it is
    except SyntaxError as err:
        raise MarkerError(
            f"{where}: the cell is not valid Python (its markers read as comments): {err}"
        ) from err
    kinds = {ast.Call: "call", ast.List: "list", ast.Tuple: "list"}
    spans = [
        (node.end_lineno - node.lineno, kinds[type(node)])
        for node in ast.walk(tree)
        if type(node) in kinds and node.lineno - 1 < first and node.end_lineno - 1 > last
    ]
    return min(spans)[1] if spans else "statements"


def _block(parts: list[str | Block], body: list[str], where: str, inside: str = "statements") -> Block:
    """Take the comment lines just above the block out of ``parts`` as hints; return the Block.
    ``inside`` is what the block sits in (``_enclosing``)."""
    hints: list[str] = []
    while parts and isinstance(parts[-1], str) and parts[-1].lstrip().startswith("#"):
        hints.insert(0, parts.pop())
    code = "\n".join(body).strip("\n")
    if not hints:
        raise MarkerError(f"{where}: put a comment right above {BEGIN} saying what the student writes")
    indent = code[: len(code) - len(code.lstrip())]
    if inside != "statements":
        return Block(tuple(hints), code, _inner_skeleton(code, indent, where, inside))
    dedented = "\n".join(line.removeprefix(indent) for line in code.split("\n"))
    try:
        missing = [n for n in _created_names(dedented) if not re.search(rf"\b{n}\b", " ".join(hints))]
    except SyntaxError as err:
        raise MarkerError(f"{where}: the solution block is not valid Python on its own: {err}") from err
    if missing:
        raise MarkerError(f"{where}: the comment above the block should name what it creates: {missing}")
    shape = skeleton(dedented)
    return Block(tuple(hints), code, "\n".join(indent + line for line in shape.split("\n")) if shape else "")


def _inner_skeleton(code: str, indent: str, where: str, inside: str) -> str:
    """The skeleton of a block inside a call (its keyword arguments as ``name=...,``) or a list
    (nothing: the hints say what to write)."""
    dedented = "\n".join(line.removeprefix(indent) for line in code.split("\n"))
    wrapped = f"f(\n{dedented}\n)" if inside == "call" else f"[\n{dedented}\n]"
    try:
        node = ast.parse(wrapped, mode="eval").body
    except SyntaxError as err:
        raise MarkerError(f"{where}: the solution block is not valid inside its {inside}: {err}") from err
    if inside == "call" and (node.args or not node.keywords):
        raise MarkerError(f"{where}: a solution block inside a call should be keyword arguments (name=...)")
    if inside == "call":
        return "\n".join(f"{indent}{_keyword_skeleton(kw)}," for kw in node.keywords)
    return ""


def _todo(hint: str) -> str:
    """A hint line as the exercise shows it: ``# TODO: ...``, or indented under it if it continues
    one; at the hint's own indentation."""
    indent = hint[: len(hint) - len(hint.lstrip())]
    text = hint.strip().lstrip("#")
    if text.startswith("   "):  # a continuation line, indented in the solution
        return f"{indent}#       {text.strip()}"
    if timed := _MINUTES.match(text.strip()):  # the time to give it, from the cell's metadata
        return f"{indent}# Time for this TODO: about {timed[1]} minutes"
    return f"{indent}# TODO: {text.strip()}"


def folded_solution(blocks: list[Block]) -> str:
    """A markdown cell's text that folds away the lines of ``blocks``, for a student to paste."""
    code = "\n\n".join(block.code for block in blocks)
    place = "its lines with `...`" if all(b.skeleton for b in blocks) else "its TODO comment lines"
    return folded(
        "Still stuck when the class moves on? The lines to paste",
        f"Paste them into the TODO cell above in place of {place}, then run it and its check again."
        f"\n\n```python\n{code}\n```",
    )


def exercise_source(parts: list[str | Block]) -> str:
    """Join split parts back into a cell source with each block as TODO hints plus skeleton."""
    lines: list[str] = []
    for part in parts:
        if isinstance(part, Block):
            lines += [_todo(hint) for hint in part.hints]
            lines += part.skeleton.split("\n") if part.skeleton else []
        else:
            lines.append(part)
    return "\n".join(lines).strip("\n")


FOLDED_TAG = "solution-to-paste"  # the folded markdown cell after a TODO cell's check


def _with_minutes(parts: list[str | Block], minutes: object, where: str) -> list[str | Block]:
    """``parts`` with a hint line of its own, above the first block's, saying how long to give the TODO."""
    if minutes is None:
        return parts
    if type(minutes) is not int or minutes < 1:
        raise MarkerError(f"{where}: {TODO_MINUTES} should be a whole number of minutes, got {minutes!r}")
    found = next(((i, p) for i, p in enumerate(parts) if isinstance(p, Block)), None)
    if found is None:
        raise MarkerError(f"{where}: {TODO_MINUTES} on a cell with no lines for a student to write")
    i, block = found
    indent = block.hints[0][: len(block.hints[0]) - len(block.hints[0].lstrip())]
    timed = f"{indent}# (about {minutes} minutes)"
    return [*parts[:i], Block((timed, *block.hints), block.code, block.skeleton), *parts[i + 1 :]]


def solution_parts(cell: nbformat.NotebookNode, number: int) -> list[str | Block]:
    """``split_cell`` of a code cell whose blocks are marked in its text or named in its metadata,
    with a line saying how long to give the TODO when the cell's metadata says so."""
    parts = split_cell(marked_source(cell, f"cell {number}"), number)
    return _with_minutes(parts, cell.get("metadata", {}).get(TODO_MINUTES), f"cell {number}")


def marked_text(parts: list[str | Block]) -> str:
    """The cell source that ``split_cell`` reads back as ``parts``: each block's hints, then its
    code between nbgrader's markers."""
    lines: list[str] = []
    for part in parts:
        lines += [*part.hints, BEGIN, part.code, END] if isinstance(part, Block) else [part]
    return "\n".join(lines)


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the exercise notebook made from the solution notebook (which is left untouched)."""
    exercise = copy.deepcopy(solution)
    cells, blocks, folded = [], 0, None
    for number, cell in enumerate(exercise.cells, 1):
        cells.append(cell)
        if folded is not None and not (cell.cell_type == "code" and cell.source.startswith("check_")):
            cells.insert(-1, folded)  # no check cell after the TODO: right after the TODO
            folded = None
        elif folded is not None:
            cells.append(folded)  # after the check cell, where its message sends the student
            folded = None
        if cell.cell_type != "code":
            continue
        parts = solution_parts(cell, number)
        cell.metadata.pop(TODO_MINUTES, None)
        cell.metadata.pop(SOLUTION_LINES, None)
        found = [p for p in parts if isinstance(p, Block)]
        if found:
            blocks += 1
            cell.source = exercise_source(parts)
            try:
                ast.parse(cell.source)
            except SyntaxError as err:
                raise MarkerError(
                    f"cell {number}: the exercise's cell would not be valid Python: {err}"
                ) from err
            folded = nbformat.v4.new_markdown_cell(folded_solution(found))
            folded.id = f"{cell.id}-paste"[:64]
            folded.metadata["tags"] = [FOLDED_TAG]
        cell.outputs = []
        cell.execution_count = None
    if folded is not None:
        cells.append(folded)
    exercise.cells = cells
    if not blocks:
        raise MarkerError(
            f"no lines for a student to write (solution_lines, or {BEGIN}) in any code cell: "
            "nothing to turn into an exercise"
        )
    return exercise


def exercise_path(solution: Path) -> Path:
    """Where the exercise of ``solution`` goes by default: ``<name>_exercise.ipynb`` beside it."""
    return solution.with_name(f"{solution.stem}_exercise.ipynb")


def render_exercise(solution: Path) -> str:
    """Return the text of the exercise made from the ``solution`` notebook, as Jupyter writes it."""
    notebook = make_exercise(nbformat.read(solution, as_version=4))
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The ``cnn-exercise`` command; its exit status."""
    return generator_main(
        argv,
        prog="cnn-exercise",
        description="Write the student exercise from a solution notebook: the lines a student writes "
        f"(a cell's solution_lines, or {BEGIN} ... {END}) become TODO hints and a skeleton, with a "
        "folded answer after the check; outputs are cleared.",
        render=render_exercise,
        output=exercise_path,
        output_help="<solution>_exercise.ipynb",
    )


if __name__ == "__main__":
    sys.exit(main())
