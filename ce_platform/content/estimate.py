"""Seat-time estimate: how long a course takes, to check the CE hours an author claims.

Reading at 150 words a minute, plus 1 minute a post-test question, plus 5 minutes for the course
evaluation, rounded to the nearest quarter hour (at least 0.25 h).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

WORDS_PER_MINUTE = 150
MINUTES_PER_QUESTION = 1
EVALUATION_MINUTES = 5
TOLERANCE = Fraction(1, 4)  # warn when the claim is off by more than 25 % of the estimate

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def count_words(markdown_text: str) -> int:
    """Count reading words: whitespace-separated tokens holding a letter or digit (not markup)."""
    text = _COMMENT.sub(" ", markdown_text)
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def lesson_minutes(word_count: int) -> int:
    """Estimate a lesson's reading minutes: words/150 rounded up, at least 1."""
    return max(1, math.ceil(Fraction(word_count, WORDS_PER_MINUTE)))


def estimate_minutes(word_count: int, questions_per_attempt: int) -> Fraction:
    """Exact minutes a learner needs: reading + one minute per question + the evaluation."""
    return (
        Fraction(word_count, WORDS_PER_MINUTE)
        + questions_per_attempt * MINUTES_PER_QUESTION
        + EVALUATION_MINUTES
    )


def estimate_hours(word_count: int, questions_per_attempt: int) -> Decimal:
    """Estimated hours rounded to the nearest 0.25 (halves round up), at least 0.25."""
    quarters = math.floor(estimate_minutes(word_count, questions_per_attempt) / 15 + Fraction(1, 2))
    return (Decimal(max(quarters, 1)) / 4).quantize(Decimal("0.01"))


def is_far_from_estimate(ce_hours: Decimal, estimated: Decimal) -> bool:
    """Tell whether claimed hours differ from the estimate by more than 25 % of the estimate."""
    return abs(Fraction(ce_hours) - Fraction(estimated)) > TOLERANCE * Fraction(estimated)
