"""Write reveal.js slide decks of the lesson notebooks that work with the network off.

    cnn-slides --output DIR [NOTEBOOK ...]

writes ``DIR/<notebook stem>.slides.html`` for each notebook (by default every lesson notebook
in ``notebooks/``: not the ``*_exercise`` or ``*.executed`` copies), ``DIR/<notebook stem>.html``,
an accessible page of the same notebook for a course website (WCAG 2.1 AA; template
``cnn_instructor/templates/cnn_html``, figures with their alt text), and one folder,
``DIR/slides_assets/``, holding everything the decks and pages load:

- reveal.js 4.6.1 (its white theme and that theme's fonts), require.js 2.3.8 and jQuery 3.7.1,
  vendored in ``cnn_instructor/static`` (versions, sources and licences in its THIRD_PARTY.md);
- MathJax 2.7 (2.7.9 today), copied whole from the ``jupyter-server-mathjax`` package (the
  ``lesson`` extra).

The decks refer to the folder by relative URLs, so DIR can be copied anywhere (a USB stick) and
opened with ``file://``. Each run recreates the folder from scratch.

The decks are nbconvert's ``SlidesExporter`` output, with its CDN URLs pointed at the folder
and the template ``cnn_instructor/templates/cnn_slides``, which extends nbconvert's reveal
template to drop what those URLs cannot reach (the mermaid module, the widget manager) and
to configure the local MathJax. Figures stay embedded in the HTML, as nbconvert writes them.

The deck follows the notebook's slideshow metadata, as RISE does. A warning on stderr names
each section (a ``#`` or ``##`` heading) that does not start a slide, and a notebook without
stored outputs (a deck without figures).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
import shutil
import sys

from nbconvert.exporters import HTMLExporter, SlidesExporter
from nbconvert.filters.markdown_mistune import InvalidNotebook
import nbformat
from traitlets.config import Config

from .notebook_text import section_headings

ASSETS = "slides_assets"
STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "cnn_slides"
PAGE_TEMPLATE = "cnn_html"  # the accessible page of each notebook, for a course website
NOTEBOOKS = Path("notebooks")
MATHJAX_PACKAGE = "jupyter_server_mathjax"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full.js"  # the configuration the template asks for


class MathJaxMissingError(RuntimeError):
    """The MathJax the decks need is not installed."""


def lesson_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Return the lesson notebooks in ``folder``: every ``*.ipynb`` but the generated copies."""
    return sorted(
        path
        for path in folder.glob("*.ipynb")
        if not path.name.endswith(("_exercise.ipynb", ".executed.ipynb"))
    )


def sections_off_slides(notebook: nbformat.NotebookNode) -> list[str]:
    """Return the section headings that do not start a slide of the deck.

    A heading starts a slide when it is the first line of a cell of slide type ``slide`` (or of
    the first cell shown, which nbconvert always makes a slide).
    """
    off, shown_before = [], False
    for cell in notebook.cells:
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        hidden = slide_type in {"skip", "notes"}
        starts_slide = not hidden and (slide_type == "slide" or not shown_before)
        shown_before = shown_before or not hidden
        if cell.cell_type != "markdown":
            continue
        headings = section_headings(cell.source)
        opening = section_headings(cell.source.lstrip().split("\n", 1)[0])
        off += headings[1:] if starts_slide and opening else headings
    return off


def mathjax_folder() -> Path:
    """Return the folder of MathJax 2 that ``jupyter-server-mathjax`` installs."""
    spec = find_spec(MATHJAX_PACKAGE)
    hint = 'MathJax for the slides comes with the lesson extra: pip install "cnn-helpers[lesson]"'
    if spec is None or not spec.submodule_search_locations:
        raise MathJaxMissingError(f"the package jupyter-server-mathjax is not installed. {hint}")
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    if not (static / "MathJax.js").is_file() or not (static / "config" / MATHJAX_CONFIG).is_file():
        raise MathJaxMissingError(f"jupyter-server-mathjax has no MathJax 2 in {static}. {hint}")
    return static


def make_exporter(assets: str = ASSETS) -> SlidesExporter:
    """Return nbconvert's slides exporter with every script and style sheet under ``assets``/."""
    config = Config()
    config.SlidesExporter.reveal_url_prefix = f"{assets}/reveal.js"
    config.SlidesExporter.reveal_theme = "white"  # its fonts are local; "simple" imports Google Fonts
    config.SlidesExporter.require_js_url = f"{assets}/requirejs/require.js"
    config.SlidesExporter.jquery_url = f"{assets}/jquery/jquery.min.js"
    config.SlidesExporter.mathjax_url = f"{assets}/mathjax/MathJax.js"
    config.SlidesExporter.embed_images = True  # a markdown image travels inside the deck
    return SlidesExporter(config=config, extra_template_basedirs=[str(TEMPLATES)], template_name=TEMPLATE)


