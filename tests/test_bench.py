"""The benchmark's own logic: pairing the lesson with the reference, the figures and their spreads,
the verdicts, memory units, and replaying a notebook's own fit one epoch at a time."""

from __future__ import annotations

import json
import resource

import pytest
from tables import markdown_tables

from benchmarks import bench


def _log(seconds, accuracies):
    return [
        {"epoch": i + 1, "train_s": s, "test_accuracy": a}
        for i, (s, a) in enumerate(zip(seconds, accuracies, strict=True))
    ]


def _trainings(seed=1, slow=1.0):
    """Reference epochs of 10 s (99 % after its 10th); lesson epochs of 5 s (99 % after its 3rd).

    ``slow`` multiplies both epochs of every pair from the 2nd on: a machine that slowed down.
    """
    reference = _log([10] + [10 * slow] * 14, [0.98] * 9 + [0.991] * 6)
    lesson = _log([8] + [5 * slow] * 11, [0.97, 0.985, 0.990] + [0.994] * 9)
    return {"seed": seed, "reference": reference, "lesson": lesson}


def test_epochs_to_99():
    assert bench.epochs_to_99(_log([1, 1, 1], [0.98, 0.99, 0.995])) == 2
    assert bench.epochs_to_99(_log([1, 1], [0.95, 0.97])) is None


def test_paired_figures_measure_the_lesson_in_reference_epochs():
    paired = bench.paired_figures(_trainings())
    assert paired["speed_ratio"] == pytest.approx(2.0)  # 5 s against 10 s per epoch
    assert (paired["lesson_epoch_to_99"], paired["reference_epoch_to_99"]) == (3, 10)
    assert paired["time_to_99_ratio"] == pytest.approx((0.8 + 0.5 + 0.5) / 10)
    assert paired["lesson_final_accuracy"] == 0.994


def test_a_swing_of_the_machine_does_not_move_the_paired_figures():
    steady, slowed = bench.paired_figures(_trainings()), bench.paired_figures(_trainings(slow=3.0))
    assert slowed["speed_ratio"] == pytest.approx(steady["speed_ratio"])
    assert slowed["time_to_99_ratio"] == pytest.approx(steady["time_to_99_ratio"])


def test_paired_figures_never_reaching_99_and_empty_logs():
    never = _trainings()
    never["lesson"] = _log([5] * 3, [0.95, 0.96, 0.97])
    assert bench.paired_figures(never)["time_to_99_ratio"] is None
    with pytest.raises(ValueError, match="training logs are empty"):
        bench.paired_figures({"seed": 1, "reference": [], "lesson": []})


def _runs(walls=(60, 60, 60), accuracies=(0.9941, 0.9950, 0.9946), references=(90, 90, 90, 90), rss=0.9):
    return {
        "trainings": [_trainings(seed) for seed in (1, 2, 3)],
        "reference_training": [{"seed": 1, "train_s": s} for s in references],
        "lesson_notebook": [
            {"seed": s, "wall_s": w, "peak_rss_gib": rss, "test_accuracy": a}
            for s, w, a in zip((1, 2, 3), walls, accuracies, strict=True)
        ],
        "explore_notebook": [
            {"seed": s, "wall_s": 30, "peak_rss_gib": 0.8, "test_accuracy": None} for s in (1, 2, 3)
        ],
    }


def test_each_notebook_is_divided_by_the_two_reference_trainings_around_it():
    values = bench.figures(_runs(walls=(60, 90, 120), references=(100, 80, 100, 140)))
    ratios = [60 / 90, 90 / 90, 120 / 120]  # means of (100, 80), (80, 100), (100, 140)
    assert values["lesson_ratio"] == pytest.approx(sorted(ratios)[1])
    assert values["spreads"]["lesson_ratio"] == pytest.approx((min(ratios), max(ratios)))
    assert values["explore_ratio"] == pytest.approx(sorted([30 / 90, 30 / 90, 30 / 120])[1])


def test_accuracy_figures_are_the_median_and_the_lowest_seed():
    values = bench.figures(_runs(accuracies=(0.9941, 0.9929, 0.9950)))
    assert values["test_accuracy"] == 0.9941 and values["lowest_accuracy"] == 0.9929
    assert values["peak_memory_gib"] == 0.9 and values["explore_memory_gib"] == 0.8


