"""Completions and roster CSVs: their columns, values, safety in spreadsheets and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ce_platform.accounts.models import User
from ce_platform.certificates import services as certificates
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from ce_platform.reports.exports import safe_cell
from tests import factories
from tests.reports.conftest import SLUG, completer, read_csv

COMPLETIONS_HEADER = [
    "Name",
    "Credentials",
    "Email",
    "Profession",
    "License number",
    "License state",
    "Completion date",
    "Revision",
    "CE hours",
    "Credits: general",
    "Certificate number",
    "Certificate status",
]


@pytest.fixture
def certified(api, people, course):
    """Two certified learners (one without a license number) and one still in progress."""
    dana = completer(api, "dana@example.org", **factories.CLINICIAN)
    noah = completer(api, "noah@example.org", full_name="Noah Nolicense", profession="nurse")
    factories.user("pat@example.org", full_name="Pat Pending")
    api.login("pat@example.org")
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    return {"dana": dana, "noah": noah}


def test_completions_csv_lists_certified_learners_as_their_certificates_print_them(
    client, auth, certified
):
    auth.login("instructor@example.org")
    rows = read_csv(client.get(f"/reports/courses/{SLUG}/completions.csv"))
    assert rows[0] == COMPLETIONS_HEADER
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Dana Clinician", "Noah Nolicense"}  # not the learner in progress
    assert by_name["Dana Clinician"] == [
        "Dana Clinician",
        "LCSW",
        "dana@example.org",
        "Social worker",
        "SW-12345",
        "OR",
        certified["dana"]["completion_date"],
        "1",
        "0.25",
        "0.25",
        certified["dana"]["number"],
        "valid",
    ]
    assert by_name["Noah Nolicense"][3:6] == ["Nurse", "", ""]


def test_completions_csv_keeps_printed_values_after_the_profile_changes(client, auth, certified):
    user = certificates.find_certificate(db.session, certified["dana"]["number"]).user
    user.full_name = "Dana Renamed"
    user.license_number = "SW-99999"
    db.session.commit()
    auth.login("instructor@example.org")
    rows = read_csv(client.get(f"/reports/courses/{SLUG}/completions.csv"))
    dana = next(row for row in rows if row[2] == "dana@example.org")
    assert dana[0] == "Dana Clinician" and dana[4] == "SW-12345"


def test_every_export_is_recorded_in_the_audit_log(client, auth, api, certified):
    auth.login("instructor@example.org")
    client.get(f"/reports/courses/{SLUG}/completions.csv")
    client.get(f"/reports/courses/{SLUG}/roster.csv")
    api.login("admin@example.org")
    api.get(f"/api/v1/reports/courses/{SLUG}/ce-broker.xlsx")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.data["report"], e.data["rows"], e.data["course"]) for e in events] == [
        ("completions", 2, SLUG),
        ("roster", 3, SLUG),
        ("ce-broker-full", 1, SLUG),
    ]
    emails = [db.session.get(User, e.actor_id).email for e in events]
    assert emails == ["instructor@example.org", "instructor@example.org", "admin@example.org"]
    assert {(e.subject_type, e.subject_id) for e in events} == {("course", SLUG)}


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(
    client, auth, api, people, course
):
    completer(
        api,
        "mallory@example.org",
        full_name='=HYPERLINK("http://x")',
        credentials="@SUM(1)",
        profession="psychologist",
        license_number="+1",
        license_state="OR",
    )
    for n, name in enumerate(["@SUM(1)", "+1", "-2"]):
        factories.user(f"learner{n}@example.org", full_name=name)
        api.login(f"learner{n}@example.org")
        api.post(f"/api/v1/courses/{SLUG}/enrollment")

    auth.login("instructor@example.org")
    roster = read_csv(client.get(f"/reports/courses/{SLUG}/roster.csv"))
    assert sorted(row[0] for row in roster[1:]) == sorted(
        ['\'=HYPERLINK("http://x")', "'@SUM(1)", "'+1", "'-2"]
    )
    completions = read_csv(client.get(f"/reports/courses/{SLUG}/completions.csv"))
    assert completions[1][:2] == ['\'=HYPERLINK("http://x")', "'@SUM(1)"]
    assert completions[1][4] == "'+1"
    # The raw text, for the record: nothing in the file starts with a formula character.
    text = client.get(f"/reports/courses/{SLUG}/roster.csv").get_data(as_text=True)
    assert all(line[:1] not in "=+-@" for line in text.splitlines())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Dana Clinician", "Dana Clinician"),
        ("a=b", "a=b"),
        ("", ""),
        (42, 42),
        (1.5, 1.5),
    ],
)
def test_safe_cell_neutralises_only_text_that_starts_like_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_an_export_of_a_course_with_the_longest_slug_is_audited(app, client, auth):
    slug = "a" * 100  # the longest course slug the format allows
    factories.course(slug)
    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    response = client.get(f"/reports/courses/{slug}/completions.csv")
    assert response.status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.subject_id == slug))
    assert event is not None and event.data["course"] == slug
