"""Capacity benchmark: how many students one server holds, measured by running the whole lesson
notebook 1, 2 and 4 times at once, each in its own kernel, as students on a hub do.

    python -m benchmarks.capacity                # the full measurement (the lesson's own EPOCHS)
    python -m benchmarks.capacity --epochs 2     # a short trial: EPOCHS = 2 injected
    python -m benchmarks.capacity --counts 1 2 --limits none

Each run is a process of its own that executes the notebook with papermill (``--epochs`` is
injected after the notebook's ``parameters`` cell, papermill's convention) and reports its wall
time, its training's wall time (papermill's timing of the ``model.fit`` cell), the kernel's CPU
time and its training's CPU time (read in the kernel around that cell, by two cells added for
the measurement), the group's peak memory (below) and the printed test accuracy.

The runs of a batch start together, under one of three limits per student:

- ``none``: every kernel may use all the machine's cores;
- ``core``: one core each, as a hub's ``cpu_limit = 1`` gives it: a CPU quota (a cgroup of the
  ``cpu`` controller, cgroup v1 at /sys/fs/cgroup/cpu, with ``cfs_quota_us`` = ``cfs_period_us``;
  needs root); TensorFlow still sizes its thread pools by the machine's cores;
- ``core+threads``: the same quota, and TensorFlow's pools set to one thread
  (``TF_NUM_INTRAOP_THREADS=1``, ``TF_NUM_INTEROP_THREADS=1``).

**Memory is the group's, as a hub counts it**, not ``ru_maxrss``: each run also gets a memory
cgroup of its own (no limit; ``benchmarks.memory``'s ``MemoryGroup``, v1 or v2), the page cache
is dropped before each batch so that TensorFlow's libraries are charged to the groups, and the
group's private (anonymous) memory and mapped files are sampled every 0.2 s. A group holds the
kernel and papermill's driver, which stands in for the student's Jupyter server.

**Paired with the reference.** Before the first batch and after each one, the Keras example's
training (``benchmarks.bench``'s reference) runs for ``--probe-epochs`` epochs alone: each batch's wall
time is divided by the mean of the two probes around it, and the probes' spread says how much the
machine's speed swung during the measurement.

The report is a Markdown table, one row per (limit, number at once), and below it the figures
docs/hub.md derives from it: CPU seconds per student's training, students per core and per GiB, and
what a class of 30 needs for its training to finish within 5 minutes. Raw results go to
``benchmarks/results/capacity.json``. Needs root (or a delegated cgroup v2 subtree) for the
groups; without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass
import json
import math
import os
from pathlib import Path
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks import LESSON, ROOT
from benchmarks.bench import machine_description
from benchmarks.memory import MemoryGroup, Sampler, drop_page_cache

CGROUP_CPU = Path("/sys/fs/cgroup/cpu")
LIMITS = ("none", "core", "core+threads")
ONE_THREAD = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
SERVER_GIB = 0.0  # a run's group already holds papermill's driver in the place of the student's server
WINDOW_S = 300  # "training finishes within 5 minutes"
CLASS_SIZE = 30
FIT_CPU = "CAPACITY fit CPU seconds:"  # printed by the cell added after the training cell


# --------------------------------------------------------------------------- one run
def instrument(notebook, fit_marker: str = "model.fit(") -> None:
    """Add a cell before and after the (first) training cell that measure its CPU time in the kernel.

    The cell after it prints ``FIT_CPU`` and the kernel's user + system seconds spent in between.
    """
    import nbformat

    index = next(
        (i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and fit_marker in c.source), None
    )
    if index is None:
        raise ValueError(f"the notebook has no code cell with {fit_marker!r}")
    before = (
        "import resource as _capacity\n_capacity_cpu = sum(_capacity.getrusage(_capacity.RUSAGE_SELF)[:2])"
    )
    after = f"print({FIT_CPU!r}, sum(_capacity.getrusage(_capacity.RUSAGE_SELF)[:2]) - _capacity_cpu)"
    notebook.cells[index + 1 : index + 1] = [nbformat.v4.new_code_cell(after)]
    notebook.cells[index:index] = [nbformat.v4.new_code_cell(before)]


def read_run(executed, fit_marker: str = "model.fit(") -> dict:
    """From an executed, instrumented notebook: the training's wall and CPU seconds, the accuracy."""
    text = "".join(
        out.get("text", "") for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs
    )
    fit = next(c for c in executed.cells if c.cell_type == "code" and fit_marker in c.source)
    cpu = re.search(re.escape(FIT_CPU) + r" ([0-9.]+)", text)
    accuracy = re.search(r"^Test accuracy: ([0-9.]+)$", text, re.MULTILINE)
    return {
        "fit_s": fit.metadata.get("papermill", {}).get("duration"),
        "fit_cpu_s": float(cpu.group(1)) if cpu else None,
        "test_accuracy": float(accuracy.group(1)) if accuracy else None,
    }


