"""Shared fixtures: MNIST (its arrays, its file, its first test digits), random images of MNIST's shape,
and a check after every test that no figure is left open in pyplot.

MNIST comes through load_mnist(), i.e. the MNIST_NPZ variable offline. The paths of the project's
files are in paths.py, the small models the tests build in models.py.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")  # tests never need a screen

import cnn_helpers  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    """Helpers never leave figures registered with pyplot, on success or on error."""
    yield
    left = plt.get_fignums()
    plt.close("all")  # so that one leak fails one test, not every test after it
    assert left == [], "a helper left a figure open in pyplot"


@pytest.fixture(scope="session")
def mnist():
    """MNIST's four verified arrays, loaded once for the whole run."""
    return cnn_helpers.load_mnist()


@pytest.fixture(scope="session")
def mnist_file(mnist, tmp_path_factory):
    """A path to a genuine MNIST .npz: MNIST_NPZ if set, else a copy written from the arrays."""
    env = os.environ.get("MNIST_NPZ")
    if env:
        return env
    (x_train, y_train), (x_test, y_test) = mnist
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"
    np.savez_compressed(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return str(path)


@pytest.fixture(scope="module")
def mnist_test_digits(mnist):
    """MNIST's first 30 test digits as floats in [0, 1], ``(30, 28, 28)``, and their labels ``(30,)``."""
    (_, _), (x_test, y_test) = mnist
    return x_test[:30].astype("float32") / 255, y_test[:30]


@pytest.fixture
def random_uint8_digits():
    """Twelve images of random uint8 pixels, 28x28, ``(12, 28, 28)``, labelled 0, 1, ..., 9, 0, 1: no
    digit is drawn, for the figure tests that need images of MNIST's shape and type, not what they show."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8), np.arange(12) % 10


def pytest_collection_modifyitems(config, items):
    """nbval's cells of the committed notebooks execute the whole lesson: slow, like every test that
    runs a notebook (``python -m pytest -m "not slow"`` is the fast lane)."""
    for item in items:
        if str(getattr(item, "path", item.fspath)).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
