"""The grading sandbox (cnn_instructor.sandbox) on its own, with small Python probes instead of a
notebook: what a process inside can read, write and reach, that its processes end with it, its
memory limit, and that grading refuses to start without it unless asked by name. The whole pipeline
with hostile submissions is in test_grading.py."""

from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys
import textwrap
import time

from cnn_instructor import grading, sandbox
from cnn_instructor.sandbox import GRADED_FOLDER, GradingSandbox, SandboxError, sandbox_command
import nbformat
import pytest

from testbed import nbgrading

ROOT = Path(__file__).resolve().parents[1]


def _run(
    code: str, workdir: Path, *, memory: int = 2**32, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``code`` run by this Python inside the sandbox, with ``workdir`` as its submission folder."""
    argv = sandbox_command(
        [sys.executable, "-c", textwrap.dedent(code)],
        workdir=workdir,
        env=dict(os.environ),
        memory_bytes=memory,
    )
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def test_bubblewrap_starts_here():
    """CI installs Debian's bubblewrap: grading there must run sandboxed, not skip it."""
    assert sandbox.sandbox_problem() is None


def test_the_sandbox_shows_the_submission_the_environment_and_mnist_and_nothing_else(tmp_path):
    course = tmp_path / "course"
    submission = course / "autograded" / "student" / "cnn_mnist"
    submission.mkdir(parents=True)
    (course / "gradebook.db").write_text("grades")
    (course / "source").mkdir()
    home_file = Path.home() / f".cnn-sandbox-probe-{os.getpid()}"
    home_file.write_text("the grader's own files")
    probe = f"""
        import os, socket
        from pathlib import Path
        import numpy, cnn_helpers
        print("mnist", Path(os.environ["MNIST_NPZ"]).stat().st_size > 0)
        Path("answer.txt").write_text("mine")
        for path in [{str(course / "gradebook.db")!r}, {str(course / "source")!r},
                     {str(ROOT / "notebooks")!r}, {str(ROOT / "cnn_instructor" / "hidden_tests.py")!r},
                     {str(home_file)!r}]:
            print("sees", path, os.path.exists(path))
        for path in [{str(course / "outside.txt")!r}, {str(ROOT / "outside.txt")!r},
                     {os.environ["MNIST_NPZ"] + ".x"!r}, os.path.dirname(numpy.__file__) + "/x"]:
            try:
                open(path, "w").write("x")
                print("wrote", path)
            except OSError:
                pass
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=3)
            print("network")
        except OSError:
            pass
        print("secret" in os.environ, sorted(k for k in os.environ if "TOKEN" in k))
    """
    env_before = os.environ.get("JUPYTERHUB_API_TOKEN")
    os.environ["JUPYTERHUB_API_TOKEN"] = "secret"
    try:
        done = _run(probe, submission)
    finally:
        home_file.unlink()
        if env_before is None:
            del os.environ["JUPYTERHUB_API_TOKEN"]
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "mnist True"
    assert (submission / "answer.txt").read_text() == "mine"  # its own folder is writable
    assert [line for line in lines if line.startswith("sees") and line.endswith("True")] == []
    # a write under /tmp lands in the sandbox's own /tmp, gone with it; nothing reaches the machine
    assert not [line for line in lines if line.startswith(("wrote /work", "wrote /root", "network"))], lines
    assert not [line for line in lines if line.startswith("wrote") and ".venv" in line], lines
    assert lines[-1] == "False []"  # the grader's environment (a hub's API token) stays outside
    assert not (course / "outside.txt").exists() and not (ROOT / "outside.txt").exists()


def test_every_process_ends_with_the_sandbox_detached_or_not(tmp_path):
    marker = f"cnn-sandbox-probe-{os.getpid()}-{time.monotonic_ns()}"
    probe = f"""
        import subprocess, sys
        loop = "import time\\nwhile True: open('alive', 'a').write('.'); time.sleep(0.1)  # {marker}"
        subprocess.Popen([sys.executable, "-c", loop], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import time; time.sleep(1)
    """
    done = _run(probe, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "alive").exists()  # the detached process ran ...
    time.sleep(0.5)
    size = (tmp_path / "alive").stat().st_size
    time.sleep(1)
    assert (tmp_path / "alive").stat().st_size == size  # ... and ended with the sandbox
    alive = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            alive += [cmdline] if marker.encode() in cmdline.read_bytes() else []
        except OSError:
            pass
    assert alive == []


def test_a_process_cannot_take_more_memory_than_its_limit(tmp_path):
    probe = """
        import numpy
        try:
            numpy.ones(3 * 2**30, dtype=numpy.uint8)
            print("took 3 GiB")
        except MemoryError:
            print("refused")
    """
    assert _run(probe, tmp_path, memory=2 * 2**30).stdout.strip() == "refused"
    assert _run(probe, tmp_path, memory=8 * 2**30).stdout.strip() == "took 3 GiB"


def test_the_memory_limit_reads_as_a_size_or_is_refused_by_name():
    assert GradingSandbox(memory_limit="6G").memory_bytes() == 6 * 2**30
    assert GradingSandbox(memory_limit="4096 MiB").memory_bytes() == 4 * 2**30
    with pytest.raises(ValueError, match="GradingSandbox.memory_limit should read like '6G'"):
        GradingSandbox(memory_limit="lots").memory_bytes()


def test_grading_stops_without_a_sandbox_unless_asked_by_name(monkeypatch, tmp_path):
    monkeypatch.setattr(grading, "sandbox_problem", lambda: "bubblewrap is not installed")
    config = nbgrading.course_config()
    with pytest.raises(
        SandboxError, match=r"grading stopped: bubblewrap is not installed.*grade_without_sandbox"
    ):
        grading.SandboxedExecute(config=config)
    config.GradingSandbox.grade_without_sandbox = True
    GradingSandbox.clear_instance()
    try:
        execute = grading.SandboxedExecute(config=config)
        assert not execute.sandboxed
    finally:
        GradingSandbox.clear_instance()
    assert GRADED_FOLDER == "graded_objects"


def test_a_submission_has_a_time_budget_beyond_each_cells_timeout(monkeypatch):
    execute = grading.SandboxedExecute(config=nbgrading.course_config())
    cell = {"metadata": {}}
    assert execute._get_timeout(cell) == execute.timeout == 60  # outside a run: the cell's timeout
    clock = iter([1000.0])
    monkeypatch.setattr(grading, "monotonic", lambda: next(clock))
    execute._deadline = 1030.0  # 30 s left of the submission's budget
    assert execute._get_timeout(cell) == 30
    execute._deadline = 990.0  # spent: every later cell gets a second, so grading ends
    monkeypatch.setattr(grading, "monotonic", lambda: 1000.0)
    assert execute._get_timeout(cell) == 1
    assert execute.submission_timeout >= 10 * execute.timeout


def test_the_judge_reads_only_the_folder_grading_made(tmp_path, monkeypatch):
    """A submission that turns its folder of saved objects into a link to someone else's gets
    nothing judged from it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / GRADED_FOLDER).symlink_to(elsewhere)
    judged = []
    judge = grading.JudgeVerdicts(config=nbgrading.course_config())
    monkeypatch.setattr(
        grading.subprocess, "run", lambda argv, **kw: judged.append(argv) or _empty_verdicts()
    )
    judge.preprocess(nbformat.v4.new_notebook(), {"metadata": {"path": str(tmp_path)}})
    command = judged[-1]
    assert str(elsewhere) not in " ".join(command) and "--ro-bind" in command  # an empty folder, read-only
    assert not (tmp_path / GRADED_FOLDER).exists() and elsewhere.exists()  # the link removed, not its target


def _empty_verdicts() -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess([], 0, stdout="[]\n", stderr="")


def test_the_sandbox_limits_processes_and_can_show_its_folder_read_only(tmp_path):
    command = sandbox_command(["true"], workdir=tmp_path, env={}, memory_bytes=2**30, workdir_writable=False)
    assert command[command.index(str(tmp_path.resolve())) - 1] == "--ro-bind"
    assert f"--nproc={sandbox.NPROC}" in command and "--as=1073741824" in command


def test_nothing_inside_can_remount_what_it_reads_writable_even_graded_as_root(tmp_path):
    readable = tmp_path / "readable"
    readable.mkdir()
    (readable / "file").write_text("as it was")
    probe = f"""
        import subprocess
        status = open("/proc/self/status").read()
        print([line.split()[1] for line in status.splitlines() if line.startswith("CapEff")][0])
        for folder in [{str(readable)!r}, {sys.prefix!r}]:
            remount = subprocess.run(["mount", "-o", "remount,bind,rw", folder], capture_output=True)
            print("remount", remount.returncode != 0)
        try:
            open({str(readable / "file")!r}, "w").write("changed")
        except OSError:
            print("read-only")
    """
    argv = sandbox_command(
        [sys.executable, "-c", textwrap.dedent(probe)],
        workdir=tmp_path / "work",
        env=dict(os.environ),
        memory_bytes=2**32,
        readable=(readable,),
    )
    (tmp_path / "work").mkdir()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["0000000000000000", "remount", "True", "remount", "True", "read-only"]
    assert (readable / "file").read_text() == "as it was"


def test_the_private_tmp_is_small_and_shows_what_is_read_under_tmp(tmp_path):
    """A file read from under /tmp (MNIST, say) stays visible over the sandbox's own /tmp."""
    readable = tmp_path / "data.txt"
    readable.write_text("data")
    probe = f"""
        import os
        print(open({str(readable)!r}).read())
        stat = os.statvfs("/tmp")
        print(stat.f_blocks * stat.f_frsize <= {sandbox.TMP_BYTES})
    """
    argv = sandbox_command(
        [sys.executable, "-c", textwrap.dedent(probe)],
        workdir=tmp_path,
        env=dict(os.environ),
        memory_bytes=2**32,
        readable=(readable,),
    )
    assert subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.split() == ["data", "True"]
