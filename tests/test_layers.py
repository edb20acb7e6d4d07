"""The package's layers: imports run one way (widgets -> figures -> maths -> the ground), no module
imports another's private name, each layer uses only its own libraries, and every module is one
screen-sized concern. Each rule is also shown failing on a module written to break it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnn_helpers"

#: The layer of a module, by its dotted name; the modules each layer may import from.
GROUND = {"cnn_helpers._args", "cnn_helpers._words", "cnn_helpers._quiet", "cnn_helpers.data"}
MAY_USE = {
    "ground": {"ground"},
    "maths": {"ground", "maths"},
    "checks": {"ground", "maths", "checks"},
    "figures": {"ground", "maths", "figures"},
    "widgets": {"ground", "maths", "figures", "widgets"},
    "top": {"ground", "maths", "checks", "figures", "widgets", "top"},
}
#: Third-party libraries a layer must not import: computations draw nothing, figures know no widgets.
NOT_IN = {
    "ground": {"matplotlib", "ipywidgets", "ipycanvas"},
    "maths": {"matplotlib", "ipywidgets", "ipycanvas"},
    "checks": {"matplotlib", "ipywidgets", "ipycanvas"},
    "figures": {"ipywidgets", "ipycanvas"},
    "widgets": set(),
    "top": {"ipywidgets", "ipycanvas"},  # the lean install has no widgets: they are imported apart
}
MAX_LINES = 250


def layer(module: str) -> str:
    """The layer of a module of the package, from its dotted name."""
    if module in GROUND:
        return "ground"
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("maths", "checks", "figures", "widgets"):
        return parts[1]
    if module == "cnn_helpers":
        return "top"
    raise AssertionError(f"{module} belongs to no layer: put it in maths/, figures/ or widgets/")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(module: str, source: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """Every import in ``source`` (also inside functions) as ``(absolute module, [names])``."""
    found = []
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append((target, [alias.name for alias in node.names]))
    return found


def problems(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """What breaks the layering rules in ``source``, the code of ``module``."""
    own, found = layer(module), []
    for target, names in imports(module, source, is_package):
        if target == "__future__":
            continue
        if target.split(".")[0] == "cnn_helpers":
            if layer(target) not in MAY_USE[own]:
                found.append(f"{module} ({own}) imports {target} ({layer(target)}), a higher layer")
            private = [n for n in names if n.startswith("_")]
            if private:
                found.append(f"{module} imports the private name(s) {private} from {target}")
        elif target.split(".")[0] in NOT_IN[own]:
            found.append(f"{module} ({own}) imports {target}, which its layer must not use")
        elif any(n.startswith("_") for n in names):
            found.append(f"{module} imports the private name(s) {names} from {target}")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_run_one_way_and_take_no_private_names(path):
    assert problems(module_name(path), path.read_text(), is_package=path.name == "__init__.py") == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_each_module_is_one_screenful_of_concern(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by concern (at most {MAX_LINES})"


def test_every_module_belongs_to_a_layer_and_the_layers_are_folders():
    layers = {layer(module_name(path)) for path in MODULES}
    assert layers == set(MAY_USE)
    for name in ("maths", "figures", "widgets", "checks"):
        assert (PACKAGE / name / "__init__.py").exists()


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("cnn_helpers.maths.shifts", "from ..figures._base import describe", "a higher layer"),
        ("cnn_helpers.figures.images", "from ..widgets.base import show_as_png", "a higher layer"),
        ("cnn_helpers.maths.shifts", "def f():\n    from cnn_helpers.widgets import base", "a higher layer"),
        ("cnn_helpers._args", "from .maths.padding import LIMITS", "a higher layer"),
        ("cnn_helpers.checks.model", "from ..figures.images import show_images", "a higher layer"),
        ("cnn_helpers.figures.images", "from ..maths.layers import _secret", "private name"),
        ("cnn_helpers.figures.images", "from ._base import _root", "private name"),
        ("cnn_helpers.maths.unit", "from matplotlib import pyplot as plt", "must not use"),
        ("cnn_helpers.figures.unit", "import ipywidgets", "must not use"),
        ("cnn_helpers.figures.unit", "from keras.src.utils import _private", "private name"),
    ],
)
def test_the_rules_catch_what_they_forbid(module, source, expected):
    found = problems(module, source)
    assert len(found) == 1 and expected in found[0], found


def test_public_names_from_a_private_module_and_lower_layers_pass():
    source = (
        "from ._base import describe\nfrom ..maths.padding import LIMITS\nfrom .._args import check_array"
    )
    assert problems("cnn_helpers.figures.padding", source) == []
