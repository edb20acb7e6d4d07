"""Classroom-speed benchmark: the lesson against the Keras "Simple MNIST convnet" example, measured
side by side in one run and reported as ratios, because the machines' speed swings several-fold
from one run to the next.

    python benchmarks/bench.py            # full run: 2 repeats, interleaved
    python benchmarks/bench.py --quick    # 1 repeat, for iterating
    ONEDNN_MAX_CPU_ISA=AVX2 python benchmarks/bench.py   # on an AVX-512 CPU: as a CPU without it

In every repeat, each in a fresh process: the reference's training (R), the lesson's training
(L: the notebook's own cells up to its ``model.fit``, with a timing callback added to ``fit``),
the whole lesson notebook in a fresh kernel (N), and the whole explore notebook (E). Each
training evaluates on the test set after every epoch, outside the timed part. Whole notebooks
are timed with ``time.perf_counter`` and their peak memory read with
``resource.getrusage(RUSAGE_CHILDREN)``. The table reports medians of the repeats and is also
written as JSON (default ``benchmarks/results/latest.json``).
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass
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

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "cnn_mnist.ipynb"
EXPLORE = ROOT / "notebooks" / "cnn_mnist_explore.ipynb"
TRAIN_IMAGES = 54000  # both recipes train on 90% of MNIST's 60,000 training images


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    at_least: bool = False  # True: the figure must be >= limit; False: <= limit

    def met(self, value: float | None) -> bool:
        return value is not None and (value >= self.limit if self.at_least else value <= self.limit)

    def text(self) -> str:
        unit = " GiB" if self.key == "peak_memory_gib" else ""
        limit = f"{self.limit:.1%}" if self.key == "test_accuracy" else f"{self.limit:g}{unit}"
        return ("≥ " if self.at_least else "≤ ") + limit


TARGETS = (
    Target("lesson_ratio", "whole lesson notebook ÷ reference's 15-epoch training", 0.75),
    Target("test_accuracy", "final test accuracy of the lesson notebook run", 0.994, at_least=True),
    Target("time_to_99_ratio", "lesson's time to 99.0 % test accuracy ÷ reference's", 0.2),
    Target("peak_memory_gib", "peak memory of the lesson notebook run", 2.0),
    Target("explore_ratio", "whole explore notebook ÷ reference's 15-epoch training", 0.5),
)


# --------------------------------------------------------------------------- one training run
def _epoch_timer(test_data, log: list[dict]):
    """A callback timing each epoch, then measuring test accuracy outside the timed part."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.start
            x_test, y_test = test_data()
            accuracy = self.model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
            log.append({"epoch": epoch + 1, "train_s": seconds, "test_accuracy": float(accuracy)})

    return EpochTimer()


def train_lesson(notebook: Path) -> list[dict]:
    """Run the notebook's code cells up to its ``model.fit`` cell; time each epoch of that fit."""
    import keras
    import matplotlib

    matplotlib.use("Agg")
    cells = [c["source"] for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    cells = ["".join(c) if isinstance(c, list) else c for c in cells]
    fit_index = next(i for i, source in enumerate(cells) if "model.fit(" in source)
    namespace: dict = {"__name__": "__notebook__"}
    log: list[dict] = []
    timer = _epoch_timer(lambda: (namespace["x_test"], namespace["y_test"]), log)
    original_fit = keras.Model.fit

    def timed_fit(self, *args, callbacks=None, **kwargs):  # the notebook's fit, plus the timer
        return original_fit(self, *args, callbacks=[*(callbacks or []), timer], **kwargs)

    keras.Model.fit = timed_fit
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for source in cells[: fit_index + 1]:
                exec(compile(source, "<notebook cell>", "exec"), namespace)
    finally:
        keras.Model.fit = original_fit
    return log


def train_reference() -> list[dict]:
    """The Keras example "Simple MNIST convnet" (keras-io examples/vision/mnist_convnet.py)."""
    from cnn_helpers import load_mnist
    import keras
    import numpy as np

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    keras.utils.set_random_seed(1)
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
    log: list[dict] = []
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=15,
        validation_split=0.1,
        verbose=0,
        callbacks=[_epoch_timer(lambda: (x_test, y_test), log)],
    )
    return log


# --------------------------------------------------------------------------- whole notebook
def max_rss_gib(usage: resource.struct_rusage) -> float:
    """``ru_maxrss`` in GiB: kibibytes on Linux, bytes on macOS."""
    per_unit = 1 if sys.platform == "darwin" else 1024
    return usage.ru_maxrss * per_unit / 2**30


def run_notebook(notebook: Path) -> dict:
    """Execute the notebook in a fresh kernel; its wall time, the kernel's peak RSS, its test accuracy.

    Call it in a process of its own: RUSAGE_CHILDREN covers every child this process waited for.
    """
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
        command += [str(notebook), "--output-dir", out]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, check=True, cwd=notebook.parent)
        wall = time.perf_counter() - start
        executed = (Path(out) / notebook.name).read_text()
    accuracy = re.search(r"Test accuracy: ([0-9.]+)", executed)
    return {
        "wall_s": wall,
        "peak_rss_gib": max_rss_gib(resource.getrusage(resource.RUSAGE_CHILDREN)),
        "test_accuracy": float(accuracy.group(1)) if accuracy else None,
    }


