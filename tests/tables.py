"""The Markdown tables of a benchmark's report, read by column, so that its tests check what a cell
says under its header rather than a whole row (a new column then breaks no test)."""

from __future__ import annotations

import re


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Each Markdown table in ``text``: its rows, each as {header: cell}, cells stripped (``\\|`` in a
    cell is a ``|``)."""
    tables, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
            continue
        if block:
            header, rule, *rows = block
            assert all(set(cell) <= set("-: ") for cell in rule), f"not a table's rule: {rule}"
            assert all(len(row) == len(header) for row in rows), f"rows of another width than {header}"
            tables.append([dict(zip(header, row, strict=True)) for row in rows])
            block = []
    return tables
