"""Data Integrity proofs, cryptosuite eddsa-rdfc-2022: RDFC-1.0 (pyld), SHA-256, Ed25519."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import base58
from cryptography.exceptions import InvalidSignature
from pyld import jsonld

from ce_platform.credentials.contexts import document_loader
from ce_platform.credentials.keys import IssuerKey, KeyRing

CRYPTOSUITE = "eddsa-rdfc-2022"


def canonical_hash(document: dict) -> bytes:
    """SHA-256 of the document's canonical N-Quads (URDNA2015, the algorithm RDFC-1.0 names)."""
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    return hashlib.sha256(nquads.encode("utf-8")).digest()


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    return canonical_hash(proof_config) + canonical_hash(unsecured)


def sign(
    document: dict, key: IssuerKey, *, controller: str, created: datetime | None = None
) -> dict:
    """Return a copy of the document with a DataIntegrityProof made by this key."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    when = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": when.isoformat().replace("+00:00", "Z"),
        "verificationMethod": f"{controller}#{key.fragment}",
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, {"@context": unsecured["@context"], **proof}))
    value = "z" + base58.b58encode(signature).decode()
    # A set of one proof: 1EdTech's OB3 JSON Schema requires `proof` to be an array.
    return {**unsecured, "proof": [{**proof, "proofValue": value}]}


def verify(document: dict, ring: KeyRing, *, controller: str) -> bool:
    """Check the proof against our own published keys; True only for an untouched document."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    method = str(proof.get("verificationMethod", ""))
    prefix = controller + "#"
    key = ring.find(method[len(prefix) :]) if method.startswith(prefix) else None
    value = proof.get("proofValue")
    if key is None or not isinstance(value, str) or not value.startswith("z"):
        return False
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        signature = base58.b58decode(value[1:])
        key.public_key().verify(
            signature, _hash_data(unsecured, {"@context": unsecured["@context"], **config})
        )
    except (InvalidSignature, ValueError, jsonld.JsonLdError):
        return False
    return True
