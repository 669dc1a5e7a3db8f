"""No key configured: certificates are issued exactly as before and nothing else appears."""

from __future__ import annotations

from sqlalchemy import func, select

from ce_platform.credentials.models import Credential
from ce_platform.extensions import db


def test_certificate_is_issued_without_a_credential_when_no_key_is_set(completed, client):
    response = completed.post("/api/v1/courses/test-course/certificate")
    number = response.get_json()["certificate"]["number"]

    assert response.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0
    assert completed.get(f"/api/v1/certificates/{number}.pdf").status_code == 200
    assert completed.get(f"/api/v1/certificates/{number}/credential").status_code == 404
    assert client.get("/.well-known/did.json").status_code == 404
    assert client.get(f"/credentials/{number}").status_code == 404
    assert client.get("/credentials/status/1").status_code == 404


def test_unreadable_key_file_still_issues_the_certificate_and_says_why(
    app, completed, client, tmp_path, monkeypatch, caplog
):
    broken = tmp_path / "issuer-key.json"
    broken.write_text("{half a key")
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(broken))

    response = completed.post("/api/v1/courses/test-course/certificate")

    assert response.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 0
    assert "issued without a credential" in caplog.text
    did = client.get("/.well-known/did.json")
    assert did.status_code == 503
    assert "key cannot be read" in did.get_data(as_text=True)
