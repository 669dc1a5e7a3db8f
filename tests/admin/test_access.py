"""Only administrators reach the admin pages and API; others get 403, strangers sign in / 401."""

import pytest

from ce_platform.admin import services
from ce_platform.extensions import db
from tests.admin.conftest import ADMIN, INSTRUCTOR, LEARNER, api_as
from tests.conftest import ApiClient, csrf_token

PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/{learner}",
    "/admin/certificates?q=dana",
    "/admin/audit",
]

FORMS = [
    ("/admin/users/{learner}/role", {"role": "instructor"}),
    ("/admin/users/{learner}/deactivate", {}),
    ("/admin/users/{learner}/reactivate", {}),
    ("/admin/users/{instructor}/courses", {"course": "test-course"}),
    ("/admin/users/{instructor}/courses/test-course/unassign", {}),
]


def _assign(people, course):
    services.assign_instructor(db.session, course, people["instructor"], actor_id=None)
    db.session.commit()


# (method, path, body, status for an admin, setup before the admin's call)
API = [
    ("get", "/api/v1/admin/users?q=dana", None, 200, None),
    ("patch", "/api/v1/admin/users/{learner}", {"role": "instructor"}, 200, None),
    ("post", "/api/v1/admin/courses/test-course/instructors", {"email": INSTRUCTOR}, 201, None),
    ("delete", "/api/v1/admin/courses/test-course/instructors/{instructor}", None, 204, _assign),
    ("get", "/api/v1/admin/audit?action=user.", None, 200, None),
    ("get", "/api/v1/admin/audit/verify", None, 200, None),
]


def _fill(path: str, people) -> str:
    return path.format(**{name: user.id for name, user in people.items()})


@pytest.mark.parametrize("path", PAGES)
def test_admin_sees_every_admin_page(admin_page, people, course, path):
    response = admin_page.get(_fill(path, people))
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("email", [INSTRUCTOR, LEARNER])
@pytest.mark.parametrize("path", PAGES)
def test_instructors_and_learners_are_refused_every_admin_page(
    client, auth, people, course, email, path
):
    assert auth.login(email).status_code == 302
    assert client.get(_fill(path, people)).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, people, course, path):
    response = client.get(_fill(path, people))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("email", [INSTRUCTOR, LEARNER])
@pytest.mark.parametrize(("path", "data"), FORMS)
def test_instructors_and_learners_cannot_post_admin_forms(
    client, auth, people, course, email, path, data
):
    assert auth.login(email).status_code == 302
    token = csrf_token(client, "/account")
    response = client.post(_fill(path, people), data={**data, "csrf_token": token})
    assert response.status_code == 403
    assert people["learner"].role == "learner" and people["learner"].active


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_anonymous_admin_form_posts_are_sent_to_sign_in(client, people, course, path, data):
    token = csrf_token(client, "/login")
    response = client.post(_fill(path, people), data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "path", "body", "status", "setup"), API)
def test_admin_token_reaches_every_admin_endpoint(
    client, people, course, method, path, body, status, setup
):
    if setup:
        setup(people, course)
    api = api_as(client, ADMIN)
    response = getattr(api, method)(_fill(path, people), json=body)
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize("email", [INSTRUCTOR, LEARNER])
@pytest.mark.parametrize(("method", "path", "body", "status", "setup"), API)
def test_other_roles_get_403_from_every_admin_endpoint(
    client, people, course, email, method, path, body, status, setup
):
    api = api_as(client, email)
    response = getattr(api, method)(_fill(path, people), json=body)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body", "status", "setup"), API)
def test_admin_endpoints_without_a_token_answer_401(
    client, people, course, method, path, body, status, setup
):
    response = getattr(ApiClient(client), method)(_fill(path, people), json=body)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
