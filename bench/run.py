"""Benchmark the pages learners hit hardest against a bare endpoint on the same server.

Run from the repository root with the project's virtualenv:

    python bench/run.py                        # SQLite, then PostgreSQL when it is reachable
    python bench/run.py --engine sqlite --seconds 3 --profile

For each engine the script builds a fresh database (a temporary SQLite file; on PostgreSQL a
dedicated database it creates and drops, on the server CE_BENCH_DATABASE_URL names or else the
local one as role ce_test), migrates it and syncs the shipped courses with the real CLI, creates
two learners with `flask users create`, and starts gunicorn with 2 sync workers. Through the JSON
API one learner completes a course (lessons, a passing post-test, the evaluation) and gets a
certificate; the other reads lessons and leaves a post-test attempt open. Each learner takes one
bearer token and signs in once through the login form, so the default rate limits are never hit
and are left as they are.

Load comes from wrk when it is installed, else from a small threaded Python generator. Every
figure is taken in the same run as the /healthz baseline, in interleaved rounds, and printed as a
ratio to it. Issuing a certificate is timed in process against WeasyPrint rendering alone (and
bench/certificates.py's own figure is read when that script runs). Every endpoint is also timed
in process through Flask's test client, with its SQL statements counted, and those that miss their
target are profiled (with pyinstrument when it is installed in the virtualenv -- a bench-only
tool, `pip install pyinstrument` -- else with cProfile). Results go to bench/results.md, in this
script's own section. It takes about four minutes on 2 cores. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import http.client
import io
import json
import logging
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"
WORKERS = 2
PASSWORD = "bench correct horse battery"
RESULTS = REPO / "bench" / "results.md"
DEFAULT_PG_URL = "postgresql+psycopg://ce_test:ce_test@localhost:5432/ce_test"

COURSE_DONE = "ethics-psychedelic-practice"  # learner B completes it and gets the certificate
COURSE_READ = "psychedelic-pharmacology"  # both read lessons here (in progress)
COURSE_QUIZ = "harm-reduction-screening"  # learner A finishes the lessons, leaves an attempt open

LEARNER_A = ("reader@bench.example.org", "Dana Clinician", "social_worker", "LCSW")
LEARNER_B = ("finisher@bench.example.org", "Robin Okafor-Lindqvist", "psychologist", "PhD")

# name -> (the row it is measured against, minimum share of that row's requests per second).
# "baseline" is GET /healthz; "floor" is the signed-in floor (bench/benchapp.py: the user loaded
# by Flask-Login, the empty base layout); "api_floor" is GET /api/v1/me with a bearer token.
TARGETS = {
    "catalog": ("baseline", 0.8),
    "lesson": ("floor", 0.7),
    "dashboard": ("floor", 0.6),
    "quiz_page": ("floor", 0.5),
    "certificate_page": ("floor", 0.8),
    "api_floor": ("baseline", 0.35),
    "api_lesson": ("api_floor", 0.7),
    "certificate": ("api_floor", 0.8),
    "api_catalog": ("baseline", 0.8),
    "verify": ("baseline", 0.5),
}
READERS = 16  # connections for the readers' run: the lesson page's p99 against its p50
READERS_TARGET = 3.0  # p99 / p50 at most, on SQLite
BENCH_DIR = REPO / "bench"
FLOOR = "/bench/signed-in-floor"  # bench/benchapp.py
ISSUE_TARGET = 1.3  # issuing at most this many times WeasyPrint rendering alone


def say(message: str = "") -> None:
    print(message, flush=True)


class BenchFailure(Exception):
    """Something the benchmark relies on did not happen; the run stops with exit code 1."""


class PostgresUnavailable(Exception):
    """The PostgreSQL server cannot be reached or refuses to create a database."""


def clean_up_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so servers stop and bench databases are dropped."""

    def stop(_signum, _frame):
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, stop)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailure(message)


def ms(seconds: float) -> float:
    return 1000 * seconds


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


# --- machine -----------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --- databases ---------------------------------------------------------------------------------


def server_url() -> str:
    return os.environ.get("CE_BENCH_DATABASE_URL") or DEFAULT_PG_URL


def _conninfo(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_version(url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_conninfo(make_url(url)), connect_timeout=5) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the bench server, dropped on the way out; yields its URL."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url
    except ImportError as exc:  # the postgres extra is not installed
        raise PostgresUnavailable(f"psycopg is not installed ({exc})") from None
    server = make_url(server_url())
    if not server.drivername.startswith("postgresql"):
        raise PostgresUnavailable(f"CE_BENCH_DATABASE_URL is not a PostgreSQL URL: {server}")
    server = server.set(drivername="postgresql+psycopg")
    name = f"ce_bench_{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(_conninfo(server), autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PostgresUnavailable(
            f"cannot connect to {server.render_as_string()}: {reason}"
        ) from None
    try:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"cannot create a database: {exc}".strip()) from None
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            say(f"dropped database {name}")
    finally:
        admin.close()


