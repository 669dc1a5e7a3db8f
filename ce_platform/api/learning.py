"""/api/v1 enrollment, progress, post-test attempts and the evaluation."""

from __future__ import annotations

from datetime import date

from flask import g, url_for

from ce_platform.api import bp, token_required, validated
from ce_platform.api.schemas import AttemptAnswers, EvaluationAnswers
from ce_platform.catalog import services as catalog
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import Enrollment, LessonProgress, QuizAttempt


def enrollment_json(enrollment: Enrollment | services.EnrollmentSummary) -> dict:
    requirements = services.requirements(enrollment)
    return {
        "id": enrollment.id,
        "course": enrollment.course.slug,
        "title": enrollment.revision.title,
        "revision": enrollment.revision.number,
        "status": services.status(enrollment, requirements),
        "progress": services.progress_percent(enrollment, requirements),
        "seat_time": {
            "floor_minutes": enrollment.revision.seat_time_floor,
            "active_seconds": services.active_seconds(enrollment),
            "minutes_needed": services.seat_minutes_needed(enrollment),
        },
        "enrolled_at": enrollment.enrolled_at.isoformat(),
        "completed_at": enrollment.completed_at.isoformat() if enrollment.completed_at else None,
        "requirements": [
            {"code": r.code, "label": r.label, "met": r.met, "detail": r.detail}
            for r in requirements
        ],
        "unmet": [r.label for r in requirements if not r.met],
    }


def progress_json(progress: LessonProgress) -> dict:
    return {
        "lesson": progress.lesson.slug,
        "opened_at": progress.first_opened_at.isoformat(),
        "completed_at": progress.completed_at.isoformat() if progress.completed_at else None,
        "active_seconds": progress.active_seconds,
    }


def missed_json(attempt: QuizAttempt) -> list[dict]:
    """The objectives a failed attempt missed, each with links to the lessons that teach it."""
    slug = attempt.enrollment.course.slug
    return [
        {
            "number": missed.number,
            "objective": missed.text,
            "lessons": [
                {
                    "slug": lesson.slug,
                    "title": lesson.title,
                    "url": url_for("learning.lesson", slug=slug, lesson_slug=lesson.slug),
                }
                for lesson in missed.lessons
            ],
        }
        for missed in services.missed_objectives(attempt)
    ]


def attempt_json(attempt: QuizAttempt) -> dict:
    body = {
        "id": attempt.id,
        "number": attempt.number,
        "started_at": attempt.started_at.isoformat(),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "questions": services.attempt_questions(attempt),
    }
    if attempt.submitted_at is not None:
        body.update(score=attempt.score, passed=attempt.passed)
        if not attempt.passed:
            body["missed_objectives"] = missed_json(attempt)
        if services.reveal_allowed(attempt):
            body["results"] = services.attempt_results(attempt)
    return body


def _enrollment(slug: str) -> Enrollment:
    return services.require_enrollment_in(db.session, g.api_user, slug)


@bp.post("/courses/<slug>/enrollment")
@token_required
def enroll(slug: str):
    course = catalog.get_course(db.session, slug)
    enrollment, created = services.enroll(db.session, g.api_user, course, today=date.today())
    db.session.commit()
    return {"enrollment": enrollment_json(enrollment)}, 201 if created else 200


@bp.get("/enrollments")
@token_required
def list_enrollments():
    enrollments = services.list_enrollments(db.session, g.api_user)
    return {"enrollments": [enrollment_json(e) for e in enrollments]}


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@token_required
def complete_lesson(slug: str, lesson_slug: str):
    enrollment = _enrollment(slug)
    lesson = catalog.find_lesson(enrollment.revision, lesson_slug)
    progress = services.complete_lesson(db.session, enrollment, lesson)
    db.session.commit()
    return {"progress": progress_json(progress), "enrollment": enrollment_json(enrollment)}


@bp.post("/courses/<slug>/lessons/<lesson_slug>/heartbeat")
@token_required
def heartbeat(slug: str, lesson_slug: str):
    enrollment = _enrollment(slug)
    lesson = catalog.find_lesson(enrollment.revision, lesson_slug)
    credited = services.heartbeat(db.session, enrollment, lesson, now=utcnow())
    body = {"credited": credited, "minutes_needed": services.seat_minutes_needed(enrollment)}
    db.session.commit()
    return body


@bp.post("/courses/<slug>/quiz/attempts")
@token_required
def start_attempt(slug: str):
    enrollment = _enrollment(slug)
    attempt, created = services.start_attempt(db.session, enrollment)
    body = {"attempt": attempt_json(attempt)}  # before the commit expires what it reads
    db.session.commit()
    return body, 201 if created else 200


@bp.get("/quiz/attempts/<int:attempt_id>")
@token_required
def get_attempt(attempt_id: int):
    return {"attempt": attempt_json(services.get_attempt(db.session, attempt_id, g.api_user))}


@bp.post("/quiz/attempts/<int:attempt_id>/submit")
@token_required
def submit_attempt(attempt_id: int):
    attempt = services.get_attempt(db.session, attempt_id, g.api_user)
    answers = validated(AttemptAnswers).answers
    grade = services.submit_attempt(db.session, attempt, answers)
    db.session.commit()
    body = {"score": grade.score, "passed": grade.passed, "attempts_left": grade.attempts_left}
    if not grade.passed:
        body["missed_objectives"] = missed_json(attempt)
    if grade.reveal:
        body["results"] = services.attempt_results(attempt)
    return body


@bp.get("/courses/<slug>/evaluation")
@token_required
def evaluation_questions(slug: str):
    enrollment = _enrollment(slug)
    return {
        "questions": services.evaluation_questions(enrollment.revision),
        "attestation": "I completed this course myself.",
        "submitted": enrollment.evaluation is not None,
    }


@bp.post("/courses/<slug>/evaluation")
@token_required
def submit_evaluation(slug: str):
    enrollment = _enrollment(slug)
    data = validated(EvaluationAnswers)
    services.submit_evaluation(db.session, enrollment, data.answers, data.attestation)
    db.session.commit()
    return {"enrollment": enrollment_json(enrollment)}, 201
