"""Malformed input gets a 4xx with its error body, never a 500, on every route of the URL map.

The values are those that once answered 500: deeply nested JSON, integers of more than 4,300
digits, a lone surrogate in a string, ids above 2**63 in <int:> URL parts, Unicode digits such
as "²" where a number is expected, and a CR/LF in `next=`.
"""

from __future__ import annotations

import io
import re

import pytest

from ce_platform.extensions import db, limiter
from tests import factories
from tests.accounts.test_api import assert_error
from tests.conftest import AuthActions, csrf_token
from tests.learning.conftest import evaluation_answers, finish_lessons, start, submit

DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000
HUGE_NUMBER = '{"email": "a@example.org", "password": ' + "9" * 5_000 + "}"
HUGE_NESTED_NUMBER = '{"answers": {"q1": [' + "1" * 5_000 + "]}, " + '"attestation": true}'
SURROGATE = '{"full_name": "Dana \\ud800", "email": "x\\udfff@example.org", "q": "\\ud800"}'
BODIES = (DEEP_JSON, DEEP_OBJECT, HUGE_NUMBER, HUGE_NESTED_NUMBER, SURROGATE)

BIG_ID = str(2**64)
ODD = "²"
QUERY = (
    "?page=²&per_page=%C2%B2&rating=³&start=²&end=²&limit=" + "9" * 5_000 + "&from=²&to=¹"
    "&next=/x%0D%0ALocation:%20https://evil.example&q=%ED%A0%80&revision=" + BIG_ID
)
FORM = {
    "rating": "²",
    "page": "²",
    "number": BIG_ID,
    "next": "/x\r\nLocation: https://evil.example",
    "q1": "²",
    "position": "²",
    "minutes": "9" * 5_000,
    "user_id": BIG_ID,
    "revision": "²",
    "role": "²",
}
REAL = {
    "slug": "test-course",
    "lesson_slug": "lesson-1",
    "path": "course.md",
    "name": "figure.png",
}


@pytest.fixture
def signed_in(app, monkeypatch):
    """An admin signed in to the pages and to the API, with one published course."""
    monkeypatch.setattr(limiter, "enabled", False)  # a 429 would hide what comes after it
    factories.course("test-course")
    factories.user("admin@example.org", role="admin")
    page = app.test_client()
    assert AuthActions(page).login("admin@example.org").status_code == 302
    token = (
        app.test_client()
        .post(
            "/api/v1/auth/token",
            json={"email": "admin@example.org", "password": factories.PASSWORD},
        )
        .get_json()["token"]
    )
    return page, token


def _urls(rule) -> set[str]:
    """The rule filled with hostile values, and with real slugs so deeper code is reached."""
    found = set()
    for real in (False, True):
        url = rule.rule
        for name in rule.arguments:
            converter = re.search(rf"<(?:([a-z]+):)?{name}>", url)
            hostile = BIG_ID if converter.group(1) == "int" else ODD
            value = REAL.get(name, hostile) if real else hostile
            url = url.replace(converter.group(0), value)
        found.add(url)
    return found


# Walked last: they end the session or token the walk signs in with.
ENDS_SESSION = {"accounts.logout", "accounts.sign_out_everywhere", "api.revoke_token"}


def _routes(app, *, ending: bool):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or (rule.endpoint in ENDS_SESSION) != ending:
            continue
        for url in sorted(_urls(rule)):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def test_no_route_answers_500_to_malformed_input(app, signed_in):
    page, token = signed_in
    form_token = csrf_token(page, "/account")
    api_headers = {"Authorization": f"Bearer {token}"}
    failures = []
    routes = [*_routes(app, ending=False), ("END", ""), *_routes(app, ending=True)]
    for method, url in routes:
        if method == "END":  # the walk so far was signed in, so it reached the views
            assert page.get("/account").status_code == 200
            assert page.get("/api/v1/me", headers=api_headers).status_code == 200
            continue
        if url.startswith("/api/"):
            attempts = [{"query_string": None}]
            if method != "GET":
                attempts = [
                    {"data": body, "headers": {**api_headers, "Content-Type": "application/json"}}
                    for body in BODIES
                ]
            for kwargs in attempts:
                kwargs.setdefault("headers", api_headers)
                kwargs.pop("query_string", None)
                response = page.open(url + QUERY, method=method, **kwargs)
                if response.status_code >= 500:
                    failures.append((method, url, response.status_code, kwargs.get("data", "")))
                elif response.status_code >= 400:
                    body = response.get_json(silent=True) or {}
                    if set(body.get("error", {})) != {"code", "message", "details"}:
                        failures.append((method, url, response.status_code, "no error body"))
        else:
            data = None if method == "GET" else {**FORM, "csrf_token": form_token}
            response = page.open(url + QUERY, method=method, data=data)
            if response.status_code >= 500:
                failures.append((method, url, response.status_code, "form"))
    assert not failures, "\n".join(f"{m} {u} {s} {str(d)[:60]!r}" for m, u, s, d in failures)


