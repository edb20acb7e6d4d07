"""The docs agree with the project: every generated block (cnn_instructor.docs_blocks) is what its
files give, every relative link leads somewhere, README's contributor commands are the ones CI runs,
and README's student commands work on a Python that refuses pip outside a virtual environment."""

from __future__ import annotations

import base64
import os
from pathlib import Path
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from cnn_instructor import assignment, docs_blocks
from cnn_instructor.docs_blocks import BlockError, commands, first_sentence, nbgitpuller_link, update
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from paths import ROOT
import pytest

README = ROOT / "README.md"


# --------------------------------------------------------------------------- the generated blocks
def test_the_docs_generated_blocks_are_up_to_date():
    stale = [path.relative_to(ROOT).as_posix() for path in update(ROOT, check=True)]
    assert stale == [], f"stale: {stale}; run python -m cnn_instructor.docs_blocks"


def _project(tmp_path: Path, doc: str) -> Path:
    """A small project: a README holding ``doc``, a config file, and a notebook with a tagged figure."""
    (tmp_path / "README.md").write_text(doc, encoding="utf-8")
    (tmp_path / "settings.yaml").write_text("limit: 2G\n", encoding="utf-8")
    figure = new_output(
        "display_data",
        data={"image/png": base64.b64encode(b"\x89PNG not really").decode()},
        metadata={"image/png": {"alt": "A [small] picture."}},
    )
    drawn = new_code_cell("draw()", outputs=[figure], metadata={"tags": ["attach:picture.png"]})
    nbformat.write(new_notebook(cells=[new_markdown_cell("# A lesson"), drawn]), tmp_path / "lesson.ipynb")
    return tmp_path


def test_update_writes_what_is_stale_and_check_writes_nothing(tmp_path):
    doc = (
        "Intro.\n<!-- file settings.yaml -->\nold text\n<!-- end -->\n"
        "<!-- points -->\n<!-- end -->\n"
        "<!-- figure lesson.ipynb picture.png -->\n<!-- end -->\n"
        "<!-- commands student -->\n```bash\nhand written\n```\n<!-- end -->\nOutro.\n"
    )
    project = _project(tmp_path, doc)
    readme, image = project / "README.md", project / "docs" / "images" / "picture.png"

    assert update(project, check=True) == [readme, image]
    assert readme.read_text() == doc and not image.exists()  # --check writes nothing

    assert update(project) == [readme, image]
    text = readme.read_text()
    assert "<!-- file settings.yaml -->\n```yaml\nlimit: 2G\n```\n<!-- end -->" in text
    assert "old text" not in text
    assert "![A \\[small\\] picture.](docs/images/picture.png)" in text
    assert image.read_bytes() == b"\x89PNG not really"
    points = docs_blocks.blocks(text, "points")[""]
    assert f"**{assignment.TOTAL_POINTS}**" in points
    assert [row.split(" | ")[1] for row in points.splitlines()[2:-1]] == [
        f"`{part.grade_id}`" for part in assignment.PARTS
    ]
    assert "```bash\nhand written\n```" in text and text.startswith("Intro.\n") and text.endswith("Outro.\n")
    assert update(project) == []  # now up to date

    (project / "settings.yaml").write_text("limit: 1G\n")
    assert update(project, check=True) == [readme]


def test_a_doc_in_docs_is_rendered_with_its_image_path_relative_to_it(tmp_path):
    project = _project(tmp_path, "No blocks.\n")
    (project / "docs").mkdir()
    guide = project / "docs" / "guide.md"
    guide.write_text("<!-- figure lesson.ipynb picture.png -->\n<!-- end -->\n")
    update(project)
    assert "](images/picture.png)" in guide.read_text()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("<!-- flie settings.yaml -->\n<!-- end -->\n", "unknown kind of block 'flie'"),
        ("<!-- file missing.yaml -->\n<!-- end -->\n", "no such file: missing.yaml"),
        ("<!-- file a.yaml b.yaml -->\n<!-- end -->\n", "wrong arguments"),
        (
            "<!-- figure lesson.ipynb other.png -->\n<!-- end -->\n",
            "no figure with alt text tagged attach:other.png",
        ),
        (
            "<!-- nbgitpuller-link a.ipynb https://hub -->\n<!-- end -->\n",
            "a hub and a repository, or neither",
        ),
        ("<!-- file settings.yaml -->\nbody\n", "<!-- file settings.yaml --> has no <!-- end -->"),
        ("<!-- file settings.yaml -->\n<!-- points -->\n<!-- end -->\n", "has no <!-- end --> before line 3"),
        ("text\n<!-- end -->\n", "<!-- end --> without a block above it"),
        ("<!-- file settings.yaml\n<!-- end -->\n", "not a block's marker"),
    ],
)
def test_a_block_that_cannot_be_rendered_is_refused_naming_the_doc(tmp_path, block, message):
    project = _project(tmp_path, "Before.\n" + block)
    before = (project / "README.md").read_text()
    with pytest.raises(BlockError, match=re.escape(message)) as raised:
        update(project)
    assert str(raised.value).startswith("README.md, line "), raised.value
    assert (project / "README.md").read_text() == before  # nothing written


