"""PostgreSQL restarts under load: a clean 503 while it is down, recovery without restarting the
app servers, and no request leaves a half-written record.

The test runs its own PostgreSQL 15 cluster (never the shared one), migrates it with
`flask db upgrade`, syncs a small course with `flask courses sync`, serves it with gunicorn
(2 workers) and keeps learners walking through the course while the cluster is restarted
(`pg_ctl restart -m fast`) and then held down for a moment (`stop -m fast`, `start`).
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tests import factories
from tests.faults.pgcluster import PG_BIN, PrivateCluster, free_port
from tests.learning.conftest import evaluation_answers

ROOT = Path(__file__).resolve().parents[2]
SLUG = "restart-course"
LEARNERS = 40  # more than the load gets through, so it never runs dry
PROBE = "probe@example.org"
READER = "reader@example.org"
RECOVERY_SECONDS = 5.0

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists(), reason=f"PostgreSQL 15 binaries not found in {PG_BIN}"
)


# --- the servers ---------------------------------------------------------------------------


def _flask(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _create_learners(url: str) -> None:
    from ce_platform.accounts import services as accounts

    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            for email in [_email(n) for n in range(LEARNERS)] + [PROBE, READER]:
                accounts.register_user(
                    session,
                    email=email,
                    password=factories.PASSWORD,
                    full_name="Rita Restart",
                    profession="psychologist",
                    settings=factories.FAST,
                )
            session.commit()
    finally:
        engine.dispose()


def _email(n: int) -> str:
    return f"learner{n}@example.org"


@pytest.fixture
def cluster():
    cluster = PrivateCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server(cluster, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "CE_SECRET_KEY": "faults-secret",
        "CE_DATABASE_URL": cluster.url,
        "CE_BASE_URL": f"http://127.0.0.1:{port}",
        "CE_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "CE_TOKEN_RATE_LIMIT": "10000 per minute",
        "CE_LOGIN_RATE_LIMIT": "10000 per minute",
    }
    env.pop("CE_TEST_DATABASE_URL", None)
    courses = tmp_path / "courses"
    factories.write_courses_root(courses, {SLUG: factories.course_files(title="Restart Course")})
    _flask(env, "db", "upgrade")
    _flask(env, "courses", "sync", str(courses))
    _create_learners(cluster.url)
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    app = Http(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 30
        while app.call("GET", "/healthz").status != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("gunicorn did not start:\n" + log_path.read_text())
            time.sleep(0.1)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int  # 0: no HTTP answer at all (connection refused or reset, timeout)
    body: object
    headers: dict
    at: float


class Http:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log

    def call(self, method: str, path: str, token=None, body=None, *, browser=None) -> Reply:
        """One request; `browser` is an opener holding a signed-in session cookie."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with (browser or urllib.request.build_opener()).open(request, timeout=15) as response:
                return Reply(response.status, _decode(response), dict(response.headers), _now())
        except urllib.error.HTTPError as error:
            return Reply(error.code, _decode(error), dict(error.headers), _now())
        except OSError as error:
            return Reply(0, repr(error), {}, _now())

    def sign_in(self, email: str) -> urllib.request.OpenerDirector:
        """Sign in through the HTML form, as a browser would; returns the cookie-holding opener."""
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with browser.open(self.url + "/login", timeout=15) as response:
            html = response.read().decode()
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
        form = {
            "email": email,
            "password": factories.PASSWORD,
            "csrf_token": re.search(r'value="([^"]+)"', tag).group(1),
        }
        with browser.open(
            self.url + "/login", data=urllib.parse.urlencode(form).encode(), timeout=15
        ) as response:
            assert urllib.parse.urlsplit(response.url).path != "/login", "sign-in failed"
        return browser


def _decode(response):
    raw = response.read()
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError:
            pass  # kept as text: the checks then see no error code
    return raw.decode(errors="replace")


def _now() -> float:
    return time.monotonic()


def _error_code(reply: Reply) -> str | None:
    if isinstance(reply.body, dict) and isinstance(reply.body.get("error"), dict):
        return reply.body["error"].get("code")
    return None


# --- the load ------------------------------------------------------------------------------


@dataclass
class Call:
    who: str
    step: str
    reply: Reply


class JourneyFailed(Exception):
    pass


def _sheet(attempt: dict) -> dict[str, list[str]]:
    """Right answers, read off the test course's option wording (never from the server's key)."""
    right = ("Right answer", "Good choice", "Also good")
    return {
        question["id"]: [o["id"] for o in question["options"] if any(r in o["html"] for r in right)]
        for question in attempt["questions"]
    }


