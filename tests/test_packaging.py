"""The package as it would be published: the sdist and the wheel built from a copy of the source tree
pass `twine check --strict` and hold what they should, and the wheel installed into a fresh virtual
environment, away from the source tree, imports every module of cnn_helpers (the widget modules only
with the lesson extra, named when skipped) and runs its commands.

`python -m build` builds the wheel from the sdist, so the wheel's contents also show that the sdist
holds what a rebuild needs. Most of the time goes into installing TensorFlow into the fresh
environment (30-45 s with pip's cache warm, on 2 cores): pip runs with `--no-compile`, which saves
about 12 s of byte-compiling that the one TensorFlow import here (about 4 s slower without .pyc
files) does not repay.
"""

from __future__ import annotations

from collections.abc import Iterator
import configparser
from email.parser import HeaderParser
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile

from cnn_instructor.exercise import render_exercise
from paths import LESSON, ROOT
import pytest

pytestmark = pytest.mark.slow  # builds the sdist and the wheel, installs the wheel in a new venv

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
STEM = f"{PROJECT['name'].replace('-', '_')}-{PROJECT['version']}"  # cnn_helpers-0.1.0
DIST_INFO = f"{STEM}.dist-info"
BIN = "Scripts" if os.name == "nt" else "bin"

# Left out of the copy: local state, at the top of the tree only (reveal.js has a dist/ folder).
LOCAL_ONLY = {".venv", ".git", "build", "dist", ".pytest_cache", ".ruff_cache"}
JUNK = {"__pycache__", ".ipynb_checkpoints"}

# The vendored files of the offline decks and their licences (cnn_instructor/static/THIRD_PARTY.md)
# and the decks' template: named here, so that the test fails if one goes missing from the tree too.
LICENCES = [
    "cnn_instructor/static/jquery/LICENSE.txt",
    "cnn_instructor/static/requirejs/LICENSE",
    "cnn_instructor/static/reveal.js/LICENSE",
    "cnn_instructor/static/reveal.js/dist/theme/fonts/source-sans-pro/LICENSE",
]
DATA = [
    "cnn_instructor/static/THIRD_PARTY.md",
    "cnn_instructor/static/jquery/jquery.min.js",
    "cnn_instructor/static/requirejs/require.js",
    "cnn_instructor/static/reveal.js/dist/reveal.css",
    "cnn_instructor/static/reveal.js/dist/reveal.js",
    "cnn_instructor/static/reveal.js/dist/theme/white.css",
    "cnn_instructor/static/reveal.js/dist/theme/fonts/source-sans-pro/source-sans-pro.css",
    "cnn_instructor/static/reveal.js/dist/theme/fonts/source-sans-pro/source-sans-pro-regular.woff",
    "cnn_instructor/static/reveal.js/plugin/notes/notes.js",
    "cnn_instructor/templates/cnn_slides/conf.json",
    "cnn_instructor/templates/cnn_slides/index.html.j2",
]
SCRIPTS = {
    "cnn-exercise": "cnn_instructor.exercise:main",
    "cnn-slides": "cnn_instructor.slides:main",
    "cnn-plan": "cnn_instructor.plan:main",
    "cnn-assignment": "cnn_instructor.assignment:main",
    "cnn-regenerate": "cnn_instructor.regenerate:main",
}


def _environment() -> dict[str, str]:
    """This process's environment, so that pip finds its configuration, index and cache, without what
    could make another tree importable in the fresh environment."""
    unset = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__"}
    return {k: v for k, v in os.environ.items() if k not in unset}


