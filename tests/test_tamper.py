"""cnn_instructor.tamper on small notebooks built here and on the course's source notebook: what a
student's cells do that could fool the grading (each kind found at its cell and line), what nbgrader
restores (not read), and the CSV report that keeps one course's findings. No TensorFlow is needed."""

from __future__ import annotations

import copy
import csv

from cnn_instructor.tamper import COPIED, MARKERS, Finding, findings
from cnn_instructor.tamper_report import COLUMNS, report_rows, update_report
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from paths import SOURCE
import pytest

INTERNALS = "touches Python's or IPython's internals: "
PROCESS = "starts a process or a thread: "
IMPORTED = "(an attribute of an imported module)"
# The course's imports, in a locked cell: what a student's cells may use (np, keras, the checks, ...)
SETUP = (
    "from cnn_helpers import check_compiled, check_images, check_labels, check_model\n"
    "import keras\nimport numpy as np\nimport os\nimport subprocess\n"
)


def nbgrader(grade_id: str | None, *, solution: bool = False, locked: bool = False) -> dict:
    """A cell's metadata as nbgrader's schema 3 writes it (``grade_id`` None: none)."""
    meta = {"solution": solution, "locked": locked, "grade": False, "schema_version": 3, "task": False}
    return {"nbgrader": meta | ({"grade_id": grade_id} if grade_id else {})}


def notebook(*answers: str) -> nbformat.NotebookNode:
    """A submission: the locked set-up cell (cell 1), a markdown cell (2), then a solution cell per
    answer (from cell 3)."""
    cells = [new_code_cell(SETUP, metadata=nbgrader("setup", locked=True)), new_markdown_cell("Your turn")]
    cells += [
        new_code_cell(a, metadata=nbgrader(f"answer-{i}", solution=True)) for i, a in enumerate(answers)
    ]
    return new_notebook(cells=cells)


def found(*answers: str) -> list[tuple[int, int, str]]:
    """(cell, line, what) of each finding in a submission of ``answers``."""
    return [(f.cell, f.line, f.what) for f in findings(notebook(*answers))]


# ------------------------------------------------------------------------------- the course's code
@pytest.fixture(scope="module")
def source() -> nbformat.NotebookNode:
    return nbformat.read(SOURCE, as_version=4)


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def test_the_courses_solutions_are_clean_against_its_release(source):
    """A student who hands in the course's own answers has no finding; the release (solution cells
    stubbed, as nbgrader releases them) is the course, so its unchanged cells are not read, but the
    solution cells, which differ, are."""
    release = copy.deepcopy(source)
    for cell in release.cells:
        if is_solution(cell):
            cell.source = "# YOUR CODE HERE\nraise NotImplementedError()"
    assert sum(map(is_solution, source.cells)) >= 4
    answers = copy.deepcopy(source)  # the answers without the source's markers, as a student writes them
    for cell in answers.cells:
        if is_solution(cell):
            cell.source = "\n".join(line for line in cell.source.split("\n") if line.strip() not in MARKERS)
    assert findings(answers, course=release) == []
    copied = findings(source, course=release)  # the source itself, handed in: its markers give it away
    assert {f.cell for f in copied} == {i for i, c in enumerate(source.cells, 1) if is_solution(c)}
    assert {f.what for f in copied} == {COPIED}
    submission = copy.deepcopy(answers)
    index, cell = next((i, c) for i, c in enumerate(submission.cells, 1) if is_solution(c))
    cell.source += "\nnp.allclose = lambda *a, **k: True"
    assert findings(submission, course=release) == [
        Finding(
            index,
            len(cell.source.splitlines()),
            f"assigns to numpy.allclose {IMPORTED}",
            cell.source.splitlines()[-1],
        )
    ]


