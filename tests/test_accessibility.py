"""Every figure helper of cnn_helpers, as a reader without sight, with a colour-vision deficiency, or on
GitHub's 1,000 px column meets it:

- it says what it shows in words (alt text generated from the drawn data), and Jupyter stores
  that text with its PNG;
- its text is at least 11 pt once the figure is shown 1,000 px wide, and contrasts 4.5:1 with
  what it is drawn on (WCAG 2.1 AA for text);
- what colour marks is also marked otherwise (dots, hatching, markers, line styles);
- its colour maps and palettes stay apart under simulated protan, deutan and tritan vision.
"""

from __future__ import annotations

from dataclasses import astuple
import itertools

import cnn_helpers as ch
from cnn_helpers._words import percent
from cnn_helpers.figures._base import alt_text
from cnn_helpers.figures._colour import (
    BEST_BAR,
    DIVERGING,
    OTHER_BAR,
    STAGE_COLOURS,
    TRAINING,
    VALIDATION,
    WINDOW,
    contrast_ratio,
    readable_on,
    relative_luminance,
)
from cnn_helpers.figures.digit_response import show_digit_response
from cnn_helpers.figures.faithfulness import plot_cascade
from cnn_helpers.figures.padding import show_padding_windows
from cnn_helpers.figures.removal import plot_removal_areas
from cnn_helpers.figures.unit import compare_unit_shifts
from cnn_helpers.maths.digit_response import digit_response
from cnn_helpers.maths.removal_table import faithfulness_table
from colorspacious import cspace_convert, deltaE
from figure_checks import low_contrast_texts, small_texts
import keras
import matplotlib as mpl
from matplotlib.colors import to_rgb
from models import small_cnn
import numpy as np
import pytest

# CAM02-UCS is built so that a difference of 1 is about one just-noticeable difference.
CATEGORY_DELTA_E = 10  # categories told apart by colour: ten noticeable steps, side by side
DIVERGING_DELTA_E = 20  # the two signs of a diverging map, at its ends and at a quarter in
DEFICIENCIES = ("protanomaly", "deuteranomaly", "tritanomaly")  # at severity 100: full dichromacy


def simulate(rgb, deficiency: str) -> np.ndarray:
    """``rgb`` as seen with ``deficiency`` at full severity (Machado et al. 2009, as colorspacious has it)."""
    cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(np.asarray(rgb, dtype=float), cvd, "sRGB1"), 0, 1)


def delta_e(first, second) -> float:
    return float(deltaE(first, second, input_space="sRGB1", uniform_space="CAM02-UCS"))


def worst_delta_e(first, second) -> tuple[float, str]:
    """The smallest difference of two colours, as seen normally or with any deficiency."""
    first, second = np.array(to_rgb(first)), np.array(to_rgb(second))
    seen = [("normal vision", delta_e(first, second))]
    seen += [(kind, delta_e(simulate(first, kind), simulate(second, kind))) for kind in DEFICIENCIES]
    kind, worst = min(seen, key=lambda pair: pair[1])
    return worst, kind


