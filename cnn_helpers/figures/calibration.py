"""The reliability diagram: how often the model is right at each level of its top probability.
Part 7 of the explore notebook (Calibration)."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure
import numpy as np

from .._words import plural
from ..maths.calibration import Reliability
from ._base import describe, new_figure
from ._colour import BEST_BAR, INK, OTHER_BAR, REFERENCE

#: How each set of probabilities is drawn, in order: colour, marker and line style (never colour
#: alone).
_STYLES = (
    {"color": OTHER_BAR, "marker": "o", "linestyle": "-"},
    {"color": BEST_BAR, "marker": "s", "linestyle": "--"},
    {"color": INK, "marker": "D", "linestyle": "-."},
)
_STYLE_WORDS = ("circles, solid line", "squares, dashed line", "diamonds, dash-dot line")


def _tables(name: str, tables: object, *, equal_mass: bool) -> dict[str, Reliability]:
    if isinstance(tables, Reliability):
        tables = {"as trained": tables}
    if not isinstance(tables, Mapping) or not tables:
        raise TypeError(
            f"{name} must be a Reliability (from reliability(...)) or a dict of them by name, "
            f"got {type(tables).__name__}"
        )
    if len(tables) > len(_STYLES):
        raise ValueError(f"{name} holds {len(tables)} tables: draw at most {len(_STYLES)} in one figure")
    for label, table in tables.items():
        if not isinstance(table, Reliability):
            raise TypeError(f"{name}[{label!r}] must be a Reliability, got {type(table).__name__}")
        if table.equal_mass != equal_mass:
            kind = "equal-mass" if equal_mass else "equal-width"
            raise ValueError(
                f"{name}[{label!r}] must have {kind} bins (reliability(..., equal_mass={equal_mass}))"
            )
    return dict(tables)


def _nines(value: np.ndarray) -> np.ndarray:
    """``-log10(1 - p)`` of probabilities given as ``1 - p``: 1 at 0.9, 2 at 0.99, inf at 1."""
    with np.errstate(divide="ignore"):
        return -np.log10(np.asarray(value, dtype=float))


def _nines_label(k: int) -> str:
    return "0" if k == 0 else "0." + "9" * k


def _draw_equal_width(ax: Axes, tables: dict[str, Reliability]) -> None:
    ax.plot([0, 1], [0, 1], ":", color=REFERENCE, linewidth=2, label="calibrated")
    for (label, table), style in zip(tables.items(), _STYLES, strict=False):
        filled = table.counts > 0
        x, y = table.confidence[filled], table.accuracy[filled]
        spread = np.stack([y - table.accuracy_low[filled], table.accuracy_high[filled] - y])
        ax.errorbar(x, y, yerr=spread, capsize=3, linewidth=2, markersize=7, label=label, **style)
    first = next(iter(tables.values()))
    filled = first.counts > 0
    counts = ax.secondary_xaxis("top")  # the digits in each bin, above it
    counts.set_xticks(first.confidence[filled], [f"{n:,}" for n in first.counts[filled]], rotation=90)
    counts.tick_params(length=0, labelsize=11)
    whose = f"{next(iter(tables))}: " if len(tables) > 1 else ""
    counts.set_xlabel(f"{whose}digits per bin", fontsize=11)
    ax.set(xlim=(0, 1.02), ylim=(0, 1.02), xticks=[0, 0.5, 1], yticks=[0, 0.5, 1], aspect="equal")
    ax.set_xlabel("mean top probability")
    ax.set_ylabel("fraction read right")
    ax.set_title(f"{len(first.counts)} equal-width bins", fontsize=13)


def _draw_equal_mass(ax: Axes, tables: dict[str, Reliability]) -> float:
    """Draw the equal-mass bins on a scale of -log10(1 - p); return the top of the scale."""
    finite = []
    for table in tables.values():
        filled = table.counts > 0
        finite += [_nines(table.said_error[filled]), _nines(1 - table.accuracy_low[filled])]
        right = _nines(1 - table.accuracy[filled])
        finite.append(right[np.isfinite(right)])
    top = float(np.ceil(max(float(np.max(v)) for v in finite if v.size) + 0.25))
    ax.plot([0, top], [0, top], ":", color=REFERENCE, linewidth=2)
    for table, style in zip(tables.values(), _STYLES, strict=False):
        filled = table.counts > 0
        x = _nines(table.said_error[filled])
        y = np.minimum(_nines(1 - table.accuracy[filled]), top)
        low = _nines(1 - table.accuracy_low[filled])
        high = np.minimum(_nines(1 - table.accuracy_high[filled]), top)
        ax.errorbar(x, y, yerr=np.stack([y - low, high - y]), capsize=3, linewidth=2, markersize=7, **style)
        none = table.mistakes[filled] == 0
        if none.any():  # no mistakes: the accuracy is 1, off the scale; drawn at its top as a triangle
            ax.plot(
                x[none], np.full(none.sum(), top), "^", color=style["color"], markersize=11, clip_on=False
            )
    ticks = np.arange(0, int(top) + 1)
    ax.set(xlim=(0, top), ylim=(0, top), aspect="equal", xticks=ticks, yticks=ticks)
    step = 1 if top <= 3 else 2 if top <= 5 else 3  # at most four labels: they stay apart
    ax.set_xticklabels([_nines_label(k) if k % step == 0 else "" for k in ticks])
    ax.set_yticklabels([_nines_label(k) if k % step == 0 else "" for k in ticks])
    ax.set_xlabel("mean top probability, scale −log10(1 − p)")
    ax.set_ylabel("fraction read right (▲: no mistake)")
    first = next(iter(tables.values()))
    size = f" of {int(first.counts.max()):,}" if len(tables) == 1 else ""
    ax.set_title(f"{len(first.counts)} equal-mass bins{size}", fontsize=13, pad=14)  # above the ▲
    return top


def _said(table: Reliability, k: int) -> str:
    return f"{1 - table.said_error[k]:.{max(2, int(np.ceil(_nines(table.said_error[k]))) + 1)}f}"


def plot_reliability(
    equal_width: Reliability | Mapping[str, Reliability],
    equal_mass: Reliability | Mapping[str, Reliability] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Draw the reliability diagram of ``equal_width`` (``maths.calibration.reliability``; a dict
    of tables by name draws each, e.g. as trained and with a temperature): per bin of top
    probability, the fraction read right against the mean top probability, with its 95 % interval,
    and the diagonal a calibrated model would follow. With ``equal_mass`` (the same probabilities in
    equal-mass bins, ``reliability(..., equal_mass=True)``), a second panel draws them on a scale of
    -log10(1 - p), where the confident bins can be read. The top axis counts the first set's digits
    in each equal-width bin. ``title`` defaults to "Reliability of n test digits" for one set, to
    "Reliability" for more. Used in "Calibration"."""
    width = _tables("equal_width", equal_width, equal_mass=False)
    mass = None if equal_mass is None else _tables("equal_mass", equal_mass, equal_mass=True)
    if title is not None and (not isinstance(title, str) or not title):
        raise TypeError(f"title must be a non-empty string or None, got {title!r}")
    fig = new_figure(8.4, 4.6) if mass else new_figure(5.2, 5.0)
    axes = fig.subplots(1, 2 if mass else 1, squeeze=False)[0]
    _draw_equal_width(axes[0], width)
    if mass:
        _draw_equal_mass(axes[1], mass)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=11, frameon=False)
    total = int(next(iter(width.values())).counts.sum())
    if title is None:
        title = f"Reliability of {total:,} test digits" if len(width) == 1 else "Reliability"
    fig.suptitle(title, fontsize=14)

    text = (
        f"{title}: the fraction read right against the mean top probability, "
        "each bin with a 95 % interval of its accuracy (error bars), the dotted diagonal where the two "
        f"agree. {'Left, ' if mass else ''}{len(next(iter(width.values())).counts)} equal-width bins. "
    )
    parts = []
    for (label, table), words in zip(width.items(), _STYLE_WORDS, strict=False):
        heaviest, filled = int(np.argmax(table.counts)), int(np.sum(table.counts > 0))
        parts.append(
            f"{label} ({words}, {int(table.counts.sum()):,} digits): expected calibration error "
            f"{table.ece:.2%}, accuracy "
            f"{table.overall_accuracy:.2%} against a mean top probability of {table.overall_confidence:.2%}; "
            f"{int(table.counts[heaviest]):,} digits in the bin from {table.edges[heaviest]:.1f} to "
            f"{table.edges[heaviest + 1]:.1f}, right on {table.accuracy[heaviest]:.2%} at "
            f"{table.confidence[heaviest]:.2%}; in {table.bins_within_interval} of {filled} filled bins "
            "the interval of the accuracy holds the mean top probability"
        )
    text += "; ".join(parts) + "."
    if mass:
        first = next(iter(mass.values()))
        text += (
            f" Right, {len(first.counts)} equal-mass bins, both axes on a scale of -log10(1 - p) (0.9, "
            "0.99, 0.999 equally spaced). "
        )
        parts = []
        for label, table in mass.items():
            last = len(table.counts) - 1
            none = int(np.sum(table.mistakes == 0))
            parts.append(
                f"{label}, about {int(table.counts.max()):,} digits a bin: the most confident bin says "
                f"{_said(table, last)} on average and has "
                f"{plural(int(table.mistakes[last]), 'mistake')} (accuracy at least "
                f"{table.accuracy_low[last]:.4f}); {none} of {len(table.counts)} bins have no mistake "
                f"(triangles at the top); in {table.bins_within_interval} of {len(table.counts)} bins the "
                "interval of the accuracy holds the mean top probability"
            )
        text += "; ".join(parts) + "."
    describe(fig, text)
    return fig
