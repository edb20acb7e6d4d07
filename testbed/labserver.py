"""A real JupyterLab on loopback, for the browser tests and the memory benchmark.

``jupyterlab_server(files)`` copies the files into a fresh folder, serves it with this
interpreter's JupyterLab on ``127.0.0.1`` (a free port, a random token, no news, no update
check, a read-only extension manager, settings and workspaces of its own) and stops it
afterwards; if the ``with`` block raises, the server's log is printed to stderr, where pytest
shows it under the failing test. ``MNIST_NPZ`` and the rest of the environment reach the kernel.

The browser tests drive it from playwright with ``tests/browser.py`` (through
``window.jupyterapp``, which ``--LabApp.expose_app_in_browser=True`` exposes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import secrets
import shutil
import subprocess
import sys
import tempfile
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from testbed.servers import free_port, server_process, wait_until_up

# Off: anything that would reach the network or make the page depend on more than the test's files.
LAB_ARGS = [
    "--ServerApp.open_browser=False",
    "--ServerApp.port_retries=0",  # the chosen port or a failure, never a surprise port
    "--LabApp.news_url=None",  # no announcement feed from jupyterlab.github.io
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",  # no PyPI look-ups
    "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, for the helpers below
    "--LanguageServerManager.autodetect=False",  # jupyter-lsp: no scan for language servers
]


@dataclass
class LabServer:
    """A running JupyterLab: its base URL (ending in ``/``), token, served folder and log file."""

    url: str
    token: str
    root: Path
    log_file: Path
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, for ``offline_page(allowed_origin=...)``."""
        return self.url.rstrip("/")

    def lab_url(self, path: str = "") -> str:
        """The URL that opens ``path`` (relative to the served folder) in JupyterLab."""
        return f"{self.url}lab/tree/{quote(path)}?token={self.token}"

    def api(self, endpoint: str, *, timeout: float = 5) -> object:
        """GET ``/api/<endpoint>`` with the token; the decoded JSON."""
        request = Request(f"{self.url}api/{endpoint}", headers={"Authorization": f"token {self.token}"})
        with urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def log(self) -> str:
        """Everything the server (and its kernels) wrote so far."""
        return self.log_file.read_text(errors="replace")


def _write_user_settings(settings_dir: Path, settings: Mapping[str, Mapping]) -> None:
    # A plugin id "@jupyterlab/notebook-extension:tracker" lives in
    # <settings_dir>/@jupyterlab/notebook-extension/tracker.jupyterlab-settings.
    for plugin, values in settings.items():
        package, _, name = plugin.partition(":")
        target = settings_dir / package / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values, indent=2))


# No "Would you like to get notified about official Jupyter news?" toast over the notebook.
DEFAULT_USER_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


@contextlib.contextmanager
def jupyterlab_server(
    files: Iterable[str | os.PathLike[str]],
    *,
    user_settings: Mapping[str, Mapping] | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: Iterable[str] = (),
    startup_timeout: float = 90,
    command_prefix: Iterable[str] = (),
) -> Iterator[LabServer]:
    """Serve copies of ``files`` (files or folders, copied by name) with JupyterLab on loopback.

    ``user_settings`` maps plugin ids (``"@jupyterlab/notebook-extension:tracker"``) to the
    settings JupyterLab (and RISE, which reads the same folder) starts with, on top of
    ``DEFAULT_USER_SETTINGS``. The server and its kernels get this process's environment
    (``MNIST_NPZ`` included) plus ``env``. ``command_prefix`` goes before the server's command (a
    program that starts it, e.g. inside a memory limit: ``benchmarks.memory``).
    """
    with tempfile.TemporaryDirectory(prefix="jupyterlab-test-") as tmp:
        tmp_path = Path(tmp)
        root = tmp_path / "root"
        root.mkdir()
        for file in map(Path, files):
            if file.is_dir():
                shutil.copytree(file, root / file.name)
            else:
                shutil.copy2(file, root / file.name)
        environment = {**os.environ, **(env or {})}
        # Configuration, data (signing key, user extensions), settings, workspaces, runtime files
        # and IPython profile of its own: nothing read from or written to the home directory.
        for variable, name in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            environment[variable] = str(tmp_path / name)
            (tmp_path / name).mkdir()
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # no debugger warning in every kernel's log
        _write_user_settings(tmp_path / "settings", {**DEFAULT_USER_SETTINGS, **(user_settings or {})})

        port, token = free_port(), secrets.token_hex(24)
        command = [
            *command_prefix,
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            *LAB_ARGS,
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI containers
            *extra_args,
        ]
        log_file = tmp_path / "jupyterlab.log"
        with server_process(
            command, name="JupyterLab", log_file=log_file, cwd=root, env=environment, stop_timeout=15
        ) as process:  # SIGTERM: the server shuts its kernels down, then exits; else SIGKILL to them all
            server = LabServer(f"http://127.0.0.1:{port}/", token, root, log_file, process)
            wait_until_up(
                process,
                lambda: _answers(server),
                name="JupyterLab",
                where=f"{server.url}api/status",
                timeout=startup_timeout,
                interval=0.25,
            )
            yield server


def _answers(server: LabServer) -> bool:
    try:
        server.api("status", timeout=2)
        return True
    except HTTPError:
        raise  # it answers, but refuses: waiting will not help
    except (URLError, ConnectionError, TimeoutError):
        return False
