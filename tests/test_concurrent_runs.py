"""Two runs of the lesson at the same time (a student's and CI's, say) must not clobber each other:
the lesson's save-and-reload cell, run twice at once, works in both runs."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys

import nbformat
from paths import LESSON
import pytest

pytestmark = pytest.mark.slow  # two new Pythons import TensorFlow and save a model at once


# What the cell needs from the cells before it, with a small model so that the test is quick.
PRELUDE = """
from pathlib import Path
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(0)
x_test = np.random.default_rng(0).random((100, 28, 28, 1)).astype("float32")
model = keras.Sequential(
    [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
)
model.compile(loss="categorical_crossentropy", optimizer="adam")
test_probabilities = model.predict(x_test, verbose=0)
"""


def test_the_save_and_reload_cell_runs_twice_at_the_same_time(tmp_path):
    notebook = nbformat.read(LESSON, as_version=4)
    cell = next(c.source for c in notebook.cells if c.cell_type == "code" and "model.save(" in c.source)
    script = tmp_path / "save_cell.py"
    script.write_text(PRELUDE + cell + "\nprint('SAVED TO', model_path)\n")
    temporary = tmp_path / "tmp"  # the runs' temporary folder: what they write stays in the test's
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    runs = [
        subprocess.Popen(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        results = [run.communicate(timeout=300) + (run.returncode,) for run in runs]
    finally:
        for run in runs:
            run.kill()
    for out, err, code in results:
        assert code == 0, err
        assert "saved and reloaded mnist_cnn.keras" in out
    paths = [Path(out.split("SAVED TO ")[1].strip()) for out, _, _ in results]
    assert paths[0] != paths[1], "both runs wrote the same file"
    assert all(path.is_file() and temporary in path.parents for path in paths)
    assert list(tmp_path.glob("*.keras")) == []  # nothing written into the folder the runs started in
