"""The exercise generator (cnn-exercise): TODO hints and skeletons, markers refused unless exact,
the committed exercise up to date and free of solutions, and the exercise, once filled in with
the solution's code, being the solution's code (compared with ``ast``) and running (one epoch)."""

from __future__ import annotations

import ast
import copy
import os
import re
import subprocess
import sys

from cnn_instructor.exercise import (
    BEGIN,
    END,
    FOLDED_TAG,
    TODO_MINUTES,
    Block,
    MarkerError,
    exercise_source,
    make_exercise,
    render_exercise,
    skeleton,
    solution_parts,
    split_cell,
)
from cnn_instructor.notebook_text import SOLUTION_LINES
import nbformat
import nbvariants
from paths import EXERCISE, LESSON, ROOT
import pytest


def _exercise_of(source: str) -> str:
    return exercise_source(split_cell(source, 1))


def test_hints_become_todos_and_the_block_its_skeleton():
    source = f"a = 1\n# Normalize the pixels: x\n#   (keep a as it is)\n{BEGIN}\nx = a / 255\n{END}\nprint(x)"
    assert _exercise_of(source) == (
        "a = 1\n# TODO: Normalize the pixels: x\n#       (keep a as it is)\nx = ...\nprint(x)"
    )


def test_skeletons_keep_the_shape_of_the_code():
    assert skeleton("x_train = np.expand_dims(a / 255, -1)\nx_test = b") == "x_train = ...\nx_test = ..."
    assert skeleton("model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Dense(10)])") == (
        "model = keras.Sequential(\n    [\n        # your layers here, one per line, separated by commas\n"
        "    ]\n)"
    )
    assert skeleton("model.compile(loss='mse', optimizer=keras.optimizers.Adam(0.1), metrics=['acc'])") == (
        "model.compile(loss=..., optimizer=..., metrics=[...])"
    )
    assert skeleton("for i in range(3):\n    print(i)") == ""  # other statements: the hint says it all


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "# x\n## BEGIN SOLUTION\nx = 1\n### END SOLUTION",
            r"cell 7, line 2: '## BEGIN SOLUTION' is not a marker",
        ),
        (
            "# x\n### BEGIN SOLUTION\nx = 1\n#### END SOLUTION",
            r"cell 7, line 4: '#### END SOLUTION' is not a",
        ),
        ("# x\n### begin solution\nx = 1\n### END SOLUTION", "cell 7, line 2: '### begin solution' is not"),
        ("# x\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION", r"cell 7, line 2: .*column 0"),
        ("# x\n### BEGIN SOLUTION\nx = 1", r"cell 7, line 2: ### BEGIN SOLUTION has no ### END SOLUTION"),
        ("x = 1\n### END SOLUTION", r"cell 7, line 2: ### END SOLUTION without ### BEGIN SOLUTION"),
        (f"# x\n{BEGIN}\n{BEGIN}\nx = 1\n{END}\n{END}", r"cell 7, line 3: .* inside another solution block"),
        (f"# x\n{BEGIN}\n\n{END}", r"cell 7, line 2: the solution block is empty"),
        (f"{BEGIN}\nx = 1\n{END}", "cell 7, line 1: put a comment right above"),
        (f"# Compute it\n{BEGIN}\nx_train = 1\n{END}", r"should name what it creates: \['x_train'\]"),
        (f"# x\n{BEGIN}\nx = (\n{END}", "cell 7: the cell is not valid Python"),
    ],
)
def test_unrecognised_markers_are_errors_with_the_cell_number(source, message):
    with pytest.raises(MarkerError, match=message):
        split_cell(source, 7)


def test_blocks_inside_a_call_or_a_list_keep_their_indentation():
    source = (
        "model.compile(\n    optimizer='adam',\n    # The loss and the metric\n"
        f"{BEGIN}\n    loss='mse',\n    metrics=['accuracy'],\n{END}\n)"
    )
    assert _exercise_of(source) == (
        "model.compile(\n    optimizer='adam',\n    # TODO: The loss and the metric\n    loss=...,\n"
        "    metrics=[...],\n)"
    )
    source = (
        "m = f(\n    [\n        a,\n        # Two more layers: b and c\n        #   (in this order)\n"
        f"{BEGIN}\n        b,\n        c,\n{END}\n        d,\n    ]\n)"
    )
    assert _exercise_of(source) == (
        "m = f(\n    [\n        a,\n        # TODO: Two more layers: b and c\n"
        "        #       (in this order)\n        d,\n    ]\n)"
    )
    with pytest.raises(MarkerError, match="cell 3: the cell is not valid Python"):
        split_cell(f"f(\n    # x\n{BEGIN}\n    import os\n{END}\n)", 3)
    with pytest.raises(MarkerError, match="inside a call should be keyword arguments"):
        split_cell(f"f(\n    # x\n{BEGIN}\n    x,\n{END}\n)", 3)


