"""Checks of a student's model, called in the cell right after "Build the model"
(``check_model``) and "Compile the model" (``check_compiled``).

Like the data checks, each prints one line of what it verified, or raises ``NotReadyError`` with
what is wrong and how to fix it. They read the model's settings only. Any model that fits the task
passes: other filter counts, other layers, another optimizer, as long as it follows the
learning-rate schedule the lesson set up (when the check is given it).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from .base import not_ready, student_array

_ONE_HOT_LOSSES = {"categorical_crossentropy", "categorical_focal_crossentropy", "kl_divergence"}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy"}


def _output_activation(model: Any) -> str:
    """The name of the activation the model ends with (``"softmax"``, ``"linear"``, ...)."""
    last = model.layers[-1]
    if type(last).__name__ == "Softmax":
        return "softmax"
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", str(activation))


def _model_problem(model: Any, input_shape: tuple[int, ...], classes: int) -> str | None:
    """Say what keeps ``model`` from the lesson's next cells, in the student's terms, or return None."""
    if model is Ellipsis or not isinstance(model, keras.Model):
        return f"model should be a Keras model, e.g. keras.Sequential([...]); it is {type(model).__name__}."
    if not model.layers:
        return "model has no layers yet: list keras.Input(shape=input_shape) and the layers inside the [ ]."
    if not model.built or not model.inputs:
        return (
            "model does not start with keras.Input, so it has no input shape yet: put "
            "keras.Input(shape=input_shape) first in the list. Without it, the filters and the "
            "feature-map model below cannot be built before training."
        )
    got = tuple(model.inputs[0].shape[1:])
    if got != tuple(input_shape):
        return (
            f"model expects images shaped {got}, but they are {input_shape}: keras.Input(shape=input_shape)."
        )
    first = model.layers[0]
    if not isinstance(first, keras.layers.Conv2D):
        return (
            f"the first layer is a {type(first).__name__}, but this lesson looks at the first layer's "
            "filters (show_filters(model.layers[0], 8)): make the first layer after keras.Input a Conv2D."
        )
    if first.filters < 8:
        return f"the first Conv2D has {first.filters} filters; the next cells draw 8 of them: use 8 or more."
    output = tuple(model.outputs[0].shape[1:])
    flat = any(
        isinstance(
            layer,
            keras.layers.Flatten | keras.layers.GlobalAveragePooling2D | keras.layers.GlobalMaxPooling2D,
        )
        for layer in model.layers
    )
    if output != (classes,) and len(output) > 1 and not flat:
        return (
            f"the model's output is shaped {output}, not one vector of {classes} per image: there is no "
            "Flatten, so the last Dense layer scores every position of the last feature maps. Add the "
            "layers the TODO asks for before the output layer, keras.layers.Flatten() among them."
        )
    if output != (classes,):
        return (
            f"the model's output is shaped {output}, not one vector of {classes} per image: end with "
            f"keras.layers.Dense({classes}, activation='softmax') (after a Flatten)."
        )
    activation = _output_activation(model)
    if activation != "softmax":
        return (
            f"the last layer's activation is {activation!r}: add activation='softmax' so that the "
            f"{classes} outputs are probabilities that add up to 1."
        )
    return None


def check_model(model: Any, *, input_shape: tuple[int, ...] = (28, 28, 1), classes: int = 10) -> None:
    """Check the model: starts from ``keras.Input(shape=input_shape)``, a ``Conv2D`` with at
    least 8 filters first (the lesson draws 8), and ends in ``classes`` softmax outputs.

    Used right after "Build the model"; prints one line when it is ready.
    """
    __tracebackhide__ = True
    problem = _model_problem(model, input_shape, classes)
    if problem:
        not_ready(problem)
    print(
        f"model ready: {input_shape} images in, {model.layers[0].filters} filters in the first Conv2D, "
        f"{classes} softmax outputs, {model.count_params():,} parameters"
    )


def _loss_name(loss: Any) -> str:
    if isinstance(loss, str):
        return loss
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    return config.get("name") or getattr(loss, "__name__", type(loss).__name__)


def _compile_problem(model: Any, labels: np.ndarray) -> str | None:
    """Say what is wrong with how ``model`` was compiled for ``labels``, or return None."""
    if model.loss is Ellipsis or model.loss is None or model.loss == "":
        return (
            "loss is still empty: write loss='categorical_crossentropy' in model.compile(...) "
            "(for one-hot labels)."
        )
    name = _loss_name(model.loss)
    one_hot = labels.ndim == 2 and labels.shape[1] > 1
    if name in _SPARSE_LOSSES and one_hot:
        return (
            f"loss {name!r} expects class numbers, but y_train is one-hot {labels.shape}: "
            "use loss='categorical_crossentropy'."
        )
    if name in _ONE_HOT_LOSSES and not one_hot:
        return (
            f"loss {name!r} expects one-hot labels, but y_train holds class numbers {labels.shape}: "
            "one-hot encode them, or use loss='sparse_categorical_crossentropy'."
        )
    if name not in _ONE_HOT_LOSSES | _SPARSE_LOSSES:
        classes = model.outputs[0].shape[-1] if model.outputs else "several"
        return (
            f"loss {name!r} does not fit a classifier with {classes} classes: "
            "use loss='categorical_crossentropy' (for one-hot labels)."
        )
    if (
        getattr(model.loss, "get_config", dict)().get("from_logits")
        and _output_activation(model) == "softmax"
    ):
        return "from_logits=True expects raw scores, but the model ends with softmax: drop from_logits=True."
    metrics = model.get_compile_config().get("metrics") or []
    names = {m if isinstance(m, str) else m.get("config", {}).get("name") for m in metrics}
    if "accuracy" not in names:
        return (
            "compile has no metric named 'accuracy': add metrics=['accuracy'], so that training reports "
            "accuracy under that name, which the training curves and the cells after training read."
        )
    return None


def _schedule_problem(model: Any, schedule: Any) -> str | None:
    """Say how the optimizer's learning rate differs from ``schedule``, or return None."""
    used = model.optimizer.get_config().get("learning_rate")
    wanted = keras.saving.serialize_keras_object(schedule)
    if isinstance(used, dict) and used.get("class_name") == wanted["class_name"]:
        if used.get("config") == wanted["config"]:
            return None
    follows = (
        f"a fixed learning rate of {used:g}"
        if isinstance(used, int | float)
        else f"another learning rate ({used.get('class_name') if isinstance(used, dict) else used})"
    )
    optimizer = type(model.optimizer).__name__
    return (
        f"the optimizer follows {follows}, not the schedule you built above, so training and the "
        f"learning-rate panel after it would not match the lesson: use "
        f'optimizer=keras.optimizers.{optimizer}(learning_rate=schedule) (a plain optimizer="adam" '
        "uses a fixed rate)."
    )


def check_compiled(model: Any, y_train: Any, *, schedule: Any = None) -> None:
    """Check that the model is compiled with a loss that fits the labels ``y_train`` and
    ``metrics=["accuracy"]``, and, when ``schedule`` is given, an optimizer that follows that
    learning-rate schedule. Any optimizer will do otherwise. Used right after "Compile the model".
    """
    __tracebackhide__ = True
    if schedule is not None and not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        raise TypeError(
            "schedule should be a keras.optimizers.schedules.LearningRateSchedule, "
            f"got {type(schedule).__name__}"
        )
    if not getattr(model, "compiled", False):
        not_ready(
            "model is not compiled yet: call model.compile(loss=..., optimizer=..., metrics=['accuracy'])."
        )
    labels = student_array("y_train", y_train, "one-hot encode the labels")
    problem = _compile_problem(model, labels) or (
        _schedule_problem(model, schedule) if schedule is not None else None
    )
    if problem:
        not_ready(problem)
    follows = f" following the {type(schedule).__name__} schedule" if schedule is not None else ""
    print(
        f"compiled: loss {_loss_name(model.loss)} fits y_train {labels.shape}, "
        f"optimizer {type(model.optimizer).__name__}{follows}, metric accuracy"
    )
