"""The training curves: loss and error rate per epoch, training against validation, and the
learning rate that the optimizer used. Used in "How training went".
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
import numpy as np

from .._words import number, percent, plural
from ..maths.training import history_series, learning_rates
from ._base import describe, new_figure
from ._colour import LEARNING_RATE, TRAINING, VALIDATION


def _curve_panel(ax: Any, epochs: np.ndarray, series: dict[str, np.ndarray], key: str, label: str) -> None:
    """One log-scale panel: training and validation ``label`` per epoch, last values written in."""
    error = key == "accuracy"  # drawn as the error rate, 1 - accuracy
    show = (lambda v: f"{v:.2%}") if error else (lambda v: f"{v:.3f}")
    for name, style in (("", TRAINING), ("val_", VALIDATION)):
        if f"{name}{key}" in series:
            values = 1 - series[f"{name}{key}"] if error else series[f"{name}{key}"]
            ax.plot(epochs, values, label="validation" if name else "training", markersize=5, **style)
            ax.annotate(
                show(values[-1]),
                (epochs[-1], values[-1]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=11,
                color=style["color"],
            )
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))  # 1, 2, 3, 5 x 10^k
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v:.1%}".replace(".0%", "%") if error else f"{v:g}")
    )
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("epoch", fontsize=12)
    ax.set_ylabel(f"{label} (log scale)", fontsize=12)
    ax.set(xticks=epochs[:: max(1, len(epochs) // 12)])
    ax.tick_params(labelsize=11)
    ax.set_xlim(0.5, epochs[-1] + 0.2 * len(epochs) + 0.5)  # room for the last values
    ax.set_title(label, fontsize=14)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=11)


def _trend(values: np.ndarray, what: str, show: Any) -> str:
    """``"validation error falls from 2.1 % to 0.60 %"``, with its best epoch if that is not the last."""
    verb = "falls" if values[-1] < values[0] else "rises" if values[-1] > values[0] else "stays"
    text = f"{what} {verb} from {show(values[0])} to {show(values[-1])}"
    best = int(np.argmin(values))
    if best != len(values) - 1 and values[best] < values[-1]:
        text += f" (lowest {show(values[best])} at epoch {best + 1})"
    return text


def _rate_words(x: np.ndarray, rates: np.ndarray) -> str:
    """The learning rate's course in words: constant, or rising for so long, then falling to its end."""
    peak = int(np.argmax(rates))
    if np.allclose(rates, rates[0]):
        return f"the learning rate stays at {number(rates[0])}"
    end = "zero" if rates[-1] <= 0.01 * rates[peak] else number(rates[-1])
    if peak == 0:
        return f"the learning rate falls from {number(rates[0])} to {end}"
    rise = number(x[peak], 2)
    epochs = "epoch" if x[peak] == 1 else "epochs"
    return f"the learning rate rises for {rise} {epochs} to {number(rates[peak])}, then falls to {end}"


def plot_history(history: Any, *, optimizer: Any = None) -> Figure:
    """Plot loss and error rate (1 - accuracy) per epoch, training vs validation, on log scales.

    ``history`` is the ``keras.callbacks.History`` that ``fit`` returns (or its ``.history``
    dict) with ``loss`` and ``accuracy``, and ``val_`` versions if a validation set was used.
    Log scales keep the first epoch from flattening the rest; the last values are written in.
    Training is blue with circles and a solid line, validation orange with squares and dashes.
    With ``optimizer`` (``model.optimizer``) a panel below draws the learning rate it used
    (see ``learning_rates``). Used in "How training went".
    """
    series = history_series(history)
    rates = None if optimizer is None else learning_rates(history, optimizer)
    fig = new_figure(10, 7.4 if rates is not None else 4.4)
    layout = [["loss", "error"], ["rate", "rate"]] if rates is not None else [["loss", "error"]]
    axes = fig.subplot_mosaic(layout, height_ratios=[1, 0.62] if rates is not None else None)
    epochs = np.arange(1, len(series["loss"]) + 1)
    _curve_panel(axes["loss"], epochs, series, "loss", "loss")
    _curve_panel(axes["error"], epochs, series, "accuracy", "error rate, 1 − accuracy")
    errors = {k: 1 - v for k, v in series.items() if k.endswith("accuracy")}
    words = [_trend(errors["accuracy"], "training error", percent)]
    if "val_accuracy" in errors:
        words.append(_trend(errors["val_accuracy"], "validation error", percent))
    if rates is not None:
        axes["rate"].plot(*rates, color=LEARNING_RATE)
        axes["rate"].set_xlabel("epoch (0 = start of training)", fontsize=12)
        axes["rate"].set_ylabel("learning rate", fontsize=12)
        axes["rate"].set(ylim=(0, None))
        axes["rate"].tick_params(labelsize=11)
        axes["rate"].set_title("learning rate during training", fontsize=14)
        axes["rate"].grid(alpha=0.3)
        words.append(_rate_words(*rates))
    kinds = "training and validation" if "val_loss" in series else "training"
    return describe(
        fig,
        f"Loss and error rate ({kinds}) over {plural(len(epochs), 'epoch')}, on log scales; "
        f"{'; '.join(words)}.",
    )