def _run(*command: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    args = [str(arg) for arg in command]
    result = subprocess.run(
        args, cwd=cwd, env=_environment(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited with status {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result


def _not_source(folder: str, names: list[str]) -> set[str]:
    ignored = {name for name in names if name in JUNK or name.endswith(".egg-info")}
    if Path(folder) == ROOT:
        ignored |= LOCAL_ONLY & set(names)
    return ignored


def _package_files() -> set[str]:
    """What the wheel must hold of the source tree: both packages' modules and all of cnn_instructor's
    data (static/ and templates/), as paths relative to the tree."""
    files = [*(ROOT / "cnn_helpers").rglob("*.py"), *(ROOT / "cnn_instructor").rglob("*.py")]
    data = ROOT / "cnn_instructor"
    files += [*(data / "static").rglob("*"), *(data / "templates").rglob("*")]
    return {
        path.relative_to(ROOT).as_posix() for path in files if path.is_file() and not JUNK & set(path.parts)
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> tuple[Path, Path]:
    """The sdist and the wheel, built by `python -m build` from a copy of the source tree."""
    tmp = tmp_path_factory.mktemp("build")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    result = _run(sys.executable, "-m", "build", "--outdir", tmp / "dist", source, cwd=tmp)
    # build shows setuptools' warnings so: a deprecated pyproject.toml field, a data folder left out of
    # the packages...
    warnings = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("WARNING")]
    assert warnings == [], "python -m build warned:\n" + "\n".join(warnings)
    sdists, wheels = sorted((tmp / "dist").glob("*.tar.gz")), sorted((tmp / "dist").glob("*.whl"))
    assert [p.name for p in sdists + wheels] == [f"{STEM}.tar.gz", f"{STEM}-py3-none-any.whl"]
    return sdists[0], wheels[0]


@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory) -> Iterator[Path]:
    """A fresh virtual environment with the wheel and its dependencies installed by its own pip; removed
    afterwards (about 2 GB, most of it TensorFlow, which pytest would otherwise keep for three runs)."""
    tmp = tmp_path_factory.mktemp("venv")
    assert ROOT not in tmp.parents, "the fresh environment must be outside the source tree"
    _run(sys.executable, "-m", "venv", tmp / "venv", cwd=tmp)
    python = tmp / "venv" / BIN / "python"
    _run(python, "-m", "pip", "install", "--no-compile", dists[1], cwd=tmp, timeout=1800)
    yield tmp / "venv"
    shutil.rmtree(tmp / "venv", ignore_errors=True)


def test_twine_check_strict_passes(dists):
    result = _run(sys.executable, "-m", "twine", "check", "--strict", *dists, cwd=dists[0].parent)
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_wheel_holds_both_packages_their_data_and_the_commands(dists):
    with zipfile.ZipFile(dists[1]) as wheel:
        names = set(wheel.namelist())
        read = {name: wheel.read(name).decode() for name in names if name.startswith(f"{DIST_INFO}/")}
    files = {name for name in names if not name.startswith(f"{DIST_INFO}/")}
    assert {"cnn_helpers/__init__.py", "cnn_instructor/exercise.py", "cnn_instructor/slides.py"} <= files
    assert set(LICENCES + DATA) <= files, sorted(set(LICENCES + DATA) - files)
    assert files == _package_files()  # every module and data file of the tree, nothing else

    scripts = configparser.ConfigParser()
    scripts.read_string(read[f"{DIST_INFO}/entry_points.txt"])
    assert dict(scripts["console_scripts"]) == SCRIPTS == PROJECT["scripts"]
    assert read[f"{DIST_INFO}/top_level.txt"].split() == ["cnn_helpers", "cnn_instructor"]

    metadata = HeaderParser().parsestr(read[f"{DIST_INFO}/METADATA"])
    assert (metadata["Name"], metadata["Version"]) == (PROJECT["name"], PROJECT["version"])
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata["License-Expression"] == PROJECT["license"]
    assert metadata["License"] is None  # the deprecated free-text field
    assert [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r] == PROJECT["dependencies"]
    # PEP 639: the project's licence and the vendored ones are declared, and copied into .dist-info
    assert sorted(metadata.get_all("License-File")) == sorted(["LICENSE", *LICENCES])
    for licence in metadata.get_all("License-File"):
        assert f"{DIST_INFO}/licenses/{licence}" in names


def test_the_sdist_holds_what_a_rebuild_needs_and_not_the_repository(dists):
    with tarfile.open(dists[0]) as sdist:
        names = {m.name.removeprefix(f"{STEM}/") for m in sdist.getmembers() if m.isfile()}
    assert {"pyproject.toml", "README.md", "MANIFEST.in", "PKG-INFO"} <= names
    assert _package_files() <= names
    # the lessons, their tests, benchmarks and testbed, and CI are run from a checkout (see MANIFEST.in)
    assert not [n for n in names if n.split("/")[0] in {"tests", "testbed", "notebooks", "benchmarks", ".ci"}]


def test_the_installed_wheel_imports_from_the_environment_not_the_tree(venv):
    code = (
        "import importlib.resources, cnn_helpers, cnn_instructor.exercise\n"
        "print(cnn_helpers.__file__)\n"
        "print(cnn_instructor.exercise.__file__)\n"
        "static = importlib.resources.files('cnn_instructor') / 'static'\n"
        "print(static / 'reveal.js' / 'dist' / 'reveal.js')\n"
    )
    result = _run(venv / BIN / "python", "-c", code, cwd=venv.parent)
    print(result.stdout)
    paths = [Path(line).resolve() for line in result.stdout.splitlines()]
    assert len(paths) == 3, result.stdout
    for path in paths:
        assert venv.resolve() in path.parents and ROOT not in path.parents, path
        assert path.is_file(), path


def _tree_modules(package: str) -> set[str]:
    """The dotted names of every module and package of ``package`` in the source tree."""
    names = set()
    for path in (ROOT / package).rglob("*.py"):
        if JUNK & set(path.parts):
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _import_every_module(python: Path, cwd: Path) -> dict:
    """Run tests/import_every_module.py with ``python`` in ``cwd`` (``-c``: ``cwd`` first on its path)."""
    script = (ROOT / "tests" / "import_every_module.py").read_text(encoding="utf-8")
    return json.loads(_run(python, "-c", script, cwd=cwd).stdout.splitlines()[-1])


def test_the_installed_wheel_imports_every_module_of_cnn_helpers(venv):
    """Every module of the installed cnn_helpers imports, from the environment. The wheel comes without
    the lesson extra: its widget modules are skipped, and named, only while ipywidgets is missing."""
    walk = _import_every_module(venv / BIN / "python", venv.parent)
    assert walk["failed"] == {}, walk["failed"]
    assert set(walk["imported"]) | set(walk["skipped"]) == _tree_modules("cnn_helpers")  # none left out
    for name, file in walk["imported"].items():
        path = Path(file).resolve()
        assert venv.resolve() in path.parents and ROOT not in path.parents, (name, path)
    # The wheel is installed without extras: exactly the widgets' layer waits for the lesson extra.
    assert not walk["has_ipywidgets"], "the wheel's environment should have no lesson extra"
    widgets = {
        name for name in _tree_modules("cnn_helpers") if name.split(".")[:2] == ["cnn_helpers", "widgets"]
    }
    assert set(walk["skipped"]) == widgets, walk["skipped"]


def test_with_the_lesson_extra_the_walk_imports_the_widget_modules_too():
    """The same walk, by this environment's python (the lesson extra installed) on the source tree
    (the current folder comes first on ``python -c``'s path): nothing skipped, nothing failed."""
    import ipywidgets  # noqa: F401  (the test extra includes the lesson extra: no skip)

    walk = _import_every_module(Path(sys.executable), ROOT)
    assert walk["has_ipywidgets"] and walk["skipped"] == {} and walk["failed"] == {}, walk
    assert set(walk["imported"]) == _tree_modules("cnn_helpers")
    assert all(ROOT in Path(file).resolve().parents for file in walk["imported"].values())


def test_the_installed_cnn_exercise_runs(venv, tmp_path):
    result = _run(venv / BIN / "cnn-exercise", "--help", cwd=tmp_path)
    assert result.stdout.startswith("usage: cnn-exercise"), result.stdout

    # Away from the project, with explicit paths: the same exercise as the source tree's code writes.
    solution = tmp_path / LESSON.name
    shutil.copyfile(LESSON, solution)
    result = _run(venv / BIN / "cnn-exercise", solution, "-o", tmp_path / "ex.ipynb", cwd=tmp_path)
    assert result.stdout.strip() == f"wrote {tmp_path / 'ex.ipynb'}"
    assert (tmp_path / "ex.ipynb").read_text(encoding="utf-8") == render_exercise(solution)


def test_the_installed_cnn_slides_says_what_it_needs(venv, tmp_path):
    result = _run(venv / BIN / "cnn-slides", "--help", cwd=tmp_path)
    assert result.stdout.startswith("usage: cnn-slides"), result.stdout
    # Without the lesson extra there is no MathJax to bundle: a clear message, not a traceback.
    notebook = tmp_path / LESSON.name
    shutil.copyfile(LESSON, notebook)
    result = subprocess.run(
        [str(venv / BIN / "cnn-slides"), "--output", str(tmp_path / "slides"), str(notebook)],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and 'pip install "cnn-helpers[lesson]"' in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
