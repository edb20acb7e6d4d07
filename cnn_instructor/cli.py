"""The command line the generators share: ``cnn-exercise`` and ``cnn-assignment`` each write one file
made from the solution notebook, or with ``--check`` say whether the file on disk is that file.

    cnn-exercise [SOLUTION] [-o OUTPUT] [--check]

``cnn-regenerate`` (``cnn_instructor.regenerate``) runs every generator at once, with
``write_or_check`` too.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat

#: The lesson, which is the exercise's solution, from the project's folder.
DEFAULT_SOLUTION = Path("notebooks") / "cnn_mnist.ipynb"


def write_or_check(path: Path, text: str, *, check: bool) -> bool:
    """Whether the file at ``path`` is stale (missing, or not ``text``); unless ``check``, write
    ``text`` there when it is (its folder made), and leave an up-to-date file untouched."""
    stale = not path.is_file() or path.read_text(encoding="utf-8") != text
    if stale and not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return stale


def generator_main(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    render: Callable[[Path], str],
    output: Callable[[Path], Path],
    output_help: str,
) -> int:
    """Run a generator's command: ``render(solution)`` written to ``-o`` or ``output(solution)``, or
    compared with it (``--check``: status 1 when stale). A missing solution is a usage error and a
    notebook ``render`` refuses is status 2, each with its message on stderr."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "solution",
        nargs="?",
        type=Path,
        help=f"the solution notebook (default: {DEFAULT_SOLUTION}, from the current folder)",
    )
    parser.add_argument("-o", "--output", type=Path, help=f"where to write it (default: {output_help})")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit with status 1 if the file on disk is not what the solution gives",
    )
    args = parser.parse_args(argv)
    solution = args.solution or DEFAULT_SOLUTION
    if not solution.is_file():
        hint = "" if args.solution else " (run this from the project's folder, or give the path)"
        parser.error(f"solution notebook not found: {str(solution)!r}{hint}")
    path = args.output or output(solution)
    try:
        text = render(solution)
    except (ValueError, nbformat.ValidationError) as err:  # a MarkerError, a notebook that is not JSON
        parser.exit(2, f"{prog}: error: {solution}: {err}\n")
    stale = write_or_check(path, text, check=args.check)
    if args.check:
        print(f"{path} is {f'out of date: run {prog}' if stale else 'up to date'}")
        return 1 if stale else 0
    print(f"wrote {path}" if stale else f"{path} is up to date")
    return 0
