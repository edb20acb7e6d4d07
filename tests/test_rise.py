"""RISE (jupyterlab-rise) presents the lesson offline in a real JupyterLab.

JupyterLab runs on loopback, headless Chromium has every other request refused. The
instructor's toolbar button opens the lesson as a reveal.js slideshow: its first slide must show
the rendered heading of the notebook's first cell, and every markdown cell must be rendered
inside the slides (jupyterlab-contrib/rise#137: blank markdown cells). Then the slide with the
first code cell is reached with Space and its cells are run with Shift+Enter, as in class.
"""

from __future__ import annotations

import re

from browser import offline_page, open_notebook
import nbformat
from paths import LESSON
from playwright.sync_api import expect
import pytest

from testbed.labserver import jupyterlab_server

pytestmark = pytest.mark.slow  # JupyterLab and a browser


# What the slideshow may ask the network for, and is refused: reveal.js's "simple" theme (RISE's
# default) @imports its two fonts from Google Fonts. Offline the slides use fallback fonts; all
# else is served by JupyterLab (reveal.js itself is in the jupyterlab-rise wheel).
THEME_FONTS = {
    "https://fonts.googleapis.com/css?family=News+Cycle:400,700",
    "https://fonts.googleapis.com/css?family=Lato:400,700,400italic,700italic",
}
RENDER_BUTTON = re.compile(r"^Render the current notebook as Reveal Slideshow")  # its tooltip
ERROR = re.compile(r"Traceback|\b\w+Error\b")


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _first_code_slide(nb) -> range:
    """The indices of the cells on the (sub)slide that holds the notebook's first code cell."""
    first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    starts = [i for i, cell in enumerate(nb.cells) if _slide_type(cell) in ("slide", "subslide")]
    start = max((i for i in starts if i <= first_code), default=0)
    end = min((i for i in starts if i > first_code), default=len(nb.cells))
    return range(start, end)


def test_rise_slideshow_renders_markdown_and_runs_a_cell(tmp_path):
    nb = nbformat.read(LESSON, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and _slide_type(first) == "slide", "the deck starts with a slide"
    title = first.source.splitlines()[0].removeprefix("# ").strip()
    assert first.source.startswith("# ") and title, "the first cell starts with the lesson's title"
    shown_markdown = [
        c for c in nb.cells if c.cell_type == "markdown" and _slide_type(c) not in ("skip", "notes")
    ]
    slide = _first_code_slide(nb)
    code_on_slide = [i for i in slide if nb.cells[i].cell_type == "code"]
    printed = {i: any(o.get("output_type") == "stream" for o in nb.cells[i].outputs) for i in code_on_slide}
    for i in code_on_slide:  # a copy without outputs: whatever appears comes from the run below
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    nbformat.write(nb, tmp_path / LESSON.name)

    with (
        jupyterlab_server([tmp_path / LESSON.name]) as server,
        offline_page(allowed_origin=server.origin) as (page, refused),
    ):
        open_notebook(page, server, LESSON.name)
        page.get_by_role("button", name=RENDER_BUTTON).click()  # RISE:preview, also Alt+R

        # The slideshow opens in a panel beside the notebook: an iframe on /rise/<path>.
        rise = page.frame_locator('iframe[src*="/rise/"]')
        present = rise.locator(".reveal .slides section.present:not(:has(section.present))")
        expect(present).to_have_count(1, timeout=60_000)
        heading = present.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1")
        expect(heading).to_contain_text(title)
        expect(heading).to_be_visible()
        expect(heading).to_be_in_viewport()
        markdown = rise.locator(".reveal .slides .jp-MarkdownCell")
        expect(markdown).to_have_count(len(shown_markdown))  # every markdown cell is on a slide...
        rendered = markdown.evaluate_all(
            "cells => cells.map(cell => cell.querySelector('.jp-RenderedMarkdown')?.textContent.trim() ?? '')"
        )
        blank = [i for i, text in enumerate(rendered) if not text]
        assert not blank, f"markdown cells blank on the slides (the n-th ones): {blank}"  # ...and rendered

        # Space to the slide with the first code cell; click its prompt, Shift+Enter through it.
        cells = rise.locator(".reveal .slides .jp-Cell")
        expect(cells).to_have_count(len(nb.cells))  # the notebook's cells, in order: nth(i) is cell i
        first_code = cells.nth(code_on_slide[0])
        expect(first_code).to_contain_text(nb.cells[code_on_slide[0]].source.strip().splitlines()[0])
        heading.click(position={"x": 10, "y": 10})  # its first letter: select the cell, not the ¶ link
        for _ in range(slide.start + 1):
            if present.locator(".jp-CodeCell").count():
                break
            page.keyboard.press("Space")
            page.wait_for_timeout(400)
        expect(first_code).to_be_in_viewport()  # the slide shown is the one with the first code cell
        first_code.locator(".jp-InputPrompt").click()
        for _ in range(code_on_slide[0], code_on_slide[-1] + 1):
            page.keyboard.press("Shift+Enter")  # RISE:smart-exec: run, select the next cell
            page.wait_for_timeout(200)
        for i in code_on_slide:
            cell = cells.nth(i)
            expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"), timeout=120_000)
            outputs = cell.locator(".jp-OutputArea-output").all_inner_texts()
            assert not any(ERROR.search(text) for text in outputs), f"cell {i} failed on its slide: {outputs}"
            if printed[i]:  # what the stored run printed, the slide's run prints too
                assert "".join(outputs).strip(), f"cell {i} printed nothing on its slide"

    assert set(refused) <= THEME_FONTS, f"requests that left loopback: {refused}"
