"""Issuing, reissuing, revoking and verifying certificates, and the learner's transcript."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from ce_platform.accounts.models import User
from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Course
from ce_platform.certificates import SPECIMEN_NOTICE, numbers
from ce_platform.certificates.models import REVOCATION_REASONS, Certificate
from ce_platform.config import local_base_url_warning
from ce_platform.core import audit
from ce_platform.core.errors import BusinessRuleError, Conflict, NotFound, ValidationError
from ce_platform.core.models import insert_once, utcnow
from ce_platform.jobs import services as jobs
from ce_platform.jobs.models import Job
from ce_platform.learning import services as learning
from ce_platform.learning.models import Enrollment

log = logging.getLogger(__name__)

Renderer = Callable[[dict], bytes]

# Features built on certificates (credentials) register here, so certificates never imports
# them. Each hook gets (session, certificate) inside the caller's transaction:
# STORED_HOOKS once a certificate's PDF and its SHA-256 exist, STATUS_HOOKS after it was
# revoked or superseded.
STORED_HOOKS: list[Callable] = []
STATUS_HOOKS: list[Callable] = []


def _stored(session, certificate: Certificate) -> None:
    """Tell the features built on certificates that this certificate's PDF hash now exists."""
    for hook in STORED_HOOKS:
        hook(session, certificate)


def _status_changed(session, certificate: Certificate) -> None:
    for hook in STATUS_HOOKS:
        hook(session, certificate)


# Other certificates numbered from the same space (program certificates) answer the shared
# look-ups by number key and by PDF hash, so one verification page and one revocation flow
# serve every kind; certificates never imports the features that register here.
NUMBER_LOOKUPS: list[Callable[[object, str], object | None]] = []
HASH_LOOKUPS: list[Callable[[object, str], object | None]] = []


def _other_kind(lookups: list, session, value: str):
    """The first registered certificate kind that knows this key or hash."""
    for lookup in lookups:
        found = lookup(session, value)
        if found is not None:
            return found
    return None


def _default_renderer(snapshot: dict) -> bytes:
    from ce_platform.certificates.pdf import render_certificate_pdf

    return render_certificate_pdf(snapshot)


def current_certificate(session, enrollment: Enrollment) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.enrollment_id == enrollment.id, Certificate.status != "superseded"
        )
    )


