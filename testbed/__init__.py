"""What the tests and the benchmarks both start: real servers and a real course, on this machine.

- ``servers``: free ports, a server process in its own process group, waiting until it answers;
- ``labserver``: a JupyterLab on loopback serving copies of some files (``jupyterlab_server``);
- ``hubserver``: a JupyterHub with its proxy and local students' servers (``jupyterhub_server``);
- ``remote_kernel``: a notebook run in a server's kernel through its REST API and WebSocket;
- ``nbgrading``: an nbgrader course in a temporary folder, the submissions handed in, the scores.

It lives at the top of the repository so that ``tests/`` and ``benchmarks/`` import it the
ordinary way (pytest's ``pythonpath = ["."]``; ``python -m benchmarks.<name>`` from the root). It
is not part of the published package: the wheel holds ``cnn_helpers`` and ``cnn_instructor`` only.
What only the tests use (the browser's page, figure checks) stays in ``tests/``.
"""
