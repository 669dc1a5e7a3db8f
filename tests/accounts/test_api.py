"""Accounts through /api/v1: register, tokens, /me and the error body for malformed requests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ce_platform.accounts.models import ApiToken, User
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from tests import factories
from tests.conftest import html_part, run_jobs, text_part

NEW_USER = {
    "email": "Kim@Example.org",
    "password": "twelve chars ok",
    "full_name": "Kim Lee",
    "profession": "nurse",
    "license_number": "RN-1",
    "license_state": "wa",
    "credentials": "RN",
}


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    if field:
        assert field in body["error"]["details"], body
    return body["error"]


def test_register_token_and_me_flow(api):
    response = api.post("/api/v1/auth/register", json=NEW_USER)
    assert response.status_code == 202
    assert set(response.get_json()) == {"message"}  # nothing about the account, new or not
    api.login("KIM@example.org", "twelve chars ok")
    me = api.get("/api/v1/me")
    assert me.status_code == 200
    user = me.get_json()["user"]
    assert user["email"] == "kim@example.org" and user["license_state"] == "WA"
    assert user["full_name"] == "Kim Lee"


def test_token_is_stored_only_as_a_hash(api):
    factories.user("learner@example.org")
    raw = api.login()
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert raw not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_registering_a_taken_email_answers_as_for_a_new_one_and_mails_the_owner(api, smtp):
    fresh = api.post("/api/v1/auth/register", json={**NEW_USER, "email": "new@example.org"})
    run_jobs()
    assert "Confirm that this is your email address" in text_part(
        smtp.one("new@example.org", "Confirm your email address")
    )
    owner = factories.user("kim@example.org", full_name="First Owner")
    taken = api.post("/api/v1/auth/register", json=NEW_USER)
    run_jobs()
    assert (taken.status_code, taken.get_json()) == (fresh.status_code, fresh.get_json())
    assert taken.status_code == 202
    attempt = smtp.one("kim@example.org", "Someone tried to create an account")
    assert "already has one" in text_part(attempt) and "already has one" in html_part(attempt)
    assert [m["To"] for m in smtp.messages] == ["new@example.org", "kim@example.org"]
    count = db.session.scalar(
        select(func.count()).select_from(User).where(User.email == "kim@example.org")
    )
    assert count == 1
    db.session.refresh(owner)
    assert owner.full_name == "First Owner"


def test_wrong_password_gets_401(api):
    factories.user("learner@example.org")
    response = api.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": "wrong password!"}
    )
    assert_error(response, 401, "unauthorized")


def test_revoked_token_is_refused(api):
    factories.user("learner@example.org")
    api.login()
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert_error(api.get("/api/v1/me"), 401, "unauthorized")
    assert_error(api.delete("/api/v1/auth/token"), 401)


def test_expired_token_is_refused(api):
    factories.user("learner@example.org")
    api.login()
    token = db.session.scalar(select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert_error(api.get("/api/v1/me"), 401, "unauthorized")


def test_session_cookie_does_not_authenticate_the_api(client, auth):
    factories.user("learner@example.org")
    auth.login()
    assert client.get("/account").status_code == 200  # the cookie works for pages
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_patch_me_updates_only_given_fields(api):
    factories.user("learner@example.org", credentials="PhD", license_number="PSY-1")
    api.login()
    response = api.patch("/api/v1/me", json={"full_name": "Alex Q. Rivera", "license_state": "ny"})
    assert response.status_code == 200
    user = response.get_json()["user"]
    assert user["full_name"] == "Alex Q. Rivera"
    assert user["license_state"] == "NY"
    assert user["credentials"] == "PhD" and user["license_number"] == "PSY-1"


def test_patch_me_with_unknown_profession_names_the_field(api):
    factories.user("learner@example.org")
    api.login()
    assert_error(api.patch("/api/v1/me", json={"profession": "wizard"}), 400, field="profession")


def test_malformed_json_is_400(api):
    response = api.post(
        "/api/v1/auth/register", data="{not json", headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "validation_error")
    assert "Malformed JSON" in error["message"]


def test_non_json_body_is_400(api):
    response = api.post("/api/v1/auth/token", data={"email": "a@b.org", "password": "x"})
    assert "JSON" in assert_error(response, 400)["message"]


def test_json_array_body_is_400(api):
    assert_error(api.post("/api/v1/auth/token", json=["a"]), 400)


def test_missing_field_is_named(api):
    payload = {k: v for k, v in NEW_USER.items() if k != "full_name"}
    error = assert_error(api.post("/api/v1/auth/register", json=payload), 400, field="full_name")
    assert error["details"]["full_name"] == "required"


def test_wrong_type_is_named(api):
    error = assert_error(
        api.post("/api/v1/auth/register", json={**NEW_USER, "password": 123456789012}),
        400,
        field="password",
    )
    assert "string" in error["details"]["password"]


def test_unknown_field_is_named(api):
    assert_error(
        api.post("/api/v1/auth/register", json={**NEW_USER, "role": "admin"}), 400, field="role"
    )


def test_short_password_is_refused(api):
    error = assert_error(
        api.post("/api/v1/auth/register", json={**NEW_USER, "password": "short"}),
        400,
        field="password",
    )
    assert "12" in error["message"]


def test_oversized_body_is_413(api, app):
    big = "x" * (app.config["API_MAX_BODY"] + 1)
    assert_error(
        api.post("/api/v1/auth/register", json={**NEW_USER, "full_name": big}),
        413,
        "payload_too_large",
    )


def test_wrong_method_is_405_with_error_body(api):
    response = api.client.put("/api/v1/me", json={})
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    assert response.headers["Content-Length"] == str(len(response.data))


def test_unknown_api_route_is_404_with_error_body(api):
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")


def test_token_endpoint_is_rate_limited(api):
    factories.user("learner@example.org")
    for _ in range(10):
        api.post(
            "/api/v1/auth/token",
            json={"email": "learner@example.org", "password": "nope nope nope"},
        )
    response = api.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    )
    assert_error(response, 429, "rate_limited")
    # Regression: the 429 once carried the Content-Length of another body, cutting it short.
    assert response.headers["Content-Length"] == str(len(response.data))
    assert "Retry-After" in response.headers or "X-RateLimit-Reset" in response.headers
