"""Packaging and the committed notebook: what CI and students rely on, checked."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "cnn_mnist.ipynb"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    dependencies = (ROOT / "environment.yml").read_text().split("\ndependencies:\n", 1)[1]
    # top-level conda packages only (the nested pip list is indented further)
    conda = {_name(m) for m in re.findall(r"^  - ([A-Za-z0-9_.-]+)", dependencies, re.MULTILINE)}
    assert conda - {"python", "pip"} == wanted


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"The test command is `([^`]+)`", readme).group(1)
    assert command in readme.split("```bash", 2)[1]  # the quickstart runs it too
    assert ci.rstrip().splitlines()[-1] == command


@pytest.fixture(scope="module")
def notebook():
    return json.loads(NOTEBOOK.read_text())


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _text(output):
    return "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))


def test_notebook_is_small_and_executed_in_order(notebook):
    assert NOTEBOOK.stat().st_size < 2_000_000
    counts = [c["execution_count"] for c in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), "re-run the notebook top to bottom and commit it"


def test_notebook_has_no_todo_errors_or_log_noise(notebook):
    for cell in _code_cells(notebook):
        assert "TODO" not in "".join(cell["source"])
        for output in cell["outputs"]:
            assert output["output_type"] != "error", "".join(cell["source"])
            assert output.get("name") != "stderr", _text(output)
            assert not re.search(r"oneDNN|cuda|absl::|I0000|E0000|W0000", _text(output))


def test_every_figure_is_shown_exactly_once(notebook):
    for cell in _code_cells(notebook):
        source = "".join(cell["source"])
        if re.search(r"^(show|plot)_\w+\(", source, re.MULTILINE):
            pngs = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
            assert len(pngs) == 1, source


def test_stored_test_accuracy(notebook):
    text = "".join(_text(o) for c in _code_cells(notebook) for o in c["outputs"])
    accuracy = float(re.search(r"Test accuracy: ([0-9.]+)", text).group(1))
    assert accuracy >= 0.990


def test_notebook_metadata_is_clean(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in notebook["metadata"]
    raw = NOTEBOOK.read_text()
    assert "/work/" not in raw and "/home/" not in raw and "/tmp/" not in raw
