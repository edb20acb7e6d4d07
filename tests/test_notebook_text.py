"""cnn_instructor.notebook_text: the one reader of the solution markers, which every instructor tool
uses (cnn-exercise, cnn-assignment, cnn-plan, nbgrader's release), and the lesson's markdown
conventions (activities, quizzes, folded answers)."""

from __future__ import annotations

from cnn_instructor.exercise import Block, split_cell
from cnn_instructor.notebook_text import (
    BEGIN,
    END,
    Marked,
    MarkerError,
    folded,
    lead_ins,
    quiz_questions,
    split_marked,
    without_folded,
)
from cnn_instructor.plan import code_lines
import pytest


def test_marked_text_splits_into_its_lines_and_blocks():
    source = f"a = f(\n    b=1,\n    # the rest: c\n{BEGIN}\n    c=2,\n\n    d=3,\n{END}\n)"
    assert split_marked(source) == [
        "a = f(",
        "    b=1,",
        "    # the rest: c",
        Marked(4, ("    c=2,", "", "    d=3,")),
        ")",
    ]
    assert split_marked("x = 1") == ["x = 1"]


REFUSED = [
    (
        "# x\n## BEGIN SOLUTION\nx = 1\n### END SOLUTION",
        r"cell 7, line 2: '## BEGIN SOLUTION' is not a marker",
    ),
    ("# x\n### begin solution\nx = 1\n### END SOLUTION", r"cell 7, line 2: '### begin solution' is not"),
    ("# x\n### BEGIN SOLUTION\nx = 1\n#### END SOLUTION", r"cell 7, line 4: '#### END SOLUTION' is not"),
    ("# x\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION", r"cell 7, line 2: .*column 0"),
    ("# x\n### BEGIN SOLUTION\nx = 1", "cell 7, line 2: ### BEGIN SOLUTION has no ### END SOLUTION"),
    ("x = 1\n### END SOLUTION", "cell 7, line 2: ### END SOLUTION without ### BEGIN SOLUTION"),
    (f"# x\n{BEGIN}\n{BEGIN}\nx = 1\n{END}\n{END}", "cell 7, line 3: .* inside another solution block"),
    (f"# x\n{BEGIN}\n  \n{END}", "cell 7, line 2: the solution block is empty"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED)
def test_every_tool_refuses_the_same_markers_with_the_same_message(source, message):
    with pytest.raises(MarkerError, match=message):
        split_marked(source, "cell 7")
    with pytest.raises(MarkerError, match=message):  # cnn-exercise, cnn-assignment, the release
        split_cell(source, 7)
    with pytest.raises(MarkerError, match=message):  # cnn-plan
        code_lines(source, "cell 7")


def test_every_tool_finds_the_same_blocks():
    source = (
        f"# Scale: x\n{BEGIN}\nx = a / 255\n{END}\nprint(x)\n# And: y and z\n{BEGIN}\ny = 2\nz = 3\n{END}"
    )
    blocks = [p for p in split_cell(source, 1) if isinstance(p, Block)]
    assert [b.code.count("\n") + 1 for b in blocks] == code_lines(source)[1] == [1, 2]


def test_activities_are_bold_lead_ins_at_the_start_of_a_paragraph():
    text = (
        "**Predict, then run.** What?\n\n*Optional (skip in class).* **Your turn.** Change it.\n\n"
        "In a sentence **Your turn.** does not count, nor **Your turn** without its stop.\n"
        "**Your turn.** Again."
    )
    assert lead_ins(text) == {"Predict, then run": 1, "Your turn": 2}
    assert lead_ins("Nothing to do.") == {}


def test_quiz_questions_are_numbered_items_outside_the_folded_answers():
    answers = folded("Answers", "1. Yes.\n2. No.")
    assert quiz_questions(f"1. Why?\n2. How?\n\n{answers}\n3. Where?") == 3
    assert without_folded(f"before {answers} after") == "before   after"
    assert answers.startswith("<details>\n<summary>Answers</summary>") and answers.endswith("</details>")