def test_malformed_json_on_the_token_endpoint_is_400_for_anyone(client):
    for body in BODIES:
        response = client.post(
            "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "validation_error")


def test_an_id_beyond_64_bits_is_404_with_the_error_body(signed_in):
    page, token = signed_in
    response = page.get(
        f"/api/v1/quiz/attempts/{BIG_ID}", headers={"Authorization": f"Bearer {token}"}
    )
    assert_error(response, 404, "not_found")
    assert page.get(f"/admin/users/{BIG_ID}").status_code == 404


def test_a_lone_surrogate_in_json_is_named_as_invalid(api):
    response = api.post(
        "/api/v1/auth/token",
        data='{"email": "\\ud800@example.org", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "validation_error")
    assert "surrogate" in error["message"]


def test_a_line_break_in_next_does_not_become_a_header(client):
    factories.user("learner@example.org")
    response = client.post(
        "/login?next=/catalog%0D%0ASet-Cookie:%20x=1",
        data={
            "email": "learner@example.org",
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "x=1" not in str(response.headers)


def test_unicode_digits_are_not_page_numbers(signed_in):
    page, token = signed_in
    response = page.get("/api/v1/admin/users?page=²", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 400, "validation_error")


@pytest.mark.parametrize("rating", ["²", "٣", "9" * 5_000])
def test_unicode_or_endless_digits_in_an_evaluation_rating_are_refused(app, api, client, rating):
    factories.course("test-course")
    factories.user("learner@example.org")
    api.login()
    api.post("/api/v1/courses/test-course/enrollment")
    finish_lessons(api, "test-course")
    assert submit(api, start(api, "test-course")["id"]).get_json()["passed"]
    answers = {**evaluation_answers(), "objective_1": rating}
    response = api.post(
        "/api/v1/courses/test-course/evaluation", json={"answers": answers, "attestation": True}
    )
    error = assert_error(response, 400)
    assert "objective_1" in error["details"]
    AuthActions(client).login()
    form = {**answers, "attestation": "yes"}
    form["csrf_token"] = csrf_token(client, "/courses/test-course/evaluation")
    page = client.post("/courses/test-course/evaluation", data=form)
    assert page.status_code == 400


ACCOUNT_PAGES = {
    "/login": ("email", "password"),
    "/register": ("email", "password", "confirm", "full_name", "profession", "license_number"),
    "/reset": ("email",),
    "/account": ("full_name", "credentials", "license_number", "profession"),
    "/account/password": ("current_password", "password", "confirm"),
}


@pytest.mark.parametrize("path", sorted(ACCOUNT_PAGES))
def test_account_pages_read_only_text_fields_never_uploads_or_json(app, client, path):
    user = factories.user("learner@example.org", full_name="Dana Reyes")
    if path.startswith("/account"):
        AuthActions(client).login()
    names = ACCOUNT_PAGES[path]
    uploads = {name: (io.BytesIO(b"learner@example.org"), "field.txt") for name in names}
    attempts = [{"data": {**uploads, "csrf_token": csrf_token(client, path)}}]
    headers = {"X-CSRFToken": csrf_token(client, path)}
    for value in (5, {"a": 1}, ["learner@example.org"], True):
        attempts.append({"json": dict.fromkeys(names, value), "headers": headers})
    for kwargs in attempts:
        response = client.post(path, **kwargs)
        # The profile page keeps what it has (its fields come from the account when absent),
        # the reset page shows its form again; the others answer that fields are missing.
        assert response.status_code == {"/account": 302, "/reset": 200}.get(path, 400), kwargs
    db.session.refresh(user)
    assert (user.full_name, user.license_number) == ("Dana Reyes", "")
