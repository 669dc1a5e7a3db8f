"""Issued certificates: a frozen snapshot and PDF, never changed; corrections supersede."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ce_platform.accounts.models import User
from ce_platform.catalog.models import Course, CourseRevision
from ce_platform.core.models import Base, UTCDateTime, utcnow
from ce_platform.learning.models import Enrollment

REVOCATION_REASONS = {
    "issued_in_error": "Issued in error",
    "requirements_not_met": "Requirements found not met",
    "academic_misconduct": "Academic misconduct",
    "learner_request": "At the learner's request",
    "other": "Other",
}
# What the public verification page, the verify API and the learner's pages say: a neutral
# category, never an accusation (the note and the exact reason stay with administrators).
PUBLIC_REVOCATION_LABELS = {
    "issued_in_error": "Issued in error",
    "requirements_not_met": "Course requirements not met",
    "academic_misconduct": "Course requirements not met",
    "learner_request": "Withdrawn at the learner's request",
    "other": "Revoked by the provider",
}


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        # One current (valid or revoked) certificate per enrollment, whatever the concurrency;
        # a reissue supersedes the old one first.
        Index(
            "uq_certificates_current_enrollment",
            "enrollment_id",
            unique=True,
            sqlite_where=text("status != 'superseded'"),
            postgresql_where=text("status != 'superseded'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # CE-XXXX-XXXX-XXXX-XXXX
    number_key: Mapped[str] = mapped_column(String(16), unique=True)  # normalised for look-ups
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("course_revisions.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completion_date: Mapped[date] = mapped_column(Date, index=True)
    ce_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    snapshot: Mapped[dict] = mapped_column(JSON)  # every printed field, as printed
    # Empty while the render job runs; both are set together, once (`store_rendered_pdf`).
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid|revoked|superseded
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    revoked_note: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    enrollment: Mapped[Enrollment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    revision: Mapped[CourseRevision] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def revoked_reason_label(self) -> str:
        return REVOCATION_REASONS.get(self.revoked_reason or "", self.revoked_reason or "")

    @property
    def revoked_reason_public(self) -> str:
        """The neutral category shown to the public and the learner."""
        return PUBLIC_REVOCATION_LABELS.get(self.revoked_reason or "", "Revoked by the provider")
