"""Program services: publish from program.md, enroll, measure progress, issue the certificate."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ce_platform.accounts.models import User
from ce_platform.catalog.models import Course
from ce_platform.certificates import numbers
from ce_platform.certificates import services as certificates
from ce_platform.certificates.models import Certificate
from ce_platform.content.model import format_hours
from ce_platform.content.programs import ProgramSource
from ce_platform.core import audit
from ce_platform.core.errors import BusinessRuleError, NotFound
from ce_platform.core.models import insert_once, utcnow
from ce_platform.learning import services as learning
from ce_platform.learning.models import Enrollment
from ce_platform.programs.models import (
    Program,
    ProgramCertificate,
    ProgramEnrollment,
    ProgramRevision,
)

Renderer = Callable[[dict], bytes]

# Called with each newly issued program certificate (the Open Badges "LearningProgram"
# credential is issued from here once credentials exist); every hook runs in the issuing
# transaction, so a failure issues nothing.
ISSUED_HOOKS: list[Callable[[object, ProgramCertificate], None]] = []


def _default_renderer(snapshot: dict) -> bytes:
    from ce_platform.programs.pdf import render_program_certificate_pdf

    return render_program_certificate_pdf(snapshot)


# --- publishing ------------------------------------------------------------------------------


def get_program(session, slug: str) -> Program:
    """The program with a published revision, or 404."""
    program = session.scalar(select(Program).where(Program.slug == slug))
    if program is None or program.current_revision is None:
        raise NotFound("No program has this address.")
    return program


def list_programs(session) -> list[Program]:
    """Every published program, by title."""
    programs = session.scalars(select(Program).where(Program.current_revision_id.is_not(None)))
    return sorted(programs, key=lambda program: program.current_revision.title)


def sync_program(session, source: ProgramSource) -> tuple[ProgramRevision, str]:
    """Publish a validated program.md as a new revision unless it is unchanged; (revision,
    "created" | "updated" | "unchanged")."""
    program = session.scalar(select(Program).where(Program.slug == source.slug))
    if program is None:
        program = Program(slug=source.slug)
        session.add(program)
        session.flush()
    current = program.current_revision
    if current is not None and current.content_hash == source.content_hash:
        return current, "unchanged"
    number = (
        session.scalar(
            select(func.max(ProgramRevision.number)).where(ProgramRevision.program_id == program.id)
        )
        or 0
    ) + 1
    revision = ProgramRevision(
        program_id=program.id,
        number=number,
        content_hash=source.content_hash,
        title=source.title,
        summary=source.summary,
        objectives=list(source.objectives),
        required=list(source.required),
        electives=list(source.electives),
        electives_needed=source.electives_needed,
        course_order=list(source.order),
        rule=source.rule,
        overview_md=source.overview_md,
        overview_html=source.overview_html,
        source=source.files["program.md"].decode("utf-8"),
    )
    session.add(revision)
    session.flush()
    program.current_revision = revision
    audit.record(
        session,
        "program.published",
        actor_id=None,
        subject_type="program",
        subject_id=program.slug,
        data={"revision": number, "content_hash": source.content_hash},
    )
    session.flush()
    return revision, "created" if current is None else "updated"


# --- enrollment ------------------------------------------------------------------------------


def get_program_enrollment(session, user: User, program: Program) -> ProgramEnrollment | None:
    return session.scalar(
        select(ProgramEnrollment).where(
            ProgramEnrollment.user_id == user.id, ProgramEnrollment.program_id == program.id
        )
    )


def _courses(session, slugs: list[str]) -> dict[str, Course]:
    """The program's courses that are published, by slug, in one query."""
    found = session.scalars(
        select(Course).where(Course.slug.in_(slugs), Course.current_revision_id.is_not(None))
    )
    return {course.slug: course for course in found}


def enroll(session, user: User, program: Program, *, today: date) -> tuple[ProgramEnrollment, bool]:
    """Enroll once in the program and in each required course not yet taken; electives wait
    for the learner's choice. Courses already enrolled in or completed stay as they are."""
    revision = program.current_revision
    existing = get_program_enrollment(session, user, program)
    if existing is not None:
        return existing, False
    courses = _courses(session, revision.required)
    for slug in revision.required:
        course = courses.get(slug)
        if course is None:
            raise BusinessRuleError(f'The program\'s course "{slug}" is not published yet.')
        if learning.get_enrollment(session, user, course) is None:
            learning.enroll(session, user, course, today=today)
    enrollment, created = insert_once(
        session,
        lambda: ProgramEnrollment(user_id=user.id, program_id=program.id, revision_id=revision.id),
        lambda: get_program_enrollment(session, user, program),
    )
    if created:
        audit.record(
            session,
            "program.enrolled",
            actor_id=user.id,
            subject_type="program",
            subject_id=program.slug,
            data={"revision": revision.number},
        )
    return enrollment, created


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseProgress:
    """One course of the program as this learner stands in it."""

    slug: str
    title: str
    role: str  # required | elective
    ce_hours: Decimal
    credits: dict[str, Decimal]
    enrolled: bool
    percent: int
    status: str  # not_enrolled | in_progress | complete | certified
    completion_date: date | None
    certificate_number: str | None


