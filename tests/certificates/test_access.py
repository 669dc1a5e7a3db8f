"""Who may download a certificate, and what the download looks like."""

from __future__ import annotations

import pytest

from tests import factories
from tests.accounts.test_api import assert_error


@pytest.fixture
def number(issued):
    return issued["number"]


def test_owner_downloads_the_stored_pdf_with_etag(completed, number, issued):
    response = completed.get(f"/api/v1/certificates/{number}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-{number}.pdf"'
    )
    assert response.headers["ETag"] == f'"{issued["sha256"]}"'
    import hashlib

    assert hashlib.sha256(response.data).hexdigest() == issued["sha256"]
    cached = completed.get(
        f"/api/v1/certificates/{number}.pdf", headers={"If-None-Match": f'"{issued["sha256"]}"'}
    )
    assert cached.status_code == 304 and cached.data == b""


def test_number_is_found_regardless_of_case_and_dashes(completed, number):
    loose = number.lower().replace("-", "")
    assert completed.get(f"/api/v1/certificates/{loose}.pdf").status_code == 200


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 401),
        ("other-learner", 404),
        ("instructor-of-course", 200),
        ("instructor-elsewhere", 404),
        ("admin", 200),
    ],
)
def test_download_access_matrix(api, number, who, status):
    api.token = None
    if who != "anonymous":
        emails = {
            "other-learner": ("other@example.org", "learner"),
            "instructor-of-course": ("instructor@example.org", "instructor"),
            "instructor-elsewhere": ("teacher@example.org", "instructor"),
            "admin": ("admin@example.org", "admin"),
        }
        email, role = emails[who]
        factories.user(email, role=role)
        api.login(email)
    response = api.get(f"/api/v1/certificates/{number}.pdf")
    if status == 200:
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    else:
        assert_error(response, status)


def test_page_download_follows_the_same_rules(client, auth, number):
    assert client.get(f"/certificates/{number}.pdf").status_code == 302  # to sign-in
    factories.user("other@example.org")
    auth.login("other@example.org")
    assert client.get(f"/certificates/{number}.pdf").status_code == 404
    assert client.get(f"/certificates/{number}").status_code == 404
    auth.logout()
    auth.login("learner@example.org")
    response = client.get(f"/certificates/{number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
