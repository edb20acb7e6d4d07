"""Checks of a student's data, called in the cell right after each part of the exercise: the
images (``check_images``) and the labels (``check_labels``); the model's are in ``checks.model``.

Each check prints one line of what it verified, or raises ``NotReadyError`` with a message in the
student's terms: what is wrong and how to fix it, before the mistake reaches ``fit``; Jupyter shows
that message alone, without a traceback. The checks read arrays only (no TensorFlow op runs on the
student's data), so a wrong shape can never crash the kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import not_ready, student_array


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


def check_images(x_train: Any, x_test: Any) -> None:
    """Check that ``x_train`` and ``x_test`` are ``(n, 28, 28, 1)`` floats in [0, 1], made alike.

    Used right after "Prepare the data"; prints one line when they are ready.
    """
    __tracebackhide__ = True
    fix, shape = "scale the pixels to [0, 1] and add a channel axis", (28, 28, 1)
    train = student_array("x_train", x_train, fix)
    problem = _image_problem("x_train", train, shape)
    if problem:
        not_ready(problem)
    test = student_array("x_test", x_test, "prepare test_images exactly like train_images")
    problem = _image_problem("x_test", test, shape)
    if problem or test.dtype != train.dtype:
        detail = problem or f"x_test is {test.dtype} but x_train is {train.dtype}."
        not_ready(f"x_test is not prepared like x_train: {detail} Apply the same steps to test_images.")
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
        array = student_array(
            name, y, f"one-hot encode the labels with keras.utils.to_categorical(..., {classes})"
        )
        problem = _label_problem(name, array, classes, None if x is None else len(x))
        if problem:
            not_ready(problem)
    print(f"labels ready: y_train {np.shape(y_train)} and y_test {np.shape(y_test)}, one-hot")
