"""Small assertions the widget and figure tests share."""

from __future__ import annotations

import base64
from typing import Any


def titles(fig: Any) -> list[str]:
    """Every axes title and every (sub)figure's suptitle of ``fig``."""
    return [ax.get_title() for ax in fig.axes] + [
        sub.get_suptitle() for sub in [fig, *fig.subfigs] if sub.get_suptitle()
    ]


def shown_png(output: Any) -> bytes:
    """The PNG bytes an ipywidgets Output shows (exactly one image)."""
    (shown,) = output.outputs
    assert shown["output_type"] == "display_data"
    data = base64.b64decode(shown["data"]["image/png"])
    assert data.startswith(b"\x89PNG")
    return data


def assert_plain_sentence(obj: Any, name: str, *now: str) -> str:
    """Without a kernel, a widget wrapper shows one sentence (its ``text/plain``): its ``name`` first,
    what it shows now and what a reader can do with it (each of ``now``), and where it was tested
    (JupyterLab) and where else it may run, untested. Return the sentence."""
    plain = obj._repr_mimebundle_()["text/plain"]
    assert plain.startswith(name) and plain.endswith(".") and ". " not in plain, plain
    assert "tested in JupyterLab" in plain and "Notebook 7 and VS Code" in plain and "untested" in plain, (
        plain
    )
    assert "open this notebook in JupyterLab" not in plain, plain
    for words in now:
        assert words in plain, (words, plain)
    return plain


def assert_shows_itself(obj: Any) -> None:
    """A widget wrapper displays as its widget in Jupyter."""
    bundle = obj._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == obj.widget.model_id
