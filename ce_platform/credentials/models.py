"""A certificate's signed credential, its place in the status list, and the learner's choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ce_platform.certificates.models import Certificate
from ce_platform.core.models import Base, UTCDateTime, utcnow


class Credential(Base):
    """One OpenBadgeCredential per certificate; its PDF and hash never change because of it."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("status_list", "status_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), unique=True)
    # Where its revocation bit lives: list number and a randomly drawn index in it.
    status_list: Mapped[int] = mapped_column(Integer)
    status_index: Mapped[int] = mapped_column(Integer)
    # The bit: set in the transaction that revokes or supersedes the certificate.
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verification_method: Mapped[str] = mapped_column(String(255))
    document: Mapped[dict] = mapped_column(JSON)  # signed, with every subject field
    public_document: Mapped[dict] = mapped_column(JSON)  # signed, identifying fields left out

    certificate: Mapped[Certificate] = relationship()


class CredentialPreference(Base):
    """The learner's account-wide choices: show my name publicly, put my licence number in."""

    __tablename__ = "credential_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    public_subject: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    include_license_number: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
