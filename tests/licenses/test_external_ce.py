"""CE reported from other providers: upload checks and who may open the certificate."""

import io
from datetime import date, timedelta

import pytest

from ce_platform.extensions import db
from ce_platform.licenses import services
from ce_platform.licenses.models import ExternalCredit
from tests import factories
from tests.licenses.conftest import PDF, PNG, report_external


def test_a_pdf_certificate_is_stored_and_listed(client, auth, social_worker):
    auth.login()
    response = report_external(client, general="1.5", ethics="2")
    assert response.status_code == 302
    credit = db.session.query(ExternalCredit).one()
    assert (credit.hours, credit.credits) == (3.5, {"general": "1.5", "ethics": "2"})
    assert credit.file_data == PDF and credit.file_type == "application/pdf"
    html = client.get("/licenses/").get_data(as_text=True)
    assert "Boundaries in Rural Practice" in html and "Reported by the learner" in html


def test_an_image_certificate_is_accepted(client, auth, social_worker):
    auth.login()
    assert report_external(client, file=("scan.PNG", PNG)).status_code == 302
    assert db.session.query(ExternalCredit).one().file_type == "image/png"


@pytest.mark.parametrize(
    "file, reason",
    [
        (("evil.html", b"<script>alert(1)</script>"), "files are not accepted"),
        (("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "files are not accepted"),
        (("fake.pdf", b"MZ\x90\x00 not a pdf"), "content is not a PDF"),
        (("fake.png", PDF), "content is not a .png image"),
        (("empty.pdf", b""), "empty"),
        (("big.pdf", b"%PDF-" + b"0" * services.MAX_UPLOAD_BYTES), "the limit is"),
        (None, "Attach the certificate"),
    ],
)
def test_uploads_other_than_a_real_pdf_or_image_are_refused(
    client, auth, social_worker, file, reason
):
    auth.login()
    response = report_external(client, file=file)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert db.session.query(ExternalCredit).count() == 0


def test_hours_and_dates_are_checked(client, auth, social_worker):
    auth.login()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for fields, reason in (
        ({"ethics": ""}, "at least one category"),
        ({"ethics": "-1"}, "hours run from 0"),
        ({"ethics": "1.234"}, "at most two decimals"),
        ({"completed_on": tomorrow}, "in the future"),
        ({"title": ""}, "This field is required"),
    ):
        response = report_external(client, **fields)
        assert response.status_code == 400, fields
        assert reason in response.get_data(as_text=True), fields
    assert db.session.query(ExternalCredit).count() == 0


@pytest.fixture
def reported(client, auth, social_worker):
    auth.login()
    assert report_external(client).status_code == 302
    auth.logout()
    return db.session.query(ExternalCredit).one()


@pytest.mark.parametrize(
    "who, status",
    [("owner", 200), ("admin", 200), ("other learner", 404), ("instructor", 404), (None, 302)],
)
def test_only_the_owner_and_admins_open_an_uploaded_certificate(
    client, auth, reported, who, status
):
    emails = {"owner": "learner@example.org", "admin": "admin@example.org"}
    emails["other learner"] = "other@example.org"
    emails["instructor"] = "teacher@example.org"
    factories.user("admin@example.org", role="admin")
    factories.user("other@example.org")
    factories.user("teacher@example.org", role="instructor")
    if who:
        auth.login(emails[who])
    response = client.get(f"/licenses/external/{reported.id}/certificate")
    assert response.status_code == status
    if status == 200:
        assert response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    else:
        assert response.data != PDF


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_reported_ce_has_its_own_transcript_section_on_the_page_and_in_the_pdf(
    client, auth, social_worker
):
    auth.login()
    report_external(client, title="Rural Ethics Intensive", general="1.5", ethics="2")
    html = client.get("/certificates").get_data(as_text=True)
    section = html.split('id="external-ce-h"', 1)[1]
    assert "reported by the learner" in section and "Rural Ethics Intensive" in section
    assert "3.5 CE hours" in section
    # A period that ends before it leaves the section out.
    past = client.get("/certificates?end=2000-01-01").get_data(as_text=True)
    assert "Rural Ethics Intensive" not in past

    response = client.get("/certificates/transcript.pdf")
    assert response.status_code == 200
    text = " ".join(_pdf_text(response.data).split())
    assert "reported by the learner" in text and "Rural Ethics Intensive" in text
    assert "Elsewhere CE Institute" in text


def test_a_transcript_without_reported_ce_has_no_such_section(client, auth, social_worker):
    auth.login()
    assert "reported by the learner" not in client.get("/certificates").get_data(as_text=True)


def test_admins_find_a_learners_reported_ce_on_the_user_page(client, auth, reported):
    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    html = client.get(f"/admin/users/{reported.user_id}").get_data(as_text=True)
    link = f"/licenses/external/{reported.id}/certificate"
    assert "Boundaries in Rural Practice" in html and link in html
    assert client.get(link).data == PDF
