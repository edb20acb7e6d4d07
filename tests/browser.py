"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by playwright, with every
request to the network refused.

Playwright's own browser download is not reachable from CI, so the browser is the system's
(``/usr/bin/chromium``, or ``$CHROMIUM``); ``.ci/run`` installs it. A missing browser is a
failure, never a skip.

``open_notebook(page, server, path)`` opens a notebook of a ``testbed.labserver`` JupyterLab in a
page from ``offline_page(allowed_origin=server.origin)`` and waits until its kernel is idle;
``run_all_cells(page)`` runs it; ``execute_command(page, id)`` runs any JupyterLab command. They
go through ``window.jupyterapp``, the application object JupyterLab exposes with
``--LabApp.expose_app_in_browser=True``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import contextlib
import json
import os
from pathlib import Path
import re
import shutil
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from testbed.labserver import LabServer

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# The flags a closed network needs: without the background-networking ones Chromium keeps
# trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextlib.contextmanager
def offline_page(allowed_origin: str | None = None, *, width: int = 1280, height: int = 800) -> Iterator:
    """Yield ``(page, refused)``: a playwright page whose http(s) and ws(s) requests are refused.

    Requests to ``allowed_origin`` (e.g. ``"http://127.0.0.1:8888"``, a server the test
    started on loopback; its WebSockets too) go through; every other http(s) request is
    aborted, every other WebSocket closed, and its URL appended to ``refused``, so that a
    test can assert that nothing tried the network. ``file://`` and ``data:`` URLs always load.

    The sync API answers the page's requests only while the test is inside a playwright
    call: wait with ``page.wait_for_timeout()`` or a ``wait_for...``, never ``time.sleep()``,
    which leaves the page's requests hanging.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI's .ci/run does)")
    refused: list[str] = []
    origin = allowed_origin.rstrip("/") if allowed_origin else None

    def allowed(url: str) -> bool:
        # The origin or a path on it, so that "http://127.0.0.1:88" lets no ":8888/..." through.
        return origin is not None and (url == origin or url.startswith(origin + "/"))

    # WebSockets to other hosts: refused. Those to the allowed origin's host match no pattern,
    # which the browser checks itself, so they (a kernel's) connect directly.
    host = urlsplit(origin).netloc if origin else None
    other_sockets = re.compile(r"^wss?://" + (rf"(?!{re.escape(host)}(/|$))" if host else ""))

    def refuse_socket(socket) -> None:
        refused.append(socket.url)
        socket.close(code=1008, reason="network refused by the test")

    def route(handle) -> None:
        url = handle.request.url
        if url.startswith(("http://", "https://")) and not allowed(url):
            refused.append(url)
            handle.abort("internetdisconnected")
        else:
            handle.continue_()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route("**/*", route)
            context.route_web_socket(other_sockets, refuse_socket)
            yield context.new_page(), refused
        finally:
            browser.close()


# ----- the page side: JupyterLab in playwright, through window.jupyterapp ---------------------------

_KERNEL_IDLE = """() => {
    const panel = window.jupyterapp?.shell.currentWidget;
    const kernel = panel?.sessionContext?.session?.kernel;
    return !!(panel?.content?.widgets?.length && kernel && kernel.status === "idle"
              && panel.context.isReady && !panel.sessionContext.pendingInput);
}"""


def open_notebook(page: Page, server: LabServer, path: str, *, timeout: float = 60) -> None:
    """Open ``path`` in JupyterLab in ``page`` and wait until its panel is shown and its kernel idle."""
    page.goto(server.lab_url(path))
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout * 1000)
    name = path.rsplit("/", 1)[-1]
    page.wait_for_function(
        f"""() => window.jupyterapp.shell.currentWidget?.context?.path?.endsWith({json.dumps(name)})""",
        timeout=timeout * 1000,
    )
    wait_for_kernel_idle(page, timeout=timeout)


def wait_for_kernel_idle(page: Page, *, timeout: float = 60) -> None:
    """Wait until the current notebook's kernel has started and is idle."""
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout * 1000, polling=200)


def execute_command(page: Page, command: str, args: Mapping | None = None) -> object:
    """Run a JupyterLab command (``"notebook:run-all-cells"``, ``"RISE:preview"``...); its result."""
    return page.evaluate(
        "async ([command, args]) => await window.jupyterapp.commands.execute(command, args)",
        [command, dict(args or {})],
    )


def run_all_cells(page: Page, *, timeout: float = 600) -> None:
    """Run every cell of the current notebook, wait until the kernel is idle again; fail on an error.

    ``notebook:run-all-cells`` resolves once the last cell has finished, with ``false`` if a
    cell raised; the error outputs then go into the assertion message.
    """
    succeeded = page.evaluate(
        """async (ms) => await Promise.race([
            window.jupyterapp.commands.execute("notebook:run-all-cells"),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`running for ${ms} ms`)), ms)),
        ])""",
        timeout * 1000,
    )
    wait_for_kernel_idle(page, timeout=timeout)
    assert succeeded is True, f"a cell failed: {error_outputs(page)}"


def error_outputs(page: Page) -> list[str]:
    """The text of every error output (tracebacks) in the current notebook panel."""
    return page.evaluate(
        """() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
              .map(node => node.innerText).filter(text => /Error|Traceback/.test(text))"""
    )
