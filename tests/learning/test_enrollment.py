"""Enrollment, revision pinning, lesson progress and seat time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import Enrollment, LessonProgress
from tests import factories
from tests.accounts.test_api import assert_error
from tests.learning.conftest import finish_lessons, start


def test_enrolling_is_idempotent(api, learner, course):
    api.login()
    first = api.post("/api/v1/courses/test-course/enrollment")
    again = api.post("/api/v1/courses/test-course/enrollment")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["enrollment"]["id"] == again.get_json()["enrollment"]["id"]
    assert len(db.session.scalars(select(Enrollment)).all()) == 1


def test_enrolling_needs_a_token_and_a_known_course(api, learner, course):
    assert_error(api.post("/api/v1/courses/test-course/enrollment"), 401)
    api.login()
    assert_error(api.post("/api/v1/courses/nope/enrollment"), 404)


def test_expired_course_refuses_new_learners(api, learner):
    factories.course("old", released="2019-01-01", review_by="2020-06-30")
    api.login()
    error = assert_error(api.post("/api/v1/courses/old/enrollment"), 422)
    assert "review date" in error["message"]


def test_new_revision_does_not_change_an_enrolled_learners_lessons_or_questions(
    enrolled, monkeypatch
):
    factories.seed_drawing(monkeypatch, "test-course", "q1")  # a draw of revision 1
    old_first_lesson = enrolled.get("/api/v1/courses/test-course/lessons/lesson-1").get_json()
    files = factories.course_files(lesson_body="Rewritten lesson body.")
    files["quiz.md"] = files["quiz.md"].replace(b"## q1\n", b"## q1-renamed\n")
    factories.course("test-course", files=files)  # revision 2 is published
    lesson = enrolled.get("/api/v1/courses/test-course/lessons/lesson-1").get_json()
    assert lesson["html"] == old_first_lesson["html"]
    assert "Rewritten" not in lesson["html"]
    finish_lessons(enrolled)
    attempt = start(enrolled)
    keys = {q["id"] for q in attempt["questions"]}
    assert "q1" in keys and "q1-renamed" not in keys
    body = enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]
    assert body["revision"] == 1
    # A new learner gets revision 2.
    factories.user("second@example.org")
    enrolled.login("second@example.org")
    enrolled.post("/api/v1/courses/test-course/enrollment")
    fresh = enrolled.get("/api/v1/courses/test-course/lessons/lesson-1").get_json()
    assert "Rewritten lesson body." in fresh["html"]


def test_opening_a_lesson_page_records_it_and_mark_complete_records_completion(
    client, auth, learner, course
):
    from tests.conftest import csrf_token

    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    client.get("/courses/test-course/lessons/lesson-2")
    progress = db.session.scalars(select(LessonProgress)).all()
    assert [(p.lesson.slug, p.completed_at) for p in progress] == [("lesson-2", None)]
    token = csrf_token(client, "/courses/test-course/lessons/lesson-2")
    response = client.post(
        "/courses/test-course/lessons/lesson-2/complete", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/test-course/lessons/lesson-3")
    db.session.expire_all()
    assert db.session.scalar(select(LessonProgress)).completed_at is not None


def test_heartbeat_credit_is_capped_at_sixty_seconds(enrolled):
    enrollment = db.session.scalar(select(Enrollment))
    lesson = enrollment.revision.lessons[0]
    t0 = utcnow()
    assert services.heartbeat(db.session, enrollment, lesson, now=t0) == 0
    assert services.heartbeat(db.session, enrollment, lesson, now=t0 + timedelta(seconds=30)) == 30
    assert services.heartbeat(db.session, enrollment, lesson, now=t0 + timedelta(minutes=20)) == 60
    # A clock that goes backwards credits nothing.
    assert services.heartbeat(db.session, enrollment, lesson, now=t0) == 0
    progress = db.session.scalar(select(LessonProgress))
    assert progress.active_seconds == 90


def test_heartbeat_endpoint_credits_at_most_the_cap(enrolled):
    first = enrolled.post("/api/v1/courses/test-course/lessons/lesson-1/heartbeat").get_json()
    second = enrolled.post("/api/v1/courses/test-course/lessons/lesson-1/heartbeat").get_json()
    assert first == {"credited": 0, "minutes_needed": 8}  # 0.25 CE hours: a floor of 8 min
    assert 0 <= second["credited"] <= 60


def test_min_minutes_gates_the_post_test_and_completion(api, learner):
    factories.course("timed", files=factories.course_files(min_minutes=12))
    api.login()
    api.post("/api/v1/courses/timed/enrollment")
    factories.earn_seat_time(api.email, "timed", minutes=11)
    finish_lessons(api, "timed", seat_time=False)
    error = assert_error(api.post("/api/v1/courses/timed/quiz/attempts"), 422)
    assert "12 active minutes" in error["message"]
    assert "11 of 12 minutes so far; 1 more needed" in error["message"]
    factories.earn_seat_time(api.email, "timed", minutes=1)
    body = api.get("/api/v1/enrollments").get_json()["enrollments"][0]
    seat = next(r for r in body["requirements"] if r["code"] == "seat_time")
    assert seat["met"] is True
    assert api.post("/api/v1/courses/timed/quiz/attempts").status_code == 201


def test_dashboard_shows_status_progress_and_next_step(client, auth, learner, course):
    from tests.conftest import csrf_token

    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    html = client.get("/my-courses").get_data(as_text=True)
    assert "Test Course" in html and "In progress" in html
    assert '<progress max="100" value="0"' in html
    assert 'href="/courses/test-course/lessons/lesson-1">Continue: Lesson 1' in html


def test_lesson_of_another_course_cannot_be_completed(enrolled):
    factories.course("other-course", title="Other")
    error = assert_error(
        enrolled.post("/api/v1/courses/other-course/lessons/lesson-1/complete"), 422
    )
    assert "Enroll" in error["message"]
