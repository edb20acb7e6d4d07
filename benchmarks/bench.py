"""Classroom-speed benchmark: the lesson against the Keras "Simple MNIST convnet" example, measured
side by side in one run and reported as ratios, because the machines' speed swings several-fold
from one run to the next.

    python -m benchmarks.bench                  # full run: seeds 1, 2 and 3 (about 30 minutes)
    python -m benchmarks.bench --quick          # one seed (about 10 minutes)
    python -m benchmarks.bench --seeds 4,5,6    # other seeds

Every measurement runs in a fresh process, and each lesson measurement is paired with a
reference measurement made next to it in time:

- **Trainings, epoch by epoch.** One process builds the reference model and runs the lesson
  notebook's own cells up to its training cell (with the seed injected after its ``parameters``
  cell, as papermill does), then trains the two alternately, one epoch each: reference epoch 1,
  lesson epoch 1, reference epoch 2, ... Each pair of epochs is timed seconds apart, so a swing
  of the machine's speed hits both. After every epoch, outside the timed part, the test accuracy
  is measured. Per seed: the lesson's images/s relative to the reference (median over the epoch
  pairs) and its time to 99 % test accuracy in reference epochs.
- **Whole notebooks.** The reference's 15-epoch training (R), then for each seed the whole
  lesson notebook (N) and the whole explore notebook (E), then R again: R N E R N E R ... Each
  notebook's time is divided by the mean of the two reference trainings around it. The kernel's
  peak memory (``ru_maxrss``) and the lesson's printed test accuracy come from the same runs.

The report gives each figure's median over the seeds and its spread (lowest–highest), the
spread of the reference's own times (how much the machine swung), and says "undecided" where the
spread straddles the target. Results are also written as JSON (``benchmarks/results/latest.json``).
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass
import inspect
import io
import json
import os
from pathlib import Path
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks import EXPLORE, LESSON, ROOT

TRAIN_IMAGES = 54000  # both recipes train on 90% of MNIST's 60,000 training images
REFERENCE_EPOCHS = 15


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    at_least: bool = False  # True: the figure must be >= limit; False: <= limit

    def met(self, value: float | None) -> bool:
        return value is not None and (value >= self.limit if self.at_least else value <= self.limit)

    def text(self) -> str:
        unit = " GiB" if self.key.endswith("memory_gib") else ""
        limit = f"{self.limit:.1%}" if "accuracy" in self.key else f"{self.limit:g}{unit}"
        return ("≥ " if self.at_least else "≤ ") + limit


TARGETS = (
    Target("lesson_ratio", "whole lesson notebook ÷ reference's 15-epoch training", 0.75),
    Target("test_accuracy", "test accuracy of the lesson notebook (median over seeds)", 0.994, at_least=True),
    Target("lowest_accuracy", "test accuracy of the lesson notebook (lowest seed)", 0.993, at_least=True),
    Target("time_to_99_ratio", "lesson's time to 99.0 % test accuracy ÷ reference's", 0.2),
    Target("peak_memory_gib", "peak memory of the lesson notebook's kernel", 1.0),
    Target("explore_ratio", "whole explore notebook ÷ reference's 15-epoch training", 0.5),
    Target("explore_memory_gib", "peak memory of the explore notebook's kernel", 1.0),
)


# --------------------------------------------------------------------------- notebooks
def parameterized(notebook: Path, seed: int, folder: Path) -> Path:
    """A copy of ``notebook`` in ``folder`` with ``SEED = seed`` injected after its parameters cell."""
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["papermill"] = {}  # where papermill records what it injected
    for cell in nb.cells:  # papermill looks for tags on every cell (its reader adds them)
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(nb, {"SEED": seed}, kernel_name="python3")
    path = folder / notebook.name
    nbformat.write(nb, path)
    return path


def code_cells(notebook: Path) -> list[str]:
    """The sources of the code cells of the notebook at ``notebook``."""
    import nbformat

    return [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def max_rss_gib(usage: resource.struct_rusage) -> float:
    """``ru_maxrss`` in GiB: kibibytes on Linux, bytes on macOS."""
    per_unit = 1 if sys.platform == "darwin" else 1024
    return usage.ru_maxrss * per_unit / 2**30


def run_notebook(notebook: Path, seed: int) -> dict:
    """Execute the notebook with ``seed`` in a fresh kernel: wall time, kernel's peak RSS, accuracy.

    Call it in a process of its own: RUSAGE_CHILDREN covers every child this process waited for.
    """
    with tempfile.TemporaryDirectory() as out:
        path = parameterized(notebook, seed, Path(out))
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
        command += [str(path), "--output", "executed.ipynb"]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, check=True, cwd=notebook.parent)
        wall = time.perf_counter() - start
        executed = (Path(out) / "executed.ipynb").read_text()
    accuracy = re.search(r"Test accuracy: ([0-9.]+)", executed)
    return {
        "seed": seed,
        "wall_s": wall,
        "peak_rss_gib": max_rss_gib(resource.getrusage(resource.RUSAGE_CHILDREN)),
        "test_accuracy": float(accuracy.group(1)) if accuracy else None,
    }


# --------------------------------------------------------------------------- trainings
def _reference(seed: int):
    """The Keras example "Simple MNIST convnet" (keras-io examples/vision/mnist_convnet.py):
    ``(model, fit keyword arguments, (x_test, y_test))``."""
    from cnn_helpers import load_mnist
    import keras
    import numpy as np

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    fit = {"x": x_train, "y": y_train, "batch_size": 128, "validation_split": 0.1, "verbose": 0}
    return model, fit, (x_test, y_test)


def lesson_from_notebook(notebook: Path, seed: int):
    """The lesson's model and its own ``fit`` arguments: ``(model, fit keyword arguments, test data)``.

    Runs the notebook's code cells up to its training cell (``SEED = seed`` after the parameters
    cell), then that cell with ``keras.Model.fit`` only recording its arguments.
    """
    import keras
    import matplotlib

    matplotlib.use("Agg")
    with tempfile.TemporaryDirectory() as folder:
        cells = code_cells(parameterized(notebook, seed, Path(folder)))
    fit_index = next(i for i, source in enumerate(cells) if "model.fit(" in source)
    namespace: dict = {"__name__": "__notebook__"}
    recorded: dict = {}
    original_fit = keras.Model.fit

    def record(self, *args, **kwargs):
        bound = inspect.signature(original_fit).bind(self, *args, **kwargs)
        recorded.update(model=self, arguments={k: v for k, v in bound.arguments.items() if k != "self"})

    keras.Model.fit = record
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for source in cells[: fit_index + 1]:
                exec(compile(source, "<notebook cell>", "exec"), namespace)
    finally:
        keras.Model.fit = original_fit
    fit = {**recorded["arguments"].pop("kwargs", {}), **recorded["arguments"], "verbose": 0}
    return recorded["model"], fit, (namespace["x_test"], namespace["y_test"])


def one_epoch(model, fit: dict, epoch: int, test) -> dict:
    """Train ``model`` for its epoch ``epoch`` (from 1) with its ``fit`` arguments; time it, then test."""
    arguments = {**fit, "epochs": epoch, "initial_epoch": epoch - 1}
    start = time.perf_counter()
    model.fit(**arguments)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(test[0], test[1], batch_size=1000, verbose=0)[1]
    return {"epoch": epoch, "train_s": seconds, "test_accuracy": float(accuracy)}


def interleaved_trainings(notebook: Path, seed: int) -> dict:
    """Train the reference and the lesson alternately, one epoch each; both logs, epoch by epoch."""
    reference, reference_fit, reference_test = _reference(seed)
    lesson, lesson_fit, lesson_test = lesson_from_notebook(notebook, seed)
    lesson_epochs = lesson_fit.pop("epochs")
    logs: dict[str, list] = {"reference": [], "lesson": []}
    for epoch in range(1, max(REFERENCE_EPOCHS, lesson_epochs) + 1):
        if epoch <= REFERENCE_EPOCHS:
            logs["reference"].append(one_epoch(reference, reference_fit, epoch, reference_test))
        if epoch <= lesson_epochs:
            logs["lesson"].append(one_epoch(lesson, lesson_fit, epoch, lesson_test))
    return {"seed": seed, **logs}


def reference_training(seed: int, epochs: int = REFERENCE_EPOCHS) -> dict:
    """The reference's training, timed (no test in between): its whole 15 epochs, or fewer as a
    probe of the machine's speed (``benchmarks.capacity``)."""
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    model, fit, _ = _reference(seed)
    start = time.perf_counter()
    model.fit(**fit, epochs=epochs)
    return {"seed": seed, "epochs": epochs, "train_s": time.perf_counter() - start}


