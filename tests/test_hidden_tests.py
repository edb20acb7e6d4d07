"""The assignment's hidden tests (cnn_instructor.hidden_tests), called directly: each passes on the
lesson's answers and fails, saying why, on the typical wrong answers that the check a student sees
lets through; the graded cells of the source notebook save the lesson's variables each function
takes, and the judge (cnn_instructor.judge) runs the function on what they saved. The whole
pipeline, graded by nbgrader with training, is in test_grading.py."""

from __future__ import annotations

import ast
import contextlib
import inspect
import io

from cnn_helpers import NotReadyError, check_compiled, check_images, check_labels, check_model, load_mnist
from cnn_instructor import hidden_tests, judge
from cnn_instructor.assignment import ACCURACY_FLOOR, MODEL_FLOOR, PARTS, TRAINED, AssignmentError, Part
from cnn_instructor.hidden_region import GRADED_ENV, graded_files, hidden_source
from cnn_instructor.hidden_tests import grade_compiled, grade_images, grade_labels, grade_model, grade_trained
from cnn_instructor.notebook_text import HIDDEN_BEGIN, HIDDEN_END
import keras
import nbformat
import numpy as np
from paths import SOURCE
import pytest

FUNCTIONS = {name: f for name, f in vars(hidden_tests).items() if name.startswith("grade_")}


@pytest.fixture(scope="module")
def prepared(mnist):
    """What the lesson's notebook holds after its data steps, done right."""
    (train_images, train_labels), (test_images, test_labels) = mnist
    return {
        "train_images": train_images,
        "test_images": test_images,
        "train_labels": train_labels,
        "test_labels": test_labels,
        "x_train": np.expand_dims(train_images.astype("float32") / 255.0, -1),
        "x_test": np.expand_dims(test_images.astype("float32") / 255.0, -1),
        "y_train": keras.utils.to_categorical(train_labels, 10),
        "y_test": keras.utils.to_categorical(test_labels, 10),
    }


