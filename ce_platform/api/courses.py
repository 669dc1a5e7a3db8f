"""/api/v1/courses: the catalog, one course, one lesson."""

from __future__ import annotations

from datetime import date

from flask import g

from ce_platform.api import bp, token_required
from ce_platform.catalog import services
from ce_platform.catalog.models import CourseRevision
from ce_platform.extensions import db


def _hours(value) -> float:
    return float(value)


def course_summary_json(revision: CourseRevision) -> dict:
    return {
        "slug": revision.slug,
        "title": revision.title,
        "summary": revision.summary,
        "ce_hours": _hours(revision.ce_hours),
        "credits": {category: _hours(h) for category, h in revision.credits.items()},
        "level": revision.level,
        "lesson_count": len(revision.lessons),
    }


def course_json(revision: CourseRevision) -> dict:
    return {
        **course_summary_json(revision),
        "revision": revision.number,
        "format": revision.format_wording,
        "evolving": revision.evolving,
        "objectives": revision.objectives,
        "authors": revision.authors,
        "commercial_support": revision.commercial_support,
        "specimen_provider": bool(revision.provider.get("specimen")),
        "accreditations": [
            {"body": a["body"], "statement": a["statement"]} for a in revision.accreditations
        ],
        "open_for_enrollment": revision.is_open_on(date.today()),
        "lessons": [
            {"slug": lesson.slug, "title": lesson.title, "minutes": lesson.minutes}
            for lesson in revision.lessons
        ],
        "quiz": {
            "passing_score": revision.passing_score,
            "max_attempts": revision.max_attempts,
            "questions_per_attempt": revision.questions_per_attempt,
        },
    }


@bp.get("/courses")
def list_courses():
    return services.catalog_payload(db.session, course_summary_json, today=date.today())


@bp.get("/courses/<slug>")
def get_course(slug: str):
    return course_json(services.get_course(db.session, slug).current_revision)


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@token_required
def get_lesson(slug: str, lesson_slug: str):
    from ce_platform.learning import services as learning

    course = services.get_course(db.session, slug)
    revision = learning.learner_revision(db.session, g.api_user, course)
    lesson = services.find_lesson(revision, lesson_slug)
    return {
        "slug": lesson.slug,
        "title": lesson.title,
        "html": lesson.html,
        "position": lesson.position,
        "minutes": lesson.minutes,
    }
