"""One row per piece of background work: what to do, to what, and how it went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ce_platform.core.models import Base, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What to do: "certificate.render", "mail", "periodic.<name>".
    kind: Mapped[str] = mapped_column(String(64), index=True)
    # What to do it to, read from the database when the job runs (a certificate number, the
    # message's kind and reference, the periodic slot).
    subject: Mapped[str] = mapped_column(String(254), default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Set for work that must happen once only (periodic slots, one reminder per idle stretch):
    # the unique constraint decides between two schedulers.
    key: Mapped[str | None] = mapped_column(String(254), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.subject} {self.state}>"
