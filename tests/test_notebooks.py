"""The committed lesson notebooks: executed in order, clean outputs, figures a projector can show,
slides for every section, and prose that agrees with the outputs under it.

nbval re-executes each notebook and compares every printed output; these tests check what nbval
does not: what the markdown claims, the figures' resolution, and the notebooks' hygiene.
"""

from __future__ import annotations

import base64
import re
import struct
import sys

from cnn_instructor.attachments import sync_attachments
from cnn_instructor.notebook_text import solution_regions
from cnn_instructor.slides import lesson_notebooks
import nbformat
from paths import EXERCISE, EXPLORE, LESSON, NOTEBOOKS, ROOT
import pytest

FOUND = lesson_notebooks(NOTEBOOKS)


@pytest.fixture(scope="module", params=FOUND, ids=[p.stem for p in FOUND])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _text(output):
    return output.get("text", "") + output.get("data", {}).get("text/plain", "")


def _outputs_text(nb):
    return "\n".join(_text(o) for c in _code(nb) for o in c.outputs)


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_the_lesson_notebooks_are_found():
    """Every notebook but the generated ones: the lesson and the explore notebook, not the exercise."""
    assert FOUND == sorted([LESSON, EXPLORE]) and EXERCISE.exists()


def test_executed_in_order_and_small(notebook):
    path, nb = notebook
    # Small enough for GitHub's preview and readable diffs: the figures are most of it (about 20 in
    # the lesson, 30 in the explore notebook), stored as optimized PNGs.
    assert path.stat().st_size < 2_000_000
    counts = [c.execution_count for c in _code(nb)]
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook top to bottom and commit it"


def test_no_todo_errors_stderr_or_log_noise(notebook):
    _, nb = notebook
    for cell in _code(nb):
        assert "TODO" not in cell.source
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", _text(output)
            assert not re.search(r"oneDNN|cuda|absl::|I0000|E0000|W0000|/tmp/|/home/|/work/", _text(output))


def test_every_figure_is_shown_once_at_projector_resolution(notebook):
    _, nb = notebook
    figures = 0
    for cell in _code(nb):
        pngs = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        if re.search(r"^(show|plot)_\w+\(|^plt\.show\(\)", cell.source, re.MULTILINE):
            assert len(pngs) == 1, cell.source
        for png in pngs:
            data = base64.b64decode(png)
            width = struct.unpack(">I", data[16:20])[0]
            chunk = data.find(b"pHYs")  # pixels per metre, written by matplotlib from the figure's dpi
            assert chunk > 0, "a figure without its resolution"
            dots_per_metre = struct.unpack(">I", data[chunk + 4 : chunk + 8])[0]
            assert dots_per_metre / 39.37 >= 100, f"figure at {dots_per_metre / 39.37:.0f} dpi: {cell.source}"
            assert width >= 700, f"figure only {width} px wide: {cell.source}"
            figures += 1
    assert figures >= 5


def test_metadata_is_clean(notebook):
    path, nb = notebook
    assert nb.metadata["kernelspec"] == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "no widget state or other metadata"
    for cell in nb.cells:
        assert cell.source.strip(), f"empty cell in {path.name}"
        assert set(cell.metadata) <= {"slideshow", "tags", "solution_lines", "todo_minutes"}, cell.metadata


def test_every_section_starts_a_slide(notebook):
    _, nb = notebook
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert None not in kinds, "every cell carries slide metadata"
    for cell, kind in zip(nb.cells, kinds, strict=True):
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source):
            assert kind == "slide", f"section {cell.source.splitlines()[0]!r} must start a slide"
        elif cell.cell_type == "markdown":
            assert not re.search(r"^#{1,2} ", cell.source, re.MULTILINE), "a section heading mid-cell"


# --------------------------------------------------------------------------- prose against outputs
_TUPLE = re.compile(r"\((\d+(?:, \d+)+)\)")
_TIMES = re.compile(r"(?<![\d.])(\d+)×(\d+)(?:×(\d+))?(?![\d.])")


def _shapes_in_markdown(text):
    shapes = {tuple(int(n) for n in m.group(1).split(", ")) for m in _TUPLE.finditer(text)}
    shapes |= {tuple(int(n) for n in m.groups() if n) for m in _TIMES.finditer(text)}
    return shapes


def _shapes_in_outputs(text):
    return [
        tuple(int(n) for n in re.findall(r"\d+", m.group(0)))
        for m in re.finditer(r"\((?:None, )?[\d, ]+\)", text)
    ]


def _contains(shape, printed):
    return any(printed[i : i + len(shape)] == shape for i in range(len(printed) - len(shape) + 1))


def test_every_shape_in_the_markdown_appears_in_an_output(notebook):
    _, nb = notebook
    claimed = _shapes_in_markdown(_markdown(nb))
    printed = _shapes_in_outputs(_outputs_text(nb))
    assert len(claimed) >= 5 and len(printed) >= 5  # the patterns do find shapes
    missing = sorted(s for s in claimed if not any(_contains(s, p) for p in printed))
    assert missing == [], f"shapes written in markdown but printed by no cell: {missing}"


def test_shape_patterns_catch_a_wrong_shape():
    text = "feature maps shaped `(1, 26, 26, 32)`, a 26×26×32 block"
    printed = _shapes_in_outputs("feature_maps: (1, 26, 26, 16)\nconv (None, 26, 26, 16)")
    claimed = _shapes_in_markdown(text)
    assert claimed == {(1, 26, 26, 32), (26, 26, 32)}
    assert not any(_contains((26, 26, 32), p) for p in printed)
    assert any(_contains((26, 26), p) for p in printed)