def certificate_numbers(
    session, enrollment_ids: Sequence[int]
) -> dict[int, tuple[str, str | None, str | None]]:
    """Each enrollment's course slug and current certificate number and status (None, None
    before issuing)."""
    rows = session.execute(
        select(Enrollment.id, Course.slug, Certificate.number, Certificate.status)
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(
            Certificate,
            (Certificate.enrollment_id == Enrollment.id) & (Certificate.status != "superseded"),
        )
        .where(Enrollment.id.in_(list(enrollment_ids)))
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def verification_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


def _warn_if_local_link(number: str, base_url: str) -> None:
    """Tell the operator at once: the printed link and QR code are frozen into the PDF."""
    warning = local_base_url_warning(base_url)
    if warning:
        log.warning("certificate %s: %s", number, warning)


def participant_fields(user: User) -> dict:
    return {
        "name": user.full_name,
        "credentials": user.credentials,
        "display_name": user.display_name,
        "profession": user.profession_label if user.profession != "other" else "",
        "license_number": user.license_number,
        "license_state": user.license_state,
    }


def applicable_accreditations(revision, completion_date: date) -> tuple[list[dict], list[dict]]:
    """Split the revision's accreditations into those printed and those left off (and why)."""
    printed, omitted = [], []
    for accreditation in revision.accreditations:
        start = accreditation.get("approval_start")
        end = accreditation.get("approval_end")
        reason = None
        if end and completion_date > date.fromisoformat(end):
            reason = f"approval period ended {end}"
        elif start and completion_date < date.fromisoformat(start):
            reason = f"approval period starts {start}"
        elif accreditation.get("formats") and revision.format not in accreditation["formats"]:
            reason = f"format '{revision.format}' not covered by the approval"
        if reason:
            omitted.append(
                {"key": accreditation["key"], "body": accreditation["body"], "reason": reason}
            )
        else:
            entry = {
                key: accreditation.get(key)
                for key in (
                    "key",
                    "body",
                    "provider_number",
                    "approval_start",
                    "approval_end",
                    "commensurate",
                    "statement",
                )
            }
            entry["unit"] = board_unit(accreditation)
            entry["professions"] = list(board_professions(accreditation))
            printed.append(entry)
    return printed, omitted


def board_unit(accreditation: dict) -> str:
    """The board's credit unit; revisions published before units were stored use the default."""
    from ce_platform.content.model import BOARD_DEFAULTS, DEFAULT_UNIT

    return (
        accreditation.get("unit") or BOARD_DEFAULTS.get(accreditation["key"], ((), DEFAULT_UNIT))[1]
    )


def board_professions(accreditation: dict) -> tuple[str, ...]:
    """Whose board this accreditation is, from the revision or the well-known key."""
    from ce_platform.content.model import BOARD_DEFAULTS

    if accreditation.get("professions") is not None:
        return tuple(accreditation["professions"])
    return BOARD_DEFAULTS.get(accreditation["key"], ((), ""))[0]


def lead_with_learners_board(printed: list[dict], profession: str | None) -> tuple[list[dict], str]:
    """Put the statement of the learner's own board first; (statements, its credit unit).

    A learner whose profession no printed accreditation serves gets the statements in course
    order and credit in CE hours.
    """
    from ce_platform.content.model import DEFAULT_UNIT

    statements = [{**entry, "lead": False} for entry in printed]
    for index, entry in enumerate(statements):
        if profession and profession in (entry.get("professions") or ()):
            lead = {**entry, "lead": True}
            return [lead, *statements[:index], *statements[index + 1 :]], lead["unit"]
    return statements, DEFAULT_UNIT


def build_snapshot(enrollment: Enrollment, number: str, *, base_url: str) -> tuple[dict, list]:
    """Every field the certificate prints, frozen now; plus the accreditations left off."""
    revision = enrollment.revision
    completion_date = (enrollment.completed_at or utcnow()).date()
    printed, omitted = applicable_accreditations(revision, completion_date)
    printed, credit_unit = lead_with_learners_board(printed, enrollment.user.profession)
    snapshot = {
        "number": number,
        "issued_at": utcnow().replace(microsecond=0).isoformat(),
        "completion_date": completion_date.isoformat(),
        "participant": participant_fields(enrollment.user),
        "course": {
            "slug": enrollment.course.slug,
            "title": revision.title,
            "revision": revision.number,
            "released": revision.released.isoformat(),
            "content_hash": revision.content_hash,
            "level": revision.level,
            "format": revision.format_wording,
            "ce_hours": _hours(revision.ce_hours),
            "credits": [
                {"category": category, "hours": _hours(hours)}
                for category, hours in revision.credits.items()
            ],
            "authors": [
                {"name": a["name"], "credentials": a["credentials"]} for a in revision.authors
            ],
            "commercial_support": revision.commercial_support,
        },
        "provider": {**revision.provider, "specimen": bool(revision.provider.get("specimen"))},
        "accreditations": printed,
        "credit_unit": credit_unit,
        "commensurate_statement": any(a.get("commensurate") for a in printed),
        "verification_url": verification_url(base_url, number),
    }
    return snapshot, omitted


def _hours(value) -> str:
    from ce_platform.content import format_hours

    return format_hours(Decimal(str(value)))


RENDER_JOB = "certificate.render"


def _certificate(enrollment: Enrollment, snapshot: dict) -> Certificate:
    """The certificate row for a frozen snapshot; its PDF and hash come with the render."""
    number = snapshot["number"]
    return Certificate(
        number=number,
        number_key=numbers.normalize(number),
        enrollment_id=enrollment.id,
        user_id=enrollment.user_id,
        course_id=enrollment.course_id,
        revision_id=enrollment.revision_id,
        completion_date=date.fromisoformat(snapshot["completion_date"]),
        ce_hours=Decimal(snapshot["course"]["ce_hours"]),
        snapshot=snapshot,
        status="valid",
    )


def _render_or_queue(
    session, certificate: Certificate, renderer: Renderer | None, inline: bool
) -> None:
    """Render the PDF now (inline) or queue the job that renders it from the snapshot."""
    if inline:
        store_rendered_pdf(
            session, certificate, (renderer or _default_renderer)(certificate.snapshot)
        )
    else:
        jobs.enqueue(session, RENDER_JOB, subject=certificate.number, user_id=certificate.user_id)


def store_rendered_pdf(session, certificate: Certificate, pdf: bytes) -> bool:
    """Keep the PDF rendered from the frozen snapshot and its SHA-256, once; tell the learner.

    False when the certificate already had its PDF (a second render is dropped unchanged).
    """
    digest = hashlib.sha256(pdf).hexdigest()
    stored = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.sha256.is_(None))
        .values(pdf=pdf, sha256=digest)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not stored:
        return False
    session.refresh(certificate)
    _stored(session, certificate)
    audit.record(
        session,
        "certificate.rendered",
        actor_id=None,
        subject_type="certificate",
        subject_id=certificate.number,
        data={"sha256": digest},
    )
    jobs.send_message(
        session, "certificate_ready", user_id=certificate.user_id, ref=certificate.number
    )
    return True


