"""Learning rules: enrollment, progress and seat time, post-test attempts, evaluation, the gate."""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ce_platform import content
from ce_platform.accounts.models import User
from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Course, CourseRevision, Lesson, Question
from ce_platform.core import audit
from ce_platform.core.errors import BusinessRuleError, Conflict, NotFound, ValidationError
from ce_platform.core.models import insert_once, utcnow
from ce_platform.core.validation import whole_number
from ce_platform.learning.models import Enrollment, Evaluation, LessonProgress, QuizAttempt
from ce_platform.learning.questions import QUESTION_TYPES

HEARTBEAT_CAP_SECONDS = 60

# --- enrollment ----------------------------------------------------------------------------


def get_enrollment(session, user: User, course: Course) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )


def lesson_context(
    session, user: User, slug: str
) -> tuple[Course, Enrollment | None, catalog.RevisionOutline, int | None]:
    """For a lesson page, in one query: the course, the learner's enrollment (if any), the
    revision they read (their pinned one, else the current one) as a cached outline, and the
    active minutes they still need (None when not enrolled)."""
    revision_id = func.coalesce(Enrollment.revision_id, Course.current_revision_id)
    seat_seconds = (
        select(func.coalesce(func.sum(LessonProgress.active_seconds), 0))
        .where(LessonProgress.enrollment_id == Enrollment.id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            Course,
            Enrollment,
            CourseRevision.id,
            CourseRevision.published_at,
            CourseRevision.ce_hours,
            CourseRevision.min_minutes,
            seat_seconds,
        )
        .outerjoin(
            Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.user_id == user.id)
        )
        .join(CourseRevision, CourseRevision.id == revision_id)
        .where(Course.slug == slug)
    ).first()
    if row is None:
        raise NotFound(f"There is no course '{slug}'.")
    course, enrollment, revision_id, published_at, ce_hours, min_minutes, seconds = row
    needed = None
    if enrollment is not None:
        needed = _minutes_missing(content.seat_time_floor(ce_hours, min_minutes), int(seconds or 0))
    outline = catalog.revision_outline(session, revision_id, published_at)
    return course, enrollment, outline, needed


def enroll(session, user: User, course: Course, *, today: date) -> tuple[Enrollment, bool]:
    """Enroll once, pinned to the current revision; (enrollment, created)."""
    existing = get_enrollment(session, user, course)
    if existing is not None:
        return existing, False
    revision = course.current_revision
    if not revision.is_open_on(today):
        raise BusinessRuleError(
            f"'{revision.title}' passed its review date on {revision.review_by.isoformat()} "
            "and is closed to new learners."
        )
    enrollment, created = insert_once(
        session,
        lambda: Enrollment(user_id=user.id, course_id=course.id, revision_id=revision.id),
        lambda: get_enrollment(session, user, course),  # a concurrent request enrolled first
    )
    if not created:
        return enrollment, False
    audit.record(
        session,
        "enrollment.created",
        actor_id=user.id,
        subject_type="enrollment",
        subject_id=enrollment.id,
        data={"course": course.slug, "revision": revision.number},
    )
    return enrollment, True


def require_enrollment(session, user: User, course: Course) -> Enrollment:
    enrollment = get_enrollment(session, user, course)
    if enrollment is None:
        raise BusinessRuleError("Enroll in this course first.")
    return enrollment


def require_enrollment_in(session, user: User, slug: str) -> Enrollment:
    """The user's enrollment in the course a URL names: 404 without such a course, 422 when
    the user is not enrolled in it."""
    return require_enrollment(session, user, catalog.get_course(session, slug))


def learner_revision(session, user: User | None, course: Course) -> CourseRevision:
    """The revision a learner sees: their pinned one if enrolled, else the current one."""
    if user is not None:
        enrollment = get_enrollment(session, user, course)
        if enrollment is not None:
            return enrollment.revision
    return course.current_revision


@dataclass(frozen=True)
class ProgressSummary:
    lesson_id: int
    completed_at: datetime | None
    active_seconds: int


@dataclass(frozen=True)
class AttemptSummary:
    number: int
    submitted_at: datetime | None
    score: int | None
    passed: bool | None


@dataclass(frozen=True)
class EvaluationSummary:
    attested: bool


