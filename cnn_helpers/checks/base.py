"""What every check of a student's work shares: the error it raises, ``NotReadyError``, which Jupyter
shows as its message alone, and reading a student's array, which may still be ``...``."""

from __future__ import annotations

from typing import Any

import numpy as np


class NotReadyError(ValueError):
    """A part of the exercise is not ready yet; the message says what is wrong and how to fix it."""

    def _render_traceback_(self) -> list[str]:
        """What Jupyter shows: the message alone. The mistake is in the cell above, not in a traceback."""
        return [f"\x1b[1;31m{type(self).__name__}\x1b[0m: {self}"]


def not_ready(message: str) -> None:
    """Raise ``NotReadyError(message)``, its own frame hidden from the traceback."""
    __tracebackhide__ = True  # IPython and pytest show the student's cell, not this frame
    raise NotReadyError(message) from None


def student_array(name: str, value: Any, fix: str) -> np.ndarray:
    """Return ``value`` as a non-empty numeric array, or fail saying what it is instead."""
    __tracebackhide__ = True
    if value is Ellipsis or value is None:
        not_ready(
            f"{name} is still {'...' if value is Ellipsis else 'None'}: replace it with your code ({fix})."
        )
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    except ValueError:  # a ragged list
        array = None
    if array is None or not np.issubdtype(array.dtype, np.number) or array.dtype == bool:
        not_ready(
            f"{name} should be a NumPy array of numbers, but it is a {type(value).__name__}. Fix: {fix}."
        )
    if array.size == 0:
        not_ready(f"{name} is empty, shape {array.shape}: did a slice select nothing? Fix: {fix}.")
    return array
