"""Public verification by number and by uploaded PDF; revocation and reissue show up there."""

from __future__ import annotations

import io

from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.accounts.test_api import assert_error
from tests.conftest import csrf_token


def stored(number: str) -> Certificate:
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def test_verification_page_shows_status_and_facts_but_no_private_data(client, issued):
    html = client.get(f"/verify/{issued['number']}").get_data(as_text=True)
    for expected in (
        "Valid",
        "Dana Clinician, LCSW",
        "Ethics in Testing Practice",
        "0.25",
        issued["completion_date"],
        issued["number"],
    ):
        assert expected in html
    assert "SW-12345" not in html and "learner@example.org" not in html


def test_verification_api_is_public_and_private_data_free(api, issued):
    api.token = None
    body = api.get(f"/api/v1/verify/{issued['number'].lower()}").get_json()
    assert body["valid"] is True and body["status"] == "valid"
    assert body["learner_name"] == "Dana Clinician, LCSW"
    assert body["course"] == "Ethics in Testing Practice"
    assert body["ce_hours"] == "0.25"
    assert "SW-12345" not in str(body) and "learner@example.org" not in str(body)


def test_unknown_number_is_404(api, client):
    assert_error(api.get("/api/v1/verify/CE-0000-0000-0000-0000"), 404, "not_found")
    assert client.get("/verify/CE-NOPE").status_code == 404


def _upload(client, number: str, data: bytes):
    return client.post(
        f"/verify/{number}",
        data={
            "pdf": (io.BytesIO(data), "certificate.pdf"),
            "csrf_token": csrf_token(client, f"/verify/{number}"),
        },
        content_type="multipart/form-data",
    )


def test_uploaded_pdf_is_checked_against_the_record(client, issued):
    certificate = stored(issued["number"])
    genuine = _upload(client, issued["number"], certificate.pdf)
    assert genuine.status_code == 200 and "PDF matches" in genuine.get_data(as_text=True)
    tampered = certificate.pdf.replace(b"Dana Clinician", b"Dana Clinicien", 1)
    if tampered == certificate.pdf:  # text may be compressed: flip a byte near the end instead
        tampered = certificate.pdf[:-40] + bytes([certificate.pdf[-40] ^ 1]) + certificate.pdf[-39:]
    response = _upload(client, issued["number"], tampered)
    assert response.status_code == 422
    assert "PDF does not match" in response.get_data(as_text=True)


def test_upload_without_number_finds_the_certificate(client, issued):
    certificate = stored(issued["number"])
    response = client.post(
        "/verify",
        data={
            "pdf": (io.BytesIO(certificate.pdf), "c.pdf"),
            "csrf_token": csrf_token(client, "/verify"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "PDF matches" in html and issued["number"] in html
    edited = client.post(
        "/verify",
        data={
            "pdf": (io.BytesIO(certificate.pdf + b"\n%edited"), "c.pdf"),
            "csrf_token": csrf_token(client, "/verify"),
        },
        content_type="multipart/form-data",
    )
    assert edited.status_code == 404 and "does not match" in edited.get_data(as_text=True)


def test_a_query_flag_never_claims_a_pdf_was_checked(client, issued):
    for query in ("?pdf=match", "?pdf=mismatch", "?pdf_check=match"):
        response = client.get(f"/verify/{issued['number']}{query}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "PDF matches" not in html and "PDF does not match" not in html


def test_revoked_certificate_verifies_as_revoked(runner, api, client, issued):
    result = runner.invoke(
        args=[
            "certificates",
            "revoke",
            issued["number"],
            "--reason",
            "issued_in_error",
            "--note",
            "duplicate",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    body = api.get(f"/api/v1/verify/{issued['number']}").get_json()
    assert body["valid"] is False and body["status"] == "revoked"
    assert body["revoked_reason"] == "Issued in error" and body["revoked_at"]
    html = client.get(f"/verify/{issued['number']}").get_data(as_text=True)
    assert "Revoked" in html and "Issued in error" in html
    assert "duplicate" not in html  # the note stays internal
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoked"))
    assert event.data == {"reason": "issued_in_error", "note": "duplicate"}
    again = runner.invoke(
        args=[
            "certificates",
            "revoke",
            issued["number"],
            "--reason",
            "other",
            "--note",
            "x",
            "--yes",
        ]
    )
    assert again.exit_code != 0 and "already revoked" in again.output


def test_admin_revokes_from_the_page_and_learners_cannot(client, auth, issued):
    token = csrf_token(client, "/verify")
    auth.login("learner@example.org")
    assert (
        client.post(
            f"/certificates/{issued['number']}/revoke",
            data={"reason": "other", "csrf_token": token},
        ).status_code
        == 403
    )
    auth.logout()
    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    page = client.get(f"/certificates/{issued['number']}").get_data(as_text=True)
    assert "Revoke this certificate" in page
    response = client.post(
        f"/certificates/{issued['number']}/revoke",
        data={
            "reason": "academic_misconduct",
            "note": "Another person took the post-test.",
            "confirm": "yes",
            "csrf_token": csrf_token(client, f"/certificates/{issued['number']}"),
        },
    )
    assert response.status_code == 302
    assert stored(issued["number"]).status == "revoked"


def test_reissue_after_a_name_change_supersedes_the_old_certificate(
    completed, client, auth, issued
):
    completed.patch("/api/v1/me", json={"full_name": "Dana Married-Name"})
    auth.login("learner@example.org")
    page = client.get(f"/certificates/{issued['number']}").get_data(as_text=True)
    assert "Your profile has changed" in page
    response = client.post(
        f"/certificates/{issued['number']}/reissue",
        data={"csrf_token": csrf_token(client, f"/certificates/{issued['number']}")},
    )
    assert response.status_code == 302
    old = stored(issued["number"])
    new = old.superseded_by
    assert old.status == "superseded" and new.status == "valid"
    assert new.snapshot["participant"]["display_name"] == "Dana Married-Name, LCSW"
    assert new.snapshot["completion_date"] == old.snapshot["completion_date"]
    assert new.pdf != old.pdf
    body = completed.get(f"/api/v1/verify/{issued['number']}").get_json()
    assert body["status"] == "superseded" and body["superseded_by"] == new.number
    html = client.get(f"/verify/{issued['number']}").get_data(as_text=True)
    assert "Superseded" in html and f'href="/verify/{new.number}"' in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissued"))
    assert event.data["replacement"] == new.number


def test_reissue_without_a_profile_change_is_refused(client, auth, issued):
    auth.login("learner@example.org")
    response = client.post(
        f"/certificates/{issued['number']}/reissue",
        data={"csrf_token": csrf_token(client, f"/certificates/{issued['number']}")},
        follow_redirects=True,
    )
    assert "matches this certificate already" in response.get_data(as_text=True)
    assert stored(issued["number"]).status == "valid"


def test_verification_is_rate_limited(api, issued):
    api.token = None
    for _ in range(30):
        api.get(f"/api/v1/verify/{issued['number']}")
    assert_error(api.get(f"/api/v1/verify/{issued['number']}"), 429, "rate_limited")
