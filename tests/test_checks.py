"""The checks of a student's work: each common mistake is caught with a message that names the fix,
and any valid solution passes, however it differs from the lesson's."""

from __future__ import annotations

from cnn_helpers import NotReadyError, check_compiled, check_images, check_labels, check_model
import keras
import numpy as np
import pytest


@pytest.fixture(scope="module")
def raw():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8)
    images[:, 10, 10] = 255  # every image has a full-white pixel, like MNIST
    return images, rng.integers(0, 10, size=40)


def _prepared(images):
    return np.expand_dims(images.astype("float32") / 255, axis=-1)


def _model(*layers, **kwargs):
    keras.utils.set_random_seed(0)
    return keras.Sequential(list(layers), **kwargs)


def _lesson_like(filters=16, last=None):
    return _model(
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(filters, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        *(last or [keras.layers.Dense(10, activation="softmax")]),
    )


def test_prepared_images_pass_and_say_so(raw, capsys):
    x = _prepared(raw[0])
    check_images(x, x[:10])
    (line,) = capsys.readouterr().out.splitlines()  # one line, what each array now is
    assert line.startswith("images ready")
    assert "x_train (40, 28, 28, 1) float32 in [0, 1]" in line and "x_test (10, 28, 28, 1) float32" in line


@pytest.mark.parametrize(
    ("make", "fix"),
    [
        (lambda im: np.expand_dims(im, -1), r"uint8 integers .*\.astype\('float32'\) / 255"),
        (
            lambda im: np.expand_dims(im.astype("float32"), -1),
            r"go from 0 to 255.*divide the raw pixels by 255",
        ),
        (
            lambda im: im.astype("float32") / 255,
            r"channel axis is missing.*np\.expand_dims\(\.\.\., axis=-1\)",
        ),
        (lambda im: np.expand_dims(im.astype("float32") / 255, 1), r"channel axis is first.*axis=-1"),
        (lambda im: np.expand_dims(im.astype("float32") / 255 / 255, -1), "divide by 255 twice"),
        (lambda im: im.reshape(len(im), -1).astype("float32") / 255, r"\(n, 28, 28, 1\)"),
        (lambda im: ..., r"still \.\.\.: replace it with your code"),
        (lambda im: "images", "should be a NumPy array"),
        (lambda im: [[1, 2], [3]], "should be a NumPy array of numbers, but it is a list"),  # ragged
        (
            lambda im: _prepared(im)[:0],
            r"x_train is empty, shape \(0, 28, 28, 1\): did a slice select nothing",
        ),
    ],
)
def test_image_mistakes_name_the_fix(raw, make, fix):
    with pytest.raises(NotReadyError, match=fix):
        check_images(make(raw[0]), _prepared(raw[0]))


def test_x_test_must_be_prepared_like_x_train(raw):
    good = _prepared(raw[0])
    with pytest.raises(NotReadyError, match=r"x_test is not prepared like x_train: .*uint8.*same steps"):
        check_images(good, np.expand_dims(raw[0], -1))
    with pytest.raises(NotReadyError, match="x_test is not prepared like x_train: x_test has shape"):
        check_images(good, raw[0].astype("float32") / 255)
    with pytest.raises(NotReadyError, match="x_test is float64 but x_train is float32"):
        check_images(good, good.astype("float64"))


def test_one_hot_labels_pass(raw, capsys):
    y = keras.utils.to_categorical(raw[1], 10)
    check_labels(y, y[:10], x_train=raw[0], x_test=raw[0][:10])
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("labels ready") and "(40, 10)" in line and "(10, 10)" in line and "one-hot" in line


@pytest.mark.parametrize(
    ("make", "fix"),
    [
        (lambda y: y, r"class numbers, not one-hot.*to_categorical\(\.\.\., 10\)"),
        (lambda y: keras.utils.to_categorical(y, 12), r"length 12, but there are 10 classes.*to_categorical"),
        (lambda y: keras.utils.to_categorical(y, 10) * 2, "not one-hot"),
        (lambda y: ..., r"y_train is still \.\.\."),
    ],
)
def test_label_mistakes_name_the_fix(raw, make, fix):
    with pytest.raises(NotReadyError, match=fix):
        check_labels(make(raw[1]), keras.utils.to_categorical(raw[1], 10))


def test_labels_and_images_must_match_in_number(raw):
    y = keras.utils.to_categorical(raw[1], 10)
    with pytest.raises(NotReadyError, match="y_test has 10 labels but there are 40 images"):
        check_labels(y, y[:10], x_train=raw[0], x_test=raw[0])


def test_valid_models_that_differ_from_the_lesson_pass(capsys):
    check_model(_lesson_like())
    check_model(_lesson_like(filters=8))
    check_model(_lesson_like(last=[keras.layers.Dense(10), keras.layers.Softmax()]))
    deeper = _model(
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 5, padding="same", activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Conv2D(32, 3, strides=2),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(10, activation="softmax"),
    )
    check_model(deeper)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "model ready: (28, 28, 1) images in, 16 filters in the first Conv2D, 10 softmax"
    )
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("make", "fix"),
    [
        (
            lambda: _model(keras.layers.Conv2D(16, 3), keras.layers.Flatten(), keras.layers.Dense(10)),
            r"does not start with keras\.Input.*keras\.Input\(shape=input_shape\) first",
        ),
        (lambda: _model(), "no layers yet"),
        (
            lambda: _model(keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)),
            r"expects images shaped \(28, 28\).*keras\.Input\(shape=input_shape\)",
        ),
        (
            lambda: _model(
                keras.Input(shape=(28, 28, 1)),
                keras.layers.Flatten(),
                keras.layers.Dense(10, activation="softmax"),
            ),
            r"first layer is a Flatten.*show_filters\(model\.layers\[0\], 8\).*Conv2D",
        ),
        (lambda: _lesson_like(filters=4), "4 filters; the next cells draw 8 of them"),
        (
            lambda: _lesson_like(last=[keras.layers.Dense(9, activation="softmax")]),
            r"output is shaped \(9,\).*Dense\(10, activation='softmax'\)",
        ),
        (
            lambda: _lesson_like(last=[keras.layers.Dense(10)]),
            r"activation is 'linear': add activation='softmax'",
        ),
        (
            lambda: _lesson_like(last=[keras.layers.Dense(10, activation="relu")]),
            "activation is 'relu': add activation='softmax'",
        ),
        (
            lambda: _model(keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(16, 3)),
            r"output is shaped \(26, 26, 16\).*there is no Flatten",
        ),
        (  # the exercise's model with its TODO left empty: block 1 and the output layer only
            lambda: _model(
                keras.Input(shape=(28, 28, 1)),
                keras.layers.Conv2D(16, 3, activation="relu"),
                keras.layers.MaxPooling2D(2),
                keras.layers.Dense(10, activation="softmax"),
            ),
            r"shaped \(13, 13, 10\).*no Flatten.*layers the TODO asks for.*keras\.layers\.Flatten\(\)",
        ),
        (
            lambda: _model(
                keras.Input(shape=(28, 28, 1)),
                keras.layers.Conv2D(16, 3, activation="relu"),
                keras.layers.Flatten(),
                keras.layers.Dense(9, activation="softmax"),
            ),
            r"shaped \(9,\).*after a Flatten",
        ),
        (lambda: "model", "should be a Keras model"),
    ],
)
def test_model_mistakes_name_the_fix(make, fix):
    with pytest.raises(NotReadyError, match=fix):
        check_model(make())


