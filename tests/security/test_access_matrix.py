"""Every URL that names an object is tried as its owner, another learner, an instructor of
another course and anonymous; only the owner (or staff whose job it is) gets in.

Reads (GET) and writes (POST, PUT, PATCH, DELETE; HTML forms with a valid CSRF token and
/api/v1 with a bearer token) are both walked. A refused write must leave every table exactly
as it was. The URLs come from the URL map, so a new route is covered the day it is added.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from ce_platform.accounts.models import User
from ce_platform.authoring import zips
from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.certificates.conftest import complete_course
from tests.conftest import AuthActions, csrf_token
from tests.learning.conftest import evaluation_answers, finish_lessons, start

# Readable by anyone (or any signed-in user) by design: the catalog, course pages and their
# media, lessons (any signed-in learner may read them), program pages, public verification and
# the public copy of a credential (it names nobody unless its owner made it public).
PUBLIC = re.compile(
    r"^(/|/courses/<slug>|/courses/<slug>/r<int:number>/media/<path:name>|"
    r"/courses/<slug>/lessons/<lesson_slug>|/verify|/verify/<number>|/static/.*|"
    r"/credentials/<number>|/programs/<slug>|"
    r"/api/v1/courses|/api/v1/courses/<slug>|/api/v1/courses/<slug>/lessons/<lesson_slug>|"
    r"/api/v1/verify/<number>|/api/v1/openapi.json|/healthz|/favicon.ico)$"
)
OBJECT_ARGS = {
    "slug", "number", "attempt_id", "id", "user_id", "path", "lesson_slug", "name",
    "license_id", "credit_id",
}  # fmt: skip
STAFF_PREFIXES = ("/authoring", "/reports", "/api/v1/authoring", "/api/v1/reports")
ADMIN_PREFIXES = ("/admin", "/api/v1/admin")
QUERY = {"diff": "?from=1&to=1"}


@pytest.fixture
def world(app, api, tmp_path, monkeypatch):
    """A course with an instructor, a learner who completed it (with a credential), strangers."""
    from ce_platform.credentials import keys

    keys.init_key(tmp_path / "issuer-key.json")
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(tmp_path / "issuer-key.json"))
    files = factories.course_files(ce_broker='{course_tracking: "654321"}')
    files["media/figure.png"] = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    files["01-lesson-1.md"] += b"\n![A figure](media/figure.png)\n"
    factories.course("test-course", files=files, provider_ce_broker='{provider_tracking: "12345"}')
    factories.course("other-course", title="Other Course")
    owner = factories.user("learner@example.org")
    factories.user("other@example.org")
    factories.user("instructor@example.org", role="instructor")  # named in course.md
    elsewhere = factories.user("teacher@example.org", role="instructor")
    factories.user("admin@example.org", role="admin")
    from ce_platform.catalog.models import Course, CourseInstructor

    other_course = db.session.scalar(select(Course).where(Course.slug == "other-course"))
    db.session.add(CourseInstructor(course_id=other_course.id, user_id=elsewhere.id))
    db.session.commit()
    api.login("learner@example.org")
    complete_course(api)
    number = api.post("/api/v1/courses/test-course/certificate").get_json()["certificate"]["number"]
    attempt = db.session.scalar(select(QuizAttempt))
    assert db.session.scalar(select(Certificate)).number == number
    license_, credit = _license_and_reported_ce(owner)
    return {
        "license_id": str(license_.id),
        "credit_id": str(credit.id),
        "slug": "test-course",
        "number": number,
        "attempt_id": str(attempt.id),
        "id": str(attempt.id),
        "user_id": str(owner.id),
        "path": "course.md",
        "lesson_slug": "lesson-1",
        "name": "figure.png",
    }


def _license_and_reported_ce(owner):
    """The owner's license and a CE record reported from elsewhere, with its private upload."""
    from datetime import date
    from decimal import Decimal

    from ce_platform.licenses.models import ExternalCredit, License

    license_ = License(
        user_id=owner.id, profession="social_worker", state="OR", number="SW-1",
        renewal_date=date(2027, 6, 30), cycle_months=24, total_hours=Decimal(40),
        requirements={"ethics": "6"},
    )  # fmt: skip
    credit = ExternalCredit(
        user_id=owner.id, title="Elsewhere", provider="Another Provider",
        completed_on=date(2026, 5, 1), credits={"ethics": "2"}, hours=Decimal(2),
        file_name="certificate.pdf", file_type="application/pdf", file_data=b"%PDF-1.7\n",
    )  # fmt: skip
    db.session.add_all([license_, credit])
    db.session.commit()
    return license_, credit


