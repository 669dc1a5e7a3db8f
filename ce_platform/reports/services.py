"""Reports for a course's managers: roster, completions, CE Broker roster, item analysis and
evaluation summary. Each function reads; none writes, except `record_export` (the audit trail).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import case, func, or_, select, text
from sqlalchemy.orm import contains_eager, selectinload

from ce_platform.accounts.models import PROFESSIONS, User
from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Course, CourseRevision, Lesson, Question
from ce_platform.certificates.models import Certificate
from ce_platform.core import audit
from ce_platform.core.cache import app_cache
from ce_platform.core.errors import Forbidden
from ce_platform.learning import services as learning
from ce_platform.learning.models import Enrollment, Evaluation, QuizAttempt

# Item analysis thresholds (classical test theory conventions).
MIN_RESPONSES = 5  # fewer draws than this: no verdict on the item
TOO_EASY = 0.9  # difficulty p above this: almost everyone gets it right
TOO_HARD = 0.3  # difficulty p below this: almost everyone gets it wrong
GROUP_SHARE = 0.27  # upper and lower groups for the upper-lower index (Kelley's 27 %)

FLAG_LABELS = {
    "too_few_responses": "Too few responses",
    "too_easy": "Too easy",
    "too_hard": "Too hard",
    "negative_discrimination": "Negatively discriminating",
}


# --- access --------------------------------------------------------------------------------


def managed_course(session, user: User, slug: str) -> Course:
    """The course named by `slug`, if `user` may report on it (404 unknown, 403 otherwise)."""
    course = catalog.get_course(session, slug)
    if not catalog.can_manage(session, user, course):
        raise Forbidden("Reports on this course are for its instructors and administrators.")
    return course


def record_export(session, *, actor_id: int | None, course: Course, report: str, rows: int) -> None:
    """Keep a trace of every export: who took which learners' data, and how much of it."""
    audit.record(
        session,
        "report.exported",
        actor_id=actor_id,
        subject_type="course",
        subject_id=course.slug,
        data={"course": course.slug, "report": report, "rows": rows},
    )


# --- course overview -----------------------------------------------------------------------


@dataclass(frozen=True)
class CourseOverview:
    slug: str
    title: str
    revision: int
    enrolled: int
    completed: int


def course_overview(session, courses: list[Course]) -> list[CourseOverview]:
    """One line per course with its enrollment counts, from a single aggregate query."""
    ids = [course.id for course in courses]
    counts = {
        course_id: (enrolled, completed or 0)
        for course_id, enrolled, completed in session.execute(
            select(
                Enrollment.course_id,
                func.count(Enrollment.id),
                func.sum(case((Enrollment.status == "complete", 1), else_=0)),
            )
            .where(Enrollment.course_id.in_(ids))
            .group_by(Enrollment.course_id)
        )
    }
    out = []
    for course in courses:
        enrolled, completed = counts.get(course.id, (0, 0))
        revision = course.current_revision
        out.append(
            CourseOverview(course.slug, revision.title, revision.number, enrolled, completed)
        )
    return out


# --- roster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    enrollment_id: int
    name: str
    email: str
    profession: str
    license_number: str
    license_state: str
    revision: int
    enrolled_at: datetime
    lessons_completed: int
    lessons_total: int
    progress: int  # percent of the completion gate's steps met
    attempts_used: int
    best_score: int | None
    passed: bool
    status: str
    status_label: str
    seat_seconds: int
    seat_floor_minutes: int  # the floor of the learner's revision
    completed_at: datetime | None
    certificate_number: str | None
    certificate_status: str | None

    @property
    def seat_minutes(self) -> float:
        return round(self.seat_seconds / 60, 1)

    @property
    def below_seat_floor(self) -> bool:
        """A completion with less seat time than its revision requires: one to look into."""
        return self.completed_at is not None and self.seat_seconds < self.seat_floor_minutes * 60


def _current_certificates(
    session, course: Course, enrollment_ids: list[int]
) -> dict[int, Certificate]:
    """Each listed enrollment's current (valid or revoked, never superseded) certificate."""
    return {
        certificate.enrollment_id: certificate
        for certificate in session.scalars(
            select(Certificate).where(
                Certificate.course_id == course.id,
                Certificate.enrollment_id.in_(enrollment_ids),
                Certificate.status != "superseded",
            )
        )
    }


