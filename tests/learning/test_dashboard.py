"""The dashboard and the enrollment list: each enrollment's stage, progress and next step, in
a fixed number of queries however many courses a learner takes."""

from __future__ import annotations

from tests import factories
from tests.learning.conftest import finish_lessons, start, submit


def _reads(statements) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


def test_each_course_shows_its_own_stage_and_next_step(client, auth, api, learner):
    factories.course("first-course", title="First Course")
    factories.course("second-course", title="Second Course")
    api.login()
    for slug in ("first-course", "second-course"):
        assert api.post(f"/api/v1/courses/{slug}/enrollment").status_code == 201
    finish_lessons(api, "first-course")
    attempt = start(api, "first-course")
    assert submit(api, attempt["id"]).get_json()["passed"] is True
    # The first course gets a new revision; the learner stays on the one they enrolled in.
    factories.course("first-course", files=factories.course_files(title="First Course v2"))

    auth.login()
    html = client.get("/my-courses").get_data(as_text=True)
    first, second = html.split('<li class="card">')[1:3]
    assert "Second Course" in first  # newest enrollment first
    assert "In progress" in first and 'value="0"' in first
    assert "Continue: Lesson 1" in first
    assert "First Course" in second and "First Course v2" not in second
    assert "Awaiting evaluation" in second
    # 3 lessons, seat time (weighing as much as the lessons) and the post-test: 7 of 9 steps
    assert 'value="77"' in second
    assert 'href="/courses/first-course/evaluation">Complete the evaluation' in second
    assert "Still to do: Submit the course evaluation; Attest" in second

    body = api.get("/api/v1/enrollments").get_json()["enrollments"]
    assert [(e["course"], e["status"], e["progress"], e["revision"]) for e in body] == [
        ("second-course", "in_progress", 0, 1),
        ("first-course", "awaiting_evaluation", 77, 1),
    ]
    passed = next(r for r in body[1]["requirements"] if r["code"] == "post_test")
    assert passed["met"] is True and passed["detail"] == "passed with 100%"


def test_more_courses_cost_no_more_queries(client, auth, api, learner, statements):
    for n in range(1, 4):
        factories.course(f"course-{n}", title=f"Course {n}")
    api.login()
    auth.login()
    counts = []
    for n in range(1, 4):
        assert api.post(f"/api/v1/courses/course-{n}/enrollment").status_code == 201
        api.post(f"/api/v1/courses/course-{n}/lessons/lesson-1/complete")
        client.get("/my-courses")  # reads each revision's lessons once
        statements.clear()
        assert f"Course {n}" in client.get("/my-courses").get_data(as_text=True)
        counts.append(_reads(statements))
    # The enrollments, their progress, attempts and evaluations, and the program enrollments of
    # "My programs" (the signed-in user is already in the test session).
    assert counts[0] == counts[1] == counts[2] == 5, counts
