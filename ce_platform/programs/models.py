"""Programs and their published revisions, program enrollments and program certificates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ce_platform.accounts.models import User
from ce_platform.certificates.models import PUBLIC_REVOCATION_LABELS, REVOCATION_REASONS
from ce_platform.core.models import Base, UTCDateTime, utcnow


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_revisions.id", use_alter=True)
    )

    current_revision: Mapped[ProgramRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )


class ProgramRevision(Base):
    """An immutable published program.md: it pins course slugs, not course revisions."""

    __tablename__ = "program_revisions"
    __table_args__ = (UniqueConstraint("program_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    objectives: Mapped[list] = mapped_column(JSON)
    required: Mapped[list] = mapped_column(JSON)  # course slugs
    electives: Mapped[list] = mapped_column(JSON)  # course slugs
    electives_needed: Mapped[int] = mapped_column(Integer)
    course_order: Mapped[list] = mapped_column(JSON)  # every course slug, in the advised order
    rule: Mapped[str] = mapped_column(String(100))
    overview_md: Mapped[str] = mapped_column(Text)
    overview_html: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)  # program.md as published
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    program: Mapped[Program] = relationship(foreign_keys=[program_id])


class ProgramEnrollment(Base):
    """A learner in a program; its courses have their own enrollments."""

    __tablename__ = "program_enrollments"
    __table_args__ = (UniqueConstraint("user_id", "program_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("program_revisions.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    program: Mapped[Program] = relationship()
    revision: Mapped[ProgramRevision] = relationship()


class ProgramCertificate(Base):
    """A program certificate: frozen like a course certificate, numbered from the same space.

    It answers the attributes the shared verification and revocation code reads (number,
    status, snapshot, revocation fields), so one verification page and one admin flow serve
    both kinds.
    """

    __tablename__ = "program_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    number_key: Mapped[str] = mapped_column(String(16), unique=True)
    program_enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("program_enrollments.id"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("program_revisions.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completion_date: Mapped[date] = mapped_column(Date)
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    snapshot: Mapped[dict] = mapped_column(JSON)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    revoked_note: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    program: Mapped[Program] = relationship()
    enrollment: Mapped[ProgramEnrollment] = relationship()

    course_id = None  # not a course's certificate: only its owner and admins may download it
    superseded_by = None  # program certificates are not reissued

    @property
    def revoked_reason_label(self) -> str:
        return REVOCATION_REASONS.get(self.revoked_reason or "", self.revoked_reason or "")

    @property
    def revoked_reason_public(self) -> str:
        """The neutral category shown to the public and the learner."""
        return PUBLIC_REVOCATION_LABELS.get(self.revoked_reason or "", "Revoked by the provider")