@dataclass(frozen=True)
class CourseSummary:
    slug: str


@dataclass(frozen=True)
class RevisionSummary:
    id: int
    number: int
    title: str
    ce_hours: Decimal
    min_minutes: int
    passing_score: int
    max_attempts: int | None
    lessons: tuple[catalog.LessonView, ...]

    @property
    def seat_time_floor(self) -> int:
        """The same floor as CourseRevision.seat_time_floor, from the summary's columns."""
        return content.seat_time_floor(self.ce_hours, self.min_minutes)


@dataclass(frozen=True)
class EnrollmentSummary:
    """An enrollment with what the completion gate reads (the same attribute names as the
    model), read with plain column queries: the dashboard's and the API's list."""

    id: int
    enrolled_at: datetime
    completed_at: datetime | None
    course: CourseSummary
    revision: RevisionSummary
    progress: tuple[ProgressSummary, ...]
    attempts: tuple[AttemptSummary, ...]
    evaluation: EvaluationSummary | None


def _by_enrollment(session, user: User, summary, model, columns, order) -> dict[int, list]:
    """`model`'s rows for all the user's enrollments, as `summary(*columns)`, by enrollment id."""
    out: dict[int, list] = {}
    for enrollment_id, *values in session.execute(
        select(model.enrollment_id, *columns)
        .join(Enrollment, Enrollment.id == model.enrollment_id)
        .where(Enrollment.user_id == user.id)
        .order_by(order)
    ):
        out.setdefault(enrollment_id, []).append(summary(*values))
    return out


def list_enrollments(session, user: User) -> list[EnrollmentSummary]:
    """The learner's enrollments, newest first, in four queries whatever their number."""
    rows = session.execute(
        select(
            Enrollment.id,
            Enrollment.enrolled_at,
            Enrollment.completed_at,
            Course.slug,
            CourseRevision.id,
            CourseRevision.number,
            CourseRevision.title,
            CourseRevision.ce_hours,
            CourseRevision.min_minutes,
            CourseRevision.passing_score,
            CourseRevision.max_attempts,
            CourseRevision.published_at,
        )
        .join(Course, Course.id == Enrollment.course_id)
        .join(CourseRevision, CourseRevision.id == Enrollment.revision_id)
        .where(Enrollment.user_id == user.id)
        .order_by(Enrollment.enrolled_at.desc(), Enrollment.id.desc())
    ).all()
    if not rows:
        return []
    progress = _by_enrollment(
        session,
        user,
        ProgressSummary,
        LessonProgress,
        (LessonProgress.lesson_id, LessonProgress.completed_at, LessonProgress.active_seconds),
        LessonProgress.id,
    )
    attempts = _by_enrollment(
        session,
        user,
        AttemptSummary,
        QuizAttempt,
        (QuizAttempt.number, QuizAttempt.submitted_at, QuizAttempt.score, QuizAttempt.passed),
        QuizAttempt.number,
    )
    evaluations = dict(
        session.execute(
            select(Evaluation.enrollment_id, Evaluation.attested)
            .join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
            .where(Enrollment.user_id == user.id)
        ).all()
    )
    out = []
    for enrollment_id, enrolled_at, completed_at, slug, revision_id, *fields, published in rows:
        outline = catalog.revision_outline(session, revision_id, published)
        out.append(
            EnrollmentSummary(
                id=enrollment_id,
                enrolled_at=enrolled_at,
                completed_at=completed_at,
                course=CourseSummary(slug),
                revision=RevisionSummary(revision_id, *fields, lessons=outline.lessons),
                progress=tuple(progress.get(enrollment_id, ())),
                attempts=tuple(attempts.get(enrollment_id, ())),
                evaluation=(
                    EvaluationSummary(bool(evaluations[enrollment_id]))
                    if enrollment_id in evaluations
                    else None
                ),
            )
        )
    return out


COURSE_BADGES = {"enrolled": "Enrolled", "in_progress": "In progress", "complete": "Completed"}


