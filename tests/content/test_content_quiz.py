"""quiz.md: settings, questions, options, feedback, explanations and every quiz check."""

from __future__ import annotations

import pytest

from ce_platform.content.quiz import option_id, parse_quiz
from ce_platform.content.sourcefile import read_markdown

from .coursekit import COURSE_MD, QUIZ_MD, SLUG, exact_line, found, line_of, replace_line

QUIZ = f"{SLUG}/quiz.md"
SETTINGS = (
    "---\npassing_score: 80\nmax_attempts: 3\nquestions_per_attempt: 2\nshuffle: true\n"
    "reveal: after_pass\n---\n"
)


def question(qid: str, *options: str, prompt: str = "A prompt?", objectives: str = "1, 2") -> str:
    """A question block measuring both test objectives; options are full task-list lines."""
    return f"\n## {qid}\nobjectives: {objectives}\n{prompt}\n\n" + "\n".join(options) + "\n"


def pool(count: int, start: int = 1) -> str:
    """Questions with three options of equal length, so they raise no cue of their own."""
    return "".join(
        question(f"q{n}", "- [x] Right", "- [ ] Wrong", "- [ ] Other")
        for n in range(start, start + count)
    )


def test_questions_options_feedback_and_explanation_are_parsed(files, parse):
    course, diags = parse(files)

    assert diags == []
    quiz = course.quiz
    assert (quiz.passing_score, quiz.max_attempts, quiz.questions_per_attempt) == (80, 3, 3)
    assert (quiz.shuffle, quiz.reveal) == (True, "after_pass")
    first, second, third, *_ = quiz.questions
    assert (first.id, first.line, first.kind) == (
        "first-question",
        line_of(QUIZ_MD, "## first-question"),
        "single",
    )
    assert first.prompt_html == "<p>Which option is right?</p>"
    assert [(o.id, o.html, o.correct) for o in first.options] == [
        ("a", "Wrong one", False),
        ("b", "Right one", True),
        ("c", "Another wrong one", False),
    ]
    assert [o.line for o in first.options] == [
        line_of(QUIZ_MD, "- [ ] Wrong one"),
        line_of(QUIZ_MD, "- [x] Right one"),
        line_of(QUIZ_MD, "- [ ] Another wrong one"),
    ]
    assert first.options[0].feedback_html == "<p>Not this one.</p>"
    assert first.options[1].feedback_html == ""
    assert first.explanation_html == "<p>Because it is right.</p>"
    assert second.kind == "multiple"
    assert [o.correct for o in second.options] == [True, True, False]
    assert second.explanation_html == ""
    assert third.options[1].html == "<strong>bold</strong>"


def test_option_html_carries_no_marker_of_correctness(files, parse):
    course, _ = parse(files)

    for q in course.quiz.questions:
        for option in q.options:
            html = option.html.lower()
            assert "[x]" not in html and "[ ]" not in html
            assert "correct" not in html and "checked" not in html and "class=" not in html


def test_quiz_without_front_matter_takes_the_defaults_and_draws_the_whole_pool():
    diags: list = []
    text = QUIZ_MD[QUIZ_MD.index("## first-question") :]

    parsed = parse_quiz(read_markdown(text, QUIZ, diags, front_matter_required=False), diags)

    quiz = parsed.quiz
    assert (quiz.passing_score, quiz.max_attempts, quiz.questions_per_attempt) == (75, 3, 5)
    assert (quiz.shuffle, quiz.reveal) == (True, "after_pass")
    assert found(diags) == {(QUIZ, 1, "error", "Q021")}  # every attempt would ask the same


def test_questions_per_attempt_draws_from_the_pool(files, parse):
    files["quiz.md"] = "---\nquestions_per_attempt: 3\n---\n" + pool(5)

    course, diags = parse(files)

    assert diags == []
    assert course.quiz.questions_per_attempt == 3
    assert len(course.quiz.questions) == 5


def test_question_without_correct_option_is_an_error_at_its_heading_line(files, parse):
    quiz = (
        SETTINGS
        + question("psilocybin-receptor", "- [ ] NMDA", "- [ ] Mu-opioid", "- [ ] D2")
        + pool(2)
    )
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert course is None
    line = line_of(quiz, "## psilocybin-receptor")
    assert found(diags) == {(QUIZ, line, "error", "Q003")}
    assert str(diags[0]) == (
        f'{QUIZ}:{line}: error: Q003: question "psilocybin-receptor" has no correct option'
    )


