"""Helpers for the lesson "A first convolutional network on MNIST": load the data, draw the pictures.

Importing this package loads TensorFlow with its C++ start-up log lines hidden
(see ``cnn_helpers._quiet``), so a notebook that imports it first stays clean.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from .data import MNIST_SHA256, MNIST_SHAPES, MnistFileError, load_mnist  # noqa: E402
from .plots import grid_shape, show_feature_maps, show_filters, show_images  # noqa: E402

__all__ = [
    "MNIST_SHA256",
    "MNIST_SHAPES",
    "MnistFileError",
    "grid_shape",
    "import_tensorflow_quietly",
    "load_mnist",
    "show_feature_maps",
    "show_filters",
    "show_images",
]
