"""Guessing passwords is limited per account as well as per address (OWASP: throttle both)."""

from __future__ import annotations

from tests import factories
from tests.conftest import AuthActions, csrf_token

WRONG = "not the password"


def _fail_on_page(client, email: str = "learner@example.org"):
    return AuthActions(client).login(email, WRONG)


def _fail_on_api(client, email: str = "learner@example.org"):
    return client.post("/api/v1/auth/token", json={"email": email, "password": WRONG})


def test_failed_sign_ins_lock_one_account_on_page_and_api_together(app):
    factories.user("learner@example.org")
    limit = app.config["ACCOUNT_LOGIN_RATE_LIMIT"]
    assert limit == "10 per 15 minutes"
    for attempt in range(10):
        failed = (_fail_on_page if attempt % 2 else _fail_on_api)(app.test_client())
        assert failed.status_code == 401
    # The right password, from a fresh browser, now waits too: the account is what is limited.
    locked = AuthActions(app.test_client()).login()
    assert locked.status_code == 429
    token = app.test_client().post(
        "/api/v1/auth/token",
        json={"email": "LEARNER@example.org", "password": factories.PASSWORD},
    )
    assert token.status_code == 429


def test_a_locked_account_does_not_lock_out_a_colleague_behind_the_same_address(app):
    factories.user("learner@example.org")
    factories.user("colleague@example.org")
    client = app.test_client()
    for _ in range(10):
        assert _fail_on_page(client).status_code == 401
    assert _fail_on_page(client).status_code == 429
    assert AuthActions(client).login("colleague@example.org").status_code == 302


def test_an_unknown_email_is_limited_like_a_known_one(app):
    for _ in range(10):
        assert _fail_on_api(app.test_client(), "nobody@example.org").status_code == 401
    assert _fail_on_api(app.test_client(), "nobody@example.org").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_account(app):
    factories.user("learner@example.org")
    for _ in range(12):
        assert AuthActions(app.test_client()).login().status_code == 302


def test_the_address_limit_still_stops_a_spray_over_many_accounts(app):
    client = app.test_client()
    statuses = [_fail_on_page(client, f"user{n}@example.org").status_code for n in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429


def _change(client, current: str):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": "brand new passphrase",
            "confirm": "brand new passphrase",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )


def test_wrong_current_passwords_on_password_change_are_limited_per_account(app, client, auth):
    factories.user("learner@example.org")
    auth.login()
    for _ in range(5):
        assert _change(client, WRONG).status_code == 400
    assert _change(client, factories.PASSWORD).status_code == 429
    # The API path shares the budget: the same account, whichever way it asks.
    token = (
        app.test_client()
        .post(
            "/api/v1/auth/token",
            json={"email": "learner@example.org", "password": factories.PASSWORD},
        )
        .get_json()["token"]
    )
    response = app.test_client().post(
        "/api/v1/me/password",
        json={"current_password": factories.PASSWORD, "new_password": "brand new passphrase"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_password_change_limit_is_per_account(app, client, auth):
    factories.user("learner@example.org")
    factories.user("colleague@example.org")
    auth.login()
    for _ in range(5):
        assert _change(client, WRONG).status_code == 400
    colleague = app.test_client()
    AuthActions(colleague).login("colleague@example.org")
    assert _change(colleague, factories.PASSWORD).status_code == 302


def _sign_in_with_json_lists(app, address: str, password: str = WRONG):
    """A JSON body to the sign-in page whose fields are lists, each from its own address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post(
        "/login",
        json={"email": ["learner@example.org"], "password": [password]},
        headers={"X-CSRFToken": csrf_token(client, "/login")},
    )


def test_sign_in_fields_sent_as_json_lists_do_not_dodge_the_account_limit(app):
    factories.user("learner@example.org")
    for n in range(12):
        assert _sign_in_with_json_lists(app, f"198.51.100.{n}").status_code != 302
    # Guesses from many addresses, in any shape, never get past the account's budget.
    right = _sign_in_with_json_lists(app, "192.0.2.1", factories.PASSWORD)
    assert right.status_code != 302
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "192.0.2.2"
    assert AuthActions(fresh).login().status_code == 302  # the page itself is unharmed


def test_a_failed_sign_in_with_a_long_unknown_email_is_refused_and_recorded(app, client):
    from sqlalchemy import select

    from ce_platform.core.audit import AuditEvent
    from ce_platform.extensions import db

    email = "a" * 120 + "@example.org"
    assert _fail_on_page(client, email).status_code == 401
    assert _fail_on_api(client, email).status_code == 401
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")
    ).all()
    assert [event.data["channel"] for event in events] == ["web", "api"]
    assert all(event.subject_id == email for event in events)
