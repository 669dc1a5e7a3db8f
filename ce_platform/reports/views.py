"""Reports pages for a course's instructors and administrators, and their downloads."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ce_platform.catalog import services as catalog
from ce_platform.core import charts
from ce_platform.core.access import roles_required
from ce_platform.core.errors import BusinessRuleError, ValidationError
from ce_platform.extensions import db
from ce_platform.reports import services
from ce_platform.reports.exports import (
    build_export,
    ce_broker_workbook,
    csv_response,
    xlsx_response,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")

ROSTER_PAGE_SIZE = 100


def export_response(user, course, report: str) -> Response:
    """Build one CSV export, record it in the audit trail, commit, then stream it."""
    filename, header, body = build_export(db.session, course, report)
    services.record_export(
        db.session, actor_id=user.id, course=course, report=report, rows=len(body)
    )
    db.session.commit()
    return csv_response(filename, header, body)


def ce_broker_response(user, course, args) -> Response:
    """CE Broker's Excel upload (full or partial credit), audited; refused rows are left out."""
    credit = args.get("credit", "full")
    if credit not in services.CE_BROKER_CREDIT:
        raise ValidationError(
            "credit must be full or partial.", {"credit": list(services.CE_BROKER_CREDIT)}
        )
    export = services.ce_broker(db.session, course, credit)
    if export.problem:
        raise BusinessRuleError(
            f"This course cannot be reported to CE Broker: {export.problem}.",
            {"problem": export.problem},
        )
    services.record_export(
        db.session,
        actor_id=user.id,
        course=course,
        report=f"ce-broker-{credit}",
        rows=len(export.rows),
    )
    db.session.commit()
    return xlsx_response(f"{course.slug}-ce-broker-{credit}.xlsx", ce_broker_workbook(export.rows))


@bp.get("/")
@roles_required("instructor")
def index():
    courses = catalog.managed_courses(db.session, current_user)
    return render_template(
        "reports/index.html", courses=services.course_overview(db.session, courses)
    )


@bp.get("/courses/<slug>/")
@roles_required("instructor")
def course(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    ce_broker = services.ce_broker(db.session, course, "full")
    partial = services.ce_broker(db.session, course, "partial")
    refused_in_full = {refusal.certificate_number for refusal in ce_broker.refused}
    partial_refused = [r for r in partial.refused if r.certificate_number not in refused_in_full]
    total = services.enrollment_count(db.session, course)
    pages = max(1, -(-total // ROSTER_PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return render_template(
        "reports/course.html",
        course=course,
        revision=course.current_revision,
        rows=services.roster(
            db.session, course, offset=(page - 1) * ROSTER_PAGE_SIZE, limit=ROSTER_PAGE_SIZE
        ),
        total=total,
        page=page,
        pages=pages,
        ce_broker=ce_broker,
        ce_broker_partial_refused=partial_refused,
        ce_broker_numbers=course.current_revision.ce_broker or {},
    )


@bp.get("/courses/<slug>/roster.csv")
@roles_required("instructor")
def roster_csv(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    return export_response(current_user, course, "roster")


@bp.get("/courses/<slug>/completions.csv")
@roles_required("instructor")
def completions_csv(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    return export_response(current_user, course, "completions")


@bp.get("/courses/<slug>/ce-broker.xlsx")
@roles_required("instructor")
def ce_broker_xlsx(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    return ce_broker_response(current_user, course, request.args)


@bp.get("/courses/<slug>/item-analysis")
@roles_required("instructor")
def item_analysis(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    return render_template(
        "reports/item_analysis.html",
        course=course,
        revision=course.current_revision,
        items=services.item_analysis(db.session, course),
        groups=services.items_by_objective(
            course.current_revision.objectives, services.item_analysis(db.session, course)
        ),
        thresholds={
            "min_responses": services.MIN_RESPONSES,
            "too_easy": services.TOO_EASY,
            "too_hard": services.TOO_HARD,
            "group_share": round(services.GROUP_SHARE * 100),
        },
    )


@bp.get("/courses/<slug>/evaluations")
@roles_required("instructor")
def evaluations(slug: str):
    course = services.managed_course(db.session, current_user, slug)
    return render_template(
        "reports/evaluations.html",
        course=course,
        revision=course.current_revision,
        summary=services.evaluation_summary(db.session, course),
    )


# Charts are drawn from the reports' output as it is, in the page layer.


@bp.app_template_global()
def difficulty_plot(items) -> Markup:
    """Each question's difficulty against its discrimination, for the item-analysis page."""
    points = [
        (item.key, item.difficulty, item.point_biserial)
        for item in items
        if item.difficulty is not None and item.point_biserial is not None
    ]
    return charts.scatter_plot(
        "difficulty-plot",
        "Question difficulty against discrimination",
        points,
        x_label="Difficulty (share correct)",
        y_label="Point-biserial",
        x_range=(0.0, 1.0),
        y_range=(-1.0, 1.0),
    )


@bp.app_template_global()
def rating_chart(rating) -> Markup:
    """How many learners gave each rating from 1 to 5 to one evaluation item."""
    return charts.bar_chart(
        f"rating-{rating.id}",
        f"Ratings of: {rating.prompt}",
        [(str(n), rating.distribution.get(n, 0)) for n in range(1, 6)],
    )
