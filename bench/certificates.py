"""Benchmark certificates: issuing (first render) against WeasyPrint alone, and downloading a
stored PDF against a bare endpoint on the same server.

Run from the repository root:

    python bench/certificates.py
    python bench/certificates.py --learners 10 --seconds 3 --profile

Part 1 publishes a shipped course into a fresh SQLite database (built with the real migrations),
walks N learners through it with the learning services (lessons, a passing post-test, the
evaluation with attestation) and times issue_certificate() plus the commit for each of them: the
first, and only, render of each certificate. Each issue is followed by render_certificate_pdf()
alone on the same frozen snapshot, so the two medians are taken side by side.

Part 2 serves that database with gunicorn (2 sync workers) on 127.0.0.1, takes one bearer token
and compares the throughput of GET /healthz (no database, no auth) with that of
GET /api/v1/certificates/<number>.pdf, using a small threaded load generator.

Everything lives in a temporary directory and the server is stopped even on error. Absolute
figures depend on the machine; compare the ratios, which are taken in the same run. Not part of
the test suite.
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
import pstats
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path

import weasyprint

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from flask_migrate import upgrade  # noqa: E402
from run import (  # noqa: E402  (the bench helpers bench/run.py and bench/scale.py share)
    BenchFailure,
    ms,
    percentile,
    request,
)
from run import gunicorn as run_gunicorn  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from ce_platform import content, create_app  # noqa: E402
from ce_platform.accounts import services as accounts  # noqa: E402
from ce_platform.catalog import services as catalog  # noqa: E402
from ce_platform.catalog.models import Course, Question  # noqa: E402
from ce_platform.certificates import services as certificates  # noqa: E402
from ce_platform.certificates.models import Certificate  # noqa: E402
from ce_platform.certificates.pdf import (  # noqa: E402
    ATTACHMENT_NAME,
    PackageOnlyURLFetcher,
    archival_pdf,
    render_certificate_pdf,
    snapshot_json_bytes,
)
from ce_platform.extensions import db  # noqa: E402
from ce_platform.learning import services as learning  # noqa: E402
from ce_platform.learning.models import Enrollment  # noqa: E402
from tests.factories import earn_seat_time  # noqa: E402

SHIPPED = REPO / "courses"
SLUG = "ethics-psychedelic-practice"
HOST = "127.0.0.1"
PASSWORD = "bench correct horse battery"
FAST_HASH = accounts.Settings(password_min_length=12, hash_method="pbkdf2:sha256:1000")
ISSUE_TARGET = 1.3  # issue / render at most
RENDER_TARGET = 3.0  # certificate render / minimal certificate render at most
# The floor for a certificate: one landscape page of PDF/A-3a (and PDF/UA-1), tagged, with the
# same font faces as the certificate (DejaVu Sans, Serif bold and italic, Sans Mono bold,
# condensed) and the same data attached, written by the same pipeline (archival_pdf).
MINIMAL_CERTIFICATE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Minimal certificate</title><style>
@page { size: letter landscape; margin: 0.35in; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; }
.serif { font-family: "DejaVu Serif", serif; }
.mono { font-family: "DejaVu Sans Mono", monospace; }
.condensed { font-stretch: condensed; }
</style></head><body><main>
<h1 class="serif">Certificate of Completion</h1>
<p class="serif"><i>This certifies that</i></p>
<p>{name} has completed <b>{title}</b>.</p>
<p class="condensed">Approved for continuing education.</p>
<p class="mono"><b>{number}</b></p>
</main></body></html>"""
DOWNLOAD_TARGET = 0.6  # download req/s / baseline req/s at least
WORKERS = 2
LEARNERS = (
    ("Dana Clinician", "LCSW", "social_worker", "SW-12345", "OR"),
    ("Robin Okafor-Lindqvist", "PhD", "psychologist", "PSY-20931", "CA"),
    ("Sam Nguyen", "MSN, RN", "nurse", "RN-778812", "WA"),
    ("Alex Rivera", "LPC", "counselor", "LPC-4410", "CO"),
    ("Jordan Abernathy-Castellanos", "LMFT", "mft", "MFT-5521", "NY"),
)


