"""Import every module of the cnn_helpers that this python finds; print the outcome as one JSON line.

Run by tests/test_packaging.py with the python of an environment (``python -c``, so that the current
folder comes first on the path): the modules are found with ``pkgutil.walk_packages``, so new
subpackages come in by themselves. The widget modules need the lesson extra (ipywidgets, ipycanvas):
they are imported if ipywidgets is installed, and otherwise listed as skipped, with the reason.
"""

import importlib
import importlib.util
import json
import os
import pkgutil
import sys

import cnn_helpers


def needs_lesson_extra(name: str) -> bool:
    """The widgets' layer (cnn_helpers.widgets and below) is the one that imports ipywidgets."""
    return name == "cnn_helpers.widgets" or name.startswith("cnn_helpers.widgets.")


def listed(paths: list[str], prefix: str):
    """The modules under ``paths`` (a package's folders), found without importing the package."""
    for info in pkgutil.iter_modules(paths, prefix):
        yield info.name
        if info.ispkg:
            folder = os.path.join(info.module_finder.path, info.name.rsplit(".", 1)[1])
            yield from listed([folder], info.name + ".")


def main() -> None:
    unwalked: list[str] = []  # packages that walk_packages could not import, so could not walk into
    walked = pkgutil.walk_packages(cnn_helpers.__path__, "cnn_helpers.", onerror=unwalked.append)
    names = ["cnn_helpers", *(info.name for info in walked)]
    for package in unwalked:
        parent, _, child = package.rpartition(".")
        names += listed(
            [os.path.join(folder, child) for folder in sys.modules[parent].__path__], package + "."
        )
    has_ipywidgets = importlib.util.find_spec("ipywidgets") is not None
    result = {"has_ipywidgets": has_ipywidgets, "imported": {}, "skipped": {}, "failed": {}}
    for name in sorted(set(names)):
        if needs_lesson_extra(name) and not has_ipywidgets:
            result["skipped"][name] = "needs the lesson extra, and ipywidgets is not installed here"
            continue
        try:
            result["imported"][name] = importlib.import_module(name).__file__
        except Exception as error:  # every failure is reported, none stops the others
            result["failed"][name] = f"{type(error).__name__}: {error}"
    print(json.dumps(result))


main()