@jobs.handler(
    RENDER_JOB,
    gave_up=lambda session, job: log.error("certificate %s: rendering failed", job.subject),
)
def render_certificate_job(session, job: Job) -> None:
    """Render a certificate from its frozen snapshot (the same bytes as an inline render)."""
    certificate = session.scalar(select(Certificate).where(Certificate.number == job.subject))
    if certificate is None or certificate.sha256 is not None:
        return
    store_rendered_pdf(session, certificate, _default_renderer(certificate.snapshot))


def render_status(session, certificate: Certificate) -> str:
    """ready once the PDF exists; delayed when its render job gave up; else rendering."""
    if certificate.sha256 is not None:
        return "ready"
    job = jobs.latest_job(session, RENDER_JOB, certificate.number)
    return "delayed" if job is not None and job.state == "failed" else "rendering"


def issue_certificate(
    session,
    enrollment: Enrollment,
    *,
    base_url: str,
    renderer: Renderer | None = None,
    inline: bool = True,
) -> tuple[Certificate, bool]:
    """Issue the enrollment's one certificate once the gate holds; (certificate, created).

    Inline, the PDF is rendered now; otherwise the number and snapshot are kept now and a job
    renders the PDF from the snapshot.
    """
    existing = current_certificate(session, enrollment)
    if existing is not None:
        return existing, False
    if enrollment.user.email_verified_at is None:
        raise BusinessRuleError(
            "Confirm your email address first: certificates are issued only to a confirmed "
            "address. Open the link we emailed you, or ask for a new one on your account page.",
            {"unmet": [{"code": "email_unverified", "label": "Confirmed email address",
                        "detail": "open the confirmation link we emailed you"}]},
        )  # fmt: skip
    unmet = learning.unmet_requirements(enrollment)
    if unmet:
        raise BusinessRuleError(
            "The certificate is issued once every requirement is met. Still missing: "
            + "; ".join(f"{r.label} ({r.detail})" for r in unmet),
            {"unmet": [{"code": r.code, "label": r.label, "detail": r.detail} for r in unmet]},
        )
    snapshot, omitted = build_snapshot(enrollment, numbers.new_number(), base_url=base_url)
    certificate, created = insert_once(
        session,
        lambda: _certificate(enrollment, snapshot),
        lambda: current_certificate(session, enrollment),  # a parallel request issued it first
    )
    if not created:
        return certificate, False
    _render_or_queue(session, certificate, renderer, inline)
    _warn_if_local_link(certificate.number, base_url)
    for item in omitted:
        log.warning(
            "certificate %s: %s statement left off (%s)",
            certificate.number,
            item["body"],
            item["reason"],
        )
        audit.record(
            session,
            "certificate.accreditation_omitted",
            actor_id=None,
            subject_type="certificate",
            subject_id=certificate.number,
            data=item,
        )
    audit.record(
        session,
        "certificate.issued",
        actor_id=enrollment.user_id,
        subject_type="certificate",
        subject_id=certificate.number,
        data={"enrollment": enrollment.id, "sha256": certificate.sha256},
    )
    return certificate, True


def revoked_certificates(session, enrollment_ids: list[int]) -> list[Certificate]:
    """The revoked certificates of these enrollments, in one query (for the dashboard)."""
    if not enrollment_ids:
        return []
    return list(
        session.scalars(
            select(Certificate).where(
                Certificate.enrollment_id.in_(enrollment_ids), Certificate.status == "revoked"
            )
        )
    )


def find_certificate(session, number: str) -> Certificate:
    key = numbers.normalize(number or "")
    query = select(Certificate).where(Certificate.number_key == key)
    certificate = session.scalar(query) if key else None
    if certificate is None and key:
        certificate = _other_kind(NUMBER_LOOKUPS, session, key)
    if certificate is None:
        raise NotFound("No certificate has this number.")
    return certificate


@dataclass(frozen=True)
class CertificateFile:
    """What a download needs: who may have it, and the stored bytes with their hash."""

    number: str
    user_id: int
    course_id: int | None  # None for a program certificate
    sha256: str | None  # None while the render job runs
    pdf: bytes | None