def say(message: str = "") -> None:
    print(message, flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailure(message)


# --- part 1: issuing versus WeasyPrint alone ---------------------------------------------------


@contextmanager
def app_on(db_path: Path, *, migrate: bool = False) -> Iterator[object]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    with app.app_context():
        if migrate:
            logging.disable(logging.INFO)  # alembic's per-migration INFO lines
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def publish_course() -> Course:
    provider, diagnostics = content.load_provider(SHIPPED / catalog.PROVIDER_FILE)
    check(provider is not None and not content.has_errors(diagnostics), f"provider: {diagnostics}")
    files = content.read_course_folder(SHIPPED / SLUG)
    outcome = catalog.publish_course(db.session, SLUG, files, provider)
    check(outcome.status == "created", f"publishing {SLUG}: {outcome.status}")
    db.session.commit()
    return outcome.revision.course


def answer_sheet(attempt) -> dict[str, list[str]]:
    """Every drawn question answered right, read from the stored answer key."""
    sheet = {}
    for item in attempt.drawn:
        question = db.session.get(Question, item["question_id"])
        right = {option["id"] for option in question.options if option["correct"]}
        sheet[item["key"]] = [o["token"] for o in item["options"] if o["id"] in right]
    return sheet


def evaluation_answers(revision) -> dict:
    answers: dict[str, object] = {}
    for item in learning.evaluation_questions(revision):
        if item["type"] == "rating":
            answers[item["id"]] = item["max"]
        elif item["type"] == "number":
            answers[item["id"]] = min(max(75, item["min"]), item["max"])
        elif item["type"] == "choice":
            answers[item["id"]] = item["choices"][0]
        else:
            answers[item["id"]] = "Clear and useful."
    return answers


def completed_learner(course: Course, index: int) -> tuple[int, str]:
    """A learner who met every requirement of the course; (enrollment id, email)."""
    name, credentials, profession, license_number, state = LEARNERS[index % len(LEARNERS)]
    email = f"learner{index:03d}@bench.example.org"
    user = accounts.register_user(
        db.session,
        email=email,
        password=PASSWORD,
        full_name=name if index < len(LEARNERS) else f"{name} {index}",
        profession=profession,
        credentials=credentials,
        license_number=license_number,
        license_state=state,
        settings=FAST_HASH,
    )
    accounts.confirm_email(db.session, user, actor_id=None)  # certificates need it
    enrollment, _ = learning.enroll(db.session, user, course, today=date.today())
    db.session.commit()
    earn_seat_time(email, SLUG)  # the seat-time floor, through the heartbeat service
    db.session.refresh(enrollment)
    for lesson in enrollment.revision.lessons:
        learning.complete_lesson(db.session, enrollment, lesson)
    attempt, _ = learning.start_attempt(db.session, enrollment)
    grade = learning.submit_attempt(db.session, attempt, answer_sheet(attempt))
    check(grade.passed, f"{email}: the post-test was not passed ({grade.score}%)")
    learning.submit_evaluation(
        db.session, enrollment, evaluation_answers(enrollment.revision), True
    )
    check(enrollment.status == "complete", f"{email}: enrollment is {enrollment.status}")
    db.session.commit()
    return enrollment.id, email


def issue(app, enrollment_id: int) -> tuple[Certificate, float]:
    """issue_certificate() + commit on a fresh session, as a request would; (certificate, s)."""
    db.session.remove()
    enrollment = db.session.get(Enrollment, enrollment_id)
    gc.collect()
    start = time.perf_counter()
    certificate, created = certificates.issue_certificate(
        db.session, enrollment, base_url=app.config["BASE_URL"]
    )
    db.session.commit()
    elapsed = time.perf_counter() - start
    check(created, f"enrollment {enrollment_id} already had a certificate")
    return certificate, elapsed


def render(snapshot: dict) -> tuple[bytes, float]:
    gc.collect()
    start = time.perf_counter()
    pdf = render_certificate_pdf(snapshot)
    return pdf, time.perf_counter() - start


def render_minimal(snapshot: dict) -> float:
    """Seconds to write the minimal certificate of the same snapshot (the render floor)."""
    html = MINIMAL_CERTIFICATE
    for field_name, value in (
        ("name", snapshot["participant"]["display_name"]),
        ("title", snapshot["course"]["title"]),
        ("number", snapshot["number"]),
    ):
        html = html.replace("{" + field_name + "}", escape(value))
    fetcher = PackageOnlyURLFetcher()
    data = weasyprint.Attachment(
        string=snapshot_json_bytes(snapshot),
        name=ATTACHMENT_NAME,
        relationship="Data",
        url_fetcher=fetcher,
    )
    gc.collect()
    start = time.perf_counter()
    archival_pdf(html, fetcher, [data])
    return time.perf_counter() - start


@dataclass
class IssueResult:
    issue: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    minimal: list[float] = field(default_factory=list)
    identical: int = 0
    pdf_bytes: int = 0
    number: str = ""
    sha256: str = ""
    email: str = ""


def part_issue(db_path: Path, learners: int) -> IssueResult:
    result = IssueResult()
    with app_on(db_path, migrate=True) as app:
        start = time.perf_counter()
        course = publish_course()
        people = [completed_learner(course, index) for index in range(learners + 1)]
        say(
            f"[1] published {SLUG}; {learners} learners (+1 for warm-up) completed it "
            f"through the services in {time.perf_counter() - start:.1f} s"
        )
        warm, warm_s = issue(app, people[0][0])  # fonts, templates, first WeasyPrint layout
        _, warm_render_s = render(warm.snapshot)
        render_minimal(warm.snapshot)
        say(f"[1] warm-up: issue {ms(warm_s):.0f} ms, render alone {ms(warm_render_s):.0f} ms")
        for enrollment_id, email in people[1:]:
            certificate, issue_s = issue(app, enrollment_id)
            snapshot, stored_sha = certificate.snapshot, certificate.sha256
            pdf, render_s = render(snapshot)
            result.issue.append(issue_s)
            result.render.append(render_s)
            result.minimal.append(render_minimal(snapshot))
            result.identical += hashlib.sha256(pdf).hexdigest() == stored_sha
            result.pdf_bytes = len(pdf)
            result.number, result.sha256, result.email = certificate.number, stored_sha, email
        say(
            "[1] per learner, issue / render alone (ms): "
            + ", ".join(
                f"{ms(i):.0f}/{ms(r):.0f}" for i, r in zip(result.issue, result.render, strict=True)
            )
        )
        count = db.session.scalar(select(db.func.count()).select_from(Certificate))
        check(count == learners + 1, f"expected {learners + 1} certificates, found {count}")
    return result


# --- part 2: downloading versus a bare endpoint ------------------------------------------------


def gunicorn(db_path: Path, log_path: Path):
    """gunicorn with WORKERS sync workers on a free local port, serving db_path; yields the port."""
    return run_gunicorn(f"sqlite:///{db_path}", secrets.token_hex(32), log_path)


@dataclass
class Load:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    body_bytes: int
    client_cpu: float  # cores the load generator itself kept busy

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def p50_ms(self) -> float:
        return ms(percentile(self.latencies, 0.50))

    @property
    def p99_ms(self) -> float:
        return ms(percentile(self.latencies, 0.99))


def load(
    port: int,
    path: str,
    headers: dict,
    *,
    connections: int,
    warmup: float,
    seconds: float,
    expect_bytes: int | None = None,
) -> Load:
    """`connections` threads issue GETs back to back; count those begun and ended in the window.

    Each thread keeps one http.client connection and reuses it while the server allows (gunicorn's
    sync workers close after every response, so the client reconnects then).
    """
    begin = time.perf_counter() + 0.2  # let every thread start before the clock runs
    measure_from = begin + warmup
    measure_to = measure_from + seconds
    lock = threading.Lock()
    totals = {"requests": 0, "errors": 0, "bytes": 0}
    latencies: list[float] = []

    def worker() -> None:
        mine: list[float] = []
        errors = 0
        size = 0
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.perf_counter() < begin:
            time.sleep(0.001)
        while True:
            start = time.perf_counter()
            if start >= measure_to:
                break
            ok = False
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and (expect_bytes is None or len(body) == expect_bytes)
                size = len(body)
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
            end = time.perf_counter()
            if start >= measure_from and end <= measure_to:
                if ok:
                    mine.append(end - start)
                else:
                    errors += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            totals["requests"] += len(mine)
            totals["errors"] += errors
            totals["bytes"] = size

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + seconds + 60)
    cpu = (time.process_time() - cpu) / (time.perf_counter() - wall)
    check(totals["requests"] > 0, f"no successful request to {path} in the window")
    return Load(
        path, totals["requests"], totals["errors"], seconds, latencies, totals["bytes"], cpu
    )


