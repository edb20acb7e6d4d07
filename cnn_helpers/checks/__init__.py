"""A student's work checked in the student's words: the data (``checks.data``) and the model
(``checks.model``). Each check runs in the cell right after the step it checks, and prints one line
of what it verified or raises ``NotReadyError`` (``checks.base``) saying what to fix."""
