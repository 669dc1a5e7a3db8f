"""Seat time: one clock per enrollment, the default floor, what the learner is shown."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import Enrollment, LessonProgress
from tests import factories
from tests.conftest import csrf_token
from tests.learning.conftest import finish_lessons


def _course_with_hours(slug: str, hours: str, **kwargs) -> None:
    files = factories.course_files(**kwargs)
    files["course.md"] = (
        files["course.md"]
        .replace(b"ce_hours: 0.25", f"ce_hours: {hours}".encode())
        .replace(b"{general: 0.25}", f"{{general: {hours}}}".encode())
    )
    factories.course(slug, files=files)


def _seconds_by_lesson(enrollment: Enrollment) -> list[int]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(LessonProgress)
        .where(LessonProgress.enrollment_id == enrollment.id)
        .order_by(LessonProgress.lesson_id)
    )
    return [p.active_seconds for p in rows]


def test_parallel_heartbeats_on_several_lessons_credit_wall_time_once(enrolled):
    enrollment = db.session.scalar(select(Enrollment))
    lessons = enrollment.revision.lessons
    t0 = utcnow()
    credited = 0
    # Three lessons open in three visible windows, each beating every 30 s, 10 s apart.
    for beat in range(10):
        for offset, lesson in enumerate(lessons):
            now = t0 + timedelta(seconds=30 * beat + 10 * offset)
            credited += services.heartbeat(db.session, enrollment, lesson, now=now)
    db.session.commit()

    assert credited == 290  # t0 to the last heartbeat at t0 + 290 s, not three times that
    assert _seconds_by_lesson(enrollment) == [90, 100, 100]  # evidence kept per lesson
    assert services.active_seconds(enrollment) == 290


def test_two_tabs_on_one_lesson_credit_wall_time_once(enrolled):
    enrollment = db.session.scalar(select(Enrollment))
    lesson = enrollment.revision.lessons[0]
    t0 = utcnow()
    for beat in range(8):
        services.heartbeat(db.session, enrollment, lesson, now=t0 + timedelta(seconds=30 * beat))
        services.heartbeat(
            db.session, enrollment, lesson, now=t0 + timedelta(seconds=30 * beat + 15)
        )
    db.session.commit()

    assert _seconds_by_lesson(enrollment) == [225]  # t0 .. t0 + 225 s


def test_a_heartbeat_never_credits_more_than_the_cap_after_a_pause(enrolled):
    enrollment = db.session.scalar(select(Enrollment))
    first, second = enrollment.revision.lessons[:2]
    t0 = utcnow()
    services.heartbeat(db.session, enrollment, first, now=t0)
    assert services.heartbeat(db.session, enrollment, second, now=t0 + timedelta(hours=2)) == 60
    assert services.heartbeat(db.session, enrollment, first, now=t0 + timedelta(hours=1)) == 0


def test_seat_time_floor_defaults_to_half_the_credited_minutes(api, learner):
    _course_with_hours("ninety-minutes", "1.5")
    api.login()
    api.post("/api/v1/courses/ninety-minutes/enrollment")
    finish_lessons(api, "ninety-minutes", seat_time=False)

    body = api.get("/api/v1/enrollments").get_json()["enrollments"][0]
    seat = next(r for r in body["requirements"] if r["code"] == "seat_time")
    assert seat["label"] == "Spend at least 45 active minutes in the lessons"
    assert seat["met"] is False
    assert body["seat_time"] == {"floor_minutes": 45, "active_seconds": 0, "minutes_needed": 45}
    response = api.post("/api/v1/courses/ninety-minutes/quiz/attempts")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["unmet"] == ["seat_time"]

    assert factories.earn_seat_time(api.email, "ninety-minutes", minutes=44) == 44 * 60
    assert api.post("/api/v1/courses/ninety-minutes/quiz/attempts").status_code == 422
    factories.earn_seat_time(api.email, "ninety-minutes", minutes=1)
    assert api.post("/api/v1/courses/ninety-minutes/quiz/attempts").status_code == 201


def test_the_gate_uses_the_floor_of_the_pinned_revision(enrolled):
    # A later revision raises the floor; the enrolled learner keeps the one they started on.
    factories.course("test-course", files=factories.course_files(min_minutes=30))
    finish_lessons(enrolled)  # earns the pinned revision's 8 minutes

    body = enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]
    assert body["seat_time"]["floor_minutes"] == 8
    assert enrolled.post("/api/v1/courses/test-course/quiz/attempts").status_code == 201


def test_lesson_page_shows_the_minutes_still_needed_and_when_time_counts(
    client, auth, learner, course
):
    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    page = client.get("/courses/test-course/lessons/lesson-1").get_data(as_text=True)
    assert "8 active minutes of reading still needed for the certificate." in page
    assert "Time counts only while this page is visible on your screen" in page

    factories.earn_seat_time("learner@example.org", "test-course", minutes=7)
    page = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    assert "1 active minute of reading still needed for the certificate." in page

    factories.earn_seat_time("learner@example.org", "test-course", minutes=1)
    page = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    assert "Your reading time for the certificate is complete." in page
    assert "still needed" not in page


def test_progress_includes_seat_time_on_the_api_dashboard_and_course_page(
    client, auth, api, learner, course
):
    api.login()
    api.post("/api/v1/courses/test-course/enrollment")
    auth.login()
    factories.earn_seat_time(api.email, "test-course", minutes=4)  # half of the 8-minute floor

    # 9 steps: 3 lessons, seat time worth 3, post-test, evaluation, attestation; 1.5 are met.
    assert api.get("/api/v1/enrollments").get_json()["enrollments"][0]["progress"] == 16
    assert '<progress max="100" value="16"' in client.get("/my-courses").get_data(as_text=True)
    course_page = client.get("/courses/test-course").get_data(as_text=True)
    assert '<progress max="100" value="16"' in course_page

    finish_lessons(api, seat_time=False)  # 3 lessons + 1.5 of seat time
    assert api.get("/api/v1/enrollments").get_json()["enrollments"][0]["progress"] == 50
    factories.earn_seat_time(api.email, "test-course", minutes=4)
    assert api.get("/api/v1/enrollments").get_json()["enrollments"][0]["progress"] == 66


def test_lesson_script_sends_heartbeats_only_while_the_tab_is_visible(
    client, auth, learner, course
):
    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    page = client.get("/courses/test-course/lessons/lesson-1").get_data(as_text=True)
    assert 'data-heartbeat-url="/courses/test-course/lessons/lesson-1/heartbeat"' in page
    response = client.get("/static/js/heartbeat.js")
    script = response.get_data(as_text=True)
    response.close()
    beat = script[script.index("function beat()") :]
    assert beat.index('if (document.visibilityState !== "visible") return;') < beat.index("fetch(")


def test_courses_open_side_by_side_credit_the_learners_wall_time_once(enrolled):
    factories.course("second-course", title="Second Course")
    assert enrolled.post("/api/v1/courses/second-course/enrollment").status_code == 201
    first, second = db.session.scalars(select(Enrollment).order_by(Enrollment.id)).all()
    t0 = utcnow()
    credited = 0
    # Two courses in two visible windows, each beating every 30 s, 15 s apart.
    for beat in range(10):
        for offset, enrollment in enumerate((first, second)):
            now = t0 + timedelta(seconds=30 * beat + 15 * offset)
            lesson = enrollment.revision.lessons[0]
            credited += services.heartbeat(db.session, enrollment, lesson, now=now)
    db.session.commit()

    # One learner reads one page at a time: from t0 + 15 s, when the second window started
    # its clock, to the last heartbeat at t0 + 285 s; not each window's time added up.
    assert credited == 270
    db.session.expire_all()
    assert services.active_seconds(first) + services.active_seconds(second) == 270
