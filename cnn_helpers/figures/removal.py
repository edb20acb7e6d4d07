"""Deletion and insertion drawn: one digit's curves for every method, and each method's mean areas
over many digits with their bootstrap intervals. Part 5 of the explore notebook (Where the model
looks)."""

from __future__ import annotations

from matplotlib.figure import Figure
import numpy as np

from ..maths.removal import RemovalCurves
from ..maths.removal_table import FaithfulnessTable
from ._base import describe, new_figure
from ._colour import BEST_BAR, INK, MEASURE_COLOURS, OTHER_BAR, REFERENCE


def plot_removal_areas(table: FaithfulnessTable) -> Figure:
    """Bars of each method's mean deletion area (solid) and insertion area (hatched), with their
    95 % bootstrap intervals over the digits; the random order over the ink last."""
    if not isinstance(table, FaithfulnessTable):
        raise TypeError(
            f"table must be a FaithfulnessTable (from faithfulness_table), got {type(table).__name__}"
        )
    fig = new_figure(9, 5)
    ax = fig.add_subplot()
    x = np.arange(len(table.methods))
    for offset, curve, colour, hatch, name in (
        (-0.2, "deletion", BEST_BAR, "", "deletion (lower is better)"),
        (0.2, "insertion", OTHER_BAR, "//", "insertion (higher is better)"),
    ):
        means = getattr(table, curve).mean(axis=1)
        low, high = table.intervals(curve).T
        ax.bar(
            x + offset,
            means,
            0.38,
            yerr=[means - low, high - means],
            capsize=4,
            color=colour,
            hatch=hatch,
            edgecolor=INK,
            label=name,
        )
    ax.set_xticks(x, [n.replace(" ", "\n", 2) for n in table.methods], fontsize=11)
    ax.set_ylabel("area under the curve", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.legend(fontsize=11, loc="upper left", framealpha=1)
    lowest = min(0.0, float(table.intervals("deletion")[:, 0].min()))
    ax.set_ylim(lowest - 0.05, 1.3)
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_title(f"Deletion and insertion over {table.deletion.shape[1]} digits", fontsize=14)
    describe(
        fig,
        f"Deletion and insertion areas over {table.deletion.shape[1]} digits, mean per method: "
        + "; ".join(
            f"{n}, deletion {d.mean():.2f}, insertion {i.mean():.2f}"
            for n, d, i in zip(table.methods, table.deletion, table.insertion, strict=True)
        )
        + ".",
    )
    return fig


_LINES = (("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ("-", "v"), ("--", "x"), (":", "+"), ("-.", "*"))


def plot_removal_curves(curves: dict[str, RemovalCurves], title: str = "one digit") -> Figure:
    """One digit's deletion (left) and insertion (right) curves for each method of ``curves`` (name
    -> ``RemovalCurves``, as ``maths.faithfulness.method_curves`` gives them), each with its own
    line style and marker, named in the legend with its area; the last one (the random order) grey."""
    if (
        not isinstance(curves, dict)
        or not curves
        or not all(isinstance(c, RemovalCurves) for c in curves.values())
    ):
        raise TypeError("curves must be a dict of method name -> RemovalCurves (from method_curves)")
    if len(curves) > len(_LINES):
        raise ValueError(f"curves holds {len(curves)} methods; this figure tells at most {len(_LINES)} apart")
    fig = new_figure(7.2, 4.4)
    axes = fig.subplots(1, 2, sharey=True)
    names = list(curves)
    for k, (name, c) in enumerate(curves.items()):
        style, marker = _LINES[k]
        colour = REFERENCE if k == len(names) - 1 else MEASURE_COLOURS[k % len(MEASURE_COLOURS)]
        label = f"{name} ({c.deletion_area:.2f}, {c.insertion_area:.2f})"
        for ax, values in ((axes[0], c.deletion), (axes[1], c.insertion)):
            ax.plot(  # not antialiased: a third fewer bytes in the stored notebook, as readable
                c.fractions,
                values,
                linestyle=style,
                marker=marker,
                markersize=5,
                color=colour,
                label=label,
                antialiased=False,
            )
    for ax, what in zip(axes, ("Deletion: ink removed to the fill", "Insertion: ink put back"), strict=True):
        ax.set_title(what, fontsize=12)
        ax.set_xlabel("share of the ink's pixels", fontsize=11)
        ax.axhline(0, color=INK, linewidth=0.6)
        ax.tick_params(labelsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=2,
        fontsize=11,
        frameon=False,
        title="method (deletion area, insertion area)",
        title_fontsize=11,
    )
    axes[0].set_ylabel("score (1: digit, 0: fill)", fontsize=11)
    fig.suptitle(f"Deletion and insertion curves of {title}", fontsize=13)
    describe(
        fig,
        f"Deletion and insertion curves of {title} for {len(names)} rankings; area under each: "
        + "; ".join(
            f"{n}, deletion {c.deletion_area:.2f}, insertion {c.insertion_area:.2f}"
            for n, c in curves.items()
        )
        + ".",
    )
    return fig
