"""The docs' generated blocks: what README.md, CONTRIBUTING.md, docs/ and benchmarks/README.md show
of the project's own files, rendered from those files, so that the docs cannot drift from them.

A generated block sits between two markers, its kind and arguments in the first::

    <!-- KIND ARGUMENT ... -->
    (generated: never edit by hand)
    <!-- end -->

- ``cnn-plan NOTEBOOK``: the class plan of a notebook (``cnn_instructor.plan``: its table and the
  two-period split, as ``cnn-plan NOTEBOOK`` prints it);
- ``file PATH``: a file of the project, quoted whole in a fenced block;
- ``points``: the nbgrader assignment's points table, from ``cnn_instructor.assignment.PARTS``;
- ``figure NOTEBOOK NAME``: the notebook's stored figure of the cell tagged ``attach:NAME``, saved
  as ``docs/images/NAME`` and shown with the alt text the helpers wrote for it;
- ``nbgitpuller-link NOTEBOOK [HUB REPOSITORY]``: the link that hands NOTEBOOK out on a hub
  (``nbgitpuller_link``), with placeholders unless a hub and a repository are given;
- ``modules FOLDER``: each Python module of a folder with the first sentence of its docstring.

Blocks of kind ``commands NAME`` are written by hand: commands that the tests run or compare with
CI (``commands``). Nothing here renders them.

    python -m cnn_instructor.docs_blocks            # rewrite the stale blocks (from the project folder)
    python -m cnn_instructor.docs_blocks --check    # write nothing; exit 1 naming the stale files
"""

from __future__ import annotations

import argparse
import ast
import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
import inspect
import os
from pathlib import Path
import re
import sys
from urllib.parse import urlencode

import nbformat

from . import assignment, attachments, plan
from .cli import write_or_check
from .hidden_region import hidden_function
from .notebook_text import markdown_alt

#: The docs, as globs under the project's folder.
DOCUMENTS = ("*.md", "docs/**/*.md", "benchmarks/*.md")
IMAGES = Path("docs") / "images"
#: A block's first marker, alone on its line: ``<!-- KIND ARGUMENTS -->``; its last: ``<!-- end -->``.
OPENER = re.compile(r"<!-- (?P<kind>[a-z][\w-]*)(?P<arguments>(?: [^\s>]+)*) -->")
END = "<!-- end -->"
_FENCE = re.compile(r"^(`{3,}|~{3,})")
HAND_WRITTEN = "commands"
PLACEHOLDERS = ("https://<hub>", "https://github.com/<owner>/<repository>")
_FENCES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".cfg": "ini", ".txt": "text"}
_SENTENCE_END = re.compile(r"(?<=[\w)`'\"])\.\s+(?=[A-Z])")


class BlockError(ValueError):
    """A marked block the docs cannot render: an unknown kind, wrong arguments, a missing file."""


def nbgitpuller_link(hub: str, repository: str, notebook: str, branch: str = "main") -> str:
    """The link that copies ``repository`` (a git URL) into a student's server on ``hub`` with
    nbgitpuller, or merges it into the copy already there, and opens ``notebook`` (a path in the
    repository) in JupyterLab. The copy's folder is named after the repository, as nbgitpuller
    names it."""
    folder = repository.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = {"repo": repository, "branch": branch, "urlpath": f"lab/tree/{folder}/{notebook}"}
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query, safe='<>')}"


def first_sentence(docstring: str) -> str:
    """The first sentence of a docstring's first paragraph, on one line."""
    paragraph = re.split(r"\n\s*\n|\n\s*- ", docstring.strip(), maxsplit=1)[0]  # up to a list
    return _SENTENCE_END.split(" ".join(paragraph.split()), 1)[0].rstrip(".:") + "."


def _fenced(text: str, language: str) -> str:
    """``text`` in a fenced code block (of four backticks if it holds three)."""
    fence, body = "```" if "```" not in text else "````", text.rstrip("\n")
    return f"{fence}{language}\n{body}\n{fence}"


def _cell(text: str) -> str:
    """``text`` as a Markdown table cell: one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "&#124;")


def _render_plan(root: Path, notebook: str) -> str:
    return plan.plan_text(plan.plan(nbformat.read(root / notebook, as_version=4)))


def _render_file(root: Path, path: str) -> str:
    file = root / path
    if not file.is_file():
        raise BlockError(f"no such file: {path}")
    return _fenced(file.read_text(encoding="utf-8"), _FENCES.get(file.suffix, "text"))


def _render_points(root: Path) -> str:
    rows = [
        "| part | `grade_id` | the check the student saw | then hidden tests: what they check | points |",
        "|---:|---|---|---|---:|",
    ]
    for number, part in enumerate(assignment.PARTS, 1):
        hidden = _cell(ast.get_docstring(hidden_function(part)) or "")
        for name, value in part.settings.items():  # the grading settings, as the course sets them
            hidden = hidden.replace(f"the fraction ``{name}``", f"{value * 100:g} %")
            hidden = hidden.replace(f"``{name}``", f"{value:g}")
            if re.search(rf"\b{name}\b", hidden):
                raise BlockError(
                    f"part {part.grade_id!r}: its docstring names the setting {name!r} unlike ``{name}``"
                )
        if not hidden:
            raise BlockError(f"part {part.grade_id!r}: its hidden tests' function has no docstring")
        check = f"`{part.check.rstrip('(')}`" if part.check else "none"
        rows.append(f"| {number} | `{part.grade_id}` | {check} | {hidden} | {part.points} |")
    rows.append(f"| | | | **in all** | **{assignment.TOTAL_POINTS}** |")
    return "\n".join(rows)


def _render_nbgitpuller_link(root: Path, notebook: str, *where: str) -> str:
    if len(where) not in (0, 2):
        raise BlockError("nbgitpuller-link takes a notebook, then a hub and a repository, or neither")
    hub, repository = where or PLACEHOLDERS
    return _fenced(nbgitpuller_link(hub, repository, notebook), "text")


def _render_modules(root: Path, folder: str) -> str:
    if not (root / folder).is_dir():
        raise BlockError(f"no such folder: {folder}")
    rows = ["| module | what it is |", "|---|---|"]
    for path in sorted((root / folder).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        name = path.relative_to(root).as_posix()
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not docstring:
            raise BlockError(f"{name} has no docstring: the layout shows its first sentence")
        shown = name.removesuffix("__init__.py") if path.name == "__init__.py" else name
        rows.append(f"| `{shown}` | {_cell(first_sentence(docstring))} |")
    return "\n".join(rows)


def _figure(root: Path, notebook: str, name: str) -> tuple[str, bytes]:
    """The alt text and the PNG of a notebook's figure tagged ``attach:name``."""
    stored = nbformat.read(root / notebook, as_version=4)
    figures, alts = attachments.drawn_figures(stored), attachments.figure_alts(stored)
    if name not in figures or name not in alts:
        raise BlockError(f"{notebook} has no figure with alt text tagged {attachments.TAG_PREFIX}{name}")
    return alts[name], base64.b64decode(figures[name])


_RENDERERS: dict[str, Callable[..., str]] = {
    "cnn-plan": _render_plan,
    "file": _render_file,
    "points": _render_points,
    "nbgitpuller-link": _render_nbgitpuller_link,
    "modules": _render_modules,
}


def documents(root: Path) -> list[Path]:
    """The docs under ``root`` that may hold blocks."""
    return sorted({path for pattern in DOCUMENTS for path in root.glob(pattern) if path.is_file()})


def render(root: Path, doc: Path, kind: str, arguments: Sequence[str], images: dict[Path, bytes]) -> str:
    """The body of one block of ``doc``; a figure block also puts its PNG in ``images``."""
    if kind == "figure":
        if len(arguments) != 2:
            raise BlockError("figure takes a notebook and a figure's name")
        alt, png = _figure(root, *arguments)
        image = root / IMAGES / arguments[1]
        images[image] = png
        return f"![{markdown_alt(alt)}]({Path(os.path.relpath(image, doc.parent)).as_posix()})"
    if kind not in _RENDERERS:
        known = ", ".join(sorted([*_RENDERERS, "figure", HAND_WRITTEN]))
        raise BlockError(f"unknown kind of block {kind!r} (known: {known})")
    renderer = _RENDERERS[kind]
    try:
        inspect.signature(renderer).bind(root, *arguments)
    except TypeError:
        raise BlockError(f"{kind} {' '.join(arguments)}: wrong arguments") from None
    return renderer(root, *arguments)


@dataclass(frozen=True)
class Block:
    """One marked block of a doc: its kind, its arguments, its body (the lines between the markers)
    and the line of its first marker (counted from 1)."""

    kind: str
    arguments: tuple[str, ...]
    body: str
    line: int

    @property
    def opener(self) -> str:
        return f"<!-- {' '.join((self.kind, *self.arguments))} -->"


