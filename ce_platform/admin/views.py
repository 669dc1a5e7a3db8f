"""Admin pages: users and roles, instructor assignments, certificates and the audit log."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from ce_platform.accounts.models import PROFESSIONS
from ce_platform.admin import services
from ce_platform.catalog import services as catalog
from ce_platform.certificates import archive
from ce_platform.certificates.models import REVOCATION_REASONS
from ce_platform.config import local_base_url_warning
from ce_platform.core.access import ROLES, roles_required
from ce_platform.core.errors import CEError
from ce_platform.extensions import db
from ce_platform.jobs import services as jobs
from ce_platform.licenses import services as licenses

bp = Blueprint("admin", __name__, url_prefix="/admin")

RETENTION_NOTE = (
    "Accounts are deactivated, never deleted, so that completion records are kept for the "
    "retention period."
)


@bp.before_request
@roles_required("admin")
def _admins_only():
    """Every page here is for administrators; the check runs before any view."""
    return None


@bp.context_processor
def _site_warnings() -> dict:
    """Administrators see at once when certificates would carry a link nobody else can open."""
    return {"site_warning": local_base_url_warning(current_app.config["BASE_URL"])}


def page_arg() -> int:
    return services.page_number(request.args.get("page"))


def compact_json(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@bp.get("/")
def index():
    return render_template("admin/index.html")


# --- users ---------------------------------------------------------------------------------


@bp.get("/users")
def users():
    q = request.args.get("q", "")
    return render_template(
        "admin/users.html",
        q=q,
        result=services.search_users(db.session, q, page=page_arg()),
    )


def _user_page(user, *, error: str | None = None, status: int = 200):
    return render_template(
        "admin/user.html",
        user=user,
        record=services.user_record(db.session, user),
        external=licenses.external_credits_of(db.session, user.id),
        courses=services.published_courses(db.session),
        assignable=services.can_be_assigned(user),
        roles=ROLES,
        professions=PROFESSIONS,
        retention_note=RETENTION_NOTE,
        error=error,
    ), status


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(services.get_user(db.session, user_id))


def _apply(user, change, success: str):
    """Run one change to `user`; show the page again with the reason when a rule refuses it."""
    try:
        change()
    except CEError as exc:
        db.session.rollback()
        return _user_page(user, error=exc.message, status=exc.status)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = services.get_user(db.session, user_id)
    role = request.form.get("role", "")
    return _apply(
        user,
        lambda: services.change_role(db.session, user, role, actor=current_user),
        f"{user.email} now has the role {role}.",
    )


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    user = services.get_user(db.session, user_id)
    return _apply(
        user,
        lambda: services.set_active(db.session, user, False, actor=current_user),
        f"{user.email} is deactivated and can no longer sign in.",
    )


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    user = services.get_user(db.session, user_id)
    return _apply(
        user,
        lambda: services.set_active(db.session, user, True, actor=current_user),
        f"{user.email} is active again.",
    )


@bp.post("/users/<int:user_id>/courses")
def assign(user_id: int):
    user = services.get_user(db.session, user_id)
    slug = request.form.get("course", "")

    def change():
        course = catalog.get_course(db.session, slug)
        services.assign_instructor(db.session, course, user, actor_id=current_user.id)

    return _apply(user, change, f"{user.email} is assigned to {slug}.")


@bp.post("/users/<int:user_id>/courses/<slug>/unassign")
def unassign(user_id: int, slug: str):
    user = services.get_user(db.session, user_id)

    def change():
        course = catalog.get_course(db.session, slug)
        services.unassign_instructor(db.session, course, user, actor_id=current_user.id)

    return _apply(user, change, f"{user.email} is no longer assigned to {slug}.")


# --- certificates --------------------------------------------------------------------------


@bp.get("/certificates")
def certificates():
    q = request.args.get("q", "")
    return render_template(
        "admin/certificates.html",
        q=q,
        result=services.search_certificates(db.session, q, page=page_arg()),
        reasons=REVOCATION_REASONS,
        courses=catalog.managed_courses(db.session, current_user),
    )


@bp.get("/certificates/archive")
def certificates_archive():
    """The download form's target: its course choice becomes part of the ZIP's address."""
    course = catalog.get_course(db.session, request.args.get("course", ""))
    return redirect(
        url_for(
            "admin.certificates_zip",
            slug=course.slug,
            start=request.args.get("start") or None,
            end=request.args.get("end") or None,
        )
    )


@bp.get("/courses/<slug>/certificates.zip")
def certificates_zip(slug: str):
    """A course's certificates completed in a date range, as one streamed ZIP (audited)."""
    course = catalog.get_course(db.session, slug)
    start, end = archive.parse_range(request.args.get("start", ""), request.args.get("end", ""))
    entries = archive.archive_entries(db.session, course, start, end)
    archive.record_archive(
        db.session, actor_id=current_user.id, course=course, start=start, end=end,
        count=len(entries),
    )  # fmt: skip
    db.session.commit()
    name = "-".join(
        [course.slug, "certificates", *(d.isoformat() for d in (start, end) if d is not None)]
    )
    response = Response(
        stream_with_context(archive.zip_stream(db.session, entries)), mimetype="application/zip"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- background jobs -----------------------------------------------------------------------


@bp.get("/jobs")
def jobs_page():
    """Queued, running and failed jobs with their last error; failed ones can be retried."""
    return render_template(
        "admin/jobs.html",
        active=jobs.jobs_page(db.session, states=("queued", "running")),
        failed=jobs.jobs_page(db.session, states=("failed",)),
    )


@bp.post("/jobs/<int:job_id>/retry")
def retry_job(job_id: int):
    try:
        job = jobs.retry(db.session, job_id)
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin.jobs_page"))
    db.session.commit()
    flash(f"Job {job.id} ({job.kind} {job.subject}) is queued again.", "success")
    return redirect(url_for("admin.jobs_page"))


# --- audit log -----------------------------------------------------------------------------


@bp.get("/audit")
def audit():
    action = request.args.get("action", "")
    actor = request.args.get("actor", "")
    return render_template(
        "admin/audit.html",
        action=action,
        actor=actor,
        result=services.audit_events(db.session, action=action, actor=actor, page=page_arg()),
        chain=services.check_chain(db.session),
        compact_json=compact_json,
    )