def run_once(notebook: Path, epochs: int | None) -> dict:
    """Execute ``notebook`` (instrumented, ``EPOCHS = epochs`` if given) in a fresh kernel; its figures.

    Call it in a process of its own: RUSAGE_CHILDREN then covers the kernel alone.
    """
    import nbformat
    import papermill

    with tempfile.TemporaryDirectory(prefix="capacity-") as folder:
        nb = nbformat.read(notebook, as_version=4)
        instrument(nb)
        source, output = Path(folder) / notebook.name, Path(folder) / "executed.ipynb"
        nbformat.write(nb, source)
        start = time.perf_counter()
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters={"EPOCHS": epochs} if epochs else {},
            kernel_name="python3",
            progress_bar=False,
            cwd=folder,
        )
        wall = time.perf_counter() - start
        figures = read_run(nbformat.read(output, as_version=4))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    per_unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_gib": usage.ru_maxrss * per_unit / 2**30,  # for comparison: what a hub does not count
        **figures,
    }


# --------------------------------------------------------------------------- a batch at once
class CpuQuota:
    """A cgroup (v1, ``cpu`` controller) that holds its processes to ``cores`` cores of CPU time."""

    def __init__(self, name: str, cores: float = 1.0):
        if not (CGROUP_CPU / "cpu.cfs_quota_us").exists() or not os.access(CGROUP_CPU, os.W_OK):
            raise RuntimeError(
                f"a one-core limit needs cgroup v1's cpu controller at {CGROUP_CPU}, writable (root)"
            )
        self.path = CGROUP_CPU / name
        self.path.mkdir()
        period = int((self.path / "cpu.cfs_period_us").read_text())
        (self.path / "cpu.cfs_quota_us").write_text(str(int(period * cores)))

    def enter(self) -> None:
        """Move the calling process (and so its future children) into the group."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def throttled_s(self) -> float:
        """Seconds its processes waited because the quota was used up."""
        stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
        return int(stat.get("throttled_time", 0)) / 1e9

    def remove(self) -> None:
        self.path.rmdir()


def run_batch(count: int, limit: str, notebook: Path, epochs: int | None, *, drop_cache: bool = True) -> dict:
    """Start ``count`` runs together under ``limit``, each in a memory group of its own; each run's
    figures (memory: its group's peaks, in GiB) and the batch's wall time."""
    if limit not in LIMITS:
        raise ValueError(f"limit must be one of {LIMITS}, not {limit!r}")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(ONE_THREAD if limit == "core+threads" else {})}
    command = [sys.executable, "-m", "benchmarks.capacity", "--child", "--notebook", str(notebook)]
    command += ["--epochs", str(epochs)] if epochs else []
    quotas = [CpuQuota(f"capacity-{os.getpid()}-{i}") for i in range(count)] if limit != "none" else []
    groups = [MemoryGroup.make(f"capacity-{os.getpid()}-{i}", None) for i in range(count)]
    samplers = [Sampler(group) for group in groups]
    processes: list[subprocess.Popen] = []

    def entering(i: int):
        def enter() -> None:  # in the child, before it runs: its groups, then the command
            groups[i].enter()
            if quotas:
                quotas[i].enter()

        return enter

    try:
        if drop_cache:
            drop_page_cache()
        with contextlib.ExitStack() as sampling:
            for sampler in samplers:
                sampling.enter_context(sampler.running())
            start = time.perf_counter()
            for i in range(count):
                processes.append(
                    subprocess.Popen(
                        command,
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                        preexec_fn=entering(i),
                    )
                )
            results = []
            for process in processes:
                out, err = process.communicate()
                if process.returncode:
                    raise RuntimeError(f"a run failed:\n{err[-3000:]}")
                results.append(json.loads(out.strip().splitlines()[-1]))
            batch = time.perf_counter() - start
        for result, sampler in zip(results, samplers, strict=True):
            result["peak_gib"] = sampler.peaks["anon+mapped"] / 2**30  # private memory + libraries
            result["private_gib"] = sampler.peaks["anon"] / 2**30
            result["kernel_uss_gib"] = max((k["uss"] for k in sampler.kernels.values()), default=0) / 2**30
        for result, quota in zip(results, quotas, strict=False):
            result["throttled_s"] = quota.throttled_s()
    finally:
        for process in processes:  # after a failure: the other runs too (their kernels end with them)
            if process.poll() is None:
                process.kill()
                process.wait()
        for quota in quotas:
            quota.remove()
        for group in groups:
            group.remove()
    return {"count": count, "limit": limit, "batch_s": batch, "runs": results}


def probe(epochs: int) -> float:
    """Seconds the reference (``benchmarks.bench``'s Keras example) takes to train ``epochs`` epochs
    alone."""
    command = [sys.executable, "-m", "benchmarks.bench", "--child", "reference"]
    done = subprocess.run(
        [*command, "--epochs", str(epochs)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["train_s"]


def against_probes(batch: dict, before: float, after: float) -> dict:
    """The batch with the reference probes run just before and after it (``probes_s``) and its wall
    time over their mean (``relative``): a swing of the machine's speed moves both alike."""
    if before <= 0 or after <= 0:
        raise ValueError(f"the probes' seconds must be positive, not {before}, {after}")
    return batch | {
        "probes_s": [before, after],
        "relative": batch["batch_s"] / statistics.fmean([before, after]),
    }


# --------------------------------------------------------------------------- report
LABELS = {"none": "none", "core": "1 core", "core+threads": "1 core, TF 1 thread"}


def summarize(batch: dict) -> dict:
    """One table row from a batch: means over its runs (peak memory: the largest; accuracy: lowest)."""
    runs = batch["runs"]
    if not runs:
        raise ValueError("the batch has no runs")

    def mean(key: str) -> float | None:
        values = [run[key] for run in runs if run.get(key) is not None]
        return statistics.fmean(values) if values else None

    walls = [run["wall_s"] for run in runs]
    fits = [run["fit_s"] for run in runs if run.get("fit_s") is not None]
    accuracies = [run["test_accuracy"] for run in runs if run.get("test_accuracy") is not None]
    return {
        "limit": batch["limit"],
        "count": batch["count"],
        "batch_s": batch["batch_s"],
        "wall_s": mean("wall_s"),
        "wall_range": (min(walls), max(walls)),
        "fit_s": mean("fit_s"),
        "slowest_fit_s": max(fits) if fits else None,
        "cpu_s": mean("cpu_s"),
        "fit_cpu_s": mean("fit_cpu_s"),
        "peak_gib": max(run["peak_gib"] for run in runs),
        "private_gib": max((run["private_gib"] for run in runs if "private_gib" in run), default=None),
        "lowest_accuracy": min(accuracies) if accuracies else None,
        "relative": batch.get("relative"),
    }


@dataclass(frozen=True)
class Sizing:
    """What a class needs, from one student's training CPU seconds and the kernel's peak memory."""

    fit_cpu_s: float
    peak_gib: float
    class_size: int = CLASS_SIZE
    window_s: float = WINDOW_S
    server_gib: float = SERVER_GIB

    def __post_init__(self):
        if self.fit_cpu_s <= 0 or self.peak_gib <= 0:
            raise ValueError(
                f"CPU seconds and peak memory must be positive, not {self.fit_cpu_s}, {self.peak_gib}"
            )

    @property
    def students_per_core(self) -> float:
        """Trainings one core finishes within the window: ``window / C``."""
        return self.window_s / self.fit_cpu_s

    @property
    def cores(self) -> int:
        """Cores for the class's trainings to finish within the window: ``ceil(class × C / window)``."""
        return math.ceil(self.class_size * self.fit_cpu_s / self.window_s)

    @property
    def students_per_gib(self) -> float:
        """``1 / (kernel's peak + the student's server)``."""
        return 1 / (self.peak_gib + self.server_gib)

    @property
    def gib(self) -> float:
        """Memory for the class, one kernel each."""
        return self.class_size * (self.peak_gib + self.server_gib)

    @property
    def gib_two_kernels(self) -> float:
        """Memory for the class if every student keeps both notebooks' kernels."""
        return self.class_size * (2 * self.peak_gib + self.server_gib)


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def swing(probes: list[float]) -> str:
    """How much the reference probes' times spread: the machine's swing during the measurement."""
    if not probes:
        return "no reference probe was run"
    low, high = min(probes), max(probes)
    return f"reference probes {low:.0f}–{high:.0f} s, a {100 * (high / low - 1):.0f} % swing"


def report(batches: list[dict], machine: str, cores: int) -> str:
    """The Markdown table, then per limit the sizing from its most loaded batch."""
    rows = [summarize(batch) for batch in batches]
    lines = [
        f"Machine: {machine}",
        "",
        "| students at once | limit per student | wall time of each run (s) | its training (s) "
        "| wall time of the batch (s) | CPU time per run (s) | its training's CPU time (s) "
        "| batch ÷ reference probe | memory per student: group peak, private + libraries (GiB) "
        "| lowest test accuracy |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        low, high = r["wall_range"]
        each = _seconds(r["wall_s"]) + (f" ({low:.0f}–{high:.0f})" if r["count"] > 1 else "")
        accuracy = "n/a" if r["lowest_accuracy"] is None else f"{r['lowest_accuracy']:.4f}"
        lines.append(
            f"| {r['count']} | {LABELS[r['limit']]} | {each} | {_seconds(r['fit_s'])} | {r['batch_s']:.0f} "
            f"| {_seconds(r['cpu_s'])} | {_seconds(r['fit_cpu_s'])} | {_ratio(r.get('relative'))} "
            f"| {r['peak_gib']:.2f} | {accuracy} |"
        )
    lines.append("")
    # The libraries' pages are charged to the group that reads them first: the most any group held
    # beyond its private memory is what one server holds once, whoever it was charged to.
    libraries = max(r["peak_gib"] - (r["private_gib"] or r["peak_gib"]) for r in rows)
    for limit in dict.fromkeys(r["limit"] for r in rows):
        loaded = max((r for r in rows if r["limit"] == limit), key=lambda r: r["count"])
        if loaded["fit_cpu_s"] is None:
            continue
        private = loaded["private_gib"] or loaded["peak_gib"]  # the libraries: once per server, below
        size = Sizing(loaded["fit_cpu_s"], private)
        minutes, per_core = size.window_s / 60, loaded["count"] / cores
        lines.append(
            f"- **{LABELS[limit]}** ({loaded['count']} at once): a training costs {size.fit_cpu_s:.0f} "
            f"CPU s, so one core trains {size.students_per_core:.1f} students within {minutes:.0f} "
            f"minutes and a class of {size.class_size} needs {size.cores} cores; at {per_core:g} "
            f"students per core the slowest training took {_seconds(loaded['slowest_fit_s'])} s. "
            f"Memory: {size.peak_gib:.2f} GiB private per student (the group's peak without the "
            f"libraries, which one server holds once: {libraries:.2f} GiB), "
            f"{size.students_per_gib:.2f} students per GiB; the class needs {size.gib:.0f} GiB "
            f"({size.gib_two_kernels:.0f} GiB if everyone keeps both notebooks open)."
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- driver
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4], help="runs at once (1 2 4)")
    parser.add_argument("--limits", nargs="+", choices=LIMITS, default=list(LIMITS))
    parser.add_argument("--epochs", type=int, help="EPOCHS injected after the parameters cell (a trial)")
    parser.add_argument("--notebook", type=Path, default=LESSON)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "capacity.json")
    parser.add_argument(
        "--probe-epochs", type=int, default=2, help="epochs of the reference probe around each batch (2)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # one run, in its own process; JSON on the last line of stdout
        print(json.dumps(run_once(args.notebook.resolve(), args.epochs)))
        return

    try:
        MemoryGroup.hierarchy()
    except (RuntimeError, OSError) as error:
        sys.exit(f"cannot measure memory as a hub does here: {error}")
    started, load = time.perf_counter(), os.getloadavg()[0]
    batches, probes = [], [probe(args.probe_epochs)]
    for limit in args.limits:
        for count in args.counts:
            print(f"[capacity] {count} at once, limit {limit} ...", file=sys.stderr, flush=True)
            batch = run_batch(count, limit, args.notebook.resolve(), args.epochs)
            probes.append(probe(args.probe_epochs))
            batches.append(against_probes(batch, *probes[-2:]))
    minutes = (time.perf_counter() - started) / 60
    machine = f"{machine_description()}; load average {load:.1f} at the start; {swing(probes)}"
    if args.epochs:
        machine += f"; EPOCHS = {args.epochs} (a trial, not the lesson's run)"
    table = report(batches, machine, os.cpu_count() or 1)
    print(table)
    print(f"\n({minutes:.0f} minutes)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"machine": machine, "minutes": minutes, "probes_s": probes, "batches": batches, "table": table},
            indent=1,
        )
    )
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
