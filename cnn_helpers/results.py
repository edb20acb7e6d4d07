"""Pictures of training and of a trained model's answers: training curves, confusion matrix,
the most confident mistakes, predicted probabilities.

Like every helper, each checks its arguments first, draws on a new figure (or the ``fig=``
you pass) and returns it.
"""

from __future__ import annotations

from typing import Any

from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
import numpy as np

from ._args import check_array, check_count, check_gray_images, class_numbers
from ._figure import FigureLike, grid_shape, image_grid, new_figure, probability_bars, text_colour

__all__ = [
    "learning_rates",
    "plot_confusion_matrix",
    "plot_history",
    "show_misclassified",
    "show_probabilities",
]


def _history_series(history: Any) -> dict[str, np.ndarray]:
    """Return the per-epoch series of a History (or its dict), checked to have one length."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"history must be a keras History or a dict, got {type(history).__name__}")
    for key in ("loss", "accuracy"):
        if key not in logs:
            raise ValueError(f"history has no {key!r}: compile the model with metrics=['accuracy']")
    keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in logs]
    series = {k: check_array(f"history[{k!r}]", logs[k], ndim=(1,), shape_hint="(epochs,)") for k in keys}
    for key, values in series.items():
        if len(values) != len(series["loss"]):
            raise ValueError(
                f"history[{key!r}] has {len(values)} values but history['loss'] has {len(series['loss'])}: "
                "give one value per epoch for every series"
            )
    return series


def learning_rates(history: Any, optimizer: Any, per_epoch: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(epochs, rates)``, both ``(per_epoch * epochs + 1,)``: the learning rate that
    ``optimizer`` used during the ``fit`` that returned ``history``, sampled ``per_epoch`` times an
    epoch; ``epochs`` runs from 0 (the start of that fit) to its number of epochs.

    A schedule is read back from the optimizer's settings, so the rates are the ones it used.
    """
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            f"optimizer must be a Keras optimizer (model.optimizer), got {type(optimizer).__name__}"
        )
    per_epoch = check_count("per_epoch", per_epoch)
    params = getattr(history, "params", None)
    if params is None:
        raise ValueError(
            "to draw the learning rate, pass the History that model.fit returned (it knows the steps)"
        )
    steps = params.get("steps")
    if not steps:
        raise ValueError("this History does not know its steps per epoch: give fit a steps_per_epoch")
    epochs = len(history.history["loss"])
    start = int(optimizer.iterations) - steps * epochs  # the optimizer counts steps over every fit
    x = np.linspace(0, epochs, per_epoch * epochs + 1)
    rate = optimizer.get_config()["learning_rate"]
    if not isinstance(rate, dict):  # a fixed learning rate
        return x, np.full(len(x), float(rate))
    schedule = keras.optimizers.schedules.deserialize(rate)
    return x, np.array([float(schedule(start + round(e * steps))) for e in x])


