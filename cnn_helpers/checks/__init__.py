"""A student's work checked in the student's words: the data (``checks.data``) and the model
(``checks.model``). Each check runs in the cell right after the step it checks."""
