"""Digital Bazaar's verifier, which no one here wrote, checks what we sign."""

from __future__ import annotations

import copy

from ce_platform.certificates import services as certificates
from ce_platform.extensions import db
from tests.credentials.conftest import node_verify


def published(client, api, number: str) -> tuple[dict, dict]:
    """The owner's credential and the documents a verifier would fetch: DID and status list."""
    credential = api.get(f"/api/v1/certificates/{number}/credential").get_json()
    did = client.get("/.well-known/did.json").get_json()
    status_url = credential["credentialStatus"]["statusListCredential"]
    status = client.get(status_url.removeprefix("https://ce.example.org")).get_json()
    return credential, {did["id"]: did, status_url: status}


def test_issued_credential_verifies_with_an_independent_library(signed, completed, client):
    credential, documents = published(client, completed, signed)

    verdict = node_verify(credential, documents)

    assert verdict["signature"] is True, verdict
    assert verdict["verified"] is True, verdict
    assert verdict["revoked"] is False, verdict


def test_one_changed_byte_fails_verification(signed, completed, client):
    credential, documents = published(client, completed, signed)
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["creditsEarned"] = 7.0  # was 1.0: one character

    verdict = node_verify(tampered, documents)

    assert verdict["signature"] is False, verdict
    assert verdict["verified"] is False, verdict


def test_revoked_certificate_keeps_its_signature_but_reports_revoked(signed, completed, client):
    certificate = certificates.find_certificate(db.session, signed)
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Wrong learner."
    )
    db.session.commit()
    credential, documents = published(client, completed, signed)

    verdict = node_verify(credential, documents)

    assert verdict["signature"] is True, verdict
    assert verdict["revoked"] is True, verdict