# --------------------------------------------------------------------------- report
def summarize(log: list[dict]) -> dict:
    """Training time, time and epoch to 99 % test accuracy, final accuracy, images/s of one run."""
    if not log:
        raise ValueError("the training log is empty: did fit run?")
    total, time_to_99, epoch_99 = 0.0, None, None
    for row in log:
        total += row["train_s"]
        if time_to_99 is None and row["test_accuracy"] >= 0.99:
            time_to_99, epoch_99 = total, row["epoch"]
    return {
        "train_s": total,
        "time_to_99_s": time_to_99,
        "epoch_to_99": epoch_99,
        "final_accuracy": log[-1]["test_accuracy"],
        "images_per_s": TRAIN_IMAGES / statistics.median(r["train_s"] for r in log),
        "epochs": log,
    }


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def figures(runs: dict[str, list]) -> dict:
    """The measured figures (medians over repeats) from the raw runs of each kind."""
    lesson = [summarize(log) for log in runs["lesson_training"]]
    reference = [summarize(log) for log in runs["reference_training"]]
    reference_s = _median(r["train_s"] for r in reference)
    values = {
        "reference_train_s": reference_s,
        "lesson_wall_s": _median(n["wall_s"] for n in runs["lesson_notebook"]),
        "explore_wall_s": _median(n["wall_s"] for n in runs.get("explore_notebook", [])),
        "lesson_99_s": _median(r["time_to_99_s"] for r in lesson),
        "reference_99_s": _median(r["time_to_99_s"] for r in reference),
        "lesson_images_per_s": _median(r["images_per_s"] for r in lesson),
        "reference_images_per_s": _median(r["images_per_s"] for r in reference),
        "test_accuracy": _median(n["test_accuracy"] for n in runs["lesson_notebook"]),
        "peak_memory_gib": max(n["peak_rss_gib"] for n in runs["lesson_notebook"]),
    }
    values["lesson_ratio"] = _ratio(values["lesson_wall_s"], reference_s)
    values["explore_ratio"] = _ratio(values["explore_wall_s"], reference_s)
    values["time_to_99_ratio"] = _ratio(values["lesson_99_s"], values["reference_99_s"])
    return values


def _measured(key: str, v: dict) -> str:
    if v.get(key) is None:
        return "n/a"
    if key == "test_accuracy":
        return f"{v[key]:.2%}"
    if key == "peak_memory_gib":
        return f"{v[key]:.2f} GiB"
    seconds = {
        "lesson_ratio": ("lesson_wall_s", "reference_train_s"),
        "explore_ratio": ("explore_wall_s", "reference_train_s"),
        "time_to_99_ratio": ("lesson_99_s", "reference_99_s"),
    }[key]
    return f"{v[key]:.2f} ({v[seconds[0]]:.0f} s / {v[seconds[1]]:.0f} s)"


def report(values: dict, machine: str, repeats: int) -> str:
    """The Markdown table of every target: measured value, target, met or not."""
    lines = [
        f"Machine: {machine}",
        f"Training speed (median epoch): reference {values['reference_images_per_s']:,.0f} images/s, "
        f"lesson {values['lesson_images_per_s']:,.0f} images/s",
        "",
        f"| figure | measured (medians of {repeats} repeat{'s' * (repeats > 1)}) | target | |",
        "|---|---|---|---|",
    ]
    for target in TARGETS:
        verdict = "met" if target.met(values.get(target.key)) else "NOT met"
        lines.append(f"| {target.label} | {_measured(target.key, values)} | {target.text()} | {verdict} |")
    return "\n".join(lines)


def machine_description() -> str:
    """Cores, CPU model, whether it has AVX-512 (TensorFlow is much faster there), Python, TF."""
    cpu, flags = platform.processor(), ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        text = cpuinfo.read_text()
        cpu = next((line.split(":", 1)[1].strip() for line in text.splitlines() if "model name" in line), cpu)
        flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    kind = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):  # e.g. AVX2: how a CPU without AVX-512 runs TensorFlow
        kind += f", oneDNN limited to {os.environ['ONEDNN_MAX_CPU_ISA']} by ONEDNN_MAX_CPU_ISA"
    import cnn_helpers  # noqa: F401  (TensorFlow without its start-up log lines)
    import tensorflow as tf

    return (
        f"{os.cpu_count()} cores, {cpu} ({kind}), {platform.system()}, "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}"
    )


# --------------------------------------------------------------------------- driver
def _child(*args: str) -> dict | list:
    """Run this script in a fresh process for one measurement; its last stdout line is JSON."""
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one repeat instead of two")
    parser.add_argument(
        "--repeats", type=int, help="repeats of every measurement (default 2, 1 with --quick)"
    )
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--child", choices=["reference", "lesson", "notebook"], help=argparse.SUPPRESS)
    parser.add_argument("--notebook", type=Path, default=LESSON, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    if args.child:  # one measurement, in its own process; JSON on the last line of stdout
        import cnn_helpers  # noqa: F401  (TensorFlow, quietly)

        measure = {"reference": train_reference, "lesson": lambda: train_lesson(args.notebook)}
        measure["notebook"] = lambda: run_notebook(args.notebook.resolve())
        print(json.dumps(measure[args.child]()))
        return

    repeats = args.repeats or (1 if args.quick else 2)
    plan = [
        ("reference_training", ["--child", "reference"]),
        ("lesson_training", ["--child", "lesson", "--notebook", str(LESSON)]),
        ("lesson_notebook", ["--child", "notebook", "--notebook", str(LESSON)]),
        ("explore_notebook", ["--child", "notebook", "--notebook", str(EXPLORE)]),
    ]
    runs: dict[str, list] = {name: [] for name, _ in plan}
    for repeat in range(repeats):
        for name, child_args in plan:
            print(f"[bench] {name}, repeat {repeat + 1}/{repeats} ...", file=sys.stderr, flush=True)
            runs[name].append(_child(*child_args))
    values = figures(runs)
    machine = machine_description()
    table = report(values, machine, repeats)
    print(table)
    result = {"machine": machine, "repeats": repeats, "figures": values, "runs": runs, "table": table}
    result["met"] = {t.key: t.met(values.get(t.key)) for t in TARGETS}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