def course_badges(session, user: User, course_ids: list[int]) -> dict[int, str]:
    """The learner's stage in each of these courses, for the catalog cards, in one query:
    enrolled, in progress once a lesson is complete or a post-test started, completed."""
    if not course_ids:
        return {}
    started = (
        select(LessonProgress.id)
        .where(
            LessonProgress.enrollment_id == Enrollment.id, LessonProgress.completed_at.is_not(None)
        )
        .correlate(Enrollment)
        .exists()
    )
    attempted = (
        select(QuizAttempt.id)
        .where(QuizAttempt.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .exists()
    )
    rows = session.execute(
        select(Enrollment.course_id, Enrollment.status, started | attempted).where(
            Enrollment.user_id == user.id, Enrollment.course_id.in_(course_ids)
        )
    )
    out = {}
    for course_id, state, begun in rows:
        stage = "complete" if state == "complete" else "in_progress" if begun else "enrolled"
        out[course_id] = COURSE_BADGES[stage]
    return out


# --- lessons and seat time -----------------------------------------------------------------


def _progress(session, enrollment: Enrollment, lesson: Lesson) -> LessonProgress | None:
    return session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson.id
        )
    )


def _check_lesson(enrollment: Enrollment, lesson: Lesson) -> None:
    if lesson.revision_id != enrollment.revision_id:
        raise NotFound("This lesson is not part of your course.")


def open_lesson(session, enrollment: Enrollment, lesson: Lesson) -> LessonProgress:
    """Record that a lesson was opened (the first time only)."""
    _check_lesson(enrollment, lesson)
    progress = _progress(session, enrollment, lesson)
    if progress is None:
        progress, _ = insert_once(
            session,
            lambda: LessonProgress(
                enrollment_id=enrollment.id, lesson_id=lesson.id, active_seconds=0
            ),
            lambda: _progress(session, enrollment, lesson),  # opened concurrently
        )
        session.expire(enrollment, ["progress"])
    return progress


def complete_lesson(session, enrollment: Enrollment, lesson: Lesson) -> LessonProgress:
    progress = open_lesson(session, enrollment, lesson)
    if progress.completed_at is None:
        progress.completed_at = utcnow()
        session.flush()
        refresh_completion(session, enrollment)
    return progress


