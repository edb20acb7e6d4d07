"""The stream of training batches the lesson's ``fit`` reads: shuffled, each image moved by a small
random amount. Used in "Train the model" (and by the explore notebook's trainings).

The images' *numbers* are shuffled, and NumPy picks each batch's rows: a pipeline made from the
images themselves (``Dataset.from_tensor_slices``) would copy the training set into TensorFlow and
hold it once more in its shuffle buffer, about half a gigabyte for MNIST, too much for the 1 GiB a
hub often gives a student.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from .._args import require_array, require_count


def shifted_batches(
    images: Any, labels: Any, batch_size: int, *, shift: float = 0.07, seed: int = 0
) -> tf.data.Dataset:
    """Return a ``tf.data.Dataset`` of ``(images, labels)`` batches for ``fit``, one pass an epoch.

    ``images`` is ``(n, h, w, channels)``, ``labels`` ``(n, classes)``. Every epoch visits the
    images in a new order (seeded by ``seed``), ``batch_size`` at a time, and moves each image by
    up to ``shift`` of its size sideways and, independently, up or down (0.07 of 28 pixels: about
    2), the space it leaves black, fractions of a pixel interpolated: Keras'
    ``RandomTranslation``. The same seed gives the same batches.
    """
    batch_size = require_count("batch_size", batch_size)
    if isinstance(shift, bool) or not isinstance(shift, int | float):
        raise TypeError(f"shift must be a number (a fraction of the image size), got {type(shift).__name__}")
    if not 0 <= shift < 0.5:
        raise ValueError(f"shift is a fraction of the image size, from 0 to below 0.5, got {shift!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    images = require_array("images", images, ndim=(4,), shape_hint="(n, height, width, channels)")
    labels = require_array("labels", labels, ndim=(2,), shape_hint="(n, classes), one-hot")
    if len(images) != len(labels):
        raise ValueError(
            f"images has {len(images)} images but labels has {len(labels)} labels: give one each"
        )
    move = keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed)
    image_shape, label_shape = images.shape[1:], labels.shape[1:]

    def take_rows(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return images[numbers], labels[numbers]  # NumPy copies this batch's rows, nothing more

    def moved_batch(numbers: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        batch, targets = tf.numpy_function(take_rows, [numbers], Tout=(images.dtype, labels.dtype))
        batch = tf.ensure_shape(batch, (None, *image_shape))  # NumPy's result has no static shape
        return move(batch, training=True), tf.ensure_shape(targets, (None, *label_shape))

    return (
        tf.data.Dataset.range(len(images))
        .shuffle(len(images), seed=seed)  # a new order at every epoch
        .batch(batch_size)
        .map(moved_batch)
        .prefetch(tf.data.AUTOTUNE)
    )
