"""Copy a figure that a code cell draws into the markdown cells that show it as an attachment.

A lesson can show a picture before the code that draws it runs, e.g. the architecture in the
introduction: the markdown cell says ``![...](attachment:architecture.png)`` and the code cell
that draws it later carries the tag ``attach:architecture.png``. After the notebook is
re-executed, run

    python -m cnn_instructor.attachments notebooks/cnn_mnist.ipynb

to copy that cell's stored PNG into every markdown cell that refers to it, and the figure's alt
text (its output's ``metadata["image/png"]["alt"]``, which the helpers generate from the data
they draw) into the markdown image's alt text: ``![<the figure's alt text>](attachment:<name>)``.
``--check`` only reports, with exit status 1, whether an attachment or its alt text is missing or
out of date.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import re
import sys

import nbformat

from .notebook_text import markdown_alt

TAG_PREFIX = "attach:"


def drawn_figures(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Return ``{attachment name: base64 PNG}`` from the code cells tagged ``attach:<name>``."""
    figures: dict[str, str] = {}
    for number, cell in enumerate(notebook.cells, 1):
        for tag in cell.get("metadata", {}).get("tags", []):
            if not tag.startswith(TAG_PREFIX):
                continue
            pngs = [o.data["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if len(pngs) != 1:
                raise ValueError(
                    f"cell {number} is tagged {tag!r} but has {len(pngs)} stored PNG figures, not 1"
                )
            figures[tag[len(TAG_PREFIX) :]] = pngs[0]
    return figures


def figure_alts(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Return ``{attachment name: alt text}`` of the tagged figures whose output carries alt text."""
    alts: dict[str, str] = {}
    for cell in notebook.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith(TAG_PREFIX):
                for output in cell.get("outputs", []):
                    alt = output.get("metadata", {}).get("image/png", {}).get("alt")
                    if alt and "image/png" in output.get("data", {}):
                        alts[tag[len(TAG_PREFIX) :]] = alt
    return alts


def _sync_alt(cell: nbformat.NotebookNode, name: str, alt: str) -> bool:
    """Give every ``![...](attachment:name)`` of ``cell`` the alt text ``alt``; return whether it changed."""
    pattern = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\(attachment:" + re.escape(name) + r"\)")
    source = pattern.sub(lambda _: f"![{markdown_alt(alt)}](attachment:{name})", cell.source)
    changed, cell.source = source != cell.source, source
    return changed


def sync_attachments(notebook: nbformat.NotebookNode) -> list[str]:
    """Copy each tagged figure, and its alt text, into the markdown cells that refer to it; return
    what changed."""
    figures, alts = drawn_figures(notebook), figure_alts(notebook)
    changed = []
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "markdown":
            continue
        for name, png in figures.items():
            if f"attachment:{name}" not in cell.source:
                continue
            attachments = cell.setdefault("attachments", {})
            if attachments.get(name, {}).get("image/png") != png:
                attachments[name] = {"image/png": png}
                changed.append(f"cell {number}: {name}")
            if name in alts and _sync_alt(cell, name, alts[name]):
                changed.append(f"cell {number}: the alt text of {name}")
    return changed


def main(argv: list[str] | None = None) -> int:
    """The ``python -m cnn_instructor.attachments`` command."""
    parser = argparse.ArgumentParser(
        prog="python -m cnn_instructor.attachments",
        description="Copy the figures of cells tagged attach:<name> into the markdown cells that show "
        "attachment:<name>.",
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if an attachment is stale"
    )
    args = parser.parse_args(argv)
    stale = False
    for path in args.notebooks:
        notebook = nbformat.read(path, as_version=4)
        changed = sync_attachments(notebook)
        for change in changed:
            print(f"{path}: {change} {'is out of date' if args.check else 'updated'}")
        stale |= bool(changed)
        if changed and not args.check:
            nbformat.write(notebook, path)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
