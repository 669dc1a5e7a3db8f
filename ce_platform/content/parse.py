"""A course folder (or a dict of file name -> content) into a validated CourseSource.

Every check runs and every problem becomes a Diagnostic; nothing here raises on bad content.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .cebroker import parse_course_ce_broker
from .diagnostics import Diagnostic, diag, has_errors, sort_key
from .estimate import count_words, estimate_hours, is_far_from_estimate, lesson_minutes
from .media import MEDIA_DIR, check_media_file, check_references
from .model import (
    CREDIT_CATEGORIES,
    FORMAT_WORDING,
    LEVELS,
    Author,
    CourseCEBroker,
    CourseSource,
    LessonSource,
    Provider,
    QuizSource,
    seat_time_floor,
)
from .quiz import ParsedQuiz, parse_quiz
from .render import Rendered, render_markdown
from .sourcefile import MarkdownFile, decode, read_markdown
from .yamlmap import YamlMapping, is_email

COURSE_FILE = "course.md"
QUIZ_FILE = "quiz.md"
COURSE_REQUIRED_KEYS = (
    "title",
    "summary",
    "level",
    "format",
    "ce_hours",
    "credits",
    "accreditations",
    "objectives",
    "authors",
    "released",
    "review_by",
    "commercial_support",
)
COURSE_OPTIONAL_KEYS = ("instructors", "evolving", "min_minutes", "ce_broker")
AUTHOR_KEYS = ("name", "credentials", "disclosure")
LESSON_KEYS = ("title", "minutes", "objectives")
MAX_REVIEW_YEARS = 3
EVOLVING_REVIEW_YEARS = 1  # courses on evolving practice are reviewed within 12 months
MAX_SLUG_LENGTH = 100  # course slugs, lesson slugs and question ids become URL parts and keys
QUESTIONS_PER_HOUR = 6
MIN_ITEMS_PER_OBJECTIVE = 2  # Q023: pooled items measuring each course objective

SLUG = re.compile(r"^[a-z0-9-]+$")
LESSON_FILE = re.compile(r"^([0-9]+)-([a-z0-9-]+)\.md$")


def compute_content_hash(files: Mapping[str, bytes]) -> str:
    """Hash a course's files unambiguously: sorted paths, each path and body length-prefixed."""
    digest = hashlib.sha256()
    encoded = sorted((path.encode("utf-8", "surrogatepass"), data) for path, data in files.items())
    digest.update(len(encoded).to_bytes(8, "big"))
    for path, data in encoded:
        digest.update(len(path).to_bytes(8, "big"))
        digest.update(path)
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def unsafe_path_reason(path: str) -> str | None:
    """Explain why a course-relative path could escape or confuse the folder (None when safe)."""
    if not path:
        return "empty path"
    if "\\" in path or "\x00" in path or any(ord(ch) < 32 for ch in path):
        return "backslash or control character in path"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "absolute path"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return 'empty, "." or ".." path segment'
    return None


