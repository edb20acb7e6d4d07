"""The figure helpers of plots.py and results.py: what they draw, and the bad input they refuse."""

from __future__ import annotations

from cnn_helpers import (
    grid_shape,
    learning_rates,
    plot_confusion_matrix,
    plot_history,
    show_feature_maps,
    show_filters,
    show_images,
    show_misclassified,
    show_probabilities,
)
import keras
from matplotlib.figure import Figure
import numpy as np
import pytest
import tensorflow as tf


def _images(axes):
    return [im for ax in axes for im in ax.get_images()]


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8), np.arange(12) % 10


@pytest.fixture
def conv_model():
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3, activation="relu")])


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, (1, 1)), (3, (1, 3)), (8, (2, 4)), (9, (3, 3)), (10, (3, 4)), (32, (5, 7)), (100, (13, 8))],
)
def test_grid_shape(n, expected):
    assert grid_shape(n) == expected


def test_grid_shape_refuses_bad_arguments():
    with pytest.raises(ValueError, match="max_cols must be a positive int, got 0"):
        grid_shape(5, max_cols=0)
    with pytest.raises(ValueError, match="n must be a positive int"):
        grid_shape(0)


def test_show_images_titles_and_count(digits):
    images, labels = digits
    fig = show_images(images, labels, n=9)
    assert isinstance(fig, Figure)
    drawn = _images(fig.axes)
    assert len(drawn) == 9
    assert [ax.get_title() for ax in fig.axes[:3]] == ["label 0", "label 1", "label 2"]
    assert np.array_equal(drawn[4].get_array(), images[4])


def test_show_images_accepts_channel_axis_and_one_hot(digits):
    images, labels = digits
    one_hot = keras.utils.to_categorical(labels, 10)
    fig = show_images(images[..., None].astype("float32") / 255, one_hot, n=4)
    assert [ax.get_title() for ax in fig.axes if ax.get_images()] == [
        "label 0",
        "label 1",
        "label 2",
        "label 3",
    ]


def test_show_images_without_labels_has_no_titles(digits):
    fig = show_images(digits[0], n=3)
    assert all(ax.get_title() == "" for ax in fig.axes)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be a positive int"),
        ({"n": -2}, ValueError, "n must be a positive int"),
        ({"n": 2.5}, TypeError, "n must be an int"),
        ({"n": True}, TypeError, "n must be an int"),
        ({"n": 13}, ValueError, "n=13 is more than the 12 images"),
        ({"labels": np.arange(5)}, ValueError, "labels has 5 entries but there are 12 images"),
        ({"labels": np.array(["a"] * 12)}, TypeError, "labels must hold numbers"),
    ],
)
def test_show_images_refuses_bad_arguments(digits, kwargs, error, match):
    images, labels = digits
    kwargs = {"labels": labels, **kwargs}
    with pytest.raises(error, match=match):
        show_images(images, **kwargs)


@pytest.mark.parametrize(
    ("images", "error", "match"),
    [
        (np.zeros((28, 28)), ValueError, r"images must be shaped .* got 2 dimensions"),
        (np.zeros((0, 28, 28)), ValueError, "images is empty"),
        (np.zeros((3, 28, 28, 3)), ValueError, "one channel"),
        ([[[1, 2], [3]]], TypeError, "images must be an array shaped"),  # ragged
        (tf.zeros((3, 28, 28)) * np.nan, ValueError, "NaN or infinite"),  # a tf.Tensor is read too
        (np.full((3, 28, 28), np.nan), ValueError, "NaN or infinite"),
        (np.full((3, 28, 28), "x"), TypeError, "images must hold numbers"),
        ("digits", TypeError, "images must hold numbers"),
    ],
)
def test_show_images_refuses_bad_images(images, error, match):
    with pytest.raises(error, match=match):
        show_images(images, n=1)


def test_show_filters_grayscale_layer(conv_model):
    layer = conv_model.layers[0]
    fig = show_filters(layer, 8)
    drawn = _images(fig.axes)
    assert len(drawn) == 8
    kernel = layer.get_weights()[0]
    for i, image in enumerate(drawn):
        assert np.allclose(image.get_array(), kernel[:, :, 0, i])
    limit = np.abs(kernel[..., :8]).max()
    assert {image.get_clim() for image in drawn} == {(-limit, limit)}  # one scale, symmetric
    assert drawn[0].get_cmap().name == "RdBu_r"
    assert any(ax.get_label() == "<colorbar>" for ax in fig.axes)


