"""The committed outputs hold for any run, and still catch a broken lesson.

Another seed stands in for another computer: it moves every trained number much further than
another CPU kind does (see CONTRIBUTING.md, "Reproducibility"). Each variant below keeps the
stored outputs and is checked by nbval exactly as ``python -m pytest`` checks the committed
notebooks, bands included.
"""

from __future__ import annotations

import nbvariants
from paths import EXPLORE, LESSON
import pytest

pytestmark = pytest.mark.slow  # every test executes a whole notebook variant


def test_the_lesson_with_another_seed_passes_the_notebook_checks(tmp_path):
    run = nbvariants.run_nbval(nbvariants.with_parameters(nbvariants.read(LESSON), SEED=7), tmp_path)
    assert run.passed and run.failed == [], run.output[-3000:]


def test_the_explore_notebook_with_another_seed_passes_the_notebook_checks(tmp_path):
    """Seed 11: none of the explore notebook's bands was set from it (they were from 42, 7 and 1 to 10)."""
    notebook = nbvariants.with_parameters(nbvariants.read(EXPLORE), SEED=11)
    run = nbvariants.run_nbval(notebook, tmp_path)
    assert run.passed and run.failed == [], run.output[-3000:]


def test_a_lesson_trained_for_one_epoch_fails_at_its_results(tmp_path):
    run = nbvariants.run_nbval(nbvariants.with_parameters(nbvariants.read(LESSON), EPOCHS=1), tmp_path)
    assert run.failed_cells_containing("> 0:  # this cell ran before"), "the epoch lines of one epoch passed"
    assert run.failed_cells_containing("score = model.evaluate("), (
        "a test accuracy of one epoch passed its band"
    )


def test_an_explore_notebook_whose_saliency_is_noise_fails_at_the_faithfulness_verdict(tmp_path):
    """The faithfulness test bites in CI too: with a map of noise in place of the saliency map, the
    stored verdict (every method beats the random order on both curves, both controls fail) is not
    printed again, and that cell fails."""
    explore = nbvariants.replace_in_code(
        nbvariants.read(EXPLORE),
        '"saliency": lambda m, image, c: saliency_map(m, image, c),',
        '"saliency": lambda m, image, c: np.random.default_rng(0).random(np.shape(image)[:2]),',
    )
    run = nbvariants.run_nbval(explore, tmp_path)
    assert run.failed_cells_containing("tables = faithfulness_tables("), run.output[-3000:]


def test_a_lesson_with_unscaled_pixels_stops_at_the_check_of_the_images(tmp_path):
    lesson = nbvariants.replace_in_code(
        nbvariants.read(LESSON),
        'train_images.astype("float32") / 255.0',
        'train_images.astype("float32")',
    )
    run = nbvariants.run_nbval(lesson, tmp_path, stop_at_first_failure=True)
    assert [source for _, source in run.failed] == ["check_images(x_train, x_test)"], run.output[-3000:]


def test_every_cell_of_the_lesson_run_twice_in_a_row_keeps_its_checked_results(tmp_path):
    """A student who runs a cell again gets what the lesson promises. Only the training cell prints
    something more the second time: that it starts again from the untrained weights (a line the
    stored output does not have). Every other cell passes, the results of that new training included."""
    run = nbvariants.run_nbval(nbvariants.run_every_cell_twice(nbvariants.read(LESSON)), tmp_path)
    failed = [source for _, source in run.failed]
    assert failed == [
        "if int(model.optimizer.iterations) > 0:  # this cell ran before: start again from the beginning"
    ], run.output[-3000:]
    assert "restarting from the untrained weights" in run.output


def test_the_explore_notebook_s_training_cell_run_twice_starts_again_from_the_untrained_weights(tmp_path):
    """Run a second time, the training cell does not train the trained weights further: it says it
    restarts (a line the stored output does not have, so that cell alone fails) and every later
    cell keeps its checked results."""
    explore = nbvariants.run_every_cell_twice(nbvariants.read(EXPLORE), starting="BATCH_SIZE, PEAK_LEARNING")
    run = nbvariants.run_nbval(explore, tmp_path)
    assert [first_line for _, first_line in run.failed] == ["BATCH_SIZE, PEAK_LEARNING_RATE = 256, 0.006"], (
        run.output[-3000:]
    )
    assert "restarting from the untrained weights" in run.output


def test_the_core_path_alone_runs_and_keeps_every_checked_result(tmp_path):
    """A class that skips every optional part (sections headed "Optional", cells tagged optional)
    runs the rest to the end, with the same results: nothing in the core leans on them."""
    lesson = nbvariants.read(LESSON)
    core = nbvariants.core_path(lesson)
    assert len(core.cells) < len(lesson.cells) - 15  # the optional layer is there to be skipped
    run = nbvariants.run_nbval(core, tmp_path)
    assert run.passed and run.failed == [], run.output[-3000:]
