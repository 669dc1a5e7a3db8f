"""/api/v1 reports: a course's roster, CSV exports, item analysis and evaluation summary."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import g, request

from ce_platform.api import bp, token_required
from ce_platform.api import openapi as doc
from ce_platform.core.validation import bounded_int
from ce_platform.extensions import db
from ce_platform.reports import services
from ce_platform.reports.exports import XLSX
from ce_platform.reports.views import ce_broker_response, export_response


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: float | Decimal | None, places: int = 3) -> float | None:
    return None if value is None else round(float(value), places)


def roster_row_json(row: services.RosterRow) -> dict:
    return {
        "enrollment_id": row.enrollment_id,
        "name": row.name,
        "email": row.email,
        "profession": row.profession,
        "license_number": row.license_number,
        "license_state": row.license_state,
        "revision": row.revision,
        "enrolled_at": _iso(row.enrolled_at),
        "lessons_completed": row.lessons_completed,
        "lessons_total": row.lessons_total,
        "progress": row.progress,
        "attempts_used": row.attempts_used,
        "best_score": row.best_score,
        "passed": row.passed,
        "status": row.status,
        "seat_seconds": row.seat_seconds,
        "seat_floor_minutes": row.seat_floor_minutes,
        "below_seat_floor": row.below_seat_floor,
        "completed_at": _iso(row.completed_at),
        "certificate_number": row.certificate_number,
        "certificate_status": row.certificate_status,
    }


def item_json(item: services.ItemStats) -> dict:
    return {
        "key": item.key,
        "prompt_html": item.prompt_html,
        "kind": item.kind,
        "drawn": item.drawn,
        "correct": item.correct,
        "difficulty": _number(item.difficulty),
        "point_biserial": _number(item.point_biserial),
        "upper_lower": _number(item.upper_lower),
        "flags": item.flags,
        "objectives": list(item.objectives),
        "options": [
            {
                "id": option.id,
                "html": option.html,
                "correct": option.correct,
                "chosen": option.chosen,
                "percent": _number(option.percent, 1),
            }
            for option in item.options
        ],
    }


def evaluation_json(summary: services.EvaluationSummary) -> dict:
    return {
        "count": summary.count,
        "ratings": [
            {
                "id": r.id,
                "prompt": r.prompt,
                "responses": r.responses,
                "mean": _number(r.mean, 2),
                "distribution": {str(k): v for k, v in r.distribution.items()},
            }
            for r in summary.ratings
        ],
        "choices": [
            {
                "id": c.id,
                "prompt": c.prompt,
                "responses": c.responses,
                "counts": c.counts,
                "percent_yes": _number(c.percent_yes, 1),
            }
            for c in summary.choices
        ],
        "numbers": [
            {"id": n.id, "prompt": n.prompt, "responses": n.responses, "mean": _number(n.mean, 2)}
            for n in summary.numbers
        ],
        "comments": [
            {"date": c.submitted_on.isoformat(), "revision": c.revision, "text": c.text}
            for c in summary.comments
        ],
    }


@bp.get("/reports/courses/<slug>/roster")
@token_required
def report_roster(slug: str):
    course = services.managed_course(db.session, g.api_user, slug)
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", ROSTER_PAGE, maximum=ROSTER_PAGE_MAX)
    rows = services.roster(db.session, course, offset=(page - 1) * per_page, limit=per_page)
    total = services.enrollment_count(db.session, course)
    return {
        "rows": [roster_row_json(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


ROSTER_PAGE = 200
ROSTER_PAGE_MAX = 1000


def _positive_int(name: str, default: int, *, maximum: int = 10**6) -> int:
    return bounded_int(request.args.get(name), name, default=default, maximum=maximum)


@bp.get("/reports/courses/<slug>/completions.csv")
@token_required
def report_completions_csv(slug: str):
    course = services.managed_course(db.session, g.api_user, slug)
    return export_response(g.api_user, course, "completions")


@bp.get("/reports/courses/<slug>/ce-broker.xlsx")
@token_required
def report_ce_broker_xlsx(slug: str):
    """Query parameter `credit`: full (default) or partial."""
    course = services.managed_course(db.session, g.api_user, slug)
    return ce_broker_response(g.api_user, course, request.args)


@bp.get("/reports/courses/<slug>/item-analysis")
@token_required
def report_item_analysis(slug: str):
    course = services.managed_course(db.session, g.api_user, slug)
    items = services.item_analysis(db.session, course)
    return {
        "questions": [item_json(item) for item in items],
        "objectives": [
            {
                "number": group.number,
                "objective": group.text,
                "questions": [item.key for item in group.items],
            }
            for group in services.items_by_objective(course.current_revision.objectives, items)
        ],
        "thresholds": {
            "min_responses": services.MIN_RESPONSES,
            "too_easy": services.TOO_EASY,
            "too_hard": services.TOO_HARD,
            "group_share": services.GROUP_SHARE,
        },
    }


@bp.get("/reports/courses/<slug>/evaluations")
@token_required
def report_evaluations(slug: str):
    course = services.managed_course(db.session, g.api_user, slug)
    return evaluation_json(services.evaluation_summary(db.session, course))


# -- OpenAPI ------------------------------------------------------------------------------------

_NULLABLE_NUMBER = {"type": ["number", "null"]}
_NULLABLE_STRING = {"type": ["string", "null"]}
_ROSTER_ROW = doc.obj(
    {
        "enrollment_id": doc.INTEGER,
        "name": doc.STRING,
        "email": doc.STRING,
        "profession": doc.STRING,
        "license_number": doc.STRING,
        "license_state": doc.STRING,
        "revision": doc.INTEGER,
        "enrolled_at": doc.DATETIME,
        "lessons_completed": doc.INTEGER,
        "lessons_total": doc.INTEGER,
        "progress": doc.INTEGER,
        "attempts_used": doc.INTEGER,
        "best_score": {"type": ["integer", "null"]},
        "passed": doc.BOOLEAN,
        "status": {
            "type": "string",
            "enum": ["in_progress", "awaiting_post_test", "awaiting_evaluation", "complete"],
        },
        "seat_seconds": doc.INTEGER,
        "seat_floor_minutes": doc.INTEGER,
        "below_seat_floor": doc.BOOLEAN,
        "completed_at": doc.NULLABLE_DATETIME,
        "certificate_number": _NULLABLE_STRING,
        "certificate_status": _NULLABLE_STRING,
    }
)
_ITEM = doc.obj(
    {
        "key": doc.STRING,
        "prompt_html": doc.STRING,
        "kind": doc.STRING,
        "drawn": doc.INTEGER,
        "correct": doc.INTEGER,
        "difficulty": _NULLABLE_NUMBER,
        "point_biserial": _NULLABLE_NUMBER,
        "upper_lower": _NULLABLE_NUMBER,
        "flags": doc.array({"type": "string", "enum": list(services.FLAG_LABELS)}),
        "objectives": doc.array(doc.INTEGER),
        "options": doc.array(
            doc.obj(
                {
                    "id": doc.STRING,
                    "html": doc.STRING,
                    "correct": doc.BOOLEAN,
                    "chosen": doc.INTEGER,
                    "percent": doc.NUMBER,
                }
            )
        ),
    }
)
_COUNTS = {"type": "object", "additionalProperties": doc.INTEGER}
_EVALUATIONS = doc.obj(
    {
        "count": doc.INTEGER,
        "ratings": doc.array(
            doc.obj(
                {
                    "id": doc.STRING,
                    "prompt": doc.STRING,
                    "responses": doc.INTEGER,
                    "mean": _NULLABLE_NUMBER,
                    "distribution": _COUNTS,
                }
            )
        ),
        "choices": doc.array(
            doc.obj(
                {
                    "id": doc.STRING,
                    "prompt": doc.STRING,
                    "responses": doc.INTEGER,
                    "counts": _COUNTS,
                    "percent_yes": _NULLABLE_NUMBER,
                }
            )
        ),
        "numbers": doc.array(
            doc.obj(
                {
                    "id": doc.STRING,
                    "prompt": doc.STRING,
                    "responses": doc.INTEGER,
                    "mean": _NULLABLE_NUMBER,
                }
            )
        ),
        "comments": doc.array(
            doc.obj(
                {
                    "date": {"type": "string", "format": "date"},
                    "revision": doc.INTEGER,
                    "text": doc.STRING,
                }
            )
        ),
    }
)


def _csv(description: str) -> dict:
    return {
        "200": {
            "description": description,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }


def _paths() -> dict:
    base = "/api/v1/reports/courses/{slug}"
    access = ("403", "404")
    return {
        f"{base}/roster": {
            "get": doc.op(
                "Enrollments with progress, attempts, best score, status, seat time and "
                "certificate, a page at a time (the course's instructors, admins)",
                {
                    "200": (
                        "Roster",
                        doc.obj(
                            {
                                "rows": doc.array(_ROSTER_ROW),
                                "page": doc.INTEGER,
                                "per_page": doc.INTEGER,
                                "total": doc.INTEGER,
                            }
                        ),
                    )
                },
                errors=("400", *access),
                params=(doc.SLUG,),
                query=(
                    ("page", {"type": "integer", "minimum": 1}),
                    ("per_page", {"type": "integer", "minimum": 1, "maximum": ROSTER_PAGE_MAX}),
                ),
            )
        },
        f"{base}/completions.csv": {
            "get": doc.op(
                "Completions as printed on the current certificates (streamed CSV, audited)",
                {},
                errors=access,
                params=(doc.SLUG,),
                raw=_csv("Name, email, profession, license, completion date, hours, credits"),
            )
        },
        f"{base}/ce-broker.xlsx": {
            "get": doc.op(
                "CE Broker's Excel upload of the valid certificates (audited): columns A-H as "
                "its help articles letter them, I-J for partial credit; numbers and codes from "
                "provider.yml and course.md; certificates without a mapping are left out and "
                "listed on the report page",
                {},
                errors=("400", "422", *access),
                params=(doc.SLUG,),
                query=(("credit", {"type": "string", "enum": ["full", "partial"]}),),
                raw={
                    "200": {
                        "description": "Excel workbook, no header row",
                        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                    }
                },
            )
        },
        f"{base}/item-analysis": {
            "get": doc.op(
                "Post-test item analysis: difficulty, point-biserial and upper-lower "
                "discrimination, choice distribution and flags per question",
                {
                    "200": (
                        "Questions",
                        doc.obj(
                            {
                                "questions": doc.array(_ITEM),
                                "objectives": doc.array(
                                    doc.obj(
                                        {
                                            "number": {"type": ["integer", "null"]},
                                            "objective": doc.STRING,
                                            "questions": doc.array(doc.STRING),
                                        }
                                    )
                                ),
                                "thresholds": doc.obj(
                                    {
                                        "min_responses": doc.INTEGER,
                                        "too_easy": doc.NUMBER,
                                        "too_hard": doc.NUMBER,
                                        "group_share": doc.NUMBER,
                                    }
                                ),
                            }
                        ),
                    )
                },
                errors=access,
                params=(doc.SLUG,),
            )
        },
        f"{base}/evaluations": {
            "get": doc.op(
                "Evaluation summary: mean of each rating, yes/no shares, mean minutes, comments",
                {"200": ("Summary", _EVALUATIONS)},
                errors=access,
                params=(doc.SLUG,),
            )
        },
    }


doc.EXTRA_PATHS.append(_paths)
