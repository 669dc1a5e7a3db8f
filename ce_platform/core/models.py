"""The declarative base: typed models and a naming convention Alembic can rely on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import DateTime, MetaData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from ce_platform.core.transactions import take_write_lock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store timezone-aware UTC datetimes and read them back aware on every engine."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use ce_platform.core.models.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Row = TypeVar("Row")


def insert_once(
    session, create: Callable[[], Row], existing: Callable[[], Row | None]
) -> tuple[Row, bool]:
    """Insert the row `create()` builds, in a SAVEPOINT; (row, True).

    When a unique constraint says a concurrent request inserted the same thing first, only the
    savepoint is rolled back and `existing()` is asked for that request's row: (it, False). An
    integrity error with no such row is someone else's problem and is raised.
    """
    take_write_lock(session)  # a reading request's first write: under the lock from here on
    try:
        with session.begin_nested():
            row = create()
            session.add(row)
            session.flush()
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found, False
    return row, True
