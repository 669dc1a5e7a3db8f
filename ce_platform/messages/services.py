"""Every email is a job: its message reads the database when it runs and renders a template pair.

Adding a message is one template pair (templates/mail/<name>.txt and .html) and one function
decorated with `@message(...)` that returns the template's context, or None when there is
nothing to say any more. Queue it with `jobs.services.send_message(session, "<name>", ...)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import exists, func, select

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import User
from ce_platform.catalog.models import Course
from ce_platform.certificates.models import Certificate
from ce_platform.content.model import format_hours
from ce_platform.core import audit
from ce_platform.core.mail import compose, deliver, site_url
from ce_platform.jobs import services as jobs
from ce_platform.jobs.models import Job
from ce_platform.learning.models import Enrollment, Evaluation, QuizAttempt
from ce_platform.licenses import services as licenses
from ce_platform.licenses.models import License
from ce_platform.programs import services as programs
from ce_platform.programs.models import ProgramCertificate

log = logging.getLogger(__name__)

Context = Callable[[object, User, str], dict | None]


@dataclass(frozen=True)
class Message:
    """One kind of email: its subject line, whether it is transactional, how to fill it."""

    name: str
    subject: str  # str.format() with the context
    transactional: bool
    context: Context


MESSAGES: dict[str, Message] = {}


def message(name: str, *, subject: str, transactional: bool = True):
    """Register a message; non-transactional ones honour the reminders preference."""

    def register(context: Context) -> Context:
        MESSAGES[name] = Message(name, subject, transactional, context)
        return context

    return register


def build(session, name: str, user: User, ref: str):
    """The email this message would send now, or None when there is nothing to say."""
    kind = MESSAGES[name]
    if not kind.transactional and not user.reminders:
        return None
    context = kind.context(session, user, ref)
    if context is None:
        return None
    context = {"user": user, "site": current_app.config["BASE_URL"], **context}
    headers = {"Auto-Submitted": "auto-generated"}
    if not kind.transactional:
        token = accounts.make_unsubscribe_token(current_app.config["SECRET_KEY"], user)
        link = site_url("accounts.unsubscribe", token=token)
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return compose(
        user.email,
        kind.subject.format(**context),
        render_template(f"mail/{name}.txt", **context),
        render_template(f"mail/{name}.html", **context),
        headers,
    )


@jobs.handler("mail")
def _send(session, job: Job) -> None:
    name, _, ref = job.subject.partition(":")
    user = session.get(User, job.user_id)
    if user is None or not user.active:
        return
    email = build(session, name, user, ref)
    if email is not None:
        deliver(email)


# --- accounts ------------------------------------------------------------------------------


@message("verify_email", subject="Confirm your email address")
def _verify_email(session, user: User, ref: str) -> dict | None:
    if user.email_verified_at is not None:
        return None
    config = current_app.config
    token = accounts.make_verification_token(config["SECRET_KEY"], user)
    return {
        "link": site_url("accounts.verify_email", token=token),
        "days": max(1, config["EMAIL_VERIFY_MAX_AGE"] // 86400),
        "reset_url": site_url("accounts.reset_request"),
    }


@message("registration_attempt", subject="Someone tried to create an account with your email")
def _registration_attempt(session, user: User, ref: str) -> dict:
    return {
        "login_url": site_url("accounts.login"),
        "reset_url": site_url("accounts.reset_request"),
    }


@message("password_reset", subject="Reset your password")
def _password_reset(session, user: User, ref: str) -> dict:
    config = current_app.config
    token = accounts.make_reset_token(config["SECRET_KEY"], user)
    return {
        "link": site_url("accounts.reset", token=token),
        "minutes": config["PASSWORD_RESET_MAX_AGE"] // 60,
    }


@message("password_changed", subject="Your password was changed")
def _password_changed(session, user: User, ref: str) -> dict:
    return {
        "changed_at": user.password_changed_at.strftime("%Y-%m-%d %H:%M UTC"),
        "reset_url": site_url("accounts.reset_request"),
    }


# --- certificates --------------------------------------------------------------------------


def _certificate(session, user: User, number: str) -> Certificate | None:
    certificate = session.scalar(select(Certificate).where(Certificate.number == number))
    return certificate if certificate is not None and certificate.user_id == user.id else None


@message("certificate_ready", subject="Your CE certificate for {title} is ready")
def _certificate_ready(session, user: User, number: str) -> dict | None:
    certificate = _certificate(session, user, number)
    if certificate is None or certificate.sha256 is None:
        return None
    return {
        "number": certificate.number,
        "title": certificate.snapshot["course"]["title"],
        "hours": certificate.snapshot["course"]["ce_hours"],
        "link": site_url("certificates.show", number=certificate.number),
        "verify_url": certificate.snapshot["verification_url"],
    }


@message("certificate_revoked", subject="Your CE certificate {number} was revoked")
def _certificate_revoked(session, user: User, number: str) -> dict | None:
    certificate = _certificate(session, user, number)
    if certificate is None or certificate.status != "revoked":
        return None
    return {
        "number": certificate.number,
        "title": certificate.snapshot["course"]["title"],
        "reason": certificate.revoked_reason_public,
        "link": site_url("certificates.show", number=certificate.number),
        "provider": certificate.snapshot["provider"]["name"],
    }


@message("certificate_superseded", subject="Your CE certificate {number} was replaced")
def _certificate_superseded(session, user: User, number: str) -> dict | None:
    certificate = _certificate(session, user, number)
    if certificate is None or certificate.superseded_by is None:
        return None
    replacement = certificate.superseded_by
    return {
        "number": certificate.number,
        "replacement": replacement.number,
        "title": certificate.snapshot["course"]["title"],
        "reason": "Reissued with the name and licence details of your profile",
        "link": site_url("certificates.show", number=replacement.number),
    }


# --- programs ------------------------------------------------------------------------------


@message("program_completed", subject="You completed the program {title}")
def _program_completed(session, user: User, number: str) -> dict | None:
    certificate = session.scalar(
        select(ProgramCertificate).where(ProgramCertificate.number == number)
    )
    if certificate is None or certificate.user_id != user.id or certificate.status != "valid":
        return None
    return {
        "number": certificate.number,
        "title": certificate.snapshot["program"]["title"],
        "hours": certificate.snapshot["course"]["ce_hours"],
        "courses": len(certificate.snapshot["courses"]),
        "link": site_url("certificates.show", number=certificate.number),
        "verify_url": certificate.snapshot["verification_url"],
    }


def _queue_program_completed(session, certificate: ProgramCertificate) -> None:
    jobs.send_message(
        session, "program_completed", user_id=certificate.user_id, ref=certificate.number
    )


programs.ISSUED_HOOKS.append(_queue_program_completed)


# --- learning reminders --------------------------------------------------------------------


def _enrollment(session, user: User, ref: str) -> Enrollment | None:
    enrollment = session.get(Enrollment, int(ref)) if ref.isdigit() else None
    return enrollment if enrollment is not None and enrollment.user_id == user.id else None


@message("not_finished", subject="You haven't finished {title}", transactional=False)
def _not_finished(session, user: User, ref: str) -> dict | None:
    enrollment = _enrollment(session, user, ref)
    if enrollment is None or enrollment.status == "complete":
        return None
    return {
        "title": enrollment.revision.title,
        "link": site_url("catalog.course", slug=enrollment.course.slug),
    }


@message(
    "evaluation_pending", subject="One step left: the evaluation of {title}", transactional=False
)
def _evaluation_pending(session, user: User, ref: str) -> dict | None:
    enrollment = _enrollment(session, user, ref)
    if enrollment is None or enrollment.evaluation is not None:
        return None
    return {
        "title": enrollment.revision.title,
        "link": site_url("learning.evaluation", slug=enrollment.course.slug),
    }


@jobs.periodic("reminders", hour=9)
def send_reminders(session, now: datetime) -> int:
    """Remind idle learners once per idle stretch, and passed learners of the evaluation."""
    config = current_app.config
    idle_since = now - timedelta(days=int(config["REMINDER_DAYS"]))
    last_activity = func.coalesce(Enrollment.last_heartbeat_at, Enrollment.enrolled_at)
    passed = exists().where(QuizAttempt.enrollment_id == Enrollment.id, QuizAttempt.passed)
    rows = session.execute(
        select(Enrollment.id, Enrollment.user_id, last_activity)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Enrollment.status == "in_progress",
            User.active,
            User.reminders,
            last_activity < idle_since,
            ~passed,
        )
    ).all()
    sent = 0
    for enrollment_id, user_id, since in rows:
        key = f"not_finished:{enrollment_id}:{since.date().isoformat()}"
        sent += (
            jobs.send_message(
                session, "not_finished", user_id=user_id, ref=str(enrollment_id), key=key
            )
            is not None
        )
    passed_before = now - timedelta(days=int(config["EVALUATION_REMINDER_DAYS"]))
    rows = session.execute(
        select(Enrollment.id, Enrollment.user_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            User.active,
            User.reminders,
            exists().where(
                QuizAttempt.enrollment_id == Enrollment.id,
                QuizAttempt.passed,
                QuizAttempt.submitted_at < passed_before,
            ),
            ~exists().where(Evaluation.enrollment_id == Enrollment.id),
        )
    ).all()
    for enrollment_id, user_id in rows:
        key = f"evaluation_pending:{enrollment_id}"
        sent += (
            jobs.send_message(
                session, "evaluation_pending", user_id=user_id, ref=str(enrollment_id), key=key
            )
            is not None
        )
    return sent


# --- license renewals ----------------------------------------------------------------------


def _owed_license(session, user: User, ref: str):
    """The learner's license and its standing this cycle, when hours are still owed."""
    license_ = session.get(License, int(ref)) if ref.isdigit() else None
    if license_ is None or license_.user_id != user.id:
        return None
    state = licenses.standing(session, license_)
    return None if state.complete else state


