"""The judge: ``python -m cnn_instructor.judge <folder>`` runs each part's hidden test
(``cnn_instructor.hidden_tests``) on what the graded cells saved in ``folder`` and prints the
verdicts as one line of JSON.

It runs in a fresh process that imported nothing from the student's kernel: numpy, Keras and the
hidden tests are its own, the arrays come from ``.npz`` files read without pickle, and each model is
rebuilt by Keras from its saved layers, weights and compile settings (``safe_mode``: a model that
needs code of its own to load is refused). A submission can only change what it hands over.
Like ``hidden_tests``, this module imports TensorFlow; ``cnn_instructor.grading`` starts it.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys
import traceback
from typing import Any

from . import hidden_tests
from .assignment import PARTS, Part
from .hidden_region import graded_files


class Missing(Exception):
    """A graded cell stopped before it saved what its part needs."""


def _load(folder: Path, part: Part) -> dict[str, Any]:
    """The objects ``part``'s graded cell saved, by argument name: arrays and Keras models."""
    import keras
    import numpy as np

    objects: dict[str, Any] = {}
    for name, file in graded_files(part).items():
        path = folder / file
        if not path.is_file():
            raise Missing(f"{name} was not handed over")
        if file.endswith(".keras"):
            objects[name] = keras.saving.load_model(path, compile=True, safe_mode=True)
        else:
            with np.load(path, allow_pickle=False) as saved:
                if name not in saved.files:
                    raise Missing(f"{name} was not handed over")
                objects[name] = saved[name]
    return objects


def verdict(folder: Path, part: Part) -> dict[str, Any]:
    """Whether ``part`` passes on what was saved in ``folder``: ``passed``, ``missing`` (nothing
    saved: its cell stopped), the error's name and message, and the traceback for the instructor."""
    result = {
        "part": part.grade_id,
        "passed": False,
        "missing": False,
        "ename": "",
        "message": "",
        "traceback": "",
    }
    try:
        objects = _load(folder, part)
        getattr(hidden_tests, part.test)(**objects, **part.settings)
    except Missing as error:
        message = f"not graded: {error}; the cell stopped before its end (its message says why)"
        return {**result, "missing": True, "ename": "NotGraded", "message": message}
    except Exception as error:  # any failure of a part costs that part, and says why
        message = str(error)
        if not isinstance(error, AssertionError):
            message = f"this part could not be graded: {type(error).__name__}: {error}"
        return {**result, "ename": "AssertionError", "message": message, "traceback": traceback.format_exc()}
    return {**result, "passed": True}


def main(argv: list[str] | None = None) -> int:
    """Print the verdicts on ``argv[0]``'s saved objects, every part, as one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m cnn_instructor.judge <folder of the graded objects>", file=sys.stderr)
        return 2
    print(json.dumps([verdict(Path(args[0]), part) for part in PARTS]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
