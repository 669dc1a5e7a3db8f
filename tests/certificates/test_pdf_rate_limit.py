"""Rendering a PDF on demand is rate-limited per account, not per address."""

from __future__ import annotations

from tests import factories
from tests.conftest import AuthActions


def test_transcript_pdf_is_rate_limited_per_account(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_RATE_LIMIT", "2 per minute")
    factories.user("learner@example.org")
    factories.user("colleague@example.org")
    auth.login()
    for _ in range(2):
        assert client.get("/certificates/transcript.pdf").mimetype == "application/pdf"
    refused = client.get("/certificates/transcript.pdf")
    assert refused.status_code == 429
    assert "Too many" in refused.get_data(as_text=True)
    # A colleague behind the same address still gets theirs.
    colleague = app.test_client()
    AuthActions(colleague).login("colleague@example.org")
    assert colleague.get("/certificates/transcript.pdf").status_code == 200


def test_certificate_issue_through_the_api_shares_the_pdf_limit(app, api, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_RATE_LIMIT", "1 per minute")
    factories.user("learner@example.org")
    factories.course("test-course")
    api.login()
    first = api.post("/api/v1/courses/test-course/certificate")
    assert first.status_code == 422  # nothing completed: refused, but it counted
    second = api.post("/api/v1/courses/test-course/certificate")
    assert second.status_code == 429
    assert second.get_json()["error"]["code"] == "rate_limited"
