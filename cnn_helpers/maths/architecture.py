"""A model's architecture read from its layers, stage by stage: each stage's output shape, its kind,
the operations that lead to it and the window that made it. What ``plot_architecture`` draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import keras

ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "linear": ""}
NAMES = dict(Flatten="flatten", BatchNormalization="batch norm", GlobalAveragePooling2D="global avg-pool")


@dataclass
class Stage:
    """One stage: an output ``shape`` without the batch axis, and the operations leading to it."""

    name: str
    shape: tuple[int, ...]
    kind: str = "input"  # or "conv", "pool", "vector", "other": sets the colour
    ops: list[str] = field(default_factory=list)  # the lines of the arrow label
    window: tuple[int, int] | None = None  # the kernel or pool window that made it, if any


def _activation(layer: Any) -> str:
    """Return ``"+ ReLU"``-like text for the layer's activation, or ``""`` if it is linear."""
    name = layer.get_config().get("activation", "linear")
    if not isinstance(name, str):  # a serialized custom function
        name = getattr(layer.activation, "__name__", "custom")
    name = ACTIVATIONS.get(name, name)
    return f"+ {name}" if name else ""


def _describe(layer: Any) -> tuple[str, list[str], tuple[int, int] | None]:
    """Return a layer's kind, the lines of its arrow label, and its window ``(h, w)`` if it has one."""
    config = layer.get_config()
    if isinstance(layer, keras.layers.Conv2D):
        (kh, kw), stride = config["kernel_size"], config["strides"][0]
        strided = f"stride {stride}" if stride != 1 else ""
        return "conv", [f"conv {kh}×{kw}", strided, _activation(layer)], (kh, kw)
    if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
        (ph, pw), stride = config["pool_size"], config["strides"][0]
        mode = "max" if isinstance(layer, keras.layers.MaxPooling2D) else "avg"
        return "pool", [f"{mode}-pool {ph}×{pw}", f"stride {stride}" if stride != ph else ""], (ph, pw)
    if isinstance(layer, keras.layers.Dense):
        return "vector", ["dense", _activation(layer)], None
    if isinstance(layer, keras.layers.Dropout):
        return "other", [f"dropout {config['rate']:g}"], None
    if isinstance(layer, keras.layers.Activation):
        return "other", [_activation(layer)[2:] or "linear"], None
    return "other", [NAMES.get(type(layer).__name__, type(layer).__name__)], None


def read_stages(model: Any) -> list[Stage]:
    """Read the stages from the model; a layer that keeps the shape (dropout, ...) joins the next arrow."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    try:
        stages = [Stage("input", tuple(model.inputs[0].shape[1:]))]
        layers = [(layer, tuple(layer.output.shape[1:])) for layer in model.layers]
    except (AttributeError, ValueError, IndexError) as err:
        raise ValueError("model has no known shapes yet: start it with keras.Input(shape=...)") from err
    unknown = [shape for shape in [stages[0].shape] + [shape for _, shape in layers] if None in shape]
    if unknown:
        raise ValueError(f"model {model.name!r} has unknown sizes {unknown[0]}: give keras.Input fixed sizes")
    pending: list[str] = []
    for layer, shape in layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        kind, lines, window = _describe(layer)
        pending += [line for line in lines if line]
        if shape != stages[-1].shape or hasattr(layer, "kernel") or kind == "pool":
            kind = "vector" if len(shape) != 3 else kind
            stages.append(Stage(layer.name, shape, kind, pending, window))
            pending = []
    if pending:  # e.g. a final dropout
        stages.append(Stage(layers[-1][0].name, stages[-1].shape, stages[-1].kind, pending))
    return stages