class Load:
    """Learners walk through the course in parallel; every call is kept for the checks."""

    def __init__(self, app: Http, url: str):
        self.app = app
        self.engine = sa.create_engine(url, poolclass=sa.NullPool)
        self.calls: list[Call] = []
        self.errors: list[str] = []
        self.saved_despite_503: list[Call] = []
        self.finished: list[str] = []
        self.learners: queue.Queue[str] = queue.Queue()
        for n in range(LEARNERS):
            self.learners.put(_email(n))
        self.stop = threading.Event()

    def step(self, who, step, method, path, token=None, body=None, *, lost_ack=None) -> Reply:
        """Send until answered, retrying 503. `lost_ack` is what a retry answers when an earlier
        try was saved although it answered 503 (the commit went through, reading the answer
        back did not): the retry is then refused as a repeat, which also ends the step."""
        deadline = time.monotonic() + 30
        tries: list[Call] = []
        while True:
            call = Call(who, step, self.app.call(method, path, token, body))
            self.calls.append(call)
            status = call.reply.status
            if 200 <= status < 300:
                if tries and status == 200 and step in ("enroll", "start"):
                    self.saved_despite_503.append(call)  # 200: it exists already
                return call.reply
            if tries and status == lost_ack:
                self.saved_despite_503.append(call)
                return call.reply
            if status != 503 or time.monotonic() > deadline:
                raise JourneyFailed(f"{who} {step}: {status} {call.reply.body!r}")
            tries.append(call)
            time.sleep(0.05)

    def journey(self, who: str) -> None:
        slug = f"/api/v1/courses/{SLUG}"
        login = {"email": who, "password": factories.PASSWORD}
        token = self.step(who, "token", "POST", "/api/v1/auth/token", body=login).body["token"]
        self.step(who, "enroll", "POST", f"{slug}/enrollment", token)
        self.step(who, "lesson-1", "POST", f"{slug}/lessons/lesson-1/complete", token)
        self.read(who)
        for n in (2, 3):
            self.step(who, f"lesson-{n}", "POST", f"{slug}/lessons/lesson-{n}/complete", token)
        attempt = self.step(who, "start", "POST", f"{slug}/quiz/attempts", token).body["attempt"]
        answers = {"answers": _sheet(attempt)}
        path = f"/api/v1/quiz/attempts/{attempt['id']}/submit"
        self.step(who, "submit", "POST", path, token, answers, lost_ack=409)
        evaluation = {"answers": evaluation_answers(), "attestation": True}
        self.step(who, "evaluation", "POST", f"{slug}/evaluation", token, evaluation, lost_ack=409)
        self.step(who, "dashboard", "GET", "/api/v1/enrollments", token)
        self.finished.append(who)

    def read(self, who: str) -> None:
        """Earn the seat-time floor on the completed first lesson through the learning service
        (heartbeats on an advancing clock), retrying while the database is away."""
        deadline = time.monotonic() + 30
        while True:
            try:
                with Session(self.engine) as session:
                    factories.earn_seat_time(who, SLUG, lessons=("lesson-1",), session=session)
                return
            except sa.exc.DBAPIError as exc:
                if time.monotonic() > deadline:
                    raise JourneyFailed(f"{who} read: {exc}") from exc
                time.sleep(0.05)

    def walker(self) -> None:
        while not self.stop.is_set():
            try:
                who = self.learners.get_nowait()
            except queue.Empty:
                return
            try:
                self.journey(who)
            except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
                self.errors.append(f"{type(exc).__name__}: {exc}")

    def reader(self, browser) -> None:
        """Reads alongside the writes: API, pages anonymously, pages signed in."""
        paths = [
            ("/api/v1/courses", None),
            (f"/api/v1/courses/{SLUG}", None),
            ("/", None),
            (f"/courses/{SLUG}", None),
            ("/my-courses", browser),
        ]
        for n in itertools.count():
            if self.stop.is_set():
                return
            path, signed_in = paths[n % len(paths)]
            try:
                reply = self.app.call("GET", path, browser=signed_in)
            except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
                self.errors.append(f"reader {path}: {type(exc).__name__}: {exc}")
                return
            self.calls.append(Call("reader", path, reply))
            time.sleep(0.01)


