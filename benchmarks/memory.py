"""Memory benchmark: the notebooks measured the way a hub limits them.

A hub does not limit a kernel's resident set size. DockerSpawner and Kubernetes put each student's
server in a container whose memory limit is a cgroup's: it counts all the container's processes
together (the Jupyter server and every kernel), each shared library once, and it reclaims the page
cache before it kills anything. This benchmark measures the same way:

    python -m benchmarks.memory limits                   # the full measurement (about 35 minutes)
    python -m benchmarks.memory limits --runs lesson --limits 1024
    python -m benchmarks.memory profile notebooks/cnn_mnist.ipynb   # where the memory goes, cell by cell

``limits``: a JupyterLab server is started *inside* a memory cgroup (the server's own memory
counts, as on a hub), the notebook is copied to it and executed cell by cell in a kernel of that
server, through its REST API and WebSocket, as JupyterLab runs it (``testbed.remote_kernel``).
The page cache is dropped before every run, so that TensorFlow's libraries are read again and
charged to the group, as in a fresh container. Three runs: the lesson, the explore notebook, and
both at once in one server (a student who opens the second notebook without shutting the first
kernel down). Each limited run is paired with unlimited runs of the same notebooks around it
(U L U L ... U, as ``benchmarks.bench`` pairs with its reference): its time is divided by the mean of
its two neighbours, so that a swing of the machine's speed shows as a spread, not as a slowdown. A
run "holds" a limit when it runs to the end and takes at most ``FULL_SPEED`` (10 %) longer than
unlimited. Reported per run: each limit's outcome (its time ratio, or "killed" with the cell, or
"too slow"), the smallest limit it holds, the group's peak (anonymous memory alone, and with
the mapped library files), and each kernel's private memory (USS), proportional share (PSS) and
peak resident set (RSS), sampled every 0.2 s with psutil's ``memory_full_info``.

Where it runs:
- **cgroup v1** (``/sys/fs/cgroup/memory``): groups made there, limit in ``memory.limit_in_bytes``.
- **cgroup v2** (``/sys/fs/cgroup`` with ``cgroup.controllers``, as current hubs and distributions
  have): groups made under ``--cgroup-parent`` (default ``/sys/fs/cgroup``; its
  ``cgroup.subtree_control`` must list ``memory``), limit in ``memory.max``, peak from
  ``memory.peak`` (Linux 5.19 or later). A user without root can run it in a delegated subtree:
  ``systemd-run --user --scope -p Delegate=yes bash`` and pass that scope's folder as
  ``--cgroup-parent``.
- **Without root or a writable cgroup**, no limit can be set and the page cache cannot be
  dropped: ``limits`` says which and stops before running anything. ``profile`` needs no
  privilege (its USS column is the process's own).

``profile`` runs a notebook's code cells in one Python process (IPython's shell, the Agg backend)
under memray with native traces, so that TensorFlow's and NumPy's allocations in C and C++ are
seen (tracemalloc sees only Python's), one capture per cell. Per cell: the memory it allocated and
still holds at its end, the most it held at once while it ran (over what earlier cells hold), the
total still held from the cells so far, and which library allocated most of what it keeps. It is
a Markdown table; benchmarks/README.md's "Memory" section has it.

Results go to ``benchmarks/results/memory.json`` (``limits``) and
``benchmarks/results/memory-profile-<notebook>.json`` (``profile``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import statistics
import sys
import tempfile
import threading
import time

import psutil

from benchmarks import EXPLORE, LESSON, ROOT
from benchmarks.bench import machine_description

RUNS = {"lesson": (LESSON,), "explore": (EXPLORE,), "both": (LESSON, EXPLORE)}
DEFAULT_LIMITS_MIB = {"lesson": (1024, 896, 768), "explore": (1024, 896, 768), "both": (2048, 1792, 1536)}
FULL_SPEED = 1.10  # "at full speed": at most 10 % longer than without a limit
TOO_SLOW = 3.0  # a limited run is stopped once it has taken 3 times as long as the unlimited one
SAMPLE_S = 0.2
MIB = 2**20
GIB = 2**30


# --------------------------------------------------------------------------- the cgroup
class MemoryGroup:
    """A memory cgroup (v1 or v2) with an optional limit, made as ``parent / name``.

    ``MemoryGroup.make(name, limit)`` finds the hierarchy and makes the group; ``create=False``
    uses a folder that exists (the tests lay out fake ones).
    """

    def __init__(self, path: Path, version: int, limit_bytes: int | None, *, create: bool = True):
        if version not in (1, 2):
            raise ValueError(f"version must be 1 or 2, not {version!r}")
        if limit_bytes is not None and limit_bytes <= 0:
            raise ValueError(f"limit_bytes must be positive or None, not {limit_bytes}")
        self.path, self.version, self.limit_bytes = path, version, limit_bytes
        if create:  # the kernel fills the new folder with the group's control files
            self.path.mkdir()
        if limit_bytes is not None:
            if version == 1:
                (path / "memory.limit_in_bytes").write_text(str(limit_bytes))
                with contextlib.suppress(OSError):  # no swap accounting: nothing to limit there
                    (path / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
            else:
                (path / "memory.max").write_text(str(limit_bytes))
                with contextlib.suppress(OSError):
                    (path / "memory.swap.max").write_text("0")  # hubs' containers do not swap
        self._oom_kills_at_start = self.oom_kills()

    @staticmethod
    def hierarchy(root: Path = Path("/sys/fs/cgroup"), parent: Path | None = None) -> tuple[Path, int]:
        """Where memory groups are made and the cgroup version; a RuntimeError saying why not."""
        if (root / "memory" / "memory.limit_in_bytes").exists():
            base, version = root / "memory", 1
        elif (root / "cgroup.controllers").exists():
            base, version = parent or root, 2
            controls = (base / "cgroup.subtree_control").read_text().split()
            if "memory" not in controls:
                raise RuntimeError(f"{base}/cgroup.subtree_control does not list memory: {controls}")
        else:
            raise RuntimeError(f"no memory cgroup hierarchy under {root} (neither v1 nor v2)")
        if not os.access(base, os.W_OK):
            raise RuntimeError(
                f"{base} is not writable: run as root, or in a delegated cgroup v2 subtree (--cgroup-parent)"
            )
        return base, version

    @classmethod
    def make(cls, name: str, limit_bytes: int | None, *, parent: Path | None = None) -> MemoryGroup:
        """A new group called ``name`` in this machine's memory hierarchy."""
        base, version = cls.hierarchy(parent=parent)
        return cls(base / name, version, limit_bytes)

    def enter(self) -> None:
        """Move the calling process (and so its future children) into the group."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def command_prefix(self) -> list[str]:
        """What to put before a command so that it starts inside the group: a shell that moves itself
        in, then becomes the command (same pid), so that its children start inside too."""
        return ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs")]

    def _read(self, name: str) -> str:
        return (self.path / name).read_text()

    def _stat(self) -> dict[str, int]:
        return {k: int(v) for k, v in (line.split() for line in self._read("memory.stat").splitlines())}

    def pids(self) -> list[int]:
        """The processes in the group now."""
        return [int(p) for p in self._read("cgroup.procs").split()]

    def usage(self) -> dict[str, int]:
        """Bytes charged now: ``anon`` (private memory), ``mapped`` (files mapped: the libraries),
        ``cache`` (the page cache, which the kernel reclaims first) and ``total``."""
        stat = self._stat()
        if self.version == 1:
            anon, mapped = stat.get("total_rss", stat.get("rss", 0)), stat.get("total_mapped_file", 0)
            cache, total = stat.get("total_cache", 0), int(self._read("memory.usage_in_bytes"))
        else:
            anon, mapped, cache = stat.get("anon", 0), stat.get("file_mapped", 0), stat.get("file", 0)
            total = int(self._read("memory.current"))
        return {"anon": anon, "mapped": mapped, "cache": cache, "total": total}

    def peak_total(self) -> int | None:
        """The most the group was charged, page cache included (``None``: the kernel does not say)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        return int(self._read(name)) if (self.path / name).exists() else None

    def oom_kills(self) -> int:
        """Processes of the group killed for its limit so far."""
        text = self._read("memory.oom_control" if self.version == 1 else "memory.events")
        counts = dict(line.split() for line in text.splitlines())
        return int(counts.get("oom_kill", 0))

    def killed(self) -> bool:
        """Whether the limit killed a process since the group was made."""
        return self.oom_kills() > self._oom_kills_at_start

    def remove(self) -> None:
        """Kill what is left in the group, then remove it."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            time.sleep(0.1)
        self.path.rmdir()


def drop_page_cache() -> bool:
    """Write the dirty pages and drop the page cache (root only); whether it could."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3")
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- what processes hold
def process_memory(pid: int) -> dict[str, int] | None:
    """A process's ``rss``, ``pss`` and ``uss`` (its private pages) in bytes, from psutil's
    ``memory_full_info``; None once it is gone (or if it may not be read)."""
    try:
        held = psutil.Process(pid).memory_full_info()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return {"rss": held.rss, "pss": held.pss, "uss": held.uss}