@message(
    "license_renewal",
    subject="Your {state} license renews on {renewal}: {owed} CE hours still owed",
    transactional=False,
)
def _license_renewal(session, user: User, ref: str) -> dict | None:
    state = _owed_license(session, user, ref)
    if state is None:
        return None
    license_ = state.license
    return {
        "state": license_.state,
        "renewal": license_.renewal_date.isoformat(),
        "owed": format_hours(state.total.owed),
        "topics": [
            (topic.topic.replace("_", " "), format_hours(topic.owed))
            for topic in state.topics
            if topic.owed > 0
        ],
        "link": site_url("licenses.show", license_id=license_.id),
        "catalog": site_url("catalog.index"),
    }


@jobs.periodic("license_renewals", hour=8)
def send_renewal_reminders(session, now: datetime) -> int:
    """Once per license and cycle, some weeks before renewal, when hours are still owed."""
    today = now.date()
    horizon = today + timedelta(days=int(current_app.config["RENEWAL_REMINDER_DAYS"]))
    rows = session.execute(
        select(License.id, License.user_id, License.renewal_date)
        .join(User, User.id == License.user_id)
        .where(
            User.active,
            User.reminders,
            License.renewal_date >= today,
            License.renewal_date <= horizon,
        )
    ).all()
    sent = 0
    for license_id, user_id, renewal in rows:
        if licenses.standing(session, session.get(License, license_id)).complete:
            continue
        key = f"license_renewal:{license_id}:{renewal.isoformat()}"
        sent += (
            jobs.send_message(
                session, "license_renewal", user_id=user_id, ref=str(license_id), key=key
            )
            is not None
        )
    return sent


