"""Assigning instructors to courses: who may be assigned, what it grants, and its record."""

from sqlalchemy import select

from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import CourseInstructor
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.admin.conftest import INSTRUCTOR, LEARNER, api_as
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token


def _post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/")})


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_assignment_lets_the_instructor_manage_the_course_and_download_its_certificates(
    client, admin_api, instructor, learner, course
):
    learner_api = api_as(client, LEARNER)
    complete_course(learner_api)
    number = learner_api.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
        "number"
    ]
    instructor_api = api_as(client, INSTRUCTOR)
    assert not catalog.can_manage(db.session, instructor, course)
    assert instructor_api.get(f"/api/v1/certificates/{number}.pdf").status_code == 404

    response = admin_api.post(
        "/api/v1/admin/courses/test-course/instructors", json={"email": "INA@example.org"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["assignment"]["user"]["email"] == INSTRUCTOR

    assert catalog.can_manage(db.session, instructor, course)
    assert [c.slug for c in catalog.managed_courses(db.session, instructor)] == ["test-course"]
    download = instructor_api.get(f"/api/v1/certificates/{number}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"

    response = admin_api.delete(f"/api/v1/admin/courses/test-course/instructors/{instructor.id}")
    assert response.status_code == 204
    assert not catalog.can_manage(db.session, instructor, course)
    assert instructor_api.get(f"/api/v1/certificates/{number}.pdf").status_code == 404


def test_assignment_on_the_user_page_creates_the_row_and_is_audited(
    admin_page, admin, instructor, course
):
    html = admin_page.get(f"/admin/users/{instructor.id}").get_data(as_text=True)
    assert '<option value="test-course">Ethics in Testing Practice (test-course)</option>' in html

    response = _post(admin_page, f"/admin/users/{instructor.id}/courses", course="test-course")
    assert response.status_code == 302
    row = db.session.scalar(select(CourseInstructor))
    assert (row.course_id, row.user_id, row.assigned_by_id) == (course.id, instructor.id, admin.id)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "course.instructor_assigned")
    )
    assert event.actor_id == admin.id
    assert (event.subject_type, event.subject_id) == ("course", "test-course")
    assert event.data == {"user": instructor.id, "email": INSTRUCTOR}
    html = admin_page.get(f"/admin/users/{instructor.id}").get_data(as_text=True)
    assert f'action="/admin/users/{instructor.id}/courses/test-course/unassign"' in html

    response = _post(admin_page, f"/admin/users/{instructor.id}/courses/test-course/unassign")
    assert response.status_code == 302
    assert db.session.scalar(select(CourseInstructor)) is None
    assert _actions()[-2:] == ["course.instructor_assigned", "course.instructor_unassigned"]


def test_a_second_assignment_of_the_same_instructor_is_refused_clearly(
    admin_page, admin_api, instructor, course
):
    _post(admin_page, f"/admin/users/{instructor.id}/courses", course="test-course")
    response = _post(admin_page, f"/admin/users/{instructor.id}/courses", course="test-course")
    assert response.status_code == 409
    assert "ina@example.org is already assigned to test-course." in response.get_data(as_text=True)
    response = admin_api.post(
        "/api/v1/admin/courses/test-course/instructors", json={"email": INSTRUCTOR}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        "ina@example.org is already assigned to test-course."
    )
    assert len(db.session.scalars(select(CourseInstructor)).all()) == 1
    assert _actions().count("course.instructor_assigned") == 1


def test_only_instructors_can_be_assigned(admin_page, admin_api, learner, course):
    html = admin_page.get(f"/admin/users/{learner.id}").get_data(as_text=True)
    assert "Only instructors can be assigned to courses." in html
    assert f'action="/admin/users/{learner.id}/courses"' not in html

    response = _post(admin_page, f"/admin/users/{learner.id}/courses", course="test-course")
    assert response.status_code == 422
    assert "only instructors can be assigned" in response.get_data(as_text=True)
    response = admin_api.post(
        "/api/v1/admin/courses/test-course/instructors", json={"email": LEARNER}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(CourseInstructor)) is None
    assert "course.instructor_assigned" not in _actions()


def test_assignment_names_an_unknown_course_or_email(admin_api, instructor, course):
    response = admin_api.post(
        "/api/v1/admin/courses/no-such-course/instructors", json={"email": INSTRUCTOR}
    )
    assert response.status_code == 404
    response = admin_api.post(
        "/api/v1/admin/courses/test-course/instructors", json={"email": "nobody@example.org"}
    )
    assert response.status_code == 404
    assert "nobody@example.org" in response.get_json()["error"]["message"]
    response = admin_api.post("/api/v1/admin/courses/test-course/instructors", json={})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"email": "required"}


def test_unassigning_someone_not_assigned_is_404(admin_api, instructor, course):
    response = admin_api.delete(f"/api/v1/admin/courses/test-course/instructors/{instructor.id}")
    assert response.status_code == 404
    assert "not assigned" in response.get_json()["error"]["message"]


def test_user_page_lists_courses_whose_course_md_names_the_instructor(admin_page, course):
    named = factories.user("instructor@example.org", role="instructor")
    html = admin_page.get(f"/admin/users/{named.id}").get_data(as_text=True)
    assert "Named as instructor in course.md of: Ethics in Testing Practice (test-course)" in html
