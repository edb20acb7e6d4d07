"""Checks of a student's work, called in the cell right after each part of the exercise.

Each check prints one line of what it verified, or raises ``NotReadyError`` with a message
in the student's terms: what is wrong and how to fix it, before the mistake reaches
``fit``; Jupyter shows that message alone, without a traceback. The checks read arrays and
the model's settings only (no TensorFlow op runs on the student's data), so a wrong shape
can never crash the kernel. Any model that fits the task passes: other filter counts, other
layers, another optimizer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["NotReadyError", "check_compiled", "check_images", "check_labels", "check_model"]

_ONE_HOT_LOSSES = {"categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence"}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy"}
_ACCURACY = {"accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy"}


class NotReadyError(ValueError):
    """A part of the exercise is not ready yet; the message says what is wrong and how to fix it."""

    def _render_traceback_(self) -> list[str]:
        """What Jupyter shows: the message alone. The mistake is in the cell above, not in a traceback."""
        return [f"\x1b[1;31m{type(self).__name__}\x1b[0m: {self}"]


def _fail(message: str) -> None:
    __tracebackhide__ = True  # IPython and pytest show the student's cell, not this frame
    raise NotReadyError(message) from None


def _array(name: str, value: Any, fix: str) -> np.ndarray:
    """Return ``value`` as a numeric array, or fail saying it is still a placeholder or not numbers."""
    __tracebackhide__ = True
    if value is Ellipsis or value is None:
        _fail(f"{name} is still {'...' if value is Ellipsis else 'None'}: replace it with your code ({fix}).")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    if array is None or not np.issubdtype(array.dtype, np.number) or array.dtype == bool:
        _fail(f"{name} should be a NumPy array of numbers, but it is a {type(value).__name__}. Fix: {fix}.")
    return array


def _image_problem(name: str, x: np.ndarray, shape: tuple[int, ...]) -> str | None:
    """Say what is wrong with the images ``x`` in the student's terms, or return None."""
    h, w, c = shape
    if x.ndim == 3 and x.shape[1:] == (h, w):
        return (
            f"{name} has shape {x.shape}: the channel axis is missing. Conv2D wants each image as "
            f"(height, width, channels); add the axis at the end with np.expand_dims(..., axis=-1) "
            f"so that each image is {shape}."
        )
    if x.ndim == 4 and x.shape[1:] == (c, h, w):
        return (
            f"{name} has shape {x.shape}: the channel axis is first, but Keras wants it last "
            f"(channels_last). Add it with np.expand_dims(..., axis=-1) instead of axis=1."
        )
    if x.ndim != 4 or x.shape[1:] != shape:
        return (
            f"{name} should hold images shaped {shape}, i.e. be (n, {h}, {w}, {c}); it has shape {x.shape}."
        )
    if np.issubdtype(x.dtype, np.integer):
        return (
            f"{name} holds {x.dtype} integers from {x.min()} to {x.max()}: scale the pixels to [0, 1] "
            f"as floats, e.g. images.astype('float32') / 255."
        )
    if not np.all(np.isfinite(x)):
        return f"{name} holds NaN or infinite values; scale the raw pixels with / 255."
    low, high = float(x.min()), float(x.max())
    if high > 1.0 or low < 0.0:
        return (
            f"{name}'s pixels go from {low:g} to {high:g}, not [0, 1]: divide the raw pixels by 255 "
            f"(and nothing else)."
        )
    if high < 0.5:
        return f"{name}'s pixels only go up to {high:.3g}: did you divide by 255 twice? Divide once."
    return None


def check_images(x_train: Any, x_test: Any, *, shape: tuple[int, int, int] = (28, 28, 1)) -> None:
    """Check that ``x_train`` and ``x_test`` are ``(n, 28, 28, 1)`` floats in [0, 1], made alike.

    Used right after "Prepare the data"; prints one line when they are ready.
    """
    __tracebackhide__ = True
    fix = "scale the pixels to [0, 1] and add a channel axis"
    train = _array("x_train", x_train, fix)
    problem = _image_problem("x_train", train, shape)
    if problem:
        _fail(problem)
    test = _array("x_test", x_test, "prepare test_images exactly like train_images")
    problem = _image_problem("x_test", test, shape)
    if problem or test.dtype != train.dtype:
        detail = problem or f"x_test is {test.dtype} but x_train is {train.dtype}."
        _fail(f"x_test is not prepared like x_train: {detail} Apply the same steps to test_images.")
    print(
        f"images ready: x_train {train.shape} {train.dtype} in [0, 1], "
        f"x_test {test.shape} {test.dtype} in [0, 1]"
    )


def _label_problem(name: str, y: np.ndarray, classes: int, count: int | None) -> str | None:
    """Say what is wrong with the one-hot labels ``y`` in the student's terms, or return None."""
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        return (
            f"{name} has shape {y.shape}: it holds class numbers, not one-hot vectors. "
            f"Use keras.utils.to_categorical(..., {classes}) to make each label a vector of {classes}."
        )
    if y.ndim != 2:
        return f"{name} should be (n, {classes}), one one-hot row per image; it has shape {y.shape}."
    if y.shape[1] != classes:
        return (
            f"{name}'s one-hot vectors have length {y.shape[1]}, but there are {classes} classes: "
            f"pass the number of classes, keras.utils.to_categorical(..., {classes})."
        )
    if not (np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)):
        return f"{name}'s rows are not one-hot (a single 1, zeros elsewhere): use keras.utils.to_categorical."
    if count is not None and len(y) != count:
        return f"{name} has {len(y)} labels but there are {count} images: one label per image."
    return None