def test_read_alone_the_course_has_findings_only_in_its_colab_cell(source):
    """The solution cells hold nothing to report but their BEGIN/END SOLUTION markers; the Colab
    cell, unlocked and without nbgrader metadata, imports sys and subprocess: without
    ``course=`` it is read like a student's cell."""
    found = findings(source)
    (colab,) = [
        i for i, c in enumerate(source.cells, 1) if "google.colab" in c.source and c.cell_type == "code"
    ]
    assert {f.cell for f in found if f.what != COPIED} == {colab}
    assert {f.cell for f in found if f.what == COPIED} == {
        i for i, c in enumerate(source.cells, 1) if is_solution(c)
    }  # the source's own markers: handed in, it is a copy
    assert not is_solution(source.cells[colab - 1])
    assert f"{PROCESS}subprocess.run" in {f.what for f in found}


# ----------------------------------------------------------------------------- each kind, found
FILES = "moves, links or removes files: "


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("x = 1\nnp.array_equal = lambda a, b: True", [(2, f"assigns to numpy.array_equal {IMPORTED}")]),
        (
            "import numpy\nnumpy.allclose = lambda *a, **k: True",
            [(2, f"assigns to numpy.allclose {IMPORTED}")],
        ),
        ("del np.testing.assert_allclose", [(1, f"deletes numpy.testing.assert_allclose {IMPORTED}")]),
        ("np.random.seed += 0", [(1, f"assigns to numpy.random.seed {IMPORTED}")]),
        ("keras.Model.evaluate = f", [(1, f"assigns to keras.Model.evaluate {IMPORTED}")]),
        ('setattr(np, "allclose", f)', [(1, "calls setattr on np (an imported module)")]),
        ('delattr(model, "fit")', [(1, "calls delattr on model")]),
        ("change = setattr", [(1, "uses setattr")]),
        ("y = 0\ndef check_images(*a, **k):\n    pass", [(2, "redefines the check function check_images")]),
        ("check_labels = lambda *a: None", [(1, "redefines the check function check_labels")]),
        ("check_model = print", [(1, "redefines the check function check_model")]),
        ("from cnn_helpers import check_model as check_model2", []),
        ("from cnn_helpers import check_model", []),
        (
            "from cnn_helpers import check_labels as check_images",
            [
                (
                    1,
                    "redefines the check function check_images "
                    "(from cnn_helpers import check_labels as check_images)",
                )
            ],
        ),
        ("from my_checks import check_compiled", [(1, "redefines the check function check_compiled")]),
        ("def grade_images(*a):\n    return None", [(1, "redefines the grading function grade_images")]),
        ("np = None", [(1, "rebinds np, a name bound by an import")]),
        ("model.predict = lambda x, **k: y", [(1, "replaces the model's method predict")]),
        ("type(model).__call__ = f", [(1, "replaces the model's method __call__")]),
        (
            "class Sure(keras.Sequential):\n    def evaluate(self, *a, **k):\n        return [0.0, 1.0]",
            [(2, "defines evaluate, a model's method")],
        ),
        ("get_ipython().events.register('post_run_cell', f)", [(1, f"{INTERNALS}get_ipython")]),
        ("get_ipython().system('ls')", [(1, f"{INTERNALS}get_ipython")]),  # written so: not a "!" line
        ("get_ipython().run_line_magic('time', 'x = 1')", [(1, f"{INTERNALS}get_ipython")]),
        ("import IPython", [(1, f"{INTERNALS}import IPython")]),
        ("import sys\nsys.settrace(f)", [(1, f"{INTERNALS}import sys"), (2, f"{INTERNALS}sys.settrace")]),
        ("x = f.__globals__", [(1, f"{INTERNALS}__globals__")]),
        ("x = getattr(f, '__code__')", [(1, f"{INTERNALS}__code__")]),
        ('exec("x = 1")', [(1, f"{INTERNALS}exec")]),
        ("x = _ih[-1]", [(1, f"{INTERNALS}_ih")]),
        ("x = 1\n!ls -l", [(2, f"{PROCESS}a shell command (!)")]),
        ("files = !ls", [(1, f"{PROCESS}a shell command (!)")]),
        ("%%bash\nls -l\n", [(1, f"{PROCESS}the magic %%bash")]),
        ("%pip install numpy", [(1, f"{PROCESS}the magic %pip")]),
        ("%load_ext autoreload", [(1, "runs the magic %load_ext")]),
        ("%time y = 1", [(1, "runs the magic %time")]),
        ("%matplotlib inline\nx = 1", []),
        ('subprocess.Popen(["ls"])', [(1, f"{PROCESS}subprocess.Popen")]),
        ('os.system("x")', [(1, f"{PROCESS}os.system")]),
        ("from os import kill\nkill(1, 9)", [(2, f"{PROCESS}os.kill")]),
        (
            "import threading as t\nt.Thread(target=f).start()",
            [(1, f"{PROCESS}import threading"), (2, f"{PROCESS}threading.Thread")],
        ),
        ('os.symlink("/course/gradebook.db", "link")', [(1, f"{FILES}os.symlink")]),
        ('import shutil\nshutil.rmtree("x")', [(1, f"{FILES}import shutil"), (2, f"{FILES}shutil.rmtree")]),
        (
            'p = os.environ["CNN_MNIST_GRADED"]',
            [(1, "names grading's folder: CNN_MNIST_GRADED")],
        ),
        ('Path("a.ipynb").symlink_to("/course/x")', [(1, f"{FILES}.symlink_to")]),
        ('Path("a.ipynb").unlink()', [(1, f"{FILES}.unlink")]),
        ("### BEGIN SOLUTION\nx_train = x\n### END SOLUTION", [(1, COPIED), (3, COPIED)]),
        ('open("graded_objects/images.npz", "wb")', [(1, "names grading's folder: graded_objects")]),
        ("x_train = np.expand_dims(train_images / 255.0, -1)\nmodel.fit(x_train)", []),
    ],
)
def test_each_kind_is_found_at_its_line(answer, expected):
    assert found("x = 0", answer) == [(4, line, what) for line, what in expected]


