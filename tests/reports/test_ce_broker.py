"""CE Broker's Excel upload: every column letter read back with openpyxl, refusals listed."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ce_platform.certificates import services as certificates
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.accounts.test_api import assert_error
from tests.reports.conftest import COURSE_CE_BROKER, PROVIDER_CE_BROKER, SLUG, completer

COLUMNS = "ABCDEFGHIJ"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def course():
    """A course with two credit categories, so partial credit has two subject areas."""
    return factories.course(
        SLUG,
        title="Ethics in Testing Practice",
        ce_hours="0.5",
        credits="{general: 0.25, ethics: 0.25}",
        provider_ce_broker=PROVIDER_CE_BROKER,
        ce_broker=COURSE_CE_BROKER,
    )


@pytest.fixture
def certified(api, people, course):
    """A licensed social worker, a nurse without a license, a psychologist with no code."""
    return {
        "dana": completer(api, "dana@example.org", **factories.CLINICIAN),
        "noah": completer(api, "noah@example.org", full_name="Noah Nolicense", profession="nurse"),
        "pia": completer(
            api,
            "pia@example.org",
            full_name="Pia Psychologist",
            profession="psychologist",
            license_number="PY-777",
            license_state="FL",
        ),
    }


def read_rows(response) -> list[dict[str, object]]:
    """The workbook's rows as {column letter: value}, read back with openpyxl."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == XLSX
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    rows = []
    for row in sheet.iter_rows(min_col=1, max_col=len(COLUMNS)):
        if any(cell.value is not None for cell in row):  # an empty sheet still has an A1
            rows.append({COLUMNS[cell.column - 1]: cell for cell in row})
    return rows


def values(row: dict) -> dict[str, object]:
    return {letter: cell.value for letter, cell in row.items()}


def test_full_credit_file_has_ce_brokers_column_letters_for_mapped_licensees(
    client, auth, certified
):
    auth.login("instructor@example.org")

    rows = read_rows(client.get(f"/reports/courses/{SLUG}/ce-broker.xlsx?credit=full"))

    completed = date.fromisoformat(certified["dana"]["completion_date"])
    assert len(rows) == 1  # no header row: CE Broker reads every row as a licensee
    assert values(rows[0]) == {
        "A": "12345",
        "B": "654321",
        "C": None,
        "D": None,
        "E": "SW-12345",
        "F": datetime(completed.year, completed.month, completed.day),
        "G": "State=OR",
        "H": "Profession=SW",
        "I": None,
        "J": None,
    }
    assert rows[0]["F"].number_format == "m/d/yyyy"  # Excel date, shown like 12/3/2008
    assert rows[0]["E"].data_type == "s"


def test_partial_credit_file_adds_subject_area_code_and_hours_per_credit_category(api, certified):
    api.login("admin@example.org")

    rows = read_rows(api.get(f"/api/v1/reports/courses/{SLUG}/ce-broker.xlsx?credit=partial"))

    completed = date.fromisoformat(certified["dana"]["completion_date"])
    common = {
        "A": "12345",
        "B": "654321",
        "C": None,
        "D": None,
        "E": "SW-12345",
        "F": datetime(completed.year, completed.month, completed.day),
        "G": "State=OR",
        "H": "Profession=SW",
    }
    assert sorted((values(row) for row in rows), key=lambda row: row["I"]) == [
        {**common, "I": "ETH", "J": 0.25},
        {**common, "I": "GEN", "J": 0.25},
    ]


def test_report_page_lists_refused_certificates_with_names_and_reasons(client, auth, certified):
    auth.login("instructor@example.org")

    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)

    section = html[html.index('id="ce-broker-h"') :]
    assert "<dd>12345</dd>" in section and "<dd>654321</dd>" in section
    assert "Noah Nolicense" in section and "no license number" in section
    assert certified["pia"]["number"] in section
    assert "no CE Broker profession code for Psychologist" in section
    assert certified["dana"]["number"] not in section  # reported, not refused


def test_partial_credit_without_a_subject_area_code_refuses_the_certificate(
    client, auth, api, people
):
    factories.course(
        SLUG,
        ce_hours="0.5",
        credits="{general: 0.25, ethics: 0.25}",
        provider_ce_broker=PROVIDER_CE_BROKER,
        ce_broker='{course_tracking: "654321", subject_areas: {general: GEN}}',
    )
    completer(api, "dana@example.org", **factories.CLINICIAN)
    auth.login("instructor@example.org")

    assert read_rows(client.get(f"/reports/courses/{SLUG}/ce-broker.xlsx?credit=partial")) == []
    assert len(read_rows(client.get(f"/reports/courses/{SLUG}/ce-broker.xlsx"))) == 1
    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    assert "no CE Broker subject-area code for ethics credit" in html


def test_course_without_ce_broker_numbers_is_refused_not_guessed(client, auth, api, people):
    factories.course(SLUG)  # neither provider.yml nor course.md names CE Broker numbers
    completer(api, "dana@example.org", **factories.CLINICIAN)

    api.login("admin@example.org")
    response = api.get(f"/api/v1/reports/courses/{SLUG}/ce-broker.xlsx")
    assert_error(response, 422, "unprocessable")
    assert "ce_broker.provider_tracking" in response.get_json()["error"]["message"]
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    assert "cannot be reported to CE Broker yet" in html
    assert "Dana Clinician" in html[html.index('id="ce-broker-h"') :]
    assert "ce-broker.xlsx" not in html


def test_unknown_credit_kind_is_a_400_with_the_error_body(api, people, course):
    api.login("admin@example.org")
    response = api.get(f"/api/v1/reports/courses/{SLUG}/ce-broker.xlsx?credit=most")
    assert_error(response, 400, "validation_error")
    assert response.get_json()["error"]["details"] == {"credit": ["full", "partial"]}


def test_revoked_certificates_are_left_out_and_downloads_are_audited(api, certified):
    api.login("admin@example.org")
    certificate = certificates.find_certificate(db.session, certified["dana"]["number"])
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Duplicate record."
    )
    db.session.commit()

    assert read_rows(api.get(f"/api/v1/reports/courses/{SLUG}/ce-broker.xlsx")) == []
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.exported")
    ).all()
    assert [(e.data["report"], e.data["rows"]) for e in events] == [("ce-broker-full", 0)]


def test_license_number_that_looks_like_a_formula_stays_text(client, auth, api, people, course):
    completer(api, "mallory@example.org", **{**factories.CLINICIAN, "license_number": "=1+1"})
    auth.login("instructor@example.org")

    rows = read_rows(client.get(f"/reports/courses/{SLUG}/ce-broker.xlsx"))

    assert rows[0]["E"].value == "=1+1" and rows[0]["E"].data_type == "s"
