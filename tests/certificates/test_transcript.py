"""The learner's transcript: certificates, totals by category, date range, CSV and PDF."""

from __future__ import annotations

import csv
import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from tests import factories
from tests.certificates.conftest import complete_course


def _ethics_course(slug: str, hours: str = "0.5"):
    files = factories.course_files(title=f"Course {slug}", questions=8)
    files["course.md"] = (
        files["course.md"]
        .replace(b"ce_hours: 0.25", f"ce_hours: {hours}".encode())
        .replace(b"{general: 0.25}", f"{{ethics: 0.25, general: {float(hours) - 0.25}}}".encode())
    )
    return factories.course(slug, files=files)


def test_transcript_totals_by_category(completed, client, auth):
    _ethics_course("second")
    complete_course(completed, "second")
    completed.post("/api/v1/courses/test-course/certificate")
    completed.post("/api/v1/courses/second/certificate")
    body = completed.get("/api/v1/certificates").get_json()
    assert body["total_hours"] == 0.75
    assert body["by_category"] == {"ethics": 0.25, "general": 0.5}
    auth.login("learner@example.org")
    html = client.get("/certificates").get_data(as_text=True)
    assert "<strong>0.75</strong> CE hours" in html
    assert "0.25 ethics" in html and "0.5 general" in html


def test_revoked_certificates_earn_no_hours(completed, runner):
    number = completed.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
        "number"
    ]
    runner.invoke(
        args=["certificates", "revoke", number, "--reason", "other", "--note", "Test.", "--yes"]
    )
    body = completed.get("/api/v1/certificates").get_json()
    assert body["total_hours"] == 0 and body["certificates"][0]["status"] == "revoked"


def test_date_range_filter(completed, client, auth):
    completed.post("/api/v1/courses/test-course/certificate")
    certificate = db.session.scalar(select(Certificate))
    certificate.completion_date = date(2026, 3, 15)
    db.session.commit()
    auth.login("learner@example.org")
    inside = client.get("/certificates?start=2026-03-01&end=2026-03-31").get_data(as_text=True)
    outside = client.get("/certificates?start=2026-04-01").get_data(as_text=True)
    assert certificate.number in inside and certificate.number not in outside
    assert client.get("/certificates?start=March").status_code == 400


def test_transcript_downloads_as_csv_and_pdf(completed, client, auth):
    number = completed.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
        "number"
    ]
    auth.login("learner@example.org")
    response = client.get("/certificates/transcript.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "certificate_number"
    assert rows[1][0] == number and rows[1][1] == "Ethics in Testing Practice"
    assert ["total_valid_hours", "0.25"] in rows
    pdf = client.get("/certificates/transcript.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert (
        number in text and "Total valid CE hours: 0.25" in text and "Dana Clinician, LCSW" in text
    )