def test_a_finding_is_reported_once_per_line_and_kind_with_its_code():
    assert findings(notebook("os.system('a'); os.system('b')\nnp.allclose = np.array_equal = f")) == [
        Finding(3, 1, f"{PROCESS}os.system", "os.system('a'); os.system('b')"),
        Finding(3, 2, f"assigns to numpy.allclose {IMPORTED}", "np.allclose = np.array_equal = f"),
        Finding(3, 2, f"assigns to numpy.array_equal {IMPORTED}", "np.allclose = np.array_equal = f"),
    ]


def test_a_cell_that_does_not_parse_is_a_finding():
    (finding,) = findings(notebook("x = 1", "def f(:\n    pass"))
    assert (finding.cell, finding.line, finding.code) == (4, 1, "def f(:")
    assert finding.what.startswith("cannot be read: SyntaxError: ")


# ------------------------------------------------------------------------- which cells are read
def test_locked_cells_are_not_read_unless_nbgrader_cannot_restore_them():
    submission = notebook("x = 1")
    tampering = "np.allclose = f"
    submission.cells += [
        new_code_cell(tampering, metadata=nbgrader("images", locked=True)),  # restored by nbgrader: 4
        new_code_cell(tampering, metadata=nbgrader(None, locked=True)),  # locked, no grade id: 5
        new_code_cell(tampering),  # a cell the student added: 6
        new_markdown_cell(tampering),  # not run
    ]
    assert [f.cell for f in findings(submission)] == [5, 6]
    course = new_notebook(cells=[new_code_cell(SETUP, metadata=nbgrader("setup", locked=True))])
    assert [f.cell for f in findings(submission, course=course)] == [4, 5, 6]  # "images": not the course's


def test_with_the_course_its_own_unchanged_code_is_not_read():
    colab = "import subprocess\nsubprocess.run(['pip', 'install', 'x'])"
    course = new_notebook(
        cells=[new_code_cell(SETUP, metadata=nbgrader("setup", locked=True)), new_code_cell(colab)]
    )
    submission = copy.deepcopy(course)
    assert len(findings(submission)) == 2
    assert findings(submission, course=course) == []
    submission.cells[1].source = colab.replace("'x'", "'y'")
    assert [(f.cell, f.line) for f in findings(submission, course=course)] == [(2, 1), (2, 2)]


