"""Users: search, roles, deactivation, and the self-protection of administrators."""

import re

from sqlalchemy import select

from ce_platform.accounts.models import User
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.admin.conftest import ADMIN, LEARNER, api_as
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _post(client, path: str, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/")})


# --- search ----------------------------------------------------------------------------------


def test_search_finds_users_by_partial_name_or_email_in_any_case(admin_page):
    factories.user("jordan.mills@clinic.example", full_name="Jordan Mills")
    factories.user("casey@harbor.example", full_name="Casey Harborview")
    factories.user("other@example.org", full_name="Sam Other")

    by_name = admin_page.get("/admin/users?q=MILL").get_data(as_text=True)
    assert "jordan.mills@clinic.example" in by_name
    assert "casey@harbor.example" not in by_name and "other@example.org" not in by_name

    by_email = admin_page.get("/admin/users?q=Harbor.EX").get_data(as_text=True)
    assert "casey@harbor.example" in by_email and "jordan.mills" not in by_email


def test_search_treats_percent_and_underscore_literally(admin_api):
    factories.user("under_score@example.org", full_name="Una Score")
    factories.user("underXscore@example.org", full_name="Xavier Score")
    emails = [u["email"] for u in admin_api.get("/api/v1/admin/users?q=under_").get_json()["users"]]
    assert emails == ["under_score@example.org"]
    assert admin_api.get("/api/v1/admin/users?q=%25").get_json()["total"] == 0


def test_user_list_is_ordered_by_name_and_paginated_by_fifty(admin_page, admin_api):
    for n in range(55):
        db.session.add(
            User(
                email=f"bulk{n:02d}@example.org",
                password_hash="x",
                full_name=f"Bulk Person {n:02d}",
            )
        )
    db.session.commit()
    first = admin_api.get("/api/v1/admin/users?q=bulk").get_json()
    assert first["total"] == 55 and first["pages"] == 2
    assert [u["full_name"] for u in first["users"]] == [f"Bulk Person {n:02d}" for n in range(50)]
    second = admin_api.get("/api/v1/admin/users?q=bulk&page=2").get_json()
    assert [u["email"] for u in second["users"]] == [
        f"bulk{n:02d}@example.org" for n in range(50, 55)
    ]

    page = admin_page.get("/admin/users?q=bulk").get_data(as_text=True)
    assert page.count("Bulk Person") == 50
    assert "/admin/users?page=2&amp;q=bulk" in page or "/admin/users?q=bulk&amp;page=2" in page
    assert "Bulk Person 54" in admin_page.get("/admin/users?q=bulk&page=2").get_data(as_text=True)


def test_a_page_number_that_is_not_a_positive_integer_is_a_400(admin_page, admin_api):
    assert admin_page.get("/admin/users?page=0").status_code == 400
    response = admin_api.get("/api/v1/admin/audit?page=two")
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"page": "positive integer"}


# --- the user page ---------------------------------------------------------------------------


def test_user_page_shows_profile_enrollments_and_certificates(admin_page, learner, course, api):
    api.login(LEARNER)
    complete_course(api)
    number = api.post("/api/v1/courses/test-course/certificate").get_json()["certificate"]["number"]

    html = admin_page.get(f"/admin/users/{learner.id}").get_data(as_text=True)
    assert "Dana Clinician, LCSW" in html
    assert "Social worker" in html and "SW-12345 OR" in html
    assert re.search(r"<dt>Enrollments</dt><dd>1</dd>", html)
    assert f'href="/certificates/{number}"' in html
    assert "Ethics in Testing Practice" in html


def test_user_page_offers_no_delete_and_says_accounts_are_never_deleted(admin_page, learner):
    html = admin_page.get(f"/admin/users/{learner.id}").get_data(as_text=True)
    assert (
        "Accounts are deactivated, never deleted, so that completion records are kept for the "
        "retention period." in html
    )
    assert "delete" not in re.sub(r"never deleted", "", html, flags=re.I).lower()


def test_unknown_user_id_is_404(admin_page, admin_api):
    assert admin_page.get("/admin/users/999999").status_code == 404
    assert admin_api.patch("/api/v1/admin/users/999999", json={"active": False}).status_code == 404


# --- roles ---------------------------------------------------------------------------------


def test_role_change_on_the_page_is_audited_with_the_admin_as_actor(admin_page, admin, learner):
    response = _post(admin_page, f"/admin/users/{learner.id}/role", role="instructor")
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.role == "instructor"
    [event] = _events("user.role_changed")
    assert event.actor_id == admin.id and event.subject_id == str(learner.id)
    assert event.data == {"from": "learner", "to": "instructor"}


