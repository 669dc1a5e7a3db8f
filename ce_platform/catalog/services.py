"""Catalog rules: publish validated course content as revisions, and find what learners may see."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from flask import current_app
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from ce_platform import content
from ce_platform.catalog.models import (
    Course,
    CourseInstructor,
    CourseRevision,
    Lesson,
    Question,
    RevisionFile,
)
from ce_platform.core import audit
from ce_platform.core.cache import app_cache
from ce_platform.core.errors import NotFound

PROVIDER_FILE = "provider.yml"


@dataclass
class SyncOutcome:
    """What publishing one course folder did: created | updated | unchanged | rejected, or
    kept (sync left a revision published on the web in place)."""

    slug: str
    status: str
    revision: CourseRevision | None = None
    diagnostics: list[content.Diagnostic] = field(default_factory=list)


def media_prefix(slug: str, number: int) -> str:
    """Where a revision's media is served; lesson HTML links there, fixed at publication."""
    return f"/courses/{slug}/r{number}/media/"


def revision_hash(files_hash: str, provider: content.Provider) -> str:
    """Identify a revision by its files and the provider text printed on its certificates."""
    digest = hashlib.sha256()
    digest.update(files_hash.encode())
    digest.update(b"\0")
    digest.update(provider.source_text.encode())
    return digest.hexdigest()


def can_manage(session, user, course: Course) -> bool:
    """Admins manage every course; an instructor those whose course.md names them or that an
    administrator assigned to them."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    if user.role == "admin":
        return True
    if user.role != "instructor":
        return False
    if course.current_revision is not None and user.email in course.current_revision.instructors:
        return True
    return (
        session.scalar(
            select(CourseInstructor.id).where(
                CourseInstructor.course_id == course.id, CourseInstructor.user_id == user.id
            )
        )
        is not None
    )


def managed_courses(session, user) -> list[Course]:
    """What can_manage allows, by slug, in three queries whatever the number of courses."""
    courses = list(
        session.scalars(
            select(Course)
            .where(Course.current_revision_id.is_not(None))
            .options(selectinload(Course.current_revision))
            .order_by(Course.slug)
        )
    )
    if user.role == "admin":
        return courses
    if user.role != "instructor":
        return []
    assigned = set(
        session.scalars(
            select(CourseInstructor.course_id).where(CourseInstructor.user_id == user.id)
        )
    )
    email = user.email.lower()
    return [c for c in courses if c.id in assigned or email in c.current_revision.instructors]


def current_revision_ids(session) -> tuple[int | None, ...]:
    """Every course's current revision, in course order: changes whenever anything is published."""
    return tuple(session.scalars(select(Course.current_revision_id).order_by(Course.id)))


V = TypeVar("V")
CATALOG_CACHE_SIZE = 256  # cached catalog pages and payloads per process


def cached_catalog(
    session, key: Hashable, build: Callable[[], V], *, now: float, seconds: float
) -> V:
    """What `build` makes of the catalog, once per process for each key and set of current
    revisions; those are read again at most every `seconds`, so a publish shows on every
    server within that time. `seconds` <= 0 builds every time."""
    if seconds <= 0:
        return build()
    cache = app_cache("catalog-pages", maxsize=CATALOG_CACHE_SIZE)
    checked = cache.get("current revisions")
    if checked is None or now - checked[0] >= seconds:
        checked = cache.set("current revisions", (now, current_revision_ids(session)))
    return cache.get_or_build((key, checked[1]), build)


def catalog_payload(session, item: Callable[[CourseRevision], dict], *, today: date) -> dict:
    """The API's catalog, {"courses": [item(revision), ...]}, cached as the HTML catalog is."""
    return cached_catalog(
        session,
        ("api", item.__module__, item.__qualname__, today),
        lambda: {"courses": [item(revision) for revision in catalog(session, today=today)]},
        now=time.monotonic(),
        seconds=current_app.config["CATALOG_CACHE_SECONDS"],
    )


def get_course(session, slug: str) -> Course:
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_revision_id is None:
        raise NotFound(f"There is no course '{slug}'.")
    return course


