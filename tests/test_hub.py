"""A whole class on one server: a real JupyterHub (from PyPI, its proxy from npm) on loopback, with
the dummy authenticator and local-process servers (testbed/hubserver.py). Nothing is mocked.

- Three students log in through the hub's login form and run the lesson in their own servers at
  the same time, through the hub's proxy (REST API and kernel WebSocket, as JupyterLab does);
  while they train, a fourth student logs in and gets JupyterLab.
- The nbgitpuller link the docs give (docs/hub.md, ``nbgitpuller_link``), pointed at a local git
  repository, hands the lesson to a student in a real browser; the student runs it and saves it
  with a note; the instructor changes the repository; the same link again brings the instructor's
  change and keeps the student's work.
- hub/: the configurations docs/hub.md shows load in JupyterHub and agree with each other.

The runs are short: papermill's convention, a cell injected after the notebook's ``parameters`` cell.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import re
import shutil
import subprocess
import threading
import time
import tomllib
from urllib.parse import parse_qsl, urlsplit

from browser import offline_page
from cnn_instructor.docs_blocks import nbgitpuller_link
import nbformat
from paths import LESSON, ROOT
import pytest
import requests

from testbed.hubserver import jupyterhub_server
from testbed.remote_kernel import get_notebook, put_notebook, run_notebook, stream_text

# Two epochs: with one, the lesson's one-cycle schedule would decay over (EPOCHS - 1) = 0 steps,
# which Keras refuses.
SHORT_RUN = {"EPOCHS": 2}
TEST_ACCURACY = re.compile(r"^Test accuracy: (0\.9\d+)$", re.MULTILINE)


def short_run(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with ``SHORT_RUN`` in a cell right after its ``parameters`` cell, as papermill does.

    papermill's own ``parameterize_notebook`` wants notebooks read by its loader, which adds its
    metadata to every cell; a student's saved copy must differ from the lesson by the run only.
    """
    tagged = [i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert tagged, "the notebook has no cell tagged `parameters`"
    source = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in SHORT_RUN.items())
    injected = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(tagged[0] + 1, injected)
    return notebook


def assert_ran_the_lesson(notebook: nbformat.NotebookNode, who: str) -> None:
    """Every code cell ran, none failed, and the lesson printed its test accuracy."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code), f"{who}: a code cell did not run"
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert errors == [], f"{who}: {errors}"
    assert TEST_ACCURACY.search(stream_text(notebook)), f"{who}: no test accuracy line"
    assert "EPOCHS = 2" in "".join(cell.source for cell in code), f"{who}: not the short run"


@pytest.fixture(scope="module")
def hub(tmp_path_factory, mnist_file):
    """One hub for this module; MNIST reaches the students' kernels through MNIST_NPZ."""
    environment = {"MNIST_NPZ": str(mnist_file)}
    with jupyterhub_server(tmp_path_factory.mktemp("hub"), environment=environment) as running:
        yield running


