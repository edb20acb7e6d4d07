"""Tools for instructors, apart from the student package: they edit and convert notebooks and,
but for the hidden tests, never import TensorFlow.

- ``cnn-regenerate`` (``cnn_instructor.regenerate``): bring everything generated from the lesson up
  to date (``--check``: say what is stale), the steps below included.
- ``cnn-exercise`` (``cnn_instructor.exercise``): write the student exercise from the solution.
- ``cnn-assignment`` (``cnn_instructor.assignment``): write the nbgrader assignment's source
  notebook from the solution, its hidden tests rendered from ``cnn_instructor.hidden_tests`` (the
  one module that imports TensorFlow: it runs in the graded notebook); ``cnn_instructor.release``
  gives nbgrader's release the exercise's hints and skeletons (it imports nbgrader, the ``grade``
  extra).
- ``cnn-slides`` (``cnn_instructor.slides``): write slide decks that work offline.
- ``cnn-plan`` (``cnn_instructor.plan``): a class plan counted from the notebook.

``cnn_instructor.notebook_text`` is where the lesson's text conventions are read (the solution
markers, sections, activities, folded answers); ``cnn_instructor.cli`` is the command line the
generators share.
"""
