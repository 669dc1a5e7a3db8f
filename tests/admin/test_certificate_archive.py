"""Administrators take a course's certificates out as one streamed ZIP, and it is audited."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from ce_platform.certificates import services as certificates
from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.admin.conftest import LEARNER, api_as
from tests.certificates.conftest import complete_course

URL = "/admin/courses/test-course/certificates.zip"


def certify(client, email: str, completed: str, **profile) -> Certificate:
    """Issue a certificate to a new learner and date its completion."""
    if email != LEARNER:
        factories.user(email, **profile)
    api = api_as(client, email)
    complete_course(api)
    response = api.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    certificate = certificates.find_certificate(
        db.session, response.get_json()["certificate"]["number"]
    )
    certificate.completion_date = date.fromisoformat(completed)
    db.session.commit()
    return certificate


@pytest.fixture
def issued(client, people, course):
    march = certify(client, LEARNER, "2026-03-02")
    may = certify(client, "maya@example.org", "2026-05-20", full_name="Maya Later")
    return {"march": march, "may": may}


def read_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.is_streamed
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def manifest(archive: zipfile.ZipFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))


def test_zip_holds_the_courses_certificates_completed_in_the_range_as_issued(admin_page, issued):
    may = issued["may"]

    archive = read_zip(admin_page.get(URL, query_string={"start": "2026-04-01"}))

    assert archive.namelist() == [f"{may.number}.pdf", "manifest.csv"]
    pdf = archive.read(f"{may.number}.pdf")
    assert pdf == may.pdf and hashlib.sha256(pdf).hexdigest() == may.sha256
    assert manifest(archive) == [
        ["Certificate number", "Status", "Completion date", "Participant", "SHA-256"],
        [may.number, "valid", "2026-05-20", "Maya Later", may.sha256],
    ]


def test_zip_without_a_range_keeps_revoked_certificates_with_their_status(admin_page, issued):
    march = issued["march"]
    certificates.revoke(
        db.session, march, actor_id=None, reason="issued_in_error", note="Duplicate."
    )
    db.session.commit()

    archive = read_zip(admin_page.get(URL))

    rows = manifest(archive)[1:]
    assert [(row[0], row[1]) for row in rows] == [
        (march.number, "revoked"),
        (issued["may"].number, "valid"),
    ]
    assert archive.read(f"{march.number}.pdf") == march.pdf
    end_only = read_zip(admin_page.get(URL, query_string={"end": "2026-03-02"}))
    assert end_only.namelist() == [f"{march.number}.pdf", "manifest.csv"]


def test_every_download_is_an_audit_event_naming_course_range_and_count(admin_page, people, issued):
    read_zip(admin_page.get(URL, query_string={"start": "2026-01-01", "end": "2026-03-31"}))

    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "certificates.archived")
    )
    assert event.data == {
        "course": "test-course",
        "start": "2026-01-01",
        "end": "2026-03-31",
        "certificates": 1,
    }
    assert event.actor_id == people["admin"].id
    assert event.subject_type == "course" and event.subject_id == "test-course"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"start": "2026-13-01"}, "start"),
        ({"end": "yesterday"}, "end"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"start": "20260501"}, "start"),
    ],
)
def test_unreadable_range_is_a_400_and_nothing_is_recorded(admin_page, issued, query, field):
    response = admin_page.get(URL, query_string=query)

    assert response.status_code == 400
    assert "date" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.archived"))
        is None
    )


def test_the_form_on_the_certificates_page_leads_to_the_courses_zip(admin_page, issued):
    html = admin_page.get("/admin/certificates").get_data(as_text=True)
    assert 'action="/admin/certificates/archive"' in html
    assert '<option value="test-course">' in html

    response = admin_page.get(
        "/admin/certificates/archive", query_string={"course": "test-course", "start": "2026-04-01"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?start=2026-04-01"
    assert admin_page.get("/admin/certificates/archive?course=nope").status_code == 404


@pytest.mark.parametrize("who", ["instructor@example.org", "ina@example.org", LEARNER, None])
def test_only_administrators_download_the_zip(client, auth, issued, who):
    factories.user("instructor@example.org", role="instructor")  # named in course.md
    if who is not None:
        auth.login(who)

    response = client.get(URL)

    if who is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.archived"))
        is None
    )


def test_unknown_course_is_404(admin_page):
    assert admin_page.get("/admin/courses/no-such-course/certificates.zip").status_code == 404