def _quietly(check, *args, **kwargs) -> str:
    """Run a student's check; return what it printed (it raises NotReadyError on what it sees)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        check(*args, **kwargs)
    return printed.getvalue()


def _images(prepared, **change):
    names = ("x_train", "x_test", "train_images", "test_images")
    return {name: change.get(name, prepared[name]) for name in names}


# --------------------------------------------------------------------------- each function
def test_the_images_of_the_lesson_pass(prepared):
    grade_images(**_images(prepared))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: {"x_train": p["x_train"].astype("float64"), "x_test": p["x_test"].astype("float64")},
            "x_train holds float64 pixels, not float32",
        ),
        (lambda p: {"x_test": p["x_test"][::-1]}, "x_test is not the raw pixels divided by 255"),
        (lambda p: {"x_train": p["x_train"] * 0.5}, "x_train is not the raw pixels divided by 255"),
        (lambda p: {"train_images": p["train_images"][::-1]}, "train_images or test_images changed"),
    ],
    ids=["float64", "test images out of order", "wrong scale", "raw images changed"],
)
def test_wrong_images_the_check_lets_through_fail(prepared, change, message):
    wrong = _images(prepared, **change(prepared))
    assert _quietly(check_images, wrong["x_train"], wrong["x_test"]).startswith("images ready")
    with pytest.raises(AssertionError, match=message):
        grade_images(**wrong)


def test_the_labels_of_the_lesson_pass_and_shifted_ones_fail(prepared):
    grade_labels(prepared["y_train"], prepared["y_test"])
    shifted = keras.utils.to_categorical((prepared["train_labels"] + 1) % 10, 10)
    check = _quietly(
        check_labels,
        shifted,
        prepared["y_test"],
        classes=10,
        x_train=prepared["x_train"],
        x_test=prepared["x_test"],
    )
    assert check.startswith("labels ready")
    with pytest.raises(AssertionError, match="y_train is not MNIST's labels one-hot, in order"):
        grade_labels(shifted, prepared["y_test"])
    with pytest.raises(AssertionError, match="y_test is not MNIST's labels one-hot, in order"):
        grade_labels(prepared["y_train"], prepared["y_test"][::-1])


def _lesson_model(convolutions: int = 2, trainable: bool = True) -> keras.Model:
    layers = [keras.Input(shape=(28, 28, 1))]
    for filters in (16, 32)[:convolutions]:
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.MaxPooling2D(2)]
    layers += [keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.trainable = trainable
    return model


@pytest.mark.slow  # trains
@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_a_model_that_learns_passes_and_one_that_cannot_fails():
    keras.utils.set_random_seed(1)
    grade_model(_lesson_model(), floor=MODEL_FLOOR)
    one_block = _lesson_model(convolutions=1)
    assert _quietly(check_model, one_block).startswith("model ready")
    with pytest.raises(AssertionError, match="the model has 1 Conv2D layers: build two blocks"):
        grade_model(one_block, floor=MODEL_FLOOR)
    frozen = _lesson_model(trainable=False)  # its weights cannot change
    assert _quietly(check_model, frozen).startswith("model ready")
    with pytest.raises(AssertionError, match="a fresh copy of the model learned little"):
        grade_model(frozen, floor=MODEL_FLOOR)


def _compiled(optimizer, loss="categorical_crossentropy") -> tuple[keras.Model, object]:
    schedule = keras.optimizers.schedules.CosineDecay(0.001, decay_steps=100)
    model = _lesson_model()
    model.compile(loss=loss, optimizer=optimizer(learning_rate=schedule), metrics=["accuracy"])
    return model, schedule


def test_adam_and_cross_entropy_pass_and_others_fail(prepared):
    model, _ = _compiled(keras.optimizers.Adam)
    grade_compiled(model)
    wrong = {
        "the optimizer is SGD, not Adam": _compiled(keras.optimizers.SGD),
        r"the loss gives 0\.\d+ where cross-entropy gives 0\.5249": _compiled(
            keras.optimizers.Adam, keras.losses.CategoricalFocalCrossentropy()
        ),
    }
    for message, (model, schedule) in wrong.items():
        assert _quietly(check_compiled, model, prepared["y_train"], schedule=schedule).startswith("compiled:")
        with pytest.raises(AssertionError, match=message):
            grade_compiled(model)


@pytest.mark.slow  # trains
def test_the_trained_model_must_be_trained_and_read_enough_digits(prepared):
    model, _ = _compiled(keras.optimizers.Adam)
    with pytest.raises(AssertionError, match="the model has not been trained: run the training cell"):
        grade_trained(model, floor=ACCURACY_FLOOR)
    keras.utils.set_random_seed(1)
    model.fit(prepared["x_train"][:64], prepared["y_train"][:64], epochs=1, batch_size=64, verbose=0)
    with pytest.raises(AssertionError, match=r"the trained model reads \d+\.\d\d% of test digits, under 95%"):
        grade_trained(model, floor=ACCURACY_FLOOR)  # one step of training reads few digits
    grade_trained(model, floor=0.0)  # the floor decides


# --------------------------------------------------------------------------- saved by the cells, judged
def test_each_part_has_its_function_and_each_function_its_part():
    assert sorted(part.test for part in PARTS) == sorted(FUNCTIONS)


def _assigned_before(notebook: nbformat.NotebookNode, index: int) -> set[str]:
    """The names the code cells above cell ``index`` assign or import."""
    names = set()
    for cell in notebook.cells[:index]:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            names |= {
                n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            names |= {
                a.asname or a.name
                for n in ast.walk(tree)
                if isinstance(n, ast.Import | ast.ImportFrom)
                for a in n.names
            }
    return names


def test_each_graded_cell_saves_what_its_function_judges_and_runs_no_test():
    source = nbformat.read(SOURCE, as_version=4)
    for part in PARTS:
        (index,) = [
            i
            for i, c in enumerate(source.cells)
            if c.metadata.get("nbgrader", {}).get("grade_id") == part.grade_id
        ]
        hidden = source.cells[index].source.split(f"{HIDDEN_BEGIN}\n", 1)[1]
        assert hidden == f"{hidden_source(part)}\n{HIDDEN_END}"
        parameters = inspect.signature(FUNCTIONS[part.test]).parameters
        positional = [n for n, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert list(graded_files(part)) == positional
        assert "def " not in hidden and part.test not in ast.unparse(ast.parse(hidden))  # no test here
        missing = set(positional) - _assigned_before(source, index)
        assert not missing, f"{part.grade_id}: the lesson has no {missing} above its graded cell"


def test_a_part_whose_function_does_not_fit_is_refused():
    with pytest.raises(AssignmentError, match="nothing: hidden_tests.py has no function grade_nothing"):
        hidden_source(Part("nothing", 1, None, "grade_nothing"))
    with pytest.raises(
        AssignmentError, match=r"keyword-only arguments \['floor'\] should be the part's settings \[\]"
    ):
        hidden_source(Part("model", 2, "check_model(", "grade_model"))
    with pytest.raises(AssignmentError, match=r"settings \['floor', 'seed'\]"):
        hidden_source(Part("model", 2, "check_model(", "grade_model", {"floor": 0.5, "seed": 1}))


def _run_graded(grade_id: str, saved_to, **names) -> tuple[str, dict]:
    """Run the graded cell ``grade_id`` of the source notebook (its check, then its hidden region) in
    a namespace holding what the notebook would at that point, saving into ``saved_to`` as autograde
    does; return what it printed and the judge's verdict on what it saved."""
    (cell,) = [
        c
        for c in nbformat.read(SOURCE, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    ]
    namespace = {
        **{"np": np, "keras": keras, "load_mnist": load_mnist, "input_shape": (28, 28, 1), "classes": 10},
        **{"check_images": check_images, "check_labels": check_labels},
        **{"check_model": check_model, "check_compiled": check_compiled},
        **names,
    }
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(cell.source, grade_id, "exec"), namespace)
    (part,) = [p for p in PARTS if p.grade_id == grade_id]
    return printed.getvalue(), judge.verdict(saved_to, part)


