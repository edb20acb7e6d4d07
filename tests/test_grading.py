"""The whole grading pipeline with nbgrader itself, in a temporary course folder, without a hub:
``generate_assignment``, one ``autograde`` of every submission below (one epoch of training each),
then ``generate_feedback``.

The submissions: the solution's code (full marks); four typical mistakes, each costing its part and
the parts that depend on it; one of them also edits its graded check cell so that it would pass
(nbgrader restores the original); a kernel that dies (reported, left ungraded) and a cell that runs
past the course's timeout (interrupted and named in the log; the parts before it keep their
points), both ahead of the others in nbgrader's order (by student id). Then three hostile ones: a
cheat that patches numpy, the checks and the model's methods; a probe that reads, writes and leaves
a process behind; a student who sets 30 epochs. Each hostile test fails with plain nbgrader.
"""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass
import html
import io
import os
from pathlib import Path
import re
import time

from cnn_helpers import NotReadyError, check_compiled, check_images, check_labels, check_model
from cnn_instructor.assignment import ASSIGNMENT, PARTS, TOTAL_POINTS
from cnn_instructor.exercise import Block
import keras
import nbformat
import numpy as np
from paths import SOURCE
import pytest

from testbed import nbgrading

pytestmark = pytest.mark.slow  # grades eight submissions, each training for one epoch

HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass(frozen=True)
class Mistake:
    """A mistake in one solution block (``grade_id``): each ``old`` text of the solution's code
    replaced by its ``new``; ``lost`` is every part it costs."""

    grade_id: str
    replacements: tuple[tuple[str, str], ...]
    lost: frozenset[str]


MISTAKES = {
    # Training on pixels from 0 to 255 gives a model that misreads the [0, 1] digits it is graded on.
    "4_unscaled_pixels": Mistake("images", ((" / 255.0", ""),), frozenset({"images", "trained"})),
    # check_compiled compares the loss with y_train, and fit cannot train on class numbers with it.
    "5_labels_not_one_hot": Mistake(
        "labels",
        (
            ("keras.utils.to_categorical(train_labels, classes)", "train_labels"),
            ("keras.utils.to_categorical(test_labels, classes)", "test_labels"),
        ),
        frozenset({"labels", "compiled", "trained"}),
    ),
    # The second block written, but no Flatten: the last Dense layer scores every position of the
    # last maps, check_model says so, and fit cannot train it on one label per image.
    "6_model_without_flatten": Mistake(
        "model",
        (("keras.layers.Flatten(),\n        ", ""),),
        frozenset({"model", "trained"}),
    ),
    "7_wrong_loss": Mistake(
        "compiled",
        (('loss="categorical_crossentropy"', 'loss="sparse_categorical_crossentropy"'),),
        frozenset({"compiled", "trained"}),
    ),
}
SOLUTION = "3_solution"
KERNEL_DIES, PAST_TIMEOUT = "1_kernel_dies", "2_past_timeout"  # graded first: student ids sort so
EDITED = "4_unscaled_pixels"  # also replaces its graded check cell by one that always passes
EDITED_CHECK = 'print("images ready")'
CHEAT, PROBE, MORE_EPOCHS = "8_cheat", "0_probe", "10_more_epochs"  # the probe first: others follow it
COPIED_SOURCE = "11_copied_source"  # the course's source notebook handed in (a link collected, say)
PROBE_MARKER = f"cnn-grading-probe-{os.getpid()}"

