"""A trained model's answers: the confusion matrix, the most confident mistakes and the predicted
probabilities. Used in "Where it fails" and "Optional: keep and reuse the model".
"""

from __future__ import annotations

from typing import Any

from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
import numpy as np

from .._args import require_array, require_class_numbers, require_count, require_gray_images
from .._words import listing, percent, plural
from ._base import describe, grid_shape, image_grid, new_figure
from ._colour import COUNTS, GRAYSCALE, text_colour
from ._panels import draw_probability_bars


def plot_confusion_matrix(matrix: Any) -> Figure:
    """Draw a ``(k, k)`` confusion matrix: rows are true classes, columns predicted ones.

    Each non-zero cell has its value written in (as scikit-learn's ``ConfusionMatrixDisplay``
    writes it: a count as an integer, a fraction with two significant digits), in black or white
    for contrast. Colours are on a log scale so that the few mistakes stand
    out next to the large diagonal. Used in "Where it fails".
    """
    matrix = require_array("matrix", matrix, ndim=(2,), shape_hint="(classes, classes)")
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if np.any(matrix < 0):
        raise ValueError("matrix must hold counts or fractions (no negative values)")
    counts = np.issubdtype(matrix.dtype, np.integer) or bool(np.all(matrix == np.round(matrix)))
    values_format = "d" if counts else ".2g"
    positive = matrix[matrix > 0]
    floor = float(positive.min()) / 2 if positive.size else 0.5
    k = matrix.shape[0]
    fig = new_figure(0.8 * k + 2.6, 0.72 * k + 1.6)
    ax = fig.add_subplot()
    norm = LogNorm(vmin=floor, vmax=max(float(matrix.max()), floor * 2))
    image = ax.imshow(np.maximum(matrix, floor), cmap=COUNTS, norm=norm)
    for (i, j), value in np.ndenumerate(matrix):
        if value:
            text = format(int(value) if values_format == "d" else value, values_format)
            colour = text_colour(image, max(value, floor))
            weight = "normal" if i == j else "bold"  # mistakes in bold
            ax.text(j, i, text, ha="center", va="center", fontsize=11, color=colour, fontweight=weight)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted digit", ylabel="true digit")
    correct = f": {int(np.trace(matrix))} of {int(matrix.sum())} correct" if counts else ""
    ax.set_title(f"Confusion matrix{correct}", fontsize=14)
    fig.colorbar(image, ax=ax, shrink=0.8, label=("count" if counts else "value") + " (log scale)")
    return describe(fig, _confusion_sentence(matrix, counts, values_format))


def _confusion_sentence(matrix: np.ndarray, counts: bool, values_format: str) -> str:
    """The alt text of a confusion matrix: how many correct, and the most common mistakes."""
    k = len(matrix)
    off = matrix - np.diag(np.diag(matrix))
    order = [
        tuple(int(v) for v in np.unravel_index(i, off.shape))
        for i in np.argsort(-off, axis=None, kind="stable")
    ]
    worst = [(t, p) for t, p in order if off[t, p] > 0][:3]
    show = (lambda v: f"{int(v):,}") if counts else (lambda v: format(v, values_format))
    mistakes = listing(f"{t} read as {p} ({show(off[t, p])})" for t, p in worst)
    text = f"Confusion matrix of {k} classes, true class by row, predicted by column"
    if counts:
        total = int(matrix.sum())
        correct = int(np.trace(matrix))
        text += f": {correct:,} of {total:,} correct ({percent(correct / total if total else 0)})"
    return text + (f"; the most common mistakes: {mistakes}." if worst else "; no mistakes.")


