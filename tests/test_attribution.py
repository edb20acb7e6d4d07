"""Where the model looks: class probabilities, logits, saliency maps against finite differences and an
oracle, occlusion maps, and the saliency figure."""

from __future__ import annotations

from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures.attribution import show_saliency
from cnn_helpers.maths.attribution import class_scores, digit_probabilities, occlusion_map, saliency_map
from cnn_helpers.maths.receptive_field import receptive_field
from helpers import titles
import keras
from models import no_convolution
import numpy as np
import pytest

layers = keras.layers


@pytest.fixture(scope="module")
def small_model():
    """Its own architecture: tanh rather than ReLU, so that its score is smooth and finite differences
    can check its gradient."""
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(3, 3, activation="tanh", kernel_initializer=keras.initializers.GlorotUniform(1)),
            layers.Flatten(),
            layers.Dense(4, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(2)),
        ]
    )


def _one_pixel_model(row, col):
    """A 6x6 -> 2 softmax model whose class 0 grows with pixel (row, col) only."""
    model = no_convolution(6, classes=2)
    weights = np.zeros((36, 2), "float32")
    weights[row * 6 + col, 0] = 4.0
    model.layers[-1].set_weights([weights, np.zeros(2, "float32")])
    return model


def _logit_model(model):
    """The same weights as ``model`` with its last Dense layer's softmax removed: it outputs the logits."""
    config = model.get_config()
    config["layers"][-1]["config"]["activation"] = "linear"
    plain = keras.Sequential.from_config(config)
    plain.set_weights(model.get_weights())
    return plain


def test_saliency_map_is_the_gradient_of_the_logit(small_model):
    image = np.random.default_rng(0).uniform(0, 1, (8, 8)).astype("float32")
    probabilities = digit_probabilities(small_model, image)
    assert probabilities.shape == (4,) and abs(probabilities.sum() - 1) < 1e-5
    logits = _logit_model(small_model)
    np.testing.assert_allclose(class_scores(small_model, image), logits(image[None, ..., None])[0], rtol=1e-5)
    for class_index in (None, 2):
        chosen = int(probabilities.argmax()) if class_index is None else class_index
        saliency = saliency_map(small_model, image, class_index)
        assert saliency.shape == (8, 8) and saliency.dtype == np.float32
        eps = 1e-2
        bumps = np.repeat(image[None], 128, axis=0)
        for k, (r, c) in enumerate(np.ndindex(8, 8)):
            bumps[2 * k, r, c] += eps
            bumps[2 * k + 1, r, c] -= eps
        z = logits.predict(bumps[..., None], verbose=0)[:, chosen].astype("float64")
        numeric = np.abs(z[0::2] - z[1::2]).reshape(8, 8) / (2 * eps)
        np.testing.assert_allclose(saliency, numeric, rtol=0.05, atol=2e-3)
    for shaped in (image[..., None], image[None, ..., None]):
        np.testing.assert_allclose(saliency_map(small_model, shaped, 2), saliency)


def _saturated_model():
    """Flatten + Dense(10, softmax) on 28x28, its class 3 so far ahead that p(3) is 1.0 in float32."""
    model = no_convolution(28, classes=10)
    weights = np.random.default_rng(1).normal(0, 0.05, (784, 10)).astype("float32")
    bias = np.zeros(10, "float32")
    bias[3] = 200.0  # a logit margin of about 200: exp(-200) underflows to 0 in float32
    model.layers[-1].set_weights([weights, bias])
    return model, weights


