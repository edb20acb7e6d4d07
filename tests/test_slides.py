"""cnn-slides: every lesson's deck, opened from file:// in headless Chromium with the network refused."""

from __future__ import annotations

from html.parser import HTMLParser
import json
from pathlib import Path
import re
import subprocess
import sys

from browser import offline_page
from cnn_instructor.slides import lesson_notebooks
from paths import NOTEBOOKS, ROOT
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
import pytest

LESSONS = lesson_notebooks(NOTEBOOKS)
COMMAND = [sys.executable, "-m", "cnn_instructor.slides"]
# MathJax 2 probes its web-font support with a font at about:blank, which a file:// page may not
# load (Chromium logs a CORS error); the only request allowed to fail.
MATHJAX_BLANK_FONT = "about:blank"
TIMEOUT_MS = 20_000


def cnn_slides(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def headings(notebook: dict) -> list[str]:
    """The level-1 and level-2 markdown headings of a notebook, skipping fenced code."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in "".join(cell["source"]).splitlines():
            if re.match(r" {0,3}(```|~~~)", line):
                fenced = not fenced
            elif not fenced and (match := re.match(r" {0,3}#{1,2}\s+(.+)", line)):
                found.append(match.group(1))
    return found


def png_outputs(notebook: dict) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    )


def markdown_images(notebook: dict) -> int:
    """Images the markdown cells show (e.g. a figure attached with cnn_instructor.attachments)."""
    return sum(
        len(re.findall(r"!\[[^\]]*\]\([^)]*\)|<img\b", "".join(cell["source"])))
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    )


def words(text: str) -> str:
    """Letters and digits only: compares a markdown heading with the text of its rendered <h1>/<h2>."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](link) -> text
    return re.sub(r"[^0-9a-z]+", "", text.replace("¶", "").lower())


class ExternalReferences(HTMLParser):
    """Every src/href of the page but links (<a>), and the text of its <style> and <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str]] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self._in_code = tag in {"style", "script"}
        if tag != "a":
            self.references += [(tag, value) for name, value in attrs if name in {"src", "href"} and value]

    def handle_endtag(self, tag):
        self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.code.append(data)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> tuple[Path, str]:
    """Run the real console command as an instructor would, with no notebook named: (DIR, stderr)."""
    output = tmp_path_factory.mktemp("decks")
    result = cnn_slides("--output", str(output))
    assert result.returncode == 0, result.stderr
    written = [line.removeprefix("wrote ") for line in result.stdout.splitlines()]
    expected = [
        str(output / f"{lesson.stem}{end}") for lesson in LESSONS for end in (".slides.html", ".html")
    ]
    assert written == expected, result.stdout
    return output, result.stderr


@pytest.fixture(scope="module")
def decks(build) -> Path:
    return build[0]


@pytest.mark.slow  # exports both notebooks' decks and pages
def test_the_notebooks_need_no_fixing(build):
    # cnn-slides warns about a section heading that does not open a slide (a cell not of slide type
    # Slide, or the heading below other text of the cell) and about a notebook without outputs.
    warnings = [line for line in build[1].splitlines() if line.startswith("cnn-slides:")]
    assert warnings == []


@pytest.mark.slow  # exports both notebooks' decks and pages
def test_every_lesson_notebook_gets_a_deck(decks):
    assert LESSONS, "no lesson notebooks found in notebooks/"
    lessons = [json.loads(lesson.read_text(encoding="utf-8")) for lesson in LESSONS]
    assert sum(map(png_outputs, lessons)) > 0, "no figures: the image checks below would prove nothing"
    expected = sorted(f"{lesson.stem}{end}" for lesson in LESSONS for end in (".slides.html", ".html"))
    assert sorted(path.name for path in decks.glob("*.html")) == expected  # a deck and a page each
    assets = decks / "slides_assets"
    for needed in [
        "reveal.js/dist/reveal.js",
        "reveal.js/dist/theme/white.css",
        "requirejs/require.js",
        "jquery/jquery.min.js",
        "mathjax/MathJax.js",
        "mathjax/LICENSE",
        "THIRD_PARTY.md",
    ]:
        assert (assets / needed).is_file(), needed


@pytest.mark.slow  # exports both notebooks' decks and pages
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_deck_loads_nothing_from_the_network(decks, lesson):
    deck = decks / f"{lesson.stem}.slides.html"
    page = ExternalReferences()
    page.feed(deck.read_text(encoding="utf-8"))
    assert page.references, "the parser found no script or style sheet at all"
    for tag, url in page.references:
        assert not re.match(r"(https?:)?//", url), f"<{tag}> loads {url}"
        if not url.startswith(("data:", "#")):
            local = deck.parent / url.split("?")[0].split("#")[0]
            assert local.is_file(), f"<{tag}> points at missing {url}"
    code = "\n".join(page.code)
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", code), "a style sheet loads a URL"
    assert not re.search(r"""@import\s+['"](https?:)?//""", code), "a style sheet imports a URL"
    assert not re.search(r"""\bimport\b[^;'"]*['"](https?:)?//""", code), "a script imports a module by URL"
    for sheet in (decks / "slides_assets").rglob("*.css"):
        assert not re.search(r"""(url\(|@import)\s*['"]?(https?:)?//""", sheet.read_text()), sheet


@pytest.mark.slow  # a browser
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_deck_works_offline_in_a_browser(decks, lesson):
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    sections, figures = headings(notebook), png_outputs(notebook) + markdown_images(notebook)
    deck = decks / f"{lesson.stem}.slides.html"
    with offline_page() as (page, refused):
        errors, failed = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))

        def wait_for(condition: str, what: str) -> None:
            try:
                page.wait_for_function(condition, timeout=TIMEOUT_MS)
            except PlaywrightTimeoutError:
                pytest.fail(f"{what}: not in {TIMEOUT_MS} ms; refused {refused}, failed {failed}, {errors}")

        page.goto(deck.as_uri())
        wait_for("window.Reveal && Reveal.isReady()", "reveal.js ready")
        assert page.evaluate("Reveal.hasPlugin('notes')"), "the speaker-notes plugin did not load"

        # A slide for every section, each under its own heading.
        slides = page.evaluate("document.querySelectorAll('.reveal .slides > section').length")
        assert slides >= len(sections) > 0, f"{slides} slides for {len(sections)} sections"
        titles = page.evaluate(
            "[...document.querySelectorAll('.reveal .slides section h1, .reveal .slides section h2')]"
            ".map(h => h.textContent)"
        )
        rendered = {words(title) for title in titles}
        for section in sections:
            assert words(section) in rendered, f"no slide for the section {section!r}"

        # Every figure drawn: the notebook's PNG outputs and the images its markdown shows.
        wait_for("[...document.images].every(image => image.complete)", "every image loaded")
        images = page.evaluate("[...document.images].map(image => image.naturalWidth)")
        assert len(images) == figures
        assert all(width > 0 for width in images), images

        # The theme and its font, from the assets folder.
        theme_font = "font => font.family.includes('Source Sans Pro') && font.status === 'loaded'"
        assert page.evaluate(f"[...document.fonts].some({theme_font})"), "the theme's font did not load"

        # MathJax 2, local: typeset a probe and wait for its web font.
        wait_for("window.MathJax && MathJax.Hub && MathJax.isReady", "MathJax ready")
        assert page.evaluate("MathJax.version").startswith("2.")
        page.evaluate(
            """() => new Promise(done => {
                const probe = document.createElement("p");
                probe.id = "math-probe";
                probe.textContent = "$x^2$";
                document.querySelector(".reveal .slides section").appendChild(probe);
                MathJax.Hub.Queue(["Typeset", MathJax.Hub, probe], done);
            })"""
        )
        assert page.evaluate("document.querySelectorAll('#math-probe .MathJax').length") == 1, "not typeset"
        width = page.evaluate("document.querySelector('#math-probe .MathJax').getBoundingClientRect().width")
        assert width > 0
        wait_for(
            "[...document.fonts].some(font => font.family.startsWith('STIX') && font.status === 'loaded')",
            "MathJax's web font loaded",
        )

    assert refused == []
    assert errors == []
    assert [failure for failure in failed if not failure.startswith(MATHJAX_BLANK_FONT)] == []