# ----- one figure per helper, from known inputs ------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """A small lesson-shaped model, fitted 3 epochs on 600 digits with a warm-up + cosine schedule, its
    untrained copy, its History, and test digits with their probabilities."""
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(32, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="small_cnn",
    )
    untrained = keras.models.clone_model(model)
    untrained.set_weights(model.get_weights())
    (x_train, y_train), (x_test, y_test) = ch.load_mnist()
    x = x_train[:600, :, :, None].astype("float32") / 255
    steps = 5  # 600 digits, 480 for training, batches of 96
    schedule = keras.optimizers.schedules.CosineDecay(0.0, 2 * steps, warmup_target=0.005, warmup_steps=steps)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(schedule),
        metrics=["accuracy"],
    )
    history = model.fit(x, y_train[:600], batch_size=96, epochs=3, validation_split=0.2, verbose=0)
    images = x_test[:200].astype("float32") / 255
    return model, untrained, history, images, y_test[:200], model.predict(images[..., None], verbose=0)


def _maps(model, image):
    return keras.Model(model.inputs, model.layers[0].output).predict(image[None, :, :, None], verbose=0)


def _figures(trained):
    model, untrained, history, images, labels, probabilities = trained
    edge = np.array([[1, 0, -1]] * 3, dtype=float)
    step = np.zeros((6, 6))
    step[:, 3:] = 1
    rng = np.random.default_rng(0)
    confusion = np.bincount(10 * labels + probabilities.argmax(1), minlength=100).reshape(10, 10)
    return {
        "show_images": lambda: ch.show_images(images, labels, n=9),
        "show_filters": lambda: ch.show_filters(model.layers[0], 8),
        "show_filters, 32 input maps": lambda: ch.show_filters(model.layers[2], 2),
        "show_feature_maps": lambda: ch.show_feature_maps(_maps(model, images[0]), 8),
        "compare_filters": lambda: ch.compare_filters(untrained.layers[0], model.layers[0], 8),
        "compare_feature_maps": lambda: ch.compare_feature_maps(
            _maps(untrained, images[0]), _maps(model, images[0]), 8
        ),
        "plot_history": lambda: ch.plot_history(history, optimizer=model.optimizer),
        "plot_confusion_matrix": lambda: ch.plot_confusion_matrix(confusion),
        "show_misclassified": lambda: ch.show_misclassified(images, labels, probabilities, n=12),
        "show_probabilities": lambda: ch.show_probabilities(images[:5], probabilities[:5], labels[:5]),
        "show_convolution_steps": lambda: ch.show_convolution_steps(step, edge),
        "show_rgb_convolution": lambda: ch.show_rgb_convolution(
            rng.integers(0, 4, (5, 5, 3)).astype(float), rng.integers(-1, 2, (3, 3, 3)).astype(float), 1.0
        ),
        "show_pooling": lambda: ch.show_pooling(np.arange(36.0).reshape(6, 6) % 7),
        "show_pooling, 26x26": lambda: ch.show_pooling(ch.conv2d_by_hand(images[0], edge)),
        "show_kernel_outputs": lambda: ch.show_kernel_outputs(
            images[0], {"vertical": edge, "horizontal": edge.T}
        ),
        "plot_architecture": lambda: ch.plot_architecture(model, image=images[0]),
        "show_kernels": lambda: ch.show_kernels({"true": edge, "learned": 0.9 * edge.T}),
        "show_padding_windows": lambda: show_padding_windows(7, 3, 1, 2),
        "show_padding_stride": lambda: ch.show_padding_stride(images[0], edge),
        "show_receptive_field": lambda: ch.show_receptive_field(
            images[0],
            {"first layer": (4, 5, 3), "second layer": (4, 5, 8)},
            feature_map=np.ones((11, 11)),
            unit=(2, 2),
        ),
        "plot_reliability": lambda: ch.plot_reliability(ch.reliability(probabilities, labels)),
        "plot_reliability, equal mass": lambda: ch.plot_reliability(
            {
                "as trained": ch.reliability(probabilities, labels),
                "with T": ch.reliability(ch.temperature_scaled(np.log(probabilities + 1e-30), 1.5), labels),
            },
            {
                "as trained": ch.reliability(probabilities, labels, equal_mass=True),
                "with T": ch.reliability(
                    ch.temperature_scaled(np.log(probabilities + 1e-30), 1.5), labels, equal_mass=True
                ),
            },
        ),
        "plot_shift_accuracy": lambda: ch.plot_shift_accuracy(
            [-2, -1, 0, 1, 2],
            [0.9, 0.97, 0.99, 0.97, 0.91],
            intact=[0.93, 0.98, 0.99, 0.98, 0.93],
            baseline=0.1,
        ),
        "show_saliency": lambda: ch.show_saliency(
            images[:3], np.stack([ch.saliency_map(model, image) for image in images[:3]]), ["a", "b", "c"]
        ),
        "show_attributions": lambda: ch.show_attributions(
            images[:3],
            {
                "saliency": np.stack([ch.saliency_map(model, im) for im in images[:3]]),
                "integrated gradients": np.stack(
                    [ch.integrated_gradients(model, im).attributions for im in images[:3]]
                ),
            },
            ["a", "b", "c"],
        ),
        "plot_cascade": lambda: plot_cascade(ch.cascade_check(model, images[:3], second=untrained)),
        "plot_removal_areas": lambda: plot_removal_areas(
            faithfulness_table(model, images[:3], {"saliency": ch.saliency_map}, steps=4)
        ),
        "show_cascade_maps": lambda: ch.show_cascade_maps(
            ch.cascade_check(model, images[:3], second=untrained)
        ),
        "plot_removal_curves": lambda: ch.plot_removal_curves(
            ch.method_curves(model, images[0], {"saliency": ch.saliency_map}, steps=4, random_orders=2)
        ),
        "show_unit_view": lambda: ch.show_unit_view(images[0], ch.inspect_unit(model, images[0], 2, 0, 3, 4)),
        "show_digit_response": lambda: show_digit_response(*astuple(digit_response(model, images[0]))),
        "compare_unit_shifts": lambda: compare_unit_shifts(
            {
                "convolution unit": ch.inspect_unit(model, images[0], 2, 0, 3, 4).shifted,
                "pooled unit": ch.inspect_unit(model, images[0], 3, 0, 1, 2).shifted,
            }
        ),
    }


HELPERS = [
    "show_images",
    "show_filters",
    "show_filters, 32 input maps",
    "show_feature_maps",
    "compare_filters",
    "compare_feature_maps",
    "plot_history",
    "plot_confusion_matrix",
    "show_misclassified",
    "show_probabilities",
    "show_convolution_steps",
    "show_rgb_convolution",
    "show_pooling",
    "show_pooling, 26x26",
    "show_kernel_outputs",
    "plot_architecture",
    "show_kernels",
    "show_padding_windows",
    "show_padding_stride",
    "show_receptive_field",
    "plot_shift_accuracy",
    "plot_reliability",
    "plot_reliability, equal mass",
    "show_saliency",
    "show_attributions",
    "plot_cascade",
    "plot_removal_areas",
    "show_cascade_maps",
    "plot_removal_curves",
    "show_unit_view",
    "show_digit_response",
    "compare_unit_shifts",
]


def test_every_figure_helper_is_checked_here():
    import ast
    from pathlib import Path

    folder = Path(ch.__file__).parent / "figures"
    helpers = {
        node.name
        for path in folder.glob("[!_]*.py")
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and node.name.split("_")[0] in ("show", "plot", "compare")
    }
    assert helpers - {name.split(",")[0] for name in HELPERS} == set()


@pytest.mark.parametrize("helper", HELPERS)
def test_every_figure_is_described_readable_and_contrasted(trained, helper):
    fig = _figures(trained)[helper]()
    text = alt_text(fig)
    assert len(text.split()) >= 8, f"{helper}: no real description: {text!r}"
    assert any(ch.isdigit() for ch in text), f"{helper}: no number in its description: {text!r}"
    data, metadata = fig._repr_mimebundle_()  # what Jupyter stores: the PNG and, beside it, its alt text
    assert set(data) == {"image/png"} and metadata == {"image/png": {"alt": text}}
    assert low_contrast_texts(fig) == [], f"{helper}: text under 4.5:1 against its background"
    small = small_texts(fig)  # the one size rule of every figure test (figure_checks.py)
    assert small == [], f"{helper}: text under 11 pt as shown 1,000 px wide: {small}"


def test_the_checks_can_fail():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(16, 3), dpi=110)
    fig.add_axes((0.02, 0.1, 0.96, 0.8)).set(xticks=[], yticks=[])  # the PNG keeps the whole width
    fig.text(0.1, 0.5, "small on a wide figure", fontsize=10)  # shown at 62 %: 6.2 pt
    fig.text(0.6, 0.5, "orange on white", fontsize=20, color="tab:orange")  # 2.5:1
    assert [text for text, _ in small_texts(fig)] == ["small on a wide figure"]
    assert [text for text, _ in low_contrast_texts(fig)] == ["orange on white"]


def test_text_on_a_cell_reads_on_any_colour():
    for colour in mpl.colormaps["viridis"](np.linspace(0, 1, 101))[:, :3]:
        text = relative_luminance(to_rgb(readable_on(colour)))
        assert contrast_ratio(text, relative_luminance(colour)) >= 4.5


# ----- what the descriptions say, on known inputs ---------------------------------------------------


def test_training_curves_describe_the_errors_and_the_schedule(trained):
    _, _, history, *_ = trained
    val_error = 1 - np.array(history.history["val_accuracy"])
    fig = ch.plot_history(history, optimizer=trained[0].optimizer)
    text = alt_text(fig)
    assert text.startswith("Loss and error rate (training and validation) over 3 epochs, on log scales;")
    verb = "falls" if val_error[-1] < val_error[0] else "rises"
    assert f"; validation error {verb} from {percent(val_error[0])} to {percent(val_error[-1])}" in text
    assert text.endswith("the learning rate rises for 1 epoch to 0.005, then falls to zero.")


def test_training_curves_in_words_as_the_issue_asks():
    errors = [0.021, 0.012, 0.009, 0.008, 0.0075, 0.007, 0.0068, 0.0065, 0.0063, 0.0061, 0.0060, 0.0060]
    history = {
        "loss": np.geomspace(0.3, 0.02, 12),
        "accuracy": 1 - np.geomspace(0.08, 0.004, 12),
        "val_loss": np.geomspace(0.08, 0.02, 12),
        "val_accuracy": 1 - np.array(errors),
    }
    text = alt_text(ch.plot_history(history))
    assert "over 12 epochs" in text and "log scales" in text
    assert "training error falls from 8.0 % to 0.40 %" in text
    assert "validation error falls from 2.1 % to 0.60 %" in text
    assert "lowest" not in text  # the last epoch is the best: nothing more to say
    assert "learning rate" not in text  # no optimizer given: no schedule to describe
    history["val_accuracy"] = 1 - np.array([0.02, 0.005, 0.008])
    history = {key: values[:3] for key, values in history.items()}
    assert "validation error falls from 2.0 % to 0.80 % (lowest 0.50 % at epoch 2)" in alt_text(
        ch.plot_history(history)
    )


def test_confusion_matrix_names_the_most_common_mistakes():
    matrix = np.diag([50, 60, 70])
    matrix[2, 1], matrix[0, 2], matrix[1, 0] = 4, 1, 2
    text = alt_text(ch.plot_confusion_matrix(matrix))
    assert "3 classes" in text and "true class by row, predicted by column" in text
    assert "180 of 187 correct (96.3 %)" in text
    assert "2 read as 1 (4), 1 read as 0 (2) and 0 read as 2 (1)" in text  # the most common first


def test_mistakes_and_probabilities_in_words(random_uint8_digits):
    images, _ = random_uint8_digits
    probabilities = np.full((3, 10), 0.01)
    probabilities[[0, 1, 2], [3, 5, 7]] = 0.91
    probabilities[1, 6] = 0.62  # image 1: 6 first, 5 second
    probabilities[1, 5] = 0.30
    labels = np.array([3, 5, 1])
    text = alt_text(ch.show_misclassified(images[:3], labels, probabilities))
    assert "2 in 3 images" in text and "#0" not in text  # image 0 is read right
    most, less = "#2 true 1 read as 7 (p = 0.910)", "#1 true 5 read as 6 (p = 0.620)"
    assert most in text and less in text and text.index(most) < text.index(less)  # most confident first
    text = alt_text(ch.show_probabilities(images[:3], probabilities, labels))
    assert "hatched" in text and "true 3, says 3 (91 %)" in text and "true 1, says 7 (91 %)" in text
    assert "true 5, says 6 (62 %), then 5 (30 %)" in text  # a second guess worth naming
    assert alt_text(ch.show_misclassified(images[:1], [3], probabilities[:1])).startswith("No mistakes")


def test_convolution_and_pooling_give_their_numbers():
    image = np.zeros((5, 5))
    image[:, 3:] = 1
    kernel = np.array([[1, 0, -1]] * 3, dtype=float)
    text = alt_text(ch.show_convolution_steps(image, kernel, positions=[(0, 0), (0, 1)]))
    assert "a 5x5 input and a 3x3 kernel (rows 1 0 -1; 1 0 -1; 1 0 -1) give a 3x3 output" in text
    assert text.endswith("output[0, 0] = 0 and output[0, 1] = -3.")
    text = alt_text(
        ch.show_pooling(np.array([[1, 3, 0, 0], [4, 8, 1, 0], [0, 2, 6, 5], [1, 0, 7, 2]], float))
    )
    assert "max pooling keeps each window's largest value (rows 8 1; 2 7)" in text
    assert "average pooling their mean (rows 4 0.25; 0.75 5)" in text
    rgb, rgb_kernel = np.ones((4, 4, 3)), np.ones((3, 3, 3))
    assert alt_text(ch.show_rgb_convolution(rgb, rgb_kernel, bias=1.0)).endswith(
        "one 2x2 feature map, rows 28 28; 28 28."
    )


def test_filters_and_maps_name_their_extremes_and_dead_channels():
    model = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3)])
    kernel = np.zeros((3, 3, 1, 2))
    kernel[0, 0, 0, 0], kernel[2, 2, 0, 1] = 0.5, -0.25
    model.layers[0].set_weights([kernel, np.zeros(2)])
    text = alt_text(ch.show_filters(model.layers[0], 2))
    assert "on one colour scale from -0.5 to 0.5 (red positive, blue and dotted negative)" in text
    assert text.endswith(
        "1 positive, 1 negative, 16 zero; the largest 0.5 (filter 0), the smallest -0.25 (filter 1)."
    )
    maps = np.zeros((1, 4, 4, 3))
    maps[0, 1, 2, 2] = 3.0
    text = alt_text(ch.show_feature_maps(maps, 3))
    assert (
        "channel 0 and channel 1 are zero everywhere (dead); the strongest response is 3, in channel 2."
        in text
    )


def test_the_architecture_in_words():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="tiny",
    )
    text = alt_text(ch.plot_architecture(model))
    assert "network tiny" in text and "input of 28×28×1" in text
    stages = ["conv 3×3 with ReLU to 26×26×8", "max-pool 2×2 to 13×13×8", "flatten to 1,352"]
    stages += ["dropout 0.5, dense with softmax to 10"]
    assert all(stage in text for stage in stages), text
    assert [text.index(stage) for stage in stages] == sorted(
        text.index(stage) for stage in stages
    )  # in order
    assert "red outline" in text and "dashed lines" in text  # what the marks on the picture mean


def test_before_and_after_in_words():
    before = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3)])
    after = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3)])
    before.layers[0].set_weights([np.full((3, 3, 1, 2), 0.1), np.zeros(2)])
    after.layers[0].set_weights(
        [np.stack([np.full((3, 3, 1), 0.1), np.full((3, 3, 1), -0.4)], -1), np.zeros(2)]
    )
    text = alt_text(ch.compare_filters(before.layers[0], after.layers[0], 2))
    assert "before training from 0.1 to 0.1, after training from -0.4 to 0.1; filter 1 changed most." in text
    maps = np.zeros((1, 4, 4, 2))
    maps[0, :, :, 1] = 1.0
    text = alt_text(ch.compare_feature_maps(np.zeros((1, 4, 4, 2)), maps, 2))
    assert "Before training, 2 maps zero everywhere" in text
    assert "after training, 1 map zero everywhere, the strongest response 1 (channel 1)" in text


def test_compare_refuses_bad_arguments():
    one = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3)])
    other = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Conv2D(3, 3)])
    rgb = keras.Sequential([keras.Input((5, 5, 3)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="kernels differ in shape"):
        ch.compare_filters(one.layers[0], other.layers[0], 2)
    with pytest.raises(ValueError, match="sees 3 channels: use show_filters"):
        ch.compare_filters(rgb.layers[0], rgb.layers[0], 2)
    with pytest.raises(ValueError, match="n=3 is more than the 2 filters"):
        ch.compare_filters(one.layers[0], one.layers[0], 3)
    with pytest.raises(TypeError, match="must be a keras.layers.Conv2D"):
        ch.compare_filters(one, one.layers[0], 1)
    with pytest.raises(ValueError, match="must have one shape"):
        ch.compare_feature_maps(np.zeros((1, 4, 4, 2)), np.zeros((1, 5, 5, 2)), 1)
    with pytest.raises(ValueError, match="maps_after must hold one image"):
        ch.compare_feature_maps(np.zeros((1, 4, 4, 2)), np.zeros((2, 4, 4, 2)), 1)


# ----- colour never carries meaning alone ------------------------------------------------------------


def test_negative_values_are_dotted_as_well_as_blue():
    image = np.zeros((5, 5))
    image[:, 2:] = 1
    fig = ch.show_kernel_outputs(image, {"edge": np.array([[1, 0, -1]] * 3)})
    output = ch.conv2d_by_hand(image, np.array([[1, 0, -1]] * 3))
    dotted = [c for ax in fig.axes[1:2] for c in ax.collections if c.get_gid() == "negative"]
    cells = {
        tuple(np.round(p.get_extents().get_points()[0] + 0.5).astype(int))
        for c in dotted
        for p in c.get_paths()
    }
    assert dotted and all(c.get_hatch() for c in dotted)
    assert len(cells) == int((output < 0).sum()) > 0
    key = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "negative"]
    assert key, "the colour bar's negative half is dotted too"
    assert any("dotted: negative" in ax.get_ylabel() for ax in fig.axes)


def test_training_and_validation_differ_in_marker_and_line_style():
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [0.9, 0.6], "val_accuracy": [0.6, 0.7]}
    lines = {line.get_label(): line for line in ch.plot_history(history).axes[0].lines}
    assert lines["training"].get_marker() != lines["validation"].get_marker()
    assert lines["training"].get_linestyle() != lines["validation"].get_linestyle()


def test_the_most_likely_class_is_hatched_and_labelled(random_uint8_digits):
    probabilities = np.full((1, 10), 0.02)
    probabilities[0, 4] = 0.82
    fig = ch.show_probabilities(random_uint8_digits[0][:1], probabilities)
    bars = [ax for ax in fig.axes if ax.patches][0]
    hatched = [i for i, bar in enumerate(bars.patches) if bar.get_hatch()]
    assert hatched == [4]
    assert [t.get_text() for t in bars.texts] == ["0.82"]


def test_the_architecture_window_is_marked_by_shape_and_line_style():
    ax = ch.plot_architecture(small_cnn(28, filters=4)).axes[0]
    lines = [line for line in ax.lines if line.get_gid() == "window-line"]
    assert lines and all(line.get_linestyle() == "--" for line in lines)
    window = next(p for p in ax.patches if p.get_gid() == "window")
    plane = next(p for p in ax.patches if p.get_gid() == "plane")
    assert window.get_linewidth() > plane.get_linewidth()
    for colour in STAGE_COLOURS.values():  # WCAG 1.4.11: graphics that carry meaning, 3:1
        assert contrast_ratio(relative_luminance(to_rgb(WINDOW)), relative_luminance(to_rgb(colour))) >= 3


# ----- colour-vision deficiencies, simulated ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "palette"),
    [
        ("training, validation", [TRAINING["color"], VALIDATION["color"]]),
        ("best bar, other bars", [BEST_BAR, OTHER_BAR]),
        ("architecture stages", list(STAGE_COLOURS.values())),
    ],
)
def test_categories_stay_apart_under_colour_vision_deficiencies(name, palette):
    for first, second in itertools.combinations(palette, 2):
        worst, seen_by = worst_delta_e(first, second)
        assert worst >= CATEGORY_DELTA_E, f"{name}: {first} and {second} are {worst:.1f} apart for {seen_by}"


@pytest.mark.parametrize("cmap", [DIVERGING])
def test_diverging_map_keeps_its_signs_apart(cmap):
    colours = mpl.colormaps[cmap]
    for low, high in [(0.0, 1.0), (0.25, 0.75)]:
        worst, seen_by = worst_delta_e(colours(low)[:3], colours(high)[:3])
        assert worst >= DIVERGING_DELTA_E, f"{cmap} at {low} and {high}: {worst:.1f} apart for {seen_by}"


@pytest.mark.parametrize("cmap", ["viridis", "gray", "Greys", "Blues"])
def test_sequential_maps_keep_their_order(cmap):
    """A sequential map reads by lightness: it must keep rising (or falling) whatever the deficiency."""
    colours = mpl.colormaps[cmap](np.linspace(0, 1, 33))[:, :3]
    for kind in (None, *DEFICIENCIES):
        seen = colours if kind is None else simulate(colours, kind)
        lightness = cspace_convert(seen, "sRGB1", "CAM02-UCS")[:, 0]
        steps = np.diff(lightness)
        assert np.all(steps > 0) or np.all(steps < 0), f"{cmap} for {kind or 'normal vision'}"


def test_the_simulation_can_fail():
    # Red and green, which protanopes and deuteranopes confuse, fall under the threshold.
    worst, seen_by = worst_delta_e("#d62728", "#2ca02c")
    assert worst < CATEGORY_DELTA_E and seen_by in ("protanomaly", "deuteranomaly")