def certificate_file(session, number: str) -> CertificateFile:
    """The stored PDF of a certificate, without loading its snapshot or anything else."""
    key = numbers.normalize(number or "")
    row = None
    if key:
        row = session.execute(
            select(
                Certificate.number,
                Certificate.user_id,
                Certificate.course_id,
                Certificate.sha256,
                Certificate.pdf,
            ).where(Certificate.number_key == key)
        ).first()
    if row is None and key:
        other = _other_kind(NUMBER_LOOKUPS, session, key)
        if other is not None:
            row = (other.number, other.user_id, None, other.sha256, other.pdf)
    if row is None:
        raise NotFound("No certificate has this number.")
    return CertificateFile(*row)


def can_download(session, user: User | None, certificate: Certificate | CertificateFile) -> bool:
    """Owner, the course's instructors and admins may download a certificate."""
    if user is None or not user.is_authenticated:
        return False
    if user.id == certificate.user_id:
        return True
    if certificate.course_id is None:  # a program certificate: its owner and admins only
        return user.role == "admin"
    return catalog.can_manage(session, user, session.get(Course, certificate.course_id))


REVOCATION_NOTE_MAX = 2000


def revoke(
    session, certificate: Certificate, *, actor_id: int | None, reason: str, note: str
) -> Certificate:
    """Revoke with a reason category (public) and a note (audit only); both are required."""
    if reason not in REVOCATION_REASONS:
        raise ValidationError(
            f"Choose a reason: one of {', '.join(REVOCATION_REASONS)}.", {"reason": "unknown"}
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            "Write a note for the record: what happened and who asked for the revocation.",
            {"note": "required"},
        )
    if len(note) > REVOCATION_NOTE_MAX:
        raise ValidationError(
            f"The note may be at most {REVOCATION_NOTE_MAX} characters.", {"note": "too_long"}
        )
    if certificate.status != "valid":
        raise Conflict(f"Certificate {certificate.number} is already {certificate.status}.")
    certificate.status = "revoked"
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_note = note
    certificate.revoked_by_id = actor_id
    session.flush()
    _status_changed(session, certificate)
    audit.record(
        session,
        "certificate.revoked",
        actor_id=actor_id,
        subject_type="certificate",
        subject_id=certificate.number,
        data={"reason": reason, "note": note},
    )
    jobs.send_message(
        session, "certificate_revoked", user_id=certificate.user_id, ref=certificate.number
    )
    session.flush()
    return certificate


def reissue(
    session,
    certificate: Certificate,
    *,
    actor_id: int | None,
    base_url: str,
    renderer: Renderer | None = None,
    inline: bool = True,
) -> Certificate:
    """Supersede a valid certificate with one carrying the learner's current name and licence.

    The course, revision, hours and completion date stay as they were.
    """
    if not isinstance(certificate, Certificate):
        raise BusinessRuleError("A program certificate is not reissued.")
    if certificate.status != "valid":
        raise Conflict(
            f"Only a valid certificate can be reissued; this one is {certificate.status}."
        )
    participant = participant_fields(certificate.user)
    if participant == certificate.snapshot["participant"]:
        raise BusinessRuleError(
            "Your profile matches this certificate already; update your name or licence "
            "details in your profile first."
        )
    number = numbers.new_number()
    statements = certificate.snapshot["accreditations"]
    if all("professions" in entry for entry in statements):  # older snapshots keep their order
        statements, credit_unit = lead_with_learners_board(statements, certificate.user.profession)
        board = {"accreditations": statements, "credit_unit": credit_unit}
    else:
        board = {}
    snapshot = {
        **certificate.snapshot,
        **board,
        "number": number,
        "issued_at": utcnow().replace(microsecond=0).isoformat(),
        "participant": participant,
        "verification_url": verification_url(base_url, number),
        "supersedes": certificate.number,
    }
    certificate.status = "superseded"
    session.flush()
    replacement = _certificate(certificate.enrollment, snapshot)
    session.add(replacement)
    session.flush()
    _render_or_queue(session, replacement, renderer, inline)
    certificate.superseded_by_id = replacement.id
    session.flush()
    _status_changed(session, certificate)
    _warn_if_local_link(replacement.number, base_url)
    audit.record(
        session,
        "certificate.reissued",
        actor_id=actor_id,
        subject_type="certificate",
        subject_id=certificate.number,
        data={"replacement": replacement.number, "participant": participant["display_name"]},
    )
    jobs.send_message(
        session, "certificate_superseded", user_id=certificate.user_id, ref=certificate.number
    )
    session.flush()
    return replacement


