"""The benchmark's own logic: summaries, the targets table, memory units, and timing a notebook's
fit without touching its source."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import resource
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench  # dataclasses look their module up there
spec.loader.exec_module(bench)


def _log(seconds, accuracies):
    return [
        {"epoch": i + 1, "train_s": s, "test_accuracy": a}
        for i, (s, a) in enumerate(zip(seconds, accuracies, strict=True))
    ]


def test_summarize_finds_the_time_to_99_percent():
    summary = bench.summarize(_log([5, 4, 4, 4], [0.98, 0.989, 0.991, 0.993]))
    assert summary["train_s"] == 17
    assert (summary["time_to_99_s"], summary["epoch_to_99"]) == (13, 3)
    assert summary["final_accuracy"] == 0.993
    assert summary["images_per_s"] == pytest.approx(54000 / 4)


def test_summarize_never_reaching_99_and_an_empty_log():
    assert bench.summarize(_log([3, 3], [0.95, 0.97]))["time_to_99_s"] is None
    with pytest.raises(ValueError, match="training log is empty"):
        bench.summarize([])


def _runs(lesson_wall=60.0, accuracy=0.9941, rss=1.4, explore_wall=40.0):
    return {
        "reference_training": [_log([6] * 15, [0.98] * 10 + [0.9905] * 5)] * 2,  # 90 s, 99 % after 66 s
        "lesson_training": [_log([4] * 14, [0.985, 0.99] + [0.994] * 12)] * 2,  # 99 % after 8 s
        "lesson_notebook": [{"wall_s": lesson_wall, "peak_rss_gib": rss, "test_accuracy": accuracy}] * 2,
        "explore_notebook": [{"wall_s": explore_wall, "peak_rss_gib": 1.0, "test_accuracy": None}] * 2,
    }


def test_figures_are_ratios_against_the_reference():
    values = bench.figures(_runs())
    assert values["lesson_ratio"] == pytest.approx(60 / 90)
    assert values["explore_ratio"] == pytest.approx(40 / 90)
    assert values["time_to_99_ratio"] == pytest.approx(8 / 66)
    assert values["test_accuracy"] == 0.9941 and values["peak_memory_gib"] == 1.4


def test_report_has_one_row_per_target_and_says_which_are_met():
    table = bench.report(bench.figures(_runs()), "test machine", 2).splitlines()
    rows = [line for line in table if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(bench.TARGETS) == 5
    assert all(row.endswith("| met |") for row in rows)
    assert (
        "| whole lesson notebook ÷ reference's 15-epoch training | 0.67 (60 s / 90 s) | ≤ 0.75 | met |"
        in table
    )
    assert "| final test accuracy of the lesson notebook run | 99.41% | ≥ 99.4% | met |" in table
    missed = bench.report(bench.figures(_runs(lesson_wall=80, accuracy=0.993, rss=2.5)), "m", 2)
    assert missed.count("NOT met") == 3


def test_targets_compare_in_their_own_direction():
    at_most, at_least = bench.Target("a", "a", 0.75), bench.Target("b", "b", 0.994, at_least=True)
    assert at_most.met(0.75) and not at_most.met(0.76) and not at_most.met(None)
    assert at_least.met(0.9941) and not at_least.met(0.9939)


def test_max_rss_units(monkeypatch):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    monkeypatch.setattr(bench.sys, "platform", "linux")
    linux = bench.max_rss_gib(usage)
    monkeypatch.setattr(bench.sys, "platform", "darwin")
    assert bench.max_rss_gib(usage) == pytest.approx(linux / 1024)  # macOS reports bytes, Linux KiB


def test_train_lesson_times_the_notebooks_own_fit(tmp_path):
    cells = [
        "import keras\nimport numpy as np\nkeras.utils.set_random_seed(0)",
        "x_test = np.random.default_rng(0).random((50, 4)).astype('float32')\n"
        "y_test = keras.utils.to_categorical(x_test[:, 0] > 0.5, 2)",
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])",
        "history = model.fit(x_test, y_test, epochs=3, verbose=0)",
        "raise RuntimeError('cells after the fit cell are not run')",
    ]
    notebook = {"cells": [{"cell_type": "code", "source": c} for c in cells]}
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(notebook))
    log = bench.train_lesson(path)
    assert [row["epoch"] for row in log] == [1, 2, 3]
    assert all(row["train_s"] > 0 and 0 <= row["test_accuracy"] <= 1 for row in log)