@pytest.mark.slow  # exports a deck and a page
def test_a_new_run_recreates_the_assets(tmp_path):
    stale = tmp_path / "slides_assets" / "stale.js"
    stale.parent.mkdir()
    stale.write_text("// from an older run")
    result = cnn_slides("--output", str(tmp_path), str(LESSONS[0]))
    assert result.returncode == 0, result.stderr
    stem = tmp_path / LESSONS[0].stem
    assert result.stdout.splitlines() == [f"wrote {stem}.slides.html", f"wrote {stem}.html"]
    assert not stale.exists()
    assert (tmp_path / "slides_assets" / "mathjax" / "MathJax.js").is_file()


@pytest.mark.slow  # a new Python runs the command (nbformat alone takes seconds to import)
def test_help():
    result = cnn_slides("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: cnn-slides")
    assert "--output DIR" in result.stdout


@pytest.mark.slow  # a new Python runs the command (nbformat alone takes seconds to import)
def test_a_missing_notebook_is_a_clear_error(tmp_path):
    result = cnn_slides("--output", str(tmp_path / "out"), "notebooks/no_such_lesson.ipynb")
    assert result.returncode == 2
    assert "error: no such notebook: notebooks/no_such_lesson.ipynb" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # a new Python runs the command (nbformat alone takes seconds to import)
def test_output_is_required():
    result = cnn_slides(str(LESSONS[0]))
    assert result.returncode == 2
    assert "--output" in result.stderr


@pytest.mark.slow  # a new Python runs the command (nbformat alone takes seconds to import)
def test_no_lesson_notebooks_is_a_clear_error(tmp_path):
    result = cnn_slides("--output", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    assert "error: no lesson notebooks in" in result.stderr


def test_missing_mathjax_names_the_extra(tmp_path, monkeypatch, capsys):
    from cnn_instructor import slides

    monkeypatch.setattr(slides, "find_spec", lambda name: None)
    assert slides.main(["--output", str(tmp_path), str(LESSONS[0])]) == 1
    assert 'pip install "cnn-helpers[lesson]"' in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sections_that_do_not_open_a_slide_are_named():
    from cnn_instructor.slides import sections_off_slides
    import nbformat

    def markdown(source: str, slide_type: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_markdown_cell(source, metadata={"slideshow": {"slide_type": slide_type}})

    notebook = nbformat.v4.new_notebook(
        cells=[
            markdown("# Title, first cell: always a slide", "-"),
            markdown("## Opens a slide\n\ntext\n\n## Second heading of the cell", "slide"),
            markdown("## Cell not of type Slide", "subslide"),
            markdown("Text of the previous section.\n\n## Heading below it", "slide"),
            markdown("```python\n# a comment, not a heading\n```\n### A level-3 heading", "-"),
            markdown("## Hidden from the slides", "skip"),
        ]
    )
    assert sections_off_slides(notebook) == [
        "Second heading of the cell",
        "Cell not of type Slide",
        "Heading below it",
        "Hidden from the slides",
    ]


@pytest.mark.slow  # a new Python imports the command's module
def test_slides_never_import_tensorflow():
    check = (
        "import sys, cnn_instructor.slides; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'cnn_helpers'}))"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