def _fill(rule, values) -> str:
    url = re.sub(r"<int:number>", "1", rule.rule)  # a revision number, not a certificate's
    for name in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values.get(name, "1")), url)
    return url


def object_urls(app, values) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or PUBLIC.match(rule.rule):
            continue
        if not (set(rule.arguments) & OBJECT_ARGS):
            continue
        url = _fill(rule, values) + QUERY.get(rule.endpoint.rsplit(".", 1)[-1], "")
        urls.append((rule.rule, url))
    return sorted(urls)


def owner_of(rule: str) -> str:
    if rule.startswith(ADMIN_PREFIXES) or "/users/" in rule:
        return "admin@example.org"
    if rule.startswith(STAFF_PREFIXES):
        return "instructor@example.org"
    return "learner@example.org"


def _get(app, rule: str, url: str, email: str | None):
    client = app.test_client()
    headers = {}
    if email is not None:
        if rule.startswith("/api/"):
            token = client.post(
                "/api/v1/auth/token", json={"email": email, "password": factories.PASSWORD}
            ).get_json()["token"]
            headers["Authorization"] = f"Bearer {token}"
        else:
            from tests.conftest import AuthActions

            AuthActions(client).login(email)
    return client.get(url, headers=headers)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 422):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_the_matrix_covers_every_kind_of_object(app, world):
    rules = {rule for rule, _ in object_urls(app, world)}
    for expected in (
        "/certificates/<number>",
        "/api/v1/certificates/<number>.pdf",
        "/api/v1/quiz/attempts/<int:attempt_id>",
        "/courses/<slug>/quiz/<int:attempt_id>",
        "/reports/courses/<slug>/",
        "/authoring/courses/<slug>/",
        "/api/v1/reports/courses/<slug>/roster",
        "/api/v1/authoring/courses/<slug>/files",
        "/admin/users/<int:user_id>",
        "/admin/courses/<slug>/certificates.zip",
    ):
        assert expected in rules, expected


def test_owner_gets_in_and_everyone_else_is_refused(app, world):
    from ce_platform.extensions import limiter

    problems = []
    for rule, url in object_urls(app, world):
        owner = owner_of(rule)
        response = _get(app, rule, url, owner)
        if _refused(response) or response.status_code >= 500:
            problems.append(f"owner {owner} refused or failed: {url} -> {response.status_code}")
        strangers = ["other@example.org", "teacher@example.org", None]
        if owner != "learner@example.org":
            strangers.insert(0, "learner@example.org")
        for stranger in strangers:
            if stranger == owner:
                continue
            limiter.reset()
            response = _get(app, rule, url, stranger)
            if not _refused(response):
                who = stranger or "anonymous"
                problems.append(f"{who} got in: {url} -> {response.status_code}")
        limiter.reset()
    assert problems == []


# --- writes: POST, PUT, PATCH, DELETE ------------------------------------------------------

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Write routes that name an object but are open by design.
WRITE_BY_DESIGN = {
    # Any signed-in user may enroll in a published course: it makes the caller's own
    # enrollment and touches no one else's.
    "learning.enroll": "enrolling is open to every signed-in user",
    "api.enroll": "enrolling is open to every signed-in user",
    "programs.enroll": "enrolling in a program is open to every signed-in user",
    # The caller's own program enrollment: a stranger has none and is sent back to the program
    # page with "Enroll in the program first", the same for every program; nothing is written.
    "programs.issue": "the caller's own program certificate",
    # The QR code's target: anyone may check a PDF against a certificate's stored SHA-256;
    # nothing is written and the page shows only what GET /verify/<number> shows.
    "certificates.verify": "public verification, writes nothing",
}

