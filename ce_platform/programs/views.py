"""Program pages: the list, a program's page with progress, enrollment and its certificate."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ce_platform.certificates import services as certificates
from ce_platform.certificates.views import limit_pdf_rendering
from ce_platform.core import charts
from ce_platform.core.errors import CEError
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import views as learning_views
from ce_platform.programs import services
from ce_platform.programs.models import ProgramCertificate, ProgramEnrollment

bp = Blueprint("programs", __name__)

certificates.NUMBER_LOOKUPS.append(services.find_by_key)
certificates.HASH_LOOKUPS.append(services.find_by_sha256)

STATUS_LABELS = {
    "not_enrolled": "Not started",
    "in_progress": "In progress",
    "complete": "Complete, certificate not issued",
    "certified": "Certified",
}


def program_next_step(
    standing: services.ProgramProgress, certificate: ProgramCertificate | None
) -> tuple[str, str]:
    """The one next step in a program, as (label, url): a course, or the program certificate."""
    row = services.next_course(standing)
    if row is not None:
        if row.status == "complete":
            return f"Issue your certificate for {row.title}", url_for(
                "catalog.course", slug=row.slug, _anchor="certificate"
            )
        verb = "Continue" if row.enrolled else "Start"
        return f"{verb}: {row.title}", url_for("catalog.course", slug=row.slug)
    if certificate is None:
        return "Issue your program certificate", url_for(
            "programs.show", slug=standing.revision.program.slug, _anchor="program-certificate"
        )
    return "View your program certificate", url_for("certificates.show", number=certificate.number)


@bp.get("/programs")
def index():
    return render_template("programs/index.html", programs=services.list_programs(db.session))


@bp.get("/programs/<slug>")
def show(slug: str):
    program = services.get_program(db.session, slug)
    revision = program.current_revision
    enrollment = standing = certificate = step = None
    if current_user.is_authenticated:
        enrollment = services.get_program_enrollment(db.session, current_user, program)
        shown = enrollment.revision if enrollment is not None else revision
        standing = services.progress(db.session, current_user, shown)
        if enrollment is not None:
            revision = enrollment.revision
            certificate = services.current_certificate(db.session, enrollment)
            step = program_next_step(standing, certificate)
    return render_template(
        "programs/show.html",
        chart=_hours_chart(program, standing) if standing else None,
        program=program,
        revision=revision,
        enrollment=enrollment,
        standing=standing,
        certificate=certificate,
        step=step,
        status_labels=STATUS_LABELS,
    )


def _hours_chart(program, standing: services.ProgramProgress) -> Markup:
    """Hours earned against the program's minimum, then by credit category (table beside)."""
    total = charts.progress_chart(
        f"program-{program.slug}-total",
        "CE hours earned against the program's minimum",
        [("All categories", standing.earned_hours, standing.required_hours)],
    )
    if not standing.earned_by_category:
        return total
    by_category = charts.bar_chart(
        f"program-{program.slug}-categories",
        "CE hours earned by credit category",
        [(category.capitalize(), hours) for category, hours in standing.earned_by_category.items()],
        unit="hours",
    )
    return total + by_category


@bp.post("/programs/<slug>/enroll")
@login_required
def enroll(slug: str):
    program = services.get_program(db.session, slug)
    try:
        _enrollment, created = services.enroll(
            db.session, current_user, program, today=utcnow().date()
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("programs.show", slug=slug))
    db.session.commit()
    if created:
        flash("You are enrolled in the program and its required courses.", "success")
    return redirect(url_for("programs.show", slug=slug))


@bp.post("/programs/<slug>/certificate")
@login_required
@limit_pdf_rendering
def issue(slug: str):
    program = services.get_program(db.session, slug)
    enrollment = services.get_program_enrollment(db.session, current_user, program)
    if enrollment is None:
        flash("Enroll in the program first.", "error")
        return redirect(url_for("programs.show", slug=slug))
    try:
        certificate, created = services.issue_certificate(
            db.session, enrollment, base_url=current_app.config["BASE_URL"]
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("programs.show", slug=slug))
    db.session.commit()
    if created:
        flash("Your program certificate is issued.", "success")
    return redirect(url_for("certificates.show", number=certificate.number))


def _dashboard_panel() -> Markup:
    """The learner's programs, with their progress, above the courses on the dashboard."""
    enrollments = list(
        db.session.scalars(
            db.select(ProgramEnrollment).where(ProgramEnrollment.user_id == current_user.id)
        )
    )
    rows = []
    for enrollment in enrollments:
        standing = services.progress(db.session, current_user, enrollment.revision)
        certificate = services.current_certificate(db.session, enrollment)
        rows.append(
            {
                "enrollment": enrollment,
                "standing": standing,
                "step": program_next_step(standing, certificate),
            }
        )
    if not rows:
        return Markup("")
    return Markup(render_template("programs/_dashboard.html", rows=rows))


learning_views.DASHBOARD_PANELS.append(_dashboard_panel)
