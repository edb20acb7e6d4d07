"""The hidden tests of the nbgrader assignment: one function per graded part, for what the check a
student sees cannot show. Each fails with an AssertionError saying what is wrong.

They never run in the student's kernel. The arguments before ``*`` name the notebook's variables
that the part's graded cell saves while autograde runs (``cnn_instructor.hidden_region``); the
keyword-only ones are the assignment's settings (``Part.settings``). ``cnn_instructor.judge`` calls
each function in a fresh process on what was saved, e.g. ``grade_model(model=<the saved model>,
floor=0.5)``. Unlike the rest of ``cnn_instructor``, this module and the judge import TensorFlow
(through Keras and ``cnn_helpers``); ``cnn-assignment`` reads this file's text and never imports it.
"""

from __future__ import annotations

from cnn_helpers import load_mnist
import keras
import numpy as np


def grade_images(
    x_train: np.ndarray, x_test: np.ndarray, train_images: np.ndarray, test_images: np.ndarray
) -> None:
    """x_train and x_test are MNIST's images divided by 255, float32, one channel, in MNIST's order;
    train_images and test_images are as loaded."""
    (raw_train, _), (raw_test, _) = load_mnist()
    same = np.array_equal(train_images, raw_train) and np.array_equal(test_images, raw_test)
    assert same, "train_images or test_images changed: leave the raw arrays as loaded, prepare copies"
    for name, x, raw in (("x_train", x_train, raw_train), ("x_test", x_test, raw_test)):
        x = np.asarray(x)
        assert x.dtype == np.float32, f"{name} holds {x.dtype} pixels, not float32"
        for start in range(0, len(raw), 10000):  # ten thousand images at a time: little memory
            scaled_back = x[start : start + 10000, ..., 0] * 255
            assert np.allclose(scaled_back, raw[start : start + 10000], atol=1e-3), (
                f"{name} is not the raw pixels divided by 255, image by image in MNIST's order"
            )


def grade_labels(y_train: np.ndarray, y_test: np.ndarray) -> None:
    """y_train and y_test are the one-hot vectors of MNIST's labels, in MNIST's order."""
    (_, raw_train), (_, raw_test) = load_mnist()
    for name, y, raw in (("y_train", y_train, raw_train), ("y_test", y_test, raw_test)):
        one_hot = keras.utils.to_categorical(raw, 10)
        assert np.array_equal(np.asarray(y), one_hot), f"{name} is not MNIST's labels one-hot, in order"


def grade_model(model: keras.Model, *, floor: float) -> None:
    """The model has two convolutions or more, and it learns: a fresh copy of it, trained here for
    two epochs on 2,048 MNIST images, reads at least the fraction ``floor`` of 1,000 test digits."""
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convolutions) >= 2, f"the model has {len(convolutions)} Conv2D layers: build two blocks"
    (images, labels), (digits, digit_labels) = load_mnist()
    fresh = keras.models.clone_model(model)  # the same layers with new weights
    fresh.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    x, y = images[:2048, ..., None] / np.float32(255), keras.utils.to_categorical(labels[:2048], 10)
    fresh.fit(x, y, epochs=2, batch_size=64, verbose=0)
    x, y = digits[:1000, ..., None] / np.float32(255), keras.utils.to_categorical(digit_labels[:1000], 10)
    accuracy = fresh.evaluate(x, y, verbose=0)[1]
    assert accuracy >= floor, f"a fresh copy of the model learned little: {accuracy:.1%} correct"


def grade_compiled(model: keras.Model) -> None:
    """Adam, and the categorical cross-entropy loss: minus the log of the true class's probability,
    computed here on two examples, whatever the labels."""
    optimizer = type(model.optimizer).__name__
    assert isinstance(model.optimizer, keras.optimizers.Adam), f"the optimizer is {optimizer}, not Adam"
    truth = np.array([[0, 1, 0], [1, 0, 0]], dtype="float32")
    predicted = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], dtype="float32")
    loss = float(np.mean(keras.losses.get(model.loss)(truth, predicted)))
    expected = float(np.mean(-np.log([0.7, 0.5])))
    assert abs(loss - expected) < 1e-4, f"the loss gives {loss:.4f} where cross-entropy gives {expected:.4f}"


def grade_trained(model: keras.Model, *, floor: float) -> None:
    """The model was trained, and it reads at least the fraction ``floor`` of MNIST's 10,000 test
    digits, prepared here as the lesson prepares them."""
    assert int(model.optimizer.iterations) > 0, "the model has not been trained: run the training cell"
    (_, _), (digits, digit_labels) = load_mnist()
    predicted = model.predict(digits[..., None] / np.float32(255), verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == digit_labels))
    assert accuracy >= floor, f"the trained model reads {accuracy:.2%} of test digits, under {floor:.0%}"