def check_labels(
    y_train: Any, y_test: Any, *, classes: int = 10, x_train: Any = None, x_test: Any = None
) -> None:
    """Check that ``y_train`` and ``y_test`` are one-hot ``(n, classes)``, one row per image.

    Pass ``x_train``/``x_test`` to check the counts too. Used right after the one-hot cell.
    """
    __tracebackhide__ = True
    for name, y, x in (("y_train", y_train, x_train), ("y_test", y_test, x_test)):
        array = _array(name, y, f"one-hot encode the labels with keras.utils.to_categorical(..., {classes})")
        problem = _label_problem(name, array, classes, None if x is None else len(x))
        if problem:
            _fail(problem)
    print(f"labels ready: y_train {np.shape(y_train)} and y_test {np.shape(y_test)}, one-hot")


def _output_activation(model: Any) -> str:
    """The name of the activation the model ends with (``"softmax"``, ``"linear"``, ...)."""
    last = model.layers[-1]
    if type(last).__name__ == "Softmax":
        return "softmax"
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", str(activation))


def check_model(model: Any, *, input_shape: tuple[int, ...] = (28, 28, 1), classes: int = 10) -> None:
    """Check the model: starts from ``keras.Input(shape=input_shape)``, a ``Conv2D`` with at
    least 8 filters first (the lesson draws 8), and ends in ``classes`` softmax outputs.

    Used right after "Build the model"; prints one line when it is ready.
    """
    __tracebackhide__ = True
    import keras

    if model is Ellipsis or not isinstance(model, keras.Model):
        _fail(f"model should be a Keras model, e.g. keras.Sequential([...]); it is {type(model).__name__}.")
    if not model.layers:
        _fail("model has no layers yet: list keras.Input(shape=input_shape) and the layers inside the [ ].")
    if not model.built or not model.inputs:
        _fail(
            "model does not start with keras.Input, so it has no input shape yet: put "
            "keras.Input(shape=input_shape) first in the list. Without it, the filters and the "
            "feature-map model below cannot be built before training."
        )
    got = tuple(model.inputs[0].shape[1:])
    if got != tuple(input_shape):
        _fail(
            f"model expects images shaped {got}, but they are {input_shape}: keras.Input(shape=input_shape)."
        )
    first = model.layers[0]
    if not isinstance(first, keras.layers.Conv2D):
        _fail(
            f"the first layer is a {type(first).__name__}, but this lesson looks at the first layer's "
            "filters (show_filters(model.layers[0], 8)): make the first layer after keras.Input a Conv2D."
        )
    if first.filters < 8:
        _fail(f"the first Conv2D has {first.filters} filters; the next cells draw 8 of them: use 8 or more.")
    output = tuple(model.outputs[0].shape[1:])
    if output != (classes,):
        _fail(
            f"the model's output is shaped {output}, not one vector of {classes} per image: end with "
            f"keras.layers.Dense({classes}, activation='softmax') (after a Flatten)."
        )
    activation = _output_activation(model)
    if activation != "softmax":
        _fail(
            f"the last layer's activation is {activation!r}: add activation='softmax' so that the "
            f"{classes} outputs are probabilities that add up to 1."
        )
    print(
        f"model ready: {input_shape} images in, {first.filters} filters in the first Conv2D, "
        f"{classes} softmax outputs, {model.count_params():,} weights"
    )


def _loss_name(loss: Any) -> str:
    if isinstance(loss, str):
        return loss
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    return config.get("name") or getattr(loss, "__name__", type(loss).__name__)


def check_compiled(model: Any, y_train: Any) -> None:
    """Check that the model is compiled with a loss that fits the labels ``y_train`` and
    ``metrics=["accuracy"]``. Any optimizer will do. Used right after "Compile the model".
    """
    __tracebackhide__ = True
    if not getattr(model, "compiled", False):
        _fail("model is not compiled yet: call model.compile(loss=..., optimizer=..., metrics=['accuracy']).")
    labels = _array("y_train", y_train, "one-hot encode the labels")
    name = _loss_name(model.loss)
    one_hot = labels.ndim == 2 and labels.shape[1] > 1
    if name in _SPARSE_LOSSES and one_hot:
        _fail(
            f"loss {name!r} expects class numbers, but y_train is one-hot {labels.shape}: "
            "use loss='categorical_crossentropy'."
        )
    if name in _ONE_HOT_LOSSES and not one_hot:
        _fail(
            f"loss {name!r} expects one-hot labels, but y_train holds class numbers {labels.shape}: "
            "one-hot encode them, or use loss='sparse_categorical_crossentropy'."
        )
    if name not in _ONE_HOT_LOSSES | _SPARSE_LOSSES:
        _fail(
            f"loss {name!r} does not fit a classifier with {labels.shape[-1]} classes: "
            "use loss='categorical_crossentropy' (for one-hot labels)."
        )
    if (
        getattr(model.loss, "get_config", dict)().get("from_logits")
        and _output_activation(model) == "softmax"
    ):
        _fail("from_logits=True expects raw scores, but the model ends with softmax: drop from_logits=True.")
    metrics = model.get_compile_config().get("metrics") or []
    names = {m if isinstance(m, str) else m.get("config", {}).get("name") for m in metrics}
    if not names & _ACCURACY:
        _fail(
            "compile has no accuracy metric: add metrics=['accuracy'], so that training reports "
            "accuracy and the training curves below can be drawn."
        )
    print(
        f"compiled: loss {name} fits y_train {labels.shape}, optimizer {type(model.optimizer).__name__}, "
        "metric accuracy"
    )
