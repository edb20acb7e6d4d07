"""Notebooks run in a remote Jupyter server's kernel (a student's server behind JupyterHub), through
the server's REST API and the kernel's WebSocket, the way JupyterLab runs them.

nbclient executes notebooks in kernels it starts itself, on this machine; a student's kernel runs
inside their own server, so this module speaks Jupyter's messaging protocol over the WebSocket
JupyterLab uses (``/api/kernels/<id>/channels``): messages made by jupyter_client's ``Session``,
outputs turned into notebook outputs by ``nbformat.v4.output_from_msg``.

``put_notebook`` and ``get_notebook`` save and read a notebook through the contents API;
``run_notebook`` executes a notebook saved on the server, cell by cell, in a kernel of a session
for its path (so the kernel starts in the notebook's folder), and returns it with its outputs; the
first failing cell raises ``CellError`` with its traceback, a kernel that dies ``KernelDied``.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
import json
import re
import time

from jupyter_client.jsonutil import json_default
from jupyter_client.session import Session
import nbformat
import requests
import websocket

CellHook = Callable[[int, nbformat.NotebookNode], None]


class CellError(RuntimeError):
    """A cell raised in the remote kernel; the message has the cell's first line and the traceback."""


class KernelDied(RuntimeError):
    """The kernel died while a cell ran (killed, e.g. by a memory limit); the server restarts it."""


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


def put_notebook(server: str, token: str, path: str, notebook: nbformat.NotebookNode) -> None:
    """Save ``notebook`` as ``path`` (relative to the server's root) on ``server`` (URL ending in ``/``)."""
    model = {"type": "notebook", "format": "json", "content": notebook}
    answer = requests.put(f"{server}api/contents/{path}", json=model, headers=_headers(token), timeout=60)
    answer.raise_for_status()


def get_notebook(server: str, token: str, path: str) -> nbformat.NotebookNode:
    """The notebook saved as ``path`` on ``server``."""
    answer = requests.get(f"{server}api/contents/{path}", headers=_headers(token), timeout=60)
    answer.raise_for_status()
    return nbformat.from_dict(answer.json()["content"])


def run_notebook(
    server: str,
    token: str,
    path: str,
    *,
    cell_timeout: float = 900,
    before_cell: CellHook | None = None,
    after_cell: CellHook | None = None,
) -> nbformat.NotebookNode:
    """Execute the notebook saved as ``path`` on ``server`` in a new kernel; the executed notebook.

    ``before_cell(index, cell)`` and ``after_cell(index, cell)`` are called around each code
    cell. The kernel is shut down afterwards, whatever happened.
    """
    notebook = get_notebook(server, token, path)
    model = {"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook", "kernel": {"name": "python3"}}
    answer = requests.post(
        f"{server}api/sessions",
        json=model,
        headers=_headers(token),
        timeout=120,
    )
    answer.raise_for_status()
    session_id, kernel_id = answer.json()["id"], answer.json()["kernel"]["id"]
    messages = Session(key=b"", username="student")  # the server signs what it forwards itself
    url = re.sub(r"^http", "ws", server) + f"api/kernels/{kernel_id}/channels?session_id={messages.session}"
    try:
        socket = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=120)
        try:
            _wait_until_ready(socket, messages, timeout=120)
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                if before_cell:
                    before_cell(index, cell)
                cell.outputs, reply = _execute(socket, messages, cell.source, cell_timeout)
                cell.execution_count = reply.get("execution_count")
                if reply["status"] != "ok":
                    raise CellError(_describe_failure(index, cell, reply))
                if after_cell:
                    after_cell(index, cell)
        finally:
            socket.close()
    finally:  # shut the kernel down; an error here must not hide the run's own
        with contextlib.suppress(requests.RequestException):
            requests.delete(f"{server}api/sessions/{session_id}", headers=_headers(token), timeout=60)
    return notebook


def _send(socket: websocket.WebSocket, messages: Session, msg_type: str, content: dict) -> str:
    message = messages.msg(msg_type, content)
    message["channel"] = "shell"
    socket.send(json.dumps(message, default=json_default))
    return message["header"]["msg_id"]


def _receive(socket: websocket.WebSocket, deadline: float) -> dict | None:
    """The next JSON message, or ``None`` for a binary frame (comm messages with buffers)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the kernel did not answer in time")
    socket.settimeout(remaining)
    frame = socket.recv()
    return json.loads(frame) if isinstance(frame, str) else None


def _wait_until_ready(socket: websocket.WebSocket, messages: Session, timeout: float) -> None:
    # As nbclient does: ask for kernel_info until the kernel replies (it may still be starting).
    deadline = time.monotonic() + timeout
    while True:
        msg_id = _send(socket, messages, "kernel_info_request", {})
        asked = time.monotonic()
        while time.monotonic() - asked < 2:
            try:
                message = _receive(socket, min(deadline, asked + 2))
            except (websocket.WebSocketTimeoutException, TimeoutError):
                break
            if message and message["parent_header"].get("msg_id") == msg_id:
                if message["header"]["msg_type"] == "kernel_info_reply":
                    return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel did not answer kernel_info_request in {timeout} s")


def _execute(
    socket: websocket.WebSocket, messages: Session, code: str, timeout: float
) -> tuple[list[nbformat.NotebookNode], dict]:
    """Run ``code``; its outputs (consecutive stream outputs joined) and the execute_reply content."""
    msg_id = _send(
        socket,
        messages,
        "execute_request",
        {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False},
    )
    deadline = time.monotonic() + timeout
    outputs: list[nbformat.NotebookNode] = []
    reply, idle = None, False
    while reply is None or not idle:
        message = _receive(socket, deadline)
        if message and message["header"]["msg_type"] == "status":
            if message["content"]["execution_state"] in ("restarting", "dead"):  # sent by the server
                raise KernelDied(f"the kernel died while running: {code.splitlines()[0] if code else ''}")
        if not message or message["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = message["header"]["msg_type"], message["content"]
        if message["channel"] == "shell" and kind == "execute_reply":
            reply = content
        elif kind == "status":
            idle = content["execution_state"] == "idle"
        elif kind == "clear_output":
            outputs.clear()
        elif kind in ("stream", "display_data", "execute_result", "error"):
            output = nbformat.v4.output_from_msg(message)
            last = outputs[-1] if outputs else None
            if kind == "stream" and last and last.output_type == "stream" and last.name == output.name:
                last.text += output.text
            else:
                outputs.append(output)
    return outputs, reply


def _describe_failure(index: int, cell: nbformat.NotebookNode, reply: dict) -> str:
    first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    traceback = "\n".join(reply.get("traceback", [])) or f"{reply.get('ename')}: {reply.get('evalue')}"
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", traceback)  # no terminal colours
    return f"cell {index} ({first_line!r}) failed:\n{traceback}"


def stream_text(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed (stream outputs), in order."""
    return "".join(
        output.text
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