def test_question_with_fewer_than_two_options_is_an_error_at_its_heading(files, parse):
    quiz = SETTINGS + question("lonely", "- [x] Only one") + question("none") + pool(18)
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {
        (QUIZ, line_of(quiz, "## lonely"), "error", "Q002"),
        (QUIZ, line_of(quiz, "## none"), "error", "Q002"),
    }


def test_duplicate_question_id_is_an_error_at_the_second_heading(files, parse):
    quiz = SETTINGS + pool(2) + question("q1", "- [x] A", "- [ ] B", "- [ ] C")
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {(QUIZ, line_of(quiz, "## q1", occurrence=2), "error", "Q004")}


@pytest.mark.parametrize("bad_id", ["Bad Id", "UPPER", "under_score", ""])
def test_question_id_must_be_a_slug(files, parse, bad_id):
    quiz = SETTINGS + pool(3) + question(bad_id, "- [x] A", "- [ ] B", "- [ ] C")
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {(QUIZ, exact_line(quiz, f"## {bad_id}"), "error", "Q005")}


def test_question_without_prompt_is_an_error(files, parse):
    quiz = SETTINGS + pool(3) + "\n## empty-prompt\nobjectives: 1\n\n- [x] A\n- [ ] B\n- [ ] C\n"
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {(QUIZ, line_of(quiz, "## empty-prompt"), "error", "Q006")}


def test_empty_option_is_an_error_at_the_option_line(files, parse):
    quiz = SETTINGS + pool(3) + question("blank-option", "- [x] B", "- [ ]", "- [ ] Cc", "- [ ] Dd")
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {(QUIZ, exact_line(quiz, "- [ ]"), "error", "Q007")}


def test_text_after_the_options_that_is_not_an_explanation_is_an_error(files, parse):
    quiz = (
        SETTINGS
        + question("stray", "- [x] A", "- [ ] B", "- [ ] C", "", "Some stray paragraph.")
        + pool(3)
    )
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {(QUIZ, line_of(quiz, "Some stray paragraph."), "error", "Q008")}


def test_quiz_without_questions_is_an_error(files, parse):
    files["quiz.md"] = SETTINGS + "\nNo questions here.\n"

    course, diags = parse(files)

    assert course is None
    assert (QUIZ, 1, "error", "Q009") in found(diags)


def test_missing_quiz_is_an_error(files, parse):
    del files["quiz.md"]

    course, diags = parse(files)

    assert course is None
    assert (QUIZ, 1, "error", "Q001") in found(diags)


def test_questions_per_attempt_larger_than_the_pool_is_an_error_at_its_line(files, parse):
    quiz = "---\npassing_score: 75\nquestions_per_attempt: 5\n---\n" + pool(3)
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, 3, "error", "Q010")}


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ("passing_score: 0", "F010"),
        ("passing_score: 101", "F010"),
        ("passing_score: 75.5", "F008"),
        ("max_attempts: -1", "F010"),
        ("questions_per_attempt: 0", "F010"),
        ("shuffle: sometimes", "F008"),
        ("reveal: always", "F010"),
        ("time_limit: 30", "F006"),
    ],
)
def test_bad_quiz_setting_is_an_error_at_its_line(files, parse, setting, code):
    draw = "" if setting.startswith("questions_per_attempt") else "questions_per_attempt: 2\n"
    files["quiz.md"] = f"---\n# settings\n{setting}\n{draw}---\n" + pool(3)

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, 3, "error", code)}


def test_unlimited_attempts_and_reveal_policies_are_accepted(files, parse):
    files["quiz.md"] = (
        "---\nmax_attempts: 0\nreveal: never\nshuffle: false\nquestions_per_attempt: 2\n---\n"
        + pool(3)
    )

    course, diags = parse(files)

    assert diags == []
    assert (course.quiz.max_attempts, course.quiz.reveal, course.quiz.shuffle) == (
        0,
        "never",
        False,
    )


def test_thin_question_pool_is_a_warning(files, parse):
    course_md = replace_line(COURSE_MD, "ce_hours: 0.5", "ce_hours: 1.0")
    files["course.md"] = replace_line(
        course_md, "credits: {general: 0.25, ethics: 0.25}", "credits: {general: 1}"
    )
    files["quiz.md"] = SETTINGS + pool(4)

    course, diags = parse(files)

    assert course is not None
    assert found(diags) >= {(QUIZ, 1, "warning", "Q011")}
    q011 = next(d for d in diags if d.code == "Q011")
    assert "4 question" in q011.message and "at least 6" in q011.message