def _compiled(loss="categorical_crossentropy", optimizer="adam", metrics=("accuracy",), model=None):
    model = model or _lesson_like()
    model.compile(loss=loss, optimizer=optimizer, metrics=list(metrics) if metrics else None)
    return model


def test_valid_compiles_pass(raw, capsys):
    one_hot = keras.utils.to_categorical(raw[1], 10)
    check_compiled(_compiled(), one_hot)
    check_compiled(_compiled(optimizer=keras.optimizers.SGD(0.05, momentum=0.9)), one_hot)
    check_compiled(_compiled(loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1)), one_hot)
    check_compiled(_compiled(loss="sparse_categorical_crossentropy"), raw[1])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("compiled:") and "categorical_crossentropy fits y_train (40, 10)" in lines[0]
    assert "optimizer Adam" in lines[0] and "metric accuracy" in lines[0]
    assert "optimizer SGD" in lines[1] and len(lines) == 4


@pytest.mark.parametrize(
    ("kwargs", "labels", "fix"),
    [
        (
            {"loss": "categorical_crossentropy"},
            "int",
            r"expects one-hot labels.*sparse_categorical_crossentropy",
        ),
        (
            {"loss": "sparse_categorical_crossentropy"},
            "one-hot",
            r"expects class numbers.*'categorical_crossentropy'",
        ),
        ({"loss": "binary_crossentropy"}, "one-hot", r"does not fit a classifier with 10 classes"),
        (
            {"loss": "mse"},
            "one-hot",
            r"loss 'mse' does not fit a classifier with 10 classes.*categorical_crossentropy",
        ),
        ({"loss": "mse"}, "int", r"loss 'mse' does not fit a classifier with 10 classes"),
        ({"loss": ...}, "one-hot", r"loss is still empty: write loss='categorical_crossentropy'"),
        ({"metrics": None}, "one-hot", r"no metric named 'accuracy': add metrics=\['accuracy'\]"),
        ({"metrics": ["mae"]}, "one-hot", r"no metric named 'accuracy'"),
        ({"metrics": ["acc"]}, "one-hot", r"no metric named 'accuracy'"),  # history would say "acc"
        ({"metrics": [keras.metrics.CategoricalAccuracy()]}, "one-hot", r"no metric named 'accuracy'"),
        (
            {"loss": keras.losses.CategoricalCrossentropy(from_logits=True)},
            "one-hot",
            "from_logits=True expects raw scores, but the model ends with softmax",
        ),
    ],
)
def test_compile_mistakes_name_the_fix(raw, kwargs, labels, fix):
    y = keras.utils.to_categorical(raw[1], 10) if labels == "one-hot" else raw[1]
    with pytest.raises(NotReadyError, match=fix):
        check_compiled(_compiled(**kwargs), y)


