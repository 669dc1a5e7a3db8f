"""Exports: report rows as CSV tables streamed line by line, and CE Broker's Excel upload."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


def ce_broker_cells(row: CEBrokerRow) -> list[object]:
    """Columns A to J of CE Broker's upload, as its help articles letter them."""
    return [
        row.provider_tracking,  # A
        row.course_tracking or None,  # B
        row.course_id or None,  # C
        None,  # D: publishing number, issued by CE Broker for live events only
        row.license_number,  # E
        datetime(row.completion_date.year, row.completion_date.month, row.completion_date.day),
        f"State={row.state}",  # G
        f"Profession={row.profession_code}",  # H
        row.subject_area or None,  # I: partial credit
        Decimal(row.hours) if row.hours else None,  # J: partial credit, a number
    ]


def ce_broker_workbook(rows: list[CEBrokerRow]) -> bytes:
    """CE Broker's Excel upload: no header row, one licensee per row, cells by column letter.

    Every cell is text except F, an Excel date shown M/D/YYYY ("12/3/2008" in the articles);
    a text cell never becomes a formula, whatever it starts with. Partial-credit hours (J) are
    numbers; unused columns are empty.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    for row in rows:
        cells = []
        for value in ce_broker_cells(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "m/d/yyyy"
            elif isinstance(value, str):
                cell.data_type = "s"  # never "f": a value starting with "=" stays text
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _roster(session, course, **_) -> tuple[list[str], list[list]]:
    return roster_table(services.roster(session, course))


def _completions(session, course, **_) -> tuple[list[str], list[list]]:
    return completions_table(services.completions(session, course))


EXPORTS = {"roster": _roster, "completions": _completions}


def build_export(session, course, report: str) -> tuple[str, list[str], list[list]]:
    """(file name, header, rows) of one of the EXPORTS of a course."""
    header, body = EXPORTS[report](session, course)
    return f"{course.slug}-{report}.csv", header, body


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, data: bytes) -> Response:
    """An Excel download, kept out of shared caches like the CSVs."""
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
