"""Classroom-speed benchmark: the notebook's training recipe against the Keras "Simple MNIST
convnet" example, measured side by side in one run, reported as ratios.

    python benchmarks/bench.py            # full run: 2 repeats of each recipe, A B A B
    python benchmarks/bench.py --quick    # 1 repeat, for iterating

Each training runs in a fresh Python process on full MNIST (through ``load_mnist``) and
evaluates on the test set after every epoch; that evaluation is excluded from training time.
The notebook's recipe is not copied here: its code cells are executed, up to and including
the ``model.fit`` cell, so the benchmark always measures what the notebook does. In every
repeat the whole notebook also runs in a fresh kernel under ``/usr/bin/time -v`` (A B N, A B N);
the table reports medians of the repeats. A table is printed and the same figures are written
to JSON (default ``benchmarks/results/latest.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
from pathlib import Path
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "cnn_mnist.ipynb"
TARGETS = {
    "notebook_vs_reference_training": 0.75,
    "test_accuracy": 0.994,
    "time_to_99_ratio": 0.2,
    "peak_memory_gib": 2.0,
}


# --------------------------------------------------------------------------- one training run
def _timing_callback(x_test, y_test, log):
    import tensorflow as tf

    class EpochTimer(tf.keras.callbacks.Callback):
        """Training time of each epoch (fit's own validation included), then test accuracy (not timed)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.start
            accuracy = self.model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
            log.append({"epoch": epoch + 1, "train_s": seconds, "test_accuracy": float(accuracy)})

    return EpochTimer()


def train_notebook_recipe(notebook: Path) -> list[dict]:
    """Execute the notebook's code cells up to its ``model.fit`` cell, timing each epoch."""
    import matplotlib

    matplotlib.use("Agg")
    cells = [
        "".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"
    ]
    fit_index = next(i for i, source in enumerate(cells) if "model.fit(" in source)
    namespace: dict = {"__name__": "__notebook__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for source in cells[:fit_index]:
            exec(compile(source, "<notebook cell>", "exec"), namespace)
    log: list[dict] = []
    namespace["_bench_timer"] = _timing_callback(namespace["x_test"], namespace["y_test"], log)
    fit = cells[fit_index]
    patched = re.sub(r"callbacks=\[([^\]]*)\]", r"callbacks=[\1, _bench_timer]", fit, count=1)
    if patched == fit:
        raise SystemExit("benchmark: the notebook's fit cell has no callbacks=[...] to add a timer to")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(patched, "<notebook fit cell>", "exec"), namespace)
    return log


def train_reference() -> list[dict]:
    """The Keras example "Simple MNIST convnet" (keras-io examples/vision/mnist_convnet.py)."""
    from cnn_helpers import load_mnist
    import numpy as np
    import tensorflow as tf

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    y_train = tf.keras.utils.to_categorical(y_train, 10)
    y_test = tf.keras.utils.to_categorical(y_test, 10)
    tf.keras.utils.set_random_seed(1)
    layers = tf.keras.layers
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(28, 28, 1)),
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
        callbacks=[_timing_callback(x_test, y_test, log)],
    )
    return log


# --------------------------------------------------------------------------- whole notebook
def run_notebook(notebook: Path) -> dict:
    """Execute the notebook in a fresh kernel under /usr/bin/time -v: wall time, peak RSS, accuracy."""
    with tempfile.TemporaryDirectory() as out:
        command = [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            str(notebook),
            "--output-dir",
            out,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=notebook.parent)
        executed = (Path(out) / notebook.name).read_text()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    accuracy = float(re.search(r"Test accuracy: ([0-9.]+)", executed).group(1))
    return {
        "wall_s": hours * 3600 + minutes * 60 + seconds,
        "peak_rss_gib": rss_kib / 2**20,
        "test_accuracy": accuracy,
    }


