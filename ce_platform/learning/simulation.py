"""Test-wise learners who know nothing, taking a post-test through the real draw and grading.

Two strategies: one always picks the longest option (ties broken at random; on a select-all
item it ticks the single longest option), the other guesses uniformly at random (one option of
a single-answer item; a random non-empty set of options of a select-all item). Each simulated
learner takes the course's attempts in turn, every attempt drawn by `services.draw` from its
own seed and graded by `services.grade_answers`, and passes when `services.is_passing` says so.
The share of learners who pass estimates the probability that guessing alone earns the credit.

Used by the course tests (a pass rate of at most 5 % for every shipped course) and by
bench/testwise.py, which prints the figures.
"""

from __future__ import annotations

import html
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from ce_platform.catalog.models import Question
from ce_platform.learning import services

TARGET = 0.05  # a guesser may pass at most this often
UNLIMITED_ATTEMPTS = 10  # how many attempts a learner takes when the course sets no limit
Z_99 = 2.576  # two-sided 99 % normal quantile, for the Wilson interval

_TAG = re.compile(r"<[^>]+>")

Strategy = Callable[[Question, list[dict], random.Random], list[str]]


def visible_length(option_html: str) -> int:
    """The length of an option as the learner reads it: tags dropped, entities decoded."""
    return len(" ".join(html.unescape(_TAG.sub("", option_html)).split()))


def pick_longest(question: Question, options: list[dict], rng: random.Random) -> list[str]:
    """The test-wise guess: the longest option as shown, a random one of the longest on a tie."""
    html_by_id = {option["id"]: option["html"] for option in question.options}
    lengths = [visible_length(html_by_id[option["id"]]) for option in options]
    longest = [o["token"] for o, n in zip(options, lengths, strict=True) if n == max(lengths)]
    return [rng.choice(longest)]


def pick_at_random(question: Question, options: list[dict], rng: random.Random) -> list[str]:
    """The blind guess: one option, or a uniformly random non-empty set on select-all items."""
    tokens = [option["token"] for option in options]
    if question.kind != "multiple":
        return [rng.choice(tokens)]
    while True:
        chosen = [token for token in tokens if rng.random() < 0.5]
        if chosen:
            return chosen


STRATEGIES: dict[str, Strategy] = {"longest": pick_longest, "random": pick_at_random}


@dataclass(frozen=True)
class QuizRules:
    """What a simulated learner faces: the settings of a published quiz."""

    passing_score: int
    max_attempts: int  # 0 = unlimited
    questions_per_attempt: int
    shuffle: bool


@dataclass(frozen=True)
class PassRate:
    """How often a strategy passed, with a 99 % Wilson interval around the estimate."""

    strategy: str
    learners: int
    passed: int

    @property
    def estimate(self) -> float:
        return self.passed / self.learners

    @property
    def interval(self) -> tuple[float, float]:
        """Wilson score interval: sound near 0, where most guessers' rates should be."""
        n, p, z = self.learners, self.estimate, Z_99
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    @property
    def decided(self) -> bool:
        """Whether the interval lies wholly on one side of the target."""
        low, high = self.interval
        return high <= TARGET or low > TARGET


def _learner_passes(
    questions: list[Question], rules: QuizRules, strategy: Strategy, rng: random.Random
) -> bool:
    """One learner, attempt after attempt, until a pass or the attempts run out."""
    by_id = {question.id: question for question in questions}
    attempts = rules.max_attempts or UNLIMITED_ATTEMPTS
    for _ in range(attempts):
        drawn = services.draw(
            questions,
            seed=f"{rng.getrandbits(64):016x}",
            count=rules.questions_per_attempt,
            shuffle=rules.shuffle,
        )
        answers = {
            item["key"]: strategy(by_id[item["question_id"]], item["options"], rng)
            for item in drawn
        }
        _, score = services.grade_answers(drawn, by_id, answers)
        if services.is_passing(score, rules.passing_score):
            return True
    return False


def pass_rate(
    questions: list[Question],
    rules: QuizRules,
    strategy: str,
    *,
    learners: int = 2000,
    most_learners: int = 32000,
    seed: int = 0,
) -> PassRate:
    """Estimate how often a strategy passes; doubles the learners (up to `most_learners`)
    until the 99 % interval lies on one side of 5 %. Reproducible from `seed`."""
    for position, question in enumerate(questions, start=1):
        if question.id is None:
            question.id = position  # unsaved rows: the draw names questions by id
    rng = random.Random(f"{strategy}:{seed}")
    pick = STRATEGIES[strategy]
    passed = total = 0
    batch = learners
    while True:
        passed += sum(_learner_passes(questions, rules, pick, rng) for _ in range(batch))
        total += batch
        rate = PassRate(strategy, total, passed)
        if rate.decided or total >= most_learners:
            return rate
        batch = total