def test_saliency_map_of_a_saturated_linear_model_is_its_weight_column():
    """The oracle: the logit of class c is x . W[:, c] + b[c], so its gradient is W[:, c], exactly."""
    import tensorflow as tf

    model, weights = _saturated_model()
    image = np.random.default_rng(2).uniform(0, 1, (28, 28)).astype("float32")
    assert digit_probabilities(model, image)[3] == np.float32(1.0)  # saturated
    saliency = saliency_map(model, image)  # the predicted class, 3
    np.testing.assert_array_equal(saliency, np.abs(weights[:, 3]).reshape(28, 28))
    np.testing.assert_array_equal(saliency_map(model, image, 5), np.abs(weights[:, 5]).reshape(28, 28))

    # What the old saliency_map computed, the gradient of log p, collapses there: the winning
    # class's part is exactly 0 and the rest is smaller than any weight by many orders.
    x = tf.convert_to_tensor(image[None, :, :, None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        log_p = tf.math.log(model(x)[0, 3] + 1e-30)
    old = np.abs(tape.gradient(log_p, x).numpy()[0, :, :, 0])
    assert old.max() < 1e-6 * np.abs(weights[:, 3]).min()
    assert not np.allclose(old, np.abs(weights[:, 3]).reshape(28, 28))


@pytest.mark.parametrize("ending", ["Softmax layer", "Activation layer"])
def test_class_scores_are_read_before_a_softmax_layer(ending):
    last = layers.Softmax() if ending == "Softmax layer" else layers.Activation("softmax")
    model = keras.Sequential([keras.Input((6, 6, 1)), layers.Flatten(), layers.Dense(3), last])
    weights = np.arange(108, dtype="float32").reshape(36, 3) / 100
    model.layers[1].set_weights([weights, np.array([1.0, 0.0, -1.0], "float32")])
    image = np.linspace(0, 1, 36, dtype="float32").reshape(6, 6)
    np.testing.assert_allclose(class_scores(model, image), image.ravel() @ weights + [1, 0, -1], rtol=1e-5)
    np.testing.assert_allclose(saliency_map(model, image, 1), np.abs(weights[:, 1]).reshape(6, 6), rtol=1e-6)


def test_a_model_whose_end_cannot_be_read_is_refused():
    for last in (layers.Dense(3, activation="sigmoid"), layers.Dense(3), layers.Activation("relu")):
        model = keras.Sequential([keras.Input((6, 6, 1)), layers.Flatten(), last])
        with pytest.raises(ValueError, match="cannot read the class scores before the softmax"):
            saliency_map(model, np.zeros((6, 6)))
        with pytest.raises(ValueError, match=f"this one ends in {type(last).__name__}"):
            class_scores(model, np.zeros((6, 6)))


def test_saliency_map_sees_the_one_pixel_that_matters():
    saliency = saliency_map(_one_pixel_model(2, 3), np.full((6, 6), 0.5), class_index=0)
    assert saliency[2, 3] > 0 and np.count_nonzero(saliency) == 1


def test_occlusion_map_drops_only_where_a_square_covers_the_pixel():
    model = _one_pixel_model(2, 3)  # class 0's logit is 4 x pixel (2, 3)
    drop = occlusion_map(model, np.ones((6, 6)), class_index=0, patch=2)
    assert drop.shape == (6, 6) and drop.dtype == np.float32  # one value per pixel, every pixel covered
    # the logit drops by 4 whenever the square covers (2, 3): a pixel's value is the mean over the
    # squares that cover it, so (2, 3) itself gets 4, its neighbours a share of it, the rest 0
    assert drop[2, 3] == pytest.approx(4.0)
    assert set(zip(*np.nonzero(drop), strict=True)) == {(r, c) for r in (1, 2, 3) for c in (2, 3, 4)}
    assert drop[0, 0] == 0 and drop[1, 2] == pytest.approx(4.0 / 4)  # (1, 2): 1 of its 4 squares
    with pytest.raises(ValueError, match=r"class_index must be in \[0, 1\]"):
        occlusion_map(model, np.ones((6, 6)), class_index=2)
    assert not occlusion_map(model, np.ones((6, 6, 1)), class_index=0, patch=3, fill=1.0).any()  # same value
    mean_image = np.full((6, 6), 0.25)
    drop = occlusion_map(model, np.ones((6, 6)), class_index=0, patch=1, fill=mean_image)
    assert drop[2, 3] == pytest.approx(4 * 0.75) and np.count_nonzero(drop) == 1  # filled from the image


def test_occlusion_reads_the_logit_not_a_saturated_probability():
    model = _one_pixel_model(2, 3)
    model.layers[-1].set_weights([model.layers[-1].get_weights()[0] * 10, np.zeros(2, "float32")])
    drop = occlusion_map(model, np.ones((6, 6)), class_index=0, patch=1, fill=0.5)
    assert drop[2, 3] == pytest.approx(20.0)  # p(0) is 1.00 before and after; the logit falls by 20


@pytest.mark.parametrize(
    ("image", "kwargs", "error", "match"),
    [
        (np.zeros((7, 8)), {}, ValueError, "image is 7x8 but the model expects 8x8"),
        (np.zeros((2, 8, 8, 1)), {}, ValueError, "must be one grayscale image"),
        (np.zeros((8, 8, 3)), {}, ValueError, "must be one grayscale image"),
        (np.zeros(8), {}, ValueError, "image must be shaped"),
        (np.zeros((8, 8)), {"class_index": 4}, ValueError, r"class_index must be in \[0, 3\]"),
        (np.zeros((8, 8)), {"class_index": "4"}, TypeError, "class_index must be an int"),
    ],
)
def test_saliency_and_occlusion_refuse_bad_input(small_model, image, kwargs, error, match):
    for function in (saliency_map, occlusion_map):
        with pytest.raises(error, match=match):
            function(small_model, image, **kwargs)


def test_occlusion_refuses_bad_patches_and_models(small_model):
    image = np.zeros((8, 8))
    with pytest.raises(ValueError, match="patch=9 is more than the 8"):
        occlusion_map(small_model, image, patch=9)
    with pytest.raises(ValueError, match="fill must be a finite number or an image"):
        occlusion_map(small_model, image, fill=np.nan)
    with pytest.raises(ValueError, match=r"fill must be a number or an image \(8, 8\), got shape \(7, 8\)"):
        occlusion_map(small_model, image, fill=np.zeros((7, 8)))
    with pytest.raises(TypeError, match="model must be a keras Model"):
        saliency_map(lambda x: x, image)
    unbuilt = keras.Sequential([layers.Conv2D(1, 3), layers.Flatten(), layers.Dense(3, activation="softmax")])
    for function in (saliency_map, occlusion_map, digit_probabilities, lambda m, _: receptive_field(m, 0)):
        with pytest.raises(ValueError, match="has no input shape yet: start it with keras.Input"):
            function(unbuilt, image)
    logits = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(3)])
    logits.layers[-1].set_weights([np.full((64, 3), -1.0, "float32"), np.zeros(3, "float32")])
    with pytest.raises(ValueError, match="end it with a softmax"):
        saliency_map(logits, np.ones((8, 8)))