def next_revision_number(session, slug: str) -> int:
    current = session.scalar(
        select(func.max(CourseRevision.number))
        .join(Course, CourseRevision.course_id == Course.id)
        .where(Course.slug == slug)
    )
    return (current or 0) + 1


def publish_course(
    session,
    slug: str,
    files: Mapping[str, bytes],
    provider: content.Provider,
    *,
    published_by_id: int | None = None,
) -> SyncOutcome:
    """Validate a course folder and, when it changed, store it as the next revision.

    Lesson and question HTML is rendered here, once; requests only read what is stored.
    An unchanged folder is recognised by its hash before any parsing or rendering.
    """
    course = session.scalar(select(Course).where(Course.slug == slug))
    current = course.current_revision if course is not None else None
    if (
        current is not None
        and all(isinstance(data, bytes) for data in files.values())
        and revision_hash(content.compute_content_hash(files), provider) == current.content_hash
    ):
        return SyncOutcome(slug, "unchanged", current)
    number = next_revision_number(session, slug)
    source, diagnostics = content.parse_course(
        slug, files, provider=provider, media_prefix=media_prefix(slug, number)
    )
    if source is None:
        return SyncOutcome(slug, "rejected", diagnostics=diagnostics)

    new_hash = revision_hash(source.content_hash, provider)
    if current is not None and current.content_hash == new_hash:
        return SyncOutcome(slug, "unchanged", current, diagnostics)
    status = "created" if current is None else "updated"
    if course is None:
        course = Course(slug=slug)
        session.add(course)
        session.flush()

    revision = _build_revision(course, number, new_hash, source, provider, published_by_id)
    session.add(revision)
    session.flush()
    course.current_revision = revision
    audit.record(
        session,
        "course.published",
        actor_id=published_by_id,
        subject_type="course_revision",
        subject_id=revision.id,
        data={"course": slug, "revision": number, "hash": new_hash},
    )
    session.flush()
    return SyncOutcome(slug, status, revision, diagnostics)


def sync_course(
    session,
    slug: str,
    files: Mapping[str, bytes],
    provider: content.Provider,
    *,
    force: bool = False,
) -> SyncOutcome:
    """Publish a course folder for `flask courses sync`, only when the folder changed since it
    was last synced, and never over a revision published on the web (unless `force`).

    The folder's hash as last synced is kept on the course, so an unchanged folder is told
    apart from an instructor's newer work: the README's run command never undoes it.
    """
    folder_hash = revision_hash(content.compute_content_hash(files), provider)
    course = session.scalar(select(Course).where(Course.slug == slug))
    current = course.current_revision if course is not None else None
    if current is not None and not force:
        if folder_hash == current.content_hash:
            course.synced_hash = folder_hash
            session.flush()
            return SyncOutcome(slug, "unchanged", current)
        web_edit_since_sync = (
            current.published_on_the_web and current.content_hash != course.synced_hash
        )
        if course.synced_hash == folder_hash or web_edit_since_sync:
            return SyncOutcome(slug, "kept", current)
    outcome = publish_course(session, slug, files, provider)
    if outcome.revision is not None:
        outcome.revision.course.synced_hash = folder_hash
        session.flush()
    return outcome


def _ce_broker(provider: content.Provider, source: content.CourseSource) -> dict:
    """The CE Broker numbers of provider.yml and course.md, frozen with the revision."""
    numbers: dict = {}
    if provider.ce_broker is not None:
        numbers["provider_tracking"] = provider.ce_broker.provider_tracking
        numbers["professions"] = dict(provider.ce_broker.professions)
    course = source.ce_broker
    if course.course_tracking:
        numbers["course_tracking"] = course.course_tracking
    if course.course_id:
        numbers["course_id"] = course.course_id
    if course.subject_areas:
        numbers["subject_areas"] = dict(course.subject_areas)
    return numbers