def _curve_panel(ax: Any, epochs: np.ndarray, series: dict[str, np.ndarray], key: str, label: str) -> None:
    """One log-scale panel: training and validation ``label`` per epoch, last values written in."""
    error = key == "accuracy"  # drawn as the error rate, 1 - accuracy
    show = (lambda v: f"{v:.2%}") if error else (lambda v: f"{v:.3f}")
    for name, marker in (("", "o-"), ("val_", "s-")):
        if f"{name}{key}" in series:
            values = 1 - series[f"{name}{key}"] if error else series[f"{name}{key}"]
            line = ax.plot(epochs, values, marker, label="validation" if name else "training")[0]
            ax.annotate(
                show(values[-1]),
                (epochs[-1], values[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=11,
                color=line.get_color(),
            )
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))  # 1, 2, 3, 5 x 10^k
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v:.1%}".replace(".0%", "%") if error else f"{v:g}")
    )
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="epoch", ylabel=f"{label} (log scale)", xticks=epochs[:: max(1, len(epochs) // 15)])
    ax.set_xlim(0.5, epochs[-1] + 0.12 * len(epochs) + 0.5)  # room for the last values
    ax.set_title(label, fontsize=14)
    ax.grid(alpha=0.3, which="both")
    ax.legend()


def plot_history(history: Any, *, optimizer: Any = None, fig: FigureLike | None = None) -> FigureLike:
    """Plot loss and error rate (1 - accuracy) per epoch, training vs validation, on log scales.

    ``history`` is the ``keras.callbacks.History`` that ``fit`` returns (or its ``.history``
    dict) with ``loss`` and ``accuracy``, and ``val_`` versions if a validation set was used.
    Log scales keep the first epoch from flattening the rest; the last values are written in.
    With ``optimizer`` (``model.optimizer``) a third panel draws the learning rate it used
    (see ``learning_rates``). Used in "How training went".
    """
    series = _history_series(history)
    rates = None if optimizer is None else learning_rates(history, optimizer)
    fig = new_figure(fig, 16 if rates is not None else 11.5, 4.6)
    axes = fig.subplots(1, 3 if rates is not None else 2)
    epochs = np.arange(1, len(series["loss"]) + 1)
    _curve_panel(axes[0], epochs, series, "loss", "loss")
    _curve_panel(axes[1], epochs, series, "accuracy", "error rate, 1 − accuracy")
    if rates is not None:
        axes[2].plot(*rates, color="tab:green")
        axes[2].set(xlabel="epoch (0 = start of training)", ylabel="learning rate", ylim=(0, None))
        axes[2].set_title("learning rate during training", fontsize=14)
        axes[2].grid(alpha=0.3)
    return fig


def plot_confusion_matrix(
    matrix: Any, *, values_format: str | None = None, fig: FigureLike | None = None
) -> FigureLike:
    """Draw a ``(k, k)`` confusion matrix: rows are true classes, columns predicted ones.

    Each non-zero cell has its value written in, formatted with ``values_format`` (as in
    scikit-learn's ``ConfusionMatrixDisplay``: ``"d"`` for counts, ``".2g"`` otherwise), in
    black or white for contrast. Colours are on a log scale so that the few mistakes stand
    out next to the large diagonal. Used in "Where it fails".
    """
    matrix = check_array("matrix", matrix, ndim=(2,), shape_hint="(classes, classes)")
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if np.any(matrix < 0):
        raise ValueError("matrix must hold counts or fractions (no negative values)")
    counts = np.issubdtype(matrix.dtype, np.integer) or bool(np.all(matrix == np.round(matrix)))
    if values_format is None:
        values_format = "d" if counts else ".2g"
    if not isinstance(values_format, str):
        raise TypeError(f"values_format must be a format string such as '.2f', got {values_format!r}")
    positive = matrix[matrix > 0]
    floor = float(positive.min()) / 2 if positive.size else 0.5
    k = matrix.shape[0]
    fig = new_figure(fig, 0.8 * k + 2.6, 0.72 * k + 1.6)
    ax = fig.add_subplot()
    norm = LogNorm(vmin=floor, vmax=max(float(matrix.max()), floor * 2))
    image = ax.imshow(np.maximum(matrix, floor), cmap="Blues", norm=norm)
    for (i, j), value in np.ndenumerate(matrix):
        if value:
            text = format(int(value) if values_format == "d" else value, values_format)
            colour = text_colour(image, max(value, floor))
            weight = "normal" if i == j else "bold"  # mistakes in bold
            ax.text(j, i, text, ha="center", va="center", fontsize=11, color=colour, fontweight=weight)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted digit", ylabel="true digit")
    correct = f": {int(np.trace(matrix))} of {int(matrix.sum())} correct" if counts else ""
    ax.set_title(f"Confusion matrix{correct}", fontsize=14)
    fig.colorbar(image, ax=ax, shrink=0.8, label=("count" if counts else "value") + " (log scale)")
    return fig


def show_misclassified(
    images: Any, labels: Any, probabilities: Any, n: int = 12, *, fig: FigureLike | None = None
) -> FigureLike:
    """Show up to ``n`` of the most confidently wrong predictions, most confident first.

    ``images`` ``(m, h, w)`` or ``(m, h, w, 1)``, true ``labels`` ``(m,)`` (or one-hot),
    ``probabilities`` ``(m, classes)`` from ``model.predict``. Each title gives the true
    label, the prediction, the probability the model gave it and the image's index. With
    fewer mistakes than ``n``, all of them are shown and the title says so.
    """
    images = check_gray_images("images", images)
    labels = class_numbers("labels", labels, len(images))
    probabilities = check_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if len(probabilities) != len(images):
        raise ValueError(f"probabilities has {len(probabilities)} rows but there are {len(images)} images")
    n = check_count("n", n)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")][:n]
    if len(order) == 0:
        fig = new_figure(fig, 6, 1.5)
        fig.text(0.5, 0.5, f"No mistakes among these {len(images)} images", ha="center", fontsize=15)
        return fig
    rows, cols = grid_shape(len(order), max_cols=6)
    fig = new_figure(fig, 2.3 * cols, 2.5 * rows + 0.6)
    for ax, index in zip(image_grid(fig, len(order), max_cols=6), order, strict=True):
        ax.imshow(images[index], cmap="gray")
        said = predicted[index]
        ax.set_title(
            f"true {int(labels[index])}, said {said}\np = {probabilities[index, said]:.2f}  (#{index})",
            fontsize=12,
        )
    shown = f"The {len(order)} most confident mistakes" if len(order) < len(wrong) else "All the mistakes"
    fig.suptitle(f"{shown} ({len(wrong)} in {len(images)} images)", fontsize=14)
    return fig


def show_probabilities(
    images: Any, probabilities: Any, labels: Any = None, *, fig: FigureLike | None = None
) -> FigureLike:
    """Show each image ``(m, h, w)`` or ``(m, h, w, 1)`` above a bar chart of its probabilities.

    ``probabilities`` is ``(m, classes)``, from ``model.predict``; up to 20 images, five a row.
    The most likely class is orange and named in the title with its probability; with the true
    ``labels`` ``(m,)`` (or one-hot), the title gives them too.
    """
    images = check_gray_images("images", images)
    probabilities = check_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if len(images) != len(probabilities):
        raise ValueError(f"images has {len(images)} entries but probabilities has {len(probabilities)}")
    if labels is not None:
        labels = class_numbers("labels", labels, len(images))
    m = check_count("the number of images", len(images), maximum=20, what="images this figure can show")
    cols = min(m, 5)
    rows = -(-m // cols)
    fig = new_figure(fig, 2.6 * cols, 4.7 * rows)
    axes = fig.subplots(2 * rows, cols, squeeze=False)
    for i in range(rows * cols):
        picture, bars = axes[2 * (i // cols), i % cols], axes[2 * (i // cols) + 1, i % cols]
        if i >= m:
            picture.set_axis_off()
            bars.set_axis_off()
            continue
        picture.imshow(images[i], cmap="gray")
        picture.set(xticks=[], yticks=[])
        best = int(probabilities[i].argmax())
        truth = "" if labels is None else f"true {int(labels[i])}, "
        picture.set_title(f"{truth}says {best} ({probabilities[i, best]:.0%})", fontsize=13)
        probability_bars(bars, probabilities[i])
        if i % cols:
            bars.set_yticks([])
        else:
            bars.set_ylabel("probability")
    return fig