# No work done but the model: zero images, class numbers as labels, a wrong loss; the checks
# redefined, numpy's comparisons patched, the model's fit, predict and evaluate replaced and its
# optimizer's step count set; a judge of its own (and a json module that would stop the real one)
# planted where graded cells save. Only the model part is earned.
CHEAT_IMAGES = """\
x_train = np.zeros((60000, 28, 28, 1), "float32")
x_test = np.zeros((10000, 28, 28, 1), "float32")


def check_images(*args, **kwargs):
    print("images ready")


def check_labels(*args, **kwargs):
    print("labels ready")


def check_compiled(*args, **kwargs):
    print("compiled: ready")


np.array_equal = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True

import os
from pathlib import Path

planted = Path(os.environ.get("CNN_MNIST_GRADED", "graded_objects"))  # a judge of its own, and json
(planted / "cnn_instructor").mkdir(parents=True, exist_ok=True)
(planted / "cnn_instructor" / "__init__.py").write_text("")
ok = '{"passed": true, "missing": false, "ename": "", "message": "", "traceback": ""'
parts = ("images", "labels", "model", "compiled", "trained")
line = "[" + ", ".join(ok + f', "part": "{p}"}}' for p in parts) + "]"
(planted / "cnn_instructor" / "judge.py").write_text(f"print({line!r})")
(planted / "json.py").write_text("raise SystemExit(0)")"""
CHEAT_COMPILED = """\
)
model.optimizer.iterations.assign(100)
model.fit = lambda *args, **kwargs: keras.callbacks.History()
model.predict = lambda x, **kwargs: keras.utils.to_categorical(test_labels[: len(x)], 10)
model.evaluate = lambda *args, **kwargs: [0.01, 0.99]"""


def _probe(course: Path) -> str:
    """Code that reads the course's source notebook and gradebook, writes beside them, and starts a
    detached process writing into its own folder (``alive``) every 0.2 s; it prints what it could."""
    return f"""\
import os
import subprocess
import sys
from pathlib import Path

course = Path({str(course)!r})
could = {{}}
try:
    source = (course / "source/cnn_mnist/cnn_mnist.ipynb").read_text()
    could["read the source"] = "BEGIN HIDDEN TESTS" in source
except OSError:
    could["read the source"] = False
could["see the gradebook"] = (course / "gradebook.db").exists()
try:
    (course / "probe_was_here.txt").write_text("written by a submission")
except OSError:
    pass
loop = "import time\\nwhile True:\\n    open('alive', 'a').write('.')\\n    time.sleep(0.2)  # {PROBE_MARKER}"
subprocess.Popen([sys.executable, "-c", loop], start_new_session=True, cwd=Path.cwd())
print("probe:", could)
# links that nbgrader would follow after grading: the notebook it writes, a file it chmods
Path("cnn_mnist.ipynb").unlink()
Path("cnn_mnist.ipynb").symlink_to(course / "nbgrader_config.py")
Path("gradebook_link").symlink_to(course / "gradebook.db")
# a pipe nbgrader would hang on, and folders deeper than Python's recursion (nbgrader walks them)
os.mkfifo("pipe")
top = os.open(".", os.O_RDONLY)
for _ in range(1200):
    os.mkdir("d")
    os.chdir("d")
os.fchdir(top)
"""


def _source() -> nbformat.NotebookNode:
    return nbformat.read(SOURCE, as_version=4)


def _blocks() -> dict[str, Block]:
    """The solution's blocks by the part they belong to (one block per solution cell here)."""
    by_cell = nbgrading.solution_blocks(_source())
    assert [len(blocks) for blocks in by_cell.values()] == [1, 1, 1, 1]
    return dict(zip([p.grade_id for p in PARTS if p.check], [b[0] for b in by_cell.values()], strict=True))


def _with_mistake(solved: nbformat.NotebookNode, mistake: Mistake) -> nbformat.NotebookNode:
    code = _blocks()[mistake.grade_id].code
    wrong = code
    for old, new in mistake.replacements:
        assert old in wrong, f"{old!r} is not in the solution's {mistake.grade_id} block"
        wrong = wrong.replace(old, new)
    return nbgrading.with_block_code(solved, code, wrong)