def _build_revision(
    course: Course,
    number: int,
    content_hash: str,
    source: content.CourseSource,
    provider: content.Provider,
    published_by_id: int | None,
) -> CourseRevision:
    accreditations = []
    for key in source.accreditations:
        accreditation = provider.accreditations[key]
        accreditations.append(
            {
                "key": key,
                "body": accreditation.body,
                "provider_number": accreditation.provider_number,
                "unit": accreditation.unit,
                "professions": list(accreditation.professions),
                "approval_start": _iso(accreditation.approval_start),
                "approval_end": _iso(accreditation.approval_end),
                "formats": list(accreditation.formats),
                "commensurate": accreditation.commensurate,
                "statement": accreditation.render_statement(
                    provider.name, source.ce_hours, source.credits
                ),
            }
        )
    quiz = source.quiz
    return CourseRevision(
        course=course,
        number=number,
        content_hash=content_hash,
        published_by_id=published_by_id,
        title=source.title,
        summary=source.summary,
        level=source.level,
        format=source.format,
        format_wording=content.FORMAT_WORDING.get(source.format, source.format),
        ce_hours=source.ce_hours,
        credits={category: str(hours) for category, hours in source.credits.items()},
        objectives=list(source.objectives),
        authors=[
            {"name": a.name, "credentials": a.credentials, "disclosure": a.disclosure}
            for a in source.authors
        ],
        instructors=[email.lower() for email in source.instructors],
        provider={
            "name": provider.name,
            "address": provider.address,
            "signer": {"name": provider.signer.name, "title": provider.signer.title},
            "specimen": provider.specimen,
        },
        accreditations=accreditations,
        provider_source=provider.source_text,
        released=source.released,
        review_by=source.review_by,
        evolving=source.evolving,
        min_minutes=source.min_minutes,
        commercial_support=source.commercial_support,
        ce_broker=_ce_broker(provider, source),
        overview_html=source.overview_html,
        overview_toc_html=source.overview_toc_html,
        word_count=source.word_count,
        estimated_hours=source.estimated_hours,
        passing_score=quiz.passing_score,
        max_attempts=quiz.max_attempts,
        questions_per_attempt=quiz.questions_per_attempt,
        shuffle=quiz.shuffle,
        reveal=quiz.reveal,
        lessons=[
            Lesson(
                position=position,
                slug=lesson.slug,
                title=lesson.title,
                source=lesson.body,
                html=lesson.html,
                toc_html=lesson.toc_html,
                minutes=lesson.minutes,
                word_count=lesson.word_count,
                objectives=list(lesson.objectives),
            )
            for position, lesson in enumerate(source.lessons, start=1)
        ],
        questions=build_questions(quiz),
        files=[RevisionFile(path=path, data=data) for path, data in sorted(source.files.items())],
    )


