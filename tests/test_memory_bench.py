"""The memory benchmark's own logic (benchmarks/memory.py): memory groups of cgroup v1 and v2, read
from folders laid out like the kernel's, what a process holds, the pairing and the search for the
smallest limit, the reports' tables, the labels of the profile, the prefix that starts a server inside a
group, and (slow) one real group on this machine, whose limit kills a child that grows past it."""

from __future__ import annotations

import functools
import os
from pathlib import Path
import shutil
import subprocess
import sys
import time

import pytest
from tables import markdown_tables

from benchmarks import memory

MIB = 2**20


def fake_group(tmp_path: Path, version: int, limit: int | None) -> memory.MemoryGroup:
    """A group folder with the control files the kernel would make, filled with known numbers."""
    folder = tmp_path / f"v{version}"
    folder.mkdir()
    if version == 1:
        (folder / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
        (folder / "memory.stat").write_text(
            f"rss 1\ncache 2\ntotal_rss {300 * MIB}\ntotal_cache {500 * MIB}\ntotal_mapped_file {100 * MIB}\n"
        )
        (folder / "memory.usage_in_bytes").write_text(str(900 * MIB))
        (folder / "memory.max_usage_in_bytes").write_text(str(950 * MIB))
    else:
        (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
        (folder / "memory.stat").write_text(f"anon {300 * MIB}\nfile {500 * MIB}\nfile_mapped {100 * MIB}\n")
        (folder / "memory.current").write_text(str(900 * MIB))
    (folder / "cgroup.procs").write_text("")
    return memory.MemoryGroup(folder, version, limit, create=False)


@pytest.mark.parametrize("version", [1, 2])
def test_a_group_sets_its_limit_and_reads_usage_and_kills(tmp_path, version):
    group = fake_group(tmp_path, version, 1024 * MIB)
    limit_file = "memory.limit_in_bytes" if version == 1 else "memory.max"
    assert (group.path / limit_file).read_text() == str(1024 * MIB)
    assert group.usage() == {"anon": 300 * MIB, "mapped": 100 * MIB, "cache": 500 * MIB, "total": 900 * MIB}
    assert not group.killed()  # the kills before the run do not count
    kills = "memory.oom_control" if version == 1 else "memory.events"
    text = (group.path / kills).read_text()
    (group.path / kills).write_text(
        text.replace("oom_kill 2", "oom_kill 3").replace("oom_kill 1", "oom_kill 2")
    )
    assert group.killed()
    assert group.peak_total() == (950 * MIB if version == 1 else None)  # v2 before Linux 5.19: no memory.peak


def test_a_group_refuses_a_limit_that_is_not_positive(tmp_path):
    with pytest.raises(ValueError, match="limit_bytes must be positive"):
        memory.MemoryGroup(tmp_path / "g", 1, 0)
    with pytest.raises(ValueError, match="version must be 1 or 2"):
        memory.MemoryGroup(tmp_path / "g", 3, None)


def test_the_hierarchy_is_found_or_refused_with_the_reason(tmp_path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("0")
    assert memory.MemoryGroup.hierarchy(tmp_path) == (tmp_path / "memory", 1)
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cgroup.controllers").write_text("cpu io memory pids")
    (v2 / "cgroup.subtree_control").write_text("cpu pids")
    with pytest.raises(RuntimeError, match="does not list memory"):
        memory.MemoryGroup.hierarchy(v2)
    (v2 / "cgroup.subtree_control").write_text("cpu memory pids")
    assert memory.MemoryGroup.hierarchy(v2) == (v2, 2)
    with pytest.raises(RuntimeError, match="neither v1 nor v2"):
        memory.MemoryGroup.hierarchy(tmp_path / "nothing")


def test_process_memory_gives_this_process_rss_pss_and_uss():
    held = memory.process_memory(os.getpid())
    assert 0 < held["uss"] <= held["pss"] <= held["rss"]
    block = bytearray(64 * MIB)  # private memory, touched
    block[::4096] = b"x" * len(block[::4096])
    grown = memory.process_memory(os.getpid())
    assert grown["uss"] - held["uss"] > 48 * MIB
    assert memory.process_memory(2**22 + 12345) is None  # no such process


def test_only_ipython_kernels_count_as_kernels():
    kernel = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "-m", "ipykernel_launcher"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd: before, it has pytest's command line
        while not memory.is_kernel(kernel.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert memory.is_kernel(kernel.pid)  # told by its command line
        assert not memory.is_kernel(os.getpid())
        assert not memory.is_kernel(2**22 + 12345)  # gone
    finally:
        kernel.kill()
        kernel.wait()


def _result(limit, outcome="completed", ratio=1.0):
    return {
        "limit_mib": limit,
        "outcome": outcome,
        "ratio": ratio,
        "holds": outcome == "completed" and ratio <= 1.1,
    }


def test_the_smallest_limit_held_needs_every_larger_one_held_too():
    search = {"limited": [_result(1024), _result(960, ratio=1.05), _result(896, "too slow", 3.0)]}
    assert memory.smallest_held(search) == 960
    search = {"limited": [_result(1024, ratio=1.2), _result(960)]}  # 1024 slower: none held
    assert memory.smallest_held(search) is None
    assert "1.05× (full speed)" in memory.outcome(_result(960, ratio=1.05))
    killed = _result(896, "killed") | {"errors": {"a.ipynb": "killed: the kernel died while running: fit"}}
    assert memory.outcome(killed).startswith("**killed**") and "a.ipynb" in memory.outcome(killed)


def test_allocations_are_labelled_by_the_library_that_made_them():
    numpy = [("default_malloc", "<unknown>", 0), ("PyDataMem_UserNEW", "<unknown>", 0)]
    tensorflow = [("tsl::port::AlignedMalloc(unsigned long)", "<unknown>", 0)]
    keras = [("malloc", "<unknown>", 0), ("call", "/venv/site-packages/keras/src/layer.py", 10)]
    assert memory.library_of(numpy) == "NumPy"
    assert memory.library_of(tensorflow) == "TensorFlow"
    assert memory.library_of(keras) == "Keras"
    assert memory.library_of([("PyObject_Malloc", "Objects/obmalloc.c", 1)]) == "Python objects"


def test_the_profile_table_keeps_the_large_cells_and_a_total():
    rows = [
        {"cell": 2, "first_line": "import numpy as np", "peak": 6 * MIB, "kept": 5 * MIB, "kept_by": {}},
        {
            "cell": 3,
            "first_line": "import tensorflow | keras",
            "peak": 100 * MIB,
            "kept": 90 * MIB,
            "kept_by": {"TensorFlow": 60 * MIB, "Python objects": 30 * MIB, "NumPy": MIB // 2},
        },
        {"cell": 4, "first_line": "x = 1", "peak": MIB, "kept": 0, "kept_by": {}},
    ]
    (table,) = markdown_tables(memory.profile_table(rows, "n.ipynb", 8))
    *cells, total = table
    assert [row["cell"] for row in cells] == ["3"]  # the cells under 8 MiB are left out
    (cell,) = cells
    assert cell["first line"] == "`import tensorflow | keras`"
    assert cell["most held at once while it ran (MiB)"] == "100"
    assert cell["still held after it (MiB)"] == "90"
    assert cell["held by (MiB)"] == "TensorFlow 60, Python objects 30"  # the two largest, from 1 MiB
    assert cell["held by all cells so far (MiB)"] == "95"  # with cell 2's 5 MiB, though not shown
    assert total["cell"] == "all cells" and total["still held after it (MiB)"] == "95"


def _fake_run(name, limit_mib, *, budget_s=None, parent=None, walls, calls):
    """A run that completes in the next of ``walls`` seconds; its limit and budget go to ``calls``."""
    calls.append((limit_mib, budget_s))
    return {
        "run": name,
        "limit_mib": limit_mib,
        "outcome": "completed",
        "wall_s": next(walls),
        "peaks": {"anon": (700 + len(calls)) * MIB, "anon+mapped": (1000 + len(calls)) * MIB},
        "kernels": [{"uss": 600 * MIB, "pss": 650 * MIB, "rss": 900 * MIB}],
        "server": {"uss": 90 * MIB},
    }


def test_each_limited_run_is_read_against_the_unlimited_runs_around_it(monkeypatch):
    walls, calls = iter([100.0, 104.0, 90.0, 150.0, 110.0]), []  # U L U L U
    monkeypatch.setattr(memory, "run", functools.partial(_fake_run, walls=walls, calls=calls))
    search = memory.paired("lesson", [1024, 896])
    # a limited run may take TOO_SLOW times the unlimited run before it
    assert calls == [(None, None), (1024, 300.0), (None, None), (896, 270.0), (None, None)]
    assert [r["ratio"] for r in search["limited"]] == pytest.approx([104 / 95, 150 / 100])
    assert [r["holds"] for r in search["limited"]] == [True, False]  # 1.09 and 1.5 against FULL_SPEED
    assert memory.smallest_held(search) == 1024

    limits, figures = markdown_tables(memory.report({"lesson": search}, "test machine"))
    assert [(row["run"], row["limit (MiB)"]) for row in limits] == [("lesson", "1024"), ("lesson", "896")]
    assert limits[0]["time against unlimited runs around it"] == "1.09× (full speed)"
    assert limits[1]["time against unlimited runs around it"] == "1.50× (slower)"
    (row,) = figures
    assert row["smallest limit held at full speed"] == "1024 MiB"
    assert row["unlimited time (s)"] == "100 (90–110)"  # the median of the unlimited runs, their range
    assert row["group peak: private (GiB)"] == f"{705 / 1024:.2f}"  # the largest of the unlimited runs'
    assert row["+ mapped libraries (GiB)"] == f"{1005 / 1024:.2f}"
    assert (row["kernel USS (GiB)"], row["server's USS (GiB)"]) == (f"{600 / 1024:.2f}", f"{90 / 1024:.2f}")


def test_without_a_writable_hierarchy_limits_stops_and_says_why(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("/sys/fs/cgroup/memory is not writable: run as root")

    monkeypatch.setattr(memory.MemoryGroup, "hierarchy", staticmethod(refuse))
    monkeypatch.setattr(memory, "paired", lambda *a, **k: pytest.fail("nothing may run"))
    with pytest.raises(SystemExit, match="cannot set a memory limit here: .* not writable"):
        memory.main(["limits", "--runs", "lesson"])


def test_the_command_prefix_starts_the_command_inside_the_group(tmp_path):
    """What ``limits`` puts before the JupyterLab server: the process that writes itself into the
    group's ``cgroup.procs`` is the command itself (same pid), so its children start inside too."""
    group = fake_group(tmp_path, 2, None)
    child = subprocess.run(
        [*group.command_prefix(), sys.executable, "-c", "import os; print(os.getpid(), os.getppid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid, _ = child.stdout.split()
    assert (group.path / "cgroup.procs").read_text().strip() == pid


def test_a_command_that_cannot_enter_its_group_does_not_run(tmp_path):
    group = fake_group(tmp_path, 2, None)
    shutil.rmtree(group.path)  # removed under it: nothing to write the pid to
    ran = tmp_path / "ran"
    failed = subprocess.run([*group.command_prefix(), "touch", str(ran)], capture_output=True, text=True)
    assert failed.returncode != 0 and "cgroup.procs" in failed.stderr
    assert not ran.exists()  # never measured outside the group


@pytest.mark.slow  # a real memory cgroup (root), and a child killed by its limit
def test_a_real_group_counts_a_child_and_its_limit_kills_it():
    try:
        memory.MemoryGroup.hierarchy()
    except RuntimeError as error:  # a fact of this machine, given with its reason
        pytest.skip(f"no memory cgroup can be made here: {error}")
    group = memory.MemoryGroup.make(f"cnn-memory-test-{os.getpid()}", 64 * MIB)
    try:
        grow = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
        child = subprocess.run([*group.command_prefix(), sys.executable, "-c", grow], capture_output=True)
        assert child.returncode == -9  # killed by the limit
        assert group.killed()
        free = subprocess.run([*group.command_prefix(), sys.executable, "-c", "x = 1"])
        assert free.returncode == 0  # within the limit: runs
    finally:
        group.remove()
