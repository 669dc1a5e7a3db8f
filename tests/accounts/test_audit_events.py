"""Account events the audit log keeps: accounts made from the shell, changes to what a
certificate prints, refused sign-ins and password resets."""

from __future__ import annotations

from sqlalchemy import select

from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.accounts.test_pages import _reset_link, _set_password
from tests.conftest import csrf_token


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_cli_account_creation_is_audited(runner):
    args = ["users", "create", "--email", "ina@example.org", "--name", "Ina Structor"]
    result = runner.invoke(args=[*args, "--role", "instructor", "--password", "instructor pass 1"])
    assert result.exit_code == 0, result.output
    [event] = _events("user.created")
    assert event.data == {"channel": "cli", "email": "ina@example.org", "role": "instructor"}
    assert event.subject_type == "user" and event.actor_id is None


def test_profile_change_of_printed_fields_records_old_and_new(client, auth):
    user = factories.user("learner@example.org", full_name="Lee Learner", license_number="PSY-1")
    auth.login()
    form = {
        "full_name": "Lee Married-Name",
        "credentials": "",
        "profession": "psychologist",
        "license_number": "PSY-2",
        "license_state": "",
        "csrf_token": csrf_token(client, "/account"),
    }
    assert client.post("/account", data=form).status_code == 302
    [event] = _events("user.profile_changed")
    assert (event.actor_id, event.subject_id) == (user.id, str(user.id))
    assert event.data == {
        "full_name": {"from": "Lee Learner", "to": "Lee Married-Name"},
        "license_number": {"from": "PSY-1", "to": "PSY-2"},
    }
    # Saving the same values again changes nothing and records nothing.
    form["csrf_token"] = csrf_token(client, "/account")
    client.post("/account", data=form)
    assert len(_events("user.profile_changed")) == 1


def test_profile_change_through_the_api_is_audited(api):
    factories.user("learner@example.org", full_name="Lee Learner")
    api.login()
    assert api.patch("/api/v1/me", json={"license_state": "OR"}).status_code == 200
    [event] = _events("user.profile_changed")
    assert event.data["license_state"]["to"] == "OR"


def test_failed_sign_ins_are_audited_on_the_pages_and_the_api(client, auth, api):
    user = factories.user("learner@example.org")
    assert auth.login(password="wrong password here").status_code == 401
    response = api.post(
        "/api/v1/auth/token", json={"email": "nobody@example.org", "password": "x" * 12}
    )
    assert response.status_code == 401
    known, unknown = _events("user.sign_in_failed")
    assert (known.subject_type, known.subject_id, known.data) == (
        "user",
        str(user.id),
        {"channel": "web"},
    )
    assert (unknown.subject_type, unknown.subject_id, unknown.data) == (
        "email",
        "nobody@example.org",
        {"channel": "api"},
    )


def test_password_reset_is_audited(client, smtp):
    user = factories.user("learner@example.org")
    link = _reset_link(client, smtp, "learner@example.org")
    assert _events("user.password_reset") == []
    assert _set_password(client, link, "a fresh passphrase").status_code == 302
    [event] = _events("user.password_reset")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("user", str(user.id), user.id)