# --------------------------------------------------------------------------- report
def summarize(log: list[dict]) -> dict:
    total, time_to_99, epoch_99 = 0.0, None, None
    for row in log:
        total += row["train_s"]
        if time_to_99 is None and row["test_accuracy"] >= 0.99:
            time_to_99, epoch_99 = total, row["epoch"]
    median_epoch = statistics.median(r["train_s"] for r in log)
    return {
        "train_s": total,
        "time_to_99_s": time_to_99,
        "epoch_to_99": epoch_99,
        "final_accuracy": log[-1]["test_accuracy"],
        "images_per_s": 54000 / median_epoch,
        "epochs": log,
    }


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report(runs: dict, notebooks: list[dict], machine: str) -> dict:
    notebook = {
        "wall_s": statistics.median(n["wall_s"] for n in notebooks),
        "peak_rss_gib": max(n["peak_rss_gib"] for n in notebooks),
        "test_accuracy": statistics.median(n["test_accuracy"] for n in notebooks),
        "runs": notebooks,
    }
    ours = [summarize(log) for log in runs["notebook"]]
    ref = [summarize(log) for log in runs["reference"]]
    ref_train = _median(r["train_s"] for r in ref)
    ours_99, ref_99 = _median(r["time_to_99_s"] for r in ours), _median(r["time_to_99_s"] for r in ref)
    ratios = {
        "notebook_vs_reference_training": notebook["wall_s"] / ref_train,
        "test_accuracy": notebook["test_accuracy"],
        "time_to_99_ratio": ours_99 / ref_99 if ours_99 and ref_99 else None,
        "peak_memory_gib": notebook["peak_rss_gib"],
    }
    met = {
        key: (
            value is not None and (value >= TARGETS[key] if key == "test_accuracy" else value <= TARGETS[key])
        )
        for key, value in ratios.items()
    }
    lines = [f"Machine: {machine}", ""]
    for name, summaries in (("notebook recipe", ours), ("reference (Keras example)", ref)):
        for i, s in enumerate(summaries, 1):
            epochs = "  ".join(f"{e['train_s']:.1f}s/{e['test_accuracy']:.4f}" for e in s["epochs"])
            lines.append(f"{name} run {i}: per epoch (train time / test accuracy): {epochs}")
            t99 = f"{s['time_to_99_s']:.1f} s (epoch {s['epoch_to_99']})" if s["time_to_99_s"] else "never"
            lines.append(
                f"  time to 99.0 %: {t99}; final accuracy {s['final_accuracy']:.4f}; "
                f"training {s['train_s']:.1f} s; throughput {s['images_per_s']:.0f} images/s"
            )
    lines += [
        "",
        "Notebook, fresh kernel: "
        + ", ".join(f"{n['wall_s']:.1f} s" for n in notebooks)
        + f" wall (median {notebook['wall_s']:.1f} s), peak RSS {notebook['peak_rss_gib']:.2f} GiB, "
        f"test accuracy {notebook['test_accuracy']:.4f}",
        "",
        "| figure | measured (medians of the repeats) | target | |",
        "|---|---|---|---|",
    ]
    rows = [
        (
            "whole notebook ÷ reference's 15-epoch training",
            f"{ratios['notebook_vs_reference_training']:.2f} "
            f"({notebook['wall_s']:.0f} s / {ref_train:.0f} s)",
            "≤ 0.75",
            "notebook_vs_reference_training",
        ),
        (
            "final test accuracy of that notebook run",
            f"{ratios['test_accuracy']:.2%}",
            "≥ 99.4 %",
            "test_accuracy",
        ),
        (
            "time to 99.0 % ÷ reference's",
            f"{ratios['time_to_99_ratio']:.2f} ({ours_99:.0f} s / {ref_99:.0f} s)"
            if ratios["time_to_99_ratio"]
            else f"n/a (notebook {ours_99}, reference {ref_99})",
            "≤ 0.2",
            "time_to_99_ratio",
        ),
        (
            "peak memory of the notebook run",
            f"{ratios['peak_memory_gib']:.2f} GiB",
            "≤ 2 GiB",
            "peak_memory_gib",
        ),
    ]
    for label, value, target, key in rows:
        lines.append(f"| {label} | {value} | {target} | {'met' if met[key] else 'NOT met'} |")
    print("\n".join(lines))
    return {
        "machine": machine,
        "ratios": ratios,
        "met": met,
        "targets": TARGETS,
        "notebook_run": notebook,
        "notebook_recipe": ours,
        "reference": ref,
    }


def machine_description() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    import cnn_helpers  # noqa: F401  (TensorFlow without its start-up log lines)
    import tensorflow as tf

    return (
        f"{os.cpu_count()} cores, {cpu}, {platform.system()}, "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one repeat of each recipe instead of two")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats of each recipe (default 2, 1 with --quick)"
    )
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--train", choices=["notebook", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    if args.train:  # child process: one training run, JSON on the last line of stdout
        import cnn_helpers  # noqa: F401  (TensorFlow, quietly)

        log = (
            train_notebook_recipe(args.notebook.resolve()) if args.train == "notebook" else train_reference()
        )
        print(json.dumps(log))
        return

    repeats = args.repeats or (1 if args.quick else 2)
    runs: dict[str, list] = {"notebook": [], "reference": []}
    notebooks = []
    for repeat in range(repeats):
        for recipe in ("notebook", "reference"):  # interleaved with the notebook run: A B N, A B N
            print(
                f"[bench] training {recipe}, repeat {repeat + 1}/{repeats} ...", file=sys.stderr, flush=True
            )
            child = subprocess.run(
                [sys.executable, __file__, "--train", recipe, "--notebook", str(args.notebook)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            runs[recipe].append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(
            f"[bench] executing the whole notebook, repeat {repeat + 1}/{repeats} ...",
            file=sys.stderr,
            flush=True,
        )
        notebooks.append(run_notebook(args.notebook.resolve()))
    result = report(runs, notebooks, machine_description())
    result["repeats"] = repeats
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
