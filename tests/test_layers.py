"""The package's layers, as import-linter checks them (the contracts are in pyproject.toml, under
[tool.importlinter]): imports run one way (widgets -> figures -> maths -> the shared modules), each
layer uses only its own libraries, and cnn_helpers never imports the instructor tools. Each contract
is also shown failing, on a copy of the package with one import added that breaks it. Beside them: no
module imports another's private name, and every module is one screen-sized concern."""

from __future__ import annotations

import ast
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tomllib

from paths import ROOT
import pytest

PACKAGE = ROOT / "cnn_helpers"
CONTRACTS = {
    contract["id"]: contract["name"]
    for contract in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
}
MAX_LINES = 250


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    """import-linter's command run on the packages in ``folder`` with the contracts of its
    pyproject.toml (it lints the packages of the folder it runs in); its status and report."""
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, f"no lint-imports beside {sys.executable}: install the test extra"
    return subprocess.run(
        [command, "--no-cache"],
        cwd=folder,
        env={**os.environ, "COLUMNS": "1000"},  # a contract's name and its verdict on one line
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_imports_keep_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in result.stdout


#: Per contract, an import that breaks it: the module it is added to (from the root), what it imports,
#: and the lines added. (It may break other contracts too: cnn_helpers' __init__, for one, imports
#: every layer, so a module that imports it reaches them all.)
BREAKS = {
    "layers": (
        "cnn_helpers/_args.py",
        "cnn_helpers.maths.padding",
        "def _limits():\n    from .maths import padding\n",
    ),
    "top-without-widgets": (
        "cnn_helpers/checks/model.py",
        "cnn_helpers.widgets.base",
        "from ..widgets import base\n",
    ),
    "widgets-without-top": (
        "cnn_helpers/widgets/unit.py",
        "cnn_helpers.data",
        "from ..data import load_mnist\n",
    ),
    "package-root": ("cnn_helpers/maths/unit.py", "cnn_helpers", "import cnn_helpers\n"),
    "maths-draws-nothing": ("cnn_helpers/_words.py", "matplotlib", "import matplotlib.pyplot\n"),
    "figures-know-no-widgets": ("cnn_helpers/figures/unit.py", "ipywidgets", "import ipywidgets\n"),
    "figures-draw-arrays": ("cnn_helpers/figures/filters.py", "keras", "import keras\n"),
    "lean-install": ("cnn_helpers/data.py", "ipycanvas", "def _pad():\n    import ipycanvas\n"),
    "helpers-without-instructor": (
        "cnn_helpers/maths/unit.py",
        "cnn_instructor.exercise",
        "from cnn_instructor import exercise\n",
    ),
    "instructor-without-tensorflow": ("cnn_instructor/plan.py", "keras", "import keras\n"),
}


def test_every_contract_has_an_import_that_breaks_it():
    assert set(BREAKS) == set(CONTRACTS)


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_a_contract_is_broken_by_an_import_it_forbids(tmp_path, contract):
    module, imported, lines = BREAKS[contract]
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("cnn_helpers", "cnn_instructor"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / module
    line = len(path.read_text().splitlines()) + 2 + lines.count("\n")  # the import: the last line added
    with open(path, "a") as source:
        source.write("\n\n" + lines)
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout, result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {imported} (l.{line})" in result.stdout, result.stdout  # the report shows it


# import-linter follows modules, not names; ruff's import-private-name (PLC2701, in preview) skips a
# package's imports of its own modules. So this one rule is checked here, on the syntax tree.
def private_names(path: Path, root: Path = ROOT) -> list[str]:
    """The imports ``from x import _name`` in ``path`` where ``_name`` is not a module: another
    module's private name. ``root``: where absolute imports start."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        folder = path.parents[node.level - 1] if node.level else root  # where the imported module is
        folder = folder.joinpath(*node.module.split(".")) if node.module else folder
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.endswith("__")
            module = (folder / f"{alias.name}.py").exists() or (folder / alias.name / "__init__.py").exists()
            if private and not module:
                found.append(
                    f"line {node.lineno}: from {'.' * node.level}{node.module or ''} import {alias.name}"
                )
    return found


SOURCES = sorted(
    path
    for folder in ("cnn_helpers", "cnn_instructor", "testbed", "benchmarks", "tests")
    for path in (ROOT / folder).rglob("*.py")
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_modules_private_name(path):
    assert private_names(path) == []


@pytest.mark.parametrize(
    ("module", "source", "found"),
    [
        ("figures/images.py", "from ._base import _root", ["from ._base import _root"]),
        ("figures/images.py", "from ..maths.layers import _secret", ["from ..maths.layers import _secret"]),
        (
            "maths/unit.py",
            "def f():\n    from keras.src.utils import _private",
            ["from keras.src.utils import _private"],
        ),
        ("figures/images.py", "from ._base import describe\nfrom .. import _args", []),  # a private module
        ("figures/__init__.py", "from __future__ import annotations\nfrom . import _panels", []),
    ],
)
def test_a_private_name_is_found_and_a_private_module_is_not(tmp_path, module, source, found):
    shutil.copytree(PACKAGE, tmp_path / "cnn_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "cnn_helpers" / module
    path.write_text(source)
    assert [line.split(": ", 1)[1] for line in private_names(path, root=tmp_path)] == found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_is_one_screenful_of_concern(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by concern (at most {MAX_LINES})"


def test_the_instructor_contract_names_every_module_but_the_hidden_tests_and_the_judge():
    """A new module of cnn_instructor must be listed in the contract (import-linter has no "all
    but one")."""
    (contract,) = [
        c
        for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
        if c["id"] == "instructor-without-tensorflow"
    ]
    modules = {
        "cnn_instructor" if path.stem == "__init__" else f"cnn_instructor.{path.stem}"
        for path in (ROOT / "cnn_instructor").glob("*.py")
    }
    assert set(contract["source_modules"]) == modules - {
        "cnn_instructor.hidden_tests",
        "cnn_instructor.judge",
    }
