"""What JupyterLab does with a figure's alt text (``metadata["image/png"]["alt"]``), in a real
JupyterLab in headless Chromium with the network refused. docs/accessibility.md says the same:

- it keeps the alt text: a figure displayed in JupyterLab and saved is stored with it, so the exports
  (nbconvert's HTML, cnn-slides' page and decks) carry it;
- in the page, each <img> has either no alt text (JupyterLab 4.6's image renderer writes none, so a
  screen reader in JupyterLab itself gets no description) or the stored one, if a later JupyterLab
  uses it. Anything else (another text, or an accessible name from elsewhere) fails: a screen reader
  would read a description that is not the figure's.
"""

from __future__ import annotations

import json

from browser import execute_command, offline_page, open_notebook
import nbformat
import pytest

from testbed.labserver import jupyterlab_server

pytestmark = pytest.mark.slow  # JupyterLab and a browser

STORED = "A stored figure: a line rising from 1 to 2."
DRAWN = "A figure drawn in JupyterLab: a line falling from 2 to 1."


def test_jupyterlab_keeps_the_alt_text_and_shows_none_or_that_one(tmp_path):
    stored = nbformat.v4.new_code_cell("# a figure stored with its alt text")
    stored.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": _png(), "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": STORED}},
        )
    ]
    drawn = nbformat.v4.new_code_cell(
        "from cnn_helpers.figures._base import describe, new_figure\n"
        "fig = new_figure(3, 2)\n"
        "fig.add_subplot().plot([2, 1])\n"
        f"describe(fig, {DRAWN!r})"
    )
    path = tmp_path / "alt.ipynb"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=[stored, drawn], metadata=kernel), path)

    with (
        jupyterlab_server([path]) as server,
        offline_page(allowed_origin=server.origin) as (page, refused),
    ):
        open_notebook(page, server, path.name)
        images = page.locator(".jp-OutputArea-output.jp-RenderedImage img")
        images.first.wait_for()
        page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 1; }")
        execute_command(page, "notebook:run-cell")  # the second cell only: the first keeps its output
        images.nth(1).wait_for(timeout=120_000)
        execute_command(page, "docmanager:save")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
        saved = json.loads((server.root / path.name).read_text(encoding="utf-8"))
        shown = [images.nth(i).get_attribute("alt") for i in range(images.count())]
        names = [
            images.nth(i).evaluate("node => node.getAttribute('aria-label') || node.title") for i in range(2)
        ]

    assert refused == []
    outputs = [output for cell in saved["cells"] for output in cell["outputs"]]
    assert [output["metadata"]["image/png"]["alt"] for output in outputs] == [STORED, DRAWN]  # kept
    assert len(shown) == len(names) == 2
    for alt, name, stored in zip(shown, names, (STORED, DRAWN), strict=True):
        assert alt in (None, stored), f"the page describes a figure as {alt!r}, not by its alt text"
        assert name in ("", stored), f"the page names a figure {name!r}, not by its alt text"


def _png() -> str:
    """A small PNG, base64: the figure of a rising line."""
    import base64

    from cnn_helpers.figures._base import new_figure, png_bytes

    fig = new_figure(3, 2)
    fig.add_subplot().plot([1, 2])
    return base64.b64encode(png_bytes(fig)).decode("ascii")
