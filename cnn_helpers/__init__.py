"""Helpers for the lesson "A first convolutional network on MNIST": load the data, draw the
pictures, check a student's work.

The package stands in layers; imports run one way, from each layer to those below it:

- ``widgets``: the explore notebook's interactive tools (ipywidgets, the ``lesson`` extra), each
  redrawing a figure; import them from ``cnn_helpers.widgets``;
- ``figures``: matplotlib, drawn from arrays (what ``maths`` computes), each figure described in
  words; its colours in ``figures._colour``. A figure reads no model: one that the notebook calls
  with a layer or a model (``show_filters``, ``plot_architecture``) reads it first, through
  ``maths``, and then draws arrays;
- ``maths``: numpy, TensorFlow/Keras and Pillow: convolution by hand, padding, receptive fields,
  shifts, attribution, a model's layers and response, the drawing pad's image processing;
- the shared pieces every layer may use: argument validators (``_args``), numbers in words
  (``_words``), TensorFlow's quiet import (``_quiet``).

Beside them at the top, ``data`` loads MNIST and verifies it, and ``checks`` checks a student's
work; they use maths and the shared pieces. The names a notebook uses are here, flat. Importing
this package loads TensorFlow with its C++ start-up log lines hidden, so a notebook that imports it
first stays clean.

Names: ``show_*`` draws arrays as pictures (images, kernels, feature maps) and ``plot_*`` values as
a chart (curves, bars, a table of counts, a diagram), each on a new figure that it describes and
returns; ``compare_*`` shows two arrays, before above after; ``draw_*`` draws into an Axes it is
given. ``check_*`` checks a student's work (``NotReadyError``); ``require_*`` validates an argument.
A count to show is ``n``; sizes are ``(size, kernel_size, padding, stride)``, as Keras names them.
"""

from ._quiet import import_tensorflow_quietly

import_tensorflow_quietly()

from .checks.base import NotReadyError  # noqa: E402
from .checks.data import check_images, check_labels  # noqa: E402
from .checks.model import check_compiled, check_model  # noqa: E402
from .data import MnistFileError, load_mnist  # noqa: E402
from .figures.architecture import plot_architecture  # noqa: E402
from .figures.attribution import show_saliency  # noqa: E402
from .figures.before_after import compare_feature_maps, compare_filters  # noqa: E402
from .figures.calibration import plot_reliability  # noqa: E402
from .figures.convolution import (  # noqa: E402
    show_convolution_steps,
    show_kernel_outputs,
    show_pooling,
    show_rgb_convolution,
)
from .figures.faithfulness import show_attributions, show_cascade_maps  # noqa: E402
from .figures.filters import show_feature_maps, show_filters  # noqa: E402
from .figures.images import show_images  # noqa: E402
from .figures.kernels import show_kernels  # noqa: E402
from .figures.padding import show_padding_stride  # noqa: E402
from .figures.receptive_field import show_receptive_field  # noqa: E402
from .figures.removal import plot_removal_curves  # noqa: E402
from .figures.results import plot_confusion_matrix, show_misclassified, show_probabilities  # noqa: E402
from .figures.shifts import plot_shift_accuracy  # noqa: E402
from .figures.training import plot_history  # noqa: E402
from .figures.unit import show_unit_view  # noqa: E402
from .maths.attribution import class_scores, occlusion_map, saliency_map  # noqa: E402
from .maths.batches import shifted_batches  # noqa: E402
from .maths.calibration import reliability  # noqa: E402
from .maths.convolution import conv2d_by_hand, pool2d_by_hand  # noqa: E402
from .maths.drawn_digit import mnist_style, render_strokes  # noqa: E402
from .maths.faithfulness import blurred, integrated_gradients, smoothgrad  # noqa: E402
from .maths.padding import conv_output_size, output_size_formula  # noqa: E402
from .maths.randomization import cascade_check  # noqa: E402
from .maths.receptive_field import receptive_field, receptive_field_box  # noqa: E402
from .maths.removal import method_curves  # noqa: E402
from .maths.removal_table import faithfulness_tables  # noqa: E402
from .maths.shifts import shift_accuracy  # noqa: E402
from .maths.temperature import fit_temperature, temperature_scaled  # noqa: E402
from .maths.unit import inspect_unit  # noqa: E402
from .maths.what_where import shift_similarity  # noqa: E402

__all__ = [
    "MnistFileError",
    "NotReadyError",
    "blurred",
    "cascade_check",
    "check_compiled",
    "check_images",
    "check_labels",
    "check_model",
    "class_scores",
    "compare_feature_maps",
    "compare_filters",
    "conv2d_by_hand",
    "conv_output_size",
    "faithfulness_tables",
    "fit_temperature",
    "inspect_unit",
    "integrated_gradients",
    "load_mnist",
    "method_curves",
    "mnist_style",
    "occlusion_map",
    "output_size_formula",
    "plot_architecture",
    "plot_confusion_matrix",
    "plot_history",
    "plot_reliability",
    "plot_removal_curves",
    "plot_shift_accuracy",
    "pool2d_by_hand",
    "receptive_field",
    "receptive_field_box",
    "reliability",
    "render_strokes",
    "saliency_map",
    "shift_accuracy",
    "shift_similarity",
    "shifted_batches",
    "show_attributions",
    "show_cascade_maps",
    "show_convolution_steps",
    "show_feature_maps",
    "show_filters",
    "show_images",
    "show_kernel_outputs",
    "show_kernels",
    "show_misclassified",
    "show_padding_stride",
    "show_pooling",
    "show_probabilities",
    "show_receptive_field",
    "show_rgb_convolution",
    "show_saliency",
    "show_unit_view",
    "smoothgrad",
    "temperature_scaled",
]
