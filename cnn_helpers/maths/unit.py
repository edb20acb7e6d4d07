"""One unit of a feature map, seen three ways: its receptive field on the digit, how much covering
that field changes the prediction, and how the unit's value moves when the digit shifts by one
pixel. ``inspect_unit`` computes the numbers; ``figures.unit.show_unit_view`` draws them.
``shift_change`` measures, over every unit of a layer at once, how much a one-pixel shift moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._args import require_int
from .attribution import as_model_batch, batch_logits
from .layers import layer_index, layer_output
from .receptive_field import receptive_field_box
from .shifts import shift_images

#: The nine one-pixel shifts, ``(dy, dx)`` in reading order: ``UnitReport.shifted[dy + 1, dx + 1]``.
SHIFTS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


@dataclass
class UnitReport:
    """What ``inspect_unit`` found for unit ``(row, col)`` of ``channel`` in layer ``layer``.

    ``value``: the unit's value on the digit; ``feature_map`` ``(h', w')``: its channel's map;
    ``box``: its receptive field ``(top, left, size)`` on the input (may stick out of it);
    ``covered``: the part inside the image, ``(top, bottom, left, right)``, bottom/right excluded;
    ``predicted``, ``score_before``: the model's class and its score (the logit, before the
    softmax); ``score_after``: that class's score with the field covered (set to 0, black);
    ``new_prediction``, ``score_new``: the answer then and its score; ``shifted`` ``(3, 3)``: the
    unit's value with the digit moved one pixel,
    ``shifted[dy + 1, dx + 1]`` for a move of ``dx`` right and ``dy`` down (centre: not moved).
    """

    layer: str
    channel: int
    row: int
    col: int
    value: float
    feature_map: np.ndarray
    box: tuple[int, int, int]
    covered: tuple[int, int, int, int]
    predicted: int
    score_before: float
    score_after: float
    new_prediction: int
    score_new: float
    shifted: np.ndarray

    def __str__(self) -> str:
        top, bottom, left, right = self.covered
        moves = {"right": self.shifted[1, 2], "left": self.shifted[1, 0]}
        moves |= {"down": self.shifted[2, 1], "up": self.shifted[0, 1]}
        return (
            f"layer {self.layer!r}, channel {self.channel}, unit ({self.row}, {self.col}): "
            f"value {self.value:.2f}\n"
            f"receptive field: rows {top}-{bottom - 1}, columns {left}-{right - 1} of the digit\n"
            f"covered: score of {self.predicted} {self.score_before:.2f} -> {self.score_after:.2f}; "
            f"the model then says {self.new_prediction} (score {self.score_new:.2f})\n"
            "digit moved one pixel: " + ", ".join(f"{name} {v:.2f}" for name, v in moves.items())
        )


def feature_layers(model: Any) -> list[str]:
    """Names of ``model``'s layers whose units have a receptive field (a map ``(1, h', w', c)``)."""
    names = []
    for index, layer in enumerate(model.layers):
        try:
            receptive_field_box(model, index, 0, 0)
        except ValueError:
            break  # Flatten or Dense: no layer after it has a map either
        if len(layer.output.shape) == 4:
            names.append(layer.name)
    return names


def inspect_unit(model: Any, image: Any, layer: Any, channel: int, row: int, col: int) -> UnitReport:
    """Return a ``UnitReport`` for unit ``(row, col)`` of ``channel`` in ``layer`` on ``image`` ``(h, w)``.

    ``layer`` is one of ``model.layers``, its index or its name (a Conv2D or pooling layer, see
    ``feature_layers``); ``model`` ends in a softmax, whose class scores (logits) are read as
    ``attribution.class_scores`` reads them. The receptive field comes from ``receptive_field_box``,
    clipped to the image, and is covered with black (0).
    """
    batch = as_model_batch(model, image)
    index = layer_index(model, layer)
    name = model.layers[index].name
    if name not in feature_layers(model):
        raise ValueError(f"layer {name!r} has no feature map; pick one of {feature_layers(model)}")
    shape = tuple(model.layers[index].output.shape)
    channel = require_int("channel", channel, 0, shape[3])
    top, left, size = receptive_field_box(model, index, row, col)  # checks row and col
    h, w = batch.shape[1:3]
    covered = (max(top, 0), min(top + size, h), max(left, 0), min(left + size, w))
    hidden = batch.copy()
    hidden[0, covered[0] : covered[1], covered[2] : covered[3]] = 0.0
    shifted = np.concatenate([shift_images(batch, dx, dy) for dy, dx in SHIFTS])
    inputs = np.concatenate([batch, hidden, shifted])
    scores = np.asarray(batch_logits(model, inputs[:2]), dtype=np.float64)
    maps = layer_output(model, index, inputs)[..., channel]
    predicted, new = int(scores[0].argmax()), int(scores[1].argmax())
    return UnitReport(
        layer=name,
        channel=channel,
        row=int(row),
        col=int(col),
        value=float(maps[0, row, col]),
        feature_map=maps[0],
        box=(top, left, size),
        covered=covered,
        predicted=predicted,
        score_before=float(scores[0, predicted]),
        score_after=float(scores[1, predicted]),
        new_prediction=new,
        score_new=float(scores[1, new]),
        shifted=maps[2:, row, col].reshape(3, 3),
    )


def shift_change(model: Any, image: Any, layer: Any) -> float:
    """How much a one-pixel move of ``image`` ``(h, w)`` changes the units of ``layer``, as a share of
    their values: over the units whose value on the digit is above 0, the sum of each one's mean
    absolute change under the eight one-pixel moves, divided by the sum of their values (0: no move
    changes any unit; 1: a move changes them, on average, by as much as their value). A ratio of
    sums, so that the units whose value is nearly 0 do not decide it. One batch of nine images;
    ``layer`` as for ``inspect_unit``.
    """
    batch = as_model_batch(model, image)
    index = layer_index(model, layer)
    name = model.layers[index].name
    if name not in feature_layers(model):
        raise ValueError(f"layer {name!r} has no feature map; pick one of {feature_layers(model)}")
    moved = np.concatenate([shift_images(batch, dx, dy) for dy, dx in SHIFTS])
    maps = np.asarray(layer_output(model, index, moved), dtype=np.float64)  # (9, h', w', c)
    centre = SHIFTS.index((0, 0))
    still = maps[centre]
    active = still > 0
    if not active.any():
        raise ValueError(f"no unit of layer {name!r} is above 0 on this image: nothing to compare")
    change = np.abs(np.delete(maps, centre, axis=0) - still).mean(axis=0)
    return float(change[active].sum() / still[active].sum())
