"""Learners who know nothing must not pass: the test-wise simulation over every shipped course."""

from __future__ import annotations

from pathlib import Path

import pytest

from ce_platform import content
from ce_platform.catalog import services as catalog
from ce_platform.content.quiz import parse_quiz
from ce_platform.content.sourcefile import read_markdown
from ce_platform.learning.simulation import TARGET, QuizRules, pass_rate
from tests import factories

COURSES = Path(__file__).resolve().parents[2] / "courses"
SHIPPED = sorted(entry.name for entry in COURSES.iterdir() if (entry / "course.md").is_file())


def rules_of(quiz: content.QuizSource) -> QuizRules:
    return QuizRules(
        quiz.passing_score, quiz.max_attempts, quiz.questions_per_attempt, quiz.shuffle
    )


def quiz_of(quiz_md: bytes) -> content.QuizSource:
    """The quiz a quiz.md publishes, read even when the validator objects to it."""
    diags: list = []
    source = read_markdown(quiz_md.decode(), "quiz.md", diags, front_matter_required=False)
    return parse_quiz(source, diags).quiz


@pytest.mark.parametrize("slug", SHIPPED)
@pytest.mark.parametrize("strategy", ["longest", "random"])
def test_a_guessing_learner_passes_a_shipped_course_at_most_one_time_in_twenty(slug, strategy):
    quiz = quiz_of((COURSES / slug / "quiz.md").read_bytes())  # as published (sync parses it so)

    rate = pass_rate(catalog.build_questions(quiz), rules_of(quiz), strategy)

    low, high = rate.interval
    assert rate.estimate <= TARGET, (
        f"{slug}: a learner who picks the {strategy} option passes {rate.estimate:.1%} of the "
        f"time (99 % interval {low:.1%}-{high:.1%}, {rate.learners} learners)"
    )


def test_the_simulation_catches_a_quiz_whose_key_is_always_the_longest_option():
    files = factories.course_files(questions=10, multiple=0, per_attempt=5)
    cued = files["quiz.md"].replace(b"- [x] Right answer", b"- [x] Right answer, as explained")
    honest = quiz_of(files["quiz.md"])  # the key is the shortest option here
    quiz = quiz_of(cued)

    longest = pass_rate(catalog.build_questions(quiz), rules_of(quiz), "longest")
    baseline = pass_rate(catalog.build_questions(honest), rules_of(honest), "longest")

    assert longest.estimate >= 0.99 and longest.interval[0] > TARGET
    assert baseline.estimate == 0.0


def test_a_random_guesser_passes_about_as_often_as_the_binomial_law_says():
    files = factories.course_files(
        questions=10, multiple=0, per_attempt=5, passing_score=80, max_attempts=1
    )
    quiz = quiz_of(files["quiz.md"])

    rate = pass_rate(catalog.build_questions(quiz), rules_of(quiz), "random", learners=8000)

    # At least 4 of 5 right with three options each: 5 (1/3)^4 (2/3) + (1/3)^5 = 11/243.
    low, high = rate.interval
    assert low <= 11 / 243 <= high
