"""Revocation: a reason category and a note, a confirmation, and what each audience then sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ce_platform.certificates import services
from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.core.errors import ValidationError
from ce_platform.extensions import db
from tests import factories
from tests.conftest import csrf_token

NOTE = "Another person took the post-test; confirmed with the learner by phone."


def stored(number: str) -> Certificate:
    db.session.expire_all()
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def revoke_form(client, number: str, **fields) -> object:
    data = {"csrf_token": csrf_token(client, f"/certificates/{number}"), **fields}
    return client.post(f"/certificates/{number}/revoke", data=data)


@pytest.fixture
def admin(client, auth):
    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    return client


@pytest.mark.parametrize(
    ("reason", "note"),
    [("", NOTE), ("not_a_reason", NOTE), ("academic_misconduct", ""), ("other", "   ")],
)
def test_service_refuses_a_revocation_without_reason_or_note(issued, reason, note):
    certificate = stored(issued["number"])

    with pytest.raises(ValidationError):
        services.revoke(db.session, certificate, actor_id=None, reason=reason, note=note)

    assert stored(issued["number"]).status == "valid"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "academic_misconduct", "note": NOTE}, "Tick the confirmation box"),
        ({"reason": "academic_misconduct", "confirm": "yes"}, "Write a note for the record"),
        ({"note": NOTE, "confirm": "yes"}, "Choose a reason"),
    ],
)
def test_admin_form_needs_reason_note_and_confirmation(admin, issued, fields, message):
    response = revoke_form(admin, issued["number"], **fields)

    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert stored(issued["number"]).status == "valid"


def test_admin_form_offers_the_reason_list_note_and_confirm_box(admin, issued):
    page = admin.get(f"/certificates/{issued['number']}").get_data(as_text=True)

    assert 'name="note"' in page and "required" in page
    assert 'type="checkbox" id="confirm" name="confirm"' in page
    assert "Academic misconduct" in page and "Issued in error" in page


def test_confirmed_revocation_shows_the_category_publicly_and_audits_the_note(
    admin, auth, issued, api
):
    response = revoke_form(
        admin, issued["number"], reason="academic_misconduct", note=NOTE, confirm="yes"
    )
    assert response.status_code == 302

    api.token = None
    body = api.get(f"/api/v1/verify/{issued['number']}").get_json()
    auth.logout()
    html = admin.get(f"/verify/{issued['number']}").get_data(as_text=True)

    assert body["status"] == "revoked" and body["revoked_reason"] == "Course requirements not met"
    assert NOTE not in str(body) and "misconduct" not in str(body).lower()
    assert "Revoked" in html and "Course requirements not met" in html
    assert "misconduct" not in html.lower()
    assert NOTE not in html and "phone" not in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoked"))
    assert event.data == {"reason": "academic_misconduct", "note": NOTE}
    auth.login("admin@example.org")
    record = admin.get(f"/certificates/{issued['number']}").get_data(as_text=True)
    assert "Academic misconduct" in record and NOTE in record  # administrators see the record


def test_learner_pages_say_revoked_and_offer_no_download(issued, client, auth):
    certificate = stored(issued["number"])
    services.revoke(db.session, certificate, actor_id=None, reason="issued_in_error", note=NOTE)
    db.session.commit()
    download = f"/certificates/{issued['number']}.pdf"
    auth.login("learner@example.org")

    pages = {
        "certificate": client.get(f"/certificates/{issued['number']}").get_data(as_text=True),
        "list": client.get("/certificates").get_data(as_text=True),
        "course": client.get("/courses/test-course").get_data(as_text=True),
        "dashboard": client.get("/my-courses").get_data(as_text=True),
    }

    for name, html in pages.items():
        assert "revoked" in html.lower(), name
        assert download not in html, name
        assert NOTE not in html, name
    assert "Issued in error" in pages["dashboard"]  # the neutral public category
    assert "Go to your certificate" not in pages["dashboard"]


def test_learner_pages_offer_the_download_while_valid(issued, client, auth):
    auth.login("learner@example.org")
    download = f"/certificates/{issued['number']}.pdf"

    for path in (f"/certificates/{issued['number']}", "/certificates", "/courses/test-course"):
        assert download in client.get(path).get_data(as_text=True), path


def test_cli_requires_a_note(runner, issued):
    result = runner.invoke(
        args=["certificates", "revoke", issued["number"], "--reason", "other", "--yes"]
    )

    assert result.exit_code != 0 and "--note" in result.output
    assert stored(issued["number"]).status == "valid"


def test_cli_asks_for_confirmation_and_stops_on_no(runner, issued):
    args = ["certificates", "revoke", issued["number"], "--reason", "other", "--note", NOTE]

    declined = runner.invoke(args=args, input="n\n")

    assert declined.exit_code != 0
    assert f"Revoke {issued['number']}" in declined.output
    assert stored(issued["number"]).status == "valid"

    accepted = runner.invoke(args=args, input="y\n")

    assert accepted.exit_code == 0, accepted.output
    assert stored(issued["number"]).status == "revoked"
    assert stored(issued["number"]).revoked_note == NOTE