@dataclass
class DownloadResult:
    baseline: Load
    download: Load
    checks: list[str]


def part_download(
    db_path: Path, log_path: Path, issued: IssueResult, *, connections: int, seconds: float
) -> DownloadResult:
    checks = []
    with gunicorn(db_path, log_path) as port:
        body = json.dumps({"email": issued.email, "password": PASSWORD}).encode()
        reply = request(
            port,
            "POST",
            "/api/v1/auth/token",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        check(reply.status == 200, f"POST /api/v1/auth/token answered {reply.status}")
        auth = {"Authorization": f"Bearer {reply.json()['token']}"}
        path = f"/api/v1/certificates/{issued.number}.pdf"

        reply = request(port, "GET", path, headers=auth)
        status, headers, pdf = reply.status, reply.headers, reply.body
        etag = headers.get("ETag", "").strip('"')
        check(status == 200, f"GET {path} answered {status}")
        check(
            headers.get("Content-Type") == "application/pdf", f"type {headers.get('Content-Type')}"
        )
        check(pdf.startswith(b"%PDF-"), "the download is not a PDF")
        check(
            hashlib.sha256(pdf).hexdigest() == etag == issued.sha256,
            "the downloaded bytes, the ETag and the stored SHA-256 differ",
        )
        checks.append(
            f"download is a PDF of {len(pdf):,} bytes whose SHA-256 equals the ETag and the "
            "stored hash"
        )
        status = request(port, "GET", path, headers={**auth, "If-None-Match": f'"{etag}"'}).status
        check(status == 304, f"If-None-Match answered {status}")
        status = request(port, "GET", path).status
        check(status == 401, f"an anonymous download answered {status}")
        checks.append("If-None-Match with the ETag gets 304; no token gets 401")

        common = {"connections": connections, "warmup": 1.0, "seconds": seconds}
        say(f"[2] load: {connections} connections, 1 s warm-up, {seconds:g} s measured each")
        baseline = load(port, "/healthz", {}, **common)
        say(f"[2] GET /healthz: {baseline.rate:,.0f} req/s")
        download = load(port, path, auth, expect_bytes=len(pdf), **common)
        say(f"[2] GET {path}: {download.rate:,.0f} req/s")
    for run in (baseline, download):
        check(run.errors == 0, f"{run.errors} failed request(s) to {run.path}")
    checks.append("no failed request in either run")
    return DownloadResult(baseline, download, checks)


# --- profiles of the slow side -----------------------------------------------------------------


def print_profile(profiler: cProfile.Profile, title: str, limit: int = 18) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(limit)
    say(f"\n--- cProfile: {title} (top {limit} by cumulative time) ---")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    say("\n".join(line.rstrip() for line in lines[start:] if line.strip()))


def profile_issue(db_path: Path) -> None:
    with app_on(db_path) as app:
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        enrollment_id, _ = completed_learner(course, 999)
        db.session.remove()
        enrollment = db.session.get(Enrollment, enrollment_id)
        profiler = cProfile.Profile()
        profiler.enable()
        certificates.issue_certificate(db.session, enrollment, base_url=app.config["BASE_URL"])
        db.session.commit()
        profiler.disable()
        print_profile(profiler, "one issue_certificate() + commit")


def profile_download(db_path: Path, issued: IssueResult, repeats: int = 300) -> None:
    """The download and /healthz through Flask's test client, in process, on the bench file.

    The client runs outside any app context, so each request gets its own context and database
    session, as under gunicorn.
    """
    with app_on(db_path) as app:
        user = accounts.get_user_by_email(db.session, issued.email)
        raw, _ = accounts.issue_api_token(db.session, user, timedelta(hours=1))
        db.session.commit()
        engine = db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    client = app.test_client()
    path = f"/api/v1/certificates/{issued.number}.pdf"
    auth = {"Authorization": f"Bearer {raw}"}
    timings = {}
    try:
        for name, url, headers in (("healthz", "/healthz", {}), ("download", path, auth)):
            check(client.get(url, headers=headers).status_code == 200, f"{url} failed")
            start = time.perf_counter()
            for _ in range(repeats):
                client.get(url, headers=headers)
            timings[name] = (time.perf_counter() - start) / repeats
        event.listen(engine, "before_cursor_execute", count)
        client.get(path, headers=auth)
        event.remove(engine, "before_cursor_execute", count)
        say(
            f"\nin process, Flask test client, {repeats} requests each: /healthz "
            f"{ms(timings['healthz']):.2f} ms, download {ms(timings['download']):.2f} ms a request "
            f"(ratio {timings['healthz'] / timings['download']:.2f}); SQL per download:"
        )
        for statement in statements:
            say(f"    {statement[:96]}{'...' if len(statement) > 96 else ''}")
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeats):
            client.get(path, headers=auth)
        profiler.disable()
        print_profile(profiler, f"{repeats} downloads through the test client", limit=24)
    finally:
        engine.dispose()