def test_the_graded_cells_save_and_the_judge_decides(prepared, tmp_path, monkeypatch):
    """The rendered cells run as they stand: the check a student sees comes first; what they save is
    judged; outside autograde (no CNN_MNIST_GRADED) they save nothing."""
    printed, verdict = _run_graded("images", tmp_path, **prepared)
    assert printed.startswith("images ready") and verdict["missing"] and not list(tmp_path.iterdir())
    monkeypatch.setenv(GRADED_ENV, str(tmp_path))
    printed, verdict = _run_graded("images", tmp_path, **prepared)
    assert printed.startswith("images ready") and verdict["passed"], verdict
    _, verdict = _run_graded("images", tmp_path, **{**prepared, "x_test": prepared["x_test"][::-1]})
    assert verdict["message"].startswith("x_test is not the raw pixels divided by 255"), verdict
    assert "hidden_tests.py" in verdict["traceback"]  # for the instructor's copy
    assert _run_graded("labels", tmp_path, **prepared)[1]["passed"]
    with pytest.raises(NotReadyError, match="holds class numbers, not one-hot vectors"):
        _run_graded("labels", tmp_path, **{**prepared, "y_train": prepared["train_labels"]})
    model, schedule = _compiled(keras.optimizers.Adam)
    printed, verdict = _run_graded("compiled", tmp_path, model=model, schedule=schedule, **prepared)
    assert printed.startswith("compiled:") and verdict["passed"], verdict
    _, verdict = _run_graded("trained", tmp_path, model=model)
    assert verdict["message"] == "the model has not been trained: run the training cell", verdict
    (tmp_path / "trained.model.keras").unlink()
    assert judge.verdict(tmp_path, TRAINED)["missing"]