def test_markers_in_fenced_code_are_text_and_a_doc_reads_back_as_it_was(tmp_path):
    shown = "```markdown\n<!-- file settings.yaml -->\nan example, not a block\n<!-- end -->\n```\n"
    project = _project(
        tmp_path, "Before.\n" + shown + "<!-- file settings.yaml -->\nold\n<!-- end -->\nAfter.\n"
    )
    update(project)
    text = (project / "README.md").read_text()
    assert text.startswith("Before.\n" + shown) and text.endswith("<!-- end -->\nAfter.\n")
    assert "old" not in text


def test_the_command_line_checks_and_updates(tmp_path, capsys):
    project = _project(tmp_path, "<!-- file settings.yaml -->\n<!-- end -->\n")
    root = ["--root", str(project)]
    assert docs_blocks.main([*root, "--check"]) == 1
    assert f"{(project / 'README.md').as_posix()} is out of date" in capsys.readouterr().out
    assert docs_blocks.main(root) == 0 and docs_blocks.main([*root, "--check"]) == 0
    with pytest.raises(SystemExit) as raised:
        docs_blocks.main(["--root", str(tmp_path / "none")])
    assert raised.value.code == 2 and "run this from the project's folder" in capsys.readouterr().err
    module = [sys.executable, "-m", "cnn_instructor.docs_blocks", "--check", *root]  # works on its own
    assert subprocess.run(module, capture_output=True, text=True, cwd=ROOT).returncode == 0


def test_the_nbgitpuller_link():
    link = nbgitpuller_link(
        "https://hub.example.edu/", "https://github.com/org/cnn.git", "notebooks/a b.ipynb"
    )
    assert link == (
        "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fcnn.git"
        "&branch=main&urlpath=lab%2Ftree%2Fcnn%2Fnotebooks%2Fa+b.ipynb"
    )
    placeholders = nbgitpuller_link(*docs_blocks.PLACEHOLDERS, "n.ipynb", branch="dev")
    assert (
        placeholders.startswith("https://<hub>/hub/")
        and "%2F<owner>%2F<repository>&branch=dev" in placeholders
    )


def test_first_sentence():
    assert first_sentence("Padding (Adebayo et al. 2018). More.") == "Padding (Adebayo et al. 2018)."
    assert first_sentence("Values, e.g. the\nmean. Two.") == "Values, e.g. the mean."
    assert first_sentence("A list follows:\n- one\n- two") == "A list follows."
    assert first_sentence("Short\n\nThen more.") == "Short."


# --------------------------------------------------------------------------- links
def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(markdown: str) -> set[str]:
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", prose, re.MULTILINE)}


