"""nbgrader's settings for the course that grades the lesson's exercise (assignment ``cnn_mnist``).

Run nbgrader from this folder (or pass ``--CourseDirectory.root=<this folder>``); docs/grading.md
gives the commands. It needs the lesson's package with its ``grade`` extra
(``pip install -e ".[grade]"`` in the lesson's repository).
"""

from cnn_instructor.release import release_preprocessors

c = get_config()  # noqa: F821  (nbgrader's config loader provides get_config)

# The course's id: nbgrader's exchange (release_assignment, collect) files assignments under it.
# Give your course's own.
c.CourseDirectory.course_id = "cnn_mnist_course"

# The release keeps the exercise's TODO hints and skeletons (notebooks/cnn_mnist_exercise.ipynb)
# instead of nbgrader's one-line stub in place of each solution block.
c.GenerateAssignment.preprocessors = release_preprocessors()

# Seconds per cell. Grading trains one epoch (the assignment's cell after the parameters); that cell,
# the longest, took 6–7 s on one core of a 2-core AMD EPYC VM (benchmarks/README.md, "Grading time").
# 60 s leaves room for a machine several times slower, or a hub busy with a class; nbgrader's
# default, 30 s, leaves less.
c.Execute.timeout = 60
# A cell that runs past the timeout stops that submission, which is left ungraded and named in the
# log; autograde grades the other submissions and exits with status 1. (nbgrader's default would
# interrupt the cell, grade the rest of the notebook, and exit with status 0.)
c.Execute.interrupt_on_timeout = False