def is_kernel(pid: int) -> bool:
    """Whether the process is an IPython kernel."""
    try:
        return any("ipykernel" in part for part in psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


@dataclass
class Sampler:
    """Samples a group's usage and its kernels' USS, PSS and RSS every ``SAMPLE_S`` in a thread."""

    group: MemoryGroup
    peaks: dict[str, int] = field(default_factory=dict)
    kernels: dict[int, dict[str, int]] = field(default_factory=dict)
    server: dict[str, int] = field(default_factory=dict)
    running_cells: dict[str, str] = field(default_factory=dict)  # notebook -> the cell it runs now
    cells_at_peak: dict[str, str] = field(default_factory=dict)  # the same when ``anon`` peaked
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        with contextlib.suppress(OSError):
            usage = self.group.usage()
            usage["anon+mapped"] = usage["anon"] + usage["mapped"]
            if usage["anon"] > self.peaks.get("anon", 0):
                self.cells_at_peak = dict(self.running_cells)
            for key, value in usage.items():
                self.peaks[key] = max(self.peaks.get(key, 0), value)
            for pid in self.group.pids():
                if (now := process_memory(pid)) is None:
                    continue
                seen = self.kernels.setdefault(pid, {}) if is_kernel(pid) else self.server
                for key, value in now.items():
                    seen[key] = max(seen.get(key, 0), value)

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._sample()

    @contextlib.contextmanager
    def running(self) -> Iterator[Sampler]:
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._sample()


# --------------------------------------------------------------------------- one run
def run(
    name: str, limit_mib: int | None, *, budget_s: float | None = None, parent: Path | None = None
) -> dict:
    """Execute ``RUNS[name]``'s notebooks at once in one JupyterLab server inside a memory group.

    Returns the outcome (``completed``, ``killed`` or ``too slow``, with the cell), the wall time
    of each notebook and of the run, the group's peaks and each kernel's peaks, in bytes.
    """
    import requests

    from testbed import remote_kernel
    from testbed.labserver import jupyterlab_server

    notebooks = RUNS[name]
    group = MemoryGroup.make(
        f"cnn-memory-{os.getpid()}-{name}-{limit_mib or 'none'}",
        limit_mib * MIB if limit_mib else None,
        parent=parent,
    )
    result: dict = {"run": name, "limit_mib": limit_mib, "outcome": "completed", "walls": {}, "timeline": []}
    try:
        dropped = drop_page_cache()
        sampler = Sampler(group)
        prefix = group.command_prefix()
        with sampler.running(), jupyterlab_server(notebooks, command_prefix=prefix) as server:
            requests.get(server.lab_url(), timeout=60).raise_for_status()  # as a browser opens it
            errors: dict[str, str] = {}

            def execute(notebook: Path) -> None:
                start = time.perf_counter()

                def before(index: int, cell) -> None:
                    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                    sampler.running_cells[notebook.name] = f"cell {index}: {first[:60]}"
                    with contextlib.suppress(OSError):  # the group's private memory as each cell starts
                        result["timeline"].append((notebook.name, index, group.usage()["anon"]))

                try:
                    remote_kernel.run_notebook(
                        server.url, server.token, notebook.name, cell_timeout=3600, before_cell=before
                    )
                except remote_kernel.KernelDied as error:
                    errors[notebook.name] = f"killed: {error}"
                except TimeoutError:
                    errors[notebook.name] = "too slow"
                except Exception as error:  # a cell failed: in a limit, often a MemoryError
                    errors[notebook.name] = f"failed: {str(error).splitlines()[0][:200]}"
                result["walls"][notebook.name] = time.perf_counter() - start

            start = time.perf_counter()
            threads = [threading.Thread(target=execute, args=(nb,)) for nb in notebooks]
            for thread in threads:
                thread.start()
            overtime = False
            for thread in threads:
                thread.join(
                    timeout=None if budget_s is None else max(0.0, start + budget_s - time.perf_counter())
                )
                if thread.is_alive():  # over the budget: stop its kernels (they die: KernelDied)
                    overtime = True
                    for pid in group.pids():
                        if is_kernel(pid):
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(pid, 9)
                    thread.join()
            result["wall_s"] = time.perf_counter() - start
        if overtime:
            result["outcome"] = "too slow"
            errors = {
                nb: f"stopped after {budget_s:.0f} s" for nb in (notebook.name for notebook in notebooks)
            }
        elif errors:
            result["outcome"] = "killed" if group.killed() else next(iter(errors.values())).split(":")[0]
        result["errors"] = errors
        result["peaks"] = sampler.peaks
        result["peak_total"] = group.peak_total()
        result["kernels"] = sorted(sampler.kernels.values(), key=lambda k: -k["uss"])
        result["server"] = sampler.server  # the server and any other process but the kernels
        result["cells_at_peak"] = sampler.cells_at_peak
        result["page_cache_dropped"] = dropped
    finally:
        group.remove()
    return result


# --------------------------------------------------------------------------- the search
def paired(name: str, limits: Sequence[int], parent: Path | None = None) -> dict:
    """U L1 U L2 U ... U: each limited run between two unlimited ones; every run's result."""
    log = lambda text: print(f"[memory] {text}", file=sys.stderr, flush=True)  # noqa: E731
    unlimited, limited = [], []
    log(f"{name}: unlimited")
    unlimited.append(run(name, None, parent=parent))
    for limit in limits:
        budget = TOO_SLOW * unlimited[-1]["wall_s"]
        log(f"{name}: {limit} MiB")
        limited.append(run(name, limit, budget_s=budget, parent=parent))
        log(f"{name}: unlimited")
        unlimited.append(run(name, None, parent=parent))
    for i, result in enumerate(limited):
        around = [unlimited[i]["wall_s"], unlimited[i + 1]["wall_s"]]
        result["ratio"] = result["wall_s"] / statistics.fmean(around)
        result["holds"] = result["outcome"] == "completed" and result["ratio"] <= FULL_SPEED
    return {"unlimited": unlimited, "limited": limited}


def smallest_held(search: dict) -> int | None:
    """The smallest limit (MiB) the run held at full speed, if every larger one tried held too."""
    held = None
    for result in sorted(search["limited"], key=lambda r: -r["limit_mib"]):
        if not result["holds"]:
            break
        held = result["limit_mib"]
    return held


def _gib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / GIB:.2f}"