def _cell_with_regions(source: str, regions) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[SOLUTION_LINES] = regions
    return cell


def test_a_todo_says_how_long_to_give_it_when_the_lesson_says_so():
    cell = _cell_with_regions("# Scale it: x\n#   (divide)\nx = a / 255", [[3, 3]])
    cell.metadata[TODO_MINUTES] = 6
    check = nbformat.v4.new_code_cell("check_x(x)")
    exercise = make_exercise(nbformat.v4.new_notebook(cells=[cell, check]))
    todo, checked, folded = exercise.cells
    assert (
        todo.source == "# Time for this TODO: about 6 minutes\n# TODO: Scale it: x\n#       (divide)\nx = ..."
    )
    assert TODO_MINUTES not in todo.metadata and checked.source == "check_x(x)"
    assert FOLDED_TAG in folded.metadata["tags"]  # after the check, where its message sends the student
    cell.metadata[TODO_MINUTES] = "six"
    with pytest.raises(MarkerError, match="todo_minutes should be a whole number of minutes"):
        make_exercise(nbformat.v4.new_notebook(cells=[cell]))
    plain = nbformat.v4.new_code_cell("x = 1", metadata={TODO_MINUTES: 3})
    with pytest.raises(MarkerError, match="cell 1: todo_minutes on a cell with no lines for a student"):
        make_exercise(nbformat.v4.new_notebook(cells=[plain, cell]))


def test_a_block_inside_a_loop_is_statements_not_arguments():
    """What encloses a block decides its skeleton: a loop's body keeps statements, checked like a
    cell's (the hints name what it creates), while the same text inside a call is keyword arguments."""
    loop = f"for i in range(3):\n    # Double it: x\n{BEGIN}\n    x = i * 2\n{END}\n    print(x)"
    assert _exercise_of(loop) == "for i in range(3):\n    # TODO: Double it: x\n    x = ...\n    print(x)"
    call = f"f(\n    # Double it: x\n{BEGIN}\n    x = i * 2,\n{END}\n)"
    assert _exercise_of(call) == "f(\n    # TODO: Double it: x\n    x=...,\n)"
    with pytest.raises(MarkerError, match="should name what it creates"):
        split_cell(f"for i in range(3):\n    # Something\n{BEGIN}\n    x = i * 2\n{END}", 4)


def test_regions_named_in_metadata_are_blocks_and_a_folded_answer_follows():
    cell = _cell_with_regions("a = 1\n# Scale it: x\nx = a / 255\nprint(x)", [[3, 3]])
    exercise = make_exercise(nbformat.v4.new_notebook(cells=[cell]))
    todo, folded = exercise.cells
    assert todo.source == "a = 1\n# TODO: Scale it: x\nx = ...\nprint(x)"
    assert SOLUTION_LINES not in todo.metadata
    assert folded.cell_type == "markdown" and folded.metadata["tags"] == [FOLDED_TAG]
    assert folded.source.startswith("<details>") and "```python\nx = a / 255\n```" in folded.source


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([[3, 5]], r"cell 1: solution_lines region \[3, 5\] is not \[first, last\]"),
        ([[0, 1]], "is not"),
        ([[3]], "is not"),
        ("3-3", "should be a list"),
        ([[3, 3], [3, 3]], "overlap"),
        ([[2, 3]], "starts or ends on a blank line"),
    ],
)
def test_regions_that_do_not_fit_the_cell_are_errors(regions, message):
    cell = _cell_with_regions("a = 1\n\nx = a / 255\nprint(x)", regions)
    with pytest.raises(MarkerError, match=message):
        make_exercise(nbformat.v4.new_notebook(cells=[cell]))


def test_a_notebook_without_blocks_is_an_error():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(MarkerError, match="nothing to turn into an exercise"):
        make_exercise(notebook)


def test_committed_exercise_is_generated_from_the_solution():
    assert EXERCISE.read_text(encoding="utf-8") == render_exercise(LESSON), "run: cnn-exercise"


def _blocks(notebook):
    for number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type == "code":
            for part in solution_parts(cell, number):
                if isinstance(part, Block):
                    yield number, part


def _without_folded(exercise):
    """The exercise without its folded answers: one cell for each of the solution's."""
    notebook = copy.deepcopy(exercise)
    notebook.cells = [c for c in notebook.cells if FOLDED_TAG not in c.metadata.get("tags", [])]
    return notebook


