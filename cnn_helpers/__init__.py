"""Helpers for the lesson "A first convolutional network on MNIST": load the data, draw the
pictures, check a student's work.

Importing this package loads TensorFlow with its C++ start-up log lines hidden
(see ``cnn_helpers._quiet``), so a notebook that imports it first stays clean.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from ._figure import grid_shape  # noqa: E402
from .architecture import plot_architecture  # noqa: E402
from .attribution import (  # noqa: E402
    as_model_batch,
    class_scores,
    digit_probabilities,
    occlusion_map,
    saliency_map,
)
from .attribution_figures import show_saliency_check  # noqa: E402
from .checks import NotReadyError, check_images, check_labels  # noqa: E402
from .compare import compare_feature_maps, compare_filters  # noqa: E402
from .data import MNIST_SHA256, MNIST_SHAPES, MnistFileError, load_mnist  # noqa: E402
from .drawing import image_file_to_drawing, mnist_style, render_strokes, show_digit_response  # noqa: E402
from .explore import (  # noqa: E402
    conv_output_size,
    ink_cut_off,
    kernel_from_values,
    receptive_field,
    receptive_field_box,
    shift_accuracy,
    shift_images,
)
from .explore_figures import (  # noqa: E402
    plot_shift_accuracy,
    show_kernels,
    show_padding_stride,
    show_receptive_field,
    show_saliency,
)
from .lesson import (  # noqa: E402
    conv2d_by_hand,
    pool2d_by_hand,
    show_convolution_steps,
    show_kernel_outputs,
    show_pooling,
    show_rgb_convolution,
)
from .model_checks import check_compiled, check_model  # noqa: E402
from .padding import output_size_formula, show_padding_windows, window_starts  # noqa: E402
from .plots import show_feature_maps, show_filters, show_images  # noqa: E402
from .results import (  # noqa: E402
    learning_rates,
    plot_confusion_matrix,
    plot_history,
    show_misclassified,
    show_probabilities,
)
from .sanity import randomized_copy, rank_correlation, saliency_check  # noqa: E402
from .unit_view import feature_layers, inspect_unit, show_unit_view  # noqa: E402

__all__ = [
    "MNIST_SHA256",
    "MNIST_SHAPES",
    "MnistFileError",
    "NotReadyError",
    "as_model_batch",
    "check_compiled",
    "check_images",
    "check_labels",
    "check_model",
    "class_scores",
    "compare_feature_maps",
    "compare_filters",
    "conv2d_by_hand",
    "conv_output_size",
    "digit_probabilities",
    "feature_layers",
    "grid_shape",
    "image_file_to_drawing",
    "import_tensorflow_quietly",
    "ink_cut_off",
    "inspect_unit",
    "kernel_from_values",
    "learning_rates",
    "load_mnist",
    "mnist_style",
    "occlusion_map",
    "output_size_formula",
    "plot_architecture",
    "plot_confusion_matrix",
    "plot_history",
    "plot_shift_accuracy",
    "pool2d_by_hand",
    "randomized_copy",
    "rank_correlation",
    "receptive_field",
    "receptive_field_box",
    "render_strokes",
    "saliency_check",
    "saliency_map",
    "shift_accuracy",
    "shift_images",
    "show_convolution_steps",
    "show_digit_response",
    "show_feature_maps",
    "show_filters",
    "show_images",
    "show_kernel_outputs",
    "show_kernels",
    "show_misclassified",
    "show_padding_stride",
    "show_padding_windows",
    "show_pooling",
    "show_probabilities",
    "show_receptive_field",
    "show_rgb_convolution",
    "show_saliency",
    "show_saliency_check",
    "show_unit_view",
    "window_starts",
]
