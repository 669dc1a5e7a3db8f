"""What a learner did in a course: enrollment, progress, post-test attempts and the evaluation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ce_platform.accounts.models import User
from ce_platform.catalog.models import Course, CourseRevision, Lesson
from ce_platform.core.models import Base, UTCDateTime, utcnow


class Enrollment(Base):
    """A learner in a course, pinned to the revision that was current when they enrolled."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("course_revisions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="in_progress")  # | complete
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The latest heartbeat credited on any of its lessons: seat time never runs faster than
    # the clock, however many lessons or tabs are open.
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    revision: Mapped[CourseRevision] = relationship()
    progress: Mapped[list[LessonProgress]] = relationship(back_populates="enrollment")
    attempts: Mapped[list[QuizAttempt]] = relationship(
        back_populates="enrollment", order_by="QuizAttempt.number"
    )
    evaluation: Mapped[Evaluation | None] = relationship(back_populates="enrollment")


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Seat time: credited from visible-tab heartbeats, kept as audit evidence.
    active_seconds: Mapped[int] = mapped_column(Integer, default=0)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enrollment: Mapped[Enrollment] = relationship(back_populates="progress")
    lesson: Mapped[Lesson] = relationship()


class QuizAttempt(Base):
    """One post-test attempt: what was drawn (from a stored seed), what was answered, the grade."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("enrollment_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    # [{"question_id": 12, "key": "q-slug", "options": [{"token": "…", "id": "b"}, …]}, …]
    drawn: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responses: Mapped[dict | None] = mapped_column(JSON)  # {question key: [option token, …]}
    results: Mapped[list | None] = mapped_column(JSON)  # per question: key, correct, chosen ids
    score: Mapped[int | None] = mapped_column(Integer)  # percent
    passed: Mapped[bool | None] = mapped_column(Boolean)

    enrollment: Mapped[Enrollment] = relationship(back_populates="attempts")


class Evaluation(Base):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), unique=True)
    answers: Mapped[dict] = mapped_column(JSON)
    attested: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="evaluation")
