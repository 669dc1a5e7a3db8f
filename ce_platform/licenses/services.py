"""Licenses, their renewal cycles, CE reported from elsewhere, and what is still owed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ce_platform.accounts.models import PROFESSIONS, US_STATES
from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import CourseRevision
from ce_platform.certificates.models import Certificate
from ce_platform.content import CREDIT_CATEGORIES
from ce_platform.content.diagnostics import Diagnostic
from ce_platform.content.media import check_media_file, extension
from ce_platform.core.errors import NotFound, ValidationError
from ce_platform.licenses.models import ExternalCredit, License

MAX_HOURS = Decimal("999")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# PDF or a raster image: SVG is a media type for course authors, not for uploaded evidence.
UPLOAD_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
TOPIC_MAX = 40


def hours(raw: object, label: str, *, required: bool = True) -> Decimal:
    """Read hours as a positive decimal of at most two places, or say which field is wrong."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(f"{label}: enter a number of hours", {"field": label})
        return Decimal("0")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label}: {text!r} is not a number", {"field": label}) from None
    if not value.is_finite() or value < 0 or value > MAX_HOURS or value != round(value, 2):
        raise ValidationError(
            f"{label}: hours run from 0 to {MAX_HOURS} with at most two decimals",
            {"field": label},
        )
    return value


def topic_hours(pairs: dict[str, object]) -> dict[str, str]:
    """Normalise {topic: hours}: lower-case topics, zero hours dropped, hours kept as text."""
    out: dict[str, str] = {}
    for raw_topic, raw_hours in pairs.items():
        topic = " ".join(str(raw_topic).lower().split())
        if not topic:
            continue
        if len(topic) > TOPIC_MAX or not all(c.isalnum() or c in " -'" for c in topic):
            raise ValidationError(
                f"Topic {topic[:TOPIC_MAX]!r}: use up to {TOPIC_MAX} letters, digits or spaces",
                {"field": "topic"},
            )
        value = hours(raw_hours, topic, required=False)
        if value > 0:
            out[topic] = str(value + Decimal(out.get(topic, "0")))
    return out


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), kept inside shorter months."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _check_license(
    profession: str, state: str, number: str, cycle_months: int, total_hours: Decimal
) -> None:
    if profession not in PROFESSIONS:
        raise ValidationError("Choose a profession from the list", {"field": "profession"})
    if state not in US_STATES:
        raise ValidationError("Choose a state from the list", {"field": "state"})
    if len(number) > 64:
        raise ValidationError("The license number is at most 64 characters", {"field": "number"})
    if not 1 <= cycle_months <= 120:
        raise ValidationError("A renewal cycle lasts 1 to 120 months", {"field": "cycle_months"})
    if total_hours <= 0:
        raise ValidationError("The cycle requires some hours in total", {"field": "total_hours"})


def add_license(
    session,
    user_id: int,
    *,
    profession: str,
    state: str,
    number: str,
    renewal_date: date,
    cycle_months: int,
    total_hours: Decimal,
    requirements: dict[str, str],
) -> License:
    """Record a license and the CE its board requires per cycle, as the learner states it."""
    number = number.strip()
    _check_license(profession, state, number, cycle_months, total_hours)
    for topic, value in requirements.items():
        if Decimal(value) > total_hours:
            raise ValidationError(
                f"{topic}: {value} hours is more than the {total_hours} required in total",
                {"field": topic},
            )
    license_ = License(
        user_id=user_id,
        profession=profession,
        state=state,
        number=number,
        renewal_date=renewal_date,
        cycle_months=cycle_months,
        total_hours=total_hours,
        requirements=requirements,
    )
    session.add(license_)
    session.flush()
    return license_


def get_license(session, license_id: int, user_id: int) -> License:
    """A learner's own license; anyone else's reads as missing, so ids reveal nothing."""
    license_ = session.get(License, license_id)
    if license_ is None or license_.user_id != user_id:
        raise NotFound("No such license")
    return license_


def licenses_of(session, user_id: int) -> list[License]:
    return list(
        session.scalars(
            select(License).where(License.user_id == user_id).order_by(License.renewal_date)
        )
    )


def delete_license(session, license_id: int, user_id: int) -> None:
    """Forget a license; CE earned stays, it belongs to the learner, not the license."""
    session.delete(get_license(session, license_id, user_id))
    session.flush()


def upload_problem(file_name: str, data: bytes) -> str | None:
    """Why an uploaded certificate is refused (type, size, content); None when it is fine."""
    ext = extension(file_name)
    if ext not in UPLOAD_TYPES:
        return f'".{ext}" files are not accepted: upload a PDF or an image (PNG, JPEG, GIF, WebP)'
    if not data:
        return "The uploaded file is empty"
    if len(data) > MAX_UPLOAD_BYTES:
        return f"The file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes"
    if ext == "pdf":
        return None if data.startswith(b"%PDF-") else "The file's content is not a PDF"
    diags: list[Diagnostic] = []
    check_media_file(file_name, data, file_name, diags)
    return f"The file's content is not a .{ext} image" if diags else None


