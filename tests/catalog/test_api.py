"""GET /api/v1/courses, /courses/<slug> and /courses/<slug>/lessons/<lesson>."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts.test_api import assert_error


@pytest.fixture
def course():
    return factories.course("test-course", title="Test Course")


def test_list_courses(api, course):
    factories.course("old", title="Old", released="2019-01-01", review_by="2020-06-30")
    body = api.get("/api/v1/courses").get_json()
    assert body == {
        "courses": [
            {
                "slug": "test-course",
                "title": "Test Course",
                "summary": "A short course used by the tests.",
                "ce_hours": 0.25,
                "credits": {"general": 0.25},
                "level": "introductory",
                "lesson_count": 3,
            }
        ]
    }


def test_course_detail_matches_the_contract(api, course):
    body = api.get("/api/v1/courses/test-course").get_json()
    assert body["slug"] == "test-course" and body["title"] == "Test Course"
    assert body["ce_hours"] == 0.25 and body["credits"] == {"general": 0.25}
    assert body["objectives"] == ["Describe the first thing.", "Identify the second thing."]
    assert body["authors"] == [
        {
            "name": "Jamie Author",
            "credentials": "PhD",
            "disclosure": "No relevant financial relationships.",
        }
    ]
    assert body["lessons"][0] == {"slug": "lesson-1", "title": "Lesson 1", "minutes": 1}
    assert body["quiz"] == {"passing_score": 75, "max_attempts": 3, "questions_per_attempt": 7}
    assert "correct" not in str(body)


def test_lesson_needs_a_token_and_returns_stored_html(api, course):
    assert_error(api.get("/api/v1/courses/test-course/lessons/lesson-1"), 401)
    factories.user("learner@example.org")
    api.login()
    body = api.get("/api/v1/courses/test-course/lessons/lesson-2").get_json()
    assert body["slug"] == "lesson-2" and body["title"] == "Lesson 2" and body["position"] == 2
    assert '<h2 id="lesson-2-heading">Lesson 2 heading</h2>' in body["html"]


def test_unknown_course_and_lesson_are_404_with_error_body(api, course):
    assert_error(api.get("/api/v1/courses/nope"), 404, "not_found")
    factories.user("learner@example.org")
    api.login()
    assert_error(api.get("/api/v1/courses/test-course/lessons/nope"), 404, "not_found")
    assert_error(api.get("/api/v1/courses/nope/lessons/lesson-1"), 404, "not_found")
