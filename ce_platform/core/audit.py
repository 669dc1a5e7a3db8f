"""The append-only audit trail: who did what, each event chained to the previous one by hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ce_platform.core.models import Base, UTCDateTime, utcnow
from ce_platform.core.transactions import take_write_lock

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x43450001  # any constant, the same in every process


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    # Wide enough for any subject: an address asked for at sign-in (254), a course slug (100).
    subject_id: Mapped[str] = mapped_column(String(254))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        """Hash every recorded field together with the previous event's hash."""
        payload = json.dumps(
            {
                "prev": self.prev_hash,
                "at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "action": self.action,
                "subject": [self.subject_type, self.subject_id],
                "data": self.data,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session,
    action: str,
    *,
    actor_id: int | None,
    subject_type: str,
    subject_id: Any,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain; the caller's transaction commits it with the change itself."""
    take_write_lock(session)  # the chain's end is read and extended under one write lock
    if session.get_bind().dialect.name == "postgresql":
        # Writers take turns at the end of the chain until their transaction ends.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        created_at=utcnow().replace(microsecond=0),
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=previous or GENESIS,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


def verify_chain(session) -> AuditEvent | None:
    """Walk the chain in order; return the first event whose link or hash does not hold."""
    previous = GENESIS
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            return event
        previous = event.hash
    return None