def add_external_credit(
    session,
    user_id: int,
    *,
    title: str,
    provider: str,
    completed_on: date,
    credits: dict[str, str],
    file_name: str,
    file_data: bytes,
    today: date,
) -> ExternalCredit:
    """Record CE taken elsewhere with the learner's certificate; it counts in their tracker."""
    title, provider = " ".join(title.split()), " ".join(provider.split())
    if not title or len(title) > 300:
        raise ValidationError("Give the course title (up to 300 characters)", {"field": "title"})
    if not provider or len(provider) > 200:
        raise ValidationError("Give the provider (up to 200 characters)", {"field": "provider"})
    if completed_on > today:
        raise ValidationError("The completion date is in the future", {"field": "completed_on"})
    if not credits:
        raise ValidationError("Enter the hours earned in at least one category", {"field": "hours"})
    problem = upload_problem(file_name, file_data)
    if problem:
        raise ValidationError(problem, {"field": "certificate"})
    base_name = file_name.replace("\\", "/").rsplit("/", 1)[-1][-200:]
    credit = ExternalCredit(
        user_id=user_id,
        title=title,
        provider=provider,
        completed_on=completed_on,
        credits=credits,
        hours=sum((Decimal(v) for v in credits.values()), Decimal("0")),
        file_name=base_name,
        file_type=UPLOAD_TYPES[extension(file_name)],
        file_data=file_data,
    )
    session.add(credit)
    session.flush()
    return credit


def get_external_credit(session, credit_id: int, *, user_id: int, is_admin: bool) -> ExternalCredit:
    """An external credit for its owner or an administrator; to anyone else it does not exist."""
    credit = session.get(ExternalCredit, credit_id)
    if credit is None or (credit.user_id != user_id and not is_admin):
        raise NotFound("No such CE record")
    return credit


def external_credits_of(session, user_id: int) -> list[ExternalCredit]:
    return list(
        session.scalars(
            select(ExternalCredit)
            .where(ExternalCredit.user_id == user_id)
            .order_by(ExternalCredit.completed_on, ExternalCredit.id)
        )
    )


# --- the tracker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    """One renewal cycle, both days included."""

    start: date
    end: date

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def cycle_of(license_: License, offset: int = 0) -> Cycle:
    """The current cycle (offset 0) ends on the renewal date; offset -1 is the one before."""
    end = add_months(license_.renewal_date, offset * license_.cycle_months)
    start = add_months(end, -license_.cycle_months) + timedelta(days=1)
    return Cycle(start, end)


@dataclass
class TopicProgress:
    """Hours for one requirement: earned here, reported from elsewhere, and still owed."""

    topic: str
    required: Decimal
    here: Decimal = Decimal("0")
    elsewhere: Decimal = Decimal("0")

    @property
    def earned(self) -> Decimal:
        return self.here + self.elsewhere

    @property
    def owed(self) -> Decimal:
        return max(Decimal("0"), self.required - self.earned)

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.earned * 100 / self.required))


@dataclass
class Standing:
    """Where a license stands in one cycle: the total first, then each required topic."""

    license: License
    cycle: Cycle
    total: TopicProgress
    topics: list[TopicProgress]
    certificates: list[Certificate] = field(default_factory=list)
    external: list[ExternalCredit] = field(default_factory=list)

    @property
    def owed_topics(self) -> list[str]:
        return [t.topic for t in self.topics if t.owed > 0]

    @property
    def complete(self) -> bool:
        return self.total.owed == 0 and not self.owed_topics


def standing(session, license_: License, offset: int = 0) -> Standing:
    """Add up the valid certificates earned here and the CE reported from elsewhere in a cycle."""
    cycle = cycle_of(license_, offset)
    certificates = list(
        session.scalars(
            select(Certificate)
            .where(
                Certificate.user_id == license_.user_id,
                Certificate.status == "valid",
                Certificate.completion_date >= cycle.start,
                Certificate.completion_date <= cycle.end,
            )
            .options(joinedload(Certificate.revision).load_only(CourseRevision.credits))
            .order_by(Certificate.completion_date)
        )
    )
    external = [
        c for c in external_credits_of(session, license_.user_id) if cycle.holds(c.completed_on)
    ]
    total = TopicProgress("total", Decimal(license_.total_hours))
    topics = {t: TopicProgress(t, Decimal(h)) for t, h in license_.requirements.items()}
    for certificate in certificates:
        total.here += Decimal(certificate.ce_hours)
        for topic, value in certificate.revision.credits.items():
            if topic in topics:
                topics[topic].here += Decimal(value)
    for credit in external:
        total.elsewhere += Decimal(credit.hours)
        for topic, value in credit.credits.items():
            if topic in topics:
                topics[topic].elsewhere += Decimal(value)
    return Standing(license_, cycle, total, list(topics.values()), certificates, external)


def courses_for_gap(
    session, state: Standing, *, today: date, taken_course_ids: set[int]
) -> list[CourseRevision]:
    """Catalog courses not yet taken that earn hours in a topic still owed (or any, when only
    the total is short), those that cover most of the gap first."""
    owed = [t for t in state.owed_topics if t in CREDIT_CATEGORIES]
    found = [
        r
        for r in catalog.catalog(session, today=today)
        if r.course_id not in taken_course_ids and counts_toward(state, r)
    ]
    return sorted(found, key=lambda r: -sum(Decimal(r.credits.get(t, "0")) for t in owed))


def counts_toward(state: Standing, revision: CourseRevision) -> bool:
    """Whether a course earns hours the license still needs: in a credit category still owed,
    or any hours when only the total is short."""
    owed = [t for t in state.owed_topics if t in CREDIT_CATEGORIES]
    if owed:
        return any(Decimal(revision.credits.get(t, "0")) > 0 for t in owed)
    return state.total.owed > 0 and not state.owed_topics