# --- the nightly audit check ---------------------------------------------------------------


@message("audit_broken", subject="The audit trail does not verify (event {event_id})")
def _audit_broken(session, user: User, ref: str) -> dict | None:
    if user.role != "admin":
        return None
    return {"event_id": ref, "link": site_url("admin.audit")}


@jobs.periodic("audit_verify", hour=2)
def verify_audit_trail(session, now: datetime) -> int | None:
    """Walk the audit chain; tell every administrator where it breaks."""
    broken = audit.verify_chain(session)
    if broken is None:
        log.info("audit trail verified")
        return None
    log.error("audit trail breaks at event %s", broken.id)
    admins = session.scalars(select(User.id).where(User.role == "admin", User.active))
    for admin_id in admins:
        jobs.send_message(
            session,
            "audit_broken",
            user_id=admin_id,
            ref=str(broken.id),
            key=f"audit_broken:{broken.id}:{admin_id}:{now.date().isoformat()}",
        )
    return broken.id


@jobs.periodic("expired_courses", hour=0)
def record_expired_courses(session, now: datetime) -> list[str]:
    """Note each course whose review date passed: the catalog stops offering it to new learners."""
    from ce_platform.catalog.models import CourseRevision

    today = now.date()
    rows = session.execute(
        select(Course.slug, CourseRevision.number, CourseRevision.review_by)
        .join(CourseRevision, CourseRevision.id == Course.current_revision_id)
        .where(CourseRevision.review_by < today)
    ).all()
    expired = []
    for slug, number, review_by in rows:
        key = f"course.expired:{slug}:{number}"
        seen = session.scalar(
            select(func.count())
            .select_from(audit.AuditEvent)
            .where(audit.AuditEvent.action == "course.expired", audit.AuditEvent.subject_id == slug)
            .where(audit.AuditEvent.data["key"].as_string() == key)
        )
        if seen:
            continue
        audit.record(
            session,
            "course.expired",
            actor_id=None,
            subject_type="course",
            subject_id=slug,
            data={"key": key, "revision": number, "review_by": review_by.isoformat()},
        )
        expired.append(slug)
    return expired