# --------------------------------------------------------------------------- three students at once
@pytest.mark.slow  # a real JupyterHub, its students' servers (and a browser)
def test_three_students_run_the_lesson_at_once_while_a_fourth_logs_in(hub):
    students = ["alice", "bob", "carol"]
    lesson = short_run(nbformat.read(LESSON, as_version=4))
    for name in students:
        hub.login(name)  # the login form; the hub then starts the student's server
    tokens = {}
    for name in students:
        hub.wait_for_server(name)
        tokens[name] = hub.user_token(name)
        put_notebook(hub.server_url(name), tokens[name], LESSON.name, lesson)
    # Each student's token opens their own server only.
    alice = {"Authorization": f"token {tokens['alice']}"}
    assert requests.get(f"{hub.server_url('bob')}api/contents", headers=alice, timeout=30).status_code == 403

    training = {name: threading.Event() for name in students}
    trained_at: dict[str, float] = {}

    def run(name: str) -> nbformat.NotebookNode:
        def before(index, cell):
            if "model.fit(" in cell.source:
                training[name].set()

        def after(index, cell):
            if "model.fit(" in cell.source:
                trained_at[name] = time.monotonic()

        server = hub.server_url(name)
        return run_notebook(server, tokens[name], LESSON.name, before_cell=before, after_cell=after)

    with ThreadPoolExecutor(len(students)) as pool:
        runs = {name: pool.submit(run, name) for name in students}
        deadline = time.monotonic() + 600
        while not all(event.is_set() for event in training.values()):
            failed = [future for future in runs.values() if future.done()]
            if failed:
                failed[0].result()  # a run ended before its training: its error, here
                raise AssertionError("a run ended before the others started training")
            assert time.monotonic() < deadline, "the three students did not all reach training in 10 minutes"
            time.sleep(0.2)
        # All three are training: a fourth student logs in, and JupyterLab opens for them.
        start = time.monotonic()
        dave = hub.login("dave")
        logged_in_at = time.monotonic()
        hub.wait_for_server("dave")
        lab = dave.get(f"{hub.server_url('dave')}lab", timeout=180)
        lab_at = time.monotonic()
        executed = {name: future.result() for name, future in runs.items()}

    print(
        f"while three students trained: a fourth login answered in {logged_in_at - start:.1f} s, "
        f"its JupyterLab page in {lab_at - start:.1f} s"
    )
    assert lab.status_code == 200 and lab.url == f"{hub.server_url('dave')}lab"
    assert "JupyterLab" in lab.text
    assert all(logged_in_at < trained_at[name] for name in students), "the fourth login came after a training"
    for name, notebook in executed.items():
        assert_ran_the_lesson(notebook, name)
        print(f"{name}: {TEST_ACCURACY.search(stream_text(notebook)).group(0)}")


# --------------------------------------------------------------------------- nbgitpuller
def link_to(hub_url: str, repository: Path) -> str:
    """The docs' nbgitpuller link to the lesson, for the hub at ``hub_url`` and the git repository in
    the folder ``repository``."""
    return nbgitpuller_link(hub_url, repository.as_uri(), f"notebooks/{LESSON.name}")


def git(folder: Path, *args: str) -> None:
    identity = ["-c", "user.name=Instructor", "-c", "user.email=instructor@example.org"]
    subprocess.run(["git", *identity, *args], cwd=folder, check=True, capture_output=True)


def open_link(page, link: str, lands_on: str) -> None:
    page.goto(link)
    if "/hub/login" in page.url:  # the first time: the hub's login form
        page.fill("#username_input", "erin")
        page.fill("#password_input", "any")
        page.click("#login_submit")
    page.wait_for_url(re.compile(re.escape(lands_on) + "$"), timeout=300_000)


