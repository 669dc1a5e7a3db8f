"""Who may see a course's reports: its instructors and administrators, nobody else."""

from __future__ import annotations

import pytest

from tests.accounts.test_api import assert_error

COURSE_PAGES = [
    "/reports/courses/test-course/",
    "/reports/courses/test-course/roster.csv",
    "/reports/courses/test-course/completions.csv",
    "/reports/courses/test-course/ce-broker.xlsx",
    "/reports/courses/test-course/item-analysis",
    "/reports/courses/test-course/evaluations",
]
API_PATHS = [
    "/api/v1/reports/courses/test-course/roster",
    "/api/v1/reports/courses/test-course/completions.csv",
    "/api/v1/reports/courses/test-course/ce-broker.xlsx",
    "/api/v1/reports/courses/test-course/item-analysis",
    "/api/v1/reports/courses/test-course/evaluations",
]
EMAILS = {
    "instructor": "instructor@example.org",
    "other-instructor": "teacher@example.org",
    "learner": "learner@example.org",
    "admin": "admin@example.org",
}
PAGE_STATUS = {
    "anonymous": 302,
    "instructor": 200,
    "other-instructor": 403,
    "learner": 403,
    "admin": 200,
}
API_STATUS = {**PAGE_STATUS, "anonymous": 401}


@pytest.mark.parametrize("who", PAGE_STATUS)
@pytest.mark.parametrize("path", COURSE_PAGES)
def test_course_report_pages_are_for_the_courses_instructors_and_admins(
    client, auth, people, course, path, who
):
    if who != "anonymous":
        auth.login(EMAILS[who])
    response = client.get(path)
    assert response.status_code == PAGE_STATUS[who]
    if who == "anonymous":
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", API_STATUS)
@pytest.mark.parametrize("path", API_PATHS)
def test_report_api_follows_the_same_rules(api, people, course, path, who):
    if who != "anonymous":
        api.login(EMAILS[who])
    response = api.get(path)
    if API_STATUS[who] == 200:
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        assert_error(response, API_STATUS[who])


def test_unknown_course_is_not_found(client, auth, api, people, course):
    auth.login(EMAILS["instructor"])
    assert client.get("/reports/courses/no-such-course/").status_code == 404
    assert client.get("/reports/courses/no-such-course/completions.csv").status_code == 404
    api.login(EMAILS["instructor"])
    assert_error(api.get("/api/v1/reports/courses/no-such-course/roster"), 404, "not_found")
    assert_error(api.get("/api/v1/reports/courses/no-such-course/ce-broker.xlsx"), 404)


def test_report_index_lists_only_the_courses_the_user_manages(client, auth, people, course):
    assert client.get("/reports/").status_code == 302
    auth.login(EMAILS["learner"])
    assert client.get("/reports/").status_code == 403
    auth.logout()

    auth.login(EMAILS["instructor"])
    html = client.get("/reports/").get_data(as_text=True)
    assert 'href="/reports/courses/test-course/"' in html
    assert "other-course" not in html
    auth.logout()

    auth.login(EMAILS["other-instructor"])  # assigned by an administrator, not in course.md
    html = client.get("/reports/").get_data(as_text=True)
    assert 'href="/reports/courses/other-course/"' in html
    assert "test-course" not in html
    assert client.get("/reports/courses/other-course/").status_code == 200
    auth.logout()

    auth.login(EMAILS["admin"])
    html = client.get("/reports/").get_data(as_text=True)
    assert "/reports/courses/test-course/" in html and "/reports/courses/other-course/" in html


def test_reports_link_appears_in_the_navigation_of_instructors_only(client, auth, people):
    auth.login(EMAILS["instructor"])
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(EMAILS["learner"])
    assert 'href="/reports/"' not in client.get("/").get_data(as_text=True)
