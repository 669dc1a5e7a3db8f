"""A WeasyPrint failure while issuing leaves no certificate without its PDF; the next try works."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from ce_platform.certificates import pdf
from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token

ISSUE = "/api/v1/courses/test-course/certificate"


@pytest.fixture
def completed(api):
    factories.user("learner@example.org", full_name="Dana Clinician", credentials="LCSW")
    factories.course("test-course", title="Ethics in Testing Practice")
    api.login()
    complete_course(api)
    return api


class FlakyRenderer:
    """The real renderer, except that an armed call fails as WeasyPrint can (fonts, memory)."""

    def __init__(self, real):
        self.real = real
        self.numbers: list[str] = []  # the certificate number of every call
        self.armed = False

    def fail_next(self) -> None:
        self.armed = True

    def __call__(self, snapshot: dict) -> bytes:
        self.numbers.append(snapshot["number"])
        if self.armed:
            self.armed = False
            raise RuntimeError("WeasyPrint could not lay out the certificate")
        return self.real(snapshot)


@pytest.fixture
def renderer(monkeypatch):
    flaky = FlakyRenderer(pdf.render_certificate_pdf)
    # certificates.services imports the renderer at call time, so patching the module is enough.
    monkeypatch.setattr(pdf, "render_certificate_pdf", flaky)
    return flaky


def _end_request() -> None:
    """What the app context's teardown does after every real request: drop the session."""
    db.session.remove()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_render_failure_answers_500_and_issues_nothing(completed, renderer):
    renderer.fail_next()

    response = completed.post(ISSUE)

    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error"
    assert "WeasyPrint" not in error["message"]  # the cause is logged, not shown
    _end_request()
    assert _count(Certificate) == 0
    assert _events("certificate.issued") == []
    assert _events("certificate.accreditation_omitted") == []
    # The number drawn for the failed try was never stored, so it verifies as unknown.
    [failed_number] = renderer.numbers
    assert completed.get(f"/api/v1/verify/{failed_number}").status_code == 404
    assert completed.get("/api/v1/certificates").get_json()["certificates"] == []


def test_the_request_after_a_render_failure_issues_the_certificate(completed, renderer):
    renderer.fail_next()
    assert completed.post(ISSUE).status_code == 500
    _end_request()

    response = completed.post(ISSUE)

    assert response.status_code == 201, response.get_json()
    issued = response.get_json()["certificate"]
    failed_number, used_number = renderer.numbers
    assert issued["number"] == used_number != failed_number
    [certificate] = db.session.scalars(select(Certificate)).all()
    assert certificate.number == used_number and certificate.status == "valid"
    assert certificate.pdf.startswith(b"%PDF")
    assert certificate.sha256 == hashlib.sha256(certificate.pdf).hexdigest() == issued["sha256"]
    [event] = _events("certificate.issued")
    assert event.subject_id == used_number
    download = completed.get(f"/api/v1/certificates/{used_number}.pdf")
    assert download.status_code == 200
    assert download.data == certificate.pdf
    assert completed.get(f"/api/v1/verify/{used_number}").get_json()["valid"] is True
    # A third request returns the same certificate: the failure left nothing to duplicate.
    again = completed.post(ISSUE)
    assert again.status_code == 200
    assert again.get_json()["certificate"]["number"] == used_number
    assert _count(Certificate) == 1


def test_render_failure_during_a_reissue_keeps_the_old_certificate_valid(
    completed, auth, client, renderer
):
    issued = completed.post(ISSUE).get_json()["certificate"]["number"]
    patched = completed.patch("/api/v1/me", json={"full_name": "Dana Renamed"})
    assert patched.status_code == 200, patched.get_json()
    auth.login()
    token = csrf_token(client, f"/certificates/{issued}")
    renderer.fail_next()

    failed = client.post(f"/certificates/{issued}/reissue", data={"csrf_token": token})

    assert failed.status_code == 500
    assert "WeasyPrint" not in failed.get_data(as_text=True)
    _end_request()
    [only] = db.session.scalars(select(Certificate)).all()
    assert (only.number, only.status, only.superseded_by_id) == (issued, "valid", None)
    assert _events("certificate.reissued") == []
    assert completed.get(f"/api/v1/verify/{issued}").get_json()["status"] == "valid"

    retried = client.post(f"/certificates/{issued}/reissue", data={"csrf_token": token})

    assert retried.status_code == 302
    _end_request()
    old = db.session.scalar(select(Certificate).where(Certificate.number == issued))
    new = db.session.scalar(select(Certificate).where(Certificate.number == renderer.numbers[-1]))
    assert old.status == "superseded" and old.superseded_by_id == new.id
    assert new.status == "valid" and new.pdf.startswith(b"%PDF")
    assert new.snapshot["participant"]["name"] == "Dana Renamed"
    assert _count(Certificate) == 2
