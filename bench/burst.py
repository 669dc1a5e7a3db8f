"""A webinar ends: 300 learners ask for their certificates within 10 seconds.

Run from the repository root (PostgreSQL as for bench/run.py, redis-server installed):

    python bench/burst.py
    python bench/burst.py --learners 300 --seconds 10 --job-workers 2

It creates a PostgreSQL database (dropped at the end) and starts a redis-server of its own on a
free port; runs `flask db upgrade` and `flask courses sync courses/`; makes N learners who met
every requirement of one shipped course (through the learning services; their seat time is
written as the heartbeats would have credited it) with one bearer token each; times
render_certificate_pdf() alone on one of their snapshots; then starts gunicorn (2 sync workers)
and the job workers (`flask jobs worker`, on Redis) and sends the N certificate requests
(POST /api/v1/courses/<slug>/certificate), spread evenly over S seconds, each from its own
learner. It prints p50, p99 and max latency of those requests (target: p99 under 1 s, no
failure) and the time until the last PDF is stored, against N x the renderer's time alone,
and writes its section at the end of bench/results.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from run import (  # noqa: E402  (the bench helpers bench/run.py and bench/scale.py share)
    RESULTS,
    BenchFailure,
    PostgresUnavailable,
    _answer_sheet,
    cpu_model,
    evaluation_answers,
    free_port,
    load_average,
    log_tail,
    percentile,
    postgres_database,
    postgres_version,
    request,
)

SLUG = "ethics-psychedelic-practice"
HOST = "127.0.0.1"
SECRET = "burst-" + secrets.token_hex(8)
P99_TARGET_MS = 1000.0
SECTION_START = "<!-- burst.py:start -->"
SECTION_END = "<!-- burst.py:end -->"


def say(message: str = "") -> None:
    print(message, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailure(message)


@contextmanager
def redis_server(tmp: Path):
    binary = shutil.which("redis-server")
    if binary is None:
        raise BenchFailure("redis-server is not installed (scripts/setup.sh test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no",
         "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.2).close()
                break
            except OSError:
                check(time.monotonic() < deadline, "redis-server did not start")
                time.sleep(0.05)
        say(f"  redis-server (pid {process.pid}) on {HOST}:{port}")
        yield f"redis://{HOST}:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def environment(url: str, queue_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CE_")}
    env.update(
        CE_DATABASE_URL=url,
        CE_SECRET_KEY=SECRET,
        CE_BASE_URL="https://ce.example.org",
        CE_QUEUE_URL=queue_url,
        CE_QUEUE_IN_PROCESS="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise BenchFailure(f"flask {' '.join(args)}: {(done.stdout + done.stderr)[-2000:]}")
    return done.stdout


def seed(url: str, learners: int) -> tuple[list[str], float]:
    """N learners who met every requirement of SLUG, one token each; and the render time alone
    (median of 3) on a certificate snapshot of one extra learner, issued inline."""
    from sqlalchemy import update

    from ce_platform import create_app
    from ce_platform.accounts import services as accounts
    from ce_platform.catalog import services as catalog
    from ce_platform.certificates import services as certificates
    from ce_platform.certificates.pdf import render_certificate_pdf
    from ce_platform.extensions import db
    from ce_platform.learning import services as learning
    from ce_platform.learning.models import LessonProgress

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": True,
         "QUEUE_URL": "memory://", "QUEUE_IN_PROCESS": False, "BASE_URL": "https://ce.example.org"}
    )  # fmt: skip
    fast = accounts.Settings(password_min_length=12, hash_method="pbkdf2:sha256:1000")
    tokens = []
    enrollment_ids = []
    with app.app_context():
        course = catalog.get_course(db.session, SLUG)
        for index in range(learners + 1):
            user = accounts.register_user(
                db.session,
                email=f"attendee{index:04d}@bench.example.org",
                password="bench correct horse battery",
                full_name=f"Attendee {index}",
                profession="psychologist",
                credentials="PhD",
                license_number=f"PSY-{10000 + index}",
                license_state="OR",
                settings=fast,
            )
            accounts.confirm_email(db.session, user, actor_id=None)
            enrollment, _ = learning.enroll(db.session, user, course, today=date.today())
            floor = enrollment.revision.seat_time_floor * 60
            lessons = enrollment.revision.lessons
            for lesson in lessons:
                learning.complete_lesson(db.session, enrollment, lesson)
            # The heartbeats' credit, written at once (bench/ is not about seat time).
            db.session.execute(
                update(LessonProgress)
                .where(LessonProgress.enrollment_id == enrollment.id)
                .values(active_seconds=floor // len(lessons) + 60)
            )
            attempt, _ = learning.start_attempt(db.session, enrollment)
            grade = learning.submit_attempt(db.session, attempt, _answer_sheet(db.session, attempt))
            check(grade.passed, "the post-test was not passed")
            answers = evaluation_answers(learning.evaluation_questions(enrollment.revision))
            learning.submit_evaluation(db.session, enrollment, answers, True)
            check(enrollment.status == "complete", f"enrollment is {enrollment.status}")
            raw, _ = accounts.issue_api_token(db.session, user, timedelta(days=1))
            db.session.commit()
            tokens.append(raw)
            enrollment_ids.append(enrollment.id)
            if index and index % 100 == 0:
                say(f"  {index} learners ready")
        # The extra learner's certificate, rendered inline, gives a real snapshot to time.
        extra = learning.get_enrollment(db.session, user, course)
        certificate, _ = certificates.issue_certificate(
            db.session, extra, base_url="https://ce.example.org", inline=True
        )
        db.session.commit()
        render_certificate_pdf(certificate.snapshot)  # warm-up: fonts, images
        times = []
        for _ in range(3):
            start = time.perf_counter()
            render_certificate_pdf(certificate.snapshot)
            times.append(time.perf_counter() - start)
        db.session.remove()
        db.engine.dispose()
    return tokens[:learners], statistics.median(times)


@contextmanager
def processes(env: dict[str, str], job_workers: int, tmp: Path, nice: int):
    """gunicorn (2 sync workers) and the job workers; yields the port."""
    port = free_port()
    logs = []
    started = []
    gunicorn = Path(sys.executable).with_name("gunicorn")
    commands = [[str(gunicorn), "-w", "2", "-b", f"{HOST}:{port}", "wsgi:app"]]
    commands += [
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--workers", "1"]
        for _ in range(job_workers)
    ]
    try:
        for n, command in enumerate(commands):
            log = tmp / f"process-{n}.log"
            logs.append(log)
            # The job workers yield the CPU to the web workers, as docs/deploy.md advises.
            lower = (lambda: os.nice(nice)) if n and nice else None
            with open(log, "wb") as out:
                started.append(
                    subprocess.Popen(
                        command, cwd=REPO, env=env, stdout=out, stderr=out, preexec_fn=lower
                    )
                )
        deadline = time.monotonic() + 60
        while True:
            check(started[0].poll() is None, f"gunicorn exited:\n{log_tail(logs[0])}")
            try:
                if request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            check(time.monotonic() < deadline, f"gunicorn did not answer:\n{log_tail(logs[0])}")
            time.sleep(0.1)
        say(f"  gunicorn (2 sync workers) on {HOST}:{port}; {job_workers} job worker process(es)")
        yield port
    finally:
        for process in started:
            process.send_signal(2)  # SIGINT: Huey's consumer stops gracefully
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def burst(port: int, tokens: list[str], seconds: float) -> tuple[list[float], list[str], float]:
    """One request per learner, started evenly over `seconds`; (latencies, failures, start)."""
    latencies: list[float] = [0.0] * len(tokens)
    failures: list[str] = []
    gap = seconds / len(tokens)
    start = time.monotonic()
    started_at = time.time()

    def one(index: int, token: str) -> None:
        delay = start + index * gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        began = time.perf_counter()
        try:
            reply = request(
                port, "POST", f"/api/v1/courses/{SLUG}/certificate",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            latencies[index] = time.perf_counter() - began
            if reply.status != 201 or json.loads(reply.body)["status"] != "rendering":
                failures.append(f"{reply.status} {reply.body[:200]!r}")
        except OSError as exc:
            latencies[index] = time.perf_counter() - began
            failures.append(repr(exc))

    threads = [threading.Thread(target=one, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return latencies, failures, started_at


def wait_for_pdfs(url: str, count: int, started_at: float, limit: float) -> tuple[float, int]:
    """Seconds from the first request until the last PDF was stored; (seconds, failed jobs)."""
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    deadline = time.monotonic() + limit
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while True:
            ready, failed, last = conn.execute(
                "SELECT count(*) FILTER (WHERE state = 'done'), "
                "count(*) FILTER (WHERE state = 'failed'), max(finished_at) "
                "FROM jobs WHERE kind = 'certificate.render'"
            ).fetchone()
            if ready + failed >= count:
                return last.astimezone(UTC).timestamp() - started_at, failed
            check(time.monotonic() < deadline, f"only {ready} of {count} PDFs after {limit} s")
            time.sleep(0.5)


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in text:
        head, _, rest = text.partition(SECTION_START)
        _, _, tail = rest.partition(SECTION_END)
        text = head.rstrip("\n") + "\n\n" + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="niceness of the job workers (0: none)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ce-burst-") as folder:
        tmp = Path(folder)
        try:
            with postgres_database("burst") as url, redis_server(tmp) as queue_url:
                env = environment(url, queue_url)
                say("[1] migrate and sync the shipped courses")
                flask(env, "db", "upgrade")
                flask(env, "courses", "sync", "courses/")
                say(f"[2] {args.learners} learners complete {SLUG}")
                tokens, render_alone = seed(url, args.learners)
                say(f"  render_certificate_pdf() alone: {render_alone * 1000:.0f} ms (median of 3)")
                say(f"[3] {args.learners} certificate requests over {args.seconds:g} s")
                load_start = load_average()
                with processes(env, args.job_workers, tmp, args.worker_nice) as port:
                    latencies, failures, started_at = burst(port, tokens, args.seconds)
                    last_pdf, failed = wait_for_pdfs(url, len(tokens), started_at, 1800)
                load_end = load_average()
                version = postgres_version(url)
        except PostgresUnavailable as exc:
            say(f"PostgreSQL is needed: {exc}")
            return 2
    ms = sorted(x * 1000 for x in latencies)
    p50, p99, worst = percentile(ms, 0.50), percentile(ms, 0.99), ms[-1]
    serial = render_alone * len(tokens)
    met = p99 < P99_TARGET_MS and not failures and not failed
    lines = [
        f"{SECTION_START}",
        "## A burst of certificate requests (`bench/burst.py`)",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores ({cpu_model()}), "
        f"PostgreSQL {version}, Redis, gunicorn with 2 sync workers and {args.job_workers} job "
        f"worker process(es) (`flask jobs worker --workers 1`, nice {args.worker_nice}), all on "
        f"this machine with the "
        f"load generator. Load average at start {load_start}, at the end {load_end}.",
        "",
        f"{len(tokens)} learners, each asking once for the certificate of `{SLUG}`, the requests "
        f"started evenly over {args.seconds:g} s (POST /api/v1/courses/<slug>/certificate).",
        "",
        "| measure | value | target | result |",
        "| --- | ---: | --- | --- |",
        f"| request latency p50 | {p50:,.0f} ms | | |",
        f"| request latency p99 | {p99:,.0f} ms | < 1,000 ms | "
        f"{'met' if p99 < P99_TARGET_MS else 'MISSED'} |",
        f"| request latency max | {worst:,.0f} ms | | |",
        f"| failed requests | {len(failures)} | 0 | {'met' if not failures else 'MISSED'} |",
        f"| failed render jobs | {failed} | 0 | {'met' if not failed else 'MISSED'} |",
        f"| first request to last PDF stored | {last_pdf:,.1f} s | | |",
        f"| {len(tokens)} x render_certificate_pdf() alone ({render_alone * 1000:,.0f} ms, "
        f"same run) | {serial:,.1f} s | | |",
        f"| ratio (last PDF / serial renders) | {last_pdf / serial:.2f} | | |",
        "",
        SECTION_END,
    ]
    section = "\n".join(lines)
    say()
    say(section)
    for failure in failures[:5]:
        say(f"  failure: {failure}")
    if not args.no_write:
        write_results(section)
        say(f"\nwrote {RESULTS.relative_to(REPO)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
