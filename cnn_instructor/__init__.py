"""Tools for instructors, apart from the student package: they edit and convert notebooks and
never import TensorFlow.

- ``cnn-exercise`` (``cnn_instructor.exercise``): write the student exercise from the solution.
- ``cnn-slides`` (``cnn_instructor.slides``): write slide decks that work offline.
- ``cnn-assignment`` (``cnn_instructor.assignment``): write the nbgrader assignment's source
  notebook from the solution; ``cnn_instructor.release`` gives nbgrader's release the exercise's
  hints and skeletons (it imports nbgrader, the ``grade`` extra).
"""
