"""Certificate pages: issue, view, download, reissue, revoke, transcript and public verification."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ce_platform.catalog.views import COURSE_PAGE_HOOKS
from ce_platform.certificates import services
from ce_platform.certificates.models import REVOCATION_REASONS, Certificate
from ce_platform.core.access import roles_required
from ce_platform.core.errors import CEError, NotFound, ValidationError
from ce_platform.core.limits import pdf_rendering_limit, signed_in_account
from ce_platform.extensions import db, limiter
from ce_platform.learning import services as learning
from ce_platform.learning import views as learning_views

bp = Blueprint("certificates", __name__)

VERIFY_RATE_LIMIT = "30 per minute"

# Rendering a PDF takes real CPU time: every path that renders one on request shares one
# budget per account (the stored certificate PDFs are served as they are, without it).
limit_pdf_rendering = limiter.shared_limit(
    pdf_rendering_limit, scope="pdf-rendering", key_func=signed_in_account
)


def pdf_response(certificate: Certificate | services.CertificateFile) -> Response:
    """The stored bytes, never re-rendered; the hash doubles as the ETag."""
    if request.if_none_match.contains(certificate.sha256):
        response = Response(status=304)
    else:
        response = Response(certificate.pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="certificate-{certificate.number}.pdf"'
        )
    response.set_etag(certificate.sha256)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _course_panel(course, context: dict) -> None:
    if not current_user.is_authenticated:
        return
    enrollment = learning.get_enrollment(db.session, current_user, course)
    if enrollment is None or enrollment.status != "complete":
        return
    certificate = services.current_certificate(db.session, enrollment)
    context["course_panels"].append(
        render_template("certificates/_course_panel.html", course=course, certificate=certificate)
    )


COURSE_PAGE_HOOKS.append(_course_panel)


def _final_steps(enrollment_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """After the gate: download the certificate once issued, or issue it from the course page."""
    steps = {}
    for enrollment_id, (slug, number, status) in services.certificate_numbers(
        db.session, enrollment_ids
    ).items():
        if number is None:
            url = url_for("catalog.course", slug=slug, _anchor="certificate")
            steps[enrollment_id] = ("Issue your certificate", url)
        elif status != "valid":  # revoked: the page says why, a download would not
            url = url_for("certificates.show", number=number)
            steps[enrollment_id] = ("See your certificate's status", url)
        else:
            url = url_for("certificates.download", number=number)
            steps[enrollment_id] = ("Download your certificate", url)
    return steps


learning_views.FINAL_STEP_HOOKS.append(_final_steps)


def _dashboard_revocations(rows: list[dict]) -> None:
    """Mark dashboard rows whose certificate was revoked, so no row offers it as earned."""
    # Only a completed enrollment can hold a certificate: no query for a dashboard of courses
    # in progress.
    enrollments = {row["enrollment"].id: row for row in rows if row["status"] == "complete"}
    for certificate in services.revoked_certificates(db.session, list(enrollments)):
        enrollments[certificate.enrollment_id]["certificate_revoked"] = {
            "number": certificate.number,
            "date": certificate.revoked_at.date().isoformat() if certificate.revoked_at else "",
            "reason": certificate.revoked_reason_public,
        }


learning_views.DASHBOARD_HOOKS.append(_dashboard_revocations)


# Features built on certificates add panels to the certificate page: each hook gets the
# certificate and returns HTML or None.
CERTIFICATE_PAGE_HOOKS: list[Callable[[Certificate], str | None]] = []


def _owned(number: str) -> Certificate:
    certificate = services.find_certificate(db.session, number)
    if not services.can_download(db.session, current_user, certificate):
        raise NotFound("No certificate has this number.")
    return certificate


@bp.post("/courses/<slug>/certificate")
@login_required
@limit_pdf_rendering
def issue(slug: str):
    enrollment = learning.require_enrollment_in(db.session, current_user, slug)
    try:
        certificate, created = services.issue_certificate(
            db.session,
            enrollment,
            base_url=current_app.config["BASE_URL"],
            inline=bool(current_app.config["RENDER_INLINE"]),
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("catalog.course", slug=slug))
    db.session.commit()
    if created:
        flash(f"Your certificate {certificate.number} is issued.", "success")
    return redirect(url_for("certificates.show", number=certificate.number))


@bp.get("/certificates/<number>")
@login_required
def show(number: str):
    certificate = _owned(number)
    profile_changed = (
        isinstance(certificate, Certificate)
        and certificate.user_id == current_user.id
        and certificate.status == "valid"
        and services.participant_fields(current_user) != certificate.snapshot["participant"]
    )
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        check=services.verification(certificate),
        profile_changed=profile_changed,
        reasons=REVOCATION_REASONS,
        panels=[panel for hook in CERTIFICATE_PAGE_HOOKS if (panel := hook(certificate))],
        render_status=services.render_status(db.session, certificate),
    )


@bp.get("/certificates/<number>/status")
@login_required
def status(number: str):
    """What the certificate page polls while its PDF is being prepared."""
    certificate = _owned(number)
    return {"number": certificate.number, "pdf": services.render_status(db.session, certificate)}


@bp.get("/certificates/<number>.pdf")
@login_required
def download(number: str):
    stored = services.certificate_file(db.session, number)
    if not services.can_download(db.session, current_user, stored):
        raise NotFound("No certificate has this number.")
    if stored.sha256 is None:
        flash("Your certificate is still being prepared; it can be downloaded in a moment.", "info")
        return redirect(url_for("certificates.show", number=stored.number))
    return pdf_response(stored)


@bp.post("/certificates/<number>/reissue")
@login_required
@limit_pdf_rendering
def reissue(number: str):
    certificate = services.find_certificate(db.session, number)
    if certificate.user_id != current_user.id and current_user.role != "admin":
        raise NotFound("No certificate has this number.")
    try:
        replacement = services.reissue(
            db.session,
            certificate,
            actor_id=current_user.id,
            base_url=current_app.config["BASE_URL"],
            inline=bool(current_app.config["RENDER_INLINE"]),
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("certificates.show", number=certificate.number))
    db.session.commit()
    flash(
        f"Reissued as {replacement.number}; the old certificate now verifies as superseded.",
        "success",
    )
    return redirect(url_for("certificates.show", number=replacement.number))


@bp.post("/certificates/<number>/revoke")
@roles_required("admin")
def revoke(number: str):
    certificate = services.find_certificate(db.session, number)
    try:
        if request.form.get("confirm") != "yes":
            raise ValidationError(
                "Tick the confirmation box to revoke this certificate.", {"confirm": "required"}
            )
        services.revoke(
            db.session,
            certificate,
            actor_id=current_user.id,
            reason=request.form.get("reason", ""),
            note=request.form.get("note", ""),
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("certificates.show", number=certificate.number))
    db.session.commit()
    flash(f"Certificate {certificate.number} is revoked.", "success")
    return redirect(url_for("certificates.show", number=certificate.number))


# --- transcript ----------------------------------------------------------------------------


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name) or ""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a date like 2026-01-31.", {name: "date"}) from None


def _transcript():
    return services.transcript(
        db.session, current_user, start=_date_arg("start"), end=_date_arg("end")
    )


# Features built on certificates add sections to the transcript (page and PDF) through these
# hooks, so certificates never import them: each takes (user, start, end, pdf) and returns
# rendered HTML, or "" when it has nothing for the period.
TRANSCRIPT_SECTION_HOOKS: list[Callable[..., str]] = []


def _transcript_sections(pdf: bool) -> list[str]:
    start, end = _date_arg("start"), _date_arg("end")
    sections = [hook(current_user, start, end, pdf) for hook in TRANSCRIPT_SECTION_HOOKS]
    return [s for s in sections if s]


@bp.get("/certificates")
@login_required
def transcript():
    return render_template(
        "certificates/transcript.html",
        transcript=_transcript(),
        sections=_transcript_sections(pdf=False),
        start=request.args.get("start", ""),
        end=request.args.get("end", ""),
    )


def transcript_csv_bytes(data) -> bytes:
    """The transcript as CSV: the download, and the data attached to the transcript PDF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "certificate_number",
            "course",
            "revision",
            "completion_date",
            "ce_hours",
            "credits",
            "status",
        ]
    )
    for c in data.certificates:
        credits = "; ".join(
            f"{x['hours']} {x['category']}" for x in c.snapshot["course"]["credits"]
        )
        writer.writerow(
            [
                c.number,
                _safe_cell(c.snapshot["course"]["title"]),
                c.snapshot["course"]["revision"],
                c.completion_date.isoformat(),
                c.snapshot["course"]["ce_hours"],
                credits,
                c.status,
            ]
        )
    writer.writerow([])
    writer.writerow(["total_valid_hours", str(data.total_hours)])
    for category, hours in data.by_category.items():
        writer.writerow([f"total_{category}", str(hours)])
    return buffer.getvalue().encode("utf-8")


