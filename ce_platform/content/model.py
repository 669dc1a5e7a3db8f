"""The validated shapes of course content that the rest of the platform builds on."""

from __future__ import annotations

import math
import re
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
    "credits",
    "unit",
)
RETIRED_PLACEHOLDERS: dict[str, str] = {
    "credit_type": '{credits} (the course\'s own credit words, e.g. "1.0 ethics")',
}

# The board each well-known accreditation key stands for: the professions whose certificate
# leads with its statement, and the unit its credit is printed in. provider.yml may override
# both per accreditation (`professions:`, `unit:`).
BOARD_DEFAULTS: dict[str, tuple[tuple[str, ...], str]] = {
    "apa": (("psychologist",), "CE credits"),
    "ace": (("social_worker",), "continuing education credits"),
    "aswb": (("social_worker",), "continuing education credits"),
    "nbcc": (("counselor", "mft"), "clock hours"),
    "ancc": (("nurse",), "contact hours"),
    "accme": (("physician",), "AMA PRA Category 1 Credits\u2122"),
}
DEFAULT_UNIT = "CE hours"
# A provider number of only zeros after an optional letter prefix ("0000", "P0000") is a
# placeholder, printed only by a specimen provider.
PLACEHOLDER_NUMBER = re.compile(r"^[A-Za-z]*0+$")


def format_hours(hours: Decimal) -> str:
    """Print CE hours the way certificates do: at least one decimal, no trailing zeros beyond."""
    text = f"{hours.normalize():f}"
    if "." not in text:
        return f"{text}.0"
    return text


SEAT_MINUTES_PER_CE_HOUR = 30  # the default seat-time floor: half of the credited minutes


def seat_time_floor(ce_hours: Decimal, min_minutes: int = 0) -> int:
    """Minutes of active reading a revision requires: half its credited minutes, or more."""
    default = math.ceil(Decimal(ce_hours) * SEAT_MINUTES_PER_CE_HOUR)
    return max(default, min_minutes or 0)


def credit_words(credits: dict[str, Decimal] | dict[str, str], ce_hours: Decimal) -> str:
    """Name the course's own credits so statements match the credit box ("1.0 ethics")."""
    parts = [
        f"{format_hours(Decimal(str(hours)))} {category}" for category, hours in credits.items()
    ]
    if not parts:
        return format_hours(ce_hours)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


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
    approval_start: date | None
    approval_end: date | None
    formats: list[str]
    statement: str
    commensurate: bool = False  # ACCME-style: print "claim only the credit commensurate ..."
    unit: str = DEFAULT_UNIT  # the board's credit unit: "contact hours", "clock hours", ...
    professions: tuple[str, ...] = ()  # whose certificate leads with this statement

    def render_statement(
        self, provider_name: str, ce_hours: Decimal, credits: dict[str, Decimal] | None = None
    ) -> str:
        """Fill the statement template for one course's certificate, credits in its own words."""
        values = _KeepUnknown(
            provider=provider_name,
            provider_number=self.provider_number or "",
            approval_start=self.approval_start.isoformat() if self.approval_start else "",
            approval_end=self.approval_end.isoformat() if self.approval_end else "",
            ce_hours=format_hours(ce_hours),
            credits=credit_words(credits or {}, ce_hours),
            unit=self.unit,
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
class ProviderCEBroker:
    """The provider's CE Broker tracking number and its profession codes by account profession."""

    provider_tracking: str
    professions: dict[str, str] = field(default_factory=dict)


@dataclass
class CourseCEBroker:
    """A course's CE Broker tracking number (or own course ID) and subject-area codes."""

    course_tracking: str | None = None
    course_id: str | None = None
    subject_areas: dict[str, str] = field(default_factory=dict)


@dataclass
class Provider:
    """The CE provider behind every course: what certificates print about who grants credit."""

    name: str
    address: str
    signer: Signer
    accreditations: dict[str, Accreditation]
    source_text: str
    specimen: bool = False  # an example provider that holds no accreditation
    ce_broker: ProviderCEBroker | None = None  # provider.yml's `ce_broker`, when given


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
    commercial_support: str
    overview_html: str
    overview_toc_html: str
    lessons: list[LessonSource]
    quiz: QuizSource
    files: dict[str, bytes]
    content_hash: str
    word_count: int
    estimated_hours: Decimal
    ce_broker: CourseCEBroker = field(default_factory=CourseCEBroker)  # course.md's `ce_broker`

    @property
    def seat_time_floor(self) -> int:
        """The seat-time floor in minutes that the completion gate applies to this revision."""
        return seat_time_floor(self.ce_hours, self.min_minutes)

    @property
    def format_wording(self) -> str:
        """The delivery-format sentence certificates print."""
        return FORMAT_WORDING.get(self.format, self.format)
