"""The benchmarks: how fast, how large and how long the lesson is on a real machine.

Each is a module run from the repository's root, ``python -m benchmarks.<name>``:

- ``bench``: the lesson's speed against the Keras example's, measured side by side;
- ``memory``: the notebooks inside memory limits as a hub sets them, and a per-cell profile;
- ``capacity``: how many students one server holds (the lesson run 1, 2 and 4 times at once);
- ``grading``: how long nbgrader takes to autograde a submission, and so a class;
- ``augmentation``: what training on shifted digits teaches the explore notebook's model.

They start servers and courses with ``testbed``, as the tests do; their own logic is tested in
``tests/test_bench.py``, ``tests/test_memory_bench.py``, ``tests/test_capacity.py``,
``tests/test_grading_bench.py`` and ``tests/test_augmentation_bench.py``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the repository
LESSON = ROOT / "notebooks" / "cnn_mnist.ipynb"
EXPLORE = ROOT / "notebooks" / "cnn_mnist_explore.ipynb"
