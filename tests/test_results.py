"""The figure helpers of figures/training.py and figures/results.py: training curves, the learning
rate used, the confusion matrix, mistakes and probabilities; what they draw, and the bad input they
refuse."""

from __future__ import annotations

from cnn_helpers import (
    plot_confusion_matrix,
    plot_history,
    show_images,
    show_misclassified,
    show_probabilities,
)
from cnn_helpers.maths.training import learning_rates
import keras
import numpy as np
import pytest


def _history(epochs=3, val=True):
    rng = np.random.default_rng(epochs)
    logs = {"loss": np.geomspace(1, 0.05, epochs), "accuracy": 1 - np.geomspace(0.3, 0.01, epochs)}
    if val:
        logs |= {"val_loss": logs["loss"] * 0.8, "val_accuracy": logs["accuracy"] + rng.random(epochs) * 1e-3}
    return logs


def test_plot_history_draws_loss_and_error_rate_on_log_scales():
    logs = _history()
    fig = plot_history(logs)
    loss_ax, error_ax = fig.axes
    assert [line.get_label() for line in error_ax.get_lines()] == ["training", "validation"]
    np.testing.assert_allclose(error_ax.get_lines()[1].get_ydata(), 1 - logs["val_accuracy"])
    assert loss_ax.get_yscale() == error_ax.get_yscale() == "log"
    assert loss_ax.get_xlabel() == "epoch"


def _fitted(optimizer, epochs=2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    x = np.random.default_rng(0).random((32, 4))
    y = np.eye(2)[(x[:, 0] > 0.5).astype(int)]
    return model, model.fit(x, y, epochs=epochs, batch_size=8, validation_split=0.25, verbose=0)


def test_plot_history_with_a_real_history_and_the_learning_rate_used():
    schedule = keras.optimizers.schedules.CosineDecay(0.001, 3, warmup_target=0.01, warmup_steps=3)
    model, history = _fitted(keras.optimizers.Adam(schedule))  # 3 steps an epoch, 2 epochs
    fig = plot_history(history, optimizer=model.optimizer)
    assert len(fig.axes) == 3 and fig.axes[2].get_title() == "learning rate during training"
    rate = fig.axes[2].get_lines()[0]
    assert list(rate.get_xdata()) == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]
    expected = [float(schedule(round(e * 3))) for e in rate.get_xdata()]
    np.testing.assert_allclose(rate.get_ydata(), expected)
    assert max(rate.get_ydata()) == pytest.approx(0.01, rel=1e-6) and rate.get_ydata()[-1] == pytest.approx(0)


def test_learning_rates_follow_the_optimizer_actually_used():
    model, history = _fitted("adam")  # a student who kept Adam's fixed rate sees a flat line
    epochs, rates = learning_rates(history, model.optimizer)
    assert list(epochs) == list(np.linspace(0, 2, 9)) and np.allclose(rates, 0.001)
    schedule = keras.optimizers.schedules.PolynomialDecay(0.01, 12, end_learning_rate=0.0)
    model, _ = _fitted(keras.optimizers.SGD(schedule))
    history = model.fit(np.zeros((24, 4)), np.eye(2)[np.zeros(24, int)], epochs=2, batch_size=8, verbose=0)
    _, rates = learning_rates(history, model.optimizer)  # a second fit: its steps are 6 to 12
    np.testing.assert_allclose(rates[[0, -1]], [float(schedule(6)), 0.0], atol=1e-7)
    with pytest.raises(ValueError, match="pass the History that model.fit returned"):
        learning_rates(history.history, model.optimizer)
    with pytest.raises(TypeError, match=r"optimizer must be a Keras optimizer \(model.optimizer\), got str"):
        learning_rates(history, "adam")


def test_plot_history_without_validation():
    fig = plot_history(_history(val=False))
    assert [[line.get_label() for line in ax.get_lines()] for ax in fig.axes] == [["training"], ["training"]]


def test_plot_history_refuses_bad_histories():
    logs = _history(epochs=4)
    logs["val_loss"] = logs["val_loss"][:3]
    with pytest.raises(ValueError, match=r"history\['val_loss'\] has 3 values but history\['loss'\] has 4"):
        plot_history(logs)
    with pytest.raises(ValueError, match="no 'accuracy'"):
        plot_history({"loss": [1.0]})
    with pytest.raises(TypeError, match="History or a dict"):
        plot_history([1, 2])
    with pytest.raises(ValueError, match="pass the History that model.fit returned"):
        plot_history(_history(), optimizer=keras.optimizers.Adam())


def test_plot_confusion_matrix_counts():
    matrix = np.diag([5, 6, 7])
    matrix[0, 2] = 2
    fig = plot_confusion_matrix(matrix)
    texts = fig.axes[0].texts
    assert sorted(t.get_text() for t in texts) == ["2", "5", "6", "7"]
    assert fig.axes[0].get_title() == "Confusion matrix: 18 of 20 correct"
    assert {t.get_text(): t.get_fontweight() for t in texts}["2"] == "bold"  # mistakes stand out


