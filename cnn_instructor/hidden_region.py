"""The hidden region of a graded cell, rendered from ``cnn_instructor/hidden_tests.py`` (read as text,
never imported: it imports TensorFlow).

The region runs no test in the student's kernel, which a submission can talk into passing one
(patched numpy, a redefined check, a model whose ``predict`` answers from the labels). While
autograde runs, it saves the part's objects into the folder ``CNN_MNIST_GRADED`` names, as
``graded_files`` says; ``cnn_instructor.judge`` then runs the part's function on them in a fresh
process. Elsewhere (a student's ``nbgrader validate``, the source notebook run as is) it does nothing.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .assignment import Part

HIDDEN_TESTS = "hidden_tests.py"  # in this package: the hidden tests, one function per part
GRADED_ENV = "CNN_MNIST_GRADED"  # the folder a graded cell saves into, set while autograde runs


class AssignmentError(ValueError):
    """The solution notebook lacks a cell the assignment is built around, or has it twice; or a
    part's hidden test does not fit its part."""


@cache
def _hidden_tests() -> tuple[str, dict[str, ast.FunctionDef]]:
    """The text of ``cnn_instructor/hidden_tests.py`` and its functions by name, read without
    importing it (it imports TensorFlow)."""
    text = (files(__package__) / HIDDEN_TESTS).read_text(encoding="utf-8")
    functions = {node.name: node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}
    return text, functions


def hidden_function(part: Part) -> ast.FunctionDef:
    """The syntax tree of ``part``'s function in ``hidden_tests.py``. An AssignmentError when the
    function is missing, or takes what the judge cannot give it: its positional arguments are the
    notebook's variables of the same names, its keyword-only ones ``part.settings``."""
    _text, functions = _hidden_tests()
    node = functions.get(part.test)
    if node is None:
        raise AssignmentError(f"{part.grade_id}: {HIDDEN_TESTS} has no function {part.test}")
    arguments = node.args
    if node.decorator_list or arguments.posonlyargs or arguments.vararg or arguments.kwarg:
        raise AssignmentError(
            f"{part.grade_id}: {part.test} should take plain arguments and have no decorator"
        )
    keywords = [a.arg for a in arguments.kwonlyargs]
    if arguments.defaults or any(arguments.kw_defaults) or sorted(keywords) != sorted(part.settings):
        raise AssignmentError(
            f"{part.grade_id}: {part.test}'s keyword-only arguments {keywords} should be the part's "
            f"settings {sorted(part.settings)}, without defaults"
        )
    return node


def graded_files(part: Part) -> dict[str, str]:
    """The files a graded cell saves for the judge, by argument of the part's hidden test: one
    ``<part>.npz`` for the arrays, ``<part>.<argument>.keras`` for each model (annotated
    ``keras.Model``)."""
    return {
        a.arg: f"{part.grade_id}.{a.arg}.keras"
        if a.annotation is not None and ast.unparse(a.annotation) == "keras.Model"
        else f"{part.grade_id}.npz"
        for a in hidden_function(part).args.args
    }


def hidden_source(part: Part) -> str:
    """The hidden region of ``part``'s graded cell: while autograde runs (the sandbox sets
    ``CNN_MNIST_GRADED``), the notebook's variables named like the arguments of its hidden test are
    saved there (``graded_files``) for the judge; elsewhere it does nothing."""
    files = graded_files(part)
    arrays = [name for name, file in files.items() if file.endswith(".npz")]
    lines = [
        f"# Graded outside this kernel: cnn_instructor.judge runs {part.test} on what is saved here.",
        "import os as _os",
        "",
        f'if _os.environ.get("{GRADED_ENV}"):',
    ]
    if arrays:
        saved = ", ".join(f"{name}={name}" for name in arrays)
        lines += [
            "    import numpy as _numpy",
            "",
            f'    _numpy.savez(_os.path.join(_os.environ["{GRADED_ENV}"], "{files[arrays[0]]}"), {saved})',
        ]
    for name, file in files.items():
        if file.endswith(".keras"):
            lines.append(f'    {name}.save(_os.path.join(_os.environ["{GRADED_ENV}"], "{file}"))')
    return "\n".join(lines)
