"""The project around the lesson: install files that agree, clean code, a public API in one sorted
list, and TensorFlow imported quietly but not mutely. (CI's commands against README's: test_docs.py.)"""

from __future__ import annotations

import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tomllib

import cnn_helpers
from paths import EXPLORE, LESSON, ROOT
import pytest


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: jupyterlab_rise == jupyterlab-rise


def test_environment_yml_installs_what_the_lesson_extra_does():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["lesson"]}
    dependencies = (ROOT / "environment.yml").read_text().split("\ndependencies:\n", 1)[1]
    # top-level conda packages only (the nested pip list is indented further)
    conda = {_name(m) for m in re.findall(r"^  - ([A-Za-z0-9_.-]+)", dependencies, re.MULTILINE)}
    assert conda - {"python", "pip"} == wanted


def test_the_test_extra_builds_on_the_lesson_extra_and_pins_ruff():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "cnn-helpers[lesson]" in extras["test"]
    assert any(re.fullmatch(r"ruff==[\d.]+", r) for r in extras["test"]), "pin ruff to one version"
    assert not {_name(r) for r in extras["lesson"]} & {
        "pytest",
        "nbval",
        "ruff",
    }  # students need no test tools


def test_public_api_is_one_sorted_list():
    assert cnn_helpers.__all__ == sorted(cnn_helpers.__all__)
    for name in cnn_helpers.__all__:
        assert hasattr(cnn_helpers, name), name


def test_every_public_name_is_used_by_a_notebook_the_instructor_tools_or_the_docs():
    import json

    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]  # not CONTRIBUTING's module table
    texts = [path.read_text(encoding="utf-8") for path in docs]
    texts += [path.read_text() for path in (ROOT / "cnn_instructor").rglob("*.py")]
    for path in (LESSON, EXPLORE):
        cells = json.loads(path.read_text())["cells"]
        texts += ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    import cnn_helpers.widgets

    public = cnn_helpers.__all__ + cnn_helpers.widgets.__all__
    unused = [name for name in public if not any(re.search(rf"\b{name}\b", t) for t in texts)]
    assert unused == [], f"public names nobody uses: {unused}; use them or keep them in their module only"


def test_one_spelling_of_keras():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("cnn_helpers", "cnn_instructor", "tests", "benchmarks", "notebooks")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".ipynb")
        and re.search(
            r"tf\.keras|tensorflow\.keras|from tensorflow import keras", path.read_text(encoding="utf-8")
        )
        and path.name != "test_project.py"
    ]
    assert offenders == [], "use `import keras` and keras.*, not tf.keras"


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run([ruff, *command, "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- quiet TensorFlow import
def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"} | env
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)


@pytest.mark.slow  # imports TensorFlow in a new Python
def test_import_hides_start_up_lines_but_keeps_errors():
    result = _python(
        "import os, cnn_helpers, tensorflow as tf\n"
        "tf.constant(1.0) + 1  # the first op: no GPU error line either\n"
        "print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"  # 2 hides information and warnings, keeps errors
    assert result.stderr == ""


@pytest.mark.slow  # imports TensorFlow in a new Python
def test_import_keeps_the_log_level_the_user_set():
    result = _python(
        "import os, cnn_helpers\nprint(os.environ['TF_CPP_MIN_LOG_LEVEL'])", TF_CPP_MIN_LOG_LEVEL="0"
    )
    assert result.stdout.strip() == "0"


@pytest.mark.slow  # imports TensorFlow in a new Python
def test_stderr_is_restored_when_the_import_fails(tmp_path):
    (tmp_path / "tensorflow.py").write_text("raise ImportError('no TensorFlow here')\n")
    code = (
        "import os, sys\n"
        "from cnn_helpers._quiet import import_tensorflow_quietly\n"
        "sys.modules.pop('tensorflow', None)\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "try:\n"
        "    import_tensorflow_quietly()\n"
        "except ImportError as err:\n"
        "    os.write(2, f'still visible: {err}'.encode())\n"
    )
    result = _python(code)
    assert "still visible: no TensorFlow here" in result.stderr


@pytest.mark.slow  # asks pip's index (the network or a cache)
def test_environment_yml_pip_section_is_a_valid_requirements_file(tmp_path):
    # conda hands the pip entries to `pip install -r` from the file's folder; an option that a
    # requirements file does not allow (--no-deps, say) fails every conda and Binder build.
    text = (ROOT / "environment.yml").read_text()
    lines = re.findall(r"^      - (.+?)(?:\s+#.*)?$", text.split("  - pip:\n", 1)[1], re.MULTILINE)
    assert lines, "environment.yml has a pip section"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "--quiet",
            "-r",
            str(requirements),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_ci_installs_the_versions_the_notebooks_were_executed_with():
    constraints = (ROOT / ".ci" / "constraints.txt").read_text()
    pins = dict(re.findall(r"^([\w.-]+)==(\S+)$", constraints, re.MULTILINE))
    from importlib.metadata import version

    for name in ("tensorflow", "keras", "numpy", "matplotlib", "nbval", "jupyterlab"):
        assert version(name) == pins[name], f"{name}: installed {version(name)}, CI pins {pins[name]}"
    assert "-c .ci/constraints.txt" in (ROOT / ".ci" / "run").read_text()