@dataclass
class ProgramProgress:
    """The learner's standing in a program: per course, overall, hours and the rule."""

    revision: ProgramRevision
    courses: list[CourseProgress]
    percent: int
    rule_holds: bool
    earned_by_category: dict[str, Decimal] = field(default_factory=dict)
    earned_hours: Decimal = Decimal(0)
    required_hours: Decimal = Decimal(0)  # required courses plus the smallest electives needed

    @property
    def electives_done(self) -> int:
        return sum(1 for c in self.courses if c.role == "elective" and c.status == "certified")

    @property
    def counted(self) -> list[CourseProgress]:
        """The certified courses the program certificate lists."""
        return [c for c in self.courses if c.status == "certified"]


def progress(session, user: User, revision: ProgramRevision) -> ProgramProgress:
    """Where the learner stands: a valid course certificate is what makes a course count,
    whenever it was earned (before enrolling in the program too)."""
    slugs = list(revision.course_order)
    courses = _courses(session, slugs)
    ids = [course.id for course in courses.values()]
    enrollments = {
        e.course_id: e
        for e in session.scalars(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id.in_(ids))
        )
    }
    issued = {
        c.course_id: c
        for c in session.scalars(
            select(Certificate).where(
                Certificate.user_id == user.id,
                Certificate.course_id.in_(ids),
                Certificate.status == "valid",
            )
        )
    }
    rows: list[CourseProgress] = []
    for slug in slugs:
        course = courses.get(slug)
        if course is None:
            continue
        enrollment = enrollments.get(course.id)
        certificate = issued.get(course.id)
        shown = enrollment.revision if enrollment is not None else course.current_revision
        if certificate is not None:
            status, percent = "certified", 100
        elif enrollment is None:
            status, percent = "not_enrolled", 0
        elif enrollment.status == "complete":
            status, percent = "complete", 100
        else:
            status, percent = "in_progress", learning.progress_percent(enrollment)
        rows.append(
            CourseProgress(
                slug=slug,
                title=shown.title,
                role="required" if slug in revision.required else "elective",
                ce_hours=Decimal(str(shown.ce_hours)),
                credits={k: Decimal(str(v)) for k, v in shown.credits.items()},
                enrolled=enrollment is not None,
                percent=percent,
                status=status,
                completion_date=certificate.completion_date if certificate else None,
                certificate_number=certificate.number if certificate else None,
            )
        )
    return _summarise(revision, rows)


def _summarise(revision: ProgramRevision, rows: list[CourseProgress]) -> ProgramProgress:
    """Overall percent, the rule, and the hours: each unit of the rule weighs the same."""
    required = [row for row in rows if row.role == "required"]
    electives = sorted(
        (row for row in rows if row.role == "elective"), key=lambda row: -row.percent
    )
    units = [row.percent for row in required] + [
        row.percent for row in electives[: revision.electives_needed]
    ]
    units += [0] * (len(revision.required) + revision.electives_needed - len(units))
    percent = sum(units) // len(units) if units else 0
    holds = (
        len(required) == len(revision.required)
        and all(row.status == "certified" for row in required)
        and sum(1 for row in electives if row.status == "certified") >= revision.electives_needed
    )
    earned: dict[str, Decimal] = {}
    for row in rows:
        if row.status == "certified":
            for category, hours in row.credits.items():
                earned[category] = earned.get(category, Decimal(0)) + hours
    smallest = sorted(row.ce_hours for row in rows if row.role == "elective")
    needed = sum((row.ce_hours for row in required), Decimal(0)) + sum(
        smallest[: revision.electives_needed], Decimal(0)
    )
    return ProgramProgress(
        revision=revision,
        courses=rows,
        percent=100 if holds else min(percent, 99),
        rule_holds=holds,
        earned_by_category=dict(sorted(earned.items())),
        earned_hours=sum(earned.values(), Decimal(0)),
        required_hours=needed,
    )


def next_course(standing: ProgramProgress) -> CourseProgress | None:
    """The first course in the program's order that still stands between the learner and the
    rule: a required one, or an elective while electives are still owed."""
    electives_owed = standing.electives_done < standing.revision.electives_needed
    started = [c for c in standing.courses if c.role == "elective" and c.enrolled]
    for row in standing.courses:
        if row.status == "certified":
            continue
        if row.role == "required":
            return row
        if electives_owed and (row.enrolled or not started):
            return row
    return None


# --- the program certificate ------------------------------------------------------------------


def current_certificate(session, enrollment: ProgramEnrollment) -> ProgramCertificate | None:
    return session.scalar(
        select(ProgramCertificate).where(ProgramCertificate.program_enrollment_id == enrollment.id)
    )


def _hours(value: Decimal) -> str:
    return format_hours(Decimal(str(value)))


