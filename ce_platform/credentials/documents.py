"""Build the unsigned documents: the OpenBadgeCredential, the DID document, the issuer Profile.

Nothing here reads the database: a course certificate and, later, a program certificate fill
the same `Achievement` and `Subject` and get the same credential shape.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from ce_platform.credentials.contexts import CREDENTIALS_V2, DID_V1, MULTIKEY_V1, OB_V3P0
from ce_platform.credentials.keys import KeyRing

STATUS_LIST_SIZE = 131072  # bits per list: the minimum the Bitstring Status List spec asks


def did_for(base_url: str) -> str:
    """did:web of the site: the host, with a port written %3A and a path as ':' segments."""
    parts = urlsplit(base_url)
    host = parts.hostname or "localhost"
    if parts.port:
        host += "%3A" + str(parts.port)
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *path])


@dataclass(frozen=True)
class Provider:
    """The issuer as the certificate printed it: name, address and accreditation statements."""

    name: str
    address: str
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Achievement:
    """What was achieved; achievement_type is CertificateOfCompletion or LearningProgram."""

    id: str
    name: str
    description: str
    criteria: str
    achievement_type: str
    credits_available: float
    alignments: tuple[tuple[str, str], ...] = ()  # (name, url) of the course pages
    result_name: str | None = None  # what the score measures, e.g. "Post-test score"


@dataclass(frozen=True)
class Subject:
    """Who earned it, as far as the learner lets the credential say."""

    name: str
    email_hash: str  # "sha256$<hex>" of the email and the salt
    salt: str
    license_number: str | None = None
    score: int | None = None  # percent
    credits_earned: float | None = None
    activity_end_date: str | None = None  # ISO date


@dataclass(frozen=True)
class Evidence:
    """The PDF the credential stands beside, named by its SHA-256."""

    sha256: str
    name: str = "Certificate PDF"
    extra: dict = field(default_factory=dict)


def email_hash(email: str, salt: str) -> str:
    """OB3's salted identity hash of an email: sha256 of the lower-cased address + salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def address_object(address: str) -> dict:
    """Split a US-style one-line address; any other shape stays whole in streetAddress."""
    found = re.fullmatch(r"(.+),\s*([^,]+),\s*([A-Z]{2})\s+(\d{5}(?:-\d{4})?)", address.strip())
    if not found:
        return {"type": ["Address"], "streetAddress": address}
    return {
        "type": ["Address"],
        "streetAddress": found.group(1),
        "addressLocality": found.group(2),
        "addressRegion": found.group(3),
        "postalCode": found.group(4),
        "addressCountryCode": "US",
    }


def issuer_profile(did: str, base_url: str, provider: Provider) -> dict:
    profile = {
        "id": did,
        "type": ["Profile"],
        "name": provider.name,
        "url": base_url,
        "address": address_object(provider.address),
    }
    if provider.statements:
        profile["description"] = " ".join(provider.statements)
    return profile


def status_entry(status_url: str, index: int) -> dict:
    return {
        "id": f"{status_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": status_url,
    }


def open_badge_credential(
    *,
    credential_id: str,
    name: str,
    issuer: dict,
    valid_from: str,
    achievement: Achievement,
    subject: Subject | None,
    evidence: Evidence,
    status: dict,
) -> dict:
    """The unsigned OpenBadgeCredential; subject None leaves every identifying field out."""
    result_id = f"{achievement.id}#result"
    achievement_json = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria},
        "creditsAvailable": achievement.credits_available,
        "creator": issuer,
    }
    if achievement.alignments:
        achievement_json["alignment"] = [
            {"type": ["Alignment"], "targetName": title, "targetUrl": url}
            for title, url in achievement.alignments
        ]
    if achievement.result_name:
        achievement_json["resultDescription"] = [
            {
                "id": result_id,
                "type": ["ResultDescription"],
                "name": achievement.result_name,
                "resultType": "Percent",
            }
        ]
    credential_subject: dict = {"type": ["AchievementSubject"], "achievement": achievement_json}
    if subject is not None:
        credential_subject["name"] = subject.name
        credential_subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": subject.email_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": subject.salt,
            }
        ]
        if subject.license_number:
            credential_subject["licenseNumber"] = subject.license_number
    if subject is not None and subject.score is not None and achievement.result_name:
        credential_subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": result_id,
                "value": str(subject.score),
                "status": "Completed",
            }
        ]
    if subject is not None and subject.credits_earned is not None:
        credential_subject["creditsEarned"] = subject.credits_earned
    if subject is not None and subject.activity_end_date:
        credential_subject["activityEndDate"] = subject.activity_end_date + "T00:00:00Z"
    digest = base64.urlsafe_b64encode(bytes.fromhex(evidence.sha256)).decode().rstrip("=")
    return {
        "@context": [CREDENTIALS_V2, OB_V3P0],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": credential_subject,
        "evidence": [
            {
                "id": f"ni:///sha-256;{digest}",
                "type": ["Evidence"],
                "name": evidence.name,
                "description": f"SHA-256 of the certificate PDF: {evidence.sha256}",
                **evidence.extra,
            }
        ],
        "credentialStatus": status,
    }


def status_list_credential(
    *, status_url: str, issuer_did: str, valid_from: str, encoded_list: str
) -> dict:
    return {
        "@context": [CREDENTIALS_V2],
        "id": status_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{status_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def did_document(did: str, ring: KeyRing) -> dict:
    """Every key, current and retired, so credentials signed before a rotation still verify."""
    methods = [
        {
            "id": f"{did}#{key.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in ring.all_keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
