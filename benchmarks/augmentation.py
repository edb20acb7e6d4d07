"""Augmentation benchmark: does training on randomly shifted digits teach the explore notebook's
model to read shifted digits, beyond what its pooling layers give?

    python -m benchmarks.augmentation                 # seeds 1, 2 and 3 (about 2 minutes)
    python -m benchmarks.augmentation --seeds 1 --epochs 1

For each seed, the explore notebook's network is trained twice with its recipe (batch 256, Adam
with a warm-up and a cosine decay, ``--epochs`` epochs on all 60,000 training digits): once on
digits shifted at random by up to 2 pixels (``shifted_batches(..., shift=0.07)``, as the notebook
trains) and once on the plain digits (``shift=0``, the same pipeline otherwise). Both are then read
on the first 2,000 test digits moved by 0 to 4 pixels in each direction (``shift_accuracy``). The
table gives, per shift, the accuracy on the copies whose ink stayed whole ("intact", the network's
own tolerance) for both trainings, as the median over seeds with the lowest and highest. It
answers the explore notebook's part 4 ("what taught the rest?"): if augmentation teaches the
tolerance, the plain model's intact accuracy falls well below the augmented one's from 2 pixels on.
Raw results go to ``benchmarks/results/augmentation.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from benchmarks import ROOT
from benchmarks.bench import machine_description

SHIFTS = (0, 1, 2, 3, 4)
TESTED = 2000  # the test digits part 4 shifts


def build_and_train(x_train, y_train, *, seed: int, epochs: int, shift: float):
    """The explore notebook's network and training recipe; ``shift`` 0 trains on plain digits."""
    from cnn_helpers import shifted_batches
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(16, kernel_size=3, activation="relu"),
            keras.layers.MaxPooling2D(pool_size=2),
            keras.layers.Conv2D(32, kernel_size=3, activation="relu"),
            keras.layers.MaxPooling2D(pool_size=2),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    batch_size, peak = 256, 0.006
    steps = int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(
        peak / 25, warmup_target=peak, warmup_steps=steps, decay_steps=max(epochs - 1, 1) * steps
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        metrics=["accuracy"],
    )
    batches = shifted_batches(x_train, y_train, batch_size, shift=shift, seed=seed)
    model.fit(batches, epochs=epochs, shuffle=False, verbose=0)  # the batches shuffle themselves
    return model


def measure(seeds: list[int], epochs: int, train_count: int = 60000) -> list[dict]:
    """One row per seed and training: its intact and overall accuracy per shift."""
    from cnn_helpers import load_mnist, shift_accuracy
    import keras
    import numpy as np

    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    x_train = np.expand_dims(train_images[:train_count].astype("float32") / 255.0, -1)
    y_train = keras.utils.to_categorical(train_labels[:train_count], 10)
    x_test = np.expand_dims(test_images[:TESTED].astype("float32") / 255.0, -1)
    rows = []
    for seed in seeds:
        for name, shift in (("shifted", 0.07), ("plain", 0.0)):
            model = build_and_train(x_train, y_train, seed=seed, epochs=epochs, shift=shift)
            table = shift_accuracy(model, x_test, test_labels[:TESTED], shifts=SHIFTS)
            rows.append(
                {
                    "seed": seed,
                    "training": name,
                    "pixels": [int(p) for p in table.pixels],
                    "accuracy": [float(a) for a in table.accuracy],
                    "accuracy_intact": [float(a) for a in table.accuracy_intact],
                }
            )
            del model
            keras.backend.clear_session()
    return rows


def report(rows: list[dict]) -> str:
    """A Markdown table: per shift, the intact accuracy of each training, median (lowest–highest)."""

    def cell(training: str, k: int) -> str:
        values = [r["accuracy_intact"][k] for r in rows if r["training"] == training]
        return f"{statistics.median(values):.1%} ({min(values):.1%}–{max(values):.1%})"

    pixels = rows[0]["pixels"]
    lines = [
        "| shift (pixels) | intact, trained on shifted digits | intact, trained on plain digits |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {p} | {cell('shifted', k)} | {cell('plain', k)} |" for k, p in enumerate(pixels)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=2, help="the explore notebook's EPOCHS")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = measure(args.seeds, args.epochs)
    seconds = time.perf_counter() - start
    text = report(rows)
    print(text)
    print(f"\nseeds {args.seeds}, {args.epochs} epochs, {seconds:.0f} s on {machine_description()}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "augmentation.json").write_text(
        json.dumps({"seeds": args.seeds, "epochs": args.epochs, "rows": rows}, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
