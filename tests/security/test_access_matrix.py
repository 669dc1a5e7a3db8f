"""Every URL that names an object is tried as its owner, another learner, an instructor of
another course and anonymous; only the owner (or staff whose job it is) gets in.

The URLs come from the URL map, so a new route is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.certificates.conftest import complete_course

# Readable by anyone (or any signed-in user) by design: the catalog, course pages and their
# media, lessons (any signed-in learner may read them), and public verification.
PUBLIC = re.compile(
    r"^(/|/courses/<slug>|/courses/<slug>/r<int:number>/media/<path:name>|"
    r"/courses/<slug>/lessons/<lesson_slug>|/verify|/verify/<number>|/static/.*|"
    r"/api/v1/courses|/api/v1/courses/<slug>|/api/v1/courses/<slug>/lessons/<lesson_slug>|"
    r"/api/v1/verify/<number>|/api/v1/openapi.json|/healthz)$"
)
OBJECT_ARGS = {"slug", "number", "attempt_id", "id", "user_id", "path", "lesson_slug", "name"}
STAFF_PREFIXES = ("/authoring", "/reports", "/api/v1/authoring", "/api/v1/reports")
ADMIN_PREFIXES = ("/admin", "/api/v1/admin")
QUERY = {"diff": "?from=1&to=1"}


@pytest.fixture
def world(api):
    """A course with an instructor, a learner who completed it, and strangers."""
    files = factories.course_files()
    files["media/figure.png"] = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    files["01-lesson-1.md"] += b"\n![A figure](media/figure.png)\n"
    factories.course("test-course", files=files)
    factories.course("other-course", title="Other Course")
    owner = factories.user("learner@example.org")
    factories.user("other@example.org")
    factories.user("instructor@example.org", role="instructor")  # named in course.md
    elsewhere = factories.user("teacher@example.org", role="instructor")
    factories.user("admin@example.org", role="admin")
    from ce_platform.catalog.models import Course, CourseInstructor

    other_course = db.session.scalar(select(Course).where(Course.slug == "other-course"))
    db.session.add(CourseInstructor(course_id=other_course.id, user_id=elsewhere.id))
    db.session.commit()
    api.login("learner@example.org")
    complete_course(api)
    number = api.post("/api/v1/courses/test-course/certificate").get_json()["certificate"]["number"]
    attempt = db.session.scalar(select(QuizAttempt))
    assert db.session.scalar(select(Certificate)).number == number
    return {
        "slug": "test-course",
        "number": number,
        "attempt_id": str(attempt.id),
        "id": str(attempt.id),
        "user_id": str(owner.id),
        "path": "course.md",
        "lesson_slug": "lesson-1",
        "name": "figure.png",
    }


def object_urls(app, values) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or PUBLIC.match(rule.rule):
            continue
        if not (set(rule.arguments) & OBJECT_ARGS):
            continue
        url = rule.rule
        url = re.sub(r"<int:number>", "1", url)  # a revision number, not a certificate's
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", values.get(name, "1"), url)
        url += QUERY.get(rule.endpoint.rsplit(".", 1)[-1], "")
        urls.append((rule.rule, url))
    return sorted(urls)


def owner_of(rule: str) -> str:
    if rule.startswith(ADMIN_PREFIXES) or "/users/" in rule:
        return "admin@example.org"
    if rule.startswith(STAFF_PREFIXES):
        return "instructor@example.org"
    return "learner@example.org"


def _get(app, rule: str, url: str, email: str | None):
    client = app.test_client()
    headers = {}
    if email is not None:
        if rule.startswith("/api/"):
            token = client.post(
                "/api/v1/auth/token", json={"email": email, "password": factories.PASSWORD}
            ).get_json()["token"]
            headers["Authorization"] = f"Bearer {token}"
        else:
            from tests.conftest import AuthActions

            AuthActions(client).login(email)
    return client.get(url, headers=headers)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 422):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_the_matrix_covers_every_kind_of_object(app, world):
    rules = {rule for rule, _ in object_urls(app, world)}
    for expected in (
        "/certificates/<number>",
        "/api/v1/certificates/<number>.pdf",
        "/api/v1/quiz/attempts/<int:attempt_id>",
        "/courses/<slug>/quiz/<int:attempt_id>",
        "/reports/courses/<slug>/",
        "/authoring/courses/<slug>/",
        "/api/v1/reports/courses/<slug>/roster",
        "/api/v1/authoring/courses/<slug>/files",
        "/admin/users/<int:user_id>",
    ):
        assert expected in rules, expected


def test_owner_gets_in_and_everyone_else_is_refused(app, world):
    from ce_platform.extensions import limiter

    problems = []
    for rule, url in object_urls(app, world):
        owner = owner_of(rule)
        response = _get(app, rule, url, owner)
        if _refused(response) or response.status_code >= 500:
            problems.append(f"owner {owner} refused or failed: {url} -> {response.status_code}")
        strangers = ["other@example.org", "teacher@example.org", None]
        if owner != "learner@example.org":
            strangers.insert(0, "learner@example.org")
        for stranger in strangers:
            if stranger == owner:
                continue
            limiter.reset()
            response = _get(app, rule, url, stranger)
            if not _refused(response):
                who = stranger or "anonymous"
                problems.append(f"{who} got in: {url} -> {response.status_code}")
        limiter.reset()
    assert problems == []
