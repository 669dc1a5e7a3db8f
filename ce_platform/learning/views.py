"""Learner pages: enroll, read lessons, take the post-test, evaluate, and the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Course
from ce_platform.catalog.views import CATALOG_BADGE_HOOKS, COURSE_PAGE_HOOKS
from ce_platform.core.errors import COURSE_ERROR_LINKS, BusinessRuleError, CEError, ValidationError
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import Enrollment
from ce_platform.learning.questions import QUESTION_TYPES

bp = Blueprint("learning", __name__)


# Features built on learning say what comes after a complete enrollment (certificates does):
# each takes the ids of complete enrollments and returns {enrollment id: (label, url)}.
FINAL_STEP_HOOKS: list[Callable[[Sequence[int]], dict[int, tuple[str, str]]]] = []


def final_steps(enrollment_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """What comes after the gate for these complete enrollments, in one query per hook."""
    steps: dict[int, tuple[str, str]] = {}
    if enrollment_ids:
        for hook in FINAL_STEP_HOOKS:
            steps.update(hook(enrollment_ids))
    return steps


def next_step(
    enrollment: Enrollment,
    gate: list | None = None,
    final: dict[int, tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """The one thing a learner should do next, as (label, url), read from the completion gate;
    every learner page asks here so no two pages disagree. `gate` is the enrollment's
    requirements and `final` its final_steps() when already computed."""
    slug = enrollment.course.slug
    done = {p.lesson_id for p in enrollment.progress if p.completed_at is not None}
    for lesson in enrollment.revision.lessons:
        if lesson.id not in done:
            return f"Continue: {lesson.title}", url_for(
                "learning.lesson", slug=slug, lesson_slug=lesson.slug
            )
    gate = services.requirements(enrollment) if gate is None else gate
    unmet = {r.code for r in gate if not r.met}
    if "seat_time" in unmet:
        first = enrollment.revision.lessons[0]
        return "Spend more time with the lessons", url_for(
            "learning.lesson", slug=slug, lesson_slug=first.slug
        )
    if "post_test" in unmet:
        if services.attempts_left(enrollment) == 0:
            return "See your post-test attempts", url_for("learning.quiz", slug=slug)
        return "Take the post-test", url_for("learning.quiz", slug=slug)
    if unmet:
        return "Complete the evaluation", url_for("learning.evaluation", slug=slug)
    final = final_steps([enrollment.id]) if final is None else final
    if enrollment.id in final:
        return final[enrollment.id]
    return "Go to your certificate", url_for("catalog.course", slug=slug, _anchor="certificate")


def _course_panel(course, context: dict) -> None:
    """Add the learner's enrollment, pinned revision and remaining requirements to the page."""
    enrollment = None
    if current_user.is_authenticated:
        enrollment = services.get_enrollment(db.session, current_user, course)
    if enrollment is not None:
        context["revision"] = enrollment.revision
    gate = services.requirements(enrollment) if enrollment else []
    context["course_panels"].append(
        render_template(
            "learning/_course_panel.html",
            course=course,
            enrollment=enrollment,
            requirements=gate,
            status=services.status(enrollment, gate) if enrollment else None,
            progress=services.progress_percent(enrollment, gate) if enrollment else None,
            next_step=next_step(enrollment, gate) if enrollment else None,
            open_for_enrollment=context["open_for_enrollment"],
            status_labels=services.STATUS_LABELS,
        )
    )


COURSE_PAGE_HOOKS.append(_course_panel)


def _next_step_link(slug: str) -> tuple[str, str] | None:
    """On an error page about a course, the signed-in learner's next step in it."""
    if not current_user.is_authenticated:
        return None
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    enrollment = services.get_enrollment(db.session, current_user, course) if course else None
    return next_step(enrollment) if enrollment is not None else None


COURSE_ERROR_LINKS.append(_next_step_link)
CATALOG_BADGE_HOOKS.append(
    lambda course_ids: services.course_badges(db.session, current_user, course_ids)
)