# Write routes with no object in the URL: each acts on the caller alone, or is public.
NO_OBJECT_WRITES = {
    # Sign-in, registration and password reset are for anonymous visitors; the reset token is
    # a signed, expiring secret sent by mail, not the id of an object someone else owns.
    "accounts.login": "public sign-in",
    "accounts.register": "public registration",
    "accounts.reset_request": "public reset request (same answer for any email)",
    "accounts.reset": "the URL holds a signed, expiring secret, not an object id",
    "api.register": "public registration",
    "api.create_token": "public sign-in",
    # The caller's own session, token and profile.
    "accounts.logout": "the caller's own session",
    "accounts.profile": "the caller's own profile",
    "credentials.settings": "the caller's own credential choices",
    "licenses.new": "a license of the caller's own",
    "licenses.new_external": "CE the caller reports for themselves",
    "accounts.change_password": "the caller's own password",
    "accounts.sign_out_everywhere": "the caller's own sessions and tokens",
    "api.revoke_token": "the caller's own bearer token",
    "api.update_me": "the caller's own profile",
    "api.change_password": "the caller's own password",
    "accounts.reminders": "the caller's own email preferences",
    "accounts.resend_verification": "the caller's own confirmation link",
    # The one-click unsubscribe (RFC 8058): the URL holds a signed secret mailed to the
    # account, not an object id, and it can only turn that account's reminders off.
    "accounts.unsubscribe": "the URL holds a signed secret mailed to the account",
    # A background job belongs to no user; the admin blueprint refuses everyone else.
    "admin.retry_job": "administrators only: queue a failed job again",
    # Public lookup by number or PDF upload; shows the verdict, writes nothing.
    "certificates.verify_lookup": "public verification, writes nothing",
    "api.verify_many": "public bulk verification, each answer what GET /verify/<number> shows",
    # Any instructor may start a new course; the service refuses a slug already in use.
    "authoring.new_course": "a new course, refused for a slug that exists",
    "api.create_course_draft": "a new course, refused for a slug that exists",
}

# Writes that name their object in the body rather than the URL; walked like the others.
BODY_NAMED = {"api.authoring_preview"}

# Staff work that is the administrators' alone, outside /admin.
ADMIN_ENDPOINTS = {"certificates.revoke"}

# The caller's own enrollment in the course the URL names (lessons, post-test, evaluation,
# certificate): a stranger has none, and the answer "Enroll in this course first" (422) is
# the same for every course, so it leaks nothing.
OWN_ENROLLMENT = re.compile(r"^(/api/v1)?/courses/<slug>/(?!quiz/<int:attempt_id>)")


@dataclass(frozen=True, order=True)
class Write:
    rule: str
    method: str
    endpoint: str
    url: str

    @property
    def api(self) -> bool:
        return self.rule.startswith("/api/")


def write_routes(app, values, overrides=None) -> list[Write]:
    """Every write route that names an object, with `values` (per endpoint `overrides`)."""
    overrides = overrides or {}
    writes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in WRITE_BY_DESIGN:
            continue
        if not (set(rule.arguments) & OBJECT_ARGS) and rule.endpoint not in BODY_NAMED:
            continue
        url = _fill(rule, {**values, **overrides.get(rule.endpoint, {})})
        for method in sorted(rule.methods & WRITE_METHODS):
            writes.append(Write(rule.rule, method, rule.endpoint, url))
    return sorted(writes)


def write_owner(write: Write) -> str:
    if write.rule.startswith(ADMIN_PREFIXES) or write.endpoint in ADMIN_ENDPOINTS:
        return "admin@example.org"
    if write.rule.startswith(STAFF_PREFIXES):
        return "instructor@example.org"
    return "learner@example.org"


