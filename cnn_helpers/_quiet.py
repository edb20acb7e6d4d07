"""Load TensorFlow without its C++ start-up log lines.

TensorFlow 2.20+ prints a few information lines (oneDNN, CUDA drivers not found,
CPU features) to the process' standard error while it is imported, before its
own ``TF_CPP_MIN_LOG_LEVEL`` setting takes effect, and an error line ("failed call
to cuInit") when it first looks for a GPU. In a notebook they land in the cell's
output, where students take them for errors and nbval compares them.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import os
import sys


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block (C++ writes there, not to sys.stderr)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow once with its start-up log lines hidden; later C++ logs show errors only.

    Level 2 of ``TF_CPP_MIN_LOG_LEVEL`` hides information and warnings and keeps errors.
    Set the variable yourself before importing ``cnn_helpers`` to choose another level;
    an import error is still raised as usual, with standard error restored.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    with _stderr_fd_silenced():
        import tensorflow

        # Finding the devices is when TensorFlow tries CUDA and logs, as an error, that there is
        # no GPU: do it now, silenced, rather than in the first cell that computes something.
        tensorflow.config.list_physical_devices()
