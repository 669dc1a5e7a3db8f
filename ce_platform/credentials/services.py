"""Issue, revoke and serve credentials; functions flush and leave the commit to their caller."""

from __future__ import annotations

import base64
import gzip
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ce_platform.certificates.models import Certificate
from ce_platform.core import audit
from ce_platform.credentials import documents, keys, proofs
from ce_platform.credentials.documents import STATUS_LIST_SIZE
from ce_platform.credentials.models import Credential, CredentialPreference
from ce_platform.learning.models import QuizAttempt

# Random indexes stay hard to collide while a list is at most half full; then a new list starts.
STATUS_LIST_FILL = STATUS_LIST_SIZE // 2


@dataclass(frozen=True)
class Issuer:
    """The configured signer: the key ring and the site the did:web names."""

    ring: keys.KeyRing
    base_url: str

    @property
    def did(self) -> str:
        return documents.did_for(self.base_url)

    def status_url(self, list_number: int) -> str:
        return f"{self.base_url}/credentials/status/{list_number}"

    def credential_url(self, number: str) -> str:
        return f"{self.base_url}/credentials/{number}"


def configured_issuer(config=None) -> Issuer | None:
    """The issuer of this deployment, or None when no key file is configured (nothing is issued)."""
    config = current_app.config if config is None else config
    path = config.get("CREDENTIAL_KEY_FILE")
    if not path:
        return None
    return Issuer(ring=keys.load(path), base_url=config["BASE_URL"].rstrip("/"))


def preference(session, user_id: int) -> CredentialPreference:
    """The learner's choices; nothing public and no licence number until they say so."""
    found = session.get(CredentialPreference, user_id)
    return found or CredentialPreference(
        user_id=user_id, public_subject=False, include_license_number=False
    )


def set_preference(
    session, user_id: int, *, public_subject: bool, include_license_number: bool
) -> CredentialPreference:
    found = session.get(CredentialPreference, user_id)
    if found is None:
        found = CredentialPreference(user_id=user_id)
        session.add(found)
    found.public_subject = public_subject
    found.include_license_number = include_license_number
    session.flush()
    return found


def find_credential(session, certificate: Certificate) -> Credential | None:
    return session.scalar(select(Credential).where(Credential.certificate_id == certificate.id))


def _best_score(session, certificate: Certificate) -> int | None:
    return session.scalar(
        select(func.max(QuizAttempt.score)).where(
            QuizAttempt.enrollment_id == certificate.enrollment_id, QuizAttempt.passed.is_(True)
        )
    )


def course_achievement(certificate: Certificate, base_url: str) -> documents.Achievement:
    """The course revision the certificate was earned on, as an OB3 Achievement."""
    snapshot = certificate.snapshot
    course = snapshot["course"]
    course_url = f"{base_url}/courses/{course['slug']}"
    criteria = (
        "Opened and completed every lesson, spent at least the required seat time, passed the "
        "post-test, submitted the course evaluation and attested to completing the course "
        f"personally (revision {course['revision']})."
    )
    summary = certificate.revision.summary if certificate.revision is not None else ""
    return documents.Achievement(
        id=f"{course_url}#revision-{course['revision']}",
        name=course["title"],
        description=summary or course["title"],
        criteria=criteria,
        achievement_type="CertificateOfCompletion",
        credits_available=float(course["ce_hours"]),
        alignments=((course["title"], course_url),),
        result_name="Post-test score",
    )


def certificate_provider(certificate: Certificate) -> documents.Provider:
    snapshot = certificate.snapshot
    return documents.Provider(
        name=snapshot["provider"]["name"],
        address=snapshot["provider"].get("address") or "",
        statements=tuple(
            a["statement"] for a in snapshot.get("accreditations", []) if a.get("statement")
        ),
    )