def write_strangers(owner: str) -> list[str | None]:
    """Everyone but the owner and the administrators: the instructor of the course too, since
    no learner's record and no administrator's decision is theirs to change."""
    everyone = [
        "learner@example.org",
        "other@example.org",
        "teacher@example.org",
        "instructor@example.org",
        None,
    ]
    return [email for email in everyone if email != owner]


@pytest.fixture
def write_world(world, api):
    """The world, plus an open post-test attempt, a certificate its learner could reissue
    (the profile changed since), a deactivated account and a draft with an unpublished edit,
    so that every refused write would have had something to change."""
    factories.course("quiz-course", title="Quiz Course")
    assert api.post("/api/v1/courses/quiz-course/enrollment").status_code == 201
    finish_lessons(api, "quiz-course")
    attempt_id = start(api, "quiz-course")["id"]
    owner = db.session.get(User, int(world["user_id"]))
    owner.credentials = "PsyD"
    inactive = factories.user("inactive@example.org", role="instructor")
    inactive.active = False
    teacher = db.session.scalar(select(User).where(User.email == "teacher@example.org"))
    _program("matrix-program", required=["test-course", "other-course"])
    values = {
        **world,
        "open_attempt_id": attempt_id,
        "answers": factories.answer_sheet(attempt_id),
        "teacher_id": teacher.id,
        "inactive_id": inactive.id,
        "lesson": factories.LESSON_MD.format(title="Lesson 1", body="Changed by a request."),
    }
    db.session.commit()
    api.login("instructor@example.org")
    edited = factories.LESSON_MD.format(title="Lesson 3", body="An edit not yet published.")
    response = api.put(
        "/api/v1/authoring/courses/test-course/files/03-lesson-3.md", json={"markdown": edited}
    )
    assert response.status_code == 200, response.get_json()
    return values


def _program(slug: str, *, required: list[str]) -> None:
    """A published program of the world's courses, for the program routes to act on."""
    from ce_platform.content.programs import parse_program
    from ce_platform.programs import services as programs

    listed = "".join(f"    - {course}\n" for course in required)
    text = (
        f"---\ntitle: Matrix Program\nsummary: The world's courses.\nobjectives:\n"
        f"  - Complete the courses.\ncourses:\n  required:\n{listed}rule: all required\n---\n"
        "The overview.\n"
    )
    source, diagnostics = parse_program(
        slug, {"program.md": text.encode()}, known_courses=set(required)
    )
    assert source is not None, [str(d) for d in diagnostics]
    programs.sync_program(db.session, source)


def write_overrides(values) -> dict[str, dict]:
    """Per endpoint, the objects that let the owner's request do real work."""
    open_attempt = {"slug": "quiz-course", "attempt_id": values["open_attempt_id"]}
    teacher_on_other_course = {"user_id": values["teacher_id"], "slug": "other-course"}
    return {
        "learning.submit_quiz": open_attempt,
        "api.submit_attempt": open_attempt,
        "admin.assign": {"user_id": values["teacher_id"]},
        "admin.unassign": teacher_on_other_course,
        "api.admin_unassign_instructor": teacher_on_other_course,
        "admin.reactivate": {"user_id": values["inactive_id"]},
        "authoring.edit": {"path": "01-lesson-1.md"},
        "api.write_draft_file": {"path": "01-lesson-1.md"},
        "api.delete_draft_file": {"path": "02-lesson-2.md"},
        "programs.enroll": {"slug": "matrix-program"},
        "programs.issue": {"slug": "matrix-program"},
    }


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _evaluation_form() -> dict:
    return {**{k: str(v) for k, v in evaluation_answers().items()}, "attestation": "yes"}