# --------------------------------------------------------------------------- figures
def epochs_to_99(log: list[dict]) -> int | None:
    """The first epoch (from 1) whose test accuracy is at least 99 %, or None."""
    return next((row["epoch"] for row in log if row["test_accuracy"] >= 0.99), None)


def paired_figures(trainings: dict) -> dict:
    """From one interleaved run: images/s and time to 99 % of the lesson relative to the reference.

    Each lesson epoch's time is divided by the reference epoch timed just before it; the time to
    99 % is the sum of those ratios up to the lesson's 99 % epoch, divided by the number of
    reference epochs to 99 %: a time measured in reference epochs, immune to slow swings.
    """
    reference, lesson = trainings["reference"], trainings["lesson"]
    if not reference or not lesson:
        raise ValueError("the training logs are empty: did fit run?")
    ratios = [l_row["train_s"] / r_row["train_s"] for l_row, r_row in zip(lesson, reference, strict=False)]
    steady = ratios[1:] or ratios  # epoch 1 also builds and traces both models
    lesson_99, reference_99 = epochs_to_99(lesson), epochs_to_99(reference)
    return {
        "seed": trainings["seed"],
        "speed_ratio": 1 / statistics.median(steady),  # lesson's images/s ÷ reference's (same images)
        "lesson_epoch_to_99": lesson_99,
        "reference_epoch_to_99": reference_99,
        "time_to_99_ratio": sum(ratios[:lesson_99]) / reference_99 if lesson_99 and reference_99 else None,
        "lesson_final_accuracy": lesson[-1]["test_accuracy"],
    }


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _spread(values) -> tuple[float, float] | None:
    values = [v for v in values if v is not None]
    return (min(values), max(values)) if values else None