def show_misclassified(images: Any, labels: Any, probabilities: Any, n: int = 12) -> Figure:
    """Show up to ``n`` of the most confidently wrong predictions, most confident first.

    ``images`` ``(m, h, w)`` or ``(m, h, w, 1)``, true ``labels`` ``(m,)`` (or one-hot),
    ``probabilities`` ``(m, classes)`` from ``model.predict``. Each title gives the true
    label, the prediction, the probability the model gave it and the image's index. With
    fewer mistakes than ``n``, all of them are shown and the title says so.
    """
    images = require_gray_images("images", images)
    labels = require_class_numbers("labels", labels, len(images))
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if len(probabilities) != len(images):
        raise ValueError(f"probabilities has {len(probabilities)} rows but there are {len(images)} images")
    n = require_count("n", n)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")][:n]
    if len(order) == 0:
        fig = new_figure(6, 1.5)
        fig.text(0.5, 0.5, f"No mistakes among these {len(images)} images", ha="center", fontsize=15)
        return describe(fig, f"No mistakes among these {len(images):,} images.")
    rows, cols = grid_shape(len(order), max_cols=6)
    fig = new_figure(2.3 * cols, 2.5 * rows + 0.6)
    for ax, index in zip(image_grid(fig, len(order), max_cols=6), order, strict=True):
        ax.imshow(images[index], cmap=GRAYSCALE)
        said = predicted[index]
        ax.set_title(
            f"true {int(labels[index])}, said {said}\np = {probabilities[index, said]:.3f}  (#{index})",
            fontsize=12,
        )
    shown = f"The {len(order)} most confident mistakes" if len(order) < len(wrong) else "All the mistakes"
    fig.suptitle(f"{shown} ({len(wrong)} in {len(images)} images)", fontsize=14)
    each = [
        f"#{i} true {int(labels[i])} read as {predicted[i]} (p = {probabilities[i, predicted[i]]:.3f})"
        for i in order
    ]
    return describe(
        fig,
        f"{shown} ({len(wrong):,} in {len(images):,} images), most confident first: {'; '.join(each)}.",
    )


def show_probabilities(images: Any, probabilities: Any, labels: Any = None) -> Figure:
    """Show each image ``(m, h, w)`` or ``(m, h, w, 1)`` above a bar chart of its probabilities.

    ``probabilities`` is ``(m, classes)``, from ``model.predict``; up to 20 images, five a row.
    The most likely class is orange and named in the title with its probability; with the true
    ``labels`` ``(m,)`` (or one-hot), the title gives them too.
    """
    images = require_gray_images("images", images)
    probabilities = require_array("probabilities", probabilities, ndim=(2,), shape_hint="(m, classes)")
    if len(images) != len(probabilities):
        raise ValueError(f"images has {len(images)} entries but probabilities has {len(probabilities)}")
    if labels is not None:
        labels = require_class_numbers("labels", labels, len(images))
    m = require_count("the number of images", len(images), maximum=20, what="images this figure can show")
    cols = min(m, 5)
    rows = -(-m // cols)
    fig = new_figure(2.0 * cols, 3.9 * rows)
    axes = fig.subplots(2 * rows, cols, squeeze=False)
    for i in range(rows * cols):
        picture, bars = axes[2 * (i // cols), i % cols], axes[2 * (i // cols) + 1, i % cols]
        if i >= m:
            picture.set_axis_off()
            bars.set_axis_off()
            continue
        picture.imshow(images[i], cmap=GRAYSCALE)
        picture.set(xticks=[], yticks=[])
        best = int(probabilities[i].argmax())
        truth = "" if labels is None else f"true {int(labels[i])},\n"
        picture.set_title(f"{truth}says {best} ({probabilities[i, best]:.0%})", fontsize=12)
        draw_probability_bars(bars, probabilities[i])
        if i % cols:
            bars.set_yticklabels([])
        else:
            bars.set_ylabel("probability", fontsize=12)
    return describe(fig, _probability_sentence(probabilities, labels))


def _probability_sentence(probabilities: np.ndarray, labels: np.ndarray | None) -> str:
    """The alt text of ``show_probabilities``: each image's answer, and its runner-up if it has one."""
    answers = []
    for i, p in enumerate(probabilities):
        first, second = np.argsort(-p, kind="stable")[:2]
        truth = "" if labels is None else f"true {int(labels[i])}, "
        runner = f", then {second} ({p[second]:.0%})" if p[second] >= 0.05 else ""
        answers.append(f"{truth}says {first} ({p[first]:.0%}){runner}")
    return (
        f"{plural(len(probabilities), 'image')}, each above a bar chart of the probability it gives each "
        f"class, the most likely bar hatched: {'; '.join(answers)}."
    ).replace("%)", " %)")