# --- verification and transcripts ----------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What anyone may learn about a certificate: no email, no licence number."""

    number: str
    status: str
    valid: bool
    learner_name: str
    course: str
    completion_date: str
    issued_at: str
    ce_hours: str
    revoked_at: str | None
    revoked_reason: str | None
    superseded_by: str | None
    specimen: bool  # the provider is an example that holds no accreditation
    notice: str | None  # SPECIMEN_NOTICE for a specimen provider's certificate
    provider: str
    format: str  # the delivery format as the certificate prints it
    credits: list[dict]  # [{category, hours}]
    boards: list[dict]  # [{body, provider_number, hours, unit}], by body name
    pdf_ready: bool  # False while the PDF is being prepared (the number is already valid)


def _boards(snapshot: dict) -> list[dict]:
    """Each printed accreditation's credit in its own unit, in a fixed order.

    Sorted by body, not in the certificate's order: the certificate leads with the learner's
    own board, and that order would tell a stranger the learner's profession.
    """
    hours = snapshot["course"]["ce_hours"]
    boards = [
        {
            "body": entry["body"],
            "provider_number": entry.get("provider_number"),
            "hours": hours,
            "unit": entry.get("unit") or "CE hours",
        }
        for entry in snapshot.get("accreditations", [])
    ]
    return sorted(boards, key=lambda board: board["body"])


def verification(certificate: Certificate) -> Verification:
    """What the public page and the verify API show: the certificate, never its holder's data."""
    snapshot = certificate.snapshot
    return Verification(
        number=certificate.number,
        status=certificate.status,
        valid=certificate.status == "valid",
        learner_name=snapshot["participant"]["display_name"],
        course=snapshot["course"]["title"],
        completion_date=snapshot["completion_date"],
        issued_at=snapshot["issued_at"],
        ce_hours=snapshot["course"]["ce_hours"],
        revoked_at=certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        revoked_reason=certificate.revoked_reason_public if certificate.revoked_reason else None,
        superseded_by=certificate.superseded_by.number if certificate.superseded_by else None,
        specimen=bool(snapshot["provider"].get("specimen")),
        notice=SPECIMEN_NOTICE if snapshot["provider"].get("specimen") else None,
        provider=snapshot["provider"]["name"],
        format=snapshot["course"].get("format", ""),
        credits=[dict(credit) for credit in snapshot["course"].get("credits", [])],
        boards=_boards(snapshot),
        pdf_ready=certificate.sha256 is not None,
    )


def find_certificates(session, given: list[str]) -> dict[str, Certificate]:
    """The certificates of many numbers in one query, keyed by their normalised number."""
    keys = {key for key in (numbers.normalize(number or "") for number in given) if key}
    if not keys:
        return {}
    found = session.scalars(select(Certificate).where(Certificate.number_key.in_(keys)))
    return {certificate.number_key: certificate for certificate in found}


def pdf_matches(certificate: Certificate, data: bytes) -> bool:
    return hashlib.sha256(data).hexdigest() == certificate.sha256


def find_by_pdf(session, data: bytes) -> Certificate | None:
    digest = hashlib.sha256(data).hexdigest()
    found = session.scalar(select(Certificate).where(Certificate.sha256 == digest))
    return found if found is not None else _other_kind(HASH_LOOKUPS, session, digest)


@dataclass
class Transcript:
    certificates: list[Certificate]
    total_hours: Decimal
    by_category: dict[str, Decimal]

    @property
    def specimen(self) -> bool:
        """Tell whether any listed certificate comes from a specimen provider."""
        return any(c.snapshot["provider"].get("specimen") for c in self.certificates)

    @property
    def specimen_notice(self) -> str:
        return SPECIMEN_NOTICE if self.specimen else ""


def transcript(
    session, user: User, *, start: date | None = None, end: date | None = None
) -> Transcript:
    """The learner's current certificates in a completion-date range, with hour totals."""
    query = (
        select(Certificate)
        .where(Certificate.user_id == user.id, Certificate.status != "superseded")
        .order_by(Certificate.completion_date.desc(), Certificate.id.desc())
    )
    if start:
        query = query.where(Certificate.completion_date >= start)
    if end:
        query = query.where(Certificate.completion_date <= end)
    certificates = list(session.scalars(query))
    by_category: dict[str, Decimal] = {}
    total = Decimal("0")
    for certificate in certificates:
        if certificate.status != "valid":
            continue  # a revoked certificate earns no credit
        total += certificate.ce_hours
        for credit in certificate.snapshot["course"]["credits"]:
            by_category[credit["category"]] = by_category.get(
                credit["category"], Decimal("0")
            ) + Decimal(credit["hours"])
    return Transcript(certificates, total, dict(sorted(by_category.items())))
