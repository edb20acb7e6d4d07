"""What a training's history holds: its per-epoch series, and the learning rate the optimizer
used along the way.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .._args import require_array


def history_series(history: Any) -> dict[str, np.ndarray]:
    """Return the per-epoch series of a History (or its dict), checked to have one length."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"history must be a keras History or a dict, got {type(history).__name__}")
    for key in ("loss", "accuracy"):
        if key not in logs:
            raise ValueError(f"history has no {key!r}: compile the model with metrics=['accuracy']")
    keys = [k for k in ("loss", "accuracy", "val_loss", "val_accuracy") if k in logs]
    series = {k: require_array(f"history[{k!r}]", logs[k], ndim=(1,), shape_hint="(epochs,)") for k in keys}
    for key, values in series.items():
        if len(values) != len(series["loss"]):
            raise ValueError(
                f"history[{key!r}] has {len(values)} values but history['loss'] has {len(series['loss'])}: "
                "give one value per epoch for every series"
            )
    return series


def learning_rates(history: Any, optimizer: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(epochs, rates)``, both ``(4 * epochs + 1,)``: the learning rate that
    ``optimizer`` used during the ``fit`` that returned ``history``, sampled 4 times an
    epoch; ``epochs`` runs from 0 (the start of that fit) to its number of epochs.

    A schedule is read back from the optimizer's settings, so the rates are the ones it used.
    """
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(
            f"optimizer must be a Keras optimizer (model.optimizer), got {type(optimizer).__name__}"
        )
    per_epoch = 4
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
