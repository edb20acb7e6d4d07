"""Helpers for the lesson "A first convolutional network on MNIST": load the data, draw the pictures.

Importing this package loads TensorFlow with its C++ start-up log lines hidden
(see ``cnn_helpers._quiet``), so a notebook that imports it first stays clean.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from .data import MNIST_SHA256, MNIST_SHAPES, MnistFileError, load_mnist  # noqa: E402
from .lesson import (  # noqa: E402
    conv2d_by_hand,
    plot_architecture,
    pool2d_by_hand,
    show_convolution_steps,
    show_kernel_outputs,
    show_pooling,
    show_rgb_convolution,
)
from .plots import (  # noqa: E402
    grid_shape,
    plot_confusion_matrix,
    plot_history,
    show_feature_maps,
    show_filters,
    show_images,
    show_misclassified,
    show_probabilities,
)

__all__ = [
    "MNIST_SHA256",
    "conv2d_by_hand",
    "plot_architecture",
    "plot_confusion_matrix",
    "plot_history",
    "pool2d_by_hand",
    "show_convolution_steps",
    "show_kernel_outputs",
    "show_misclassified",
    "show_pooling",
    "show_probabilities",
    "show_rgb_convolution",
    "MNIST_SHAPES",
    "MnistFileError",
    "grid_shape",
    "import_tensorflow_quietly",
    "load_mnist",
    "show_feature_maps",
    "show_filters",
    "show_images",
]
