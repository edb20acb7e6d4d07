"""The sandbox every grading kernel runs in: Debian's ``bubblewrap`` (``bwrap``), no Docker.

A kernel started by ``SandboxKernelManager`` sees, through a fresh mount namespace:

- its submission folder (``autograded/<student>/<assignment>``), writable, and a private ``/tmp``
  of 1 GiB;
- the Python environment (the venv and the Python it was made from), the package ``cnn_helpers``
  and MNIST (``MNIST_NPZ``), read-only, with the system's ``/usr`` and a few files of ``/etc``;
- nothing else: not the course folder (source notebook, gradebook, other students), not the
  lesson's repository (solutions, ``cnn_instructor``), not the grader's home or environment
  variables (the kernel gets a short allowlist).

It has no capability (``--cap-drop ALL``: graded as root, it still cannot remount anything), no
network (its own, empty network namespace: the grader talks to it over Unix sockets in a private
folder), its own process namespace (every process it starts is killed when the kernel
ends, detached or not, and when the grader dies), and a limit on each process's address space
(``GradingSandbox.memory_limit``). What it does not protect is in docs/grading.md, "Sandbox".
This module needs jupyter_client and traitlets (the ``grade`` extra), not nbgrader.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Unicode
from traitlets.config import SingletonConfigurable

from .hidden_region import GRADED_ENV

#: Environment variables a kernel keeps; every other one of the grader's is cleared.
ENV_KEPT = re.compile(r"^(PATH|LANG|LC_\w+|TZ|PYTHONHASHSEED|NBGRADER_\w+|TF_\w+|KERAS_\w+|OMP_\w+|JPY_\w+)$")
GRADED_FOLDER = "graded_objects"  # in the submission folder: what graded cells save for the judge
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "passwd", "group", "localtime", "fonts")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}
NPROC = 4096  # processes and threads: TensorFlow starts a few dozen; a fork bomb stops here (not as root)
TMP_BYTES = 2**30  # the private /tmp, in memory: 1 GiB


class SandboxError(RuntimeError):
    """Grading cannot start its sandbox here, and unsandboxed grading was not asked for."""


class GradingSandbox(SingletonConfigurable):
    """The grading sandbox's settings, from ``nbgrader_config.py`` (``c.GradingSandbox.<name>``)."""

    memory_limit = Unicode(
        "6G", help="Address space of each process of a grading kernel (prlimit --as): e.g. '6G', '4096M'."
    ).tag(config=True)
    grade_without_sandbox = Bool(
        False,
        help="Grade in the instructor's account, with no sandbox, where bubblewrap cannot start one. "
        "A submission can then read the course folder and outlive grading: set it only by name, knowingly.",
    ).tag(config=True)

    def memory_bytes(self) -> int:
        """``memory_limit`` in bytes; a ValueError naming the setting when it does not read as a size."""
        match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)(i?B)?\s*", self.memory_limit, re.IGNORECASE)
        if not match:
            raise ValueError(
                f"GradingSandbox.memory_limit should read like '6G' or '4096M', not {self.memory_limit!r}"
            )
        return int(match.group(1)) * UNITS[match.group(2).upper()]


@cache
def sandbox_problem() -> str | None:
    """Why bubblewrap cannot start a sandbox on this machine, or None when it can (tried once)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
    trial = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    done = subprocess.run(trial, capture_output=True, text=True, timeout=60)
    if done.returncode:
        return f"bubblewrap could not start a sandbox (user namespaces off?): {done.stderr.strip()}"
    return None


def package_folder(name: str) -> Path:
    """The folder of the installed package ``name`` (found, not imported)."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"name: no installed package {name!r}")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def mnist_file(env: dict[str, str]) -> Path | None:
    """The MNIST file a kernel may read: ``MNIST_NPZ``, else Keras' cached download, if it exists."""
    candidates = [env.get("MNIST_NPZ"), Path.home() / ".keras" / "datasets" / "mnist.npz"]
    found = [Path(c).resolve() for c in candidates if c and Path(c).is_file()]
    return found[0] if found else None


def _read_only(path: Path) -> list[str]:
    """bwrap's arguments that show ``path`` read-only where it is (a symlink as the same symlink)."""
    if path.is_symlink() and path.parent == Path("/"):  # merged /usr: /bin -> usr/bin
        return ["--symlink", os.readlink(path), str(path)]
    return ["--ro-bind", str(path), str(path)] if path.exists() else []