def enrollment_count(session, course: Course) -> int:
    return session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.course_id == course.id)
    )


def roster(
    session, course: Course, *, offset: int = 0, limit: int | None = None
) -> list[RosterRow]:
    """Every enrollment of the course (or one page of them), on any revision, by learner name.

    One query per table: enrollments with their learners, then revisions, lessons, progress,
    attempts, evaluations and certificates, each loaded once for all rows.
    """
    enrollments = session.scalars(
        select(Enrollment)
        .join(User, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id)
        .options(
            contains_eager(Enrollment.user),
            # What the gate reads, and nothing bigger: no lesson HTML, drawn questions,
            # responses, results or evaluation answers.
            selectinload(Enrollment.revision)
            .selectinload(CourseRevision.lessons)
            .load_only(Lesson.slug, Lesson.title, Lesson.position, Lesson.minutes),
            selectinload(Enrollment.progress),
            selectinload(Enrollment.attempts).load_only(
                QuizAttempt.number, QuizAttempt.submitted_at, QuizAttempt.score, QuizAttempt.passed
            ),
            selectinload(Enrollment.evaluation).load_only(Evaluation.attested),
        )
        .order_by(User.full_name, Enrollment.id)
        .offset(offset)
        .limit(limit)
    ).all()
    certificates = _current_certificates(session, course, [e.id for e in enrollments])
    rows = []
    for enrollment in enrollments:
        user = enrollment.user
        graded = [a for a in enrollment.attempts if a.submitted_at is not None]
        gate = learning.requirements(enrollment)
        code = learning.status(enrollment, gate)
        certificate = certificates.get(enrollment.id)
        rows.append(
            RosterRow(
                enrollment_id=enrollment.id,
                name=user.full_name,
                email=user.email,
                profession=user.profession_label,
                license_number=user.license_number,
                license_state=user.license_state,
                revision=enrollment.revision.number,
                enrolled_at=enrollment.enrolled_at,
                lessons_completed=sum(1 for p in enrollment.progress if p.completed_at is not None),
                lessons_total=len(enrollment.revision.lessons),
                progress=learning.progress_percent(enrollment, gate),
                attempts_used=len(graded),
                best_score=max((a.score for a in graded), default=None),
                passed=any(a.passed for a in graded),
                status=code,
                status_label=learning.STATUS_LABELS[code],
                seat_seconds=learning.active_seconds(enrollment),
                seat_floor_minutes=enrollment.revision.seat_time_floor,
                completed_at=enrollment.completed_at,
                certificate_number=certificate.number if certificate else None,
                certificate_status=certificate.status if certificate else None,
            )
        )
    return rows


# --- completions and the CE Broker roster --------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    name: str
    credentials: str
    email: str
    profession: str
    license_number: str
    license_state: str
    completion_date: date
    revision: int
    ce_hours: str
    credits: dict[str, str]  # category -> hours, as printed
    certificate_number: str
    certificate_status: str


def _certificates(session, course: Course, *statuses: str) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.course_id == course.id, Certificate.status.in_(statuses))
            .options(selectinload(Certificate.user))
            .order_by(Certificate.completion_date, Certificate.number)
        )
    )


def completions(session, course: Course) -> list[CompletionRow]:
    """Completed enrollments with their current certificate, printed values taken from it.

    Name, profession, license, hours and credits come from the certificate's frozen snapshot,
    so the export says what the learner's certificate says; the email is the account's.
    """
    rows = []
    for certificate in _certificates(session, course, "valid", "revoked"):
        snapshot = certificate.snapshot
        participant = snapshot["participant"]
        rows.append(
            CompletionRow(
                name=participant["name"],
                credentials=participant.get("credentials") or "",
                email=certificate.user.email,
                profession=participant.get("profession") or "",
                license_number=participant.get("license_number") or "",
                license_state=participant.get("license_state") or "",
                completion_date=date.fromisoformat(snapshot["completion_date"]),
                revision=snapshot["course"]["revision"],
                ce_hours=snapshot["course"]["ce_hours"],
                credits={c["category"]: c["hours"] for c in snapshot["course"]["credits"]},
                certificate_number=certificate.number,
                certificate_status=certificate.status,
            )
        )
    return rows


