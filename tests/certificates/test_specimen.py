"""A specimen provider (provider.yml `specimen: true`) says so on every document it issues."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates import SPECIMEN_NOTICE
from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from tests import factories
from tests.certificates.conftest import complete_course

NO_ACCREDITATION = "issued by an example provider that holds no accreditation"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def issue(api, *, specimen: bool) -> Certificate:
    factories.course("test-course", specimen=specimen)
    factories.user("learner@example.org", **factories.CLINICIAN)
    api.login()
    complete_course(api)
    response = api.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    number = response.get_json()["certificate"]["number"]
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def test_specimen_certificate_says_so_on_its_face_and_in_its_data(api):
    certificate = issue(api, specimen=True)

    text = pdf_text(certificate.pdf)

    assert "SPECIMEN" in text and NO_ACCREDITATION in text
    assert "Not valid for continuing education credit." in text
    assert certificate.snapshot["provider"]["specimen"] is True


def test_specimen_transcript_says_so_in_html_and_pdf(api, client, auth):
    issue(api, specimen=True)
    auth.login("learner@example.org")

    html = client.get("/certificates").get_data(as_text=True)
    pdf = client.get("/certificates/transcript.pdf")

    assert SPECIMEN_NOTICE in html
    assert pdf.status_code == 200
    assert NO_ACCREDITATION in pdf_text(pdf.data)


def test_specimen_verification_page_and_api_say_so(api, client):
    certificate = issue(api, specimen=True)
    api.token = None

    html = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    body = api.get(f"/api/v1/verify/{certificate.number}").get_json()

    assert SPECIMEN_NOTICE in html
    assert body["specimen"] is True and body["notice"] == SPECIMEN_NOTICE
    assert body["valid"] is True  # a specimen verifies as issued, and says what it is


@pytest.mark.parametrize("path", ["/verify/{number}", "/certificates"])
def test_accredited_provider_documents_carry_no_specimen_notice(api, client, auth, path):
    certificate = issue(api, specimen=False)
    auth.login("learner@example.org")

    html = client.get(path.format(number=certificate.number)).get_data(as_text=True)

    assert "SPECIMEN" not in html
    assert "SPECIMEN" not in pdf_text(certificate.pdf)
    body = api.get(f"/api/v1/verify/{certificate.number}").get_json()
    assert body["specimen"] is False and body["notice"] is None


def test_course_page_of_a_specimen_provider_says_so_and_that_authors_are_samples(client):
    factories.course("test-course", specimen=True)

    html = client.get("/courses/test-course").get_data(as_text=True)

    assert "Specimen provider." in html
    assert "holds no accreditation" in html
    assert "author names on this page are fictitious samples" in html


def test_course_page_of_an_accredited_provider_has_no_specimen_notice(client):
    factories.course("test-course")

    html = client.get("/courses/test-course").get_data(as_text=True)

    assert "Specimen provider." not in html and "fictitious" not in html