def test_role_change_through_the_api_is_audited(admin_api, admin, learner):
    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"role": "admin"})
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "admin"
    [event] = _events("user.role_changed")
    assert (event.actor_id, event.data["to"]) == (admin.id, "admin")


def test_setting_the_same_role_records_nothing(admin_api, learner):
    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"role": "learner"})
    assert response.status_code == 200
    assert _events("user.role_changed") == []


def test_an_unknown_role_is_refused(admin_api, admin_page, learner):
    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"role": "owner"})
    assert response.status_code == 400
    assert _post(admin_page, f"/admin/users/{learner.id}/role", role="owner").status_code == 400
    db.session.refresh(learner)
    assert learner.role == "learner"


def test_an_admin_cannot_demote_themself(admin_page, admin_api, admin):
    response = _post(admin_page, f"/admin/users/{admin.id}/role", role="learner")
    assert response.status_code == 422
    assert "You cannot demote your own account" in response.get_data(as_text=True)
    response = admin_api.patch(f"/api/v1/admin/users/{admin.id}", json={"role": "instructor"})
    assert response.status_code == 422
    assert "cannot demote" in response.get_json()["error"]["message"]
    db.session.refresh(admin)
    assert admin.role == "admin"
    assert _events("user.role_changed") == []


def test_an_admin_can_demote_another_admin(admin_api):
    other = factories.user("second-admin@example.org", role="admin")
    response = admin_api.patch(f"/api/v1/admin/users/{other.id}", json={"role": "learner"})
    assert response.status_code == 200 and response.get_json()["user"]["role"] == "learner"


def test_an_empty_patch_is_a_400(admin_api, learner):
    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={})
    assert response.status_code == 400


# --- deactivation --------------------------------------------------------------------------


def test_deactivated_account_cannot_sign_in_and_is_audited(client, auth, admin, learner):
    assert auth.login(ADMIN).status_code == 302
    response = _post(client, f"/admin/users/{learner.id}/deactivate")
    assert response.status_code == 302
    [event] = _events("user.deactivated")
    assert event.actor_id == admin.id and event.subject_id == str(learner.id)
    auth.logout()

    assert auth.login(LEARNER).status_code == 401
    assert (
        client.post(
            "/api/v1/auth/token",
            json={"email": LEARNER, "password": factories.PASSWORD},
        ).status_code
        == 401
    )


def test_deactivation_stops_existing_api_tokens_even_after_reactivation(client, admin, learner):
    learner_api = api_as(client, LEARNER)
    assert learner_api.get("/api/v1/me").status_code == 200
    admin_api = api_as(client, ADMIN)

    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["user"]["active"] is False
    assert learner_api.get("/api/v1/me").status_code == 401

    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"active": True})
    assert response.get_json()["user"]["active"] is True
    assert learner_api.get("/api/v1/me").status_code == 401  # the old token stays revoked
    assert api_as(client, LEARNER).get("/api/v1/me").status_code == 200
    assert [e.action for e in _events("user.deactivated") + _events("user.reactivated")] == [
        "user.deactivated",
        "user.reactivated",
    ]


def test_reactivated_account_can_sign_in_again(client, auth, admin, learner):
    assert auth.login(ADMIN).status_code == 302
    _post(client, f"/admin/users/{learner.id}/deactivate")
    assert "Reactivate account" in client.get(f"/admin/users/{learner.id}").get_data(as_text=True)
    assert _post(client, f"/admin/users/{learner.id}/reactivate").status_code == 302
    assert _events("user.reactivated")[0].actor_id == admin.id
    auth.logout()
    assert auth.login(LEARNER).status_code == 302


def test_an_admin_cannot_deactivate_themself(admin_page, admin_api, admin):
    response = _post(admin_page, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    response = admin_api.patch(f"/api/v1/admin/users/{admin.id}", json={"active": False})
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.active
    assert _events("user.deactivated") == []
    assert admin_api.get("/api/v1/admin/users").status_code == 200


def test_deactivation_ends_a_session_already_signed_in(app, client, auth, admin, learner):
    assert auth.login(LEARNER).status_code == 302
    assert client.get("/account").status_code == 200
    admin_api = api_as(app.test_client(), ADMIN)  # another browser
    response = admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"active": False})
    assert response.status_code == 200
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