@bp.get("/certificates/transcript.csv")
@login_required
def transcript_csv():
    return Response(
        transcript_csv_bytes(_transcript()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ce-transcript.csv"'},
    )


def _safe_cell(value: str) -> str:
    """Keep spreadsheet programs from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.get("/certificates/transcript.pdf")
@login_required
@limit_pdf_rendering
def transcript_pdf():
    from ce_platform.certificates.pdf import render_html_pdf

    data = _transcript()
    html = render_template(
        "certificates/transcript_pdf.html",
        transcript=data,
        sections=_transcript_sections(pdf=True),
        user=current_user,
        start=request.args.get("start", ""),
        end=request.args.get("end", ""),
        generated=date.today().isoformat(),
    )
    pdf = render_html_pdf(
        html,
        attachment=transcript_csv_bytes(data),
        name="transcript.csv",
        description="Transcript data (CSV)",
        created=datetime.now(UTC).replace(microsecond=0),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="ce-transcript.pdf"'},
    )


# --- public verification -------------------------------------------------------------------


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(VERIFY_RATE_LIMIT)
def verify_lookup():
    """Look a certificate up by number, or by uploading its PDF."""
    if request.method == "POST":
        upload = request.files.get("pdf")
        if upload is not None and upload.filename:
            certificate = services.find_by_pdf(db.session, upload.read())
            if certificate is None:
                flash(
                    "This PDF does not match any certificate we issued. It may have been edited.",
                    "error",
                )
                return render_template("certificates/verify_lookup.html"), 404
            # The verdict is rendered by the request that carried the upload, never from a
            # link: a forged PDF's QR code could otherwise point at a "PDF matches" page.
            return render_template(
                "certificates/verify.html",
                check=services.verification(certificate),
                pdf_check="match",
            )
        number = request.form.get("number", "")
        return redirect(url_for("certificates.verify", number=number.strip() or "-"))
    return render_template("certificates/verify_lookup.html")


@bp.route("/verify/<number>", methods=["GET", "POST"])
@limiter.limit(VERIFY_RATE_LIMIT)
def verify(number: str):
    try:
        certificate = services.find_certificate(db.session, number)
    except NotFound:
        return render_template("certificates/verify_lookup.html", unknown=number), 404
    pdf_check = None
    if request.method == "POST":
        upload = request.files.get("pdf")
        if upload is None or not upload.filename:
            flash("Choose the certificate PDF to check.", "error")
        else:
            pdf_check = "match" if services.pdf_matches(certificate, upload.read()) else "mismatch"
    return render_template(
        "certificates/verify.html",
        check=services.verification(certificate),
        pdf_check=pdf_check,
    ), (200 if pdf_check != "mismatch" else 422)
