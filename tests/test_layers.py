"""The package's layers: imports run one way (widgets -> figures -> maths -> the ground), no module
imports another's private name, each layer uses only its own libraries, and every module is one
screen-sized concern. Each rule is also shown failing on a module written to break it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnn_helpers"

#: The layers, lowest first, and the layers each may import from. The shared pieces (argument checks,
#: words, colours, TensorFlow's quiet import) serve every layer; data loading and the student
#: checks sit at the top beside the flat public names, and use the shared pieces and maths.
SHARED = {"cnn_helpers._args", "cnn_helpers._words", "cnn_helpers._quiet"}
MAY_USE = {
    "shared": {"shared"},
    "maths": {"shared", "maths"},
    "figures": {"shared", "maths", "figures"},
    "widgets": {"shared", "maths", "figures", "widgets"},
    "top": {"shared", "maths", "figures", "top"},  # not widgets: they need the lesson extra
}
#: Third-party libraries a layer must not import: computations draw nothing, figures know no widgets.
NOT_IN = {
    "shared": {"matplotlib", "ipywidgets", "ipycanvas"},
    "maths": {"matplotlib", "ipywidgets", "ipycanvas"},
    "figures": {"ipywidgets", "ipycanvas"},
    "widgets": set(),
    "top": {"ipywidgets", "ipycanvas"},  # the lean install has no widgets: they are imported apart
}
MAX_LINES = 250


def layer(module: str) -> str:
    """The layer of a module of the package, from its dotted name."""
    if module in SHARED:
        return "shared"
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("maths", "figures", "widgets"):
        return parts[1]
    if module in ("cnn_helpers", "cnn_helpers.data") or module.startswith("cnn_helpers.checks"):
        return "top"
    raise AssertionError(f"{module} belongs to no layer: put it in maths/, figures/ or widgets/")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or subpackage of cnn_helpers."""
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports(module: str, source: str) -> list[tuple[str, str | None]]:
    """Every import in ``source`` (also inside functions) as ``(absolute module, name or None)``:
    ``from a import b`` is ``("a.b", None)`` when ``a.b`` is a module of the package."""
    found: list[tuple[str, str | None]] = []
    is_package = PACKAGE.parent.joinpath(*module.split("."), "__init__.py").exists()
    base = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                whole = f"{target}.{alias.name}"
                inside = whole.split(".")[0] == "cnn_helpers" and is_module(whole)
                found.append((whole, None) if inside else (target, alias.name))
    return found


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def problems(module: str, source: str) -> list[str]:
    """What breaks the layering rules in ``source``, the code of ``module``."""
    own, found = layer(module), []
    for target, name in imports(module, source):
        if target == "__future__":
            continue
        if name is not None and private(name):
            found.append(f"{module} imports the private name {name} from {target}")
        if target.split(".")[0] == "cnn_helpers":
            if layer(target) not in MAY_USE[own]:
                found.append(f"{module} ({own}) imports {target} ({layer(target)}), a layer it may not use")
        elif target.split(".")[0] in NOT_IN[own]:
            found.append(f"{module} ({own}) imports {target}, which its layer must not use")
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_run_one_way_and_take_no_private_names(path):
    assert problems(module_name(path), path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_each_module_is_one_screenful_of_concern(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by concern (at most {MAX_LINES})"


def test_every_module_belongs_to_a_layer_and_the_layers_are_folders():
    layers = {layer(module_name(path)) for path in MODULES}
    assert layers == set(MAY_USE)
    for name in ("maths", "figures", "widgets", "checks"):
        assert (PACKAGE / name / "__init__.py").exists()
    assert {f"cnn_helpers.{p.stem}" for p in PACKAGE.glob("_*.py") if p.stem != "__init__"} == SHARED


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("cnn_helpers.maths.shifts", "from ..figures._base import describe", "may not use"),
        ("cnn_helpers.figures.images", "from ..widgets.base import show_as_png", "may not use"),
        ("cnn_helpers.figures.images", "from ..widgets import base", "may not use"),
        ("cnn_helpers.maths.shifts", "def f():\n    from cnn_helpers.widgets import base", "may not use"),
        ("cnn_helpers.maths.shifts", "import cnn_helpers.figures.images", "may not use"),
        ("cnn_helpers._args", "from .maths.padding import LIMITS", "may not use"),
        ("cnn_helpers.maths.unit", "from ..data import load_mnist", "may not use"),
        ("cnn_helpers.checks.model", "from ..widgets.base import ShownAsWidget", "may not use"),
        ("cnn_helpers", "from .widgets import DrawingPad", "may not use"),
        ("cnn_helpers.figures.images", "from ..maths.layers import _secret", "private name"),
        ("cnn_helpers.figures.images", "from ._base import _root", "private name"),
        ("cnn_helpers.maths.unit", "from matplotlib import pyplot as plt", "must not use"),
        ("cnn_helpers.figures.unit", "import ipywidgets", "must not use"),
        ("cnn_helpers._words", "import matplotlib.pyplot", "must not use"),
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
