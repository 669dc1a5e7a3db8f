"""Courses and their immutable published revisions (lessons, questions and source files)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ce_platform import content
from ce_platform.core.models import Base, UTCDateTime, utcnow


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_revisions.id", use_alter=True)
    )
    # The revision hash of the course folder (and provider.yml) as `flask courses sync` last
    # read it: sync publishes a folder only when it changed since then.
    synced_hash: Mapped[str | None] = mapped_column(String(64))

    current_revision: Mapped[CourseRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list[CourseRevision]] = relationship(
        back_populates="course",
        foreign_keys="CourseRevision.course_id",
        order_by="CourseRevision.number",
    )


class CourseInstructor(Base):
    """An instructor an administrator assigned to a course (besides those course.md names)."""

    __tablename__ = "course_instructors"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CourseRevision(Base):
    """One published version of a course; never changed after it is created."""

    __tablename__ = "course_revisions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(40))
    format_wording: Mapped[str] = mapped_column(String(200))
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    credits: Mapped[dict] = mapped_column(JSON)  # {"ethics": "1.0"}: category -> hours as text
    objectives: Mapped[list] = mapped_column(JSON)
    authors: Mapped[list] = mapped_column(JSON)  # [{name, credentials, disclosure}]
    instructors: Mapped[list] = mapped_column(JSON)  # emails named in course.md
    # The provider and each applicable accreditation as they stood at publication.
    provider: Mapped[dict] = mapped_column(JSON)  # {name, address, signer: {name, title}}
    accreditations: Mapped[list] = mapped_column(JSON)
    provider_source: Mapped[str] = mapped_column(Text)  # provider.yml text, for export
    released: Mapped[date] = mapped_column(Date)
    review_by: Mapped[date] = mapped_column(Date, index=True)
    evolving: Mapped[bool] = mapped_column(Boolean)
    min_minutes: Mapped[int] = mapped_column(Integer)
    # course.md's commercial-support statement ("No commercial support was received ...").
    commercial_support: Mapped[str] = mapped_column(Text, server_default="")
    # CE Broker numbers as published: {provider_tracking, professions, course_tracking,
    # course_id, subject_areas}; {} when neither provider.yml nor course.md gives them.
    ce_broker: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    overview_html: Mapped[str] = mapped_column(Text)
    overview_toc_html: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    estimated_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    passing_score: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    questions_per_attempt: Mapped[int] = mapped_column(Integer)
    shuffle: Mapped[bool] = mapped_column(Boolean)
    reveal: Mapped[str] = mapped_column(String(20))

    course: Mapped[Course] = relationship(back_populates="revisions", foreign_keys=[course_id])
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="revision", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="revision", order_by="Question.position", cascade="all, delete-orphan"
    )
    files: Mapped[list[RevisionFile]] = relationship(
        back_populates="revision", order_by="RevisionFile.path", cascade="all, delete-orphan"
    )

    @property
    def slug(self) -> str:
        return self.course.slug

    def is_open_on(self, day: date) -> bool:
        """New learners may enroll until the review date has passed."""
        return day <= self.review_by

    @property
    def seat_time_floor(self) -> int:
        """Active minutes the completion gate requires: half the credited minutes, or more."""
        return content.seat_time_floor(self.ce_hours, self.min_minutes)

    @property
    def published_on_the_web(self) -> bool:
        """Whether a person published this revision (authoring pages or API), not a sync."""
        return self.published_by_id is not None

    @property
    def total_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


class Lesson(Base):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("revision_id", "slug"),
        UniqueConstraint("revision_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("course_revisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)  # rendered and sanitized once, at publication
    toc_html: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int] = mapped_column(Integer)
    word_count: Mapped[int] = mapped_column(Integer)
    # 1-based numbers of the revision's objectives this lesson teaches (its front matter)
    objectives: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    revision: Mapped[CourseRevision] = relationship(back_populates="lessons")


class Question(Base):
    """A post-test item; `options` holds the answer key and never leaves the server as is."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("revision_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("course_revisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(100))  # the stable id from quiz.md
    kind: Mapped[str] = mapped_column(String(20))
    prompt_html: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)  # [{id, html, correct, feedback_html}]
    explanation_html: Mapped[str] = mapped_column(Text)
    # 1-based numbers of the revision's objectives this item measures (its objectives line)
    objectives: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    revision: Mapped[CourseRevision] = relationship(back_populates="questions")


class RevisionFile(Base):
    """Every file of the course folder as published, byte for byte (export, media, diffs)."""

    __tablename__ = "revision_files"
    __table_args__ = (UniqueConstraint("revision_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("course_revisions.id"))
    path: Mapped[str] = mapped_column(String(300))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    revision: Mapped[CourseRevision] = relationship(back_populates="files")
