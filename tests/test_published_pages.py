"""What cnn-slides publishes passes WCAG 2.1 AA: each notebook's accessible page and each deck, on every
slide, get no axe-core violation of the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa, in headless
Chromium with the network refused. Each figure on the page carries the alt text stored with its output.

axe-core comes from axe-playwright-python (PyPI), which ships its own axe.min.js: no npm, no network.
The notebooks are the committed ones, so the checks follow what their outputs hold (which figures
have alt text) rather than counts typed here.
"""

from __future__ import annotations

from html.parser import HTMLParser
import json
from pathlib import Path
import re
import subprocess
import sys

from axe_playwright_python.sync_playwright import Axe
from browser import offline_page
from cnn_instructor.slides import lesson_notebooks
from paths import NOTEBOOKS, ROOT
import pytest

pytestmark = pytest.mark.slow  # builds the pages and decks, checks them in a browser

LESSONS = lesson_notebooks(NOTEBOOKS)
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PLACEHOLDER = "No description has been provided for this image"  # nbconvert's alt without metadata


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("published")
    command = [sys.executable, "-m", "cnn_instructor.slides", "--output", str(output)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return output


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page as shown now: "rule: n nodes, first node"."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{v['id']}: {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:160]}" for v in found]


class Images(HTMLParser):
    """The alt text of every <img> of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def figure_alts(notebook: dict) -> list[str | None]:
    """The alt text (or None) of each image the notebook shows, in order: markdown images with their
    written alt, PNG outputs with their metadata["image/png"]["alt"]."""
    alts: list[str | None] = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            written = re.findall(r"!\[((?:[^\]\\]|\\.)*)\]\([^)]*\)", "".join(cell["source"]))
            alts += [re.sub(r"\\(.)", r"\1", alt) for alt in written]  # markdown escapes undone
        elif cell["cell_type"] == "code":
            for output in cell["outputs"]:
                if "image/png" in output.get("data", {}):
                    alts.append(output.get("metadata", {}).get("image/png", {}).get("alt"))
    return alts


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_each_figure_on_the_page_and_in_the_deck_carries_its_alt_text(published, lesson):
    expected = figure_alts(json.loads(lesson.read_text(encoding="utf-8")))
    assert expected, "no figures: this test would prove nothing"
    for name in (f"{lesson.stem}.html", f"{lesson.stem}.slides.html"):
        page = Images()
        page.feed((published / name).read_text(encoding="utf-8"))
        assert len(page.alts) == len(expected), name
        for shown, stored in zip(page.alts, expected, strict=True):
            assert shown == (stored if stored else PLACEHOLDER), name


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_the_page_passes_wcag_aa_offline(published, lesson):
    with offline_page() as (page, refused):
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((published / f"{lesson.stem}.html").as_uri())
        page.wait_for_function(
            "[...document.images].every(image => image.complete && image.naturalWidth > 0)"
        )
        page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.isReady")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.evaluate("document.title"), "the page has no title"
        assert violations(page) == []
    assert refused == []
    assert errors == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_the_deck_passes_wcag_aa_on_every_slide(published, lesson):
    with offline_page() as (page, refused):
        page.goto((published / f"{lesson.stem}.slides.html").as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        slides = page.evaluate("Reveal.getTotalSlides()")
        assert slides > 10
        found = {}
        for number in range(slides):  # axe sees only the slide shown: visit each, subslides too
            if number:
                page.evaluate("Reveal.next()")
                page.wait_for_timeout(100)
            if problems := violations(page):
                found[f"slide {number} {page.evaluate('JSON.stringify(Reveal.getIndices())')}"] = problems
        assert page.evaluate("Reveal.isLastSlide()"), "the walk did not reach the last slide"
        assert found == {}
    assert refused == []


def test_axe_finds_what_it_should(tmp_path):
    """The check can fail: light grey text and an image without alt on an otherwise plain page."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#bbbbbb">faint</p>'
        '<img src="data:image/png;base64,iVBORw0KGgo="></main></body></html>'
    )
    with offline_page() as (page, _):
        page.goto(bad.as_uri())
        rules = {line.split(":")[0] for line in violations(page)}
    assert rules == {"color-contrast", "image-alt"}