def parse(text: str, where: str = "the doc") -> list[str | Block]:
    """``text`` as its pieces, in order: runs of plain lines (str, each line with its newline) and
    marked blocks. Markers inside fenced code are text, not markers. A BlockError names ``where``
    and the line of a marker without its partner, or of a line that looks like a marker and is not."""
    pieces: list[str | Block] = []
    plain: list[str] = []
    lines = text.splitlines(keepends=True)
    fence, index = None, 0
    while index < len(lines):
        line, number = lines[index], index + 1
        stripped = line.rstrip("\n")
        index += 1
        if fence:  # inside fenced code: only its closing fence matters
            fence = None if stripped.startswith(fence) and not stripped.strip("`~") else fence
            plain.append(line)
            continue
        if match := _FENCE.match(stripped):
            fence = match[1]
            plain.append(line)
            continue
        if not stripped.startswith("<!--"):
            plain.append(line)
            continue
        if stripped == END:
            raise BlockError(f"{where}, line {number}: {END} without a block above it")
        opener = OPENER.fullmatch(stripped)
        if not opener:
            raise BlockError(f"{where}, line {number}: not a block's marker: {stripped!r}")
        body, inner_fence = [], None
        while index < len(lines):
            inner = lines[index].rstrip("\n")
            index += 1
            if inner_fence:
                inner_fence = None if inner.startswith(inner_fence) and not inner.strip("`~") else inner_fence
            elif match := _FENCE.match(inner):
                inner_fence = match[1]
            elif inner == END:
                break
            elif inner.startswith("<!--"):
                raise BlockError(f"{where}, line {number}: {stripped} has no {END} before line {index}")
            body.append(inner)
        else:
            raise BlockError(f"{where}, line {number}: {stripped} has no {END}")
        if plain:
            pieces.append("".join(plain))
            plain = []
        arguments = tuple(opener["arguments"].split())
        pieces.append(Block(opener["kind"], arguments, "\n".join(body), number))
        if index <= len(lines) and lines[index - 1].endswith("\n"):
            plain.append("\n")  # the end marker's newline
    if plain:
        pieces.append("".join(plain))
    return pieces


def _joined(pieces: Sequence[str | Block]) -> str:
    """The doc's text from its pieces (``parse``'s inverse)."""
    return "".join(
        piece
        if isinstance(piece, str)
        else f"{piece.opener}\n{piece.body}{chr(10) if piece.body else ''}{END}"
        for piece in pieces
    )


def update(root: Path, *, check: bool = False) -> list[Path]:
    """Render every generated block of the docs under ``root`` (and the images they show); write
    each file that differs, unless ``check``; return the files that differed."""
    stale: list[Path] = []
    images: dict[Path, bytes] = {}
    for doc in documents(root):
        where = doc.relative_to(root).as_posix()
        text = doc.read_text(encoding="utf-8")
        pieces = parse(text, where)
        for number, piece in enumerate(pieces):
            if isinstance(piece, str) or piece.kind == HAND_WRITTEN:
                continue
            try:
                body = render(root, doc, piece.kind, piece.arguments, images)
            except (ValueError, OSError, nbformat.ValidationError) as error:  # BlockError among them
                raise BlockError(f"{where}, line {piece.line}: {piece.opener}: {error}") from error
            pieces[number] = Block(piece.kind, piece.arguments, body, piece.line)
        if write_or_check(doc, _joined(pieces), check=check):
            stale.append(doc)
    for image, png in images.items():
        if not image.is_file() or image.read_bytes() != png:
            stale.append(image)
            if not check:
                image.parent.mkdir(parents=True, exist_ok=True)
                image.write_bytes(png)
    return stale


def blocks(text: str, kind: str) -> dict[str, str]:
    """The bodies of the blocks of one kind in a doc's ``text``, by their arguments."""
    return {" ".join(p.arguments): p.body for p in parse(text) if isinstance(p, Block) and p.kind == kind}


def commands(doc: Path, name: str) -> list[str]:
    """The command lines (blank lines left out) of the hand-written block ``<!-- commands name -->``
    of ``doc``: a fenced block of shell commands."""
    found = blocks(doc.read_text(encoding="utf-8"), HAND_WRITTEN)
    if name not in found:
        raise BlockError(f"{doc.name} has no <!-- {HAND_WRITTEN} {name} --> block")
    fenced = re.fullmatch(r"```\w*\n(.*?)\n?```", found[name].strip(), re.DOTALL)
    if not fenced:
        raise BlockError(f"{doc.name}: <!-- {HAND_WRITTEN} {name} --> holds no single fenced block")
    return [line for line in fenced[1].splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m cnn_instructor.docs_blocks``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cnn_instructor.docs_blocks",
        description="Rewrite the generated blocks of the docs (README.md, CONTRIBUTING.md, docs/, "
        "benchmarks/README.md) from the files they show.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit with status 1 if a block is stale"
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the project's folder (default: the current folder)"
    )
    args = parser.parse_args(argv)
    if not (args.root / "README.md").is_file():
        parser.error(f"no README.md in {args.root.resolve()}: run this from the project's folder")
    try:
        stale = update(args.root, check=args.check)
    except BlockError as error:
        print(f"docs_blocks: {error}", file=sys.stderr)
        return 2
    for path in stale:
        state = "is out of date: run python -m cnn_instructor.docs_blocks" if args.check else "updated"
        print(f"{path.as_posix()} {state}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
