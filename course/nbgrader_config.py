"""nbgrader's settings for the course that grades the lesson's exercise (assignment ``cnn_mnist``).

Run nbgrader from this folder (or pass ``--CourseDirectory.root=<this folder>``); docs/grading.md
gives the commands. It needs the lesson's package with its ``grade`` extra
(``pip install -e ".[grade]"`` in the lesson's repository).
"""

from cnn_instructor.feedback import feedback_preprocessors
from cnn_instructor.grading import autograde_preprocessors
from cnn_instructor.release import release_preprocessors

c = get_config()  # noqa: F821  (nbgrader's config loader provides get_config)

# The course's id: nbgrader's exchange (release_assignment, collect) files assignments under it.
# Give your course's own.
c.CourseDirectory.course_id = "cnn_mnist_course"

# The release keeps the exercise's TODO hints and skeletons (notebooks/cnn_mnist_exercise.ipynb)
# instead of nbgrader's one-line stub in place of each solution block.
c.GenerateAssignment.preprocessors = release_preprocessors()

# Autograde runs each submission's kernel in a bubblewrap sandbox (cnn_instructor.sandbox), sets the
# grading epochs in the training cell, and takes each graded cell's result from a fresh process that
# judges the objects the cell saved (cnn_instructor.judge), not from the student's kernel. It also
# writes tamper_report.csv beside the grades. docs/grading.md, "What grading protects".
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# Feedback shows each graded cell's check and its message, without the hidden region or tracebacks.
c.GenerateFeedback.preprocessors = feedback_preprocessors()

# The sandbox's limit on each process's address space. Where bubblewrap cannot start a sandbox
# (not installed, or no user namespaces), grading stops; to grade without one anyway, knowingly:
#     c.GradingSandbox.grade_without_sandbox = True
c.GradingSandbox.memory_limit = "6G"

# Seconds per cell. Grading trains one epoch (the assignment's cell after the parameters); that cell,
# the longest, took 6–7 s on one core of a 2-core AMD EPYC VM (benchmarks/README.md, "Grading time").
# 60 s leaves room for a machine several times slower, or a hub busy with a class; nbgrader's
# default, 30 s, leaves less.
c.Execute.timeout = 60
# A cell that runs past the timeout is interrupted and named in the log; the cells after it still
# run, so the parts before it keep their points.
c.Execute.interrupt_on_timeout = True
# Seconds for all the cells of one submission (about 45 s here): a kernel that ignores interrupts
# is stopped there, each later cell given a second.
c.SandboxedExecute.submission_timeout = 900
