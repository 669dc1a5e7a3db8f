"""CSV exports: report rows as tables, streamed line by line, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response

from ce_platform.reports import services
from ce_platform.reports.services import CEBrokerRow, CompletionRow, RosterRow, credit_categories

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Keep spreadsheet programs from reading a text cell as a formula.

    A text value that starts with = + - @, a tab or a carriage return gets a leading single
    quote, so `=HYPERLINK(...)` shows as text. Numbers and empty cells pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Yield the header and then each row as one CSV line, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in itertools.chain([header], rows):
        writer.writerow([safe_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    """A streamed UTF-8 CSV download."""
    response = Response(csv_lines(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _day(value: date | datetime | None) -> str:
    return value.isoformat() if value else ""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def roster_table(rows: list[RosterRow]) -> tuple[list[str], list[list]]:
    header = [
        "Name",
        "Email",
        "Profession",
        "License number",
        "License state",
        "Revision",
        "Enrolled at",
        "Lessons completed",
        "Lessons total",
        "Progress %",
        "Attempts used",
        "Best score %",
        "Passed",
        "Status",
        "Seat time (minutes)",
        "Seat-time floor (minutes)",
        "Completed below the floor",
        "Completed at",
        "Certificate number",
    ]
    body = [
        [
            r.name,
            r.email,
            r.profession,
            r.license_number,
            r.license_state,
            r.revision,
            _day(r.enrolled_at),
            r.lessons_completed,
            r.lessons_total,
            r.progress,
            r.attempts_used,
            "" if r.best_score is None else r.best_score,
            _yes_no(r.passed),
            r.status_label,
            r.seat_minutes,
            r.seat_floor_minutes,
            _yes_no(r.below_seat_floor),
            _day(r.completed_at),
            r.certificate_number or "",
        ]
        for r in rows
    ]
    return header, body


def completions_table(rows: list[CompletionRow]) -> tuple[list[str], list[list]]:
    """One column per credit category found in the rows (`Credits: ethics`, ...)."""
    categories = credit_categories(rows)
    header = [
        "Name",
        "Credentials",
        "Email",
        "Profession",
        "License number",
        "License state",
        "Completion date",
        "Revision",
        "CE hours",
        *(f"Credits: {category}" for category in categories),
        "Certificate number",
        "Certificate status",
    ]
    body = [
        [
            r.name,
            r.credentials,
            r.email,
            r.profession,
            r.license_number,
            r.license_state,
            r.completion_date.isoformat(),
            r.revision,
            r.ce_hours,
            *(r.credits.get(category, "") for category in categories),
            r.certificate_number,
            r.certificate_status,
        ]
        for r in rows
    ]
    return header, body


CE_BROKER_HEADER = [
    "Provider Tracking Number",
    "Course Tracking Number",
    "License Number",
    "Completion Date",
    "State",
    "Profession",
    "Hours",
]


def ce_broker_table(rows: list[CEBrokerRow]) -> tuple[list[str], list[list]]:
    """CE_RULES.md's roster: tracking numbers, license, MM/DD/YYYY, State, Profession, hours."""
    body = [
        [
            r.provider_tracking_number,
            r.course_tracking_number,
            r.license_number,
            r.completion_date.strftime("%m/%d/%Y"),
            r.state,
            r.profession,
            r.hours,
        ]
        for r in rows
    ]
    return list(CE_BROKER_HEADER), body


def _roster(session, course, **_) -> tuple[list[str], list[list]]:
    return roster_table(services.roster(session, course))


def _completions(session, course, **_) -> tuple[list[str], list[list]]:
    return completions_table(services.completions(session, course))


def _ce_broker(session, course, *, provider_tracking: str, course_tracking: str, **_):
    return ce_broker_table(services.ce_broker(session, course, provider_tracking, course_tracking))


EXPORTS = {"roster": _roster, "completions": _completions, "ce-broker": _ce_broker}


def build_export(
    session, course, report: str, *, provider_tracking: str = "", course_tracking: str = ""
) -> tuple[str, list[str], list[list]]:
    """(file name, header, rows) of one of the EXPORTS of a course."""
    header, body = EXPORTS[report](
        session, course, provider_tracking=provider_tracking, course_tracking=course_tracking
    )
    return f"{course.slug}-{report}.csv", header, body
