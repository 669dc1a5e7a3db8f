"""Every HTML form endpoint refuses a POST without a CSRF token, found by walking the URL map."""

from __future__ import annotations

import re

import pytest

from tests import factories

SAMPLE_VALUES = {
    "slug": "test-course",
    "lesson_slug": "lesson-1",
    "number": "CE-0000-0000-0000-0000",
    "token": "not-a-real-token",
    "attempt_id": "1",
    "id": "1",
    "user_id": "1",
    "path": "course.md",
    "name": "figure.png",
}


# RFC 8058: a mail client posts the one-click unsubscribe with no cookie and no form token;
# the signed secret in the URL is what authorises it (tests/jobs/test_emails.py).
CSRF_EXEMPT = {"/unsubscribe/<token>"}


def html_post_routes(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if rule.rule in CSRF_EXEMPT:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", SAMPLE_VALUES.get(name, "1"), url)
        urls.append(url)
    return sorted(urls)


def test_the_walk_finds_the_forms(app):
    urls = html_post_routes(app)
    for expected in ("/login", "/register", "/logout", "/courses/test-course/enroll"):
        assert expected in urls


@pytest.mark.parametrize("role", ["anonymous", "learner", "admin"])
def test_every_html_post_without_csrf_token_is_refused(app, client, auth, role):
    factories.course("test-course")
    if role != "anonymous":
        factories.user(f"{role}@example.org", role=role)
        auth.login(f"{role}@example.org")
    refused = {}
    for url in html_post_routes(app):
        response = client.post(url, data={"anything": "x"})
        refused[url] = (response.status_code, b"CSRF" in response.data)
    accepted = {url: result for url, result in refused.items() if result != (400, True)}
    assert accepted == {}, "POST accepted without a CSRF token"