def test_plot_confusion_matrix_normalised_and_text_contrast():
    matrix = np.array([[0.98, 0.02, 0.0], [0.1, 0.85, 0.05], [0.0, 0.004, 0.996]])
    fig = plot_confusion_matrix(matrix)
    texts = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    assert sorted(texts) == ["0.004", "0.02", "0.05", "0.1", "0.85", "0.98", "1"]  # .2g, like sklearn
    assert texts["0.98"] == "white" and texts["0.004"] == "black"  # dark cell, light cell
    assert fig.axes[0].get_title() == "Confusion matrix"


def test_plot_confusion_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no negative values"):
        plot_confusion_matrix(-np.eye(2))


def _probabilities(labels, wrong):
    probs = np.full((len(labels), 10), 0.01)
    probs[np.arange(len(labels)), labels] = 0.91
    for index, (said, p) in wrong.items():
        probs[index] = np.eye(10)[said] * (p - 0.04) + 0.04
    return probs


def test_show_misclassified_orders_by_confidence(random_uint8_digits):
    images, labels = random_uint8_digits
    probs = _probabilities(labels, {3: (7, 0.64), 5: (1, 0.91), 8: (2, 0.5)})
    fig = show_misclassified(images, labels, probs, n=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titles == ["true 5, said 1\np = 0.910  (#5)", "true 3, said 7\np = 0.640  (#3)"]
    assert fig.get_suptitle() == "The 2 most confident mistakes (3 in 12 images)"


def test_show_misclassified_shows_all_when_there_are_fewer_than_n(random_uint8_digits):
    images, labels = random_uint8_digits
    fig = show_misclassified(images, labels, _probabilities(labels, {3: (7, 0.64)}))  # default n=12
    assert len([ax for ax in fig.axes if ax.get_images()]) == 1
    assert fig.get_suptitle() == "All the mistakes (1 in 12 images)"
    fig = show_misclassified(images, labels, np.eye(10)[labels])
    assert fig.texts[0].get_text() == "No mistakes among these 12 images"


def test_show_misclassified_refuses_bad_input(random_uint8_digits):
    images, labels = random_uint8_digits
    probs = _probabilities(labels, {})
    with pytest.raises(ValueError, match="labels has 5 entries but there are 12 images"):
        show_misclassified(images, labels[:5], probs)
    with pytest.raises(ValueError, match="probabilities has 11 rows but there are 12 images"):
        show_misclassified(images, labels, probs[:11])
    with pytest.raises(ValueError, match="n must be a positive int"):
        show_misclassified(images, labels, probs, n=0)


@pytest.mark.parametrize("helper", ["show_images", "show_misclassified", "show_probabilities"])
def test_every_digit_helper_refuses_colour_images_alike(random_uint8_digits, helper):
    images, labels = random_uint8_digits
    colour = np.repeat(images[..., None], 3, axis=-1)
    calls = {
        "show_images": lambda: show_images(colour, labels),
        "show_misclassified": lambda: show_misclassified(
            colour, labels, _probabilities(labels, {1: (2, 0.9)})
        ),
        "show_probabilities": lambda: show_probabilities(colour[:2], np.eye(10)[[1, 2]]),
    }
    with pytest.raises(
        ValueError, match=r"images must have one channel, shape \(m, h, w, 1\); got \(\d+, 28, 28, 3\)"
    ):
        calls[helper]()


def test_show_probabilities(random_uint8_digits):
    images, _ = random_uint8_digits
    probs = np.eye(10)[[3, 1]] * 0.8 + 0.02
    fig = show_probabilities(images[:2], probs)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["says 3 (82%)", "says 1 (82%)"]
    fig = show_probabilities(images[:2], probs, labels=[3, 7])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["true 3,\nsays 3 (82%)", "true 7,\nsays 1 (82%)"]
    with pytest.raises(ValueError, match="labels has 1 entries but there are 2 images"):
        show_probabilities(images[:2], probs, labels=[3])
    with pytest.raises(ValueError, match="images has 3 entries but probabilities has 2"):
        show_probabilities(images[:3], probs)


def test_show_probabilities_wraps_more_than_ten_images_in_rows_of_five(random_uint8_digits):
    images, labels = random_uint8_digits
    fig = show_probabilities(images, np.eye(10)[labels])  # 12 images: 3 rows of 5
    pictures = [ax for ax in fig.axes if ax.get_images()]
    assert len(pictures) == 12 and pictures[5].get_title() == "says 5 (100%)"
    with pytest.raises(ValueError, match="the number of images=21 is more than the 20 images this figure"):
        show_probabilities(np.zeros((21, 28, 28)), np.eye(10)[np.arange(21) % 10])