# A plausible body per endpoint (a new endpoint gets an empty form or JSON object).
WRITE_BODIES = {
    "learning.submit_quiz": lambda v: {
        "data": {f"q-{key}": options for key, options in v["answers"].items()}
    },
    "api.submit_attempt": lambda v: {"json": {"answers": v["answers"]}},
    "learning.evaluation": lambda v: {"data": _evaluation_form()},
    "api.submit_evaluation": lambda v: {
        "json": {"answers": evaluation_answers(), "attestation": True}
    },
    "certificates.revoke": lambda v: {
        "data": {
            "reason": "issued_in_error",
            "note": "Tried by the access matrix.",
            "confirm": "yes",
        }
    },
    "admin.change_role": lambda v: {"data": {"role": "admin"}},
    "api.admin_update_user": lambda v: {"json": {"role": "admin"}},
    "admin.assign": lambda v: {"data": {"course": "test-course"}},
    "api.admin_assign_instructor": lambda v: {"json": {"email": "teacher@example.org"}},
    "authoring.edit": lambda v: {"data": {"markdown": v["lesson"], "action": "save"}},
    "api.write_draft_file": lambda v: {"json": {"markdown": v["lesson"]}},
    "authoring.delete_file": lambda v: {"data": {"path": "02-lesson-2.md"}},
    "authoring.add_lesson": lambda v: {"data": {"title": "An added lesson"}},
    "authoring.rename_lesson": lambda v: {"data": {"path": "01-lesson-1.md", "slug": "renamed"}},
    "authoring.move_lesson": lambda v: {"data": {"path": "01-lesson-1.md", "direction": "down"}},
    "authoring.upload_media": lambda v: {"data": {"file": (io.BytesIO(PNG), "added.png")}},
    "authoring.import_zip": lambda v: {
        "data": {
            "archive": (
                io.BytesIO(
                    zips.course_zip("test-course", factories.course_files(title="Imported"), None)
                ),
                "course.zip",
            )
        }
    },
    "authoring.preview": lambda v: {"json": {"path": "01-lesson-1.md", "markdown": v["lesson"]}},
    "api.authoring_preview": lambda v: {
        "json": {"path": "01-lesson-1.md", "markdown": v["lesson"], "course": "test-course"}
    },
}


