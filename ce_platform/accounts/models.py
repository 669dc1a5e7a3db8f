"""User accounts and the hashed bearer tokens of the JSON API."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ce_platform.core.models import Base, UTCDateTime, utcnow

PROFESSIONS = {
    "psychologist": "Psychologist",
    "social_worker": "Social worker",
    "counselor": "Counselor",
    "mft": "Marriage and family therapist",
    "nurse": "Nurse",
    "physician": "Physician",
    "other": "Other",
}

US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
).split()


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased, so the unique constraint makes emails unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), index=True)  # rosters sort by name
    credentials: Mapped[str] = mapped_column(String(100), default="", server_default="")
    profession: Mapped[str] = mapped_column(String(32), default="other", server_default="other")
    license_number: Mapped[str] = mapped_column(String(64), default="", server_default="")
    license_state: Mapped[str] = mapped_column(String(2), default="", server_default="")
    role: Mapped[str] = mapped_column(String(16), default="learner", server_default="learner")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Part of every session cookie; raising it ends every session signed in before.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Certificates and board correspondence go only to an address its owner has confirmed.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "You haven't finished" and "evaluation pending" mail; the unsubscribe link turns it off.
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    def get_id(self) -> str:
        """Name the session generation with the id, so an older cookie stops matching."""
        return f"{self.id}.{self.session_generation}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def display_name(self) -> str:
        """Full name with credentials, as printed on certificates."""
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    @property
    def profession_label(self) -> str:
        return PROFESSIONS.get(self.profession, self.profession)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")