def credit_categories(rows: list[CompletionRow]) -> list[str]:
    """Every credit category that appears in the rows, in a stable order (one CSV column each)."""
    return sorted({category for row in rows for category in row.credits})


CE_BROKER_CREDIT = ("full", "partial")


@dataclass(frozen=True)
class CEBrokerRow:
    """One line of CE Broker's Excel upload, columns A to J of its help articles."""

    provider_tracking: str  # A, without "50-"
    course_tracking: str  # B, without "20-" ("" when C names the course)
    course_id: str  # C, the provider's own course ID ("" when B names the course)
    license_number: str  # E
    completion_date: date  # F
    state: str  # G, printed "State=XX"
    profession_code: str  # H, printed "Profession=CODE"
    subject_area: str = ""  # I, partial credit only
    hours: str = ""  # J, partial credit only


@dataclass(frozen=True)
class CEBrokerRefusal:
    """A valid certificate left out of the CE Broker file, and why."""

    name: str
    certificate_number: str
    reason: str


@dataclass(frozen=True)
class CEBrokerExport:
    rows: list[CEBrokerRow]
    refused: list[CEBrokerRefusal]
    problem: str | None  # the course cannot be reported at all (no numbers configured)


_PROFESSION_BY_LABEL = {label: key for key, label in PROFESSIONS.items()}


def ce_broker_problem(numbers: dict) -> str | None:
    """Why a revision's CE Broker numbers cannot name the course, or None when they can."""
    if not numbers.get("provider_tracking"):
        return "provider.yml has no ce_broker.provider_tracking (CE Broker's provider number)"
    if not numbers.get("course_tracking") and not numbers.get("course_id"):
        return "course.md has no ce_broker.course_tracking or ce_broker.course_id"
    return None


def ce_broker(session, course: Course, credit: str = "full") -> CEBrokerExport:
    """CE Broker's upload rows for the valid certificates of a course, numbers from configuration.

    Each certificate uses the numbers of the revision it was issued on. Full credit is one row
    per certificate; partial credit one row per credit category, with its subject-area code and
    hours. A certificate without a license number, state, profession code or (partial credit)
    subject-area code is refused, never guessed.
    """
    if credit not in CE_BROKER_CREDIT:
        raise ValueError(f"unknown CE Broker credit {credit!r}")
    rows: list[CEBrokerRow] = []
    refused: list[CEBrokerRefusal] = []
    current_problem = ce_broker_problem(course.current_revision.ce_broker or {})
    numbers_by_revision = dict(
        session.execute(
            select(CourseRevision.id, CourseRevision.ce_broker).where(
                CourseRevision.course_id == course.id
            )
        ).all()
    )
    for certificate in _certificates(session, course, "valid"):
        snapshot = certificate.snapshot
        participant = snapshot["participant"]
        numbers = numbers_by_revision.get(certificate.revision_id) or {}

        def refuse(reason: str, certificate=certificate, participant=participant) -> None:
            refused.append(CEBrokerRefusal(participant["name"], certificate.number, reason))

        problem = ce_broker_problem(numbers)
        profession_label = participant.get("profession") or ""
        profession = _PROFESSION_BY_LABEL.get(profession_label, "other")
        code = (numbers.get("professions") or {}).get(profession)
        if problem:
            refuse(problem)
            continue
        if not participant.get("license_number"):
            refuse("no license number")
            continue
        if not participant.get("license_state"):
            refuse("no license state")
            continue
        if not code:
            shown = profession_label or "no profession"
            refuse(f"no CE Broker profession code for {shown} (provider.yml ce_broker.professions)")
            continue
        base = dict(
            provider_tracking=numbers["provider_tracking"],
            course_tracking=numbers.get("course_tracking") or "",
            course_id=numbers.get("course_id") or "",
            license_number=participant["license_number"],
            completion_date=date.fromisoformat(snapshot["completion_date"]),
            state=participant["license_state"],
            profession_code=code,
        )
        if credit == "full":
            rows.append(CEBrokerRow(**base))
            continue
        areas = numbers.get("subject_areas") or {}
        credits = [(c["category"], c["hours"]) for c in snapshot["course"]["credits"]]
        missing = [category for category, _hours in credits if category not in areas]
        if missing:
            refuse(
                "no CE Broker subject-area code for "
                + ", ".join(missing)
                + " credit (course.md ce_broker.subject_areas)"
            )
            continue
        for category, hours in credits:
            rows.append(CEBrokerRow(**base, subject_area=areas[category], hours=hours))
    return CEBrokerExport(rows=rows, refused=refused, problem=current_problem)