def figures(runs: dict) -> dict:
    """The measured figures, each a median over seeds with its spread, from the raw runs."""
    references = [r["train_s"] for r in runs["reference_training"]]
    lesson_ratios, explore_ratios = [], []
    for i, (lesson, explore) in enumerate(
        zip(runs["lesson_notebook"], runs["explore_notebook"], strict=True)
    ):
        around = statistics.mean(references[i : i + 2])  # the reference trainings before and after
        lesson_ratios.append(lesson["wall_s"] / around)
        explore_ratios.append(explore["wall_s"] / around)
    paired = [paired_figures(t) for t in runs["trainings"]]
    accuracies = [n["test_accuracy"] for n in runs["lesson_notebook"]]
    values = {
        "lesson_ratio": _median(lesson_ratios),
        "explore_ratio": _median(explore_ratios),
        "time_to_99_ratio": _median(p["time_to_99_ratio"] for p in paired),
        "speed_ratio": _median(p["speed_ratio"] for p in paired),
        "test_accuracy": _median(accuracies),
        "lowest_accuracy": min((a for a in accuracies if a is not None), default=None),
        "peak_memory_gib": max(n["peak_rss_gib"] for n in runs["lesson_notebook"]),
        "explore_memory_gib": max(n["peak_rss_gib"] for n in runs["explore_notebook"]),
        "reference_train_s": _median(references),
        "lesson_wall_s": _median(n["wall_s"] for n in runs["lesson_notebook"]),
        "explore_wall_s": _median(n["wall_s"] for n in runs["explore_notebook"]),
    }
    spreads = {
        "lesson_ratio": _spread(lesson_ratios),
        "explore_ratio": _spread(explore_ratios),
        "time_to_99_ratio": _spread(p["time_to_99_ratio"] for p in paired),
        "speed_ratio": _spread(p["speed_ratio"] for p in paired),
        "test_accuracy": _spread(accuracies),
        "reference_train_s": _spread(references),
    }
    values["spreads"] = spreads
    values["epochs_to_99"] = [(p["lesson_epoch_to_99"], p["reference_epoch_to_99"]) for p in paired]
    return values


def verdict(target: Target, values: dict) -> str:
    """ "met", "NOT met", or "undecided" when the spread over seeds straddles the limit."""
    value = values.get(target.key)
    spread = values.get("spreads", {}).get(target.key)
    if spread is not None and target.met(spread[0]) != target.met(spread[1]):
        return "undecided"
    return "met" if target.met(value) else "NOT met"


def _measured(key: str, values: dict) -> str:
    value, spread = values.get(key), values.get("spreads", {}).get(key)
    if value is None:
        return "n/a"
    if "accuracy" in key:
        text = f"{value:.2%}"
        return text + (f" ({spread[0]:.2%}–{spread[1]:.2%})" if key == "test_accuracy" and spread else "")
    if key.endswith("memory_gib"):
        return f"{value:.2f} GiB"
    return f"{value:.2f}" + (f" ({spread[0]:.2f}–{spread[1]:.2f})" if spread else "")


