"""Assessment integrity: objectives lines, lesson objectives and the answer-cue checks."""

from __future__ import annotations

from .coursekit import COURSE_MD, QUIZ_MD, SLUG, found, lesson_md, line_of, replace_line

QUIZ = f"{SLUG}/quiz.md"
COURSE = f"{SLUG}/course.md"
LESSON = f"{SLUG}/01-introduction.md"


def with_quiz(files: dict, *replacements: tuple[str, str]) -> str:
    """Put a changed copy of the kit's quiz into files and return its text."""
    quiz = QUIZ_MD
    for old, new in replacements:
        quiz = replace_line(quiz, old, new)
    files["quiz.md"] = quiz
    return quiz


def test_objectives_are_kept_on_questions_and_lessons(files, parse):
    files["01-introduction.md"] = replace_line(
        lesson_md(), "title: Introduction", "title: Introduction\nobjectives: [2, 1]"
    )

    course, diags = parse(files)

    assert diags == []
    assert [q.objectives for q in course.quiz.questions] == [[1], [2], [1, 2], [1], [2]]
    assert course.lessons[0].objectives == [1, 2]


def test_question_without_objectives_line_is_an_error_at_its_heading(files, parse):
    quiz = with_quiz(files, ("objectives: 1\nWhich option is right?", "Which option is right?"))

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "## first-question"), "error", "Q014")}


def test_malformed_objectives_line_is_an_error_at_its_line(files, parse):
    quiz = with_quiz(files, ("objectives: 1\nWhich option", "objectives: one\nWhich option"))

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "objectives: one"), "error", "Q015")}
    assert "objectives: 1, 3" in diags[0].message


def test_objective_number_the_course_lacks_is_an_error_at_the_objectives_line(files, parse):
    quiz = with_quiz(files, ("objectives: 1\nWhich colour", "objectives: 1, 7\nWhich colour"))

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "objectives: 1, 7"), "error", "Q016")}
    assert "objective 7" in diags[0].message and "2 objective(s)" in diags[0].message


def test_key_much_longer_than_its_distractors_is_a_warning_at_the_key(files, parse):
    quiz = with_quiz(files, ("- [x] Blue", "- [x] Blue, as sunlight scatters"))

    course, diags = parse(files)

    assert course is not None
    assert found(diags) == {(QUIZ, line_of(quiz, "- [x] Blue, as"), "warning", "Q017")}
    assert "26 characters" in diags[0].message and "mean of 4" in diags[0].message


def test_key_uniquely_longest_in_most_items_is_an_error(files, parse):
    quiz = with_quiz(
        files,
        ("- [x] Blue", "- [x] Bright blue"),
        ("- [ ] Red", "- [ ] Dark red"),
        ("- [ ] Grey", "- [ ] Pale grey"),
        ("- [x] Four", "- [x] Twenty"),
    )

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "## fourth-question"), "error", "Q018")}
    assert "2 of 4 single-answer" in diags[0].message


def test_all_or_none_of_the_above_is_a_warning_at_the_option(files, parse):
    quiz = with_quiz(files, ("- [ ] No\n", "- [ ] No\n- [ ] None of the above\n"))

    _, diags = parse(files)

    assert (QUIZ, line_of(quiz, "None of the above"), "warning", "Q019") in found(diags)


def test_key_that_repeats_the_prompt_is_a_warning_at_the_key(files, parse):
    quiz = with_quiz(
        files,
        ("- [ ] Green", "- [ ] Grass green in the summer"),
        ("- [x] Blue", "- [x] The sky on a clear day is blue"),
        ("- [ ] Red", "- [ ] Red at sunset, and at dawn"),
        ("- [ ] Grey", "- [ ] Grey when the rain comes"),
    )

    course, diags = parse(files)

    assert course is not None
    assert found(diags) == {(QUIZ, line_of(quiz, "- [x] The sky on"), "warning", "Q020")}
    assert '"sky clear day"' in diags[0].message


def test_distractor_that_repeats_the_prompt_is_not_a_cue(files, parse):
    with_quiz(
        files,
        ("- [ ] Green", "- [ ] Green as the sky on a clear day"),
        ("- [x] Blue", "- [x] Blue, like the open ocean"),
        ("- [ ] Red", "- [ ] Red at sunset, and at dawn"),
        ("- [ ] Grey", "- [ ] Grey when the rain comes"),
    )

    _, diags = parse(files)

    assert diags == []


def test_pool_under_one_and_a_half_draws_is_an_error_that_suggests_twice(files, parse):
    quiz = with_quiz(files, ("questions_per_attempt: 3", "questions_per_attempt: 4"))

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "questions_per_attempt"), "error", "Q021")}
    assert "at least 6" in diags[0].message and "twice (8) is better" in diags[0].message


def test_objective_measured_by_one_item_is_an_error_at_the_objective(files, parse):
    with_quiz(
        files,
        ("objectives: 1, 2\nPick", "objectives: 1\nPick"),
        ("objectives: 2\nWhich number", "objectives: 1\nWhich number"),
    )

    course, diags = parse(files)

    assert course is None
    line = line_of(COURSE_MD, "  - Explain how validation works.")
    assert found(diags) == {(COURSE, line, "error", "Q023")}
    assert "objective 2 is measured by 1 question" in diags[0].message


def test_draw_smaller_than_the_objectives_is_an_error_at_its_line(files, parse):
    quiz = with_quiz(files, ("questions_per_attempt: 3", "questions_per_attempt: 1"))

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(QUIZ, line_of(quiz, "questions_per_attempt"), "error", "Q024")}


def test_lesson_naming_an_unknown_objective_is_an_error_and_untaught_ones_are_warned(files, parse):
    lesson = replace_line(
        lesson_md(), "title: Introduction", "title: Introduction\nobjectives: [1, 3]"
    )
    files["01-introduction.md"] = lesson

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {
        (LESSON, line_of(lesson, "objectives: [1, 3]"), "error", "L005"),
        (COURSE, line_of(COURSE_MD, "  - Explain how validation works."), "warning", "L006"),
    }


def test_lessons_that_name_no_objectives_raise_no_teaching_warning(files, parse):
    course, diags = parse(files)

    assert course is not None
    assert "L006" not in {d.code for d in diags}
    assert course.lessons[0].objectives == []


def test_lesson_objectives_that_are_not_numbers_are_an_error_at_the_item(files, parse):
    lesson = replace_line(
        lesson_md(),
        "title: Introduction",
        "title: Introduction\nobjectives:\n  - one\n  - 1\n  - 2",
    )
    files["01-introduction.md"] = lesson

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(LESSON, line_of(lesson, "  - one"), "error", "F008")}
    assert "whole number" in diags[0].message