# --- post-test item analysis ---------------------------------------------------------------


@dataclass(frozen=True)
class OptionStats:
    id: str
    html: str
    correct: bool
    chosen: int
    percent: float  # of the times the question was drawn


@dataclass(frozen=True)
class ItemStats:
    key: str
    prompt_html: str
    kind: str
    drawn: int
    correct: int
    difficulty: float | None  # p: share of correct answers
    point_biserial: float | None
    upper_lower: float | None
    options: list[OptionStats]
    flags: list[str] = field(default_factory=list)
    objectives: tuple[int, ...] = ()  # course objectives the item measures (newest revision)

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[flag] for flag in self.flags]


def point_biserial(correct: list[int], rest: list[float]) -> float | None:
    """The point-biserial correlation between item correctness and the rest score.

    Over the n submitted attempts that drew the item, with x_i = 1 when attempt i answered the
    item correctly (else 0) and y_i its rest score:

        r_pb = (M1 - M0) / s * sqrt(p * (1 - p))

    where M1 and M0 are the mean rest scores of the attempts that answered right and wrong,
    p = (number right) / n, and s = sqrt(sum((y_i - mean(y))^2) / n) is the population
    standard deviation of all n rest scores. This equals Pearson's r between x and y.
    Undefined (None) when everyone or no one answered right (p is 0 or 1) or s is 0.
    """
    n = len(correct)
    right = [y for x, y in zip(correct, rest, strict=True) if x]
    wrong = [y for x, y in zip(correct, rest, strict=True) if not x]
    if not right or not wrong:
        return None
    mean = sum(rest) / n
    s = math.sqrt(sum((y - mean) ** 2 for y in rest) / n)
    if s == 0:
        return None
    p = len(right) / n
    m1 = sum(right) / len(right)
    m0 = sum(wrong) / len(wrong)
    return (m1 - m0) / s * math.sqrt(p * (1 - p))


def upper_lower_index(correct: list[int], total: list[float]) -> float | None:
    """D = p(upper) - p(lower): the item's share correct in the top and bottom groups.

    Attempts are ranked by total score (share of all their items right, this one included);
    each group holds round(27 % of n) attempts, at least one; ties at a boundary are broken by
    the order of submission. None when n < 2.
    """
    n = len(correct)
    if n < 2:
        return None
    size = max(1, round(GROUP_SHARE * n))
    # Python's sort is stable, so equal totals keep the order of the attempts (their ids).
    ranked = sorted(range(n), key=lambda i: total[i], reverse=True)
    upper = [correct[i] for i in ranked[:size]]
    lower = [correct[i] for i in ranked[-size:]]
    return sum(upper) / size - sum(lower) / size


def _flags(drawn: int, difficulty: float | None, r_pb: float | None) -> list[str]:
    if drawn < MIN_RESPONSES:
        return ["too_few_responses"]
    flags = []
    if difficulty > TOO_EASY:
        flags.append("too_easy")
    if difficulty < TOO_HARD:
        flags.append("too_hard")
    if r_pb is not None and r_pb < 0:
        flags.append("negative_discrimination")
    return flags


ITEM_ANALYSIS_CACHE_SIZE = 32  # courses per process