def build_snapshot(
    session, enrollment: ProgramEnrollment, standing: ProgramProgress, number: str, *, base_url: str
) -> dict:
    """Every printed field, frozen: the program and each course it counts, with the course
    certificate's number and completion date. The "course" key carries the program's title
    and total credit so the shared verification page reads it like any certificate."""
    revision = enrollment.revision
    counted = standing.counted
    course_certificates = {
        c.number: c
        for c in session.scalars(
            select(Certificate).where(
                Certificate.number.in_([row.certificate_number for row in counted])
            )
        )
    }
    latest = max(counted, key=lambda row: row.completion_date)
    provider = course_certificates[latest.certificate_number].snapshot["provider"]
    courses = []
    for row in counted:
        certificate = course_certificates[row.certificate_number]
        course = certificate.snapshot["course"]
        courses.append(
            {
                "slug": row.slug,
                "title": course["title"],
                "role": row.role,
                "completion_date": certificate.completion_date.isoformat(),
                "certificate_number": certificate.number,
                "ce_hours": course["ce_hours"],
                "credits": course["credits"],
            }
        )
    totals: dict[str, Decimal] = {}
    for course in courses:
        for credit in course["credits"]:
            totals[credit["category"]] = totals.get(credit["category"], Decimal(0)) + Decimal(
                credit["hours"]
            )
    total = sum((Decimal(c["ce_hours"]) for c in courses), Decimal(0))
    return {
        "kind": "program",
        "number": number,
        "issued_at": utcnow().replace(microsecond=0).isoformat(),
        "completion_date": latest.completion_date.isoformat(),
        "participant": certificates.participant_fields(enrollment.user),
        "program": {
            "slug": enrollment.program.slug,
            "title": revision.title,
            "revision": revision.number,
            "rule": revision.rule,
            "content_hash": revision.content_hash,
        },
        "courses": courses,
        "course": {
            "title": revision.title,
            "ce_hours": _hours(total),
            "format": f"Program of {len(courses)} courses",
            "credits": [
                {"category": category, "hours": _hours(hours)}
                for category, hours in sorted(totals.items())
            ],
        },
        "provider": {**provider, "specimen": bool(provider.get("specimen"))},
        "accreditations": [],
        "credit_unit": "CE hours",
        "verification_url": certificates.verification_url(base_url, number),
    }


def issue_certificate(
    session,
    enrollment: ProgramEnrollment,
    *,
    base_url: str,
    renderer: Renderer | None = None,
) -> tuple[ProgramCertificate, bool]:
    """Issue the program certificate once the rule holds; (certificate, created)."""
    existing = current_certificate(session, enrollment)
    if existing is not None:
        return existing, False
    standing = progress(session, enrollment.user, enrollment.revision)
    if not standing.rule_holds:
        missing = [
            row.title
            for row in standing.courses
            if row.role == "required" and row.status != "certified"
        ]
        owed = enrollment.revision.electives_needed - standing.electives_done
        parts = []
        if missing:
            parts.append("the certificates of " + "; ".join(missing))
        if owed > 0:
            parts.append(f"{owed} more elective(s)")
        raise BusinessRuleError(
            "The program certificate is issued once the program's rule "
            f"({enrollment.revision.rule}) holds. Still missing: " + " and ".join(parts) + ".",
            {"missing": missing, "electives_owed": max(owed, 0)},
        )
    snapshot = build_snapshot(
        session, enrollment, standing, numbers.new_number(), base_url=base_url
    )
    render = renderer or _default_renderer

    def create() -> ProgramCertificate:
        pdf = render(snapshot)
        return ProgramCertificate(
            number=snapshot["number"],
            number_key=numbers.normalize(snapshot["number"]),
            program_enrollment_id=enrollment.id,
            user_id=enrollment.user_id,
            program_id=enrollment.program_id,
            revision_id=enrollment.revision_id,
            completion_date=date.fromisoformat(snapshot["completion_date"]),
            ce_hours=Decimal(snapshot["course"]["ce_hours"]),
            snapshot=snapshot,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            status="valid",
        )

    certificate, created = insert_once(
        session, create, lambda: current_certificate(session, enrollment)
    )
    if not created:
        return certificate, False
    audit.record(
        session,
        "program_certificate.issued",
        actor_id=enrollment.user_id,
        subject_type="certificate",
        subject_id=certificate.number,
        data={"program": enrollment.program.slug, "sha256": certificate.sha256},
    )
    for hook in ISSUED_HOOKS:
        hook(session, certificate)
    return certificate, True


def find_by_key(session, key: str) -> ProgramCertificate | None:
    """The program certificate with this normalised number (for the shared look-ups)."""
    return session.scalar(select(ProgramCertificate).where(ProgramCertificate.number_key == key))


def find_by_sha256(session, digest: str) -> ProgramCertificate | None:
    return session.scalar(select(ProgramCertificate).where(ProgramCertificate.sha256 == digest))
