"""The capacity benchmark's own logic: the cells it adds around the training, what it reads from
an executed notebook, a batch of runs at once (with and without a one-core quota), each batch read
against the reference probes around it, the table's rows and the sizing docs/hub.md derives from them."""

from __future__ import annotations

import math
import re

import nbformat
import pytest
from tables import markdown_tables

from benchmarks import capacity

# A stand-in for the lesson: its settings cell, a "training" that burns CPU, its accuracy line.
TINY = [
    ("EPOCHS = 12", ["parameters"]),
    (
        "class Model:\n    def fit(self, epochs):  # CPU time, a little of it\n"
        "        return sum(i * i for i in range(epochs * 200_000))",
        [],
    ),
    ("model = Model()\nhistory = model.fit(epochs=EPOCHS)", []),
    ("print(f'Test accuracy: {0.9 + EPOCHS / 1000:.4f}')", []),
]


@pytest.fixture
def tiny_notebook(tmp_path):
    cells = [
        nbformat.v4.new_code_cell(source, metadata={"tags": tags} if tags else {}) for source, tags in TINY
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def test_instrument_measures_the_training_cell_and_nothing_else(tiny_notebook):
    notebook = nbformat.read(tiny_notebook, as_version=4)
    capacity.instrument(notebook)
    sources = [cell.source for cell in notebook.cells]
    fit = sources.index(TINY[2][0])
    assert len(sources) == len(TINY) + 2
    assert "_capacity_cpu = " in sources[fit - 1] and capacity.FIT_CPU in sources[fit + 1]
    with pytest.raises(ValueError, match=r"no code cell with 'model\.fit\('"):
        capacity.instrument(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))


def test_read_run_finds_the_trainings_time_and_the_accuracy():
    fit = nbformat.v4.new_code_cell("model.fit(x)", metadata={"papermill": {"duration": 12.5}})
    printed = nbformat.v4.new_code_cell("print()")
    printed.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"{capacity.FIT_CPU} 20.25\n"),
        nbformat.v4.new_output("stream", name="stdout", text="Test loss: 0.03\nTest accuracy: 0.9912\n"),
    ]
    run = capacity.read_run(nbformat.v4.new_notebook(cells=[fit, printed]))
    assert run == {"fit_s": 12.5, "fit_cpu_s": 20.25, "test_accuracy": 0.9912}


@pytest.mark.slow  # executes notebooks with papermill, several at once
@pytest.mark.parametrize("limit", ["none", "core"])
def test_a_batch_runs_the_notebook_at_once_with_its_parameters(tiny_notebook, limit):
    batch = capacity.run_batch(2, limit, tiny_notebook, epochs=3, drop_cache=False)
    assert (batch["count"], batch["limit"], len(batch["runs"])) == (2, limit, 2)
    for run in batch["runs"]:
        assert run["test_accuracy"] == 0.903  # EPOCHS = 3 reached the kernel
        assert 0 < run["fit_s"] < run["wall_s"] <= batch["batch_s"]
        assert 0 < run["fit_cpu_s"] < run["cpu_s"]
        # memory from the run's own group (a kernel: tens of MiB at least), not from ru_maxrss
        assert 0.02 < run["private_gib"] <= run["peak_gib"] < 2
        assert 0.02 < run["kernel_uss_gib"] < 2
        assert ("throttled_s" in run) == (limit != "none")
    assert not list(capacity.CGROUP_CPU.glob("capacity-*")), "a cgroup was left behind"
    base, _ = capacity.MemoryGroup.hierarchy()
    assert not list(base.glob("capacity-*")), "a memory group was left behind"


def test_a_batch_refuses_an_unknown_limit(tiny_notebook):
    with pytest.raises(ValueError, match="limit must be one of"):
        capacity.run_batch(1, "two cores", tiny_notebook, epochs=1)


def _batch(count, limit="none", fit_cpu=(30.0, 34.0, 32.0, 36.0)):
    runs = [
        {
            "wall_s": 60.0 + 10 * i,
            "fit_s": 20.0 + i,
            "cpu_s": 50.0,
            "fit_cpu_s": fit_cpu[i],
            "peak_gib": 1.0 + i / 10,
        }
        | {"test_accuracy": 0.99 - i / 1000}
        for i in range(count)
    ]
    return {"count": count, "limit": limit, "batch_s": 100.0 + count, "runs": runs}