def item_analysis(session, course: Course) -> tuple[ItemStats, ...]:
    """Item analysis of the course (see _item_analysis), computed once per process for each
    state of its submitted attempts.

    A submitted attempt is graded once and never changes, and attempts are only ever added, so
    the number of submitted attempts and the newest one's id, with the current revision, name
    the result; reading them is one aggregate, against decoding every attempt's results.
    """
    count, newest = session.execute(
        select(func.count(QuizAttempt.id), func.max(QuizAttempt.id))
        .join(Enrollment, QuizAttempt.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course.id, QuizAttempt.submitted_at.is_not(None))
    ).one()
    revision = course.current_revision
    key = (course.id, revision.id, revision.published_at, count, newest)
    cache = app_cache("item-analysis", maxsize=ITEM_ANALYSIS_CACHE_SIZE)
    return cache.get_or_build(key, lambda: tuple(_item_analysis(session, course)))


def _item_analysis(session, course: Course) -> list[ItemStats]:
    """Per post-test question (by its stable key, across revisions), from submitted attempts.

    Each submitted attempt counts once, retakes included. For an attempt that drew k items,
    its total score is (items right) / k and, for a given item, its rest score is
    (items right, this one excluded) / (k - 1); an attempt that drew a single item has no rest
    score and is left out of the point-biserial. Questions are listed in the order of the
    current revision, then any older question that was drawn; option labels are taken from
    the newest revision that has the question.
    """
    questions = session.execute(
        select(Question, CourseRevision.number)
        .join(CourseRevision, Question.revision_id == CourseRevision.id)
        .where(CourseRevision.course_id == course.id)
        .order_by(CourseRevision.number.desc(), Question.position)
    ).all()
    current = course.current_revision.number
    prompts: dict[str, Question] = {}
    options: dict[str, dict[str, dict]] = {}
    in_current: set[str] = set()
    for question, number in questions:
        prompts.setdefault(question.key, question)
        labels = options.setdefault(question.key, {})
        for option in question.options:
            labels.setdefault(option["id"], option)
        if number == current:
            in_current.add(question.key)

    figures, chosen = _item_figures(session, course.id)

    out = []
    for key, question in prompts.items():
        drawn, right, r_pb, d = figures.get(key, (0, 0, None, None))
        if key not in in_current and not drawn:
            continue
        difficulty = right / drawn if drawn else None
        out.append(
            ItemStats(
                key=key,
                prompt_html=question.prompt_html,
                kind=question.kind,
                drawn=drawn,
                correct=right,
                difficulty=difficulty,
                point_biserial=r_pb,
                upper_lower=d,
                options=[
                    OptionStats(
                        id=option_id,
                        html=option["html"],
                        correct=bool(option["correct"]),
                        chosen=chosen[(key, option_id)],
                        percent=100 * chosen[(key, option_id)] / drawn if drawn else 0.0,
                    )
                    for option_id, option in options[key].items()
                ],
                flags=_flags(drawn, difficulty, r_pb),
                objectives=tuple(question.objectives),
            )
        )
    return out


# The course's submitted attempts' answers as rows, one per drawn question, on each engine:
# (attempt_id, key, x = 1 when right, chosen option ids). PostgreSQL reads each attempt's
# results once, as jsonb; SQLite's json_each walks the stored text.
_ANSWER_ROWS = {
    "sqlite": """
        answers AS (
            SELECT a.id AS attempt_id, json_extract(e.value, '$.key') AS key,
                CASE WHEN json_extract(e.value, '$.correct') THEN 1 ELSE 0 END AS x,
                json_extract(e.value, '$.chosen') AS chosen
            FROM quiz_attempts AS a JOIN enrollments AS en ON en.id = a.enrollment_id
            CROSS JOIN json_each(
                CASE WHEN json_type(a.results) = 'array' THEN a.results ELSE '[]' END
            ) AS e
            WHERE en.course_id = :course AND a.submitted_at IS NOT NULL
        )""",
    "postgresql": """
        attempts AS MATERIALIZED (
            SELECT a.id, a.results::jsonb AS results
            FROM quiz_attempts AS a JOIN enrollments AS en ON en.id = a.enrollment_id
            WHERE en.course_id = :course AND a.submitted_at IS NOT NULL
        ), answers AS MATERIALIZED (
            SELECT attempts.id AS attempt_id, e.value ->> 'key' AS key,
                CASE WHEN (e.value ->> 'correct')::boolean THEN 1 ELSE 0 END AS x,
                e.value -> 'chosen' AS chosen
            FROM attempts CROSS JOIN LATERAL jsonb_array_elements(
                CASE WHEN jsonb_typeof(attempts.results) = 'array'
                    THEN attempts.results ELSE '[]'::jsonb END
            ) AS e
        )""",
}
# The chosen option ids of one answer, as rows of `c.value`.
_CHOSEN_ROWS = {
    "sqlite": "json_each(answers.chosen) AS c",
    "postgresql": "LATERAL jsonb_array_elements_text(answers.chosen) AS c(value)",
}
# Whole part of a non-negative double: SQLite may lack FLOOR(); PostgreSQL's cast rounds.
_FLOOR = {"sqlite": "CAST({} AS INTEGER)", "postgresql": "CAST(FLOOR({}) AS BIGINT)"}


