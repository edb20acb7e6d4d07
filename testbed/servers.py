"""Start, wait for and stop the server processes of the browser and class tests (JupyterLab in
``labserver.py``, JupyterHub in ``hubserver.py``).

``free_port()`` picks a port on loopback. ``server_process(command, ...)`` starts the server in its
own session (its process group: its kernels, proxy and single-user servers go with it), its output
in a log file, and stops it when the ``with`` block ends: ``before_stop`` first (while it still
runs), then SIGTERM, and SIGKILL to the whole group if it has not exited in time; ``after_stop``
last (a clean-up that must run even if the server never started). If the block raised, the log is
printed to stderr, where pytest shows it under the failing test. ``wait_until_up(process, answers)``
polls ``answers()`` until the server answers, and fails early if the process exits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
import contextlib
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(
    process: subprocess.Popen, *, timeout: float, before: Callable[[], None] | None = None
) -> None:
    """Stop ``process`` if it still runs: ``before()``, SIGTERM, then SIGKILL to its process group if
    it has not exited after ``timeout`` s."""
    if process.poll() is None:
        if before is not None:
            before()
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def server_process(
    command: Sequence[str],
    *,
    name: str,
    log_file: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    log_header: str = "",
    stop_timeout: float = 15,
    before_stop: Callable[[], None] | None = None,
    after_stop: Callable[[], None] | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` (a server called ``name`` in messages) for the ``with`` block; the process.

    ``env`` is the whole environment (``None``: this process's). See the module's docstring.
    """
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group, stopped as one
        )

    stopped = False

    def stop() -> None:
        nonlocal stopped
        if stopped:  # already stopped when the block raised
            return
        stopped = True
        try:
            stop_process(process, timeout=stop_timeout, before=before_stop)
        finally:
            if after_stop is not None:
                after_stop()

    try:
        yield process
    except BaseException:
        stop()  # first, so that the log is complete
        log_text = log_file.read_text(errors="replace")
        print(f"----- {name} log ({log_header or ' '.join(command)}) -----\n{log_text}", file=sys.stderr)
        raise
    finally:
        stop()


def wait_until_up(
    process: subprocess.Popen,
    answers: Callable[[], bool],
    *,
    name: str,
    where: str,
    timeout: float,
    interval: float = 0.5,
) -> None:
    """Poll ``answers()`` every ``interval`` s until it is true; an error if ``process`` exits first
    or ``timeout`` s pass. ``answers`` may raise to stop waiting at once (a server that refuses)."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode} before answering")
        if answers():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not answer on {where} in {timeout} s")
        time.sleep(interval)