def test_exercise_leaks_no_solution_and_names_every_variable():
    solution = nbformat.read(LESSON, as_version=4)
    exercise = nbformat.read(EXERCISE, as_version=4)
    text = "\n".join(c.source for c in exercise.cells if c.cell_type == "code")
    assert "SOLUTION" not in text
    blocks = list(_blocks(solution))
    assert len(blocks) == 4
    assert not any(SOLUTION_LINES in c.metadata for c in exercise.cells)
    lines = {line.strip() for line in text.splitlines()}
    for number, block in blocks:
        cell = solution.cells[number - 1]  # lines given in the cell, outside its blocks, may repeat
        given = {p for p in solution_parts(cell, number) if isinstance(p, str)}
        for line in set(block.code.splitlines()) - set(block.skeleton.splitlines()) - given:
            if len(line.strip()) > 3:
                assert line.strip() not in lines, f"solution line in the exercise: {line!r}"
    todos = " ".join(re.findall(r"#(?: TODO:| {6}) (.*)", text))  # hints and their continuations
    for name in ("x_train", "x_test", "y_train", "y_test", "Flatten", "Dense", "Dropout", "loss", "metrics"):
        assert re.search(rf"\b{name}\b", todos), name
    # The seed's steps stay the student's: the model's layers inside the given list, and the
    # compile call's loss and metric
    assert "model = keras.Sequential(\n    [\n" in text
    assert "    loss=...,\n    metrics=[...],\n)" in text
    assert "x_train = ...\nx_test = ..." in text and "y_train = ...\ny_test = ..." in text


def test_each_todo_cell_is_followed_by_its_folded_answer():
    solution = nbformat.read(LESSON, as_version=4)
    exercise = nbformat.read(EXERCISE, as_version=4)
    blocks = dict(_blocks(solution))
    folded = [i for i, c in enumerate(exercise.cells) if FOLDED_TAG in c.metadata.get("tags", [])]
    assert len(folded) == len(blocks) == 4
    for i, block in zip(folded, blocks.values(), strict=True):
        assert "# TODO" in exercise.cells[i - 2].source  # the TODO, then its check, then the answer
        assert exercise.cells[i - 1].source.startswith("check_")
        text = exercise.cells[i].source
        assert text.startswith("<details>") and text.endswith("</details>")
        assert f"```python\n{block.code}\n```" in text


def test_exercise_keeps_everything_else():
    solution = nbformat.read(LESSON, as_version=4)
    exercise = _without_folded(nbformat.read(EXERCISE, as_version=4))
    assert len(exercise.cells) == len(solution.cells)
    for sol, ex in zip(solution.cells, exercise.cells, strict=True):
        kept = {k: v for k, v in sol.metadata.items() if k not in (SOLUTION_LINES, TODO_MINUTES)}
        assert ex.metadata == kept and ex.cell_type == sol.cell_type
        if ex.cell_type == "code":
            assert ex.outputs == [] and ex.execution_count is None
        if SOLUTION_LINES not in sol.metadata:
            assert ex.source == sol.source
        else:
            assert ex.source.count("# Time for this TODO: about ") == 1


def test_make_exercise_leaves_the_solution_untouched():
    solution = nbformat.read(LESSON, as_version=4)
    before = copy.deepcopy(solution)
    make_exercise(solution)
    assert solution == before