def outcome(result: dict) -> str:
    """A limited run's outcome in words: its time ratio, or what stopped it."""
    if result["outcome"] == "completed":
        verdict = "full speed" if result["holds"] else "slower"
        return f"{result['ratio']:.2f}× ({verdict})"
    where = "; ".join(f"{nb}: {text}" for nb, text in result.get("errors", {}).items())
    cells = "; ".join(result.get("cells_at_peak", {}).values())
    return f"**{result['outcome']}** ({where[:160]}{'; at its peak in ' + cells[:120] if cells else ''})"


def report(searches: dict[str, dict], machine: str) -> str:
    """The Markdown tables: per run its limits, then its memory figures."""
    lines = [
        f"Machine: {machine}",
        "",
        "| run | limit (MiB) | time against unlimited runs around it |",
        "|---|---|---|",
    ]
    for name, search in searches.items():
        for result in search["limited"]:
            lines.append(f"| {name} | {result['limit_mib']} | {outcome(result)} |")
    lines += [
        "",
        "| run | smallest limit held at full speed | unlimited time (s) | group peak: private (GiB) "
        "| + mapped libraries (GiB) | server's USS (GiB) | kernel USS (GiB) | kernel PSS (GiB) "
        "| kernel peak RSS (GiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, search in searches.items():
        base = search["unlimited"]
        held = smallest_held(search)
        walls = [r["wall_s"] for r in base]
        first = base[-1]
        kernels = first["kernels"]
        lines.append(
            f"| {name} | {f'{held} MiB' if held else 'none of those tried'} "
            f"| {statistics.median(walls):.0f} ({min(walls):.0f}–{max(walls):.0f}) "
            f"| {_gib(max(r['peaks']['anon'] for r in base))} "
            f"| {_gib(max(r['peaks']['anon+mapped'] for r in base))} "
            f"| {_gib(first['server'].get('uss'))} "
            f"| {' + '.join(_gib(k['uss']) for k in kernels)} "
            f"| {' + '.join(_gib(k['pss']) for k in kernels)} "
            f"| {' + '.join(_gib(k['rss']) for k in kernels)} |"
        )
    return "\n".join(lines)


def limits_main(args: argparse.Namespace) -> None:
    parent = args.cgroup_parent
    try:
        MemoryGroup.hierarchy(parent=parent)
    except (RuntimeError, OSError) as error:
        sys.exit(f"cannot set a memory limit here: {error}")
    started = time.perf_counter()
    searches = {}
    for name in args.runs:
        limits = args.limits or DEFAULT_LIMITS_MIB[name]
        if name == "both" and args.limits:
            limits = [2 * limit for limit in args.limits]
        searches[name] = paired(name, sorted(limits, reverse=True), parent)
    minutes = (time.perf_counter() - started) / 60
    machine = f"{machine_description()}; {minutes:.0f} minutes"
    table = report(searches, machine)
    print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": machine, "searches": searches, "table": table}, indent=1))
    print(f"written to {args.json}", file=sys.stderr)


# --------------------------------------------------------------------------- the profile
LIBRARIES = (  # (label, marks in a frame's function or file name), tried on each frame, innermost first
    ("NumPy", ("PyDataMem", "PyArray", "npy_", "/numpy/")),
    ("TensorFlow", ("tensorflow", "tsl::", "Eigen", "TFE_", "TF_", "xla::", "dnnl", "/tensorflow/")),
    ("matplotlib", ("/matplotlib/", "agg::", "_image", "ft2font", "FT_")),
    ("Keras", ("/keras/",)),
)


def library_of(frames: Sequence[tuple[str, str, int]]) -> str:
    """The library an allocation's stack (innermost first, memray's hybrid frames) belongs to: the
    first frame that bears one of ``LIBRARIES``' marks; else Python's own objects."""
    for function, file, _ in frames:
        for label, marks in LIBRARIES:
            if any(mark in function or mark in file for mark in marks):
                return label
    return "Python objects"


def profile_main(args: argparse.Namespace) -> None:
    import memray
    import nbformat

    os.environ.setdefault("MPLBACKEND", "Agg")
    notebook = nbformat.read(args.notebook, as_version=4)
    from IPython.core.interactiveshell import InteractiveShell

    os.chdir(args.notebook.resolve().parent)  # where the notebook runs in JupyterLab

    shell = InteractiveShell.instance()
    rows = []
    with tempfile.TemporaryDirectory(prefix="memray-") as folder:
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            capture = Path(folder) / f"cell-{index}.bin"
            start = time.perf_counter()
            with memray.Tracker(capture, native_traces=True, follow_fork=False):
                outcome = shell.run_cell(cell.source, silent=True)
            seconds = time.perf_counter() - start
            if not outcome.success:
                sys.exit(f"cell {index} failed: {outcome.error_in_exec or outcome.error_before_exec}")
            shell.run_cell("import matplotlib.pyplot as _plt; _plt.close('all')", silent=True)
            reader = memray.FileReader(capture)
            kept: dict[str, int] = {}
            for record in reader.get_leaked_allocation_records(merge_threads=True):
                frames = record.hybrid_stack_trace(max_stacks=40)
                label = library_of(frames)
                kept[label] = kept.get(label, 0) + record.size
            peak = reader.metadata.peak_memory
            reader.close()
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            rows.append(
                {
                    "cell": index,
                    "first_line": first[:70],
                    "seconds": seconds,
                    "peak": peak,
                    "kept": sum(kept.values()),
                    "kept_by": dict(sorted(kept.items(), key=lambda kv: -kv[1])),
                }
            )
            capture.unlink()
            print(f"[profile] cell {index}: {rows[-1]['kept'] / MIB:.0f} MiB kept", file=sys.stderr)
    table = profile_table(rows, args.notebook.name, args.threshold_mib)
    print(table)
    out = ROOT / "benchmarks" / "results" / f"memory-profile-{args.notebook.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "table": table}, indent=1))


def profile_table(rows: list[dict], name: str, threshold_mib: float) -> str:
    """The cells that allocate or keep at least ``threshold_mib``, and a last row with the total."""
    lines = [
        f"{name}: cells that allocate at least {threshold_mib:g} MiB (memray, native traces)",
        "",
        "| cell | first line | most held at once while it ran (MiB) | still held after it (MiB) "
        "| held by (MiB) | held by all cells so far (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    held = 0
    for row in rows:
        held += row["kept"]
        if max(row["peak"], row["kept"]) < threshold_mib * MIB:
            continue
        by = ", ".join(f"{k} {v / MIB:.0f}" for k, v in list(row["kept_by"].items())[:2] if v >= MIB)
        first = row["first_line"].replace("|", "\\|")
        lines.append(
            f"| {row['cell']} | `{first}` | {row['peak'] / MIB:.0f} | {row['kept'] / MIB:.0f} "
            f"| {by or '-'} | {held / MIB:.0f} |"
        )
    total = sum(row["kept"] for row in rows)
    lines.append(f"| all cells | | | {total / MIB:.0f} | | {total / MIB:.0f} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- driver
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    limits = commands.add_parser("limits", help="each notebook and both at once inside memory limits")
    limits.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    limits.add_argument(
        "--limits", type=int, nargs="+", help="limits in MiB for one notebook (both at once: twice these)"
    )
    limits.add_argument("--cgroup-parent", type=Path, help="cgroup v2: the folder to make groups in")
    limits.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "memory.json")
    profile = commands.add_parser("profile", help="memray, cell by cell")
    profile.add_argument("notebook", type=Path)
    profile.add_argument("--threshold-mib", type=float, default=8.0)
    args = parser.parse_args(argv)
    if args.command == "limits":
        limits_main(args)
    else:
        profile_main(args)


if __name__ == "__main__":
    main()