def add_years(day: date, years: int) -> date:
    """Same calendar day some years later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _shown(text: str, limit: int = 80) -> str:
    """Quote user text safely in a one-line message."""
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _CourseMeta:
    """course.md front matter as read, None where missing or invalid."""

    title: str | None = None
    summary: str | None = None
    level: str | None = None
    format: str | None = None
    ce_hours: Decimal | None = None  # only when > 0 and a multiple of 0.25
    ce_hours_line: int = 1
    credits: dict[str, Decimal] | None = None
    accreditations: list[str] | None = None
    objectives: list[str] | None = None
    objective_lines: list[int] = field(default_factory=list)
    objectives_complete: bool = False  # every item read, so the numbers mean what authors meant
    authors: list[Author] | None = None
    instructors: list[str] = field(default_factory=list)
    released: date | None = None
    review_by: date | None = None
    evolving: bool = False
    min_minutes: int = 0
    commercial_support: str | None = None
    ce_broker: CourseCEBroker = field(default_factory=CourseCEBroker)


class _CourseParser:
    """One parse run: holds the diagnostics list every check appends to."""

    def __init__(
        self,
        slug: str,
        files: Mapping[str, Any],
        provider: Provider | None,
        media_prefix: str | None,
        today: date,
        accreditation_keys: Collection[str] | None = None,
    ) -> None:
        self.slug = slug
        self.input = files
        self.provider = provider
        self.accreditation_keys = (
            set(provider.accreditations) if provider is not None else accreditation_keys
        )
        self.media_prefix = media_prefix
        self.today = today
        self.diags: list[Diagnostic] = []
        self.files: dict[str, bytes] = {}
        self.lesson_objectives: dict[str, list[tuple[int, int]]] = {}  # file -> (number, line)

    def path(self, name: str) -> str:
        """Diagnostic path of a course file: <slug>/<file>."""
        return f"{self.slug}/{name}"

    def add(self, name: str, line: int, code: str, message: str) -> None:
        """Record one diagnostic against a course file."""
        self.diags.append(diag(self.path(name), line, code, message))

    # -- files -------------------------------------------------------------------------------

    def collect_files(self) -> None:
        """Turn the input mapping into exact bytes per safe path."""
        try:
            items = list(self.input.items())
        except Exception as exc:  # noqa: BLE001 - a broken mapping is reported, not raised
            self.add(COURSE_FILE, 1, "F011", f"course files could not be listed: {exc}")
            return
        for name, content in items:
            if not isinstance(name, str):
                self.add(_shown(repr(name)), 1, "F011", "file names must be strings")
                continue
            reason = unsafe_path_reason(name)
            if reason is not None:
                self.add(_shown(repr(name)), 1, "F011", f"unsafe file path: {reason}")
                continue
            if isinstance(content, str):
                try:
                    self.files[name] = content.encode("utf-8")
                except UnicodeEncodeError:
                    self.add(name, 1, "F001", "text cannot be encoded as UTF-8")
            elif isinstance(content, bytes | bytearray | memoryview):
                self.files[name] = bytes(content)
            else:
                self.add(
                    name,
                    1,
                    "F011",
                    f"file content must be bytes or text, not {type(content).__name__}",
                )

    def render(self, name: str, line: int, text: str) -> Rendered:
        """Render Markdown, turning a renderer failure into an F012 instead of an exception."""
        try:
            return render_markdown(text, media_prefix=self.media_prefix)
        except Exception as exc:  # noqa: BLE001 - pathological input must not escape as a crash
            self.add(name, line, "F012", f"Markdown could not be rendered: {type(exc).__name__}")
            return Rendered("", "")

    def render_guard(self, name: str) -> Callable[[Callable[[], str], int], str]:
        """Give the quiz parser a renderer wrapper that reports failures at a line."""

        def guard(render: Callable[[], str], line: int) -> str:
            """Run one render, reporting instead of raising."""
            try:
                return render()
            except Exception as exc:  # noqa: BLE001
                self.add(
                    name, line, "F012", f"Markdown could not be rendered: {type(exc).__name__}"
                )
                return ""

        return guard

    def markdown_file(
        self, name: str, *, front_matter_required: bool = True
    ) -> MarkdownFile | None:
        """Decode and split one .md file; None when it is not UTF-8."""
        text = decode(self.files[name], self.path(name), self.diags)
        if text is None:
            return None
        return read_markdown(
            text, self.path(name), self.diags, front_matter_required=front_matter_required
        )

    # -- course.md ---------------------------------------------------------------------------

    def course_meta(self, fm: YamlMapping) -> _CourseMeta:
        """Read and check every course.md front-matter key."""
        meta = _CourseMeta()
        fm.check_keys(COURSE_REQUIRED_KEYS + COURSE_OPTIONAL_KEYS, COURSE_REQUIRED_KEYS)
        meta.title = fm.string("title")
        meta.summary = fm.string("summary")
        meta.commercial_support = fm.string("commercial_support")
        meta.level = fm.choice("level", LEVELS)
        meta.format = fm.choice("format", FORMAT_WORDING)

        ce_hours = fm.number("ce_hours")
        meta.ce_hours_line = fm.line_of("ce_hours")
        if ce_hours is not None:
            if ce_hours <= 0 or (Fraction(ce_hours) * 4).denominator != 1:
                self.add(
                    COURSE_FILE,
                    meta.ce_hours_line,
                    "C003",
                    f"ce_hours must be greater than 0 and a multiple of 0.25, not {ce_hours}",
                )
            else:
                meta.ce_hours = ce_hours

        credits_map = fm.mapping("credits")
        if credits_map is not None:
            credits: dict[str, Decimal] = {}
            credits_ok = True
            for category in credits_map.key_names():
                if category not in CREDIT_CATEGORIES:
                    self.add(
                        COURSE_FILE,
                        credits_map.line_of(category),
                        "C004",
                        f'unknown credit category "{_shown(category)}" '
                        f"(use {', '.join(CREDIT_CATEGORIES)})",
                    )
                    credits_ok = False
                    continue
                amount = credits_map.number(category)
                if amount is None:
                    credits_ok = False
                elif amount < 0:
                    credits_map.invalid(category, f"must not be negative, not {amount}")
                    credits_ok = False
                else:
                    credits[category] = amount
            if credits_ok:
                meta.credits = credits
                total = sum(credits.values(), Decimal(0))
                if ce_hours is not None and total != ce_hours:
                    self.add(
                        COURSE_FILE,
                        fm.line_of("credits"),
                        "C005",
                        f"credits sum to {total} but ce_hours is {ce_hours}",
                    )

        accreditations = fm.string_list("accreditations")
        if accreditations is not None:
            meta.accreditations = self.check_accreditations(
                accreditations, meta.format, fm.line_of("accreditations")
            )

        objectives = fm.string_list("objectives")
        if objectives is not None:
            meta.objectives = [text for text, _line in objectives]
            meta.objective_lines = [line for _text, line in objectives]
            meta.objectives_complete = len(objectives) == len(fm.sequence("objectives") or [])
            if fm.sequence("objectives") == []:
                self.add(
                    COURSE_FILE,
                    fm.line_of("objectives"),
                    "C010",
                    "objectives must list at least one learning objective",
                )

        meta.authors = self.authors(fm)

        if fm.has("instructors"):
            instructors = fm.string_list("instructors") or []
            for index, (email, line) in enumerate(instructors):
                if is_email(email):
                    meta.instructors.append(email.lower())
                else:
                    self.add(
                        COURSE_FILE,
                        line,
                        "F010",
                        f'"instructors" item {index + 1} "{_shown(email)}" '
                        "is not an e-mail address",
                    )

        meta.released = fm.day("released")
        meta.review_by = fm.day("review_by")
        if meta.released is not None and meta.review_by is not None:
            review_line = fm.line_of("review_by")
            latest = add_years(meta.released, MAX_REVIEW_YEARS)
            if meta.review_by <= meta.released:
                self.add(
                    COURSE_FILE,
                    review_line,
                    "C013",
                    f"review_by ({meta.review_by}) must be after released ({meta.released})",
                )
            elif meta.review_by > latest:
                self.add(
                    COURSE_FILE,
                    review_line,
                    "C012",
                    f"review_by ({meta.review_by}) is more than {MAX_REVIEW_YEARS} years after "
                    f"released ({meta.released}); use {latest} or earlier",
                )
        if meta.review_by is not None and meta.review_by < self.today:
            self.add(
                COURSE_FILE,
                fm.line_of("review_by"),
                "C014",
                f"review_by ({meta.review_by}) has passed; the catalog hides the course from new "
                "enrollments until it is reviewed",
            )

        if fm.has("evolving"):
            evolving = fm.boolean("evolving")
            meta.evolving = bool(evolving)
        if meta.evolving and meta.released is not None and meta.review_by is not None:
            latest = add_years(meta.released, EVOLVING_REVIEW_YEARS)
            if meta.review_by > latest:
                self.add(
                    COURSE_FILE,
                    fm.line_of("review_by"),
                    "C021",
                    f"review_by ({meta.review_by}) is more than 12 months after released "
                    f"({meta.released}) in an evolving course; use {latest} or earlier",
                )
        if fm.has("min_minutes"):
            min_minutes = fm.integer("min_minutes", minimum=0)
            meta.min_minutes = min_minutes or 0
            floor = seat_time_floor(meta.ce_hours, 0) if meta.ce_hours is not None else 0
            if min_minutes is not None and min_minutes < floor:
                self.add(
                    COURSE_FILE,
                    fm.line_of("min_minutes"),
                    "C020",
                    f"min_minutes ({min_minutes}) is below the default seat-time floor of "
                    f"{floor} minutes (half of {meta.ce_hours} CE hours); the floor of "
                    f"{floor} minutes applies",
                )
        _ok, meta.ce_broker = parse_course_ce_broker(fm, self.path(COURSE_FILE), self.diags)
        return meta

    def check_accreditations(
        self, items: list[tuple[str, int]], course_format: str | None, key_line: int
    ) -> list[str]:
        """Check accreditation keys against provider.yml (skipped when no provider is given)."""
        keys: list[str] = []
        if not items:
            self.add(
                COURSE_FILE,
                key_line,
                "C009",
                "the course lists no accreditations; certificates will carry no "
                "accreditation statement",
            )
        for key, line in items:
            if key in keys:
                self.add(
                    COURSE_FILE, line, "C008", f'accreditation "{_shown(key)}" is listed twice'
                )
                continue
            keys.append(key)
            if self.accreditation_keys is None:
                continue
            if key not in self.accreditation_keys:
                known = ", ".join(sorted(self.accreditation_keys)) or "none"
                self.add(
                    COURSE_FILE,
                    line,
                    "C006",
                    f'unknown accreditation "{_shown(key)}" (provider.yml defines: {known})',
                )
                continue
            accreditation = self.provider.accreditations.get(key) if self.provider else None
            if (
                accreditation is not None
                and course_format is not None
                and accreditation.formats
                and course_format not in accreditation.formats
            ):
                self.add(
                    COURSE_FILE,
                    line,
                    "C007",
                    f'accreditation "{key}" does not approve the "{course_format}" format '
                    f"(its formats: {', '.join(accreditation.formats)})",
                )
        return keys

    def authors(self, fm: YamlMapping) -> list[Author] | None:
        """Read authors: a non-empty list of {name, credentials, disclosure}."""
        items = fm.sequence("authors")
        if items is None:
            return None
        if not items:
            self.add(
                COURSE_FILE,
                fm.line_of("authors"),
                "C011",
                "authors must list at least one author with name, credentials and disclosure",
            )
            return []
        authors: list[Author] = []
        for index, (node, line) in enumerate(items):
            author = fm.item_mapping(node, line, f"authors[{index + 1}]")
            if author is None:
                continue
            author.check_keys(AUTHOR_KEYS, AUTHOR_KEYS)
            name = author.string("name")
            credentials = author.string("credentials")
            disclosure = author.string("disclosure")
            if name is not None and credentials is not None and disclosure is not None:
                authors.append(Author(name, credentials, disclosure))
        return authors

    # -- lessons -----------------------------------------------------------------------------

    def lessons(self, names: list[str], media: set[str]) -> list[LessonSource]:
        """Validate, order and render lesson files."""
        numbered: list[tuple[int, str, str]] = []
        for name in names:
            match = LESSON_FILE.match(name)
            if match is None or len(match.group(2)) > MAX_SLUG_LENGTH:
                self.add(
                    name,
                    1,
                    "L001",
                    f'lesson file name "{_shown(name)}" must look like NN-slug.md '
                    "(digits, a dash, then at most 100 lower-case letters, digits and dashes)",
                )
                continue
            numbered.append((int(match.group(1)), match.group(2), name))
        numbered.sort(key=lambda item: (item[0], item[2]))

        lessons: list[LessonSource] = []
        numbers: dict[int, str] = {}
        slugs: dict[str, str] = {}
        for number, lesson_slug, name in numbered:
            if number in numbers:
                self.add(
                    name,
                    1,
                    "L002",
                    f"lesson number {number} is already used by {numbers[number]}",
                )
            else:
                numbers[number] = name
            if lesson_slug in slugs:
                self.add(
                    name,
                    1,
                    "L003",
                    f'lesson slug "{lesson_slug}" is already used by {slugs[lesson_slug]}',
                )
            else:
                slugs[lesson_slug] = name
            lesson = self.lesson(number, lesson_slug, name, media)
            if lesson is not None:
                lessons.append(lesson)
        return lessons

    def lesson(
        self, number: int, lesson_slug: str, name: str, media: set[str]
    ) -> LessonSource | None:
        """Validate and render one lesson file; None when it cannot be read."""
        source = self.markdown_file(name)
        if source is None:
            return None
        title: str | None = None
        declared: int | None = None
        objectives: list[tuple[int, int]] = []
        fm = source.front_matter
        if fm is not None:
            fm.check_keys(LESSON_KEYS, ("title",))
            title = fm.string("title")
            if fm.has("minutes"):
                declared = fm.integer("minutes", minimum=1)
            if fm.has("objectives"):
                objectives = list(dict(reversed(fm.integer_list("objectives") or [])).items())
                self.lesson_objectives[name] = objectives
        check_references(source.body, source.body_first_line, self.path(name), media, self.diags)
        rendered = self.render(name, source.body_first_line, source.body)
        words = count_words(source.body)
        return LessonSource(
            number=number,
            slug=lesson_slug,
            path=name,
            title=title or "",
            minutes=declared if declared is not None else lesson_minutes(words),
            word_count=words,
            body=source.body,
            html=rendered.html,
            toc_html=rendered.toc_html,
            declared_minutes=declared,
            objectives=sorted(n for n, _line in objectives),
        )

    # -- course-level checks -----------------------------------------------------------------

    def quiz_warnings(self, parsed: ParsedQuiz, ce_hours: Decimal) -> None:
        """Warn about a thin pool for the CE hours claimed."""
        pool = len(parsed.quiz.questions)
        if pool == 0:
            return
        needed = math.ceil(QUESTIONS_PER_HOUR * ce_hours)
        if pool < needed:
            self.add(
                QUIZ_FILE,
                1,
                "Q011",
                f"the pool has {pool} question(s); {ce_hours} CE hours call for at least "
                f"{needed} ({QUESTIONS_PER_HOUR} per CE hour)",
            )

    def objective_checks(self, meta: _CourseMeta, parsed: ParsedQuiz | None) -> None:
        """Tie questions and lessons to the course objectives (Q016, Q023, Q024, L005, L006)."""
        if not meta.objectives or not meta.objectives_complete:
            return  # C010/F008 come first: numbering against a partial list would mislead
        count = len(meta.objectives)
        for name, numbers in sorted(self.lesson_objectives.items()):
            for number, line in numbers:
                if number > count:
                    self.add(
                        name,
                        line,
                        "L005",
                        f"objective {number} does not exist: course.md lists {count} objective(s)",
                    )
        if self.lesson_objectives:
            taught = {n for numbers in self.lesson_objectives.values() for n, _line in numbers}
            for number, line in enumerate(meta.objective_lines, start=1):
                if number not in taught:
                    self.add(
                        COURSE_FILE,
                        line,
                        "L006",
                        f"objective {number} is taught by no lesson (no lesson names it in its "
                        "objectives front matter), so a learner who misses it is sent nowhere",
                    )
        if parsed is None or not parsed.quiz.questions:
            return
        questions = parsed.quiz.questions
        measured: dict[int, int] = {}
        for question in questions:
            for number in question.objectives:
                if number > count:
                    self.add(
                        QUIZ_FILE,
                        question.objectives_line,
                        "Q016",
                        f'question "{question.id}" names objective {number}, but course.md '
                        f"lists {count} objective(s)",
                    )
                else:
                    measured[number] = measured.get(number, 0) + 1
        if any(not question.objectives for question in questions):
            return  # Q014/Q015 already tell the author what to fix first
        for number, line in enumerate(meta.objective_lines, start=1):
            if measured.get(number, 0) < MIN_ITEMS_PER_OBJECTIVE:
                self.add(
                    COURSE_FILE,
                    line,
                    "Q023",
                    f"objective {number} is measured by {measured.get(number, 0)} question(s) in "
                    f"the pool; it needs at least {MIN_ITEMS_PER_OBJECTIVE} (quiz.md "
                    "objectives lines)",
                )
        per_attempt = parsed.quiz.questions_per_attempt
        if per_attempt < count:
            self.add(
                QUIZ_FILE,
                parsed.questions_per_attempt_line,
                "Q024",
                f"questions_per_attempt is {per_attempt} but the course has {count} objectives; "
                "each attempt draws at least one question per objective, so it must be at "
                f"least {count}",
            )

    # -- the whole folder --------------------------------------------------------------------

    def run(self) -> CourseSource | None:
        """Run every check; the CourseSource only when no error was found."""
        if not SLUG.match(self.slug) or len(self.slug) > MAX_SLUG_LENGTH:
            self.add(
                COURSE_FILE,
                1,
                "C001",
                f'course folder name "{_shown(self.slug)}" must be a slug '
                f"(lower-case letters, digits and dashes, at most {MAX_SLUG_LENGTH} characters)",
            )
        self.collect_files()

        media = {name for name in self.files if name.startswith(MEDIA_DIR)}
        lesson_names: list[str] = []
        for name in sorted(self.files):
            if name in media:
                check_media_file(name, self.files[name], self.path(name), self.diags)
            elif name in (COURSE_FILE, QUIZ_FILE):
                continue
            elif "/" not in name and name.endswith(".md"):
                lesson_names.append(name)
            else:
                self.add(
                    name,
                    1,
                    "F011",
                    "unexpected file: a course folder holds course.md, quiz.md, NN-slug.md "
                    "lessons and media/",
                )

        meta = _CourseMeta()
        overview = Rendered("", "")
        overview_words = 0
        if COURSE_FILE not in self.files:
            self.add(COURSE_FILE, 1, "C002", "course.md is missing")
        else:
            source = self.markdown_file(COURSE_FILE)
            if source is not None:
                if source.front_matter is not None:
                    meta = self.course_meta(source.front_matter)
                check_references(
                    source.body, source.body_first_line, self.path(COURSE_FILE), media, self.diags
                )
                overview = self.render(COURSE_FILE, source.body_first_line, source.body)
                overview_words = count_words(source.body)

        lessons = self.lessons(lesson_names, media)
        if not lesson_names:
            self.add(COURSE_FILE, 1, "L004", "the course has no lessons (NN-slug.md files)")

        parsed_quiz: ParsedQuiz | None = None
        if QUIZ_FILE not in self.files:
            self.add(QUIZ_FILE, 1, "Q001", "quiz.md is missing")
        else:
            quiz_source = self.markdown_file(QUIZ_FILE, front_matter_required=False)
            if quiz_source is not None:
                parsed_quiz = parse_quiz(
                    quiz_source,
                    self.diags,
                    media_prefix=self.media_prefix,
                    render_guard=self.render_guard(QUIZ_FILE),
                )
                check_references(
                    quiz_source.body,
                    quiz_source.body_first_line,
                    self.path(QUIZ_FILE),
                    media,
                    self.diags,
                )

        word_count = overview_words + sum(lesson.word_count for lesson in lessons)
        per_attempt = parsed_quiz.quiz.questions_per_attempt if parsed_quiz else 0
        estimated = estimate_hours(word_count, per_attempt)
        if meta.ce_hours is not None:
            if parsed_quiz is not None:
                self.quiz_warnings(parsed_quiz, meta.ce_hours)
            every_lesson_read = len(lessons) == len(lesson_names)  # else the count is partial
            if every_lesson_read and is_far_from_estimate(meta.ce_hours, estimated):
                self.add(
                    COURSE_FILE,
                    meta.ce_hours_line,
                    "C015",
                    f"ce_hours is {meta.ce_hours} but the estimate is {estimated} h "
                    f"({word_count} words at 150 a minute, {per_attempt} question(s) at 1 minute, "
                    "5 minutes evaluation); they differ by more than 25%",
                )
        self.objective_checks(meta, parsed_quiz)

        if has_errors(self.diags) or parsed_quiz is None:
            return None
        return self.assemble(meta, overview, lessons, parsed_quiz.quiz, word_count, estimated)

    def assemble(
        self,
        meta: _CourseMeta,
        overview: Rendered,
        lessons: list[LessonSource],
        quiz: QuizSource,
        word_count: int,
        estimated: Decimal,
    ) -> CourseSource | None:
        """Build the CourseSource once no error was found."""
        required = (
            meta.title, meta.summary, meta.level, meta.format, meta.ce_hours, meta.credits,
            meta.accreditations, meta.objectives, meta.authors, meta.released, meta.review_by,
            meta.commercial_support,
        )  # fmt: skip
        if any(value is None for value in required):
            self.add(COURSE_FILE, 1, "F999", "internal error: a required value was not read")
            return None
        assert meta.title is not None and meta.summary is not None and meta.level is not None
        assert meta.format is not None and meta.ce_hours is not None and meta.credits is not None
        assert meta.accreditations is not None and meta.objectives is not None
        assert meta.authors is not None and meta.released is not None
        assert meta.review_by is not None and meta.commercial_support is not None
        files = dict(sorted(self.files.items()))
        return CourseSource(
            slug=self.slug,
            title=meta.title,
            summary=meta.summary,
            level=meta.level,
            format=meta.format,
            ce_hours=meta.ce_hours,
            credits=meta.credits,
            accreditations=meta.accreditations,
            objectives=meta.objectives,
            authors=meta.authors,
            instructors=meta.instructors,
            released=meta.released,
            review_by=meta.review_by,
            evolving=meta.evolving,
            min_minutes=meta.min_minutes,
            commercial_support=meta.commercial_support,
            overview_html=overview.html,
            overview_toc_html=overview.toc_html,
            lessons=lessons,
            quiz=quiz,
            files=files,
            content_hash=compute_content_hash(files),
            word_count=word_count,
            estimated_hours=estimated,
            ce_broker=meta.ce_broker,
        )


def parse_course(
    slug: str,
    files: Mapping[str, bytes | str],
    *,
    provider: Provider | None = None,
    media_prefix: str | None = None,
    today: date | None = None,
    accreditation_keys: Collection[str] | None = None,
) -> tuple[CourseSource | None, list[Diagnostic]]:
    """Validate and render one course; (None, diagnostics) on any error. Never raises.

    Without a provider, `accreditation_keys` (those a broken provider.yml still names) let the
    course's accreditation list be checked anyway.
    """
    slug_text = slug if isinstance(slug, str) else str(slug)
    parser = _CourseParser(
        slug_text, files, provider, media_prefix, today or date.today(), accreditation_keys
    )
    try:
        course = parser.run()
    except Exception as exc:  # noqa: BLE001 - the parser reports, it never raises
        parser.add(COURSE_FILE, 1, "F999", f"internal error: {type(exc).__name__}: {exc}")
        course = None
    diags = sorted(parser.diags, key=sort_key)
    if has_errors(diags):
        return None, diags
    return course, diags
