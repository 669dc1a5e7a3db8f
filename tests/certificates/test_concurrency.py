"""Parallel issue requests make exactly one certificate (a database constraint, not luck)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from tests import factories
from tests.learning.test_concurrency import _race

pytestmark = pytest.mark.concurrent


class _HeaderApi:
    """The minimal API client complete_course needs, on a plain test client."""

    def __init__(self, client, headers, email):
        self.client, self.headers, self.email = client, headers, email

    def post(self, path, **kw):
        return self.client.post(path, headers=self.headers, **kw)


def test_parallel_issue_requests_make_one_certificate(app):
    from tests.certificates.conftest import complete_course

    factories.user("learner@example.org")
    factories.course("test-course")
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    complete_course(_HeaderApi(client, headers, "learner@example.org"))
    db.session.remove()
    url = "/api/v1/courses/test-course/certificate"
    responses = _race(app, [lambda c: c.post(url, headers=headers)] * 3)
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    # PostgreSQL answers the losers with the same certificate; SQLite may call them busy (503).
    allowed = {200, 201} if db.engine.dialect.name == "postgresql" else {200, 201, 503}
    assert set(statuses) <= allowed
    numbers = {r.get_json()["certificate"]["number"] for r in responses if r.status_code < 300}
    assert len(numbers) == 1
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