@pytest.mark.parametrize(
    "inputs", [keras.Input((784,)), keras.Input((28, 28, 3))], ids=["flat input", "colour input"]
)
def test_models_that_do_not_take_grayscale_images_are_refused_clearly(inputs):
    model = keras.Sequential([inputs, keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(
        ValueError, match=r"model must take grayscale images, keras.Input\(shape=\(h, w, 1\)\)"
    ):
        saliency_map(model, np.zeros((28, 28)))
    with pytest.raises(ValueError, match="model must take grayscale images"):
        digit_probabilities(model, np.zeros((28, 28)))


def test_show_saliency_gives_each_map_its_own_scale(mnist_test_digits):
    images = mnist_test_digits[0][:3]
    maps = np.stack([np.full((28, 28), 1.0), np.linspace(0, 5, 784).reshape(28, 28), np.eye(28) - 0.5])
    fig = show_saliency(images[..., None], maps, ["a", "b", "c"])
    assert titles(fig)[:3] == ["a", "b", "c"]
    map_axes = fig.axes[3:]
    assert [ax.images[0].get_clim() for ax in map_axes] == [(0, 1), (0, 5), (-0.5, 0.5)]
    assert map_axes[0].get_ylabel() == "saliency\n(own scale)"
    small = show_saliency(images[:1], np.ones((1, 13, 13)), ["13x13 occlusion"])
    assert small.axes[1].images[0].get_array().shape == (13, 13)


@pytest.mark.parametrize(
    ("maps", "titles", "error", "match"),
    [
        (np.ones((2, 28, 28)), ["a", "b", "c"], ValueError, "maps has 2 maps but there are 3 images"),
        (np.ones((3, 28, 28)), ["a", "b"], TypeError, "titles must be a list of 3 strings"),
        (np.ones((3, 28, 28)), "abc", TypeError, "titles must be a list of 3 strings"),
        (np.ones((28, 28)), ["a", "b", "c"], ValueError, "maps must be shaped"),
    ],
)
def test_show_saliency_refuses_bad_input(mnist_test_digits, maps, titles, error, match):
    with pytest.raises(error, match=match):
        show_saliency(mnist_test_digits[0][:3], maps, titles)
    with pytest.raises(ValueError, match="more than the 8 images"):
        show_saliency(np.zeros((9, 28, 28)), np.zeros((9, 28, 28)), ["x"] * 9)


def test_the_saliency_figure_says_where_each_map_peaks(mnist_test_digits):
    ink = mnist_test_digits[0][0] >= 0.5 * mnist_test_digits[0][0].max()
    peak = np.eye(28)
    peak[tuple(np.argwhere(ink)[0])] = 3.0  # the largest value on the 7's ink
    maps = show_saliency(mnist_test_digits[0][:2], np.stack([peak, 2 * np.eye(28)]), ["#0: a 7", "#1:\na 2"])
    row, col = np.argwhere(ink)[0]
    text = alt_text(maps)
    on_ink = (3.0 + np.eye(28)[ink].sum() - np.eye(28)[row, col]) / peak.sum()
    assert text.startswith("2 digits") and "own colour scale" in text, text
    assert f"#0: a 7, saliency up to 3, {on_ink:.0%} on the ink, peak at row {row}, column {col}" in text
    assert "#1: a 2, saliency up to 2" in text
