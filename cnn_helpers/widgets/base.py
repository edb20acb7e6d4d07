"""What every interactive tool shares: a figure shown in a widget as a PNG with its alt text."""

from __future__ import annotations

import base64
from typing import Any

import ipywidgets as widgets

from ..figures._base import FigureLike, alt_text, png_bytes


def show_as_png(output: Any, fig: FigureLike) -> FigureLike:
    """Replace what the ipywidgets ``Output`` ``output`` shows by ``fig`` as a PNG image; return ``fig``.

    Works with or without a kernel (the image is set on ``output.outputs``, not displayed). The
    figure's description (``describe``) goes with it as the image's alt text.
    """
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    data = {
        "image/png": base64.b64encode(png_bytes(fig)).decode("ascii"),
        "text/plain": f"<Figure {width}x{height}>",
    }
    text = alt_text(fig)
    metadata = {"image/png": {"alt": text}} if text else {}
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": metadata},)
    return fig


#: Where the tools were tested, and where else they may run: said by every tool's plain sentence.
WHERE_TESTED = "tested in JupyterLab; Notebook 7 and VS Code also run ipywidgets and may work, untested"


class ShownAsWidget:
    """The interactive tools' base: shows ``self.widget`` when the tool is a cell's value.

    A tool sets ``name`` (what it is), ``action`` (what a reader does with it in a running notebook) and
    ``output`` (the ``ipywidgets.Output`` its figure goes into), draws with ``show(fig)`` and says
    what it is set to in ``current()``. The base gives every tool the same two things for readers
    without a kernel:

    - ``plain_text()``, the ``text/plain`` that a page without a kernel (GitHub, an HTML export)
      shows in place of the widget: one plain sentence, not the widget's ``repr``;
    - ``snapshot()``, the figure shown last, with its alt text, as an ordinary figure.
    """

    name: str
    action: str
    widget: widgets.Widget
    output: widgets.Output
    figure: FigureLike | None = None

    def current(self) -> str:
        """What the tool shows now, as words that follow "now" (e.g. "at position (0, 1)")."""
        raise NotImplementedError

    def blank_reason(self) -> str:
        """Why no figure is shown, when none is (``snapshot()`` says it)."""
        return "nothing has been drawn"

    def show(self, fig: FigureLike) -> FigureLike:
        """Show ``fig`` in ``self.output`` as a PNG with its alt text, and keep it; return it."""
        self.figure = show_as_png(self.output, fig)
        return fig

    def show_nothing(self) -> None:
        """Empty ``self.output`` (the setting draws nothing)."""
        self.output.outputs, self.figure = (), None

    def snapshot(self) -> FigureLike:
        """The figure shown last, with its alt text: what a reader without a kernel sees."""
        if self.figure is None:
            raise ValueError(f"nothing to show: {self.blank_reason()}")
        return self.figure

    def plain_text(self) -> str:
        """One sentence for readers without a kernel: what the tool is, and what it shows now."""
        return (
            f"{self.name} (interactive, now {self.current()}): run this notebook to {self.action} "
            f"({WHERE_TESTED})."
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return {**self.widget._repr_mimebundle_(**kwargs), "text/plain": self.plain_text()}