def _cli(*args, cwd=ROOT, env=None):
    return subprocess.run(
        [sys.executable, "-m", "cnn_instructor.exercise", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.mark.slow  # six runs of the command, each a new Python
def test_command_line(tmp_path):
    result = _cli("--help")
    assert result.returncode == 0 and "usage: cnn-exercise" in result.stdout and "--check" in result.stdout
    result = _cli("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout
    result = _cli(str(tmp_path / "nowhere.ipynb"))
    assert result.returncode == 2 and "solution notebook not found" in result.stderr
    result = _cli(cwd=tmp_path)  # the default path is relative to the current folder
    assert result.returncode == 2 and "run this from the project's folder" in result.stderr
    (tmp_path / "broken.ipynb").write_text("{not json")
    result = _cli(str(tmp_path / "broken.ipynb"))
    assert result.returncode == 2 and "broken.ipynb" in result.stderr
    out = tmp_path / "ex.ipynb"
    result = _cli(str(LESSON), "-o", str(out))
    assert result.returncode == 0 and out.read_text(encoding="utf-8") == EXERCISE.read_text(encoding="utf-8")


@pytest.mark.slow  # two new Pythons
def test_the_generator_runs_without_tensorflow(tmp_path):
    blocker = tmp_path / "sitecustomize.py"  # make "import tensorflow" and "import keras" fail
    blocker.write_text("import sys\nsys.modules['tensorflow'] = None\nsys.modules['keras'] = None\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, capture_output=True)
    assert probe.returncode != 0  # the blocker works
    result = _cli(str(LESSON), "-o", str(tmp_path / "ex.ipynb"), env=env)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- filled-in exercise
def _filled_in(solution, exercise):
    """``exercise`` (a copy) with each TODO block replaced by the solution's hints and code: what a
    student who wrote exactly the solution's code would have."""
    filled_in, filled = _without_folded(exercise), 0
    for number, (sol, ex) in enumerate(zip(solution.cells, filled_in.cells, strict=True), 1):
        if ex.cell_type != "code" or "# TODO" not in ex.source:
            continue
        for part in solution_parts(sol, number):
            if isinstance(part, Block):
                todo = exercise_source([part])
                assert ex.source.count(todo) == 1, f"cell {number}: TODO block not found"
                ex.source = ex.source.replace(todo, "\n".join([*part.hints, part.code]))
                filled += 1
    assert filled == 4
    assert "# TODO" not in "\n".join(c.source for c in filled_in.cells if c.cell_type == "code")
    return filled_in


def _code_differences(notebook, reference):
    """Numbers (1-based) of the code cells whose code, parsed with ``ast``, differs between the two
    notebooks; comments, blank lines and formatting do not count."""
    from IPython.core.inputtransformer2 import TransformerManager

    def tree(source):
        return ast.dump(ast.parse(TransformerManager().transform_cell(source)))  # magics too

    assert len(notebook.cells) == len(reference.cells)
    return [
        number
        for number, (cell, ref) in enumerate(zip(notebook.cells, reference.cells, strict=True), 1)
        if (cell.cell_type, ref.cell_type) != ("markdown", "markdown")
        and (cell.cell_type != ref.cell_type or tree(cell.source) != tree(ref.source))
    ]


def test_exercise_filled_with_the_solution_is_the_solutions_code():
    """Cell by cell, the exercise filled in with the solution's blocks is the solution's code: the
    exercise was made from this solution, and nothing else in it differs."""
    solution = nbformat.read(LESSON, as_version=4)
    exercise = nbformat.read(EXERCISE, as_version=4)
    assert _code_differences(_filled_in(solution, exercise), solution) == []


def test_the_code_comparison_sees_a_changed_line():
    """A solution changed outside its blocks (and the exercise not made again) no longer matches."""
    solution = nbformat.read(LESSON, as_version=4)
    exercise = nbformat.read(EXERCISE, as_version=4)
    changed = copy.deepcopy(solution)
    number, cell = next(
        (n, c)
        for n, c in enumerate(changed.cells, 1)
        if c.cell_type == "code" and "BATCH_SIZE = 256" in c.source
    )
    cell.source = cell.source.replace("BATCH_SIZE = 256", "BATCH_SIZE = 128")
    assert _code_differences(_filled_in(solution, exercise), changed) == [number]
    reformatted = copy.deepcopy(solution)  # comments and layout are not code
    reformatted.cells[number - 1].source = cell.source.replace(
        "BATCH_SIZE = 128", "BATCH_SIZE  =  256  # a comment"
    )
    assert _code_differences(_filled_in(solution, exercise), reformatted) == []


@pytest.mark.slow  # runs the whole filled-in exercise, one epoch of training
def test_exercise_filled_with_the_solution_runs_with_one_epoch(tmp_path):
    """The filled-in exercise runs top to bottom (one epoch instead of the lesson's, injected by
    papermill after the cell tagged ``parameters``), trains, and reaches the solution's last cell."""
    solution = nbformat.read(LESSON, as_version=4)
    filled_in = _filled_in(solution, nbformat.read(EXERCISE, as_version=4))
    executed = nbvariants.execute(filled_in, tmp_path, EPOCHS=1)
    code = [c for c in executed.cells if c.cell_type == "code"]
    injected = [c for c in code if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "EPOCHS = 1" in injected[0].source
    assert all(c.execution_count is not None for c in code), "a cell did not run"
    text = "\n".join(o.get("text", "") for c in code for o in c.outputs)
    epochs = re.findall(r"^\d+/\d+ - \d+s - .*val_accuracy: [0-9.]+ - val_loss: [0-9.]+$", text, re.MULTILINE)
    assert len(epochs) == 1, f"not one epoch of training: {epochs}"  # (Keras prints no "Epoch 1/1")
    accuracy = float(re.search(r"^Test accuracy: (0\.\d+)", text, re.MULTILINE).group(1))
    assert accuracy > 0.9, f"one epoch of the filled-in exercise reached only {accuracy}"