def _cheat(solved: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cheat = nbgrading.with_block_code(solved, _blocks()["images"].code, CHEAT_IMAGES)
    cheat = nbgrading.with_block_code(
        cheat, _blocks()["labels"].code, "y_train = train_labels\ny_test = test_labels"
    )
    cheat = nbgrading.with_block_code(cheat, 'loss="categorical_crossentropy"', 'loss="mse"')
    return nbgrading.with_block_code(
        cheat, 'metrics=["accuracy"],\n)', 'metrics=["accuracy"],\n' + CHEAT_COMPILED
    )


@dataclass
class Graded:
    course: Path
    submitted: dict[str, nbformat.NotebookNode]
    autograde: object  # subprocess.CompletedProcess
    seconds: float
    feedback: object
    scores: dict[str, dict[str, float]]

    def autograded(self, student: str) -> Path:
        return self.course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    def feedback_text(self, student: str) -> str:
        """The feedback page's text, as a student reads it (tags left out, entities decoded)."""
        page = self.course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    course = nbgrading.new_course(tmp_path_factory.mktemp("course"))
    result = nbgrading.nbgrader(course, "generate_assignment", ASSIGNMENT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    solved = nbgrading.solved(nbformat.read(nbgrading.release_path(course), as_version=4), _source())
    first_line = _blocks()["images"].code.split("\n", 1)[0]
    labels_line = _blocks()["labels"].code.split("\n", 1)[0]
    submitted = {
        SOLUTION: solved,
        KERNEL_DIES: nbgrading.with_block_code(
            solved,
            first_line,
            f"import os\nimport signal\n\nos.kill(os.getpid(), signal.SIGKILL)\n{first_line}",
        ),
        PAST_TIMEOUT: nbgrading.with_block_code(
            solved, labels_line, f"import time\n\ntime.sleep(3600)\n{labels_line}"
        ),
        **{student: _with_mistake(solved, mistake) for student, mistake in MISTAKES.items()},
        CHEAT: _cheat(solved),
        PROBE: nbgrading.with_block_code(solved, first_line, f"{_probe(course)}{first_line}"),
        COPIED_SOURCE: _source(),
        MORE_EPOCHS: nbgrading.with_block_code(
            solved,
            'metrics=["accuracy"],\n)',
            'metrics=["accuracy"],\n)\nEPOCHS = 30  # does training longer help?',
        ),
    }
    submitted[EDITED] = nbgrading.with_cell(submitted[EDITED], "images", EDITED_CHECK)
    for student, notebook in submitted.items():
        nbgrading.submit(course, student, notebook)
    start = time.perf_counter()
    autograde = nbgrading.nbgrader(course, "autograde", ASSIGNMENT)
    seconds = time.perf_counter() - start
    print(f"autograde of {len(submitted)} submissions: {seconds:.0f} s")
    feedback = nbgrading.nbgrader(course, "generate_feedback", ASSIGNMENT, timeout=300)
    return Graded(course, submitted, autograde, seconds, feedback, nbgrading.scores(course))


def test_the_solution_gets_full_marks_after_one_epoch(graded):
    assert graded.scores[SOLUTION] == {part.grade_id: part.points for part in PARTS}
    assert sum(graded.scores[SOLUTION].values()) == TOTAL_POINTS
    notebook = nbformat.read(graded.autograded(SOLUTION), as_version=4)
    (fit,) = [c for c in notebook.cells if "history = model.fit(" in c.source]
    epochs = re.findall(
        r"^\d+/\d+ - \d+s - .*val_accuracy", "".join(o.get("text", "") for o in fit.outputs), re.M
    )
    assert len(epochs) == 1, f"grading should train one epoch: {fit.outputs}"


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_a_typical_mistake_costs_its_part_and_the_parts_that_depend_on_it(graded, student):
    lost = {grade_id for grade_id, score in graded.scores[student].items() if score == 0}
    partial = {grade_id for grade_id, score in graded.scores[student].items() if 0 < score < PARTS[0].points}
    assert lost == MISTAKES[student].lost and not partial, graded.scores[student]
    assert 0 < sum(graded.scores[student].values()) < TOTAL_POINTS


def _check_message(mistake: Mistake, mnist) -> str:
    """What the check cell after the mistaken block says, found here by running the solution's cells
    in order, with the mistake, and that check cell's visible line."""
    (train_images, train_labels), (test_images, test_labels) = mnist
    namespace = {
        **{"np": np, "keras": keras, "input_shape": (28, 28, 1), "classes": 10},
        **{"train_images": train_images, "train_labels": train_labels},
        **{"test_images": test_images, "test_labels": test_labels},
        **{"check_images": check_images, "check_labels": check_labels},
        **{"check_model": check_model, "check_compiled": check_compiled},
        "schedule": keras.optimizers.schedules.CosineDecay(0.001, decay_steps=100),
    }
    checks = {c.metadata["nbgrader"]["grade_id"]: c.source for c in _source().cells if HIDDEN in c.source}
    solutions = [c for c in _source().cells if c.metadata.get("nbgrader", {}).get("solution")]
    for grade_id, cell in zip(
        _blocks(), solutions, strict=True
    ):  # whole cells: a block may be a part of a list
        code = cell.source
        if grade_id == mistake.grade_id:
            for old, new in mistake.replacements:
                code = code.replace(old, new)
        exec(code, namespace)
        if grade_id == mistake.grade_id:
            with pytest.raises(NotReadyError) as raised, contextlib.redirect_stdout(io.StringIO()):
                exec(checks[grade_id].split(HIDDEN)[0], namespace)
            return str(raised.value)
    raise AssertionError(f"no block {mistake.grade_id}")


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_the_feedback_says_what_was_wrong_in_the_check_cells_words(graded, student, mnist):
    assert graded.feedback.returncode == 0, graded.feedback.stdout + graded.feedback.stderr
    message = _check_message(MISTAKES[student], mnist)
    text = graded.feedback_text(student)
    assert f"NotReadyError: {message}" in text, message
    assert f"{ASSIGNMENT} (Score: {sum(graded.scores[student].values()):.1f} / {TOTAL_POINTS:.1f})" in text


def test_an_edited_graded_cell_is_graded_with_the_original_test(graded):
    (edited,) = [
        c
        for c in graded.submitted[EDITED].cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "images"
    ]
    assert edited.source == EDITED_CHECK  # alone, this cell passes whatever x_train holds
    (original,) = [c for c in _source().cells if c.metadata.get("nbgrader", {}).get("grade_id") == "images"]
    autograded = nbformat.read(graded.autograded(EDITED), as_version=4)
    (run,) = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "images"]
    assert run.source == original.source  # the check and its hidden tests, restored by nbgrader
    assert [o.ename for o in run.outputs if o.output_type == "error"] == ["NotReadyError"]
    assert graded.scores[EDITED]["images"] == 0


def test_a_dead_kernel_is_reported_and_the_others_graded(graded):
    log = graded.autograde.stdout + graded.autograde.stderr
    assert graded.autograde.returncode == 1, log
    assert "DeadKernelError: Kernel died" in log
    assert f"There was an error processing assignment '{ASSIGNMENT}' for student '{KERNEL_DIES}'" in log
    assert not graded.autograded(KERNEL_DIES).exists()  # left ungraded: no autograded copy
    others = set(graded.submitted) - {KERNEL_DIES, COPIED_SOURCE}
    assert {s for s in others if graded.autograded(s).exists()} == others
    assert others <= set(graded.scores)
    assert graded.seconds < 900, f"autograde took {graded.seconds:.0f} s"


def test_a_cell_past_the_timeout_is_interrupted_named_and_costs_only_what_it_stopped(graded):
    log = graded.autograde.stdout + graded.autograde.stderr
    timeout = nbgrading.course_config(graded.course).Execute.timeout
    named = re.findall(rf"cell \d+ \((\S+): '(.*)'\) ran past the timeout \({timeout} s\): interrupted", log)
    (labels_cell,) = [
        c.metadata["nbgrader"]["grade_id"]
        for c in graded.submitted[PAST_TIMEOUT].cells
        if "time.sleep(3600)" in c.source
    ]
    assert [grade_id for grade_id, _ in named] == [labels_cell], log
    # the images and the model came before the stopped cell; labels, compile and training need it
    assert graded.scores[PAST_TIMEOUT] == {"images": 2, "labels": 0, "model": 2, "compiled": 0, "trained": 0}


def test_a_cheat_that_patches_and_plants_a_judge_earns_only_what_it_did(graded):
    assert graded.scores[CHEAT] == {"images": 0, "labels": 0, "model": 2, "compiled": 0, "trained": 0}
    notebook = nbformat.read(graded.autograded(CHEAT), as_version=4)
    (images,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "images"]
    assert "images ready" in "".join(o.get("text", "") for o in images.outputs)  # its own check said so
    (error,) = [o for o in images.outputs if o.output_type == "error"]
    assert "hidden_tests.py" in "\n".join(error.traceback)  # the instructor's copy: where the test failed


def test_the_tamper_report_names_what_the_cheat_and_the_probe_did(graded):
    with open(graded.course / "tamper_report.csv", newline="") as report:
        rows = list(csv.DictReader(report))
    named = {row["student"] for row in rows}
    assert {CHEAT, PROBE} <= named and not named & {SOLUTION, MORE_EPOCHS, *MISTAKES}, named
    cheat = " ".join(row["finding"] for row in rows if row["student"] == CHEAT)
    for what in ("array_equal", "allclose", "check_images", "check_labels", "predict"):
        assert what in cheat, cheat
    probe = " ".join(row["finding"] for row in rows if row["student"] == PROBE)
    assert "process" in probe and "links" in probe, probe
    assert "grading's folder" in cheat, cheat


def test_a_probe_reads_nothing_of_the_course_writes_nothing_outside_and_ends_with_grading(graded):
    notebook = nbformat.read(graded.autograded(PROBE), as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "probe: {'read the source': False, 'see the gradebook': False}" in printed
    assert not (graded.course / "probe_was_here.txt").exists()
    # the links it left were removed before nbgrader wrote its notebook and set permissions
    assert (graded.course / "nbgrader_config.py").read_bytes() == (
        nbgrading.COURSE / "nbgrader_config.py"
    ).read_bytes()
    assert (
        os.access(graded.course / "gradebook.db", os.W_OK)
        and (graded.course / "gradebook.db").stat().st_mode & 0o200
    )
    assert (
        not graded.autograded(PROBE).is_symlink()
        and not (graded.autograded(PROBE).parent / "gradebook_link").exists()
    )
    alive = graded.autograded(PROBE).parent / "alive"
    assert alive.exists()  # the detached process ran while its kernel did ...
    size = alive.stat().st_size
    time.sleep(1)
    assert alive.stat().st_size == size  # ... and ended with it
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            running += [cmdline] if PROBE_MARKER.encode() in cmdline.read_bytes() else []
    assert running == []
    assert graded.scores[PROBE] == {part.grade_id: part.points for part in PARTS}  # its work is graded


def test_the_courses_own_notebook_handed_in_is_not_graded_and_named(graded):
    log = graded.autograde.stdout + graded.autograde.stderr
    assert f"{COPIED_SOURCE}: not graded: cell" in log and "a copy of its source notebook" in log
    assert not graded.autograded(COPIED_SOURCE).exists()  # refused before its kernel started


def test_more_epochs_set_by_the_student_still_train_the_grading_epoch(graded):
    assert graded.scores[MORE_EPOCHS] == {part.grade_id: part.points for part in PARTS}
    notebook = nbformat.read(graded.autograded(MORE_EPOCHS), as_version=4)
    (fit,) = [c for c in notebook.cells if "history = model.fit(" in c.source]
    text = "".join(o.get("text", "") for o in fit.outputs)
    assert len(re.findall(r"^\d+/\d+ - \d+s - .*val_accuracy", text, re.M)) == 1, text


@pytest.mark.parametrize("student", [SOLUTION, CHEAT, PAST_TIMEOUT, *sorted(MISTAKES)])
def test_the_feedback_shows_no_hidden_test_and_no_traceback_through_one(graded, student):
    text = graded.feedback_text(student)
    own = "".join(cell.source for cell in graded.submitted[student].cells)  # the student's own words
    for hidden in ("BEGIN HIDDEN TESTS", "CNN_MNIST_GRADED", "savez", "hidden_tests", "judge", "grade_"):
        assert hidden not in text or hidden in own, f"{hidden!r} is in {student}'s feedback"
    autograded = nbformat.read(graded.autograded(student), as_version=4)
    graded_cells = [c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert all("BEGIN HIDDEN TESTS" in c.source for c in graded_cells)  # the instructor's copy keeps them
