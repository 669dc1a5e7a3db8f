"""Licenses a learner holds and CE they report from other providers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ce_platform.core.models import Base, UTCDateTime, utcnow


class License(Base):
    """One professional license and the CE its board asks for in each renewal cycle."""

    __tablename__ = "licenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    profession: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(64), server_default="")
    # The end of the current cycle; earlier cycles end cycle_months apart before it.
    renewal_date: Mapped[date] = mapped_column(Date)
    cycle_months: Mapped[int] = mapped_column(Integer)
    total_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # {topic: hours as text}; topics are credit categories ("ethics") or any named topic ("law").
    requirements: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExternalCredit(Base):
    """CE a learner took with another provider, reported by the learner with its certificate."""

    __tablename__ = "external_credits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    credits: Mapped[dict] = mapped_column(JSON)  # {topic: hours as text}
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    file_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(40))  # the media type it is served with
    file_data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
