"""Build records through the real services so tests start from valid states."""

from __future__ import annotations

import itertools

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import User
from ce_platform.core.models import utcnow
from ce_platform.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
FAST = accounts.Settings(password_min_length=12, hash_method="pbkdf2:sha256:1000")


# A licensed clinician's profile, as certificates and board reports print it.
CLINICIAN = {
    "full_name": "Dana Clinician",
    "credentials": "LCSW",
    "profession": "social_worker",
    "license_number": "SW-12345",
    "license_state": "OR",
}


def user(
    email: str | None = None,
    *,
    role: str = "learner",
    full_name: str = "Alex Rivera",
    password: str = PASSWORD,
    verified: bool = True,
    **profile,
) -> User:
    """An account; its email address is confirmed unless `verified=False`."""
    email = email or f"user{next(_counter)}@example.org"
    profile.setdefault("profession", "psychologist")
    created = accounts.register_user(
        db.session,
        email=email,
        password=password,
        full_name=full_name,
        role=role,
        settings=FAST,
        **profile,
    )
    if verified:
        created.email_verified_at = utcnow()
    db.session.commit()
    return created


# --- courses -------------------------------------------------------------------------------

PROVIDER_YML = """\
name: Test Institute of Continuing Education
address: 1 Test Way, Salem, OR 97301
signer: {name: "Pat Signer, PhD", title: CE Program Director}
accreditations:
  apa:
    body: American Psychological Association
    provider_number: null
    statement: >-
      {provider} is approved by the American Psychological Association to sponsor continuing
      education for psychologists. Psychologists completing this course receive {credits} {unit}.
  ace:
    body: ASWB Approved Continuing Education (ACE)
    provider_number: "1234"
    approval_period: {start: 2026-01-01, end: 2028-12-31}
    formats: [asynchronous]
    statement: >-
      {provider}, provider #{provider_number}, is approved as an ACE provider. ACE provider
      approval period: {approval_start} - {approval_end}. Social workers completing this course
      receive {credits} {unit}.
  nbcc:
    body: National Board for Certified Counselors
    provider_number: "5678"
    statement: >-
      {provider} has been approved by NBCC as an Approved Continuing Education Provider, ACEP
      No. {provider_number}. Counselors completing this course receive {credits} {unit}.
  ancc:
    body: American Nurses Credentialing Center
    provider_number: "P4321"
    statement: >-
      {provider} is accredited as a provider of nursing continuing professional development by
      the American Nurses Credentialing Center's Commission on Accreditation. Nurses completing
      this activity receive {credits} {unit}.
"""

COURSE_MD = """\
---
title: {title}
summary: A short course used by the tests.
level: introductory
format: asynchronous
ce_hours: {ce_hours}
credits: {credits}
accreditations: {accreditations}
objectives:
  - Describe the first thing.
  - Identify the second thing.
authors:
  - {{name: Jamie Author, credentials: PhD, disclosure: No relevant financial relationships.}}
instructors: [instructor@example.org]
released: {released}
review_by: {review_by}
evolving: {evolving}
commercial_support: No commercial support was received for this course.{extra}
---
## Overview

This course exists for tests.
"""

LESSON_MD = """\
---
title: {title}
---
## {title} heading

{body}

### A subsection

More text with a footnote.[^1]

[^1]: Author A. A real-looking reference. Journal. 2020.
"""

QUIZ_MD = """\
---
passing_score: {passing_score}
max_attempts: {max_attempts}
questions_per_attempt: {per_attempt}
shuffle: {shuffle}
reveal: {reveal}
---
"""

QUESTION_MD = """
## {qid}
objectives: {objective}
Which option is right for question {n}?

- [ ] Wrong answer {n}a
  > Feedback for wrong {n}a.
- [x] Right answer {n}
- [ ] Wrong answer {n}b

> Explanation {n}.
"""

MULTI_QUESTION_MD = """
## multi-{n}
objectives: 1, 2
Select all that apply for question {n}.

- [x] Good choice {n}
- [x] Also good {n}
- [ ] Poor choice {n}
"""


