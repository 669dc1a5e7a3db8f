"""Finding certificates as an administrator, and reaching revoke and reissue from the list."""

import pytest
from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests.admin.conftest import ADMIN, LEARNER, api_as
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token


@pytest.fixture
def number(client, learner, course):
    api = api_as(client, LEARNER)
    complete_course(api)
    response = api.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201
    return response.get_json()["certificate"]["number"]


@pytest.mark.parametrize(
    "query",
    [
        lambda n: n,
        lambda n: n.lower(),
        lambda n: n.replace("-", ""),
        lambda n: " " + n.lower().replace("-", " ") + " ",
        lambda n: "learner@EXAMPLE",
        lambda n: "dana clin",
    ],
    ids=["number", "lower-case", "no-dashes", "spaced", "email", "name"],
)
def test_admin_finds_a_certificate_by_number_email_or_name(admin_page, number, query):
    html = admin_page.get("/admin/certificates", query_string={"q": query(number)}).get_data(
        as_text=True
    )
    assert "1 certificate found" in html
    assert f'<a href="/certificates/{number}">{number}</a>' in html
    assert "Ethics in Testing Practice" in html


def test_a_query_matching_nothing_lists_nothing(admin_page, number):
    html = admin_page.get("/admin/certificates?q=CE-0000-0000-0000-0000").get_data(as_text=True)
    assert "0 certificates found" in html and number not in html


def test_the_listed_certificate_page_carries_the_revoke_form(admin_page, number):
    html = admin_page.get(f"/certificates/{number}").get_data(as_text=True)
    assert f'action="/certificates/{number}/revoke"' in html
    response = admin_page.post(
        f"/certificates/{number}/revoke",
        data={
            "reason": "issued_in_error",
            "note": "Issued twice for one completion.",
            "confirm": "yes",
            "csrf_token": csrf_token(admin_page, "/admin/"),
        },
    )
    assert response.status_code == 302
    html = admin_page.get(f"/admin/certificates?q={number}").get_data(as_text=True)
    assert "Revoked (Issued in error)" in html
    assert f'action="/certificates/{number}/reissue"' not in html


def test_reissue_from_the_list_supersedes_with_the_current_profile(client, auth, admin, number):
    learner_api = api_as(client, LEARNER)
    learner_api.patch("/api/v1/me", json={"full_name": "Dana Corrected"})
    assert auth.login(ADMIN).status_code == 302
    html = client.get(f"/admin/certificates?q={number}").get_data(as_text=True)
    assert f'action="/certificates/{number}/reissue"' in html

    token = csrf_token(client, f"/admin/certificates?q={number}")
    response = client.post(f"/certificates/{number}/reissue", data={"csrf_token": token})
    assert response.status_code == 302
    old, new = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert (old.status, new.status) == ("superseded", "valid")
    assert new.snapshot["participant"]["display_name"] == "Dana Corrected, LCSW"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissued"))
    assert event.actor_id == admin.id and event.subject_id == number

    html = client.get("/admin/certificates?q=dana").get_data(as_text=True)
    assert "2 certificates found" in html
    assert f'Superseded by <a href="/certificates/{new.number}">' in html