def _item_figures(
    session, course_id: int
) -> tuple[dict[str, tuple[int, int, float | None, float | None]], Counter]:
    """Per key (drawn, right, point-biserial, upper-lower index), and (key, option) -> times
    chosen, by two aggregate queries over the course's submitted attempts.

    The point-biserial comes from the sums of x, y, y*y and x*y (see point_biserial). The
    upper and lower groups are read off each key's ranking (total score descending, then
    attempt id, as upper_lower_index ranks them); their size, round(0.27 * n), is rounded in
    SQL half to even on the same double as in Python.
    """
    dialect = session.get_bind().dialect.name
    floor = _FLOOR[dialect]
    x = "(CAST(:share AS DOUBLE PRECISION) * n)"
    size = (
        f"CASE WHEN {x} - {floor.format(x)} = 0.5 "
        f"THEN {floor.format(x)} + {floor.format(x)} % 2 "
        f"ELSE {floor.format(f'{x} + 0.5')} END"
    )
    rows = session.execute(
        text(
            f"""
            WITH {_ANSWER_ROWS[dialect]}, per_attempt AS (
                SELECT attempt_id, COUNT(*) AS k, SUM(x) AS right_count
                FROM answers GROUP BY attempt_id
            ), ranked AS (
                SELECT answers.key, answers.x,
                    CASE WHEN p.k > 1
                        THEN CAST(p.right_count - answers.x AS FLOAT) / (p.k - 1) END AS rest,
                    ROW_NUMBER() OVER (
                        PARTITION BY answers.key
                        ORDER BY CAST(p.right_count AS FLOAT) / p.k DESC, answers.attempt_id
                    ) AS rn,
                    COUNT(*) OVER (PARTITION BY answers.key) AS n
                FROM answers JOIN per_attempt AS p ON p.attempt_id = answers.attempt_id
            ), sized AS (
                SELECT ranked.*, CASE WHEN n < 2 THEN 0 ELSE {size} END AS size FROM ranked
            )
            SELECT key, COUNT(*), SUM(x), COUNT(rest),
                SUM(CASE WHEN rest IS NOT NULL THEN x END),
                SUM(rest), SUM(rest * rest), SUM(x * rest),
                SUM(CASE WHEN rn <= size THEN x ELSE 0 END),
                SUM(CASE WHEN rn > n - size THEN x ELSE 0 END),
                MAX(size)
            FROM sized GROUP BY key
            """
        ),
        {"course": course_id, "share": GROUP_SHARE},
    ).all()
    figures = {}
    for key, n, right, n_rest, right_rest, sum_y, sum_y2, sum_xy, upper, lower, size in rows:
        r_pb = _point_biserial_from_sums(n_rest, right_rest or 0, sum_y, sum_y2, sum_xy)
        size = max(1, int(size)) if n >= 2 else 0
        d = (upper - lower) / size if n >= 2 else None
        figures[key] = (n, int(right), r_pb, d)
    chosen = Counter(
        {
            (key, option): count
            for key, option, count in session.execute(
                text(
                    f"WITH {_ANSWER_ROWS[dialect]} SELECT answers.key, c.value, COUNT(*) "
                    f"FROM answers CROSS JOIN {_CHOSEN_ROWS[dialect]} "
                    "GROUP BY answers.key, c.value"
                ),
                {"course": course_id},
            )
        }
    )
    return figures, chosen