def _until_db_answers(app: Http, token: str) -> float:
    """Seconds until a database-backed API call succeeds again."""
    start = time.monotonic()
    while time.monotonic() - start < 30:
        if app.call("GET", "/api/v1/enrollments", token).status == 200:
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.concurrent  # its own app: the session must not be the suite's rolled-back one
def test_a_connection_lost_after_the_view_answered_keeps_the_answer(cluster):
    """A restart can kill the connection between the view's last query and the session's
    closing ROLLBACK; the finished answer must stand instead of becoming a bare 500."""
    import psycopg

    from ce_platform import create_app
    from ce_platform.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "faults",
            "SQLALCHEMY_DATABASE_URI": cluster.url,
            # No in-process job thread: it would outlive this test and share later tests'
            # sessions (tests/conftest.py refuses a test that leaves one running).
            "QUEUE_IN_PROCESS": False,
        }
    )
    seen: dict[str, int] = {}

    @app.get("/_faults/backend")
    def backend():
        seen["pid"] = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        return {"read": True}

    @app.after_request
    def drop_the_connection(response):
        pid = seen.pop("pid", None)
        if pid is not None:
            # autocommit: inside a transaction pg_stat_activity is a frozen snapshot.
            with psycopg.connect(
                host="127.0.0.1",
                port=cluster.port,
                user="postgres",
                dbname="postgres",
                autocommit=True,
            ) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                deadline = time.monotonic() + 10
                while admin.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)
                ).fetchone():
                    assert time.monotonic() < deadline, "the backend was not terminated"
                    time.sleep(0.01)
        return response

    client = app.test_client()
    try:
        first = client.get("/_faults/backend")
        second = client.get("/_faults/backend")
    finally:
        with app.app_context():
            db.engine.dispose()

    assert (first.status_code, first.get_json()) == (200, {"read": True})
    assert (second.status_code, second.get_json()) == (200, {"read": True})


def test_app_survives_a_postgresql_restart_under_load(cluster, server):
    app = server
    probe_token = app.call(
        "POST", "/api/v1/auth/token", body={"email": PROBE, "password": factories.PASSWORD}
    ).body["token"]
    load = Load(app, cluster.url)
    threads = [threading.Thread(target=load.walker) for _ in range(3)]
    reader = app.sign_in(READER)
    threads.append(threading.Thread(target=load.reader, args=(reader,)))
    for thread in threads:
        thread.start()
    try:
        warm_up = time.monotonic() + 20
        while len(load.finished) < 3 and not load.errors and time.monotonic() < warm_up:
            time.sleep(0.05)
        assert len(load.finished) >= 3, (load.errors, app.log.read_text()[-3000:])

        # 1. A fast restart while requests run.
        restart_started = time.monotonic()
        cluster.restart("fast")
        restart_done = time.monotonic()
        recovery_after_restart = _until_db_answers(app, probe_token)

        # 2. Down for a moment, long enough to see what clients get meanwhile.
        time.sleep(0.3)
        cluster.stop("fast")
        down_since = time.monotonic()
        outage = {
            "api read": app.call("GET", "/api/v1/enrollments", probe_token),
            "api write": app.call("POST", f"/api/v1/courses/{SLUG}/enrollment", probe_token),
            "html page": app.call("GET", f"/courses/{SLUG}"),
            "html page, signed in": app.call("GET", "/my-courses", browser=reader),
        }
        time.sleep(max(0.0, 1.0 - (time.monotonic() - down_since)))
        cluster.start()
        up_again = time.monotonic()
        recovery_after_outage = _until_db_answers(app, probe_token)
        time.sleep(0.5)  # a little load after recovery too
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)

    lost = {id(c) for c in load.saved_despite_503}
    failures = [c for c in load.calls if not 200 <= c.reply.status < 300 and id(c) not in lost]
    in_restart = [c for c in failures if restart_started <= c.reply.at <= restart_done + 1]
    summary = {
        "calls": len(load.calls),
        "learners finished": len(load.finished),
        "restart -m fast took": round(restart_done - restart_started, 2),
        "failed during the restart": dict(Counter(c.reply.status for c in in_restart)),
        "failed in all": dict(Counter(c.reply.status for c in failures)),
        "saved although answered 503": [
            f"{c.step}: {c.reply.status}" for c in load.saved_despite_503
        ],
        "back after restart (s)": round(recovery_after_restart, 2),
        "back after outage (s)": round(recovery_after_outage, 2),
    }
    print("\nPostgreSQL restart under load:", summary)
    context = f"{summary}\n{load.errors[:5]}\n--- gunicorn log:\n{app.log.read_text()[-3000:]}"

    # Every journey ended, and nothing but the database being away failed.
    assert not load.errors, context
    assert len(load.finished) > 3, context
    assert app.process.poll() is None, "gunicorn itself died\n" + context
    assert {c.reply.status for c in failures} <= {503}, context
    api_failures = [c for c in failures if c.who != "reader" or c.step.startswith("/api/")]
    assert all(_error_code(c.reply) == "database_unavailable" for c in api_failures), context

    # While the database was down: a clean, retryable error on the API and on pages.
    for name, reply in outage.items():
        assert reply.status == 503, (name, reply, context)
        assert reply.headers.get("Retry-After") == "2", (name, reply.headers)
    assert _error_code(outage["api read"]) == "database_unavailable"
    assert _error_code(outage["api write"]) == "database_unavailable"
    assert "<h1" in outage["html page"].body
    assert "<h1" in outage["html page, signed in"].body

    # The app reconnected by itself (pool_pre_ping), gunicorn was never restarted.
    assert recovery_after_restart < RECOVERY_SECONDS, context
    assert recovery_after_outage < RECOVERY_SECONDS, context
    assert up_again - down_since >= 1.0
    for path in ("/api/v1/enrollments", "/api/v1/certificates", f"/api/v1/courses/{SLUG}"):
        assert app.call("GET", path, probe_token).status == 200, path
    page = app.call("GET", "/my-courses", browser=reader)  # the outage did not sign anyone out
    assert page.status == 200 and "Sign out" in page.body, page

    _check_database(cluster.url, load)


