"""Attribution methods side by side, and the cascading randomization: its similarities against
their noise floor and its maps of one digit. The deletion and insertion figures are in
``figures.removal``. Part 5 of the explore notebook (Where the model
looks)."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
import numpy as np

from .._args import require_array, require_count, require_gray_images
from ..maths.randomization import MEASURES, CascadeCheck
from ._base import clean, describe, new_figure
from ._colour import (
    DIGIT_CONTOUR,
    DIVERGING,
    GRAYSCALE,
    MAGNITUDE,
    MEASURE_COLOURS,
    PAPER,
    REFERENCE,
    draw_negative_dots,
    draw_signed_colorbar,
    symmetric_limit,
)
from .attribution import where_it_lies


def show_attributions(images: Any, maps: dict[str, Any], titles: Any) -> Figure:
    """Show digits ``(m, h, w)`` in the top row and, below, one row per method of ``maps`` (name ->
    ``(m, h, w)``), one colour scale per row: signed maps on a diverging scale centred on zero
    (negative cells dotted, but not those under 2 % of the row's largest value), others from zero.
    Each map carries the digit's outline. Names such as "integrated gradients, black" break at
    the comma."""
    images = require_gray_images("images", images)
    m = require_count("the number of images", len(images), maximum=6, what="images this figure can show")
    if (
        not isinstance(titles, (list, tuple))
        or len(titles) != m
        or not all(isinstance(t, str) for t in titles)
    ):
        raise TypeError(f"titles must be a list of {m} strings, one per image")
    if not isinstance(maps, dict) or not maps:
        raise TypeError("maps must be a dict of method name -> maps (m, h, w)")
    rows = {name: require_array(name, v, ndim=(3,), shape_hint="(m, h, w)") for name, v in maps.items()}
    for name, values in rows.items():
        if values.shape != images.shape:
            raise ValueError(f"maps[{name!r}] is {values.shape}, but the images are {images.shape}")
    fig = new_figure(max(1.55 * m + 2.4, 7.3), 1.55 * (len(rows) + 1))  # 700 px or more, cropped
    axes = fig.subplots(len(rows) + 1, m, squeeze=False)
    for i in range(m):
        axes[0, i].imshow(images[i], cmap=GRAYSCALE)
        axes[0, i].set_title(titles[i], fontsize=11)
    sentences = []
    for r, (name, values) in enumerate(rows.items(), start=1):
        signed = bool((values < 0).any())
        limit = symmetric_limit(values)
        for i in range(m):
            ax = axes[r, i]
            if signed:
                shown = ax.imshow(values[i], cmap=DIVERGING, vmin=-limit, vmax=limit)
                visible = np.where(np.abs(values[i]) < 0.02 * limit, 0, values[i])  # no dots for noise
                draw_negative_dots(ax, visible, shown)
            else:
                shown = ax.imshow(values[i], cmap=MAGNITUDE, vmin=0, vmax=limit)
            if np.ptp(images[i]) > 0:
                ax.contour(images[i], levels=[0.5 * images[i].max()], colors=DIGIT_CONTOUR, linewidths=0.8)
        axes[r, 0].set_ylabel(name.replace(", ", ",\n"), fontsize=11)
        if signed:
            draw_signed_colorbar(fig, shown, list(axes[r, :]), "", shrink=0.9)
        else:
            fig.colorbar(shown, ax=list(axes[r, :]), shrink=0.9).ax.tick_params(labelsize=11)
        sentences.append(
            f"{name} ({'signed, diverging scale' if signed else 'from zero'}, up to {limit:.2g}): "
            + "; ".join(f"digit {j + 1}, {where_it_lies(values[j], images[j])}" for j in range(m))
        )
    for ax in axes.flat:
        clean(ax)
    describe(
        fig,
        f"{m} digits ({', '.join(' '.join(t.split()) for t in titles)}) and their maps. "
        + ". ".join(sentences)
        + ".",
    )
    return fig


def plot_cascade(check: CascadeCheck) -> Figure:
    """Draw each similarity measure of ``check`` as layers are re-initialized from the top (the
    trained model first, alike with itself: 1), mean over the digits with its spread (SD), and at
    the right, hollow, the same for a second model trained alike: the noise floor."""
    if not isinstance(check, CascadeCheck):
        raise TypeError(f"check must be a CascadeCheck (from cascade_check), got {type(check).__name__}")
    fig = new_figure(10, 5.6)
    ax = fig.add_subplot()
    labels = ["none", *check.steps, "second model\n(noise floor)"]
    steps = np.arange(len(check.steps) + 1)
    for k, (name, marker, colour) in enumerate(zip(MEASURES, "os^", MEASURE_COLOURS, strict=True)):
        mean = np.r_[1.0, check.similarity[:, k].mean(axis=1)]
        spread = np.r_[0.0, check.similarity[:, k].std(axis=1)]
        ax.errorbar(steps, mean, yerr=spread, marker=marker, color=colour, capsize=4, linewidth=2, label=name)
        floor = check.floor[k]
        ax.errorbar(
            [len(steps) + 0.1 * (k - 1)],
            [floor.mean()],
            yerr=[floor.std()],
            marker=marker,
            color=colour,
            markerfacecolor=PAPER,
            markersize=9,
            capsize=4,
            linestyle="none",
        )
    ax.axvline(len(steps) - 0.5, color=REFERENCE, linewidth=1)
    ax.set_xticks(np.arange(len(labels)), labels, fontsize=11)
    ax.set(
        ylim=(-0.4, 1.1),
        xlabel="layers re-initialized, from the output down",
        ylabel="similarity to the trained maps",
    )
    ax.xaxis.label.set_size(12)
    ax.yaxis.label.set_size(12)
    ax.tick_params(labelsize=11)
    ax.legend(
        fontsize=11,
        ncol=3,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        title="filled: cascade; hollow: floor",
        title_fontsize=11,
    )
    ax.set_title("Cascading randomization against the noise floor", fontsize=14)
    last = check.similarity[-1].mean(axis=1)
    describe(
        fig,
        f"Similarity of saliency maps over {check.similarity.shape[2]} digits as layers are re-initialized "
        "from the output down; with all re-initialized: "
        + ", ".join(
            f"{n} {v:.2f} against a floor of {f:.2f}"
            for n, v, f in zip(MEASURES, last, check.floor.mean(axis=1), strict=True)
        )
        + ".",
    )
    return fig


def show_cascade_maps(check: CascadeCheck) -> Figure:
    """One digit and its saliency maps in a row, as Adebayo et al. (2018) draw them: the trained
    model's, then after each step of the cascade of ``check``, then the second model's. Each map
    is drawn from zero to its own largest value (the measures compare orders and shapes, not sizes)."""
    if not isinstance(check, CascadeCheck):
        raise TypeError(f"check must be a CascadeCheck (from cascade_check), got {type(check).__name__}")
    if check.example_maps is None or check.example is None:
        raise ValueError("check holds no example digit: make it with cascade_check")
    names = ["trained", *check.steps, "second model"]
    fig = new_figure(1.2 * (len(names) + 1), 2.25)
    axes = fig.subplots(1, len(names) + 1)
    axes[0].imshow(check.example, cmap=GRAYSCALE)
    axes[0].set_title("digit", fontsize=11)
    outline = check.example.max() > 0
    for ax, name, values in zip(axes[1:], names, check.example_maps, strict=True):
        ax.imshow(values, cmap=MAGNITUDE, vmin=0, vmax=max(float(values.max()), 1e-12))
        if outline:
            ax.contour(
                check.example, levels=[0.5 * check.example.max()], colors=DIGIT_CONTOUR, linewidths=0.6
            )
        ax.set_title(name.replace("+ ", "+").replace(" (all)", "\n(all)"), fontsize=11)
    for ax in axes:
        clean(ax)
    fig.suptitle(
        "Saliency of one digit as layers are re-initialized (each map on its own scale)", fontsize=12
    )
    ink = check.example >= 0.5 * check.example.max() if outline else np.zeros(check.example.shape, bool)
    shares = [float(v[ink].sum() / v.sum()) if v.sum() > 0 else 0.0 for v in check.example_maps]
    describe(
        fig,
        f"One digit and {len(names)} saliency maps of it, each from zero to its own largest value: "
        + "; ".join(f"{n}, {s:.0%} of the map on the ink" for n, s in zip(names, shares, strict=True))
        + ".",
    )
    return fig
