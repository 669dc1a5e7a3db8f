"""A course's certificates for a date range as one ZIP, streamed one PDF at a time."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ce_platform.catalog.models import Course
from ce_platform.certificates.models import Certificate
from ce_platform.core import audit
from ce_platform.core.errors import ValidationError

MANIFEST_HEADER = ["Certificate number", "Status", "Completion date", "Participant", "SHA-256"]


@dataclass(frozen=True)
class ArchiveEntry:
    id: int
    number: str
    status: str
    completion_date: date
    participant: str
    sha256: str


def parse_range(start: str, end: str) -> tuple[date | None, date | None]:
    """Completion dates from query text (YYYY-MM-DD, either may be empty); 400 when malformed."""
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, text in (("start", start), ("end", end)):
        text = (text or "").strip()
        days[name] = None
        if not text:
            continue
        try:
            if len(text) != 10:
                raise ValueError(text)
            days[name] = date.fromisoformat(text)
        except ValueError:
            problems[name] = "a date written YYYY-MM-DD"
    if not problems and days["start"] and days["end"] and days["end"] < days["start"]:
        problems["end"] = "on or after the start date"
    if problems:
        raise ValidationError("The date range cannot be read.", problems)
    return days["start"], days["end"]


def archive_entries(
    session, course: Course, start: date | None, end: date | None
) -> list[ArchiveEntry]:
    """Every certificate of the course completed in the range, whatever its status, once its
    PDF exists (one still rendering joins the next archive)."""
    query = select(
        Certificate.id,
        Certificate.number,
        Certificate.status,
        Certificate.completion_date,
        Certificate.snapshot,
        Certificate.sha256,
    ).where(Certificate.course_id == course.id, Certificate.sha256.is_not(None))
    if start is not None:
        query = query.where(Certificate.completion_date >= start)
    if end is not None:
        query = query.where(Certificate.completion_date <= end)
    rows = session.execute(query.order_by(Certificate.completion_date, Certificate.number))
    return [
        ArchiveEntry(
            id=row.id,
            number=row.number,
            status=row.status,
            completion_date=row.completion_date,
            participant=row.snapshot["participant"]["display_name"],
            sha256=row.sha256,
        )
        for row in rows
    ]


def record_archive(
    session,
    *,
    actor_id: int,
    course: Course,
    start: date | None,
    end: date | None,
    count: int,
) -> None:
    """Say in the audit trail who took which certificates out, and how many."""
    audit.record(
        session,
        "certificates.archived",
        actor_id=actor_id,
        subject_type="course",
        subject_id=course.slug,
        data={
            "course": course.slug,
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "certificates": count,
        },
    )


class _Chunks:
    """A write-only sink for ZipFile: what was written since the last `take`."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_stream(session, entries: list[ArchiveEntry]) -> Iterator[bytes]:
    """Yield the ZIP piece by piece: each stored PDF is read only when its turn comes.

    PDFs are stored as issued (no recompression, their bytes keep their SHA-256); a
    manifest.csv lists number, status, completion date, participant and hash.
    """
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for entry in entries:
            pdf = session.scalar(select(Certificate.pdf).where(Certificate.id == entry.id))
            archive.writestr(f"{entry.number}.pdf", pdf)
            yield sink.take()
        manifest = io.StringIO()
        writer = csv.writer(manifest, lineterminator="\r\n")
        writer.writerow(MANIFEST_HEADER)
        for entry in entries:
            writer.writerow(
                [
                    entry.number,
                    entry.status,
                    entry.completion_date.isoformat(),
                    _text_cell(entry.participant),
                    entry.sha256,
                ]
            )
        archive.writestr("manifest.csv", manifest.getvalue().encode())
    yield sink.take()


def _text_cell(value: str) -> str:
    """Keep a spreadsheet from running a name as a formula."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value