class Actor:
    """One person with a signed-in browser (and its CSRF token) and a bearer token."""

    def __init__(self, app, email: str | None):
        from tests.conftest import AuthActions, csrf_token

        self.email = email
        self.name = email or "anonymous"
        self.browser = app.test_client()
        self.token = None
        if email is not None:
            response = AuthActions(self.browser).login(email)
            assert response.status_code == 302, email
            self.token = (
                app.test_client()
                .post("/api/v1/auth/token", json={"email": email, "password": factories.PASSWORD})
                .get_json()["token"]
            )
        self.csrf = csrf_token(self.browser, "/account" if email else "/login")

    def send(self, write: Write, values):
        body = WRITE_BODIES.get(write.endpoint, lambda v: {"json": {}} if write.api else {})
        kwargs = body(values)
        headers = {}
        if write.api:
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
        else:
            headers["X-CSRFToken"] = self.csrf
            if "json" not in kwargs:
                kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": self.csrf}
        return self.browser.open(write.url, method=write.method, headers=headers, **kwargs)


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table (the audit log included), in primary key order."""
    return {
        table.name: [
            tuple(row)
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }


def _changed(before, after) -> list[str]:
    return [
        f"{name} ({len(before[name])} -> {len(after[name])} rows)"
        for name in before
        if before[name] != after[name]
    ]


def _try(actor: Actor, write: Write, values, baseline):
    """Send one write inside a savepoint; return the response and the tables it changed."""
    from ce_platform.extensions import limiter

    limiter.reset()
    db.session.commit()  # no session savepoint may sit under the one opened here
    savepoint = db.session.get_bind().begin_nested()
    try:
        response = actor.send(write, values)
        return response, _changed(baseline, _tables())
    finally:
        db.session.rollback()
        savepoint.rollback()


def _write_refused(write: Write, actor: Actor, response) -> bool:
    status = response.status_code
    if actor.email is None:  # pages send anonymous visitors to sign in; the API says 401
        if write.api:
            return status == 401
        return status == 302 and "/login" in response.headers.get("Location", "")
    if status in (403, 404):
        return True
    return status == 422 and bool(OWN_ENROLLMENT.match(write.rule))


def _blocked_for_access(response) -> bool:
    status = response.status_code
    if status in (401, 403, 404) or status >= 500:
        return True
    return status == 302 and "/login" in response.headers.get("Location", "")


def test_the_write_matrix_covers_every_kind_of_object(app):
    walked = {(write.method, write.rule) for write in write_routes(app, {})}
    for expected in (
        ("POST", "/courses/<slug>/quiz/<int:attempt_id>/submit"),
        ("POST", "/api/v1/quiz/attempts/<int:attempt_id>/submit"),
        ("POST", "/courses/<slug>/certificate"),
        ("POST", "/api/v1/courses/<slug>/certificate"),
        ("POST", "/certificates/<number>/reissue"),
        ("POST", "/certificates/<number>/revoke"),
        ("POST", "/courses/<slug>/evaluation"),
        ("POST", "/authoring/courses/<slug>/edit/<path:path>"),
        ("POST", "/authoring/courses/<slug>/files/delete"),
        ("POST", "/authoring/courses/<slug>/publish"),
        ("PUT", "/api/v1/authoring/courses/<slug>/files/<path:path>"),
        ("DELETE", "/api/v1/authoring/courses/<slug>/files/<path:path>"),
        ("POST", "/api/v1/authoring/courses/<slug>/publish"),
        ("POST", "/api/v1/authoring/preview"),
        ("POST", "/admin/users/<int:user_id>/role"),
        ("POST", "/admin/users/<int:user_id>/deactivate"),
        ("PATCH", "/api/v1/admin/users/<int:user_id>"),
        ("POST", "/api/v1/admin/courses/<slug>/instructors"),
        ("DELETE", "/api/v1/admin/courses/<slug>/instructors/<int:user_id>"),
    ):
        assert expected in walked, expected
    # Report exports are downloads: if one ever becomes a write, it is walked like the rest.
    report_writes = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/reports", "/api/v1/reports")) and rule.methods & WRITE_METHODS
    ]
    assert {write.rule for write in write_routes(app, {})} >= set(report_writes)


def test_every_write_route_is_walked_or_open_by_design(app):
    walked = {write.endpoint for write in write_routes(app, {})}
    unclassified = sorted(
        f"{sorted(rule.methods & WRITE_METHODS)} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.methods & WRITE_METHODS
        and rule.endpoint not in walked
        and rule.endpoint not in WRITE_BY_DESIGN
        and rule.endpoint not in NO_OBJECT_WRITES
    )
    assert unclassified == [], "a write route that names no object: add it to NO_OBJECT_WRITES"
    assert not walked & set(NO_OBJECT_WRITES), "an object-less write is walked after all"


def test_writes_are_refused_to_everyone_but_the_owner_and_change_nothing(app, write_world):
    writes = write_routes(app, write_world, write_overrides(write_world))
    actors = {
        email: Actor(app, email)
        for email in (
            "learner@example.org",
            "other@example.org",
            "teacher@example.org",
            "instructor@example.org",
            "admin@example.org",
            None,
        )
    }
    baseline = _tables()
    problems = []
    for write in writes:
        for stranger in write_strangers(write_owner(write)):
            actor = actors[stranger]
            response, changed = _try(actor, write, write_world, baseline)
            if not _write_refused(write, actor, response):
                problems.append(
                    f"{actor.name} not refused: {write.method} {write.url} -> "
                    f"{response.status_code}"
                )
            if changed:
                problems.append(f"{actor.name} changed {changed}: {write.method} {write.url}")
    assert _tables() == baseline
    assert problems == []


# What the owner's request writes, for routes where the write is the whole point: proof that
# the matrix reaches the code behind the access check and that the comparison sees a change.
OWNER_WRITES = {
    ("POST", "/courses/<slug>/quiz/<int:attempt_id>/submit"): "quiz_attempts",
    ("POST", "/api/v1/quiz/attempts/<int:attempt_id>/submit"): "quiz_attempts",
    ("POST", "/certificates/<number>/reissue"): "certificates",
    ("POST", "/certificates/<number>/revoke"): "certificates",
    ("POST", "/authoring/courses/<slug>/edit/<path:path>"): "draft_files",
    ("POST", "/authoring/courses/<slug>/files/delete"): "draft_files",
    ("PUT", "/api/v1/authoring/courses/<slug>/files/<path:path>"): "draft_files",
    ("DELETE", "/api/v1/authoring/courses/<slug>/files/<path:path>"): "draft_files",
    ("POST", "/authoring/courses/<slug>/publish"): "course_revisions",
    ("POST", "/api/v1/authoring/courses/<slug>/publish"): "course_revisions",
    ("POST", "/admin/users/<int:user_id>/role"): "users",
    ("PATCH", "/api/v1/admin/users/<int:user_id>"): "users",
    ("POST", "/admin/users/<int:user_id>/reactivate"): "users",
    ("POST", "/admin/users/<int:user_id>/courses"): "course_instructors",
    ("DELETE", "/api/v1/admin/courses/<slug>/instructors/<int:user_id>"): "course_instructors",
}


def test_the_owner_of_each_write_is_let_through(app, write_world):
    writes = write_routes(app, write_world, write_overrides(write_world))
    owners = {email: Actor(app, email) for email in {write_owner(w) for w in writes}}
    baseline = _tables()
    problems = []
    for write in writes:
        actor = owners[write_owner(write)]
        response, changed = _try(actor, write, write_world, baseline)
        if _blocked_for_access(response):
            problems.append(
                f"owner {actor.name} refused or failed: {write.method} {write.url} -> "
                f"{response.status_code}"
            )
        table = OWNER_WRITES.get((write.method, write.rule))
        if table is not None and not any(c.startswith(f"{table} ") for c in changed):
            problems.append(
                f"owner {actor.name} changed no {table}: {write.method} {write.url} -> "
                f"{response.status_code} {changed}"
            )
    assert _tables() == baseline
    assert problems == []


# The writes on the caller's own account: no object in the URL, so no stranger to walk, but
# nobody signed out (or signed in only to the pages, for the API) may reach them.
CALLERS_OWN = {
    endpoint
    for endpoint, why in NO_OBJECT_WRITES.items()
    if why.startswith("the caller's own") and endpoint != "accounts.logout"
}


def test_the_callers_own_writes_refuse_anyone_signed_out_and_change_nothing(app):
    factories.user("learner@example.org")
    page = app.test_client()  # signed in to the pages, with no bearer token
    AuthActions(page).login("learner@example.org")
    anonymous = app.test_client()
    anonymous_token = csrf_token(anonymous, "/login")
    baseline = _tables()
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint in CALLERS_OWN]
    assert {rule.endpoint for rule in rules} == CALLERS_OWN
    problems = []
    for rule in rules:
        for method in sorted(rule.methods & WRITE_METHODS):
            if rule.rule.startswith("/api/"):
                callers = [("anonymous", anonymous), ("a page session", page)]
                for name, caller in callers:
                    response = caller.open(rule.rule, method=method, json={})
                    if response.status_code != 401:
                        problems.append(f"{name}: {method} {rule.rule} -> {response.status_code}")
            else:
                data = {"csrf_token": anonymous_token, "current_password": factories.PASSWORD}
                response = anonymous.open(rule.rule, method=method, data=data)
                if not _refused(response):
                    problems.append(f"anonymous: {method} {rule.rule} -> {response.status_code}")
    assert problems == []
    assert _tables() == baseline
    assert page.get("/account").status_code == 200  # the page session was never touched