# --- report ------------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(issued: IssueResult, served: DownloadResult, learners: int) -> tuple[bool, bool, bool]:
    issue_ms = ms(statistics.median(issued.issue))
    render_ms = ms(statistics.median(issued.render))
    minimal_ms = ms(statistics.median(issued.minimal))
    render_ratio = render_ms / minimal_ms
    render_met = render_ratio <= RENDER_TARGET
    issue_ratio = issue_ms / render_ms
    base, down = served.baseline, served.download
    download_ratio = down.rate / base.rate
    issue_met = issue_ratio <= ISSUE_TARGET
    download_met = download_ratio >= DOWNLOAD_TARGET
    overhead = ms(
        statistics.median(i - r for i, r in zip(issued.issue, issued.render, strict=True))
    )
    rows = [
        ("issue_certificate() + commit, median", f"{issue_ms:,.1f} ms", "", ""),
        ("render_certificate_pdf() alone, median", f"{render_ms:,.1f} ms", "", ""),
        ("  issue overhead (median of differences)", f"{overhead:,.1f} ms", "", ""),
        ("issue / render", f"{issue_ratio:.2f}x", f"<= {ISSUE_TARGET:.2f}x", verdict(issue_met)),
        ("minimal certificate (same fonts), median", f"{minimal_ms:,.1f} ms", "", ""),
        (
            "render / minimal certificate",
            f"{render_ratio:.2f}x",
            f"<= {RENDER_TARGET:.2f}x",
            verdict(render_met),
        ),
        ("GET /healthz (baseline)", f"{base.rate:,.0f} req/s", "", ""),
        ("  latency p50 / p99", f"{base.p50_ms:.1f} / {base.p99_ms:.1f} ms", "", ""),
        ("GET /api/v1/certificates/<n>.pdf", f"{down.rate:,.0f} req/s", "", ""),
        ("  latency p50 / p99", f"{down.p50_ms:.1f} / {down.p99_ms:.1f} ms", "", ""),
        ("  PDF throughput", f"{down.rate * down.body_bytes / 1e6:,.1f} MB/s", "", ""),
        (
            "download / baseline",
            f"{download_ratio:.2f}x",
            f">= {DOWNLOAD_TARGET:.2f}x",
            verdict(download_met),
        ),
    ]
    say("")
    say(
        f"{learners} certificates issued (first render each), PDF {issued.pdf_bytes:,} bytes; "
        f"render alone reproduced the stored bytes for {issued.identical} of {learners}"
    )
    say(
        f"downloads: {down.requests:,} requests, baseline: {base.requests:,} requests, "
        f"over {down.seconds:g} s each; the load generator used {down.client_cpu:.2f} / "
        f"{base.client_cpu:.2f} of a core; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    for line in served.checks:
        say(f"check: {line}")
    say("")
    header = f"{'measure':<42} {'value':>18} {'target':>10} {'result':>7}"
    say(header)
    say("-" * len(header))
    for name, value, target, result in rows:
        say(f"{name:<42} {value:>18} {target:>10} {result:>7}")
    return issue_met, download_met, render_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=15, help="certificates timed (15)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run (5)")
    parser.add_argument("--profile", action="store_true", help="profile both sides even if met")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.connections < 1 or args.seconds <= 0:
        parser.error("--learners and --connections must be at least 1, --seconds positive")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ce-bench-certificates-") as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        log_path = Path(tmp) / "gunicorn.log"
        try:
            issued = part_issue(db_path, args.learners)
            served = part_download(
                db_path, log_path, issued, connections=args.connections, seconds=args.seconds
            )
            issue_met, download_met, render_met = report(issued, served, args.learners)
            if args.profile or not issue_met or not render_met:
                profile_issue(db_path)
            if args.profile or not download_met:
                profile_download(db_path, issued)
        except BenchFailure as exc:
            print(f"FAIL: {exc}", file=sys.stderr, flush=True)
            return 1
    say(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
