"""The small models the tests build: a one-block CNN, and a model with no convolution at all.

A test that needs some small CNN takes ``small_cnn``; a test whose point is an architecture (a
model that cannot learn, a student's mistake, the lesson's own model, a smooth activation for finite
differences) builds that model itself, where a reader sees it.
"""

from __future__ import annotations

import keras


def small_cnn(
    size: int = 28,
    filters: int = 8,
    classes: int = 10,
    *,
    pool: bool = True,
    hidden: int | None = None,
    seed: int | None = None,
) -> keras.Sequential:
    """A CNN on ``(size, size, 1)`` images: a 3x3 ``Conv2D(filters)`` with ReLU named ``conv1``, a 2x2
    max pooling (unless ``pool=False``), ``Flatten``, a ``Dense(hidden)`` with ReLU if ``hidden`` is
    given, and a ``Dense(classes)`` with softmax. With ``seed``, ``keras.utils.set_random_seed(seed)``
    comes first, so that its weights (and a training that follows) are the same on every run."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((size, size, 1)),
            layers.Conv2D(filters, 3, activation="relu", name="conv1"),
            *([layers.MaxPooling2D(2)] if pool else []),
            layers.Flatten(),
            *([layers.Dense(hidden, activation="relu")] if hidden else []),
            layers.Dense(classes, activation="softmax"),
        ]
    )


def no_convolution(size: int = 28, classes: int = 10) -> keras.Sequential:
    """``Flatten`` and a ``Dense(classes)`` with softmax on ``(size, size, 1)`` images: a model with no
    convolution, for what needs one refused, or for weights set by hand (a score known exactly)."""
    return keras.Sequential(
        [
            keras.Input((size, size, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )
