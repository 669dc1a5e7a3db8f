"""/api/v1 certificates: issue, list, download, and public verification."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app, g, jsonify, url_for

from ce_platform.api import bp, token_required, validated
from ce_platform.api.schemas import VerifyMany
from ce_platform.certificates import numbers, services
from ce_platform.certificates.models import Certificate
from ce_platform.certificates.views import VERIFY_RATE_LIMIT, limit_pdf_rendering, pdf_response
from ce_platform.core.errors import NotFound
from ce_platform.credentials import services as credentials
from ce_platform.extensions import db, limiter
from ce_platform.learning import services as learning

BULK_VERIFY_RATE_LIMIT = "10 per minute"  # each request checks up to BULK_VERIFY_MAX numbers
RENDER_RETRY_AFTER = 2  # seconds: one render takes about one


def certificate_json(certificate: Certificate) -> dict:
    snapshot = certificate.snapshot
    return {
        "number": certificate.number,
        "course": snapshot["course"]["slug"],
        "title": snapshot["course"]["title"],
        "revision": snapshot["course"]["revision"],
        "issued_at": snapshot["issued_at"],
        "completion_date": snapshot["completion_date"],
        "ce_hours": float(certificate.ce_hours),
        "credits": {c["category"]: float(c["hours"]) for c in snapshot["course"]["credits"]},
        "status": certificate.status,
        "sha256": certificate.sha256,
        "verification_url": snapshot["verification_url"],
        "superseded_by": certificate.superseded_by.number if certificate.superseded_by else None,
    }


@bp.get("/certificates")
@token_required
def list_certificates():
    transcript = services.transcript(db.session, g.api_user)
    return {
        "certificates": [certificate_json(c) for c in transcript.certificates],
        "total_hours": float(transcript.total_hours),
        "by_category": {k: float(v) for k, v in transcript.by_category.items()},
    }


@bp.post("/courses/<slug>/certificate")
@token_required
@limit_pdf_rendering
def issue_certificate(slug: str):
    enrollment = learning.require_enrollment_in(db.session, g.api_user, slug)
    certificate, created = services.issue_certificate(
        db.session,
        enrollment,
        base_url=current_app.config["BASE_URL"],
        inline=bool(current_app.config["RENDER_INLINE"]),
    )
    db.session.commit()
    status = "ready" if certificate.sha256 is not None else "rendering"
    return {"certificate": certificate_json(certificate), "status": status}, (
        201 if created else 200
    )


@bp.get("/certificates/<number>.pdf")
@token_required
def download_certificate(number: str):
    stored = services.certificate_file(db.session, number)
    if not services.can_download(db.session, g.api_user, stored):
        raise NotFound("No certificate has this number.")
    if stored.sha256 is None:
        response = jsonify({"number": stored.number, "status": "rendering"})
        response.status_code = 202
        response.headers["Retry-After"] = str(RENDER_RETRY_AFTER)
        return response
    return pdf_response(stored)


def verification_json(certificate: Certificate) -> dict:
    """The public facts of one certificate, with a link to its successor when superseded."""
    check = services.verification(certificate)
    successor = (
        url_for("certificates.verify", number=check.superseded_by, _external=True)
        if check.superseded_by
        else None
    )
    return {**asdict(check), "superseded_by_url": successor}


@bp.get("/verify/<number>")
@limiter.limit(VERIFY_RATE_LIMIT)
def verify(number: str):
    return verification_json(services.find_certificate(db.session, number))


@bp.post("/verify")
@limiter.limit(BULK_VERIFY_RATE_LIMIT)
def verify_many():
    """Check up to BULK_VERIFY_MAX numbers at once: each answer is what the single lookup says."""
    given = validated(VerifyMany).numbers
    found = services.find_certificates(db.session, given)
    results = []
    for number in given:
        certificate = found.get(numbers.normalize(number))
        if certificate is None:
            results.append({"number": number, "found": False, "status": "not_found"})
        else:
            results.append({"found": True, **verification_json(certificate)})
    return {"results": results}


@bp.get("/certificates/<number>/credential")
@token_required
def certificate_credential(number: str):
    """The signed Open Badges credential of the caller's own certificate."""
    certificate = services.find_certificate(db.session, number)
    if certificate.user_id != g.api_user.id:
        raise NotFound("No certificate has this number.")
    credential = credentials.find_credential(db.session, certificate)
    if credential is None:
        raise NotFound("No credential has been issued for this certificate.")
    return credential.document
