"""A model's layers looked up: a layer by object, index or name, a ``Conv2D``'s kernel, the first
``Conv2D``, and what a layer outputs for a batch."""

from __future__ import annotations

import numbers
from typing import Any
import weakref

import keras
import numpy as np

from .._args import require_built_model, require_int


def layer_index(model: Any, layer: Any) -> int:
    """Return the index in ``model.layers`` of ``layer``: a layer object, an index or a name."""
    require_built_model(model)
    layers = model.layers
    if isinstance(layer, str):
        names = [x.name for x in layers]
        if layer not in names:
            raise ValueError(f"model has no layer named {layer!r}; its layers are {names}")
        return names.index(layer)
    if isinstance(layer, numbers.Integral) and not isinstance(layer, bool):
        return require_int("layer", layer, -len(layers), len(layers)) % len(layers)
    for i, candidate in enumerate(layers):
        if candidate is layer:
            return i
    raise ValueError(f"layer must be one of model.layers, an index into it or a name, got {layer!r}")


def conv_kernel(layer: Any) -> np.ndarray:
    """Return the kernel ``(kh, kw, in_channels, filters)`` of a built ``Conv2D`` layer."""
    if not isinstance(layer, keras.layers.Conv2D):
        raise TypeError(
            f"layer must be a keras.layers.Conv2D (e.g. model.layers[0]), got {type(layer).__name__}"
        )
    weights = layer.get_weights()
    if not weights:
        raise ValueError(
            f"layer {layer.name!r} has no weights yet: build the model (start it with keras.Input) first"
        )
    return weights[0]


def first_conv(model: Any) -> Any:
    """The first ``Conv2D`` layer of ``model``; a ValueError if it has none."""
    conv = next((layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)), None)
    if conv is None:
        raise ValueError("model has no Conv2D layer whose feature maps could be shown")
    return conv


_SUB_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layer_output(model: Any, layer: Any, batch: Any) -> np.ndarray:
    """What ``layer`` of ``model`` (an object, index or name) outputs for ``batch``, e.g. feature
    maps ``(n, h', w', channels)``. The sub-model from the input to that layer is built once and
    kept while ``model`` lives; it sees 256 images at a time (TensorFlow keeps the memory of the
    largest batch it computed for later use)."""
    index = layer_index(model, layer)
    cache = _SUB_MODELS.setdefault(model, {})
    if index not in cache:
        cache[index] = keras.Model(model.inputs[0], model.layers[index].output)
    if len(batch) <= 256:
        return np.asarray(cache[index](batch, training=False))
    return np.concatenate(
        [np.asarray(cache[index](batch[s : s + 256], training=False)) for s in range(0, len(batch), 256)]
    )


def layer_outputs(model: Any, layers: Any, batch: Any) -> list[np.ndarray]:
    """What each of ``layers`` (objects, indices or names) outputs for ``batch``, in one pass through
    ``model`` (not one per layer), as ``layer_output`` gives each; 256 images at a time."""
    indices = tuple(layer_index(model, layer) for layer in layers)
    cache = _SUB_MODELS.setdefault(model, {})
    if indices not in cache:
        cache[indices] = keras.Model(model.inputs[0], [model.layers[i].output for i in indices])
    chunks = [cache[indices](batch[s : s + 256], training=False) for s in range(0, len(batch), 256)]
    return [np.concatenate([np.asarray(chunk[k]) for chunk in chunks]) for k in range(len(indices))]