def test_show_filters_shared_limit(conv_model):
    fig = show_filters(conv_model.layers[0], 3, limit=2.5, title="before")
    assert {image.get_clim() for image in _images(fig.axes)} == {(-2.5, 2.5)}
    assert fig.get_suptitle() == "before"
    for bad in (0, -1.0, float("nan"), "1"):
        with pytest.raises(ValueError, match="limit must be a positive finite number"):
            show_filters(conv_model.layers[0], 3, limit=bad)


def test_show_filters_draws_every_input_channel():
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)])
    layer = model.layers[0]
    fig = show_filters(layer, 2)
    drawn = _images(fig.axes)
    assert len(drawn) == 2 * 3
    kernel = layer.get_weights()[0]
    assert np.allclose(drawn[5].get_array(), kernel[:, :, 2, 1])  # filter 1, input channel 2


def test_show_filters_into_a_subfigure(conv_model):
    fig = Figure()
    left, _ = fig.subfigures(1, 2)
    assert show_filters(conv_model.layers[0], 4, fig=left) is left
    assert len(_images(left.axes)) == 4


def test_show_filters_refuses_bad_arguments(conv_model):
    layer = conv_model.layers[0]
    with pytest.raises(TypeError, match=r"layer must be a keras.layers.Conv2D .* got Dense"):
        show_filters(keras.layers.Dense(3), 1)
    with pytest.raises(TypeError, match="got ndarray"):
        show_filters(np.zeros((3, 3, 1, 8)), 1)
    with pytest.raises(ValueError, match="has no weights yet"):
        show_filters(keras.layers.Conv2D(8, 3), 1)
    with pytest.raises(ValueError, match="n_filters=17 is more than the 16 filters"):
        show_filters(layer, 17)
    with pytest.raises(ValueError, match="n_filters must be a positive int"):
        show_filters(layer, 0)
    with pytest.raises(TypeError, match="n_filters must be an int"):
        show_filters(layer, "8")
    fig = Figure()
    with pytest.raises(ValueError, match="n_filters=99 is more than the 16 filters"):
        show_filters(layer, 99, fig=fig)
    assert fig.axes == []  # nothing half-drawn


def test_show_feature_maps_scales_each_map_and_marks_dead_ones():
    maps = np.zeros((1, 6, 6, 5), dtype="float32")
    maps[0, :, :, 0] = np.arange(36).reshape(6, 6)
    maps[0, :, :, 2] = 1000 * np.eye(6)
    fig = show_feature_maps(maps, 4)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in axes] == ["channel 0", "channel 1", "channel 2", "channel 3"]
    assert axes[0].get_images()[0].get_clim() == (0, 35)  # own scale
    assert axes[2].get_images()[0].get_clim() == (0, 1000)
    dead = [ax for ax in axes if any("all zeros" in t.get_text() for t in ax.texts)]
    assert dead == [axes[1], axes[3]]
    assert fig.get_suptitle() == "First 4 feature maps (6x6), each on its own colour scale"


def test_show_feature_maps_from_a_real_sub_model(conv_model):
    extractor = keras.Model(inputs=conv_model.inputs, outputs=conv_model.layers[0].output)
    maps = extractor.predict(np.ones((1, 28, 28, 1), "float32"), verbose=0)
    fig = show_feature_maps(maps, 16)
    assert len(fig.axes) == 16


@pytest.mark.parametrize(
    ("maps", "n", "error", "match"),
    [
        (np.zeros((26, 26, 8)), 2, ValueError, r"shaped \(1, h, w, c\), got 3 dimensions"),
        (np.zeros((0, 26, 26, 8)), 2, ValueError, "feature_maps is empty"),
        (np.zeros((2, 26, 26, 8)), 2, ValueError, "batch of 2"),
        (np.zeros((1, 26, 26, 8)), 9, ValueError, "n=9 is more than the 8 channels"),
        (np.zeros((1, 26, 26, 8)), 0, ValueError, "n must be a positive int"),
        (np.zeros((1, 26, 26, 8)), 2.0, TypeError, "n must be an int"),
        (np.full((1, 4, 4, 2), np.inf), 1, ValueError, "NaN or infinite"),
        (np.zeros((1, 4, 4, 2), dtype=complex), 1, TypeError, "real numbers"),
    ],
)
def test_show_feature_maps_refuses_bad_arguments(maps, n, error, match):
    with pytest.raises(error, match=match):
        show_feature_maps(maps, n)


