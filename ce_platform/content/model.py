"""The validated shapes of course content that the rest of the platform builds on."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LEVELS: tuple[str, ...] = ("introductory", "intermediate", "advanced")
FORMAT_WORDING: dict[str, str] = {
    "asynchronous": "Asynchronous, self-paced online home study (reading-based)",
}
CREDIT_CATEGORIES: tuple[str, ...] = ("general", "clinical", "ethics", "cultural")
REVEAL_POLICIES: tuple[str, ...] = ("after_pass", "after_each", "never")
QUESTION_KINDS: tuple[str, ...] = ("single", "multiple")
STATEMENT_PLACEHOLDERS: tuple[str, ...] = (
    "provider",
    "provider_number",
    "approval_start",
    "approval_end",
    "ce_hours",
    "credit_type",
)


def format_hours(hours: Decimal) -> str:
    """Print CE hours the way certificates do: at least one decimal, no trailing zeros beyond."""
    text = f"{hours.normalize():f}"
    if "." not in text:
        return f"{text}.0"
    return text


class _KeepUnknown(dict[str, str]):
    """Leave an unknown placeholder visible instead of raising while filling a statement."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class Signer:
    """The CE program director printed (and optionally signed) on every certificate."""

    name: str
    title: str
    signature: str | None = None  # media path of a signature image


@dataclass
class Accreditation:
    """One accrediting body's approval, with the statement template certificates print."""

    key: str
    body: str
    provider_number: str | None
    credit_type: str
    approval_start: date | None
    approval_end: date | None
    formats: list[str]
    statement: str
    commensurate: bool = False  # ACCME-style: print "claim only the credit commensurate ..."

    def render_statement(self, provider_name: str, ce_hours: Decimal) -> str:
        """Fill the statement template for one course's certificate."""
        values = _KeepUnknown(
            provider=provider_name,
            provider_number=self.provider_number or "",
            approval_start=self.approval_start.isoformat() if self.approval_start else "",
            approval_end=self.approval_end.isoformat() if self.approval_end else "",
            ce_hours=format_hours(ce_hours),
            credit_type=self.credit_type,
        )
        try:
            return string.Formatter().vformat(self.statement, (), values)
        except (ValueError, IndexError, KeyError, AttributeError):
            return self.statement  # malformed template: parse_provider already reported it

    def is_active_on(self, day: date) -> bool:
        """Tell whether the approval period covers a day (open-ended when dates are absent)."""
        if self.approval_start is not None and day < self.approval_start:
            return False
        return self.approval_end is None or day <= self.approval_end


@dataclass
class Provider:
    """The CE provider behind every course: what certificates print about who grants credit."""

    name: str
    address: str
    signer: Signer
    accreditations: dict[str, Accreditation]
    source_text: str


@dataclass
class Author:
    """A course author with the conflict-of-interest disclosure shown on the course page."""

    name: str
    credentials: str
    disclosure: str


@dataclass
class LessonSource:
    """One lesson file, validated and rendered."""

    number: int
    slug: str
    path: str  # file name, e.g. "01-psilocybin.md"
    title: str
    minutes: int  # declared, else estimated from the word count
    word_count: int
    body: str  # Markdown body without front matter
    html: str
    toc_html: str
    declared_minutes: int | None = None
    objectives: list[int] = field(default_factory=list)  # 1-based course objectives it teaches


@dataclass
class OptionSource:
    """One answer option; its HTML carries no marker of correctness."""

    id: str  # "a", "b", ... in file order
    line: int
    html: str
    correct: bool
    feedback_html: str = ""
    text: str = ""  # the Markdown as written, for the answer-cue checks


@dataclass
class QuestionSource:
    """One post-test question from quiz.md."""

    id: str
    line: int
    kind: str  # "single" | "multiple"
    prompt_html: str
    options: list[OptionSource]
    explanation_html: str = ""
    objectives: list[int] = field(default_factory=list)  # 1-based course objectives measured
    objectives_line: int = 0  # line of the `objectives:` line (0 when it is missing)
    prompt: str = ""  # the prompt's Markdown as written


@dataclass
class QuizSource:
    """The post-test: settings plus the question pool."""

    passing_score: int
    max_attempts: int  # 0 = unlimited
    questions_per_attempt: int
    shuffle: bool
    reveal: str
    questions: list[QuestionSource] = field(default_factory=list)


@dataclass
class CourseSource:
    """A whole validated course folder, ready to be stored as a revision."""

    slug: str
    title: str
    summary: str
    level: str
    format: str
    ce_hours: Decimal
    credits: dict[str, Decimal]
    accreditations: list[str]
    objectives: list[str]
    authors: list[Author]
    instructors: list[str]
    released: date
    review_by: date
    evolving: bool
    min_minutes: int
    overview_html: str
    overview_toc_html: str
    lessons: list[LessonSource]
    quiz: QuizSource
    files: dict[str, bytes]
    content_hash: str
    word_count: int
    estimated_hours: Decimal

    @property
    def format_wording(self) -> str:
        """The delivery-format sentence certificates print."""
        return FORMAT_WORDING.get(self.format, self.format)
