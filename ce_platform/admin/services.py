"""Administration rules: find and manage accounts, assign instructors, read and check the audit log.

Role changes go through accounts.set_role and certificate revocation and reissue through the
certificates services; this module adds the guards an administrator needs around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import ApiToken, User
from ce_platform.catalog.models import Course, CourseInstructor
from ce_platform.certificates import services as certificates
from ce_platform.certificates.models import Certificate
from ce_platform.core import audit
from ce_platform.core.audit import GENESIS, AuditEvent
from ce_platform.core.errors import BusinessRuleError, Conflict, NotFound, ValidationError
from ce_platform.core.models import utcnow
from ce_platform.core.validation import whole_number
from ce_platform.learning.models import Enrollment

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    """One page of a list, with what a pager needs."""

    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# Far beyond any list here, and small enough for every database's OFFSET.
MAX_PAGE = 10**9


def page_number(raw: str | None) -> int:
    """The page a `?page=` argument asks for; the first when it is absent."""
    page = whole_number((raw or "").strip() or "1")
    if page is None or not 1 <= page <= MAX_PAGE:
        raise ValidationError("page must be a whole number from 1.", {"page": "positive integer"})
    return page


def _paginate(session, query: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    limited = query.limit(per_page).offset((page - 1) * per_page)
    rows = session.scalars(limited).all() if scalars else session.execute(limited).all()
    return Page(list(rows), total or 0, page, per_page)


def _contains(column, needle: str):
    """Case-insensitive substring match; % and _ typed by the admin match themselves."""
    return func.lower(column).contains(needle.lower(), autoescape=True)


# --- users ---------------------------------------------------------------------------------


def search_users(session, q: str = "", *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Users whose name or email contains `q` (any case), by name."""
    query = select(User).order_by(func.lower(User.full_name), User.id)
    q = q.strip()
    if q:
        query = query.where(or_(_contains(User.full_name, q), _contains(User.email, q)))
    return _paginate(session, query, page, per_page)


def get_user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no account with this id.")
    return user


@dataclass(frozen=True)
class Assignment:
    course: Course
    assigned_at: datetime


@dataclass(frozen=True)
class UserRecord:
    """What the admin user page shows besides the account itself."""

    enrollment_count: int
    certificates: list[Certificate]
    assignments: list[Assignment]  # by an administrator
    named_in: list[Course]  # courses whose current course.md lists the user's email


def user_record(session, user: User) -> UserRecord:
    enrollment_count = session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.user_id == user.id)
    )
    certs = session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    assignments = [
        Assignment(course, assigned_at)
        for course, assigned_at in session.execute(
            select(Course, CourseInstructor.assigned_at)
            .join(CourseInstructor, CourseInstructor.course_id == Course.id)
            .where(CourseInstructor.user_id == user.id)
            .options(selectinload(Course.current_revision))
            .order_by(Course.slug)
        )
    ]
    named_in = [
        course
        for course in published_courses(session)
        if user.email in course.current_revision.instructors
    ]
    return UserRecord(enrollment_count or 0, list(certs), assignments, named_in)


def published_courses(session) -> list[Course]:
    """Every course with a current revision, by slug, with that revision loaded."""
    return list(
        session.scalars(
            select(Course)
            .where(Course.current_revision_id.is_not(None))
            .options(selectinload(Course.current_revision))
            .order_by(Course.slug)
        ).all()
    )


def change_role(session, user: User, role: str, *, actor: User) -> User:
    """Change a role, audited; an administrator cannot take their own admin role away."""
    if user.id == actor.id and role != user.role:
        raise BusinessRuleError(
            "You cannot demote your own account; ask another administrator.", {"role": "self"}
        )
    if role == user.role:
        return user
    accounts.set_role(session, user, role, actor_id=actor.id)
    session.flush()
    return user


def set_active(session, user: User, active: bool, *, actor: User) -> User:
    """Deactivate or reactivate an account, audited. Accounts are never deleted: completion
    records must outlive them. Deactivation also revokes the account's API tokens and ends its
    sessions, so reactivating it never brings back a session or token from before."""
    if user.id == actor.id and not active:
        raise BusinessRuleError(
            "You cannot deactivate your own account; ask another administrator.",
            {"active": "self"},
        )
    if user.active == active:
        return user
    data: dict[str, Any] = {"email": user.email}
    if not active:
        revoked = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        data["tokens_revoked"] = revoked.rowcount
        accounts.end_sessions(session, user)
    user.active = active
    audit.record(
        session,
        "user.reactivated" if active else "user.deactivated",
        actor_id=actor.id,
        subject_type="user",
        subject_id=user.id,
        data=data,
    )
    return user