def report(values: dict, machine: str, seeds: list[int]) -> str:
    """The Markdown table of every target: measured value (spread over seeds), target, verdict."""
    low, high = values["spreads"]["reference_train_s"]
    swing = high / low - 1
    lines = [
        f"Machine: {machine}",
        f"Seeds: {', '.join(map(str, seeds))}. The reference's 15-epoch training took "
        f"{low:.0f}–{high:.0f} s in this run: the machine's speed swung by {swing:.0%}.",
        f"Lesson's training speed: {values['speed_ratio']:.2f}× the reference's images/s (epoch pairs); "
        f"epochs to 99 % (lesson, reference) per seed: {values['epochs_to_99']}",
        "",
        "| figure | measured: median (lowest–highest) | target | |",
        "|---|---|---|---|",
    ]
    for target in TARGETS:
        measured = _measured(target.key, values)
        lines.append(f"| {target.label} | {measured} | {target.text()} | {verdict(target, values)} |")
    return "\n".join(lines)


def machine_description() -> str:
    """Cores, CPU model, whether it has AVX-512 (oneDNN picks other kernels), Python, TF."""
    cpu, flags = platform.processor(), ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        text = cpuinfo.read_text()
        cpu = next((line.split(":", 1)[1].strip() for line in text.splitlines() if "model name" in line), cpu)
        flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    kind = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):  # emulation only: not how a real AVX2 machine behaves
        kind += f", oneDNN limited to {os.environ['ONEDNN_MAX_CPU_ISA']} by ONEDNN_MAX_CPU_ISA"
    import cnn_helpers  # noqa: F401  (TensorFlow without its start-up log lines)
    import tensorflow as tf

    return (
        f"{os.cpu_count()} cores, {cpu} ({kind}), {platform.system()}, "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}"
    )


# --------------------------------------------------------------------------- driver
def _child(*args: str) -> dict:
    """Run this module in a fresh process for one measurement; its last stdout line is JSON."""
    command = [sys.executable, "-m", "benchmarks.bench", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def plan(seeds: list[int]) -> list[tuple[str, list[str]]]:
    """The measurements in the order they run: trainings, then R (N E R) per seed."""
    steps = [("trainings", ["--child", "trainings", "--seed", str(s)]) for s in seeds]
    steps.append(("reference_training", ["--child", "reference", "--seed", str(seeds[0])]))
    for seed in seeds:
        steps.append(
            ("lesson_notebook", ["--child", "notebook", "--notebook", str(LESSON), "--seed", str(seed)])
        )
        steps.append(
            ("explore_notebook", ["--child", "notebook", "--notebook", str(EXPLORE), "--seed", str(seed)])
        )
        steps.append(("reference_training", ["--child", "reference", "--seed", str(seeds[0])]))
    return steps


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seeds must be integers separated by commas, got {text!r}"
        ) from None
    if not seeds:
        raise argparse.ArgumentTypeError("give at least one seed")
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seeds", type=parse_seeds, default=[1, 2, 3], help="seeds of the lesson runs (default 1,2,3)"
    )
    parser.add_argument("--quick", action="store_true", help="only the first seed")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--child", choices=["reference", "trainings", "notebook"], help=argparse.SUPPRESS)
    parser.add_argument("--notebook", type=Path, default=LESSON, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=REFERENCE_EPOCHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    if args.child:  # one measurement, in its own process; JSON on the last line of stdout
        import cnn_helpers  # noqa: F401  (TensorFlow, quietly)

        measure = {
            "reference": lambda: reference_training(args.seed, args.epochs),
            "trainings": lambda: interleaved_trainings(LESSON, args.seed),
            "notebook": lambda: run_notebook(args.notebook.resolve(), args.seed),
        }
        print(json.dumps(measure[args.child]()))
        return

    seeds = args.seeds[:1] if args.quick else args.seeds
    runs: dict[str, list] = {
        "trainings": [],
        "reference_training": [],
        "lesson_notebook": [],
        "explore_notebook": [],
    }
    for name, child_args in plan(seeds):
        print(f"[bench] {name} {' '.join(child_args[1:])} ...", file=sys.stderr, flush=True)
        runs[name].append(_child(*child_args))
    values = figures(runs)
    machine = machine_description()
    table = report(values, machine, seeds)
    print(table)
    result = {"machine": machine, "seeds": seeds, "figures": values, "runs": runs, "table": table}
    result["verdicts"] = {t.key: verdict(t, values) for t in TARGETS}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
