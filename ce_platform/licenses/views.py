"""My licenses: the tracker, licenses and CE reported from other providers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ce_platform.catalog.views import CATALOG_FILTER_HOOKS
from ce_platform.certificates.views import TRANSCRIPT_SECTION_HOOKS
from ce_platform.core import charts
from ce_platform.core.errors import CEError, ValidationError
from ce_platform.extensions import db
from ce_platform.learning.models import Enrollment
from ce_platform.licenses import services
from ce_platform.licenses.forms import ExternalCreditForm, LicenseForm

bp = Blueprint("licenses", __name__, url_prefix="/licenses")
LABELS = {"total": "All CE", "ethics": "Ethics", "cultural": "Cultural competence"}


def _label(topic: str) -> str:
    return LABELS.get(topic, topic.capitalize())


def _place_error(form, exc: CEError) -> None:
    """Put a service error next to the field it is about, or at the top of the form."""
    name = exc.details.get("field") if isinstance(exc.details, dict) else None
    field = getattr(form, str(name), None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")
    form.failed = True


def _panel(state: services.Standing, taken: set[int]) -> dict:
    rows = [state.total, *state.topics]
    chart = charts.progress_chart(
        f"license-{state.license.id}-chart",
        f"Hours earned against the requirement, {state.cycle.start} to {state.cycle.end}",
        [(_label(t.topic), t.earned, t.required) for t in rows],
    )
    return {
        "state": state,
        "rows": rows,
        "chart": chart,
        "courses": services.courses_for_gap(
            db.session, state, today=date.today(), taken_course_ids=taken
        ),
    }


def _completed_course_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == current_user.id, Enrollment.status == "complete"
            )
        )
    )


@bp.get("/")
@login_required
def index():
    """Every license's current cycle, what is owed, and CE reported from elsewhere."""
    taken = _completed_course_ids()
    panels = [
        _panel(services.standing(db.session, license_), taken)
        for license_ in services.licenses_of(db.session, current_user.id)
    ]
    return render_template(
        "licenses/index.html",
        panels=panels,
        external=services.external_credits_of(db.session, current_user.id),
        label=_label,
    )


@bp.get("/<int:license_id>")
@login_required
def show(license_id: int):
    """One license in one cycle: ?cycle=-1 is the cycle before the current one."""
    license_ = services.get_license(db.session, license_id, current_user.id)
    offset = request.args.get("cycle", "0")
    offset = int(offset) if offset.lstrip("-").isdigit() and len(offset) < 4 else 0
    panel = _panel(services.standing(db.session, license_, offset), _completed_course_ids())
    return render_template("licenses/show.html", panel=panel, offset=offset, label=_label)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = LicenseForm()
    if request.method == "GET":
        form.profession.data = current_user.profession
    if form.validate_on_submit():
        try:
            requirements = services.topic_hours(
                {
                    "ethics": form.ethics.data,
                    "cultural": form.cultural.data,
                    form.topic.data or "": form.topic_hours.data,
                }
            )
            services.add_license(
                db.session,
                current_user.id,
                profession=form.profession.data,
                state=form.state.data,
                number=form.number.data or "",
                renewal_date=form.renewal_date.data,
                cycle_months=form.cycle_months.data,
                total_hours=services.hours(form.total_hours.data, "total_hours"),
                requirements=requirements,
            )
        except CEError as exc:
            db.session.rollback()
            _place_error(form, exc)
        else:
            db.session.commit()
            flash("License added.", "success")
            return redirect(url_for("licenses.index"))
    status = 400 if form.errors or getattr(form, "failed", False) else 200
    return render_template("licenses/new.html", form=form), status


@bp.post("/<int:license_id>/delete")
@login_required
def delete(license_id: int):
    services.delete_license(db.session, license_id, current_user.id)
    db.session.commit()
    flash("License removed; the CE you earned is kept.", "success")
    return redirect(url_for("licenses.index"))


@bp.route("/external/new", methods=["GET", "POST"])
@login_required
def new_external():
    """Report CE from another provider, with its certificate as a PDF or an image."""
    form = ExternalCreditForm()
    if form.validate_on_submit():
        upload = request.files.get("certificate")
        try:
            if upload is None or not upload.filename:
                raise ValidationError(
                    "Attach the certificate (PDF or image)", {"field": "certificate"}
                )
            with upload.stream as stream:  # a large upload is spooled to a temporary file
                data = stream.read(services.MAX_UPLOAD_BYTES + 1)
            credits = services.topic_hours(
                {
                    "general": form.general.data,
                    "clinical": form.clinical.data,
                    "ethics": form.ethics.data,
                    "cultural": form.cultural.data,
                    form.topic.data or "": form.topic_hours.data,
                }
            )
            services.add_external_credit(
                db.session,
                current_user.id,
                title=form.title.data,
                provider=form.provider.data,
                completed_on=form.completed_on.data,
                credits=credits,
                file_name=upload.filename,
                file_data=data,
                today=date.today(),
            )
        except CEError as exc:
            db.session.rollback()
            _place_error(form, exc)
        else:
            db.session.commit()
            flash("CE reported. It counts toward your licenses.", "success")
            return redirect(url_for("licenses.index"))
    status = 400 if form.errors or getattr(form, "failed", False) else 200
    return render_template("licenses/external_new.html", form=form), status


@bp.get("/external/<int:credit_id>/certificate")
@login_required
def external_certificate(credit_id: int):
    """The uploaded certificate, for its owner and administrators only, never rendered inline."""
    credit = services.get_external_credit(
        db.session, credit_id, user_id=current_user.id, is_admin=current_user.role == "admin"
    )
    response = make_response(credit.file_data)
    response.headers["Content-Type"] = credit.file_type
    response.headers["Content-Disposition"] = f'attachment; filename="external-ce-{credit.id}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def transcript_section(user, start: date | None, end: date | None, pdf: bool) -> str:
    """The transcript's own section for CE reported from elsewhere, in the period asked for."""
    credits = [
        c
        for c in services.external_credits_of(db.session, user.id)
        if (start is None or c.completed_on >= start) and (end is None or c.completed_on <= end)
    ]
    if not credits:
        return ""
    return render_template(
        "licenses/_transcript_section.html",
        credits=credits,
        total=sum((c.hours for c in credits), Decimal("0")),
        pdf=pdf,
    )


TRANSCRIPT_SECTION_HOOKS.append(transcript_section)


def catalog_filters(args) -> tuple[str, Callable[[list], list]]:
    """The signed-in learner's catalog filters: counts toward one of my licenses, not yet taken."""
    licenses = services.licenses_of(db.session, current_user.id)
    raw = args.get("license", "")
    chosen = next((lic for lic in licenses if raw.isdigit() and lic.id == int(raw)), None)
    not_taken = args.get("not_taken") == "1"
    controls = render_template(
        "licenses/_catalog_filters.html",
        licenses=licenses,
        chosen=chosen.id if chosen else None,
        not_taken=not_taken,
    )

    def keep(revisions: list) -> list:
        if chosen is not None:
            state = services.standing(db.session, chosen)
            revisions = [r for r in revisions if services.counts_toward(state, r)]
        if not_taken:
            taken = set(
                db.session.scalars(
                    select(Enrollment.course_id).where(Enrollment.user_id == current_user.id)
                )
            )
            revisions = [r for r in revisions if r.course_id not in taken]
        return revisions

    return controls, keep


CATALOG_FILTER_HOOKS.append(catalog_filters)