def _unsigned_pair(session, certificate: Certificate, issuer: Issuer, index: int, list_number: int):
    """The full and the public (no identifying field) unsigned documents of one certificate."""
    snapshot = certificate.snapshot
    participant = snapshot["participant"]
    choice = preference(session, certificate.user_id)
    salt = secrets.token_hex(16)
    subject = documents.Subject(
        name=participant["display_name"],
        email_hash=documents.email_hash(certificate.user.email, salt),
        salt=salt,
        license_number=(participant.get("license_number") or None)
        if choice.include_license_number
        else None,
        score=_best_score(session, certificate),
        credits_earned=float(snapshot["course"]["ce_hours"]),
        activity_end_date=snapshot["completion_date"],
    )
    issued = datetime.fromisoformat(snapshot["issued_at"]).replace(tzinfo=UTC)
    common = {
        "credential_id": issuer.credential_url(certificate.number),
        "name": f"CE certificate {certificate.number}: {snapshot['course']['title']}",
        "issuer": documents.issuer_profile(
            issuer.did, issuer.base_url, certificate_provider(certificate)
        ),
        "valid_from": issued.isoformat().replace("+00:00", "Z"),
        "achievement": course_achievement(certificate, issuer.base_url),
        "evidence": documents.Evidence(sha256=certificate.sha256),
        "status": documents.status_entry(issuer.status_url(list_number), index),
    }
    full = documents.open_badge_credential(subject=subject, **common)
    public = documents.open_badge_credential(subject=None, **common)
    return full, public


def _open_list(session) -> int:
    """The status list new credentials go to: the newest one until it is half full."""
    newest = session.scalar(select(func.max(Credential.status_list))) or 1
    used = session.scalar(
        select(func.count()).select_from(Credential).where(Credential.status_list == newest)
    )
    return newest + 1 if used >= STATUS_LIST_FILL else newest


def issue_for_certificate(
    session, certificate: Certificate, issuer: Issuer | None = None
) -> Credential | None:
    """Sign the certificate's credential once its PDF hash exists; None when no key is set up."""
    issuer = issuer or configured_issuer()
    if issuer is None:
        return None
    existing = find_credential(session, certificate)
    if existing is not None:
        return existing
    list_number = _open_list(session)
    for _attempt in range(20):  # a drawn index already taken is drawn again
        index = secrets.randbelow(STATUS_LIST_SIZE)
        full, public = _unsigned_pair(session, certificate, issuer, index, list_number)
        key = issuer.ring.current
        credential = Credential(
            certificate_id=certificate.id,
            status_list=list_number,
            status_index=index,
            revoked=certificate.status != "valid",
            verification_method=f"{issuer.did}#{key.fragment}",
            document=proofs.sign(full, key, controller=issuer.did),
            public_document=proofs.sign(public, key, controller=issuer.did),
        )
        try:
            with session.begin_nested():
                session.add(credential)
                session.flush()
        except IntegrityError:
            found = find_credential(session, certificate)
            if found is not None:  # a parallel request issued it first
                return found
            continue
        audit.record(
            session,
            "credential.issued",
            actor_id=None,
            subject_type="certificate",
            subject_id=certificate.number,
            data={"status_list": list_number, "method": credential.verification_method},
        )
        return credential
    raise RuntimeError("no free status-list index after 20 draws")


def certificate_status_changed(session, certificate: Certificate) -> None:
    """Flip the credential's revocation bit with the certificate's own status change."""
    credential = find_credential(session, certificate)
    if credential is not None:
        credential.revoked = certificate.status != "valid"
        session.flush()


def backfill(session, issuer: Issuer, *, batch: int) -> int:
    """Issue credentials for up to `batch` certificates that have none; how many were issued."""
    missing = session.scalars(
        select(Certificate)
        .outerjoin(Credential, Credential.certificate_id == Certificate.id)
        .where(Credential.id.is_(None))
        .order_by(Certificate.id)
        .limit(batch)
    ).all()
    for certificate in missing:
        issue_for_certificate(session, certificate, issuer)
    return len(missing)


def encoded_status_list(session, list_number: int) -> str:
    """The list's bits (index 0 is the first byte's highest bit), GZIP, base64url, multibase u."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    revoked = session.scalars(
        select(Credential.status_index).where(
            Credential.status_list == list_number, Credential.revoked.is_(True)
        )
    )
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def status_list_etag(encoded: str, issuer: Issuer) -> str:
    return hashlib.sha256(f"{encoded}|{issuer.ring.current.fragment}".encode()).hexdigest()


def signed_status_list(issuer: Issuer, list_number: int, encoded: str) -> dict:
    """The status list credential, signed now by the current key."""
    document = documents.status_list_credential(
        status_url=issuer.status_url(list_number),
        issuer_did=issuer.did,
        valid_from=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        encoded_list=encoded,
    )
    return proofs.sign(document, issuer.ring.current, controller=issuer.did)


def verify_document(document: dict, issuer: Issuer) -> bool:
    """Check a credential's proof against our own published keys (never fetching anything)."""
    return proofs.verify(document, issuer.ring, controller=issuer.did)
