"""A real JupyterHub on loopback for the class tests, and a student's way into it.

``jupyterhub_server(folder, environment=...)`` starts this interpreter's JupyterHub (from PyPI)
with its proxy, ``configurable-http-proxy`` (from npm, found on ``PATH`` as JupyterHub itself
finds it), on ``127.0.0.1`` and free ports: the dummy authenticator (any name and password
log in), the simple local-process spawner (each student's single-user server is a process of
this machine with its own home folder, ``<folder>/home/<name>``), and an API token for the
test, a service allowed to manage users, servers and tokens. The single-user servers run
``python -m jupyterhub.singleuser`` with this interpreter, so their kernels import the
project's packages; ``environment`` (``MNIST_NPZ``) reaches them through
``Spawner.environment``. On leaving, every server is stopped, then the hub and its proxy; if
the ``with`` block raised, the hub's log is printed to stderr.

``Hub.login(name)`` logs a student in through the hub's login form, as a browser would (the
hub then starts their server); ``Hub.user_token(name)`` gives a student's own API token, which
their server accepts and everyone else's refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time

import requests

from testbed.labserver import LAB_ARGS
from testbed.servers import free_port, server_process, wait_until_up

SERVICE = "class-test"  # the test's service: its token manages users, servers and tokens


def find_proxy() -> str:
    """The path of ``configurable-http-proxy``, JupyterHub's proxy; a clear error if it is missing."""
    path = shutil.which("configurable-http-proxy")
    if path is None:
        raise FileNotFoundError(
            "configurable-http-proxy (JupyterHub's proxy, from npm) is not on PATH: "
            "npm install -g configurable-http-proxy (CI's .ci/run does)"
        )
    return path


@dataclass
class Hub:
    """A running JupyterHub: its public URL (ending in ``/``), the test's API token, its folder."""

    url: str
    token: str
    folder: Path
    log_file: Path
    process: subprocess.Popen

    def api(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        """``method`` on ``/hub/api/<path>`` with the test's token (or ``token``); the response."""
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}hub/api/{path}", headers=headers, timeout=30, **kwargs)

    def server_url(self, name: str) -> str:
        """The URL of ``name``'s single-user server, through the hub's proxy (ending in ``/``)."""
        return f"{self.url}user/{name}/"

    def home(self, name: str) -> Path:
        """``name``'s home folder: their server's root, where their notebooks live."""
        return self.folder / "home" / name

    def login(self, name: str) -> requests.Session:
        """Log ``name`` in through the hub's login form; a session holding their cookies.

        The form is fetched first for its ``_xsrf`` value, as a browser would; after the login
        the hub redirects to the student's server, which it starts.
        """
        session = requests.Session()
        form = session.get(f"{self.url}hub/login", timeout=30)
        form.raise_for_status()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
        answer = session.post(
            f"{self.url}hub/login",
            data={"username": name, "password": "any", "_xsrf": xsrf},
            timeout=60,
        )
        answer.raise_for_status()
        if not any(cookie.name.startswith("jupyterhub-") for cookie in session.cookies):
            raise RuntimeError(f"the hub answered the login of {name} without a session cookie")
        return session

    def wait_for_server(self, name: str, *, timeout: float = 180) -> None:
        """Wait until ``name``'s server is ready (the hub says so and it answers through the proxy)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited with status {self.process.returncode}")
            user = self.api("GET", f"users/{name}").json()
            server = user.get("servers", {}).get("")
            if server and server["ready"]:
                status = requests.get(f"{self.server_url(name)}api/status", headers=self._auth(), timeout=30)
                if status.ok:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server of {name} was not ready after {timeout} s: {user}")
            time.sleep(0.5)

    def user_token(self, name: str) -> str:
        """A new API token of ``name``'s own, with their rights: their server accepts it."""
        answer = self.api("POST", f"users/{name}/tokens", json={"note": "class test", "expires_in": 3600})
        answer.raise_for_status()
        return answer.json()["token"]

    def log(self) -> str:
        """Everything the hub, its proxy and the single-user servers wrote so far."""
        return self.log_file.read_text(errors="replace")

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


def _config(folder: Path, *, port: int, token: str, environment: Mapping[str, str], args: list[str]) -> str:
    """The text of ``jupyterhub_config.py`` for a hub on loopback (see the module's docstring)."""
    env_keep = ["PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]
    return f"""
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{find_proxy()!r}]
c.JupyterHub.db_url = "sqlite:///{folder / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(folder / "jupyterhub_cookie_secret")!r}

c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / "home" / "{username}")!r}
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {dict(environment)!r}
c.Spawner.env_keep = {env_keep!r}
c.Spawner.start_timeout = 180  # generous: three trainings may share the machine's two cores
c.Spawner.http_timeout = 180

c.JupyterHub.services = [{{"name": {SERVICE!r}, "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": {SERVICE!r},
        "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"],
        "services": [{SERVICE!r}],
    }}
]
"""


@contextlib.contextmanager
def jupyterhub_server(
    folder: Path,
    *,
    environment: Mapping[str, str] | None = None,
    extra_args: Iterable[str] = (),
    startup_timeout: float = 120,
) -> Iterator[Hub]:
    """Run JupyterHub in ``folder`` (its database, configuration, log and the students' homes)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "home").mkdir(exist_ok=True)
    # Lab without news or update checks; root, as in CI containers, must say so.
    args = [*LAB_ARGS, *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])]
    args += list(extra_args)
    port, token = free_port(), secrets.token_hex(24)
    config = folder / "jupyterhub_config.py"
    config.write_text(_config(folder, port=port, token=token, environment=environment or {}, args=args))
    log_file = folder / "jupyterhub.log"
    url = f"http://127.0.0.1:{port}/"
    with server_process(
        [sys.executable, "-m", "jupyterhub", "-f", str(config)],
        name="JupyterHub",
        log_file=log_file,
        cwd=folder,
        log_header=str(config),
        stop_timeout=30,
        # The students' servers first, through the API (each shuts its kernels down), then the hub,
        # which stops its proxy; SIGKILL to the hub's process group if it takes too long.
        before_stop=lambda: _stop_servers(Hub(url, token, folder, log_file, process)),
        after_stop=lambda: _stop_proxy(folder / "jupyterhub-proxy.pid"),
    ) as process:
        hub = Hub(url, token, folder, log_file, process)
        wait_until_up(
            process,
            lambda: _answers(hub),
            name="JupyterHub",
            where=f"{hub.url}hub/api/",
            timeout=startup_timeout,
            interval=0.5,
        )
        yield hub


def _answers(hub: Hub) -> bool:
    # Through the proxy, which answers 404 until the hub has given it the hub's route.
    with contextlib.suppress(requests.ConnectionError):
        return hub.api("GET", "").ok
    return False


def _stop_servers(hub: Hub) -> None:
    """Stop every student's server through the hub's API; wait up to 60 s until none runs."""
    with contextlib.suppress(requests.RequestException):
        for user in hub.api("GET", "users").json():
            if user.get("servers"):
                hub.api("DELETE", f"users/{user['name']}/server")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(u.get("servers") for u in hub.api("GET", "users").json()):
            time.sleep(0.5)


def _stop_proxy(pid_file: Path) -> None:
    # A hub stopped while it starts may leave its proxy running: the pid file JupyterHub writes
    # names it (checked against its command line, in case the number was reused).
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        pid = int(pid_file.read_text())
        if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGTERM)