def test_a_notebook_that_is_not_a_notebooknode_is_refused():
    with pytest.raises(TypeError, match="notebook must be an nbformat NotebookNode, not dict"):
        findings({"cells": []})
    with pytest.raises(TypeError, match="course must be an nbformat NotebookNode, not str"):
        findings(notebook(), course="cnn_mnist.ipynb")
    with pytest.raises(ValueError, match="notebook has no cells"):
        findings(nbformat.from_dict({"metadata": {}}))


# --------------------------------------------------------------------------------- the CSV report
def read(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_report_rows_hold_every_column_but_the_assignment():
    rows = report_rows("ada", "cnn_mnist", [Finding(3, 2, "what", "=cmd()"), Finding(4, 1, "w", "x = 1")])
    assert rows == [
        {
            "student": "ada",
            "notebook": "cnn_mnist",
            "cell": "3",
            "line": "2",
            "finding": "what",
            "code": "'=cmd()",
        },
        {
            "student": "ada",
            "notebook": "cnn_mnist",
            "cell": "4",
            "line": "1",
            "finding": "w",
            "code": "x = 1",
        },
    ]


def test_update_replaces_one_students_rows_and_keeps_the_others(tmp_path):
    path = tmp_path / "tamper_report.csv"
    update_report(path, "cnn_mnist", "ada", "cnn_mnist", [])
    assert path.read_text().splitlines() == [",".join(COLUMNS)]  # created, with its header only
    ada = findings(notebook("np.allclose = f", "x = 1\n!ls"))
    update_report(path, "cnn_mnist", "ada", "cnn_mnist", ada)
    update_report(path, "cnn_mnist", "bob", "cnn_mnist", findings(notebook("check_model = print")))
    update_report(path, "cnn_mnist", "ada", "cnn_mnist", ada[1:] + ada[:1])  # again: replaced, not added
    rows = read(path)
    assert [(r["student"], r["cell"], r["line"]) for r in rows] == [
        ("ada", "3", "1"),
        ("ada", "4", "2"),
        ("bob", "3", "1"),
    ]
    assert rows[2] == {
        "assignment": "cnn_mnist",
        "student": "bob",
        "notebook": "cnn_mnist",
        "cell": "3",
        "line": "1",
        "finding": "redefines the check function check_model",
        "code": "check_model = print",
    }
    update_report(path, "cnn_mnist", "ada", "cnn_mnist", findings(notebook("np = None")))
    assert [(r["student"], r["finding"]) for r in read(path)] == [
        ("ada", "rebinds np, a name bound by an import"),
        ("bob", "redefines the check function check_model"),
    ]
    update_report(path, "other", "ada", "cnn_mnist", findings(notebook("check_model = print")))
    update_report(path, "cnn_mnist", "ada", "cnn_mnist", [])  # ada fixed her notebook: her rows go
    assert [(r["assignment"], r["student"]) for r in read(path)] == [("cnn_mnist", "bob"), ("other", "ada")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tamper_report.csv"]  # no temporary file left


def test_update_sorts_cells_as_numbers(tmp_path):
    path = tmp_path / "report.csv"
    update_report(
        path, "a", "s", "n", [Finding(10, 1, "w", "x"), Finding(9, 12, "w", "x"), Finding(9, 2, "w", "x")]
    )
    assert [(r["cell"], r["line"]) for r in read(path)] == [("9", "2"), ("9", "12"), ("10", "1")]


def test_bad_report_arguments_are_refused(tmp_path):
    path = tmp_path / "report.csv"
    with pytest.raises(TypeError, match="path must be a pathlib.Path"):
        update_report(str(path), "a", "s", "n", [])
    with pytest.raises(ValueError, match="assignment must be a non-empty str"):
        update_report(path, " ", "s", "n", [])
    with pytest.raises(TypeError, match="student must be a non-empty str"):
        report_rows(None, "n", [])
    with pytest.raises(TypeError, match="found must be a list of Finding"):
        report_rows("s", "n", [("3", "1")])
    path.write_text("student,grade\nada,3\n")
    with pytest.raises(ValueError, match="is not a tamper report"):
        update_report(path, "a", "s", "n", [])
    assert path.read_text() == "student,grade\nada,3\n"  # left as it was