def _point_biserial_from_sums(
    n: int, right: int, sum_y: float | None, sum_y2: float | None, sum_xy: float | None
) -> float | None:
    """point_biserial() from aggregates: n, the number right, and the sums of y, y^2 and x*y."""
    if n == 0 or right in (0, n):
        return None
    mean = sum_y / n
    variance = sum_y2 / n - mean * mean
    if variance <= 1e-12 * max(1.0, mean * mean):  # all rest scores equal, up to rounding
        return None
    p = right / n
    m1 = sum_xy / right
    m0 = (sum_y - sum_xy) / (n - right)
    return (m1 - m0) / math.sqrt(variance) * math.sqrt(p * (1 - p))


@dataclass(frozen=True)
class ObjectiveItems:
    """The items that measure one course objective (number None: items naming none)."""

    number: int | None
    text: str
    items: tuple[ItemStats, ...]


def items_by_objective(objectives: list[str], items: tuple[ItemStats, ...]) -> list[ObjectiveItems]:
    """Group item statistics under the current revision's objectives, so an instructor sees
    which objective a weak item undermines; an item measuring two objectives is under both."""
    groups = [
        ObjectiveItems(number, text, tuple(item for item in items if number in item.objectives))
        for number, text in enumerate(objectives, start=1)
    ]
    unlinked = tuple(
        item for item in items if not any(1 <= n <= len(objectives) for n in item.objectives)
    )
    if unlinked:
        groups.append(ObjectiveItems(None, "Questions not linked to a current objective", unlinked))
    return groups


# --- evaluation summary --------------------------------------------------------------------


@dataclass(frozen=True)
class RatingStats:
    id: str
    prompt: str
    responses: int
    mean: Decimal | None  # two decimals
    distribution: dict[int, int]  # rating -> count


@dataclass(frozen=True)
class ChoiceStats:
    id: str
    prompt: str
    responses: int
    counts: dict[str, int]
    percent_yes: Decimal | None  # one decimal, for yes/no items


@dataclass(frozen=True)
class NumberStats:
    id: str
    prompt: str
    responses: int
    mean: Decimal | None


@dataclass(frozen=True)
class Comment:
    submitted_on: date
    revision: int
    text: str


@dataclass(frozen=True)
class EvaluationSummary:
    count: int
    ratings: list[RatingStats]
    choices: list[ChoiceStats]
    numbers: list[NumberStats]
    comments: list[Comment]


def _mean(values: list[int] | Counter, places: str = "0.01") -> Decimal | None:
    """The exact mean rounded half up (4.335 -> 4.34), free of binary floating point.

    Takes the values, or a Counter of value -> how many times it was given.
    """
    counts = values if isinstance(values, Counter) else Counter(values)
    n = sum(counts.values())
    if not n:
        return None
    exact = sum((Fraction(value) * count for value, count in counts.items()), Fraction(0)) / n
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


# One row per answer of the course's evaluations: (revision id, question id, JSON type, value).
_EVALUATION_ANSWERS = {
    "sqlite": ("e.key, e.type, e.value", "json_each(ev.answers) AS e"),
    "postgresql": (
        "e.key, json_typeof(e.value), e.value::text",
        "LATERAL json_each(CASE WHEN json_typeof(ev.answers) = 'object'"
        " THEN ev.answers ELSE '{}'::json END) AS e",
    ),
}


def _answer_value(kind: str, value: object) -> object:
    """An answer as the application stored it, from either engine's JSON row."""
    if kind == "null":
        return None
    if kind in ("true", "false", "boolean"):
        return value in (1, "true") if kind == "boolean" else kind == "true"
    if isinstance(value, str) and kind in ("string", "number", "object", "array"):
        return json.loads(value)  # PostgreSQL sends the JSON text
    return value


