"""Parallel requests: one attempt per start race, one grade per submit race, on both engines."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from ce_platform.extensions import db
from ce_platform.learning.models import QuizAttempt
from tests import factories

pytestmark = pytest.mark.concurrent


def _race(app, calls) -> list:
    """Run each call in its own thread with its own client, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        results[index] = call(client)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _ready_learner(app):
    factories.user("learner@example.org")
    factories.course("test-course")
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/courses/test-course/enrollment", headers=headers)
    factories.earn_seat_time("learner@example.org", "test-course")
    for n in (1, 2, 3):
        client.post(f"/api/v1/courses/test-course/lessons/lesson-{n}/complete", headers=headers)
    db.session.remove()  # hold no transaction (and on SQLite no write lock) during the race
    return headers


def _allowed_losers() -> set[int]:
    # PostgreSQL answers the loser with the rule (409 / the same attempt); SQLite may instead
    # refuse the second writer as busy (503), which also stores nothing.
    return {409} if db.engine.dialect.name == "postgresql" else {409, 503}


def test_two_simultaneous_starts_make_one_attempt(app):
    headers = _ready_learner(app)
    url = "/api/v1/courses/test-course/quiz/attempts"
    responses = _race(app, [lambda c: c.post(url, headers=headers)] * 2)
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] in (200, 201) and (statuses[1] in (200, 201) or statuses[1] == 503)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    ids = {r.get_json()["attempt"]["id"] for r in responses if r.status_code < 300}
    assert len(ids) == 1


def test_two_simultaneous_submissions_grade_once(app):
    headers = _ready_learner(app)
    client = app.test_client()
    attempt = client.post("/api/v1/courses/test-course/quiz/attempts", headers=headers).get_json()
    attempt_id = attempt["attempt"]["id"]
    right = factories.answer_sheet(attempt_id)
    wrong = factories.answer_sheet(attempt_id, correct=0)
    db.session.remove()
    url = f"/api/v1/quiz/attempts/{attempt_id}/submit"
    responses = _race(
        app,
        [
            lambda c: c.post(url, json={"answers": right}, headers=headers),
            lambda c: c.post(url, json={"answers": wrong}, headers=headers),
        ],
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 1, statuses
    loser = next(s for s in statuses if s != 200)
    assert loser in _allowed_losers()
    winner = responses[statuses.index(200)].get_json()
    db.session.remove()
    stored = db.session.scalar(select(QuizAttempt))
    assert stored.score == winner["score"]
    assert stored.responses == (right if winner["score"] == 100 else wrong)


def test_parallel_heartbeat_requests_on_several_lessons_credit_wall_time_once(app):
    from datetime import timedelta

    from ce_platform.core.models import utcnow
    from ce_platform.learning import services
    from ce_platform.learning.models import Enrollment, LessonProgress

    factories.user("learner@example.org")
    factories.course("test-course")
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/courses/test-course/enrollment", headers=headers)
    # Every lesson was open and beating 40 s ago, in three windows.
    enrollment = db.session.scalar(select(Enrollment))
    started = utcnow() - timedelta(seconds=40)
    for lesson in enrollment.revision.lessons:
        services.heartbeat(db.session, enrollment, lesson, now=started)
    db.session.commit()
    db.session.remove()

    responses = _race(
        app,
        [
            lambda c, n=n: c.post(
                f"/api/v1/courses/test-course/lessons/lesson-{n}/heartbeat", headers=headers
            )
            for n in (1, 2, 3)
        ]
        * 2,
    )
    wall = (utcnow() - started).total_seconds()
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    credited = sum(r.get_json()["credited"] for r in responses if r.status_code == 200)
    assert 40 <= credited <= wall
    db.session.remove()
    stored = db.session.scalar(select(func.sum(LessonProgress.active_seconds)))
    assert stored == credited


def test_parallel_heartbeat_requests_in_two_courses_credit_wall_time_once(app):
    from datetime import timedelta

    from ce_platform.core.models import utcnow
    from ce_platform.learning import services
    from ce_platform.learning.models import Enrollment, LessonProgress

    factories.user("learner@example.org")
    factories.course("test-course")
    factories.course("second-course", title="Second Course")
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for slug in ("test-course", "second-course"):
        client.post(f"/api/v1/courses/{slug}/enrollment", headers=headers)
    # Both courses were open and beating 40 s ago, in two windows.
    started = utcnow() - timedelta(seconds=40)
    for enrollment in db.session.scalars(select(Enrollment)):
        services.heartbeat(db.session, enrollment, enrollment.revision.lessons[0], now=started)
    db.session.commit()
    db.session.remove()

    responses = _race(
        app,
        [
            lambda c, slug=slug: c.post(
                f"/api/v1/courses/{slug}/lessons/lesson-1/heartbeat", headers=headers
            )
            for slug in ("test-course", "second-course")
        ]
        * 2,
    )
    wall = (utcnow() - started).total_seconds()
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    credited = sum(r.get_json()["credited"] for r in responses if r.status_code == 200)
    assert 40 <= credited <= wall  # the learner's 40 s, not 40 s per course
    db.session.remove()
    assert db.session.scalar(select(func.sum(LessonProgress.active_seconds))) == credited
