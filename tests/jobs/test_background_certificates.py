"""Certificates rendered by a job: the number first, the same PDF later, 202 until then."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates import pdf
from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from ce_platform.jobs.models import Job
from tests.conftest import run_jobs
from tests.jobs.conftest import work

ISSUE = "/api/v1/courses/test-course/certificate"


@pytest.fixture(autouse=True)
def _rendered_later(background):
    return None


def _pdf_path(number: str) -> str:
    return f"/api/v1/certificates/{number}.pdf"


def test_queued_render_on_each_engine_gives_the_bytes_of_an_inline_render(completed, backend):
    issued = completed.post(ISSUE)
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["status"] == "rendering" and body["certificate"]["sha256"] is None
    number = body["certificate"]["number"]

    waiting = completed.get(_pdf_path(number))
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == "2"
    assert waiting.get_json() == {"number": number, "status": "rendering"}

    assert work(backend) >= 1  # the render job, taken from SQLite or Redis
    ready = completed.get(_pdf_path(number))
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
    inline = pdf.render_certificate_pdf(certificate.snapshot)
    assert ready.data == inline
    assert hashlib.sha256(ready.data).hexdigest() == certificate.sha256
    assert number in PdfReader(io.BytesIO(ready.data)).pages[0].extract_text()
    again = completed.post(ISSUE)
    assert (again.status_code, again.get_json()["status"]) == (200, "ready")


def test_verification_works_from_the_number_and_says_being_prepared_until_the_hash(
    completed, client
):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    facts = client.get(f"/api/v1/verify/{number}").get_json()
    assert (facts["valid"], facts["pdf_ready"]) == (True, False)
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "being prepared" in page and "Valid" in page
    run_jobs()
    assert client.get(f"/api/v1/verify/{number}").get_json()["pdf_ready"] is True
    assert "being prepared" not in client.get(f"/verify/{number}").get_data(as_text=True)


def test_certificate_page_polls_while_preparing_then_offers_the_download(completed, auth):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    auth.login()
    page = auth.client.get(f"/certificates/{number}").get_data(as_text=True)
    assert "Preparing your certificate…" in page
    assert "certificate-status.js" in page and "<noscript>" in page
    assert f'href="/certificates/{number}.pdf"' not in page
    status = auth.client.get(f"/certificates/{number}/status").get_json()
    assert status == {"number": number, "pdf": "rendering"}
    early = auth.client.get(f"/certificates/{number}.pdf")
    assert early.status_code == 302 and early.headers["Location"].endswith(number)
    run_jobs()
    assert auth.client.get(f"/certificates/{number}/status").get_json()["pdf"] == "ready"
    page = auth.client.get(f"/certificates/{number}").get_data(as_text=True)
    assert "Preparing" not in page and f'href="/certificates/{number}.pdf"' in page
    assert auth.client.get(f"/certificates/{number}.pdf").status_code == 200


class Failing:
    """WeasyPrint failing every time (fonts missing, memory) until `heal()`."""

    def __init__(self):
        self.calls = 0
        self.broken = True
        self.real = pdf.render_certificate_pdf

    def heal(self):
        self.broken = False

    def __call__(self, snapshot):
        self.calls += 1
        if self.broken:
            raise RuntimeError("WeasyPrint could not lay out the certificate")
        return self.real(snapshot)


def test_failed_render_is_retried_then_shown_delayed_and_listed_for_admins(
    app, completed, client, auth, monkeypatch
):
    from tests import factories

    failing = Failing()
    monkeypatch.setattr(pdf, "render_certificate_pdf", failing)
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    run_jobs()  # every retry is due at once: the test backoff is zero
    assert failing.calls == app.config["JOB_MAX_ATTEMPTS"] == 5
    job = db.session.scalar(select(Job).where(Job.kind == "certificate.render"))
    assert (job.state, job.attempts) == ("failed", 5)
    assert "WeasyPrint could not lay out" in job.last_error
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
    assert (certificate.pdf, certificate.sha256) == (None, None)  # nothing half-written
    assert completed.get(_pdf_path(number)).status_code == 202

    auth.login()
    page = auth.client.get(f"/certificates/{number}").get_data(as_text=True)
    assert "Your certificate is delayed." in page
    auth.logout()

    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    listing = auth.client.get("/admin/jobs").get_data(as_text=True)
    assert number in listing and "WeasyPrint could not lay out" in listing
    assert "Retry" in listing

    failing.heal()
    from tests.conftest import csrf_token

    token = csrf_token(auth.client, "/admin/jobs")
    retried = auth.client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert retried.status_code == 302
    run_jobs()
    db.session.refresh(certificate)
    assert certificate.sha256 is not None
    assert completed.get(_pdf_path(number)).status_code == 200


def test_backoff_waits_longer_after_each_failure(app):
    from ce_platform.jobs.services import Settings

    settings = Settings(max_attempts=5, retry_base_seconds=10)
    assert [settings.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 40, 160, 640]


def test_render_job_run_twice_stores_the_pdf_once(completed, monkeypatch):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    run_jobs()
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
    first = certificate.sha256
    from ce_platform.jobs import services as jobs

    jobs.enqueue(db.session, "certificate.render", subject=number)
    db.session.commit()
    calls = []
    monkeypatch.setattr(pdf, "render_certificate_pdf", lambda s: calls.append(s) or b"other")
    run_jobs()
    db.session.refresh(certificate)
    assert certificate.sha256 == first and calls == []


def test_openapi_documents_the_render_status_and_the_202(client):
    document = client.get("/api/v1/openapi.json").get_json()
    issue = document["paths"]["/api/v1/courses/{slug}/certificate"]["post"]["responses"]
    for status in ("200", "201"):
        schema = issue[status]["content"]["application/json"]["schema"]
        assert schema["properties"]["status"]["enum"] == ["rendering", "ready"]
    download = document["paths"]["/api/v1/certificates/{number}.pdf"]["get"]["responses"]
    assert "Retry-After" in download["202"]["headers"]
    waiting = download["202"]["content"]["application/json"]["schema"]
    assert set(waiting["properties"]) == {"number", "status"}