def test_verdicts_met_not_met_and_undecided():
    values = bench.figures(_runs())
    verdicts = {t.key: bench.verdict(t, values) for t in bench.TARGETS}
    assert set(verdicts.values()) == {"met"}
    low = bench.figures(_runs(accuracies=(0.9929, 0.9931, 0.9935), rss=1.2))
    assert bench.verdict(_target("test_accuracy"), low) == "NOT met"
    assert bench.verdict(_target("lowest_accuracy"), low) == "NOT met"
    assert bench.verdict(_target("peak_memory_gib"), low) == "NOT met"
    straddling = bench.figures(_runs(walls=(60, 70, 80)))  # 0.67, 0.78, 0.89 against <= 0.75
    assert bench.verdict(_target("lesson_ratio"), straddling) == "undecided"


def _target(key):
    return next(t for t in bench.TARGETS if t.key == key)


def test_report_has_one_row_per_target_with_its_spread():
    table = bench.report(bench.figures(_runs(walls=(60, 66, 72))), "test machine", [1, 2, 3])
    (rows,) = markdown_tables(table)
    assert [row["figure"] for row in rows] == [target.label for target in bench.TARGETS]
    by_key = {target.key: row for target, row in zip(bench.TARGETS, rows, strict=True)}
    lesson = by_key["lesson_ratio"]  # 60, 66 and 72 s against the reference's 90 s
    assert lesson["measured: median (lowest–highest)"] == "0.73 (0.67–0.80)"
    assert (lesson["target"], lesson[""]) == ("≤ 0.75", "undecided")  # the spread straddles 0.75
    assert by_key["test_accuracy"]["measured: median (lowest–highest)"] == "99.46% (99.41%–99.50%)"
    assert "Seeds: 1, 2, 3" in table and "swung by 0%" in table


def test_targets_compare_in_their_own_direction():
    at_most, at_least = bench.Target("a", "a", 0.75), bench.Target("b", "b", 0.994, at_least=True)
    assert at_most.met(0.75) and not at_most.met(0.76) and not at_most.met(None)
    assert at_least.met(0.9941) and not at_least.met(0.9939)


def test_the_plan_brackets_every_notebook_run_with_reference_trainings():
    names = [name for name, _ in bench.plan([1, 2])]
    assert (
        names
        == ["trainings", "trainings", "reference_training"]
        + [
            "lesson_notebook",
            "explore_notebook",
            "reference_training",
        ]
        * 2
    )


def test_seeds_option():
    assert bench.parse_seeds("1,2, 3") == [1, 2, 3]
    with pytest.raises(Exception, match="integers separated by commas"):
        bench.parse_seeds("1,two")


def test_max_rss_units(monkeypatch):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    monkeypatch.setattr(bench.sys, "platform", "linux")
    linux = bench.max_rss_gib(usage)
    monkeypatch.setattr(bench.sys, "platform", "darwin")
    assert bench.max_rss_gib(usage) == pytest.approx(linux / 1024)  # macOS reports bytes, Linux KiB


def test_the_lesson_is_replayed_from_the_notebooks_own_cells(tmp_path):
    cells = [
        ("SEED = 0\nEPOCHS = 3", ["parameters"]),
        ("import keras\nimport numpy as np\nkeras.utils.set_random_seed(SEED)", []),
        (
            "x_test = np.random.default_rng(SEED).random((50, 4)).astype('float32')\n"
            "y_test = keras.utils.to_categorical(x_test[:, 0] > 0.5, 2)",
            [],
        ),
        (
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation='softmax')])\n"
            "model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])",
            [],
        ),
        ("history = model.fit(x_test, y_test, epochs=EPOCHS, verbose=2)", []),
        ("raise RuntimeError('cells after the fit cell are not run')", []),
    ]
    notebook = {
        "cells": [
            {
                "id": f"cell{i}",
                "cell_type": "code",
                "source": s,
                "metadata": {"tags": t},
                "outputs": [],
                "execution_count": None,
            }
            for i, (s, t) in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "tiny.ipynb"
    path.write_text(json.dumps(notebook))
    model, fit, (x_test, _) = bench.lesson_from_notebook(path, seed=7)
    assert fit["epochs"] == 3 and fit["verbose"] == 0 and fit["x"] is x_test  # the cell's own arguments
    rows = [
        bench.one_epoch(model, {k: v for k, v in fit.items() if k != "epochs"}, e, (x_test, fit["y"]))
        for e in (1, 2)
    ]
    assert [r["epoch"] for r in rows] == [1, 2] and int(model.optimizer.iterations) == 4  # 2 steps per epoch
    assert all(r["train_s"] > 0 and 0 <= r["test_accuracy"] <= 1 for r in rows)