@pytest.mark.slow  # a real JupyterHub, its students' servers (and a browser)
def test_an_nbgitpuller_link_hands_out_the_lesson_and_a_second_pull_keeps_the_students_work(hub, tmp_path):
    # The instructor's repository, with the lesson.
    origin = tmp_path / "cnn-mnist-course"
    (origin / "notebooks").mkdir(parents=True)
    shutil.copy2(LESSON, origin / "notebooks" / LESSON.name)
    git(origin, "init", "--quiet", "--initial-branch=main")
    git(origin, "add", ".")
    git(origin, "commit", "--quiet", "-m", "The lesson")

    source = origin / "notebooks" / LESSON.name
    link, path = link_to(hub.url, origin), f"{origin.name}/notebooks/{LESSON.name}"
    pulled = hub.home("erin") / path
    with offline_page(allowed_origin=hub.url.rstrip("/")) as (page, refused):
        # First click: log in, the server starts, nbgitpuller clones, JupyterLab opens the lesson.
        open_link(page, link, f"{hub.server_url('erin')}lab/tree/{path}")
        assert pulled.read_bytes() == source.read_bytes()
        page.goto("about:blank")

        # The student runs the pulled lesson (a short run) and saves it, with a note of their own.
        server, token = hub.server_url("erin"), hub.user_token("erin")
        put_notebook(server, token, path, short_run(get_notebook(server, token, path)))
        executed = run_notebook(server, token, path)
        assert_ran_the_lesson(executed, "erin")
        note = "My note: my own run's test accuracy is above."
        accuracy = next(i for i, c in enumerate(executed.cells) if TEST_ACCURACY.search(stream_text_of(c)))
        executed.cells.insert(accuracy + 1, nbformat.v4.new_markdown_cell(note))
        put_notebook(server, token, path, executed)

        # The instructor changes another cell, adds a file, commits.
        change = "**From your instructor:** bring one question about the confusion matrix."
        lesson = nbformat.read(source, as_version=4)
        lesson.cells[0].source += "\n\n" + change
        nbformat.write(lesson, source)
        (origin / "notebooks" / "homework.md").write_text("# Homework\n\nTrain with SEED = 1 and compare.\n")
        git(origin, "add", ".")
        git(origin, "commit", "--quiet", "-m", "A note for the class, and homework")

        # Second click on the same link: the merge.
        open_link(page, link, f"{server}lab/tree/{path}")
    assert refused == [], "the link needed more than the hub"

    merged = nbformat.read(pulled, as_version=4)
    nbformat.validate(merged)
    assert merged.cells[0].source.endswith(change), "the instructor's change did not arrive"
    assert (pulled.parent / "homework.md").is_file(), "the instructor's new file did not arrive"
    assert any(cell.source == note for cell in merged.cells), "the student's note was lost"
    assert stream_text(merged) == stream_text(executed), "the student's run (its outputs) was lost"
    assert "EPOCHS = 2" in "".join(cell.source for cell in merged.cells), "the student's settings were lost"


def stream_text_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream")


# --------------------------------------------------------------------------- the hub's settings
def test_the_hub_configurations_load_in_jupyterhub_and_agree():
    from jupyterhub.spawner import Spawner
    from traitlets.config import Config, PyFileConfigLoader
    import yaml

    hub_config = ROOT / "hub" / "jupyterhub_config.py"
    z2jh_config = ROOT / "hub" / "config.yaml"

    config = PyFileConfigLoader(hub_config.name, path=str(hub_config.parent)).load_config()
    one_server = Spawner(config=config)  # JupyterHub's own traits parse "2G" and the rest
    values = yaml.safe_load(z2jh_config.read_text())["singleuser"]
    kubernetes = Spawner(
        config=Config(
            Spawner={
                "mem_limit": values["memory"]["limit"],
                "mem_guarantee": values["memory"]["guarantee"],
                "cpu_limit": values["cpu"]["limit"],
                "default_url": values["defaultUrl"],
                "environment": values["extraEnv"],
            }
        )
    )
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    name, tag = config.DockerSpawner.image.rsplit(":", 1)
    assert config.JupyterHub.spawner_class == "docker"
    assert tag == values["image"]["tag"] == version, "the image is tagged with the helpers' version"
    assert values["image"]["name"].endswith("/" + name)
    for trait in ("mem_limit", "mem_guarantee", "cpu_limit", "default_url"):
        assert getattr(one_server, trait) == getattr(kubernetes, trait), trait
    assert 0 < one_server.mem_guarantee < one_server.mem_limit
    threads = str(int(one_server.cpu_limit))  # TensorFlow's thread pools as wide as the CPU limit
    for environment in (one_server.environment, kubernetes.environment):
        assert environment["TF_NUM_INTRAOP_THREADS"] == environment["TF_NUM_INTEROP_THREADS"] == threads
    # The default URL opens JupyterLab, where the docs' link opens the lesson.
    link = nbgitpuller_link(
        "https://hub.example.edu", "https://github.com/example-org/cnn-mnist", "lesson.ipynb"
    )
    urlpath = dict(parse_qsl(urlsplit(link).query))["urlpath"]
    assert urlpath.startswith(one_server.default_url.strip("/") + "/tree/")