def test_fig_argument_must_be_a_figure(digits):
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        show_images(digits[0], n=1, fig="figure")


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
    fig = plot_confusion_matrix(matrix, values_format=".1%")
    assert "98.0%" in [t.get_text() for t in fig.axes[0].texts]


def test_plot_confusion_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no negative values"):
        plot_confusion_matrix(-np.eye(2))
    with pytest.raises(TypeError, match="values_format must be a format string"):
        plot_confusion_matrix(np.eye(2), values_format=2)


def _probabilities(labels, wrong):
    probs = np.full((len(labels), 10), 0.01)
    probs[np.arange(len(labels)), labels] = 0.91
    for index, (said, p) in wrong.items():
        probs[index] = np.eye(10)[said] * (p - 0.04) + 0.04
    return probs


def test_show_misclassified_orders_by_confidence(digits):
    images, labels = digits
    probs = _probabilities(labels, {3: (7, 0.64), 5: (1, 0.91), 8: (2, 0.5)})
    fig = show_misclassified(images, labels, probs, n=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titles == ["true 5, said 1\np = 0.91  (#5)", "true 3, said 7\np = 0.64  (#3)"]
    assert fig.get_suptitle() == "The 2 most confident mistakes (3 in 12 images)"


def test_show_misclassified_shows_all_when_there_are_fewer_than_n(digits):
    images, labels = digits
    fig = show_misclassified(images, labels, _probabilities(labels, {3: (7, 0.64)}))  # default n=12
    assert len([ax for ax in fig.axes if ax.get_images()]) == 1
    assert fig.get_suptitle() == "All the mistakes (1 in 12 images)"
    fig = show_misclassified(images, labels, np.eye(10)[labels])
    assert fig.texts[0].get_text() == "No mistakes among these 12 images"


def test_show_misclassified_refuses_bad_input(digits):
    images, labels = digits
    probs = _probabilities(labels, {})
    with pytest.raises(ValueError, match="labels has 5 entries but there are 12 images"):
        show_misclassified(images, labels[:5], probs)
    with pytest.raises(ValueError, match="probabilities has 11 rows but there are 12 images"):
        show_misclassified(images, labels, probs[:11])
    with pytest.raises(ValueError, match="n must be a positive int"):
        show_misclassified(images, labels, probs, n=0)


@pytest.mark.parametrize("helper", ["show_images", "show_misclassified", "show_probabilities"])
def test_every_digit_helper_refuses_colour_images_alike(digits, helper):
    images, labels = digits
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


def test_show_probabilities(digits):
    images, _ = digits
    probs = np.eye(10)[[3, 1]] * 0.8 + 0.02
    fig = show_probabilities(images[:2], probs)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["says 3 (82%)", "says 1 (82%)"]
    fig = show_probabilities(images[:2], probs, labels=[3, 7])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["true 3, says 3 (82%)", "true 7, says 1 (82%)"]
    with pytest.raises(ValueError, match="labels has 1 entries but there are 2 images"):
        show_probabilities(images[:2], probs, labels=[3])
    with pytest.raises(ValueError, match="images has 3 entries but probabilities has 2"):
        show_probabilities(images[:3], probs)


def test_show_probabilities_wraps_more_than_ten_images_in_rows_of_five(digits):
    images, labels = digits
    fig = show_probabilities(images, np.eye(10)[labels])  # 12 images: 3 rows of 5
    pictures = [ax for ax in fig.axes if ax.get_images()]
    assert len(pictures) == 12 and pictures[5].get_title() == "says 5 (100%)"
    with pytest.raises(ValueError, match="the number of images=21 is more than the 20 images this figure"):
        show_probabilities(np.zeros((21, 28, 28)), np.eye(10)[np.arange(21) % 10])