def test_large_and_decimal_numbers_in_the_markdown_come_from_the_notebook(notebook):
    _, nb = notebook
    markdown = re.sub(r"<details>.*?</details>", "", _markdown(nb), flags=re.S)  # quiz answers: own numbers
    markdown = re.sub(r"`[^`]*`", "", markdown)  # code the reader may type, not a claim
    numbers = set(re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\w.])\d+\.\d+(?![\d])", markdown))
    evidence = _outputs_text(nb) + "\n".join(c.source for c in _code(nb))
    missing = sorted(n for n in numbers if n not in evidence and n.replace(",", "") not in evidence)
    assert missing == [], f"numbers in the markdown that no code or output gives: {missing}"


# --------------------------------------------------------------------------- the lesson itself
@pytest.fixture(scope="module")
def lesson():
    return nbformat.read(LESSON, as_version=4)


def test_lesson_stored_run_meets_the_accuracy_target(lesson):
    accuracy = float(re.search(r"Test accuracy: ([0-9.]+)", _outputs_text(lesson)).group(1))
    assert accuracy >= 0.994


def test_lesson_training_output_is_keras_own_epoch_lines(lesson):
    fit = next(c for c in _code(lesson) if "model.fit(" in c.source)
    text = "".join(_text(o) for o in fit.outputs)
    epochs = int(re.search(r"EPOCHS = (\d+)", "\n".join(c.source for c in _code(lesson))).group(1))
    assert len(re.findall(r"^Epoch \d+/\d+$", text, re.MULTILINE)) == epochs
    assert (
        len(re.findall(r"^\d+/\d+ - \d+s - .*val_accuracy: [0-9.]+ - val_loss: [0-9.]+$", text, re.M))
        == epochs
    )
    assert "\r" not in text and "━" not in text  # no progress bars


def test_the_introduction_shows_the_architecture_the_model_cell_draws(lesson):
    copy = nbformat.from_dict(lesson)
    assert sync_attachments(copy) == [], "run: python -m cnn_instructor.attachments notebooks/cnn_mnist.ipynb"
    intro = next(c for c in lesson.cells if "attachment:architecture.png" in c.source)
    assert lesson.cells.index(intro) < 5 and "image/png" in intro.attachments["architecture.png"]


def test_lesson_ends_by_pointing_to_the_explore_notebook(lesson):
    assert EXPLORE.name in lesson.cells[-1].source


def test_check_cells_follow_each_exercise_step(lesson):
    code = _code(lesson)
    steps = [i for i, c in enumerate(code) if solution_regions(c)]
    assert len(steps) == 4
    for i in steps:
        following = code[i + 1].source
        assert re.match(r"check_(images|labels|model|compiled)\(", following), following


def test_the_lesson_shows_no_solution_markers(lesson):
    """The lines a student writes are named in metadata: nothing but the lesson is projected."""
    assert not any("SOLUTION" in c.source for c in lesson.cells)


def test_optional_cells_say_so_where_a_teacher_reads(notebook):
    """A cell tagged optional inside a core section starts with a visible mark, and only those do."""
    _, nb = notebook
    marks = {"markdown": "*Optional (skip in class).*", "code": "# Optional (skip in class)"}
    for number, cell in enumerate(nb.cells, 1):
        tagged = "optional" in cell.metadata.get("tags", [])
        if cell.cell_type in marks:
            assert tagged == cell.source.startswith(marks[cell.cell_type]), (
                f"cell {number}: {cell.source[:60]!r}"
            )


def _colab_cell(nb, monkeypatch, returncode, stderr=""):
    """Run the notebook's first code cell as on Colab with a fake pip; return the pip commands."""
    import subprocess
    import sys
    import types

    calls = []

    def fake_pip(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, returncode, stdout="", stderr=stderr)

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", fake_pip)
    exec(compile(_code(nb)[0].source, "colab-cell", "exec"), {})
    return calls


def _wheel() -> str:
    """The file name of the wheel this version of the project builds."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return f"{project['name'].replace('-', '_')}-{project['version']}-py3-none-any.whl"


def test_on_colab_a_failed_install_says_why_and_what_to_do(notebook, monkeypatch, capsys):
    _, nb = notebook
    report = "Collecting x\nERROR: Could not find a version ...\nWARNING: [notice] long\nERROR: not found"
    _colab_cell(nb, monkeypatch, 1, report)
    printed = capsys.readouterr()
    assert printed.err == "" and "Traceback" not in printed.out
    first, *advice = printed.out.strip().splitlines()
    assert first == f"Could not install {_wheel()} (ERROR: not found)."  # pip's last line, not its report
    assert advice and "LESSON_PACKAGE" in " ".join(advice)  # where to put what the instructor hands out
    assert "Collecting" not in printed.out and "PyPI" not in printed.out


def test_on_colab_the_cell_installs_the_handed_out_wheel_silently(notebook, monkeypatch, capsys):
    """The package comes from a file (or a link) the course hands out, never a name looked up on an
    index the project does not own; the file is the wheel this version of the project builds."""
    _, nb = notebook
    wheel = _wheel()
    calls = _colab_cell(nb, monkeypatch, 0)
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", wheel]]
    assert capsys.readouterr().out == ""
    first = _code(nb)[0].source
    assert first.count(wheel) == 1 and "cnn-helpers==" not in first
    assert _code(nb)[0].outputs == []  # outside Colab it does nothing
