"""Revocation through the Bitstring Status List: same transaction, stable URL, cache headers."""

from __future__ import annotations

import base64
import gzip

from ce_platform.certificates import services as certificates
from ce_platform.credentials import services
from ce_platform.extensions import db
from tests.credentials.conftest import stored_credential


def bits_of(status_credential: dict) -> bytes:
    encoded = status_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    padded = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    return gzip.decompress(base64.urlsafe_b64decode(padded))


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoke(number: str) -> None:
    certificate = certificates.find_certificate(db.session, number)
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Wrong course."
    )


def test_status_list_holds_131072_entries_and_is_signed(signed, client):
    credential = stored_credential(signed)

    response = client.get(f"/credentials/status/{credential.status_list}")
    document = response.get_json()

    assert response.status_code == 200
    assert len(bits_of(document)) * 8 == 131072
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert services.verify_document(document, services.configured_issuer())
    assert "max-age=300" in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_revoking_the_certificate_sets_its_bit(signed, client):
    index = stored_credential(signed).status_index
    assert not bit(bits_of(client.get("/credentials/status/1").get_json()), index)

    revoke(signed)
    db.session.commit()

    assert bit(bits_of(client.get("/credentials/status/1").get_json()), index)


def test_a_rolled_back_revocation_leaves_the_bit_clear(signed, client):
    index = stored_credential(signed).status_index

    revoke(signed)
    assert stored_credential(signed).revoked is True  # flipped inside the same transaction
    db.session.rollback()

    assert stored_credential(signed).revoked is False
    assert not bit(bits_of(client.get("/credentials/status/1").get_json()), index)


def test_unchanged_status_list_answers_304(signed, client):
    first = client.get("/credentials/status/1")

    again = client.get("/credentials/status/1", headers={"If-None-Match": first.headers["ETag"]})
    revoke(signed)
    db.session.commit()
    changed = client.get("/credentials/status/1", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert changed.status_code == 200


def test_unknown_status_list_is_404(signed, client):
    assert client.get("/credentials/status/2").status_code == 404