def sandbox_command(
    argv: list[str],
    *,
    workdir: Path,
    env: dict[str, str],
    memory_bytes: int,
    writable: tuple[Path, ...] = (),
    readable: tuple[Path, ...] = (),
    packages: tuple[str, ...] = ("cnn_helpers",),
    workdir_writable: bool = True,
) -> list[str]:
    """``argv`` wrapped in bwrap: ``workdir`` (unless not ``workdir_writable``) and ``writable``
    folders writable, the Python environment, ``packages``, MNIST and ``readable`` read-only, ``env``
    cut down to its allowlist, no network, at most ``memory_bytes`` of address space and ``NPROC``
    processes and threads (the user's, for a user other than root)."""
    if not isinstance(argv, list) or not argv:
        raise TypeError("argv should be a non-empty list of strings, the command to run")
    bwrap = shutil.which("bwrap") or "bwrap"
    # no capability inside, even graded as root: nothing can be remounted writable
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--cap-drop",
        "ALL",
    ]
    command += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMP_BYTES),
        "--tmpfs",
        "/tmp",
        "--dir",
        "/tmp/home",
    ]
    for folder in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        command += _read_only(Path(folder))
    command += [*(a for name in ETC for a in _read_only(Path("/etc") / name))]
    python = {
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(sys.executable).resolve().parent,
    }
    for folder in sorted(python):
        command += _read_only(folder)
    instructor = Path(__file__).resolve().parent
    folders = [package_folder(name) for name in packages]
    for folder in folders:
        command += _read_only(folder)
    mnist = mnist_file(env)
    for path in (*readable, *([mnist] if mnist else [])):
        command += _read_only(Path(path).resolve())
    if "cnn_instructor" not in packages:  # an installed (not editable) copy sits in site-packages
        command += (
            ["--tmpfs", str(instructor)] if any(str(instructor).startswith(str(p)) for p in python) else []
        )
    for folder in (Path(workdir), *writable):
        bind = "--bind" if workdir_writable or folder != Path(workdir) else "--ro-bind"
        command += [bind, str(Path(folder).resolve()), str(Path(folder).resolve())]
    kept = {name: value for name, value in env.items() if ENV_KEPT.match(name)}
    kept |= {
        "HOME": "/tmp/home",
        "MPLCONFIGDIR": "/tmp/home",
        GRADED_ENV: str(Path(workdir).resolve() / GRADED_FOLDER),
        # the packages where they are bound, found also by an install that relied on PYTHONPATH
        "PYTHONPATH": os.pathsep.join(sorted({str(folder.parent) for folder in folders})),
    }
    if mnist:
        kept["MNIST_NPZ"] = str(mnist)
    for name, value in sorted(kept.items()):
        command += ["--setenv", name, value]
    command += ["--remount-ro", "/", "--chdir", str(Path(workdir).resolve())]
    return [*command, "prlimit", f"--as={memory_bytes}", f"--nproc={NPROC}", "--", *argv]


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the grading sandbox, reached over Unix sockets, and
    are interrupted by a message (a signal would reach bubblewrap, not the kernel)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sockets = Path(tempfile.mkdtemp(prefix="cnn-grading-kernel-"))
        self.transport = "ipc"
        self.connection_file = str(self._sockets / "kernel.json")
        self.ip = str(self._sockets / "kernel-ipc")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        """The kernel's command, wrapped in bwrap (the submission folder is the kernel's cwd)."""
        problem = sandbox_problem()
        if problem:
            raise SandboxError(f"grading stopped: {problem}")
        command, kw = await super()._async_pre_start_kernel(**kw)
        workdir = Path(kw.get("cwd") or os.getcwd())
        env = dict(kw.get("env") or os.environ)
        settings = GradingSandbox.instance(config=self.config)
        wrapped = sandbox_command(
            command, workdir=workdir, env=env, memory_bytes=settings.memory_bytes(), writable=(self._sockets,)
        )
        return wrapped, kw

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt the kernel with an ``interrupt_request`` on its control channel."""
        if not self.has_kernel:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")
        self._connect_control_socket()
        self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        """Remove the socket folder too."""
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._sockets, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