# --- instructor assignments ------------------------------------------------------------------


def can_be_assigned(user: User) -> bool:
    """Only instructors are assigned to courses (admins manage every course anyway)."""
    return user.role == "instructor"


def assign_instructor(session, course: Course, user: User, *, actor_id: int | None):
    """Let `user` author and report on `course`, audited; a second assignment is a conflict."""
    if not can_be_assigned(user):
        raise BusinessRuleError(
            f"{user.email} is {_article(user.role)} {user.role}; only instructors can be "
            "assigned to a course. Change the role to instructor first.",
            {"role": user.role},
        )
    duplicate = Conflict(
        f"{user.email} is already assigned to {course.slug}.", {"user": "already assigned"}
    )
    if _assignment(session, course, user.id) is not None:
        raise duplicate
    assignment = CourseInstructor(course_id=course.id, user_id=user.id, assigned_by_id=actor_id)
    try:
        with session.begin_nested():
            session.add(assignment)
    except IntegrityError:  # another admin assigned the same person a moment ago
        raise duplicate from None
    audit.record(
        session,
        "course.instructor_assigned",
        actor_id=actor_id,
        subject_type="course",
        subject_id=course.slug,
        data={"user": user.id, "email": user.email},
    )
    return assignment


def unassign_instructor(session, course: Course, user: User, *, actor_id: int | None) -> None:
    assignment = _assignment(session, course, user.id)
    if assignment is None:
        raise NotFound(f"{user.email} is not assigned to {course.slug}.")
    session.delete(assignment)
    audit.record(
        session,
        "course.instructor_unassigned",
        actor_id=actor_id,
        subject_type="course",
        subject_id=course.slug,
        data={"user": user.id, "email": user.email},
    )
    session.flush()


def _assignment(session, course: Course, user_id: int) -> CourseInstructor | None:
    return session.scalar(
        select(CourseInstructor).where(
            CourseInstructor.course_id == course.id, CourseInstructor.user_id == user_id
        )
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


# --- certificates ----------------------------------------------------------------------------


def search_certificates(session, q: str, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Certificates by number (any case, with or without dashes) or by the learner's email or
    name, newest first."""
    q = q.strip()
    if not q:
        return Page([], 0, page, per_page)
    try:
        exact = certificates.find_certificate(session, q)
    except NotFound:
        exact = None
    match = or_(_contains(User.full_name, q), _contains(User.email, q))
    if exact is not None:
        match = or_(match, Certificate.id == exact.id)
    query = (
        select(Certificate)
        .join(User, User.id == Certificate.user_id)
        .where(match)
        .options(selectinload(Certificate.user), selectinload(Certificate.superseded_by))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    return _paginate(session, query, page, per_page)


# --- audit log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    actor_email: str | None


def audit_events(
    session, *, action: str = "", actor: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """Audit events, newest first, filtered by action prefix and actor email (any case)."""
    query = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
    )
    if action.strip():
        query = query.where(AuditEvent.action.startswith(action.strip(), autoescape=True))
    if actor.strip():
        query = query.where(User.email == actor.strip().lower())
    result = _paginate(session, query, page, per_page, scalars=False)
    rows = [AuditRow(event, email) for event, email in result.items]
    return Page(rows, result.total, result.page, result.per_page)


@dataclass(frozen=True)
class ChainStatus:
    """The outcome of walking the audit chain: intact, or the first event that breaks it."""

    count: int
    broken_at: AuditEvent | None = None
    problems: tuple[str, ...] = ()

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    @property
    def problem(self) -> str:
        return "; ".join(self.problems)


def check_chain(session) -> ChainStatus:
    """Run core.audit.verify_chain, then say which check the first broken event fails.

    A previous-hash mismatch means an earlier event was deleted or altered in its hash or link;
    a content hash mismatch means this event's own fields were changed after it was written.
    """
    count = session.scalar(select(func.count(AuditEvent.id))) or 0
    broken = audit.verify_chain(session)
    if broken is None:
        return ChainStatus(count)
    previous = session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.id < broken.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    problems = []
    if broken.prev_hash != (previous or GENESIS):
        problems.append("previous-hash mismatch")
    if broken.compute_hash() != broken.hash:
        problems.append("content hash mismatch")
    return ChainStatus(count, broken, tuple(problems))
