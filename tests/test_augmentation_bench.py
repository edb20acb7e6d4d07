"""The augmentation benchmark trains the explore notebook's own network, and its table reads its rows."""

from __future__ import annotations

import re

import nbformat
from paths import EXPLORE
import pytest
from tables import markdown_tables

from benchmarks import augmentation


def _notebook_model():
    """The model the explore notebook builds, from its own ``keras.Sequential([...])`` statement."""
    import keras

    source = next(
        c.source
        for c in nbformat.read(EXPLORE, as_version=4).cells
        if "model = keras.Sequential(" in c.source
    )
    statement = re.search(r"^model = keras\.Sequential\(\n.*?^\)$", source, re.M | re.S).group(0)
    scope = {"keras": keras}
    exec(statement, scope)
    return scope["model"]


@pytest.mark.slow  # trains twice on 2,000 digits
def test_the_benchmark_trains_the_notebooks_network_with_and_without_shifts():
    rows = augmentation.measure([5], epochs=1, train_count=2000)
    assert [r["training"] for r in rows] == ["shifted", "plain"]
    assert all(r["pixels"] == list(augmentation.SHIFTS) for r in rows)
    assert all(0.1 < r["accuracy_intact"][0] <= 1 for r in rows)  # trained: better than guessing
    import keras
    import numpy as np

    x = np.zeros((1, 28, 28, 1), "float32")
    model = augmentation.build_and_train(x, keras.utils.to_categorical([3], 10), seed=1, epochs=1, shift=0.0)
    notebook = _notebook_model()
    assert [type(layer).__name__ for layer in model.layers] == [
        type(layer).__name__ for layer in notebook.layers
    ]
    assert [layer.get_config() | {"name": ""} for layer in model.layers] == [
        layer.get_config() | {"name": ""} for layer in notebook.layers
    ]


def test_the_table_gives_the_median_and_range_over_seeds_of_each_training():
    def row(seed, training, intact):
        return {"seed": seed, "training": training, "pixels": [0, 3], "accuracy_intact": intact}

    rows = [
        row(1, "shifted", [0.99, 0.90]),
        row(1, "plain", [0.99, 0.50]),
        row(2, "shifted", [0.98, 0.80]),
        row(2, "plain", [0.97, 0.40]),
        row(3, "shifted", [0.97, 0.85]),
        row(3, "plain", [0.98, 0.45]),
    ]
    (table,) = markdown_tables(augmentation.report(rows))
    assert [r["shift (pixels)"] for r in table] == ["0", "3"]
    assert table[1]["intact, trained on shifted digits"] == "85.0% (80.0%–90.0%)"
    assert table[1]["intact, trained on plain digits"] == "45.0% (40.0%–50.0%)"