def course_files(
    *,
    title: str = "Test Course",
    lessons: int = 3,
    questions: int = 6,
    multiple: int = 1,
    per_attempt: int | None = None,
    released: str = "2026-01-01",
    review_by: str = "2028-12-31",
    lesson_body: str = "Lesson text for learners.",
    passing_score: int = 75,
    max_attempts: int = 3,
    reveal: str = "after_pass",
    shuffle: bool = True,
    min_minutes: int = 0,
    evolving: bool = False,
    ce_hours: str = "0.25",
    credits: str = "{general: 0.25}",
    accreditations: str = "[apa, ace]",
    spares: int | None = None,
    ce_broker: str | None = None,
) -> dict[str, bytes]:
    """A small valid course folder (path -> bytes), as tests need it.

    Each attempt draws `per_attempt` questions (default: `questions` + `multiple`); `spares`
    more single-answer questions (default: enough for a pool twice the draw) fill the pool.
    """
    files = {
        "course.md": COURSE_MD.format(
            title=title,
            released=released,
            review_by=review_by,
            evolving="true" if evolving else "false",
            ce_hours=ce_hours,
            credits=credits,
            accreditations=accreditations,
            extra=(f"\nmin_minutes: {min_minutes}" if min_minutes else "")
            + (f"\nce_broker: {ce_broker}" if ce_broker else ""),
        )
    }
    for n in range(1, lessons + 1):
        taught = "[1, 2]" if lessons == 1 else f"[{(n - 1) % 2 + 1}]"
        lesson = LESSON_MD.format(title=f"Lesson {n}", body=lesson_body)
        files[f"{n:02d}-lesson-{n}.md"] = lesson.replace(
            "\n---\n", f"\nobjectives: {taught}\n---\n", 1
        )
    drawn = per_attempt or questions + multiple
    measured = {1: (questions + 1) // 2 + multiple, 2: questions // 2 + multiple}
    if spares is None:
        short = sum(max(0, 2 - count) for count in measured.values())  # 2 items per objective
        spares = max(short, 2 * drawn - questions - multiple)
    spare_objectives = []
    for _ in range(spares):  # each spare measures the objective with fewer items so far
        objective = min(measured, key=lambda n: (measured[n], n))
        measured[objective] += 1
        spare_objectives.append(objective)
    quiz = QUIZ_MD.format(
        per_attempt=drawn,
        passing_score=passing_score,
        max_attempts=max_attempts,
        reveal=reveal,
        shuffle="true" if shuffle else "false",
    )
    quiz += "".join(
        QUESTION_MD.format(qid=f"q{n}", n=n, objective=(n - 1) % 2 + 1)
        for n in range(1, questions + 1)
    )
    quiz += "".join(MULTI_QUESTION_MD.format(n=n) for n in range(1, multiple + 1))
    quiz += "".join(
        QUESTION_MD.format(qid=f"spare-{n}", n=f"s{n}", objective=objective)
        for n, objective in enumerate(spare_objectives, start=1)
    )
    files["quiz.md"] = quiz
    return {path: text.encode() for path, text in files.items()}


def provider(*, specimen: bool = False, ce_broker: str | None = None):
    """The test provider; `specimen=True` makes it an example provider with no accreditation.

    `ce_broker` is provider.yml's `ce_broker` mapping in YAML flow style.
    """
    from ce_platform import content

    text = ("specimen: true\n" if specimen else "") + PROVIDER_YML
    if ce_broker:
        text += f"ce_broker: {ce_broker}\n"
    parsed, diagnostics = content.parse_provider(text)
    assert parsed is not None, diagnostics
    return parsed


def course(
    slug: str = "test-course",
    files: dict[str, bytes] | None = None,
    *,
    specimen: bool = False,
    provider_ce_broker: str | None = None,
    **kwargs,
):
    """Publish a course through the catalog service and commit; returns the Course."""
    from ce_platform.catalog import services as catalog

    outcome = catalog.publish_course(
        db.session,
        slug,
        files or course_files(**kwargs),
        provider(specimen=specimen, ce_broker=provider_ce_broker),
    )
    assert outcome.status in ("created", "updated", "unchanged"), [
        str(d) for d in outcome.diagnostics
    ]
    db.session.commit()
    return outcome.revision.course


def write_courses_root(root, courses: dict[str, dict[str, bytes]]) -> None:
    """Lay out a folder like courses/: provider.yml plus one folder per course."""
    from ce_platform import content

    root.mkdir(parents=True, exist_ok=True)
    (root / "provider.yml").write_text(PROVIDER_YML)
    for slug, files in courses.items():
        content.write_course_folder(root / slug, files)


# --- learning ------------------------------------------------------------------------------

HEARTBEAT_SECONDS = 30  # how often the lesson page's script reports a visible tab


def earn_seat_time(
    email: str,
    slug: str,
    minutes: int | None = None,
    *,
    lessons: tuple[str, ...] | None = None,
    session=None,
) -> int:
    """Read a course's lessons (or the named ones) for `minutes` (default: the revision's
    floor) the way a visible tab does: heartbeats through the learning service, 30 s apart, on
    a clock that ends now, or goes on from the learner's last heartbeat in any course (so the
    reading of a second course lies after the first, as one person reads).

    Commits, like the request that carries a heartbeat; returns the seconds credited. `session`
    is another database's session (a server under test), else the app's.
    """
    from datetime import timedelta

    from sqlalchemy import func, select

    from ce_platform.catalog.models import Course
    from ce_platform.core.models import utcnow
    from ce_platform.learning import services as learning
    from ce_platform.learning.models import Enrollment

    session = db.session if session is None else session
    enrollment = session.scalar(
        select(Enrollment)
        .join(Course, Course.id == Enrollment.course_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Course.slug == slug, User.email == email.lower())
    )
    assert enrollment is not None, f"{email} is not enrolled in {slug}"
    session.refresh(enrollment)
    read = [
        lesson
        for lesson in enrollment.revision.lessons
        if lessons is None or lesson.slug in lessons
    ]
    wanted = 60 * (enrollment.revision.seat_time_floor if minutes is None else minutes)
    beats = -(-wanted // HEARTBEAT_SECONDS)
    clock = enrollment.last_heartbeat_at
    # One timeline per learner: reading in another course goes on after that course's reading.
    elsewhere = session.scalar(
        select(func.max(Enrollment.last_heartbeat_at)).where(
            Enrollment.user_id == enrollment.user_id, Enrollment.id != enrollment.id
        )
    )
    if elsewhere is not None:
        clock = elsewhere if clock is None else max(clock, elsewhere)
        learning.heartbeat(session, enrollment, read[0], now=clock)
    if clock is None:  # the first heartbeat only starts the clock
        clock = utcnow() - timedelta(seconds=HEARTBEAT_SECONDS * beats)
        learning.heartbeat(session, enrollment, read[0], now=clock)
    credited = 0
    beat = 0
    # Reading the lessons in order; a heartbeat from a real page at the same time takes its
    # share of the clock, so keep reading until the time is credited.
    while credited < wanted and beat < 2 * beats + 10:
        clock += timedelta(seconds=HEARTBEAT_SECONDS)
        lesson = read[min(beat * len(read) // beats, len(read) - 1)]
        credited += learning.heartbeat(session, enrollment, lesson, now=clock)
        beat += 1
    session.commit()
    return credited


def seed_drawing(monkeypatch, slug: str, *keys: str) -> str:
    """Make every new attempt in a course use the first test seed whose draw holds `keys`."""
    from ce_platform.catalog import services as catalog
    from ce_platform.learning import services as learning

    revision = catalog.get_course(db.session, slug).current_revision
    for n in range(10_000):
        seed = f"test-seed-{n}"
        drawn = learning.draw(
            revision.questions,
            seed=seed,
            count=revision.questions_per_attempt,
            shuffle=revision.shuffle,
        )
        if set(keys) <= {item["key"] for item in drawn}:
            monkeypatch.setattr(learning, "new_seed", lambda fixed=seed: fixed)
            return seed
    raise AssertionError(f"no draw of {slug} holds {keys}")


def answer_sheet(attempt_id: int, *, correct: int | None = None) -> dict[str, list[str]]:
    """Answers for an attempt, read from the server's key: the first `correct` right, rest wrong."""
    from ce_platform.catalog.models import Question
    from ce_platform.learning.models import QuizAttempt

    attempt = db.session.get(QuizAttempt, attempt_id)
    sheet = {}
    for index, item in enumerate(attempt.drawn):
        question = db.session.get(Question, item["question_id"])
        key = {o["id"] for o in question.options if o["correct"]}
        tokens = {o["id"]: o["token"] for o in item["options"]}
        right = correct is None or index < correct
        if right:
            sheet[item["key"]] = [tokens[i] for i in sorted(key)]
        else:
            wrong = next(
                i for i in sorted(tokens) if i not in key
            )  # the first wrong, in file order
            sheet[item["key"]] = [tokens[wrong]]
    return sheet
