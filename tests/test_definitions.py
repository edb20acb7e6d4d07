"""Every word a first lesson must explain is defined, in bold and in the core path, before any
markdown uses it: plurals and other spellings count, and so do folded answers; code, inline code
and the alt text of images do not."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook
from paths import LESSON
import pytest

#: Each term with the spellings that count as a use of it.
TERMS = {
    "parameter": r"parameters?",
    "batch": r"batch(?:es)?",
    "ReLU": r"relus?",
    "validation": r"validation",
    "neuron (unit)": r"neurons?|units?",
    "dense layer": r"dense layers?",
    "activation": r"activations?",
    "softmax": r"softmax(?:es)?",
    "cross-entropy": r"cross[- ]?entrop(?:y|ies)",
    "gradient descent": r"gradient[- ]descent",
    "overfitting": r"over[- ]?fit(?:s|ted|ting)?",
}

_FENCE = re.compile(r"```.*?```", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_HEADING = re.compile(r"^#{1,2} (.+)$", re.M)


def _prose(markdown: str) -> str:
    """The words a reader reads: no code blocks, code spans or alt text (answers stay)."""
    for pattern in (_FENCE, _CODE_SPAN, _IMAGE):
        markdown = pattern.sub(lambda m: " " * len(m.group()), markdown)
    return markdown


def definition_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """What is wrong with how ``notebook`` introduces the terms: one sentence per term."""
    first: dict[str, tuple[bool, bool, str]] = {}  # term -> (in bold, in the core, the text)
    optional = False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        text = _prose(cell.source)
        headings = _HEADING.findall(cell.source)
        if headings:
            optional = headings[-1].lower().startswith("optional")
        core = not optional and "optional" not in cell.metadata.get("tags", [])
        bold = [m.span(1) for m in _BOLD.finditer(text)]
        for term, spelling in TERMS.items():
            found = re.search(rf"(?<![\w-])(?:{spelling})(?![\w-])", text, re.I)
            if term not in first and found:
                inside = any(a <= found.start() and found.end() <= b for a, b in bold)
                line = text[max(0, found.start() - 40) : found.end() + 20].replace("\n", " ")
                first[term] = (inside, core, line)
    problems = []
    for term in TERMS:
        if term not in first:
            problems.append(f"{term!r} is never defined")
            continue
        inside, core, line = first[term]
        if not inside:
            problems.append(f"{term!r} is used before its definition in bold: ...{line}...")
        elif not core:
            problems.append(f"{term!r} is defined in an optional part: ...{line}...")
    return problems


def test_every_term_is_defined_in_the_core_before_its_first_use():
    assert definition_problems(nbformat.read(LESSON, as_version=4)) == []


def _with(*sources: str, tags=None):
    cells = [new_markdown_cell(s) for s in sources]
    if tags:
        cells[-1].metadata["tags"] = tags
    return new_notebook(cells=cells)


def _defining_all() -> str:
    return " ".join(f"A **{term.split(' (')[0]}** is a thing." for term in TERMS) + " **neuron**"


@pytest.mark.parametrize(
    ("sources", "says"),
    [
        (("Training uses batches of images.", _defining_all()), "'batch' is used before its definition"),
        (("Do not over-fit.", _defining_all()), "'overfitting' is used before"),
        (("<details>The **answer** uses ReLUs.</details>", _defining_all()), "'ReLU' is used before"),
        (("## Optional: more\n\n" + _defining_all(),), "'parameter' is defined in an optional part"),
        (("A first paragraph.",), "'softmax' is never defined"),
    ],
)
def test_a_term_used_too_early_is_found(sources, says):
    assert any(says in p for p in definition_problems(_with(*sources))), definition_problems(_with(*sources))


def test_code_and_alt_text_do_not_count_as_uses():
    early = "`keras.layers.Dense(10, activation='softmax')` ![a dense layer with softmax](x.png)"
    assert definition_problems(_with(early, _defining_all())) == []
    assert definition_problems(_with("```python\nbatch = 1\n```", _defining_all())) == []