def _check_database(url: str, load: Load) -> None:
    """Every record is whole: rows match the answered requests, the audit trail matches rows."""
    from ce_platform.accounts.models import User
    from ce_platform.core.audit import AuditEvent, verify_chain
    from ce_platform.learning.models import Enrollment, Evaluation, LessonProgress, QuizAttempt

    def succeeded(who: str, step: str) -> bool:
        return any(
            c.who == who and c.step == step and 200 <= c.reply.status < 300 for c in load.calls
        )

    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            users = {u.email: u.id for u in session.scalars(sa.select(User))}
            enrollments = {
                e.user_id: e
                for e in session.scalars(
                    sa.select(Enrollment).options(
                        selectinload(Enrollment.progress),
                        selectinload(Enrollment.attempts),
                        selectinload(Enrollment.evaluation),
                    )
                )
            }
            events = Counter(
                (action, subject)
                for action, subject in session.execute(
                    sa.select(AuditEvent.action, AuditEvent.subject_id)
                )
            )
            actions = Counter(action for action, _subject in events.elements())

            # The probe's enrolment was refused while the database was down and never retried.
            assert users[PROBE] not in enrollments

            walked = [_email(n) for n in range(LEARNERS)]
            for who in walked:
                enrollment = enrollments.get(users[who])
                if not succeeded(who, "enroll"):
                    assert enrollment is None, who
                    continue
                assert enrollment is not None, who
                done = {p.lesson_id for p in enrollment.progress if p.completed_at is not None}
                lessons_ok = sum(succeeded(who, f"lesson-{n}") for n in (1, 2, 3))
                assert len(done) == lessons_ok, who
                if who in load.finished:
                    assert enrollment.status == "complete", who
                    assert enrollment.completed_at is not None, who
                    assert enrollment.evaluation is not None, who
                    [attempt] = enrollment.attempts
                    assert attempt.submitted_at is not None and attempt.score == 100, who
                    eid = str(enrollment.id)
                    for action, subject in (
                        ("enrollment.created", eid),
                        ("attempt.started", str(attempt.id)),
                        ("attempt.submitted", str(attempt.id)),
                        ("evaluation.submitted", eid),
                        ("enrollment.completed", eid),
                    ):
                        assert events[(action, subject)] == 1, (who, action)

            # No half-written rows anywhere, whoever wrote them.
            orphans = session.scalar(
                sa.select(sa.func.count())
                .select_from(LessonProgress)
                .outerjoin(Enrollment, Enrollment.id == LessonProgress.enrollment_id)
                .where(Enrollment.id.is_(None))
            )
            assert orphans == 0
            unfinished = session.scalar(
                sa.select(sa.func.count())
                .select_from(LessonProgress)
                .where(LessonProgress.completed_at.is_(None))
            )
            assert unfinished == 0  # opened and completed in one transaction, never half
            attempts = list(session.scalars(sa.select(QuizAttempt)))
            submitted = [a for a in attempts if a.submitted_at is not None]
            assert all(a.score is not None and a.results for a in submitted)
            complete = [e for e in enrollments.values() if e.status == "complete"]
            evaluations = session.scalar(sa.select(sa.func.count()).select_from(Evaluation))
            assert actions["enrollment.created"] == len(enrollments)
            assert actions["attempt.started"] == len(attempts)
            assert actions["attempt.submitted"] == len(submitted)
            assert actions["evaluation.submitted"] == evaluations == len(complete)
            assert actions["enrollment.completed"] == len(complete)
            assert verify_chain(session) is None
    finally:
        engine.dispose()
