"""Who may open, edit and publish a course's draft, on the pages and in the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ce_platform.catalog.models import CourseInstructor
from ce_platform.extensions import db
from tests import factories
from tests.authoring.conftest import (
    ADMIN,
    API,
    BASE,
    INSTRUCTOR,
    LEARNER,
    OTHER,
    SLUG,
    draft_snapshot,
    post_form,
    revision_count,
    text,
)

WHO = {
    "own instructor": INSTRUCTOR,
    "other instructor": OTHER,
    "learner": LEARNER,
    "admin": ADMIN,
    "anonymous": None,
}
PAGE_STATUS = {
    "own instructor": 200,
    "other instructor": 403,
    "learner": 403,
    "admin": 200,
    "anonymous": 302,
}
API_STATUS = {
    "own instructor": 200,
    "other instructor": 403,
    "learner": 403,
    "admin": 200,
    "anonymous": 401,
}
PAGES = [
    f"{BASE}/",
    f"{BASE}/edit/01-lesson-1.md",
    f"{BASE}/history",
    f"{BASE}/diff?from=1&to=draft",
    f"{BASE}/draft.zip",
    f"{BASE}/r1.zip",
]


@pytest.fixture
def everyone(instructor, other_instructor, admin, learner, course):
    return None


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize("page", PAGES)
def test_course_pages_follow_the_access_matrix(client, auth, everyone, who, page):
    if WHO[who]:
        auth.login(WHO[who])
    response = client.get(page)
    assert response.status_code == PAGE_STATUS[who], (who, page)
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", list(WHO))
def test_my_courses_page_is_for_instructors_and_admins(client, auth, everyone, who):
    if WHO[who]:
        auth.login(WHO[who])
    response = client.get("/authoring/")
    expected = {"learner": 403, "anonymous": 302}.get(who, 200)
    assert response.status_code == expected
    if expected == 200:
        listed = "Test Course" in text(response)
        assert listed == (who in ("own instructor", "admin"))


@pytest.mark.parametrize("who", list(WHO))
@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", f"{API}/files", None),
        ("get", f"{API}/files/quiz.md", None),
        ("put", f"{API}/files/01-lesson-1.md", {"markdown": "---\ntitle: Changed\n---\nNew.\n"}),
        ("post", "/api/v1/authoring/preview", {"path": "quiz.md", "markdown": "", "course": SLUG}),
    ],
)
def test_api_follows_the_access_matrix(api, everyone, who, method, path, body):
    if WHO[who]:
        api.login(WHO[who])
    response = getattr(api, method)(path, json=body) if body else getattr(api, method)(path)
    assert response.status_code == API_STATUS[who], (who, path, response.get_json())
    if response.status_code >= 400:
        assert set(response.get_json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("who", ["other instructor", "learner", "anonymous"])
def test_only_managers_can_publish_through_the_api(api, everyone, who):
    if WHO[who]:
        api.login(WHO[who])
    response = api.post(f"{API}/publish")
    assert response.status_code == API_STATUS[who]
    assert revision_count() == 1


def test_another_instructor_cannot_change_or_publish_through_the_pages(
    client, auth, everyone, instructor
):
    auth.login(INSTRUCTOR)
    client.get(f"{BASE}/")  # the owner opens the draft
    before = draft_snapshot()
    auth.logout()
    auth.login(OTHER)
    for path, data in [
        (f"{BASE}/publish", {}),
        (f"{BASE}/files/delete", {"path": "01-lesson-1.md"}),
        (f"{BASE}/lessons", {"title": "Intruder"}),
        (f"{BASE}/edit/01-lesson-1.md", {"markdown": "x", "action": "save"}),
    ]:
        assert post_form(client, path, data).status_code == 403, path
    assert draft_snapshot() == before
    assert revision_count() == 1


def test_an_instructor_assigned_by_an_admin_may_edit(client, auth, everyone, other_instructor):
    course = factories.course(SLUG)  # already published: unchanged
    db.session.add(CourseInstructor(course_id=course.id, user_id=other_instructor.id))
    db.session.commit()
    auth.login(OTHER)
    assert client.get(f"{BASE}/").status_code == 200
    assert "Test Course" in text(client.get("/authoring/"))


def test_a_new_course_draft_is_private_to_its_creator_and_admins(client, api, auth, everyone):
    api.login(OTHER)
    created = api.post("/api/v1/authoring/courses", json={"slug": "fresh", "title": "Fresh"})
    assert created.status_code == 201, created.get_json()
    api.login(INSTRUCTOR)
    # Someone else's unpublished draft does not even exist for them.
    assert api.get("/api/v1/authoring/courses/fresh/files").status_code == 404
    auth.login(INSTRUCTOR)
    assert client.get("/authoring/courses/fresh/").status_code == 404
    assert "Fresh" not in text(client.get("/authoring/"))
    auth.logout()
    auth.login(ADMIN)
    assert client.get("/authoring/courses/fresh/").status_code == 200
    auth.logout()
    auth.login(OTHER)
    assert "Fresh" in text(client.get("/authoring/"))


def test_learners_cannot_create_course_drafts(api, everyone):
    api.login(LEARNER)
    response = api.post("/api/v1/authoring/courses", json={"slug": "mine", "title": "Mine"})
    assert response.status_code == 403
    from ce_platform.authoring.models import Draft

    assert db.session.scalar(select(Draft).where(Draft.slug == "mine")) is None


def test_draft_media_is_served_only_to_its_editors(client, auth, author_api, everyone):
    from tests.authoring.conftest import PNG

    response = author_api.put(
        f"{API}/files/media/dot.png", data=PNG, headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 201, response.get_json()
    auth.login(INSTRUCTOR)
    served = client.get(f"{BASE}/media/dot.png")
    assert served.status_code == 200 and served.data == PNG
    assert served.mimetype == "image/png"
    auth.logout()
    auth.login(OTHER)
    assert client.get(f"{BASE}/media/dot.png").status_code == 403