def test_uncompiled_model(raw):
    with pytest.raises(NotReadyError, match=r"not compiled yet: call model\.compile"):
        check_compiled(_lesson_like(), keras.utils.to_categorical(raw[1], 10))


def test_a_check_never_runs_tensorflow_on_a_wrong_array():
    # A 3-D "batch" that would make tf.nn.conv2d abort the process is refused by numpy logic only.
    with pytest.raises(NotReadyError, match="channel axis is missing"):
        check_images(np.zeros((2, 28, 28), "float32") + 1, np.zeros((2, 28, 28, 1), "float32"))


@pytest.mark.slow  # executes a notebook in a Jupyter kernel
def test_jupyter_shows_the_message_without_a_traceback():
    from nbclient import NotebookClient
    import nbformat

    cells = [
        "from cnn_helpers import check_images\nimport numpy as np",
        "check_images(np.zeros((2, 28, 28)), None)",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, kernel_name="python3", allow_errors=True, timeout=120).execute()
    (error,) = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert error.ename == "NotReadyError"
    assert len(error.traceback) == 1 and "channel axis is missing" in error.traceback[0]
    assert "File " not in error.traceback[0] and "Traceback" not in error.traceback[0]


def _schedule(peak=0.006):
    return keras.optimizers.schedules.CosineDecay(
        peak / 25, decay_steps=100, warmup_target=peak, warmup_steps=10
    )


def test_the_schedule_is_checked_when_given(raw, capsys):
    one_hot = keras.utils.to_categorical(raw[1], 10)
    schedule = _schedule()
    check_compiled(
        _compiled(optimizer=keras.optimizers.Adam(learning_rate=schedule)), one_hot, schedule=schedule
    )
    assert "optimizer Adam following the CosineDecay schedule" in capsys.readouterr().out
    # the same schedule written again (a rerun of its cell) is still the schedule
    check_compiled(
        _compiled(optimizer=keras.optimizers.Adam(learning_rate=_schedule())), one_hot, schedule=schedule
    )


@pytest.mark.parametrize(
    ("optimizer", "says"),
    [
        ("adam", r"follows a fixed learning rate of 0\.001, not the schedule you built above"),
        (keras.optimizers.Adam(learning_rate=0.006), r"fixed learning rate of 0\.006"),
        (keras.optimizers.Adam(learning_rate=_schedule(peak=0.01)), r"another learning rate \(CosineDecay\)"),
        (
            keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)),
            r"another learning rate \(ExponentialDecay\).*keras\.optimizers\.SGD\(learning_rate=schedule\)",
        ),
    ],
)
def test_an_optimizer_without_the_schedule_is_refused_before_fit(raw, optimizer, says):
    one_hot = keras.utils.to_categorical(raw[1], 10)
    with pytest.raises(NotReadyError, match=says):
        check_compiled(_compiled(optimizer=optimizer), one_hot, schedule=_schedule())


def test_the_schedule_argument_must_be_a_schedule(raw):
    with pytest.raises(
        TypeError, match="schedule should be a keras.optimizers.schedules.LearningRateSchedule"
    ):
        check_compiled(_compiled(), keras.utils.to_categorical(raw[1], 10), schedule=0.006)