def test_more_than_a_tenth_of_the_pool_with_two_options_is_an_error_at_the_first_beyond(
    files, parse
):
    quiz = (
        SETTINGS
        + pool(8)
        + question("tf-one", "- [x] True", "- [ ] False")
        + question("two-options", "- [ ] Yes", "- [x] No")
    )
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "## two-options"), "error", "Q022")}
    message = next(d.message for d in diags if d.code == "Q022")
    assert "2 of 10 questions" in message and "1 true/false" in message and "at most 1" in message


def test_one_item_in_ten_may_have_two_options(files, parse):
    files["quiz.md"] = SETTINGS + pool(9) + question("tf-one", "- [x] True", "- [ ] False")

    course, diags = parse(files)

    assert course is not None
    assert "Q022" not in {d.code for d in diags}


def test_text_before_the_first_question_is_a_warning_but_a_title_is_fine(files, parse):
    quiz = SETTINGS + "# Post-test\n\nRead carefully.\n" + pool(3)
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert course is not None
    assert found(diags) == {(QUIZ, line_of(quiz, "Read carefully."), "warning", "Q013")}


def test_headings_and_options_inside_code_blocks_do_not_start_questions(files, parse):
    quiz = (
        SETTINGS
        + question(
            "code-question",
            "- [x] A",
            "- [ ] B",
            "- [ ] C",
            prompt="What does this print?\n\n```\n## not-a-question\n- [x] not an option\n```",
        )
        + pool(2)
    )
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert diags == []
    first = course.quiz.questions[0]
    assert first.id == "code-question"
    assert "## not-a-question" in first.prompt_html
    assert len(first.options) == 3


def test_option_text_may_continue_on_indented_lines(files, parse):
    quiz = (
        SETTINGS
        + question(
            "long-option",
            "- [x] A long option",
            "  that continues here",
            "  > and has feedback",
            "- [ ] Another option that is long",
            "- [ ] A third option of that size",
        )
        + pool(2)
    )
    files["quiz.md"] = quiz

    course, diags = parse(files)

    assert diags == []
    option = course.quiz.questions[0].options[0]
    assert option.html == "A long option\nthat continues here"
    assert option.feedback_html == "<p>and has feedback</p>"


def test_explanation_may_span_several_quoted_lines(files, parse):
    quiz = (
        SETTINGS
        + question(
            "explained",
            "- [x] A",
            "- [ ] B",
            "- [ ] C",
            "",
            "> First line",
            "> second line",
            ">",
            "> Para two",
        )
        + pool(2)
    )
    files["quiz.md"] = quiz

    course, _ = parse(files)

    assert course.quiz.questions[0].explanation_html == (
        "<p>First line\nsecond line</p>\n<p>Para two</p>"
    )


def test_raw_html_in_quiz_text_is_sanitized():
    quiz = (
        SETTINGS
        + question(
            "xss",
            "- [x] <img src=x onerror=alert(1)>Yes",
            "  > <script>alert(2)</script>fine",
            "- [ ] <a href='javascript:alert(3)'>No</a>",
            prompt="<iframe src='https://evil.example'></iframe>Prompt",
        )
        + pool(2)
    )
    diags: list = []

    parsed = parse_quiz(read_markdown(quiz, QUIZ, diags, front_matter_required=False), diags)

    q = parsed.quiz.questions[0]
    html = q.prompt_html + "".join(o.html + o.feedback_html for o in q.options)
    for needle in ("<script", "onerror", "javascript:", "<iframe", "alert(2)"):
        assert needle not in html


def test_option_ids_run_a_to_z_then_aa():
    assert [option_id(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
    ]


def test_quiz_yaml_error_is_reported_at_its_line(files, parse):
    files["quiz.md"] = "---\npassing_score: 80\nreveal: [after_pass\n---\n" + pool(3)

    course, diags = parse(files)

    assert course is None
    assert [(d.path, d.code) for d in diags] == [(QUIZ, "F004")]
    assert diags[0].line in (3, 4)


def test_non_utf8_quiz_is_an_error_at_the_bad_line(files, parse):
    files["quiz.md"] = QUIZ_MD.encode().replace(b"Right one", b"Right \xfe one")

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(QUIZ_MD, "- [x] Right one"), "error", "F001")}