def evaluation_summary(session, course: Course) -> EvaluationSummary:
    """Every item of the course evaluation summarised over all revisions.

    An item is identified by its id and wording, so an objective reworded in a later revision
    is reported apart from the old one. The current revision's items come first, each shown
    even without answers. Comments are listed newest first, without the learner's name.
    Answers are counted by an aggregate query, one row per distinct answer; only comments are
    read one by one.
    """
    revisions = {
        revision.id: revision
        for revision in session.scalars(
            select(CourseRevision).where(CourseRevision.course_id == course.id)
        )
    }
    questions_of = {rid: learning.evaluation_questions(r) for rid, r in revisions.items()}
    by_id = {rid: {q["id"]: q for q in questions} for rid, questions in questions_of.items()}
    # Items of older revisions follow in the order of their newest evaluation.
    newest_first = session.execute(
        select(Enrollment.revision_id, func.count(Evaluation.id))
        .join(Enrollment, Evaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course.id)
        .group_by(Enrollment.revision_id)
        .order_by(func.max(Evaluation.submitted_at).desc(), func.max(Evaluation.id).desc())
    ).all()
    count = sum(n for _, n in newest_first)

    items: dict[tuple[str, str], dict] = {}
    for question in questions_of[course.current_revision_id]:
        items[(question["id"], question["prompt"])] = question
    for revision_id, _ in newest_first:
        for question in questions_of[revision_id]:
            items.setdefault((question["id"], question["prompt"]), question)
    values: dict[tuple[str, str], Counter] = {key: Counter() for key in items}

    columns, answers_of = _EVALUATION_ANSWERS[session.get_bind().dialect.name]
    grouped = session.execute(
        text(
            f"SELECT en.revision_id, {columns}, COUNT(*) FROM evaluations AS ev"
            f" JOIN enrollments AS en ON en.id = ev.enrollment_id CROSS JOIN {answers_of}"
            " WHERE en.course_id = :course GROUP BY en.revision_id, 2, 3, 4"
        ),
        {"course": course.id},
    )
    comment_ids: set[str] = set()
    for revision_id, question_id, kind, raw, n in grouped:
        question = by_id[revision_id].get(question_id)
        value = _answer_value(kind, raw)
        if question is None or value is None or value == "" or isinstance(value, list | dict):
            continue
        if question["type"] == "text":
            comment_ids.add(question_id)
        else:
            values[(question_id, question["prompt"])][value] += n

    comments = []
    if comment_ids:
        ids = sorted(comment_ids)
        texts = [Evaluation.answers[question_id].as_string() for question_id in ids]
        rows = session.execute(
            select(Evaluation.submitted_at, Enrollment.revision_id, *texts)
            .join(Enrollment, Evaluation.enrollment_id == Enrollment.id)
            .where(Enrollment.course_id == course.id, or_(*(t != "" for t in texts)))
            .order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
        )
        for submitted_at, revision_id, *answers in rows:
            given = dict(zip(ids, answers, strict=True))
            for question in questions_of[revision_id]:
                value = given.get(question["id"]) if question["type"] == "text" else None
                if value:
                    number = revisions[revision_id].number
                    comments.append(Comment(submitted_at.date(), number, value))

    ratings, choices, numbers = [], [], []
    for key, question in items.items():
        answers = values.get(key, Counter())
        given = sum(answers.values())
        kind = question["type"]
        if kind == "rating":
            ratings.append(
                RatingStats(
                    question["id"],
                    question["prompt"],
                    given,
                    _mean(answers),
                    {n: answers[n] for n in range(question["min"], question["max"] + 1)},
                )
            )
        elif kind == "choice":
            yes = None
            if "yes" in question["choices"] and given:
                yes = _mean(Counter({100: answers["yes"], 0: given - answers["yes"]}), "0.1")
            choices.append(
                ChoiceStats(
                    question["id"],
                    question["prompt"],
                    given,
                    {choice: answers[choice] for choice in question["choices"]},
                    yes,
                )
            )
        elif kind == "number":
            numbers.append(NumberStats(question["id"], question["prompt"], given, _mean(answers)))
    return EvaluationSummary(count, ratings, choices, numbers, comments)