@bp.post("/courses/<slug>/enroll")
@login_required
def enroll(slug: str):
    course = catalog.get_course(db.session, slug)
    enrollment, created = services.enroll(db.session, current_user, course, today=date.today())
    db.session.commit()
    if created:
        flash(f"You are enrolled in {enrollment.revision.title}.", "success")
    first = enrollment.revision.lessons[0]
    return redirect(url_for("learning.lesson", slug=slug, lesson_slug=first.slug))


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str):
    course, enrollment, outline, seat_needed = services.lesson_context(
        db.session, current_user, slug
    )
    lesson = catalog.find_lesson(outline, lesson_slug)
    progress = None
    if enrollment is not None:
        progress = services.open_lesson(db.session, enrollment, lesson)
    previous, following = outline.neighbours(lesson)
    page = render_template(
        "learning/lesson.html",
        course=course,
        revision=outline,
        lesson=lesson,
        enrollment=enrollment,
        progress=progress,
        next_step=next_step(enrollment) if progress and progress.completed_at else None,
        seat_minutes_needed=seat_needed,
        previous=previous,
        next=following,
    )
    # Commit after rendering: a commit expires every loaded object, and the template would
    # load the course, the user and the progress all over again.
    db.session.commit()
    return page


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@login_required
def complete_lesson(slug: str, lesson_slug: str):
    enrollment = services.require_enrollment_in(db.session, current_user, slug)
    lesson = catalog.find_lesson(enrollment.revision, lesson_slug)
    services.complete_lesson(db.session, enrollment, lesson)
    db.session.commit()
    lessons = enrollment.revision.lessons
    index = lessons.index(lesson)
    if index + 1 < len(lessons):
        return redirect(url_for("learning.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    label, url = next_step(enrollment)
    flash(f"Lesson complete. Next: {label}.", "success")
    return redirect(url)


@bp.post("/courses/<slug>/lessons/<lesson_slug>/heartbeat")
@login_required
def heartbeat(slug: str, lesson_slug: str):
    enrollment = services.require_enrollment_in(db.session, current_user, slug)
    lesson = catalog.find_lesson(enrollment.revision, lesson_slug)
    credited = services.heartbeat(db.session, enrollment, lesson, now=utcnow())
    body = {"credited": credited, "minutes_needed": services.seat_minutes_needed(enrollment)}
    db.session.commit()
    return body


# --- post-test -----------------------------------------------------------------------------


def _quiz_page(course, enrollment, attempt, *, chosen=None, problems=None) -> str:
    """The post-test page: the open attempt's form (with any answers kept), or how to start."""
    return render_template(
        "learning/quiz.html",
        next_step=next_step(enrollment),
        course=course,
        enrollment=enrollment,
        revision=enrollment.revision,
        attempt=attempt,
        questions=services.attempt_questions(attempt) if attempt else [],
        types=QUESTION_TYPES,
        attempts_left=services.attempts_left(enrollment),
        requirements=services.requirements(enrollment),
        chosen=chosen or {},
        problems=problems or {},
    )


@bp.get("/courses/<slug>/quiz")
@login_required
def quiz(slug: str):
    enrollment = services.require_enrollment_in(db.session, current_user, slug)
    return _quiz_page(enrollment.course, enrollment, services.open_attempt(enrollment))


@bp.post("/courses/<slug>/quiz/start")
@login_required
def start_quiz(slug: str):
    enrollment = services.require_enrollment_in(db.session, current_user, slug)
    try:
        services.start_attempt(db.session, enrollment)
    except BusinessRuleError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("learning.quiz", slug=slug))
    db.session.commit()
    return redirect(url_for("learning.quiz", slug=slug))


@bp.post("/courses/<slug>/quiz/<int:attempt_id>/submit")
@login_required
def submit_quiz(slug: str, attempt_id: int):
    course = catalog.get_course(db.session, slug)
    attempt = services.get_attempt(db.session, attempt_id, current_user)
    if attempt.enrollment.course_id != course.id:
        abort(404)
    answers = {item["key"]: request.form.getlist(f"q-{item['key']}") for item in attempt.drawn}
    answers = {key: chosen for key, chosen in answers.items() if chosen}
    try:
        services.submit_attempt(db.session, attempt, answers)
    except ValidationError as exc:
        db.session.rollback()
        page = _quiz_page(course, attempt.enrollment, attempt, chosen=answers, problems=exc.details)
        return page, 400
    db.session.commit()
    return redirect(url_for("learning.quiz_result", slug=slug, attempt_id=attempt.id))


@bp.get("/courses/<slug>/quiz/<int:attempt_id>")
@login_required
def quiz_result(slug: str, attempt_id: int):
    course = catalog.get_course(db.session, slug)
    attempt = services.get_attempt(db.session, attempt_id, current_user)
    if attempt.enrollment.course_id != course.id:
        abort(404)
    if attempt.submitted_at is None:
        return redirect(url_for("learning.quiz", slug=slug))
    enrollment = attempt.enrollment
    reveal = services.reveal_allowed(attempt)
    return render_template(
        "learning/quiz_result.html",
        course=course,
        enrollment=enrollment,
        revision=enrollment.revision,
        attempt=attempt,
        attempts_left=services.attempts_left(enrollment),
        results=services.attempt_results(attempt) if reveal else None,
        missed=services.missed_objectives(attempt),
        next_step=next_step(enrollment),
    )


# --- evaluation ----------------------------------------------------------------------------


@bp.route("/courses/<slug>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(slug: str):
    enrollment = services.require_enrollment_in(db.session, current_user, slug)
    questions = services.evaluation_questions(enrollment.revision)
    answers: dict = {}
    problems: dict = {}
    status = 200
    if request.method == "POST":
        answers = {q["id"]: request.form.get(q["id"], "") for q in questions}
        try:
            services.submit_evaluation(
                db.session, enrollment, answers, request.form.get("attestation") == "yes"
            )
        except CEError as exc:
            db.session.rollback()
            problems = exc.details if isinstance(exc.details, dict) else {}
            if not problems:  # a field's problem is shown by its question, in the page's words
                flash(exc.message, "error")
            status = exc.status
        else:
            db.session.commit()
            flash("Thank you. Your evaluation is recorded.", "success")
            return redirect(url_for("catalog.course", slug=slug))
    return render_template(
        "learning/evaluation.html",
        next_step=next_step(enrollment),
        course=enrollment.course,
        enrollment=enrollment,
        revision=enrollment.revision,
        questions=questions,
        answers=answers,
        problems=problems,
    ), status


# --- dashboard -----------------------------------------------------------------------------

# Features built on learning annotate dashboard rows (e.g. a revoked certificate) through these,
# so learning never imports them: each hook gets the rows and may add keys to them.
DASHBOARD_HOOKS: list[Callable[[list[dict]], None]] = []
# Features built on learning add whole sections above the courses (programs does).
DASHBOARD_PANELS: list[Callable[[], str]] = []


@bp.get("/my-courses")
@login_required
def dashboard():
    rows = []
    enrollments = services.list_enrollments(db.session, current_user)
    gates = {e.id: services.requirements(e) for e in enrollments}
    final = final_steps([e.id for e in enrollments if not any(not r.met for r in gates[e.id])])
    for e in enrollments:
        gate = gates[e.id]
        rows.append(
            {
                "enrollment": e,
                "status": services.status(e, gate),
                "progress": services.progress_percent(e, gate),
                "next_step": next_step(e, gate, final),
                "unmet": [r for r in gate if not r.met],
            }
        )
    for hook in DASHBOARD_HOOKS:
        hook(rows)
    return render_template(
        "learning/dashboard.html",
        rows=rows,
        status_labels=services.STATUS_LABELS,
        panels=[panel() for panel in DASHBOARD_PANELS],
    )
