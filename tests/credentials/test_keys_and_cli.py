"""The issuer's key: created 0600 by the CLI, never overwritten, rotated without losing old keys."""

from __future__ import annotations

import json
import stat

from sqlalchemy import func, select

from ce_platform.certificates import services as certificates
from ce_platform.credentials import services
from ce_platform.credentials.models import Credential
from ce_platform.extensions import db
from tests.credentials.conftest import stored_credential


def test_init_key_creates_a_private_file_and_refuses_to_overwrite_it(
    app, runner, tmp_path, monkeypatch
):
    path = tmp_path / "keys" / "issuer.json"
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(path))

    first = runner.invoke(args=["credentials", "init-key"])
    content = path.read_text()
    second = runner.invoke(args=["credentials", "init-key"])

    assert first.exit_code == 0, first.output
    assert "did:web:ce.example.org#z6Mk" in first.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert second.exit_code != 0
    assert "already holds a key" in second.output
    assert path.read_text() == content


def test_init_key_without_a_configured_path_says_what_to_set(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", None)

    result = runner.invoke(args=["credentials", "init-key"])

    assert result.exit_code != 0
    assert "CE_CREDENTIAL_KEY_FILE" in result.output


def test_rotated_key_signs_new_credentials_and_old_ones_still_verify(
    signed, runner, client, issuer_key
):
    old = stored_credential(signed)

    result = runner.invoke(args=["credentials", "init-key", "--rotate"])
    issuer = services.configured_issuer()
    did = client.get("/.well-known/did.json").get_json()

    assert result.exit_code == 0, result.output
    assert len(did["verificationMethod"]) == 2
    assert old.verification_method in did["assertionMethod"]
    assert issuer.ring.current.fragment not in old.verification_method
    assert services.verify_document(old.document, issuer)
    assert stat.S_IMODE(issuer_key.stat().st_mode) == 0o600
    stored = json.loads(issuer_key.read_text())
    assert "privateKeySeed" not in stored["retired"][0]  # a retired key signs nothing more


def test_backfill_issues_missing_credentials_once_and_never_touches_the_pdf(
    app, issued, runner, issuer_key, monkeypatch
):
    certificate = certificates.find_certificate(db.session, issued["number"])
    pdf, digest = certificate.pdf, certificate.sha256
    assert stored_credential(issued["number"]) is None  # issued while no key was configured

    first = runner.invoke(args=["credentials", "backfill", "--batch", "1"])
    second = runner.invoke(args=["credentials", "backfill"])

    assert first.exit_code == 0, first.output
    assert "issued 1 credential" in first.output
    assert "issued 0 credential" in second.output
    assert db.session.scalar(select(func.count()).select_from(Credential)) == 1
    db.session.expire_all()
    again = certificates.find_certificate(db.session, issued["number"])
    assert (again.pdf, again.sha256) == (pdf, digest)
    assert digest in stored_credential(issued["number"]).document["evidence"][0]["description"]


def test_backfill_of_a_revoked_certificate_starts_with_its_bit_set(issued, runner, issuer_key):
    certificate = certificates.find_certificate(db.session, issued["number"])
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Duplicate."
    )
    db.session.commit()

    runner.invoke(args=["credentials", "backfill"])

    assert stored_credential(issued["number"]).revoked is True


def test_a_broken_key_file_stops_backfill_with_a_message(app, runner, tmp_path, monkeypatch):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(path))

    result = runner.invoke(args=["credentials", "backfill"])

    assert result.exit_code != 0
    assert "cannot be read" in result.output