def make_page_exporter(assets: str = ASSETS) -> HTMLExporter:
    """Return nbconvert's HTML exporter for the accessible page, its scripts under ``assets``/."""
    config = Config()
    config.HTMLExporter.require_js_url = f"{assets}/requirejs/require.js"
    config.HTMLExporter.mathjax_url = f"{assets}/mathjax/MathJax.js"
    config.HTMLExporter.embed_images = True
    config.HTMLExporter.language_code = "en"
    return HTMLExporter(config=config, extra_template_basedirs=[str(TEMPLATES)], template_name=PAGE_TEMPLATE)


def write_assets(output: Path, mathjax: Path) -> Path:
    """(Re)create ``output``/slides_assets with the vendored files and a copy of ``mathjax``."""
    assets = output / ASSETS
    if assets.is_symlink() or assets.is_file():
        assets.unlink()
    elif assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(STATIC, assets, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(mathjax, assets / "mathjax")
    return assets


def _read(path: Path) -> nbformat.NotebookNode:
    """Return the notebook at ``path``, or raise a ValueError naming it."""
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError) as error:  # not JSON, not a notebook
        raise ValueError(f"{path}: not a readable notebook ({error.__class__.__name__}: {error})") from error


def _title(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Give the notebook a title (the page's <title>): its first heading, or its file name."""
    titles = [h for c in notebook.cells if c.cell_type == "markdown" for h in section_headings(c.source)]
    notebook.metadata.setdefault("title", titles[0] if titles else path.stem)


def _page(exporter: HTMLExporter, path: Path) -> str:
    """Return the accessible HTML page of the notebook at ``path``."""
    notebook = _read(path)
    _title(notebook, path)
    resources = {"metadata": {"name": path.stem, "path": str(path.parent)}}
    try:
        html, _ = exporter.from_notebook_node(notebook, resources=resources)
    except (ValueError, InvalidNotebook) as error:
        raise ValueError(f"{path}: {error}") from error
    return html


def _deck(exporter: SlidesExporter, path: Path) -> str:
    """Return the HTML of the deck of the notebook at ``path``."""
    notebook = _read(path)
    for heading in sections_off_slides(notebook):
        print(
            f"cnn-slides: {path.name}: section {heading!r} does not start a slide: put it on the first "
            "line of a markdown cell of slide type Slide",
            file=sys.stderr,
        )
    if not any(cell.get("outputs") for cell in notebook.cells):
        print(
            f"cnn-slides: {path.name} has no stored outputs: execute it first for the figures",
            file=sys.stderr,
        )
    _title(notebook, path)
    resources = {"metadata": {"name": path.stem, "path": str(path.parent)}}
    try:
        html, _ = exporter.from_notebook_node(notebook, resources=resources)
    except (ValueError, InvalidNotebook) as error:  # every cell hidden, a missing attachment
        raise ValueError(f"{path}: {error}") from error
    return html


def build_decks(notebooks: Sequence[Path], output: Path) -> list[Path]:
    """Write one offline deck and one accessible page per notebook into ``output``, with the shared
    assets; return the decks and pages, a deck then its page for each notebook."""
    mathjax = mathjax_folder()
    exporter, page_exporter = make_exporter(), make_page_exporter()
    pages = []
    for path in notebooks:
        pages.append((output / f"{path.stem}{exporter.file_extension}", _deck(exporter, path)))
        pages.append((output / f"{path.stem}.html", _page(page_exporter, path)))
    output.mkdir(parents=True, exist_ok=True)
    write_assets(output, mathjax)
    for file, html in pages:
        file.write_text(html, encoding="utf-8")
    return [file for file, _ in pages]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-slides",
        description=(
            "Write a reveal.js slide deck per lesson notebook, plus one folder with everything the "
            "decks load, so that they work offline: copy DIR anywhere and open a deck in a browser."
        ),
    )
    parser.add_argument(
        "--output", "-o", required=True, type=Path, metavar="DIR", help="folder for the decks"
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        metavar="NOTEBOOK",
        help=f"notebooks to convert (default: the lesson notebooks in {NOTEBOOKS}/)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cnn-slides``; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    notebooks = args.notebooks or lesson_notebooks()
    if not notebooks:
        parser.error(f"no lesson notebooks in {NOTEBOOKS.resolve()}; name the notebooks to convert")
    for path in notebooks:
        if not path.is_file():
            parser.error(f"no such notebook: {path}")
    stems = [path.stem for path in notebooks]
    if duplicates := sorted({stem for stem in stems if stems.count(stem) > 1}):
        parser.error(f"two notebooks would write the same deck: {', '.join(duplicates)}")
    try:
        decks = build_decks(notebooks, args.output)
    except (MathJaxMissingError, OSError, ValueError) as error:  # OSError: e.g. DIR not writable
        print(f"cnn-slides: {error}", file=sys.stderr)
        return 1
    for deck in decks:
        print(f"wrote {deck}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
