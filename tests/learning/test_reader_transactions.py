"""Reading requests begin deferred transactions on SQLite; their first writes still insert once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from ce_platform.extensions import db
from ce_platform.learning.models import LessonProgress
from tests import factories
from tests.conftest import AuthActions

pytestmark = pytest.mark.concurrent

LESSON = "/courses/test-course/lessons/lesson-2"


def _signed_in_learner(app):
    """A learner enrolled in the test course with a signed-in client, holding no transaction."""
    factories.user("learner@example.org")
    factories.course("test-course")
    client = app.test_client()
    AuthActions(client).login()
    token = client.post(
        "/api/v1/auth/token", json={"email": "learner@example.org", "password": factories.PASSWORD}
    ).get_json()["token"]
    response = client.post(
        "/api/v1/courses/test-course/enrollment", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    db.session.remove()
    return client, token


def _begins(app, call) -> list[str]:
    """The BEGIN statements the engine sends while `call` runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no BEGIN IMMEDIATE; its readers never queue")


def test_a_reading_request_begins_deferred_and_a_writing_one_immediate(app):
    _sqlite_only(app)
    client, token = _signed_in_learner(app)
    assert client.get(LESSON).status_code == 200  # the first open writes its progress row

    reads = _begins(app, lambda: client.get(LESSON))
    writes = _begins(
        app,
        lambda: client.post(
            "/api/v1/courses/test-course/lessons/lesson-2/complete",
            headers={"Authorization": f"Bearer {token}"},
        ),
    )

    assert reads == ["BEGIN"]
    assert writes and set(writes) == {"BEGIN IMMEDIATE"}


def test_a_first_open_on_a_reading_request_takes_the_write_lock_before_it_writes(app):
    _sqlite_only(app)
    client, _token = _signed_in_learner(app)

    begins = _begins(app, lambda: client.get(LESSON))

    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]  # read, then begun again as a writer
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_a_reader_does_not_wait_for_an_open_write_transaction(app):
    _sqlite_only(app)
    client, _token = _signed_in_learner(app)
    assert client.get(LESSON).status_code == 200
    writer = db.engine.raw_connection()
    cursor = writer.cursor()
    cursor.execute("BEGIN IMMEDIATE")  # another request holds the write lock
    cursor.execute("UPDATE users SET full_name = full_name")
    done = threading.Event()
    statuses = []

    def read():
        statuses.append(client.get(LESSON).status_code)
        done.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        finished = done.wait(timeout=10)  # BEGIN IMMEDIATE would wait out the 30 s busy timeout
    finally:
        cursor.execute("ROLLBACK")
        writer.close()
        reader.join(timeout=60)

    assert finished and statuses == [200]


def test_simultaneous_first_opens_beside_a_writer_record_one_progress_row(app):
    client, token = _signed_in_learner(app)
    cookie = client.get_cookie("session")
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def open_lesson():
        reader = app.test_client()
        reader.set_cookie("session", cookie.value)
        barrier.wait()
        statuses.append(reader.get(LESSON).status_code)

    def write():
        writer = app.test_client()
        barrier.wait()
        url = "/api/v1/courses/test-course/lessons/lesson-1/complete"
        statuses.append(writer.post(url, headers=headers).status_code)

    threads = [threading.Thread(target=open_lesson) for _ in range(4)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * 5
    db.session.remove()
    rows = db.session.execute(
        select(LessonProgress.lesson_id, func.count()).group_by(LessonProgress.lesson_id)
    ).all()
    assert sorted(count for _lesson, count in rows) == [1, 1]  # lesson 1 and lesson 2, once each
