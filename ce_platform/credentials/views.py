"""The issuer's public documents, the public credential, and the learner's credential choices."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, flash, json, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ce_platform.catalog.models import CourseRevision
from ce_platform.certificates import services as certificates
from ce_platform.certificates.models import Certificate
from ce_platform.certificates.pdf import qr_svg
from ce_platform.certificates.views import CERTIFICATE_PAGE_HOOKS
from ce_platform.core.errors import CEError, NotFound
from ce_platform.credentials import documents, keys, services
from ce_platform.credentials.contexts import CREDENTIALS_V2, OB_V3P0
from ce_platform.extensions import db

bp = Blueprint("credentials", __name__)
log = logging.getLogger(__name__)


class ServiceUnavailable(CEError):
    """The deployment's key file is set but unreadable: the operator must fix it."""

    status = 503
    code = "credentials_unavailable"


JSON_LD = "application/ld+json"
STATUS_LIST_MAX_AGE = 300  # seconds a verifier may keep the status list before asking again


def _issuer() -> services.Issuer:
    try:
        issuer = services.configured_issuer()
    except keys.KeyFileError as exc:
        log.error("credentials unavailable: %s", exc)
        raise ServiceUnavailable("The issuer's key cannot be read; try again later.") from None
    if issuer is None:
        raise NotFound("This site issues no verifiable credentials.")
    return issuer


def _json(document: dict, *, filename: str | None = None, cache: str = "no-cache") -> Response:
    response = Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype=JSON_LD)
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers read it
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/.well-known/did.json")
def did_document():
    issuer = _issuer()
    return _json(documents.did_document(issuer.did, issuer.ring), cache="public, max-age=3600")


@bp.get("/credentials/issuer")
def issuer_profile():
    """The issuer Profile: the provider that the newest published course names."""
    issuer = _issuer()
    provider = (
        db.session.scalar(
            select(CourseRevision.provider).order_by(CourseRevision.id.desc()).limit(1)
        )
        or {}
    )
    statements = tuple(
        a["statement"]
        for a in db.session.scalar(
            select(CourseRevision.accreditations).order_by(CourseRevision.id.desc()).limit(1)
        )
        or []
        if a.get("statement")
    )
    profile = documents.issuer_profile(
        issuer.did,
        issuer.base_url,
        documents.Provider(
            name=provider.get("name", "CE provider"),
            address=provider.get("address", ""),
            statements=statements,
        ),
    )
    return _json({"@context": [CREDENTIALS_V2, OB_V3P0], **profile}, cache="public, max-age=3600")


@bp.get("/credentials/status/<int:list_number>")
def status_list(list_number: int):
    """The signed status list; an unchanged list answers 304 without being signed again."""
    issuer = _issuer()
    exists = db.session.scalar(
        select(services.Credential.id)
        .where(services.Credential.status_list == list_number)
        .limit(1)
    )
    if exists is None:
        raise NotFound("No status list has this number.")
    encoded = services.encoded_status_list(db.session, list_number)
    etag = services.status_list_etag(encoded, issuer)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = _json(services.signed_status_list(issuer, list_number, encoded))
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={STATUS_LIST_MAX_AGE}"
    return response


def _credential_of(number: str):
    certificate = certificates.find_certificate(db.session, number)
    credential = services.find_credential(db.session, certificate)
    if credential is None:
        raise NotFound("No credential has been issued for this certificate.")
    return certificate, credential


@bp.get("/credentials/<number>")
def public_credential(number: str):
    """Anyone may have it; the name and identifiers only when the learner made them public."""
    certificate, credential = _credential_of(number)
    public = services.preference(db.session, certificate.user_id).public_subject
    return _json(credential.document if public else credential.public_document)


@bp.get("/certificates/<number>/credential.json")
@login_required
def download(number: str):
    """The owner's own signed credential, every field included, to keep or put in a wallet."""
    certificate, credential = _credential_of(number)
    if certificate.user_id != current_user.id:
        raise NotFound("No certificate has this number.")
    return _json(credential.document, filename=f"credential-{certificate.number}.json")


@bp.route("/credentials/settings", methods=["GET", "POST"])
@login_required
def settings():
    choice = services.preference(db.session, current_user.id)
    if request.method == "POST":  # the app-wide CSRFProtect has checked the token
        services.set_preference(
            db.session,
            current_user.id,
            public_subject=request.form.get("public_subject") == "yes",
            include_license_number=request.form.get("include_license_number") == "yes",
        )
        db.session.commit()
        flash("Your credential settings are saved.", "success")
        return redirect(url_for("credentials.settings"))
    return render_template("credentials/settings.html", choice=choice)


def linkedin_url(certificate: Certificate, organization: str) -> str:
    """LinkedIn's prefilled 'add certification' form: name, issuer, date, number and URL."""
    snapshot = certificate.snapshot
    issued = snapshot["issued_at"][:10]
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": snapshot["course"]["title"],
        "organizationName": organization,
        "issueYear": issued[:4],
        "issueMonth": str(int(issued[5:7])),
        "certUrl": snapshot["verification_url"],
        "certId": certificate.number,
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(query)


def _certificate_panel(certificate: Certificate) -> Markup | None:
    """The owner's credential links on the certificate page, once a credential exists."""
    if certificate.user_id != current_user.id:
        return None
    credential = services.find_credential(db.session, certificate)
    if credential is None:
        return None
    url = credential.document["id"]  # the credential URL on the site's public address
    return Markup(
        render_template(
            "credentials/_certificate_panel.html",
            certificate=certificate,
            credential_url=url,
            qr=Markup(qr_svg(url)),
            linkedin=linkedin_url(certificate, certificate.snapshot["provider"]["name"]),
            choice=services.preference(db.session, certificate.user_id),
        )
    )


CERTIFICATE_PAGE_HOOKS.append(_certificate_panel)
