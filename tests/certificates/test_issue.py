"""Issuing: the gate, idempotence, the frozen PDF and its contents."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates import numbers
from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.accounts.test_api import assert_error
from tests.certificates.conftest import complete_course


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def stored(number: str) -> Certificate:
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def test_certificate_is_refused_with_the_unmet_requirements(api, learner, course):
    api.login()
    api.post("/api/v1/courses/test-course/enrollment")
    error = assert_error(api.post("/api/v1/courses/test-course/certificate"), 422)
    codes = [item["code"] for item in error["details"]["unmet"]]
    assert codes == ["lessons", "seat_time", "post_test", "evaluation", "attestation"]
    assert "Complete every lesson" in error["message"]
    assert "Spend at least 8 active minutes in the lessons" in error["message"]
    assert db.session.scalar(select(Certificate)) is None


def test_issuing_is_idempotent(completed):
    first = completed.post("/api/v1/courses/test-course/certificate")
    second = completed.post("/api/v1/courses/test-course/certificate")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()
    assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_number_is_unguessable_and_read_back_loosely(issued):
    number = issued["number"]
    assert re.fullmatch(r"CE-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", number)
    key = numbers.normalize(number)
    assert numbers.RANDOM_SYMBOLS * 5 >= 60
    for typed in (number.lower(), number.replace("-", ""), " " + key.lower() + " "):
        assert numbers.normalize(typed) == key
    typo = key[:5] + ("0" if key[5] != "0" else "1") + key[6:]
    assert numbers.normalize(typo) is None  # the check symbol catches it


def test_pdf_carries_every_field_a_board_looks_for(issued):
    certificate = stored(issued["number"])
    text = pdf_text(certificate.pdf)
    today = certificate.completion_date
    for expected in (
        "Dana Clinician, LCSW",
        "Social worker",
        "SW-12345",
        "OR",
        "Ethics in Testing Practice",
        "Course released January 1, 2026",
        "0.25 continuing education credits — 0.25 general",
        "Introductory",
        "Asynchronous, self-paced online home study (reading-based)",
        "Jamie Author, PhD",
        "Test Institute of Continuing Education",
        "1 Test Way, Salem, OR 97301",
        "is approved by the American Psychological Association",
        "provider #1234, is approved as an ACE provider",
        "2026-01-01 - 2028-12-31",
        "Pat Signer, PhD",
        "CE Program Director",
        certificate.number,
        f"https://ce.example.org/verify/{certificate.number}",
    ):
        assert expected.lower() in text.lower(), expected
    assert str(today.year) in text
    assert "learner@example.org" not in text
    # The face names the release date; the revision stays in the embedded data.
    assert "revision" not in text.lower()
    assert certificate.snapshot["course"]["revision"] == 1
    assert certificate.snapshot["course"]["released"] == "2026-01-01"


def test_pdf_is_pdfa3a_with_the_snapshot_attached(issued):
    certificate = stored(issued["number"])
    reader = PdfReader(io.BytesIO(certificate.pdf))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[>=\"']+3", metadata)
    assert re.search(r"pdfaid:conformance[>=\"']+A", metadata)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    attached = reader.attachments["certificate.json"][0]
    assert json.loads(attached) == certificate.snapshot


def test_stored_pdf_and_hash_never_change(completed, issued, client):
    certificate = stored(issued["number"])
    before = (certificate.pdf, certificate.sha256, dict(certificate.snapshot))
    completed.patch("/api/v1/me", json={"full_name": "Dana Q. Renamed"})
    files = factories.course_files(title="Retitled Course", lesson_body="New words.")
    factories.course("test-course", files=files)  # a new revision is published
    again = completed.post("/api/v1/courses/test-course/certificate")
    assert again.status_code == 200
    db.session.expire_all()
    certificate = stored(issued["number"])
    assert (certificate.pdf, certificate.sha256, certificate.snapshot) == before
    assert "Renamed" not in pdf_text(certificate.pdf)


def test_expired_accreditation_is_left_off_and_logged(api, learner, caplog):
    provider = factories.PROVIDER_YML.replace(
        "approval_period: {start: 2026-01-01, end: 2028-12-31}",
        "approval_period: {start: 2020-01-01, end: 2025-12-31}",
    )
    from ce_platform import content
    from ce_platform.catalog import services as catalog

    parsed, _ = content.parse_provider(provider)
    catalog.publish_course(db.session, "test-course", factories.course_files(), parsed)
    db.session.commit()
    api.login()
    complete_course(api)
    with caplog.at_level(logging.WARNING, logger="ce_platform.certificates.services"):
        number = api.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
            "number"
        ]
    certificate = stored(number)
    assert [a["key"] for a in certificate.snapshot["accreditations"]] == ["apa"]
    text = pdf_text(certificate.pdf)
    assert "ACE provider" not in text and "American Psychological Association" in text
    assert "ASWB Approved Continuing Education (ACE) statement left off" in caplog.text
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "certificate.accreditation_omitted")
    )
    assert event.data["reason"] == "approval period ended 2025-12-31"


def test_issue_from_the_course_page(client, auth, learner, course, api):
    api.login()
    complete_course(api)
    auth.login()
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "Issue my certificate" in page
    from tests.conftest import csrf_token

    response = client.post(
        "/courses/test-course/certificate",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Valid" in page and "Download PDF" in page
    assert "Download certificate (PDF)" in client.get("/courses/test-course").get_data(as_text=True)


def test_issuing_is_audited(issued):
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issued"))
    assert event.subject_id == issued["number"]
    assert event.data["sha256"] == issued["sha256"]


@pytest.mark.parametrize("base_url", ["http://localhost:5000", "http://127.0.0.1:5000"])
def test_issuing_while_base_url_points_at_this_machine_logs_a_warning(
    app, completed, monkeypatch, caplog, base_url
):
    monkeypatch.setitem(app.config, "BASE_URL", base_url)
    with caplog.at_level(logging.WARNING, logger="ce_platform.certificates.services"):
        response = completed.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    number = response.get_json()["certificate"]["number"]
    assert stored(number).snapshot["verification_url"] == f"{base_url}/verify/{number}"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"certificate {number}: CE_BASE_URL is {base_url}: certificates issued now print a "
        "verification link and QR code that only this machine can open. Set CE_BASE_URL to "
        "the site's public https:// address before issuing real certificates."
    ]


def test_issuing_with_a_public_base_url_logs_no_warning(completed, caplog):
    with caplog.at_level(logging.WARNING, logger="ce_platform.certificates.services"):
        response = completed.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    assert "CE_BASE_URL" not in caplog.text