def heartbeat(session, enrollment: Enrollment, lesson: Lesson, *, now: datetime) -> int:
    """Credit the wall-clock time since the learner's last credited heartbeat (at most 60 s)
    to this lesson; return the seconds credited.

    The enrollment's clock, not the lesson's, decides, and no earlier than the learner's last
    heartbeat in another course: heartbeats from several lessons, tabs or courses share one
    timeline, so parallel pages never add up. A conditional UPDATE moves that clock
    from the value this request read to `now`; a concurrent request that moved it first makes
    the UPDATE match nothing, and the clock is read again, so every second is credited once.
    """
    progress = open_lesson(session, enrollment, lesson)
    # One learner reads one page at a time: the heartbeats of all their courses take turns
    # (a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
    session.execute(select(User.id).where(User.id == enrollment.user_id).with_for_update())
    credited = 0
    for _ in range(5):  # each retry means another request credited the interval meanwhile
        previous = session.scalar(
            select(Enrollment.last_heartbeat_at).where(Enrollment.id == enrollment.id)
        )
        if previous is not None and now <= previous:
            break  # this moment is already credited
        # Time another of the learner's courses already credited is not credited again.
        elsewhere = session.scalar(
            select(func.max(Enrollment.last_heartbeat_at)).where(
                Enrollment.user_id == enrollment.user_id, Enrollment.id != enrollment.id
            )
        )
        same_clock = (
            Enrollment.last_heartbeat_at.is_(None)
            if previous is None
            else Enrollment.last_heartbeat_at == previous
        )
        claimed = session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment.id, same_clock)
            .values(last_heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            if previous is not None:
                since = previous if elsewhere is None else max(previous, elsewhere)
                elapsed = (now - since).total_seconds()
                credited = int(max(0, min(elapsed, HEARTBEAT_CAP_SECONDS)))
            session.execute(
                update(LessonProgress)
                .where(LessonProgress.id == progress.id)
                .values(
                    active_seconds=LessonProgress.active_seconds + credited,
                    last_heartbeat_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            break
    session.expire(progress, ["active_seconds", "last_heartbeat_at"])
    session.expire(enrollment, ["last_heartbeat_at", "progress"])
    return credited


def active_seconds(enrollment: Enrollment) -> int:
    return sum(p.active_seconds for p in enrollment.progress)


def _minutes_missing(floor_minutes: int, seconds: int) -> int:
    """Round up, so a learner is never told 0 minutes while seconds are still missing."""
    return max(0, -(-(floor_minutes * 60 - seconds) // 60))


def seat_minutes_needed(enrollment: Enrollment) -> int:
    """Whole minutes of active reading still missing before the floor is met (0 when met)."""
    return _minutes_missing(enrollment.revision.seat_time_floor, active_seconds(enrollment))


# --- the completion gate -------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    met: bool
    detail: str


def requirements(enrollment: Enrollment) -> list[Requirement]:
    """Every requirement of the CE completion gate, in CE_RULES order, each met or not."""
    revision = enrollment.revision
    lessons = revision.lessons
    done = {p.lesson_id for p in enrollment.progress if p.completed_at is not None}
    remaining = [lesson.title for lesson in lessons if lesson.id not in done]
    out = [
        Requirement(
            "lessons",
            "Complete every lesson",
            not remaining,
            f"{len(lessons) - len(remaining)} of {len(lessons)} lessons complete"
            + (f"; still to complete: {', '.join(remaining)}" if remaining else ""),
        )
    ]
    floor = revision.seat_time_floor
    seconds = active_seconds(enrollment)
    needed = seat_minutes_needed(enrollment)
    out.append(
        Requirement(
            "seat_time",
            f"Spend at least {floor} active minutes in the lessons",
            seconds >= floor * 60,
            f"{seconds // 60} of {floor} minutes so far"
            + (f"; {needed} more needed" if needed else ""),
        )
    )
    graded = [a for a in enrollment.attempts if a.submitted_at is not None]
    best = max((a.score for a in graded), default=None)
    passed = any(a.passed for a in graded)
    if passed:
        detail = f"passed with {best}%"
    elif best is None:
        detail = f"not taken yet; {revision.passing_score}% needed"
    else:
        left = attempts_left(enrollment)
        detail = f"best score {best}%; {revision.passing_score}% needed" + (
            "" if left is None else f"; {left} attempt{'s' if left != 1 else ''} left"
        )
    out.append(
        Requirement(
            "post_test", f"Pass the post-test ({revision.passing_score}% or better)", passed, detail
        )
    )
    evaluation = enrollment.evaluation
    out.append(
        Requirement(
            "evaluation",
            "Submit the course evaluation",
            evaluation is not None,
            "submitted" if evaluation else "not submitted yet",
        )
    )
    out.append(
        Requirement(
            "attestation",
            'Attest "I completed this course myself"',
            bool(evaluation and evaluation.attested),
            "attested" if evaluation and evaluation.attested else "given with the evaluation",
        )
    )
    return out


def unmet_requirements(enrollment: Enrollment) -> list[Requirement]:
    return [r for r in requirements(enrollment) if not r.met]


STATUS_LABELS = {
    "in_progress": "In progress",
    "awaiting_post_test": "Awaiting post-test",
    "awaiting_evaluation": "Awaiting evaluation",
    "complete": "Complete",
}


def status(enrollment: Enrollment, gate: list[Requirement] | None = None) -> str:
    """Where the learner stands; `gate` is requirements(enrollment) when already computed."""
    gate = requirements(enrollment) if gate is None else gate
    unmet = {r.code for r in gate if not r.met}
    if not unmet:
        return "complete"
    if unmet & {"lessons", "seat_time"}:
        return "in_progress"
    if "post_test" in unmet:
        return "awaiting_post_test"
    return "awaiting_evaluation"


def progress_percent(enrollment: Enrollment, gate: list[Requirement] | None = None) -> int:
    """Share of the gate met: the lessons one by one, seat time weighing as much as all the
    lessons (in proportion to the floor), then post-test, evaluation and attestation."""
    gate = requirements(enrollment) if gate is None else gate
    lessons = len(enrollment.revision.lessons)
    done = sum(1 for p in enrollment.progress if p.completed_at is not None)
    floor_seconds = enrollment.revision.seat_time_floor * 60
    seat_share = min(1.0, active_seconds(enrollment) / floor_seconds) if floor_seconds else 1.0
    seat = lessons * seat_share
    steps = 2 * lessons + 3  # lessons, seat time, post-test, evaluation, attestation
    met = done + seat + sum(1 for r in gate if r.met and r.code not in ("lessons", "seat_time"))
    return int(100 * met / steps)


def refresh_completion(session, enrollment: Enrollment) -> bool:
    """Mark the enrollment complete once nothing is unmet; return whether it is complete."""
    session.flush()
    session.refresh(enrollment)
    if enrollment.status == "complete":
        return True
    if unmet_requirements(enrollment):
        return False
    enrollment.status = "complete"
    enrollment.completed_at = utcnow()
    audit.record(
        session,
        "enrollment.completed",
        actor_id=enrollment.user_id,
        subject_type="enrollment",
        subject_id=enrollment.id,
        data={"course": enrollment.course.slug, "revision": enrollment.revision.number},
    )
    return True


# --- post-test -----------------------------------------------------------------------------


def option_token(seed: str, question_key: str, option_id: str) -> str:
    """An opaque option id for one attempt, derived from its seed."""
    digest = hashlib.sha256(f"{seed}:{question_key}:{option_id}".encode()).hexdigest()
    return digest[:12]


def _covering_sample(pool: list[Question], count: int, rng: random.Random) -> list[Question]:
    """Draw `count` items so that every objective the pool measures is measured at least once.

    Objectives are visited in random order; one not yet covered gets a random item among
    those that measure it; random items fill the rest. The validator (Q023, Q024) makes sure
    `count` is at least the number of objectives, so the cover always fits.
    """
    objectives = sorted({n for question in pool for n in question.objectives})
    rng.shuffle(objectives)
    chosen: list[Question] = []
    covered: set[int] = set()
    for objective in objectives:
        if objective in covered or len(chosen) == count:
            continue
        candidates = [q for q in pool if objective in q.objectives and q not in chosen]
        pick = rng.choice(candidates)
        chosen.append(pick)
        covered.update(pick.objectives)
    rest = [q for q in pool if q not in chosen]
    return chosen + rng.sample(rest, count - len(chosen))


def new_seed() -> str:
    """An unguessable seed for one attempt's draw, stored so the draw can be replayed."""
    return secrets.token_hex(16)


def draw(questions: list[Question], *, seed: str, count: int, shuffle: bool) -> list[dict]:
    """Pick and order an attempt's questions and options; the same seed gives the same draw."""
    rng = random.Random(seed)
    pool = sorted(questions, key=lambda q: q.position)
    chosen = _covering_sample(pool, count, rng) if count < len(pool) else list(pool)
    if shuffle:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=lambda q: q.position)
    drawn = []
    for question in chosen:
        option_ids = [option["id"] for option in question.options]
        if shuffle:
            rng.shuffle(option_ids)
        drawn.append(
            {
                "question_id": question.id,
                "key": question.key,
                "options": [
                    {"token": option_token(seed, question.key, oid), "id": oid}
                    for oid in option_ids
                ],
            }
        )
    return drawn


def attempts_left(enrollment: Enrollment) -> int | None:
    limit = enrollment.revision.max_attempts
    if not limit:
        return None
    used = sum(1 for a in enrollment.attempts if a.submitted_at is not None)
    return max(0, limit - used)


def open_attempt(enrollment: Enrollment) -> QuizAttempt | None:
    return next((a for a in enrollment.attempts if a.submitted_at is None), None)


def start_attempt(session, enrollment: Enrollment) -> tuple[QuizAttempt, bool]:
    """Return the open attempt, or draw a new one when the rules allow; (attempt, created)."""
    session.refresh(enrollment)
    existing = open_attempt(enrollment)
    if existing is not None:
        return existing, False
    blocking = [
        r for r in requirements(enrollment) if r.code in ("lessons", "seat_time") and not r.met
    ]
    if blocking:
        raise BusinessRuleError(
            "The post-test opens once the lessons are done: "
            + "; ".join(f"{r.label} ({r.detail})" for r in blocking),
            {"unmet": [r.code for r in blocking]},
        )
    if any(a.passed for a in enrollment.attempts):
        raise BusinessRuleError("You have already passed the post-test.")
    if attempts_left(enrollment) == 0:
        raise BusinessRuleError(
            f"All {enrollment.revision.max_attempts} post-test attempts are used; "
            "contact the CE program office if you need help."
        )
    revision = enrollment.revision
    seed = new_seed()
    number = 1 + max((a.number for a in enrollment.attempts), default=0)
    drawn = draw(
        revision.questions,
        seed=seed,
        count=revision.questions_per_attempt,
        shuffle=revision.shuffle,
    )

    def concurrent_start() -> QuizAttempt | None:  # it made this attempt number first
        session.expire(enrollment, ["attempts"])
        return open_attempt(enrollment)

    attempt, created = insert_once(
        session,
        lambda: QuizAttempt(enrollment_id=enrollment.id, number=number, seed=seed, drawn=drawn),
        concurrent_start,
    )
    if not created:
        return attempt, False
    session.expire(enrollment, ["attempts"])
    audit.record(
        session,
        "attempt.started",
        actor_id=enrollment.user_id,
        subject_type="quiz_attempt",
        subject_id=attempt.id,
        data={"enrollment": enrollment.id, "number": number},
    )
    return attempt, True


def _questions_by_id(revision: CourseRevision) -> dict[int, Question]:
    return {q.id: q for q in revision.questions}


def attempt_questions(attempt: QuizAttempt) -> list[dict]:
    """The learner-facing questions: prompts and option HTML under opaque ids, no answer key."""
    questions = _questions_by_id(attempt.enrollment.revision)
    out = []
    for item in attempt.drawn:
        question = questions[item["question_id"]]
        html_by_id = {option["id"]: option["html"] for option in question.options}
        out.append(
            {
                "id": item["key"],
                "prompt_html": question.prompt_html,
                "multiple": question.kind == "multiple",
                "kind": question.kind,
                "options": [
                    {"id": option["token"], "html": html_by_id[option["id"]]}
                    for option in item["options"]
                ],
            }
        )
    return out


def get_attempt(session, attempt_id: int, user: User) -> QuizAttempt:
    """An attempt its owner may see; anyone else is told it does not exist."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.enrollment.user_id != user.id:
        raise NotFound("There is no such post-test attempt.")
    return attempt


@dataclass
class Grade:
    attempt: QuizAttempt
    score: int
    passed: bool
    attempts_left: int | None
    reveal: bool


def check_answers(attempt: QuizAttempt, answers: object) -> dict[str, list[str]]:
    """Validate an answer sheet against this attempt; every problem is named, nothing stored."""
    if not isinstance(answers, dict):
        raise ValidationError("answers must be an object of question id -> list of option ids.")
    drawn = {item["key"]: item for item in attempt.drawn}
    questions = _questions_by_id(attempt.enrollment.revision)
    problems: dict[str, str] = {}
    for key, chosen in answers.items():
        if key not in drawn:
            problems[str(key)] = "not a question of this attempt"
        elif not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            problems[key] = "must be a list of option ids"
        else:
            tokens = {option["token"] for option in drawn[key]["options"]}
            unknown = [c for c in chosen if c not in tokens]
            kind = QUESTION_TYPES[questions[drawn[key]["question_id"]].kind]
            shape = kind.check_answer(chosen)
            if unknown:
                problems[key] = f"unknown option id(s): {', '.join(unknown)}"
            elif shape:
                problems[key] = shape
    for key in drawn:
        if key not in answers:
            problems[key] = "not answered"
    if problems:
        listed = "; ".join(f"{k}: {v}" for k, v in problems.items())
        raise ValidationError(f"The answers cannot be graded: {listed}", problems)
    return answers  # type: ignore[return-value]


def grade_answers(
    drawn: list[dict], questions: dict[int, Question], answers: dict[str, list[str]]
) -> tuple[list[dict], int]:
    """Grade a checked answer sheet against a draw: (per-item results, score in percent)."""
    results = []
    correct_count = 0
    for item in drawn:
        question = questions[item["question_id"]]
        token_to_id = {option["token"]: option["id"] for option in item["options"]}
        chosen_ids = {token_to_id[t] for t in answers[item["key"]]}
        correct_ids = {option["id"] for option in question.options if option["correct"]}
        is_correct = QUESTION_TYPES[question.kind].is_correct(chosen_ids, correct_ids)
        correct_count += is_correct
        results.append({"key": item["key"], "correct": is_correct, "chosen": sorted(chosen_ids)})
    return results, round(100 * correct_count / len(drawn))


def is_passing(score: int, passing_score: int) -> bool:
    """A score passes when it reaches the course's passing score."""
    return score >= passing_score


def submit_attempt(session, attempt: QuizAttempt, answers: object) -> Grade:
    """Grade an attempt exactly once, on the server."""
    if attempt.submitted_at is not None:
        raise Conflict("This attempt was already submitted and graded.")
    answers = check_answers(attempt, answers)
    enrollment = attempt.enrollment
    revision = enrollment.revision
    results, score = grade_answers(attempt.drawn, _questions_by_id(revision), answers)
    passed = is_passing(score, revision.passing_score)
    # Only one request may move the attempt from open to graded.
    claimed = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(),
            responses=answers,
            results=results,
            score=score,
            passed=passed,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict("This attempt was already submitted and graded.")
    session.refresh(attempt)
    session.expire(enrollment, ["attempts"])
    audit.record(
        session,
        "attempt.submitted",
        actor_id=enrollment.user_id,
        subject_type="quiz_attempt",
        subject_id=attempt.id,
        data={"score": score, "passed": passed, "number": attempt.number},
    )
    left = attempts_left(enrollment)
    refresh_completion(session, enrollment)
    return Grade(attempt, score, passed, left, reveal_allowed(attempt))


def reveal_allowed(attempt: QuizAttempt) -> bool:
    """Whether this graded attempt may show correct options, feedback and explanations."""
    if attempt.submitted_at is None:
        return False
    policy = attempt.enrollment.revision.reveal
    if policy == "after_each":
        return True
    if policy == "after_pass":
        enrollment = attempt.enrollment
        return any(a.passed for a in enrollment.attempts) or attempts_left(enrollment) == 0
    return False


@dataclass(frozen=True)
class MissedObjective:
    """A course objective a failed attempt missed, with the lessons that teach it."""

    number: int
    text: str
    lessons: tuple[Lesson, ...]


def missed_objectives(attempt: QuizAttempt) -> list[MissedObjective]:
    """What a failed attempt tells the learner to review: the objectives of the items they got
    wrong, never which items or options, so the key stays hidden until the reveal policy allows.
    """
    if attempt.submitted_at is None or attempt.passed or not attempt.results:
        return []
    revision = attempt.enrollment.revision
    questions = _questions_by_id(revision)
    keys = {item["key"]: item["question_id"] for item in attempt.drawn}
    missed: set[int] = set()
    for result in attempt.results:
        if not result["correct"]:
            missed.update(questions[keys[result["key"]]].objectives)
    out = []
    for number in sorted(missed):
        if not 1 <= number <= len(revision.objectives):
            continue
        lessons = tuple(lesson for lesson in revision.lessons if number in lesson.objectives)
        out.append(MissedObjective(number, revision.objectives[number - 1], lessons))
    return out


def attempt_results(attempt: QuizAttempt) -> list[dict]:
    """Per-question results with the key, feedback and explanation (only once revealed)."""
    if not reveal_allowed(attempt):
        raise BusinessRuleError("Results with answers are not available for this attempt.")
    questions = _questions_by_id(attempt.enrollment.revision)
    by_key = {r["key"]: r for r in attempt.results}
    out = []
    for item in attempt.drawn:
        question = questions[item["question_id"]]
        options = {o["id"]: o for o in question.options}
        chosen = set(by_key[item["key"]]["chosen"])
        out.append(
            {
                "id": item["key"],
                "prompt_html": question.prompt_html,
                "correct": by_key[item["key"]]["correct"],
                "explanation_html": question.explanation_html,
                "options": [
                    {
                        "id": option["token"],
                        "html": options[option["id"]]["html"],
                        "chosen": option["id"] in chosen,
                        "correct": options[option["id"]]["correct"],
                        "feedback_html": options[option["id"]]["feedback_html"],
                    }
                    for option in item["options"]
                ],
            }
        )
    return out


# --- evaluation ----------------------------------------------------------------------------

STANDARD_ITEMS = (
    {"id": "relevant", "type": "rating", "prompt": "The content was relevant to my practice."},
    {"id": "level", "type": "rating", "prompt": "The content was presented at the stated level."},
    {"id": "knowledgeable", "type": "rating", "prompt": "The author(s) were knowledgeable."},
    {
        "id": "bias_free",
        "type": "choice",
        "prompt": "The material was free of commercial bias.",
        "choices": ["yes", "no"],
    },
    {
        "id": "minutes",
        "type": "number",
        "prompt": "How many minutes did the course take you?",
        "min": 1,
        "max": 1440,
    },
    {
        "id": "recommend",
        "type": "choice",
        "prompt": "Would you recommend this course to a colleague?",
        "choices": ["yes", "no"],
    },
    {"id": "comments", "type": "text", "prompt": "Comments (optional)", "max_length": 2000},
)


def evaluation_questions(revision: CourseRevision) -> list[dict]:
    """One rating per learning objective, then the standard items of CE_RULES.md."""
    items = [
        {
            "id": f"objective_{n}",
            "type": "rating",
            "prompt": f"The course met this objective: {objective}",
        }
        for n, objective in enumerate(revision.objectives, start=1)
    ]
    items.extend(dict(item) for item in STANDARD_ITEMS)
    for item in items:
        if item["type"] == "rating":
            item.update({"min": 1, "max": 5})
        item["required"] = item["type"] != "text"
    return items


def check_evaluation(revision: CourseRevision, answers: object) -> dict:
    if not isinstance(answers, dict):
        raise ValidationError("answers must be an object of question id -> answer.")
    questions = {q["id"]: q for q in evaluation_questions(revision)}
    problems: dict[str, str] = {}
    clean: dict[str, object] = {}
    for key in answers:
        if key not in questions:
            problems[str(key)] = "not a question of this evaluation"
    for key, question in questions.items():
        value = answers.get(key)
        if value is None or value == "":
            if question["required"]:
                problems[key] = "required"
            continue
        kind = question["type"]
        if kind in ("rating", "number"):
            if isinstance(value, str) and whole_number(value) is not None:
                value = whole_number(value)
            if isinstance(value, bool) or not isinstance(value, int):
                problems[key] = "must be a whole number"
            elif not question["min"] <= value <= question["max"]:
                problems[key] = f"must be between {question['min']} and {question['max']}"
        elif kind == "choice":
            if value not in question["choices"]:
                problems[key] = f"must be one of: {', '.join(question['choices'])}"
        elif kind == "text":
            if not isinstance(value, str):
                problems[key] = "must be text"
            elif len(value) > question["max_length"]:
                problems[key] = f"must be at most {question['max_length']} characters"
            else:
                value = value.strip()
        clean[key] = value
    if problems:
        listed = "; ".join(f"{k}: {v}" for k, v in problems.items())
        raise ValidationError(f"The evaluation is incomplete: {listed}", problems)
    return clean


def submit_evaluation(
    session, enrollment: Enrollment, answers: object, attestation: object
) -> Evaluation:
    """Store the one evaluation of an enrollment, with the learner's attestation."""
    if enrollment.evaluation is not None:
        raise Conflict("You have already submitted the evaluation for this course.")
    if not any(a.passed for a in enrollment.attempts):
        raise BusinessRuleError("The evaluation opens after you pass the post-test.")
    try:
        clean = check_evaluation(enrollment.revision, answers)
    except ValidationError as exc:
        if attestation is not True and isinstance(exc.details, dict):
            exc.details["attestation"] = "required"  # report every problem in one round
        raise
    if attestation is not True:
        raise ValidationError(
            'Tick "I completed this course myself" to submit the evaluation.',
            {"attestation": "required"},
        )
    evaluation = Evaluation(enrollment_id=enrollment.id, answers=clean, attested=True)
    try:
        with session.begin_nested():
            session.add(evaluation)
            session.flush()
    except IntegrityError:
        raise Conflict("You have already submitted the evaluation for this course.") from None
    session.expire(enrollment, ["evaluation"])
    audit.record(
        session,
        "evaluation.submitted",
        actor_id=enrollment.user_id,
        subject_type="enrollment",
        subject_id=enrollment.id,
        data={"attested": True},
    )
    refresh_completion(session, enrollment)
    return evaluation