def test_every_relative_link_of_the_docs_leads_to_a_file_and_a_heading():
    broken = []
    for doc in docs_blocks.documents(ROOT):
        text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):  # https:, mailto:, attachment:
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                broken.append(f"{doc.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file.read_text(encoding="utf-8")):
                broken.append(f"{doc.name}: {target} (no such heading)")
    assert broken == []


# --------------------------------------------------------------------------- README's commands
def _tokens(line: str) -> list[str]:
    """A command's words, as the shell splits them, its comment and pip's --quiet left out."""
    return [word for word in shlex.split(line, comments=True) if word not in ("--quiet", "-q")]


def test_ci_runs_readmes_contributor_commands():
    """CI (.ci/run) makes the same virtual environment, installs what README installs (with the
    constraints) and ends with README's test command."""
    make, activate, *inside = [_tokens(line) for line in commands(README, "contributor")]
    ci = [words for words in map(_tokens, (ROOT / ".ci" / "run").read_text().splitlines()) if words]
    assert make[:3] == ["python3", "-m", "venv"] and activate == ["source", ".venv/bin/activate"]
    assert any(words[:3] == make[:3] and words[-1] == make[-1] for words in ci), "CI makes another venv"
    assert activate in ci
    missing = [" ".join(words) for words in inside if words not in ci]
    assert missing == [], f"README's contributor commands that CI does not run: {missing}"
    order = [ci.index(words) for words in inside]
    assert order == sorted(order) and ci[-1] == inside[-1], "CI runs README's commands in another order"
    install = next(words for words in inside if words[:4] == ["python", "-m", "pip", "install"])
    assert install[install.index("-c") + 1] == ".ci/constraints.txt"
    assert inside[-1][:3] == ["python", "-m", "pytest"]


def _externally_managed_python(folder: Path) -> Path:
    """A copy of the Python that runs the tests, outside any virtual environment, with pip and marked
    externally managed as PEP 668 says (an EXTERNALLY-MANAGED file in its stdlib folder), as Debian's,
    Ubuntu's and Homebrew's Pythons are. Its ``bin`` holds ``python3`` only. Returns that ``python3``."""
    stdlib = Path(sysconfig.get_path("stdlib"))  # the base installation's, also from a venv
    copied = folder / stdlib.relative_to(sys.base_prefix)
    skipped = ("site-packages", "dist-packages", "test", "idlelib", "tkinter", "turtledemo", "__pycache__")
    shutil.copytree(stdlib, copied, ignore=shutil.ignore_patterns(*skipped, "EXTERNALLY-MANAGED"))
    python3 = folder / "bin" / "python3"
    python3.parent.mkdir()
    shutil.copy2(Path(sys.executable).resolve(), python3)  # the interpreter itself, not a venv's link
    where = subprocess.run(
        [python3, "-c", "import sys, sysconfig; print(sys.prefix); print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert Path(where[0]) == folder, f"the copy's prefix is {where[0]}, not {folder}"
    import pip

    shutil.copytree(Path(pip.__file__).parent, Path(where[1]) / "pip")
    (copied / "EXTERNALLY-MANAGED").write_text(
        "[externally-managed]\nError=This Python is the system's: make a virtual environment.\n"
    )
    return python3


@pytest.mark.slow  # copies a Python, makes a venv and installs the lesson into it (about a minute, 2.5 GB)
def test_readmes_student_commands_work_where_pip_outside_a_venv_is_refused():
    lines = commands(README, "student")
    *install, open_lesson = lines
    assert _tokens(open_lesson)[:2] == ["jupyter", "lab"]
    with tempfile.TemporaryDirectory() as folder:  # not tmp_path: pytest would keep 2.5 GB
        python3 = _externally_managed_python(Path(folder) / "system")
        project = Path(folder) / "project"  # the files a student downloads, without a venv of ours
        project.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
            shutil.copy2(ROOT / name, project / name)
        for name in ("cnn_helpers", "cnn_instructor", "notebooks"):
            shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")
        } | {"PATH": str(python3.parent)}  # python3 and nothing else: no python, no pip

        def shell(script: str) -> subprocess.CompletedProcess:
            bash = shutil.which("bash") or "/bin/bash"
            return subprocess.run(
                [bash, "-c", script], cwd=project, env=environment, capture_output=True, text=True
            )

        refused = shell("python3 -m pip install nbformat")
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr, refused.stderr

        ran = shell("set -e\n" + "\n".join(install))
        assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-4000:]
        imports = (
            "import cnn_helpers, cnn_helpers.widgets, keras, matplotlib.pyplot, numpy, tensorflow\n"
            "print(cnn_helpers.__file__)"
        )
        lesson = shell(f"source .venv/bin/activate && python -c '{imports}' && jupyter lab --version")
        assert lesson.returncode == 0, lesson.stderr[-4000:]
        assert lesson.stdout.splitlines()[0] == str(project / "cnn_helpers" / "__init__.py")
        assert (project / _tokens(open_lesson)[2]).is_file()
