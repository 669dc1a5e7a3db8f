import io
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import factories
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def add_license(client, **fields):
    """Post the add-license form as a learner would fill it in."""
    data = {
        "csrf_token": csrf_token(client, "/licenses/new"),
        "profession": "social_worker",
        "state": "OR",
        "number": "SW-12345",
        "renewal_date": (date.today() + timedelta(days=365)).isoformat(),
        "cycle_months": "24",
        "total_hours": "40",
        "ethics": "6",
        "cultural": "",
        "topic": "",
        "topic_hours": "",
    }
    data.update(fields)
    return client.post("/licenses/new", data=data)


def report_external(client, *, file=("certificate.pdf", PDF), **fields):
    """Post the external-CE form with an uploaded certificate."""
    data = {
        "csrf_token": csrf_token(client, "/licenses/external/new"),
        "title": "Boundaries in Rural Practice",
        "provider": "Elsewhere CE Institute",
        "completed_on": (date.today() - timedelta(days=30)).isoformat(),
        "general": "",
        "clinical": "",
        "ethics": "2",
        "cultural": "",
        "topic": "",
        "topic_hours": "",
    }
    data.update(fields)
    if file is not None:
        data["certificate"] = FileStorage(io.BytesIO(file[1]), file[0])
    # Encoded in memory: the test client would spool a large body through a temporary file.
    boundary, body = encode_multipart(data)
    return client.post(
        "/licenses/external/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def social_worker():
    return factories.user("learner@example.org", **factories.CLINICIAN)


@pytest.fixture
def ethics_course():
    return factories.course(
        "ethics-course", title="Ethics of Consent", ce_hours="1.0", credits="{ethics: 1.0}"
    )


@pytest.fixture
def earn_certificate(api):
    """Complete a course through the API and issue its certificate; returns the certificate."""

    def earn(slug: str):
        complete_course(api, slug)
        response = api.post(f"/api/v1/courses/{slug}/certificate")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["certificate"]

    return earn
