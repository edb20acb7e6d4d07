"""shifted_batches: the lesson's stream of training batches (shuffled each epoch, each image moved a
little), on small arrays."""

from __future__ import annotations

from cnn_helpers import shifted_batches
import numpy as np
import pytest


def _data(n=10):
    images = np.zeros((n, 8, 8, 1), "float32")
    for i in range(n):
        images[i, 2:6, 2:6, 0] = (i + 1) / n  # image i is a square of brightness (i + 1) / n
    labels = np.eye(n, dtype="float32")  # label i names image i
    return images, labels


def _epoch(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def test_every_image_once_an_epoch_with_its_own_label_in_a_new_order():
    images, labels = _data()
    data = shifted_batches(images, labels, 4, shift=0.0, seed=3)
    first, second = _epoch(data), _epoch(data)
    assert [len(x) for x, _ in first] == [4, 4, 2]
    for epoch in (first, second):
        x = np.concatenate([b[0] for b in epoch])
        y = np.concatenate([b[1] for b in epoch])
        assert sorted(y.argmax(axis=1)) == list(range(10))  # each image once
        np.testing.assert_array_equal(x, images[y.argmax(axis=1)])  # each with its own label
    order = [np.concatenate([b[1] for b in epoch]).argmax(axis=1).tolist() for epoch in (first, second)]
    assert order[0] != order[1]  # a new order at every epoch


def test_images_are_moved_and_the_same_seed_gives_the_same_batches():
    images, labels = _data(32)
    moved = _epoch(shifted_batches(images, labels, 32, shift=0.25, seed=5))
    again = _epoch(shifted_batches(images, labels, 32, shift=0.25, seed=5))
    other = _epoch(shifted_batches(images, labels, 32, shift=0.25, seed=6))
    x, y = moved[0]
    assert x.shape == (32, 8, 8, 1) and x.dtype == np.float32 and y.shape == (32, 32)
    assert not np.allclose(x, images[y.argmax(axis=1)])  # moved
    ink = images.sum(axis=(1, 2, 3))[y.argmax(axis=1)]
    assert (x.sum(axis=(1, 2, 3)) <= ink + 1e-4).all()  # moved, not brightened: the space left is black
    np.testing.assert_array_equal(moved[0][0], again[0][0])
    assert not np.array_equal(moved[0][1], other[0][1])


@pytest.mark.parametrize(
    ("images", "labels", "kwargs", "error", "match"),
    [
        (
            np.zeros((4, 8, 8)),
            np.eye(4),
            {},
            ValueError,
            r"images must be shaped \(n, height, width, channels\)",
        ),
        (np.zeros((4, 8, 8, 1)), np.arange(4), {}, ValueError, r"labels must be shaped \(n, classes\)"),
        (np.zeros((4, 8, 8, 1)), np.eye(3), {}, ValueError, "images has 4 images but labels has 3"),
        (np.zeros((4, 8, 8, 1)), np.eye(4), {"shift": 0.5}, ValueError, "shift is a fraction"),
        (np.zeros((4, 8, 8, 1)), np.eye(4), {"batch_size": 0}, ValueError, "batch_size"),
        (np.zeros((4, 8, 8, 1)), np.eye(4), {"batch_size": 2.0}, TypeError, "batch_size"),
        (np.zeros((4, 8, 8, 1)), np.eye(4), {"shift": "a"}, TypeError, "shift must be a number"),
        (np.zeros((4, 8, 8, 1)), np.eye(4), {"seed": 1.5}, TypeError, "seed must be an int"),
    ],
)
def test_bad_input_is_refused_before_any_work(images, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        shifted_batches(images, labels, **{"batch_size": 2, **kwargs})