def test_summarize_means_ranges_and_extremes():
    row = capacity.summarize(_batch(2))
    assert row["wall_s"] == 65 and row["wall_range"] == (60, 70)
    assert row["fit_s"] == 20.5 and row["slowest_fit_s"] == 21
    assert row["fit_cpu_s"] == 32 and row["cpu_s"] == 50
    assert row["peak_gib"] == 1.1 and row["lowest_accuracy"] == 0.989
    with pytest.raises(ValueError, match="no runs"):
        capacity.summarize({"count": 0, "limit": "none", "batch_s": 1.0, "runs": []})


def test_sizing_follows_readmes_derivation():
    size = capacity.Sizing(fit_cpu_s=150, peak_gib=1.0, server_gib=0.1)
    assert size.students_per_core == 2  # 300 s / 150 s
    assert size.cores == 15  # ceil(30 × 150 / 300)
    assert size.students_per_gib == pytest.approx(1 / 1.1)
    assert size.gib == pytest.approx(33) and size.gib_two_kernels == pytest.approx(63)
    assert capacity.Sizing(fit_cpu_s=151, peak_gib=1.0).cores == 16  # part of a core is a core
    with pytest.raises(ValueError, match="must be positive"):
        capacity.Sizing(fit_cpu_s=0, peak_gib=1.0)


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} is not in:\n{text}"
    return float(match.group(1))


def test_report_has_a_row_per_batch_and_sizes_from_the_most_loaded():
    batches = [_batch(1), _batch(4), _batch(1, "core+threads"), _batch(2, "core+threads")]
    text = capacity.report(batches, "test machine", cores=2)
    (rows,) = markdown_tables(text)
    assert [(row["students at once"], row["limit per student"]) for row in rows] == [
        ("1", "none"),
        ("4", "none"),
        ("1", "1 core, TF 1 thread"),
        ("2", "1 core, TF 1 thread"),
    ]
    four = rows[1]  # four runs: walls 60, 70, 80, 90 s; peaks 1.0 to 1.3 GiB; accuracies 0.990 to 0.987
    assert four["wall time of each run (s)"] == "75 (60–90)"  # their mean and range
    assert four["wall time of the batch (s)"] == "104"
    assert float(four["memory per student: group peak, private + libraries (GiB)"]) == 1.3  # the largest
    assert float(four["lowest test accuracy"]) == 0.987
    assert four["batch ÷ reference probe"] == "n/a"  # no probe was run
    assert rows[0]["wall time of each run (s)"] == "60"  # one run: no range

    sizing = [line for line in text.splitlines() if line.startswith("- **")]
    assert [re.match(r"- \*\*(.+?)\*\* \((\d) at once\)", line).groups() for line in sizing] == [
        ("none", "4"),  # each limit sized from its most loaded batch
        ("1 core, TF 1 thread", "2"),
    ]
    assert _number(r"a training costs (\d+) CPU s", sizing[0]) == 33  # the mean of 30, 34, 32, 36
    assert _number(r"needs (\d+) cores", sizing[0]) == math.ceil(30 * 33 / 300)
    assert _number(r"at ([\d.]+) students per core", sizing[0]) == 4 / 2
    assert _number(r"at ([\d.]+) students per core", sizing[1]) == 2 / 2


def test_the_probes_swing_and_each_batch_is_read_against_the_probes_around_it():
    assert capacity.swing([40.0, 44.0, 42.0]) == "reference probes 40–44 s, a 10 % swing"
    assert capacity.swing([]) == "no reference probe was run"
    batch = capacity.against_probes(_batch(1) | {"batch_s": 84.0}, 40.0, 44.0)
    assert batch["relative"] == pytest.approx(84 / 42) and batch["probes_s"] == [40.0, 44.0]
    slower = capacity.against_probes(_batch(1) | {"batch_s": 84.0 * 1.5}, 60.0, 66.0)  # the machine slowed
    assert slower["relative"] == pytest.approx(batch["relative"])
    (rows,) = markdown_tables(capacity.report([batch], "test machine", cores=2))
    assert float(rows[0]["batch ÷ reference probe"]) == 2.0
    with pytest.raises(ValueError, match="must be positive"):
        capacity.against_probes(_batch(1), 0.0, 44.0)