@contextmanager
def database(engine: str, tmp: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        with postgres_database("run") as url:
            yield url


# --- the real CLI and a real server ------------------------------------------------------------


def server_env(url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CE_")}
    env.update(CE_DATABASE_URL=url, CE_SECRET_KEY=secret, PYTHONUNBUFFERED="1")
    return env


def bench_server_env(url: str, secret: str) -> dict[str, str]:
    """The server's environment: rate limits off, so verification is measured, not refused."""
    return {**server_env(url, secret), "CE_BENCH_NO_RATE_LIMIT": "1"}


def flask_cli(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        raise BenchFailure(f"`flask {' '.join(args[:2])}` exited with {done.returncode}:\n{tail}")
    return done.stdout


def prepare(url: str, secret: str) -> float:
    """Migrate, sync the shipped courses and create the two learners, as an operator would."""
    env = server_env(url, secret)
    start = time.perf_counter()
    flask_cli(env, "db", "upgrade")
    out = flask_cli(env, "courses", "sync", "courses/")
    shipped = sum(1 for folder in (REPO / "courses").iterdir() if (folder / "course.md").is_file())
    check(
        out.count(": created") == shipped,
        f"courses sync did not create the {shipped} shipped courses:\n{out}",
    )
    for email, name, profession, credentials in (LEARNER_A, LEARNER_B):
        flask_cli(
            env,
            "users",
            "create",
            "--email",
            email,
            "--name",
            name,
            "--password",
            PASSWORD,
            "--profession",
            profession,
            "--credentials",
            credentials,
        )
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def request(port: int, method: str, path: str, *, body: bytes | None = None, headers=None) -> Reply:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.msg, response.read())
    finally:
        connection.close()


def log_tail(log_path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def gunicorn_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("gunicorn")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]
    # bench/benchapp.py: the application plus the signed-in floor endpoint.
    app = ["--pythonpath", str(BENCH_DIR), "benchapp:create_bench_app()"]
    return [*head, "-w", str(WORKERS), "-b", f"{HOST}:{port}", *app]


@contextmanager
def gunicorn(url: str, secret: str, log_path: Path) -> Iterator[int]:
    """gunicorn with WORKERS sync workers on a free local port; yields the port."""
    port = free_port()
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            gunicorn_command(port),
            cwd=REPO,
            env=bench_server_env(url, secret),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise BenchFailure(
                    f"gunicorn exited with {server.returncode}:\n{log_tail(log_path)}"
                )
            try:
                if request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchFailure(f"gunicorn did not answer /healthz:\n{log_tail(log_path)}")
            time.sleep(0.1)
        say(f"  gunicorn ({WORKERS} sync workers, pid {server.pid}) is up on {HOST}:{port}")
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- seeding through the API and the login form ------------------------------------------------


def api(port: int, method: str, path: str, token: str | None = None, payload=None) -> Reply:
    headers = {"Accept": "application/json"}
    body = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if payload is not None:
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    return request(port, method, f"/api/v1{path}", body=body, headers=headers)


def expect_status(reply: Reply, wanted: tuple[int, ...], what: str) -> Reply:
    check(reply.status in wanted, f"{what}: HTTP {reply.status}: {reply.body[:400]!r}")
    return reply


def token_for(port: int, email: str) -> str:
    reply = api(port, "POST", "/auth/token", payload={"email": email, "password": PASSWORD})
    return expect_status(reply, (200,), f"token for {email}").json()["token"]


def session_cookie(reply: Reply) -> str | None:
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "session":
            return rest.split(";", 1)[0]
    return None


def sign_in(port: int, email: str) -> str:
    """Sign in through the HTML form (CSRF token included); return the Cookie header value."""
    page = expect_status(request(port, "GET", "/login"), (200,), "GET /login")
    tag = re.search(rb'<input[^>]*name="csrf_token"[^>]*>', page.body)
    check(tag is not None, "the login form has no csrf_token field")
    value = re.search(rb'value="([^"]*)"', tag.group(0))
    cookie = session_cookie(page)
    check(value is not None and cookie is not None, "no CSRF token or session cookie at /login")
    form = urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": value.group(1).decode()}
    ).encode()
    reply = request(
        port,
        "POST",
        "/login",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"session={cookie}",
        },
    )
    expect_status(reply, (302, 303), f"POST /login as {email}")
    signed_in = session_cookie(reply)
    check(signed_in is not None, "the login response set no session cookie")
    return f"session={signed_in}"


def lesson_slugs(port: int, token: str, slug: str) -> list[str]:
    reply = expect_status(api(port, "GET", f"/courses/{slug}", token), (200,), f"course {slug}")
    return [lesson["slug"] for lesson in reply.json()["lessons"]]


def evaluation_answers(questions: list[dict]) -> dict:
    answers: dict[str, object] = {}
    for item in questions:
        if item["type"] == "rating":
            answers[item["id"]] = item["max"]
        elif item["type"] == "number":
            answers[item["id"]] = min(max(60, item["min"]), item["max"])
        elif item["type"] == "choice":
            answers[item["id"]] = item["choices"][0]
        else:
            answers[item["id"]] = "Clear and useful."
    return answers