def build_questions(quiz: content.QuizSource) -> list[Question]:
    """The Question rows a quiz publishes as (also what the test-wise simulation draws from)."""
    return [
        Question(
            position=position,
            key=question.id,
            kind=question.kind,
            prompt_html=question.prompt_html,
            options=[
                {
                    "id": option.id,
                    "html": option.html,
                    "correct": option.correct,
                    "feedback_html": option.feedback_html,
                }
                for option in question.options
            ],
            explanation_html=question.explanation_html,
            objectives=list(question.objectives),
        )
        for position, question in enumerate(quiz.questions, start=1)
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def export_files(revision: CourseRevision) -> dict[str, bytes]:
    """The course folder exactly as it was published."""
    return {f.path: f.data for f in revision.files}


SEARCH_MAX_WORDS = 8


def search_words(text: str | None) -> list[str]:
    """The words of a catalog search, lower-cased, without repeats, at most SEARCH_MAX_WORDS."""
    words: list[str] = []
    for word in (text or "").lower().split():
        if word not in words:
            words.append(word[:50])
    return words[:SEARCH_MAX_WORDS]


def catalog(
    session,
    *,
    today: date,
    category: str | None = None,
    level: str | None = None,
    max_hours: Decimal | None = None,
    text: str | None = None,
    course_format: str | None = None,
) -> list[CourseRevision]:
    """Current revisions open to new learners, filtered, ordered by title. `text` keeps the
    courses whose title, summary or objectives contain every one of its words."""
    query = (
        select(CourseRevision)
        .join(Course, Course.current_revision_id == CourseRevision.id)
        .where(CourseRevision.review_by >= today)
        .options(
            # Only what a catalog card shows: no overview HTML, provider text or JSON lists.
            load_only(
                CourseRevision.course_id,
                CourseRevision.title,
                CourseRevision.summary,
                CourseRevision.level,
                CourseRevision.ce_hours,
                CourseRevision.credits,
                CourseRevision.evolving,
            ),
            joinedload(CourseRevision.course),  # revision.slug, without one query per card
            selectinload(CourseRevision.lessons).load_only(Lesson.minutes, Lesson.position),
        )
        .order_by(CourseRevision.title)
    )
    if level:
        query = query.where(CourseRevision.level == level)
    if course_format:
        query = query.where(CourseRevision.format == course_format)
    if max_hours is not None:
        query = query.where(CourseRevision.ce_hours <= max_hours)
    for word in search_words(text):
        # A LIKE over the current revisions only (one per course, a few hundred at most);
        # a full-text index earns its place when the catalog is much larger.
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                CourseRevision.title.ilike(pattern, escape="\\"),
                CourseRevision.summary.ilike(pattern, escape="\\"),
                cast(CourseRevision.objectives, Text).ilike(pattern, escape="\\"),
            )
        )
    revisions = list(session.scalars(query))
    if category:
        revisions = [r for r in revisions if Decimal(r.credits.get(category, "0")) > 0]
    return revisions


@dataclass(frozen=True)
class LessonView:
    """A published lesson as its page shows it; revisions never change once published."""

    id: int
    revision_id: int
    position: int
    slug: str
    title: str
    minutes: int
    html: str
    toc_html: str


@dataclass(frozen=True)
class RevisionOutline:
    id: int
    title: str
    lessons: tuple[LessonView, ...]

    def neighbours(self, lesson: LessonView) -> tuple[LessonView | None, LessonView | None]:
        index = self.lessons.index(lesson)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following


OUTLINE_CACHE_SIZE = 128  # revisions per process


def revision_outline(session, revision_id: int, published_at) -> RevisionOutline:
    """A revision's title and lessons, with their stored HTML, read once per process.

    Keyed by id and publication time, so a row that reuses a deleted row's id is never
    mistaken for it.
    """

    def build() -> RevisionOutline:
        title = session.scalar(select(CourseRevision.title).where(CourseRevision.id == revision_id))
        rows = session.execute(
            select(
                Lesson.id,
                Lesson.revision_id,
                Lesson.position,
                Lesson.slug,
                Lesson.title,
                Lesson.minutes,
                Lesson.html,
                Lesson.toc_html,
            )
            .where(Lesson.revision_id == revision_id)
            .order_by(Lesson.position)
        ).all()
        return RevisionOutline(revision_id, title, tuple(LessonView(*row) for row in rows))

    cache = app_cache("revision-outlines", maxsize=OUTLINE_CACHE_SIZE)
    return cache.get_or_build((revision_id, published_at), build)


def find_lesson(revision: CourseRevision | RevisionOutline, lesson_slug: str) -> Lesson:
    for lesson in revision.lessons:
        if lesson.slug == lesson_slug:
            return lesson
    raise NotFound(f"This course has no lesson '{lesson_slug}'.")


def find_media(session, slug: str, number: int, name: str) -> RevisionFile:
    """A media file of one revision; any other path (traversal included) is simply not found."""
    if ".." in name.split("/") or name.startswith("/") or "\\" in name:
        raise NotFound("No such media file.")
    media = session.scalar(
        select(RevisionFile)
        .join(CourseRevision, RevisionFile.revision_id == CourseRevision.id)
        .join(Course, CourseRevision.course_id == Course.id)
        .where(
            Course.slug == slug,
            CourseRevision.number == number,
            RevisionFile.path == f"media/{name}",
        )
    )
    if media is None:
        raise NotFound("No such media file.")
    return media
