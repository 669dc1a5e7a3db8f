"""Seat-time estimate arithmetic and the warning when the claimed hours are far from it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ce_platform.content import count_words, estimate_hours, estimate_minutes, lesson_minutes
from ce_platform.content.estimate import is_far_from_estimate

from .coursekit import COURSE_MD, SLUG, found, lesson_md, line_of, replace_line


def test_words_exclude_markdown_markup_and_comments():
    text = (
        "## Heading\n\n- one item\n- two\n\n| a | b |\n|---|---|\n\n"
        "> quote *here*\n<!-- hidden -->\n"
    )

    assert count_words(text) == 8  # Heading, one, item, two, a, b, quote, *here*


def test_minutes_are_reading_plus_one_per_question_plus_five():
    assert estimate_minutes(1500, 10) == Fraction(1500, 150) + 10 + 5 == 25
    assert estimate_minutes(100, 0) == Fraction(100, 150) + 5


@pytest.mark.parametrize(
    ("words", "questions", "hours"),
    [
        (0, 0, "0.25"),  # 5 minutes rounds to 0, the minimum is 0.25
        (3300, 3, "0.50"),  # 22 + 3 + 5 = 30 minutes
        (2325, 2, "0.50"),  # 15.5 + 2 + 5 = 22.5 minutes: exactly half way, rounds up
        (2310, 2, "0.25"),  # 15.4 + 2 + 5 = 22.4 minutes
        (7350, 6, "1.00"),  # 49 + 6 + 5 = 60 minutes
        (8000, 8, "1.00"),  # 53.3 + 8 + 5 = 66.3 minutes
        (9000, 8, "1.25"),  # 60 + 8 + 5 = 73 minutes
    ],
)
def test_estimated_hours_round_to_the_nearest_quarter(words, questions, hours):
    assert estimate_hours(words, questions) == Decimal(hours)


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (150, 1), (151, 2), (300, 2), (3000, 20)]
)
def test_lesson_minutes_round_up_with_a_minimum_of_one(words, minutes):
    assert lesson_minutes(words) == minutes


@pytest.mark.parametrize(
    ("claimed", "estimated", "far"),
    [
        ("1.0", "1.00", False),
        ("1.25", "1.00", False),  # exactly 25 %: not beyond
        ("0.75", "1.00", False),
        ("1.5", "1.00", True),
        ("0.5", "1.00", True),
        ("0.5", "0.25", True),
    ],
)
def test_far_from_estimate_means_more_than_25_percent_of_the_estimate(claimed, estimated, far):
    assert is_far_from_estimate(Decimal(claimed), Decimal(estimated)) is far


def test_course_far_from_its_estimate_warns_at_ce_hours_with_both_numbers(files, parse):
    files["01-introduction.md"] = lesson_md(words=600)

    course, diags = parse(files)

    assert course is not None
    assert course.word_count == 609
    assert course.estimated_hours == Decimal("0.25")  # 4.06 + 3 + 5 = 12.06 minutes
    assert found(diags) == {
        (f"{SLUG}/course.md", line_of(COURSE_MD, "ce_hours:"), "warning", "C015")
    }
    assert "0.5" in diags[0].message and "0.25" in diags[0].message


def test_course_estimate_uses_questions_per_attempt(files, parse):
    files["quiz.md"] = files["quiz.md"].replace(
        "questions_per_attempt: 3", "questions_per_attempt: 2"
    )
    course_md = replace_line(COURSE_MD, "evolving: true", "evolving: false")
    files["course.md"] = course_md

    course, diags = parse(files)

    assert diags == []
    assert course.estimated_hours == Decimal("0.50")  # 29 minutes