def right_answers(url: str, attempt_id: int) -> dict[str, list[str]]:
    """Read the answer key of an open attempt straight from the database (the bench's only
    shortcut: the API never reveals it before grading)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            drawn = conn.execute(
                text("SELECT drawn FROM quiz_attempts WHERE id = :id"), {"id": attempt_id}
            ).scalar_one()
            drawn = json.loads(drawn) if isinstance(drawn, str) else drawn
            sheet = {}
            for item in drawn:
                options = conn.execute(
                    text("SELECT options FROM questions WHERE id = :id"),
                    {"id": item["question_id"]},
                ).scalar_one()
                options = json.loads(options) if isinstance(options, str) else options
                right = {o["id"] for o in options if o["correct"]}
                sheet[item["key"]] = [o["token"] for o in item["options"] if o["id"] in right]
            return sheet
    finally:
        engine.dispose()


@dataclass
class Seed:
    token_a: str
    token_b: str
    cookie_a: str
    cookie_b: str
    user_a: int
    user_b: int
    lesson: str  # a lesson of COURSE_READ that learner A reads
    number: str  # learner B's certificate
    sha256: str
    pdf_bytes: int
    issue_http_ms: float


def earn_seat_time(url: str, email: str, slug: str) -> None:
    """Read the course's lessons for its seat-time floor, through the heartbeat service (the
    way the test suite does), so that the post-test opens."""
    from ce_platform.extensions import db
    from tests.factories import earn_seat_time as read_for_the_floor

    app = make_app(url, secrets.token_hex(16))
    try:
        with app_context(app):
            read_for_the_floor(email, slug)
    finally:
        with app.app_context():
            db.engine.dispose()


def seed(port: int, url: str) -> Seed:
    start = time.perf_counter()
    token_a = token_for(port, LEARNER_A[0])
    token_b = token_for(port, LEARNER_B[0])
    user_a = expect_status(api(port, "GET", "/me", token_a), (200,), "me").json()["user"]["id"]
    user_b = expect_status(api(port, "GET", "/me", token_b), (200,), "me").json()["user"]["id"]

    # Learner B: the whole course, then the certificate.
    expect_status(
        api(port, "POST", f"/courses/{COURSE_DONE}/enrollment", token_b), (201,), "enroll"
    )
    earn_seat_time(url, LEARNER_B[0], COURSE_DONE)
    for lesson in lesson_slugs(port, token_b, COURSE_DONE):
        path = f"/courses/{COURSE_DONE}/lessons/{lesson}/complete"
        expect_status(api(port, "POST", path, token_b), (200,), f"complete {lesson}")
    attempt = expect_status(
        api(port, "POST", f"/courses/{COURSE_DONE}/quiz/attempts", token_b), (201,), "start"
    ).json()["attempt"]
    graded = expect_status(
        api(
            port,
            "POST",
            f"/quiz/attempts/{attempt['id']}/submit",
            token_b,
            {"answers": right_answers(url, attempt["id"])},
        ),
        (200,),
        "submit",
    ).json()
    check(graded["passed"], f"the post-test was not passed: {graded}")
    questions = expect_status(
        api(port, "GET", f"/courses/{COURSE_DONE}/evaluation", token_b), (200,), "evaluation"
    ).json()["questions"]
    expect_status(
        api(
            port,
            "POST",
            f"/courses/{COURSE_DONE}/evaluation",
            token_b,
            {"answers": evaluation_answers(questions), "attestation": True},
        ),
        (201,),
        "submit evaluation",
    )
    issue_start = time.perf_counter()
    issued = expect_status(
        api(port, "POST", f"/courses/{COURSE_DONE}/certificate", token_b), (201,), "certificate"
    ).json()["certificate"]
    issue_http_ms = ms(time.perf_counter() - issue_start)
    expect_status(
        api(port, "POST", f"/courses/{COURSE_READ}/enrollment", token_b), (201,), "enroll"
    )
    read_lessons = lesson_slugs(port, token_b, COURSE_READ)
    path = f"/courses/{COURSE_READ}/lessons/{read_lessons[0]}/complete"
    expect_status(api(port, "POST", path, token_b), (200,), "complete")

    # Learner A: two lessons read in one course; every lesson and an open attempt in another.
    expect_status(
        api(port, "POST", f"/courses/{COURSE_READ}/enrollment", token_a), (201,), "enroll"
    )
    for lesson in read_lessons[:2]:
        path = f"/courses/{COURSE_READ}/lessons/{lesson}/complete"
        expect_status(api(port, "POST", path, token_a), (200,), "complete")
    expect_status(
        api(port, "POST", f"/courses/{COURSE_QUIZ}/enrollment", token_a), (201,), "enroll"
    )
    earn_seat_time(url, LEARNER_A[0], COURSE_QUIZ)
    for lesson in lesson_slugs(port, token_a, COURSE_QUIZ):
        path = f"/courses/{COURSE_QUIZ}/lessons/{lesson}/complete"
        expect_status(api(port, "POST", path, token_a), (200,), "complete")
    expect_status(
        api(port, "POST", f"/courses/{COURSE_QUIZ}/quiz/attempts", token_a), (201,), "start"
    )

    result = Seed(
        token_a=token_a,
        token_b=token_b,
        cookie_a=sign_in(port, LEARNER_A[0]),
        cookie_b=sign_in(port, LEARNER_B[0]),
        user_a=user_a,
        user_b=user_b,
        lesson=read_lessons[2],
        number=issued["number"],
        sha256=issued["sha256"],
        pdf_bytes=0,
        issue_http_ms=issue_http_ms,
    )
    say(
        f"  seeded through the API in {time.perf_counter() - start:.1f} s: learner B completed "
        f"{COURSE_DONE} (certificate {result.number}, issued over HTTP in {issue_http_ms:.0f} ms) "
        f"and reads {COURSE_READ}; learner A reads {COURSE_READ} and has a post-test attempt "
        f"open in {COURSE_QUIZ}; 2 tokens and 2 form sign-ins"
    )
    return result


# --- what is measured --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    method: str
    path: str
    headers: dict
    minimum: float | None  # share of the reference row's req/s, None when there is no target
    content_type: str
    against: str = "baseline"  # the row the ratio is taken to


def target(name: str, label: str, method: str, path: str, headers: dict, kind: str) -> Target:
    against, minimum = TARGETS.get(name, ("baseline", None))
    return Target(name, label, method, path, headers, minimum, kind, against)


def targets(s: Seed) -> list[Target]:
    cookie_a, cookie_b = {"Cookie": s.cookie_a}, {"Cookie": s.cookie_b}
    bearer_a = {"Authorization": f"Bearer {s.token_a}"}
    bearer_b = {"Authorization": f"Bearer {s.token_b}"}
    lesson = f"/courses/{COURSE_READ}/lessons/{s.lesson}"
    html, pdf = "text/html", "application/pdf"
    return [
        target("baseline", "GET /healthz (baseline)", "GET", "/healthz", {}, "json"),
        target("catalog", "GET / (catalog, anonymous)", "GET", "/", {}, html),
        target("floor", "GET signed-in floor (user + base layout)", "GET", FLOOR, cookie_a, html),
        target("lesson", "GET lesson page (signed in)", "GET", lesson, cookie_a, html),
        target("dashboard", "GET /my-courses (signed in)", "GET", "/my-courses", cookie_b, html),
        target(
            "quiz_page", "GET post-test page (open attempt)", "GET",
            f"/courses/{COURSE_QUIZ}/quiz", cookie_a, html,
        ),
        target(
            "certificate_page", "GET certificate PDF (stored, signed in)", "GET",
            f"/certificates/{s.number}.pdf", cookie_b, pdf,
        ),
        target("api_floor", "GET /api/v1/me (API floor)", "GET", "/api/v1/me", bearer_a, "json"),
        target("api_lesson", "GET API lesson", "GET", f"/api/v1{lesson}", bearer_a, "json"),
        target(
            "quiz", "POST quiz attempt (returns the open one)", "POST",
            f"/api/v1/courses/{COURSE_QUIZ}/quiz/attempts", bearer_a, "json",
        ),
        target(
            "certificate", "GET API certificate PDF (stored)", "GET",
            f"/api/v1/certificates/{s.number}.pdf", bearer_b, pdf,
        ),
        target("api_catalog", "GET /api/v1/courses", "GET", "/api/v1/courses", {}, "json"),
        target("verify", "GET /verify/<number> (public)", "GET", f"/verify/{s.number}", {}, html),
    ]  # fmt: skip


def verify_targets(port: int, s: Seed, items: list[Target]) -> list[str]:
    """One request each before any load: right status, type and content."""
    notes = []
    for t in items:
        reply = request(
            port, t.method, t.path, headers=t.headers, body=b"" if t.method == "POST" else None
        )
        check(
            reply.status == 200,
            f"{t.method} {t.path} answered {reply.status}: {reply.body[:300]!r}",
        )
        kind = reply.headers.get("Content-Type", "")
        check(t.content_type in kind, f"{t.path}: Content-Type {kind}")
        if t.name == "lesson":
            check(b"<h1" in reply.body and b"/lessons/" in reply.body, "not a lesson page")
        if t.name == "dashboard":
            check(reply.body.count(b'class="card"') == 2, "the dashboard does not list 2 courses")
        if t.name == "quiz":
            attempt = json.loads(reply.body)["attempt"]
            check(attempt["submitted_at"] is None and attempt["questions"], "no open attempt")
        if t.name == "floor":
            check(b"<main" in reply.body and b"Sign in" not in reply.body, "floor not signed in")
        if t.name == "verify":
            check(s.number.encode() in reply.body, "verification does not name the certificate")
        if t.name in ("certificate", "certificate_page"):
            check(reply.body.startswith(b"%PDF-"), "the download is not a PDF")
            check(hashlib.sha256(reply.body).hexdigest() == s.sha256, "PDF bytes differ from sha")
            s.pdf_bytes = len(reply.body)
    notes.append(
        "the server runs bench/benchapp.py (the application plus the signed-in floor endpoint) "
        "with rate limits switched off, so that verification is measured rather than refused"
    )
    notes.append(
        "each endpoint answered 200 with the expected content before the load: the lesson page "
        "as learner A, a dashboard listing learner B's 2 courses, the open attempt (200, not 201), "
        f"the stored PDF ({s.pdf_bytes:,} bytes, SHA-256 as issued)"
    )
    return notes


# --- load generators ---------------------------------------------------------------------------


@dataclass
class Load:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    match = re.search(r"wrk\s+(\S+)", done.stdout + done.stderr)
    return f"wrk {match.group(1)}" if match else "wrk"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _latency(output: str, percent: str) -> float:
    match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    check(match is not None, f"wrk printed no {percent}% latency:\n{output}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    wrk: str, port: int, t: Target, *, connections: int, seconds: int, script_dir: Path
) -> Load:
    command = [wrk, "-t", str(min(2, connections)), "-c", str(connections), "--latency"]
    command += ["--timeout", "30s", "-d", f"{seconds}s"]
    for name, value in t.headers.items():
        command += ["-H", f"{name}: {value}"]
    if t.method != "GET":
        script = script_dir / f"{t.method.lower()}.lua"
        script.write_text(f'wrk.method = "{t.method}"\nwrk.body = ""\n')
        command += ["-s", str(script)]
    command.append(f"http://{HOST}:{port}{t.path}")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    out = done.stdout + done.stderr
    check(done.returncode == 0, f"wrk exited with {done.returncode}:\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    check(rate is not None and total is not None, f"cannot read wrk's output:\n{out}")
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if bad:
        errors += int(bad.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        # gunicorn's sync workers close each connection after the response; wrk may count the
        # close it sees while reading as a read error, which is not a failed request.
        errors += int(sockets.group(1)) + int(sockets.group(3)) + int(sockets.group(4))
    return Load(
        float(rate.group(1)), _latency(out, "50"), _latency(out, "99"), int(total.group(1)), errors
    )


def run_python(port: int, t: Target, *, connections: int, warmup: float, seconds: float) -> Load:
    """`connections` threads issue requests back to back; count those begun and ended in the
    measured window (after the warm-up). Each thread keeps its http.client connection while the
    server allows (gunicorn's sync workers close after every response)."""
    begin = time.perf_counter() + 0.2
    measure_from = begin + warmup
    measure_to = measure_from + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    body = b"" if t.method == "POST" else None

    def worker() -> None:
        mine: list[float] = []
        failed = 0
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.perf_counter() < begin:
            time.sleep(0.001)
        while True:
            start = time.perf_counter()
            if start >= measure_to:
                break
            ok = False
            try:
                connection.request(t.method, t.path, body=body, headers=t.headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
            end = time.perf_counter()
            if start >= measure_from and end <= measure_to:
                if ok:
                    mine.append(end - start)
                else:
                    failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + 60)
    check(latencies, f"no successful request to {t.path} in the window")
    return Load(
        len(latencies) / seconds,
        ms(percentile(latencies, 0.50)),
        ms(percentile(latencies, 0.99)),
        len(latencies),
        errors[0],
    )


@dataclass
class Loader:
    wrk: str | None
    connections: int
    warmup: float
    seconds: float
    script_dir: Path

    @property
    def description(self) -> str:
        tool = wrk_version(self.wrk) if self.wrk else "Python load generator (threads, http.client)"
        threads = f" -t{min(2, self.connections)}" if self.wrk else ""
        return (
            f"{tool}{threads}, {self.connections} connections, {self.warmup:g} s warm-up, "
            f"{self.seconds:g} s measured"
        )

    def run(self, port: int, t: Target) -> Load:
        if self.wrk:
            run_wrk(
                self.wrk,
                port,
                t,
                connections=self.connections,
                seconds=max(1, round(self.warmup)),
                script_dir=self.script_dir,
            )
            return run_wrk(
                self.wrk,
                port,
                t,
                connections=self.connections,
                seconds=max(1, round(self.seconds)),
                script_dir=self.script_dir,
            )
        return run_python(
            port, t, connections=self.connections, warmup=self.warmup, seconds=self.seconds
        )


# --- in process: issuing versus rendering, SQL counts and profiles -----------------------------


def make_app(url: str, secret: str):
    """The application on the bench database, in this process (no server, no rate limits)."""
    from benchapp import create_bench_app

    app = create_bench_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    for name in ("ce_platform", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return app


@contextmanager
def app_context(app) -> Iterator[object]:
    from ce_platform.extensions import db

    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


def _answer_sheet(session, attempt) -> dict[str, list[str]]:
    from ce_platform.catalog.models import Question

    sheet = {}
    for item in attempt.drawn:
        question = session.get(Question, item["question_id"])
        right = {option["id"] for option in question.options if option["correct"]}
        sheet[item["key"]] = [o["token"] for o in item["options"] if o["id"] in right]
    return sheet


def _completed_enrollment(index: int) -> int:
    """A learner who met every requirement of COURSE_DONE, made through the services."""
    from ce_platform.accounts import services as accounts
    from ce_platform.catalog import services as catalog
    from ce_platform.extensions import db
    from ce_platform.learning import services as learning
    from tests.factories import earn_seat_time as read_for_the_floor

    course = catalog.get_course(db.session, COURSE_DONE)
    user = accounts.register_user(
        db.session,
        email=f"issue{index:03d}@bench.example.org",
        password=PASSWORD,
        full_name=f"Sam Nguyen {index}",
        profession="nurse",
        credentials="MSN, RN",
        license_number=f"RN-{778800 + index}",
        license_state="WA",
        settings=accounts.Settings(password_min_length=12, hash_method="pbkdf2:sha256:1000"),
    )
    accounts.confirm_email(db.session, user, actor_id=None)  # certificates need it
    enrollment, _ = learning.enroll(db.session, user, course, today=date.today())
    db.session.commit()
    read_for_the_floor(user.email, COURSE_DONE)  # the seat-time floor, through heartbeats
    db.session.refresh(enrollment)
    for lesson in enrollment.revision.lessons:
        learning.complete_lesson(db.session, enrollment, lesson)
    attempt, _ = learning.start_attempt(db.session, enrollment)
    grade = learning.submit_attempt(db.session, attempt, _answer_sheet(db.session, attempt))
    check(grade.passed, "the post-test was not passed")
    answers = evaluation_answers(learning.evaluation_questions(enrollment.revision))
    learning.submit_evaluation(db.session, enrollment, answers, True)
    check(enrollment.status == "complete", f"enrollment is {enrollment.status}")
    db.session.commit()
    return enrollment.id


@dataclass
class IssueFigure:
    source: str
    issue_ms: float
    render_ms: float
    samples: int
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.issue_ms / self.render_ms


def issue_in_process(app, learners: int) -> IssueFigure:
    """issue_certificate() + commit on a fresh session versus render_certificate_pdf() alone on
    the same frozen snapshot, learner by learner; the first pair warms fonts and templates."""
    from ce_platform.certificates import services as certificates
    from ce_platform.certificates.pdf import render_certificate_pdf
    from ce_platform.extensions import db
    from ce_platform.learning.models import Enrollment

    ids = [_completed_enrollment(index) for index in range(learners + 1)]
    issues, renders, identical = [], [], 0
    for position, enrollment_id in enumerate(ids):
        db.session.remove()
        enrollment = db.session.get(Enrollment, enrollment_id)
        gc.collect()
        start = time.perf_counter()
        certificate, created = certificates.issue_certificate(
            db.session, enrollment, base_url=app.config["BASE_URL"]
        )
        db.session.commit()
        issue_s = time.perf_counter() - start
        check(created, "the certificate existed already")
        snapshot, stored = certificate.snapshot, certificate.sha256
        gc.collect()
        start = time.perf_counter()
        pdf = render_certificate_pdf(snapshot)
        render_s = time.perf_counter() - start
        if position == 0:
            continue  # warm-up
        issues.append(issue_s)
        renders.append(render_s)
        identical += hashlib.sha256(pdf).hexdigest() == stored
    return IssueFigure(
        "in process",
        ms(statistics.median(issues)),
        ms(statistics.median(renders)),
        learners,
        f"render alone reproduced the stored bytes {identical} of {learners} times",
    )


@dataclass
class InProcess:
    name: str
    label: str
    ms_per_request: float
    statements: int
    tool: str = ""
    profile: list[str] = field(default_factory=list)


def _profile_lines(profiler: cProfile.Profile, limit: int) -> list[str]:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    lines = out.getvalue().splitlines()
    first = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return [line.rstrip() for line in lines[first:] if line.strip()]


def profile_calls(call, repeats: int) -> tuple[str, list[str]]:
    """Profile `repeats` calls: pyinstrument (a bench-only tool, sampling, so it adds little
    overhead) when it is installed in the virtualenv, else cProfile; (tool, lines)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            call()
        profiler.disable()
        return "cProfile, top functions by cumulative time", _profile_lines(profiler, 22)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(repeats):
        call()
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    first = next((i for i, line in enumerate(lines) if line.lstrip()[:1].isdigit()), 0)
    return "pyinstrument, seconds over all calls", lines[first : first + 45]


def in_process(
    app, s: Seed, items: list[Target], *, repeats: int, profile: set[str]
) -> list[InProcess]:
    """Each endpoint through Flask's test client on the bench database: time per request with
    no HTTP server in the way, SQL statements per request, and a cProfile when asked.

    The client runs outside any app context, so each request gets its own context and database
    session (and its own `g`, where Flask-Login keeps the signed-in user), as under gunicorn.
    """
    from sqlalchemy import event

    from ce_platform.extensions import db

    with app.app_context():
        engine = db.engine
    clients = {}
    for user_id, key in ((s.user_a, "a"), (s.user_b, "b")):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{user_id}.0"  # id.session generation
            session["_fresh"] = True
        clients[key] = client
    anonymous = app.test_client()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    out = []
    for t in items:
        client = anonymous
        headers = {k: v for k, v in t.headers.items() if k != "Cookie"}
        if "Cookie" in t.headers:
            client = clients["a"] if t.headers["Cookie"] == s.cookie_a else clients["b"]

        def call(client=client, t=t, headers=headers):
            response = client.open(t.path, method=t.method, headers=headers)
            check(
                response.status_code == 200,
                f"in process: {t.path} -> {response.status_code} {response.location}",
            )
            return response

        for _ in range(5):
            call()
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        call()
        event.remove(engine, "before_cursor_execute", count)
        sql = len(statements)
        gc.collect()
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        figure = InProcess(t.name, t.label, ms((time.perf_counter() - start) / repeats), sql)
        if t.name in profile:
            figure.tool, figure.profile = profile_calls(call, repeats)
            figure.profile.append(f"SQL per request ({sql}):")
            figure.profile += [f"  {' '.join(x.split())[:150]}" for x in statements]
        out.append(figure)
    return out


def certificates_bench(timeout: float) -> tuple[IssueFigure | None, str]:
    """bench/certificates.py's own issue/render figure, when that script exists and runs."""
    script = REPO / "bench" / "certificates.py"
    if not script.exists():
        return None, "bench/certificates.py does not exist"
    command = [sys.executable, str(script), "--learners", "5", "--seconds", "2"]
    try:
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"bench/certificates.py did not finish in {timeout:.0f} s"
    out = done.stdout
    issue = re.search(r"issue_certificate\(\) \+ commit, median\s+([\d,.]+) ms", out)
    render = re.search(r"render_certificate_pdf\(\) alone, median\s+([\d,.]+) ms", out)
    if done.returncode != 0 or not issue or not render:
        tail = " ".join((done.stdout + done.stderr).split()[-30:])
        return None, f"bench/certificates.py exited {done.returncode} or printed no figure: {tail}"
    figure = IssueFigure(
        "bench/certificates.py (SQLite)",
        float(issue.group(1).replace(",", "")),
        float(render.group(1).replace(",", "")),
        5,
        "its own run, --learners 5",
    )
    return figure, "read from bench/certificates.py --learners 5 --seconds 2"


# --- one engine --------------------------------------------------------------------------------


@dataclass
class Row:
    target: Target
    loads: list[Load]

    @property
    def rate(self) -> float:
        return statistics.mean(x.rate for x in self.loads)

    @property
    def p99_ms(self) -> float:
        return statistics.mean(x.p99_ms for x in self.loads)

    @property
    def p50_ms(self) -> float:
        return statistics.mean(x.p50_ms for x in self.loads)

    @property
    def errors(self) -> int:
        return sum(x.errors for x in self.loads)


@dataclass
class EngineResult:
    engine: str
    version: str
    rows: list[Row]
    issue: IssueFigure | None
    issue_http_ms: float
    in_process: list[InProcess]
    notes: list[str]
    readers: Load | None = None  # the lesson page under READERS connections

    @property
    def readers_ratio(self) -> float | None:
        if self.readers is None or not self.readers.p50_ms:
            return None
        return self.readers.p99_ms / self.readers.p50_ms

    @property
    def baseline(self) -> Row:
        return self.rows[0]

    def ratio(self, row: Row) -> float:
        """The row's req/s as a share of its reference row's (the baseline or a floor)."""
        reference = next(r for r in self.rows if r.target.name == row.target.against)
        return row.rate / reference.rate

    def verdicts(self) -> list[tuple[str, float, float, bool]]:
        """(what, value, target, met) for every target of this engine."""
        out = []
        for row in self.rows:
            if row.target.minimum is not None:
                ratio = self.ratio(row)
                out.append(
                    (row.target.label, ratio, row.target.minimum, ratio >= row.target.minimum)
                )
        if self.issue:
            out.append(
                ("issue / render", self.issue.ratio, ISSUE_TARGET, self.issue.ratio <= ISSUE_TARGET)
            )
        if self.engine == "sqlite" and self.readers_ratio is not None:
            label = f"lesson page p99 / p50, {READERS} connections"
            met = self.readers_ratio <= READERS_TARGET
            out.append((label, self.readers_ratio, READERS_TARGET, met))
        return out


def run_engine(engine: str, args, loader: Loader) -> EngineResult:
    secret = secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix=f"ce-bench-run-{engine}-") as tmp_name:
        tmp = Path(tmp_name)
        with database(engine, tmp) as url:
            version = sqlite3.sqlite_version if engine == "sqlite" else postgres_version(url)
            say(f"\n[{engine}] {engine} {version}: migrate, sync courses/, create 2 learners (CLI)")
            took = prepare(url, secret)
            say(f"  prepared in {took:.1f} s")
            with gunicorn(url, secret, tmp / "gunicorn.log") as port:
                s = seed(port, url)
                items = targets(s)
                notes = verify_targets(port, s, items)
                loads: dict[str, list[Load]] = {t.name: [] for t in items}
                for round_number in range(1, 0 if args.no_load else args.rounds + 1):
                    for t in items:
                        load = loader.run(port, t)
                        loads[t.name].append(load)
                        say(
                            f"  round {round_number}: {t.label:<42} {load.rate:>8,.0f} req/s "
                            f"p99 {load.p99_ms:>7.1f} ms"
                            + (f"  ({load.errors} errors)" if load.errors else "")
                        )
                rows = [] if args.no_load else [Row(t, loads[t.name]) for t in items]
                readers = None
                if not args.no_load:
                    lesson = next(t for t in items if t.name == "lesson")
                    crowd = Loader(
                        loader.wrk, READERS, loader.warmup, loader.seconds, loader.script_dir
                    )
                    readers = crowd.run(port, lesson)
                    say(
                        f"  readers: lesson page, {READERS} connections: p50 "
                        f"{readers.p50_ms:.1f} ms, p99 {readers.p99_ms:.1f} ms"
                    )
                log = (tmp / "gunicorn.log").read_text(errors="replace")
                if "Traceback" in log or "[CRITICAL]" in log:
                    notes.append("the server log shows errors:\n" + log_tail(tmp / "gunicorn.log"))
            result = EngineResult(engine, version, rows, None, s.issue_http_ms, [], notes, readers)
            missed = {
                row.target.name
                for row in rows
                if row.target.minimum is not None and result.ratio(row) < row.target.minimum
            }
            profile = {t.name for t in items} if args.profile else missed
            app = make_app(url, secret)
            try:
                say(f"  in process: {args.repeats} requests per endpoint through the test client")
                result.in_process = in_process(app, s, items, repeats=args.repeats, profile=profile)
                if args.issue_learners:
                    say(f"  in process: issuing {args.issue_learners} certificates (+1 warm-up)")
                    with app_context(app):
                        result.issue = issue_in_process(app, args.issue_learners)
            finally:
                with app.app_context():
                    from ce_platform.extensions import db

                    db.engine.dispose()
    return result


# --- report ------------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(result: EngineResult) -> list[str]:
    lines = [
        f"| {result.engine} {result.version} | req/s | p50 ms | p99 ms | ratio | to "
        "| target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for row in result.rows:
        ratio = result.ratio(row)
        target = f">= {row.target.minimum:.2f}" if row.target.minimum is not None else ""
        met = "" if row.target.minimum is None else verdict(ratio >= row.target.minimum)
        errors = f" ({row.errors} errors)" if row.errors else ""
        lines.append(
            f"| {row.target.label}{errors} | {row.rate:,.0f} | {row.p50_ms:.1f} | "
            f"{row.p99_ms:.1f} | {ratio:.2f} | {row.target.against} | {target} | {met} |"
        )
    if result.readers is not None:
        r, ratio = result.readers, result.readers_ratio
        target = f"<= {READERS_TARGET:.1f} (SQLite)" if result.engine == "sqlite" else ""
        met = verdict(ratio <= READERS_TARGET) if result.engine == "sqlite" else ""
        lines.append(
            f"| lesson page, {READERS} connections: p99 / p50 | {r.rate:,.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {ratio:.2f} | p50 | {target} | {met} |"
        )
    if result.issue:
        i = result.issue
        lines.append(
            f"| issue_certificate() + commit vs render alone ({i.source}, median of {i.samples}) "
            f"| {i.issue_ms:,.0f} ms / {i.render_ms:,.0f} ms | | | {i.ratio:.2f}x | render "
            f"| <= {ISSUE_TARGET:.1f}x | {verdict(i.ratio <= ISSUE_TARGET)} |"
        )
    return lines


def in_process_table(result: EngineResult) -> list[str]:
    base = result.in_process[0].ms_per_request if result.in_process else 1.0
    lines = [
        f"| in process, {result.engine} | ms per request | x /healthz | SQL statements |",
        "| --- | ---: | ---: | ---: |",
    ]
    for figure in result.in_process:
        lines.append(
            f"| {figure.label} | {figure.ms_per_request:.2f} | "
            f"{figure.ms_per_request / base:.1f} | {figure.statements} |"
        )
    return lines


def report(
    results: list[EngineResult], extra_issue: IssueFigure | None, info: dict, notes: list[str]
) -> tuple[str, list[str]]:
    missed: list[str] = []
    md = [
        "## Throughput against the baseline (`bench/run.py`)",
        "",
        f"Run on {info['date']}: {info['nproc']} cores ({info['cpu']}), {info['system']}, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
        + "".join(f", PostgreSQL {r.version}" for r in results if r.engine == "postgresql")
        + f". gunicorn with {WORKERS} sync workers on 127.0.0.1; load: {info['loader']}, "
        f"{info['rounds']} interleaved round(s), figures are their mean. The load generator runs "
        "on the same cores as the server. Load average (1/5/15 min) at start "
        f"{info['load_start']}, at the end {info['load_end']}.",
        "",
    ]
    for r in results:
        if r.rows:
            md += table(r)
            md.append("")
        for what, value, target, met in r.verdicts():
            if not met:
                missed.append(f"{r.engine}: {what} = {value:.2f} (target {target})")
    if extra_issue:
        met = extra_issue.ratio <= ISSUE_TARGET
        md += [
            f"Issuing, as measured by {extra_issue.source}: issue {extra_issue.issue_ms:,.0f} ms, "
            f"render alone {extra_issue.render_ms:,.0f} ms, ratio {extra_issue.ratio:.2f}x "
            f"(target <= {ISSUE_TARGET}x): {verdict(met)}.",
            "",
        ]
        if not met:
            missed.append(f"{extra_issue.source}: issue / render = {extra_issue.ratio:.2f}")
    md += [
        "The same requests through Flask's test client, in process (no HTTP server, no load "
        "generator): the cost of each page relative to `/healthz`, and how many SQL statements "
        "one request issues.",
        "",
    ]
    for r in results:
        md += in_process_table(r)
        md.append("")
    md.append("Notes:")
    md.append("")
    for r in results:
        md.append(
            f"- {r.engine}: issuing over HTTP while seeding (one request, includes the first "
            f"WeasyPrint layout in that worker) took {r.issue_http_ms:,.0f} ms."
        )
        md += [f"- {r.engine}: {n}" for n in r.notes]
    md += [f"- {n}" for n in notes]
    md.append("")
    if missed:
        md.append("**Targets MISSED:** " + "; ".join(missed) + ".")
    else:
        md.append("**Every target met.**")
    profiles = [(r, f) for r in results for f in r.in_process if f.profile]
    if profiles:
        md += ["", "### Profiles (in process, through the test client)", ""]
        for r, f in profiles:
            md += [f"{r.engine}, `{f.name}` ({f.tool}):", "", "```", *f.profile, "```", ""]
    return "\n".join(md).rstrip() + "\n", missed


def write_section(marker: str, text: str) -> None:
    """Replace this script's section of bench/results.md (between its markers), keep the rest."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}\n"
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if not current.strip():
        current = (
            "# Benchmark results\n\n"
            "Written by `bench/run.py` and `bench/scale.py`; each replaces its own section on "
            "every run. Absolute figures depend on the machine; the ratios are what to compare.\n"
        )
    if start in current and end in current:
        head, rest = current.split(start, 1)
        _, tail = rest.split(end, 1)
        tail = tail.lstrip("\n")
        current = head + block + ("\n" + tail if tail else "")
    else:
        current = current.rstrip() + "\n\n" + block
    RESULTS.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine", choices=("both", "sqlite", "postgresql"), default="both", help="(both)"
    )
    parser.add_argument("--seconds", type=float, default=4, help="measured seconds per run (4)")
    parser.add_argument("--warmup", type=float, default=1, help="warm-up seconds per run (1)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument(
        "--loader", choices=("auto", "wrk", "python"), default="auto", help="(wrk if installed)"
    )
    parser.add_argument("--repeats", type=int, default=100, help="in-process requests (100)")
    parser.add_argument(
        "--issue-learners", type=int, default=4, help="certificates timed in process (4)"
    )
    parser.add_argument(
        "--no-certificates-bench",
        action="store_true",
        help="do not run bench/certificates.py for its issue figure",
    )
    parser.add_argument("--profile", action="store_true", help="profile every endpoint")
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="skip the load runs: seed, then only the in-process figures (a quick check)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/results.md")
    args = parser.parse_args(argv)
    if min(args.seconds, args.rounds, args.connections, args.repeats) <= 0:
        parser.error("--seconds, --rounds, --connections and --repeats must be positive")

    clean_up_on_sigterm()
    started = time.perf_counter()
    wrk = shutil.which("wrk") if args.loader in ("auto", "wrk") else None
    if args.loader == "wrk" and not wrk:
        parser.error("--loader wrk: wrk is not installed (Debian: apt-get install wrk)")
    info = machine()
    info["load_start"] = load_average()
    notes: list[str] = []
    results: list[EngineResult] = []
    with tempfile.TemporaryDirectory(prefix="ce-bench-wrk-") as scripts:
        loader = Loader(wrk, args.connections, args.warmup, args.seconds, Path(scripts))
        info["loader"] = loader.description
        info["rounds"] = str(args.rounds)
        say(f"{info['nproc']} cores, Python {info['python']}; load: {loader.description}")
        try:
            engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
            for engine in engines:
                try:
                    results.append(run_engine(engine, args, loader))
                except PostgresUnavailable as exc:
                    message = f"PostgreSQL is not reachable, so only SQLite was measured: {exc}"
                    say(f"\n{message}")
                    notes.append(message)
        except BenchFailure as exc:
            print(f"FAIL: {exc}", file=sys.stderr, flush=True)
            return 1
    extra = None
    if not args.no_certificates_bench:
        say("\nrunning bench/certificates.py --learners 5 --seconds 2 for its issue figure")
        extra, how = certificates_bench(timeout=240)
        say(f"  {how}")
        if extra is None:
            notes.append(f"no issue figure from bench/certificates.py: {how}")
    info["load_end"] = load_average()
    text, missed = report(results, extra, info, notes)
    say("\n" + text)
    if not args.no_write:
        write_section("run.py", text)
        say(f"written to {RESULTS.relative_to(REPO)}")
    say(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
