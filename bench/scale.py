"""Scale: a large provider's data on PostgreSQL; learner pages and reports at 10 % and full size.

Run from the repository root with the project's virtualenv:

    python bench/scale.py                     # 100,000 learners (10,000 first)
    python bench/scale.py --learners 20000    # a smaller provider, same proportions

PostgreSQL only. The script creates a dedicated database (on the server CE_BENCH_DATABASE_URL
names, else on the local one as role ce_test) and drops it at the end. It migrates it and syncs the
shipped courses with the real CLI, publishes a second revision of every course (so enrollments are
pinned to either), then seeds learners with set-based SQL (INSERT ... SELECT generate_series):
per learner three enrollments, two of them complete, which gives per 100,000 learners 300,000
enrollments, 1,000,000 lesson-progress rows, 300,000 post-test attempts (drawn questions,
responses and results as the application stores them: drawn with the real draw() from a set of
seeds), 200,000 evaluations and 200,000 certificates (a frozen snapshot built like the real one and
a 30 KB dummy PDF).

It builds a tenth of the learners first and measures, through Flask's test client in process,
the p50/p95 latency of the dashboard, the transcript, verification, the reports (the course list,
the first page of the roster as JSON and as HTML, item analysis as a first and a repeat view);
then it grows to full size, measures again, prints the full/small ratios and the EXPLAIN
(ANALYZE, BUFFERS) plan of every distinct query those requests issue, flagging sequential scans
of tables over 10,000 rows, and tries any candidate index given with --candidate-index. Results
go to bench/results.md.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
for path in (REPO, BENCH):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from run import (  # noqa: E402  (the shared bench helpers of bench/run.py)
    BenchFailure,
    PostgresUnavailable,
    check,
    clean_up_on_sigterm,
    evaluation_answers,
    flask_cli,
    load_average,
    machine,
    make_app,
    ms,
    percentile,
    postgres_database,
    postgres_version,
    say,
    server_env,
    write_section,
)

USER_BASE = 1000  # learner i is users.id USER_BASE + i
ENROLLMENTS_PER_LEARNER = 3  # the first two complete, the third in progress
PROGRESS_PER_LEARNER = 10  # lesson-progress rows per learner, in total
DRAW_VARIANTS = 8  # seeds per revision for the drawn questions
PATTERNS = 6  # right/wrong patterns per outcome, for item statistics worth the name
LEARNER_TARGET = 1.5  # full size / small, p95, learner-facing pages
ITEM_ANALYSIS_TARGET_MS = 1000  # item analysis, first view (cache emptied), p50 at full size
LARGE_ROWS = 10_000  # a sequential scan of a table this big is worth a look
FIRST = (
    "Dana Robin Sam Alex Jordan Casey Morgan Riley Avery Quinn Jamie Taylor Hayden Rowan Emerson "
    "Parker Reese Sage Skyler Blake Drew Elliot Finley Harper"
).split()
LAST = (
    "Nguyen Okafor Lindqvist Rivera Abernathy Castellanos Kim Patel Johnson Garcia Müller Rossi "
    "Silva Cohen Haddad Novak Tanaka Olsen Dubois Kowalski Moreau Jensen Fischer Reyes Walker "
    "Brooks Hughes Price Bennett Ward"
).split()
CREDENTIALS = ["PhD", "LCSW", "MSN, RN", "LPC", "LMFT", "MD"]
PROFESSIONS = ["psychologist", "social_worker", "nurse", "counselor", "mft", "physician"]
STATES = "OR CA WA CO NY TX FL IL MA MN AZ NM PA OH MI GA NC VA NJ MD".split()


# --- fixtures the SQL copies: revisions, draws, snapshots, evaluations --------------------------


def second_revisions(session) -> None:
    """Publish revision 2 of every shipped course (a sentence added to its first lesson)."""
    from ce_platform import content
    from ce_platform.catalog import services as catalog

    root = REPO / "courses"
    provider, diagnostics = content.load_provider(root / catalog.PROVIDER_FILE)
    check(provider is not None and not content.has_errors(diagnostics), "provider.yml")
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = dict(content.read_course_folder(folder))
        first = sorted(
            name
            for name in files
            if "/" not in name and name.endswith(".md") and name not in ("course.md", "quiz.md")
        )[0]
        files[first] = files[first] + b"\n\nThis lesson was revised for the current year.\n"
        outcome = catalog.publish_course(session, folder.name, files, provider)
        check(outcome.status == "updated", f"revision 2 of {folder.name}: {outcome.status}")
    session.commit()


def attempt_template(revision, questions, seed: str, outcome: str, rng: random.Random) -> dict:
    """One attempt as the application stores it: draw(), then responses and graded results."""
    from ce_platform.learning import services as learning

    drawn = learning.draw(
        questions, seed=seed, count=revision.questions_per_attempt, shuffle=revision.shuffle
    )
    by_id = {q.id: q for q in questions}
    n = len(drawn)
    need = -(-revision.passing_score * n // 100)  # right answers needed to pass
    if outcome == "pass":
        right_count = rng.randint(need, n)
    else:
        right_count = rng.randint(max(0, need - 4), need - 1)
    # Some questions are harder than others: weight the wrong answers by question key.
    weights = [1 + (sum(map(ord, item["key"])) % 5) for item in drawn]
    wrong: set[int] = set()
    while len(wrong) < n - right_count:
        wrong.add(rng.choices(range(n), weights)[0])
    responses, results, right = {}, [], 0
    for index, item in enumerate(drawn):
        question = by_id[item["question_id"]]
        correct = {o["id"] for o in question.options if o["correct"]}
        if index in wrong:
            others = [o["id"] for o in question.options if not o["correct"]]
            chosen = {rng.choice(others)} if others else set()
        else:
            chosen = set(correct)
        ok = chosen == correct
        right += ok
        responses[item["key"]] = [o["token"] for o in item["options"] if o["id"] in chosen]
        results.append({"key": item["key"], "correct": ok, "chosen": sorted(chosen)})
    score = round(100 * right / n)
    return {
        "seed": seed,
        "drawn": drawn,
        "responses": responses,
        "results": results,
        "score": score,
        "passed": score >= revision.passing_score,
    }


def build_fixtures(app) -> dict:
    """Rows the seeding SQL copies from, computed with the application's own code."""
    from sqlalchemy import select

    from ce_platform.accounts.models import User
    from ce_platform.catalog.models import Course, CourseRevision
    from ce_platform.certificates import services as certificates
    from ce_platform.extensions import db
    from ce_platform.learning import services as learning
    from ce_platform.learning.models import Enrollment

    rng = random.Random(20261121)
    with app.app_context():
        second_revisions(db.session)
        courses = list(db.session.scalars(select(Course).order_by(Course.slug)))
        course_rows, draws, snapshots, evaluations = [], [], [], []
        for k, course in enumerate(courses):
            revisions = list(
                db.session.scalars(
                    select(CourseRevision)
                    .where(CourseRevision.course_id == course.id)
                    .order_by(CourseRevision.number)
                )
            )
            check(len(revisions) == 2, f"{course.slug} has {len(revisions)} revisions")
            course_rows.append((k, course.id, revisions[0].id, revisions[1].id))
            for revision in revisions:
                questions = list(revision.questions)
                for variant in range(DRAW_VARIANTS):
                    seed = f"scale-{revision.id}-{variant}"
                    for outcome in ("pass", "fail"):
                        for pattern in range(PATTERNS):
                            t = attempt_template(revision, questions, seed, outcome, rng)
                            check(t["passed"] == (outcome == "pass"), "template outcome")
                            draws.append((revision.id, variant, outcome, pattern, t))
                probe = Enrollment(
                    revision=revision,
                    course=course,
                    user=User(
                        full_name="Probe",
                        credentials="",
                        profession="other",
                        license_number="",
                        license_state="",
                    ),
                    completed_at=None,
                )
                snapshot, _ = certificates.build_snapshot(
                    probe, "CE-0000-0000-0000-0000", base_url=app.config["BASE_URL"]
                )
                snapshots.append(
                    (
                        revision.id,
                        snapshot["course"],
                        snapshot["provider"],
                        snapshot["accreditations"],
                        snapshot["commensurate_statement"],
                    )
                )
                questions_ev = learning.evaluation_questions(revision)
                for variant in range(3):
                    answers = evaluation_answers(questions_ev)
                    for item in questions_ev:
                        if item["type"] == "rating":
                            answers[item["id"]] = max(item["min"], item["max"] - variant)
                        elif item["type"] == "text":
                            answers[item["id"]] = [
                                "",
                                "Clear and useful.",
                                "More case examples, please.",
                            ][variant]
                    evaluations.append((revision.id, variant, answers))
        db.session.rollback()
    return {
        "courses": course_rows,
        "draws": draws,
        "snapshots": snapshots,
        "evaluations": evaluations,
    }


# --- seeding SQL -------------------------------------------------------------------------------

FIXTURE_TABLES = """
CREATE TABLE scale_courses (k int PRIMARY KEY, course_id int, rev_old int, rev_new int);
CREATE TABLE scale_draws (revision_id int, variant int, outcome text, pattern int, seed text,
    drawn json, responses json, results json, score int, passed bool,
    PRIMARY KEY (revision_id, variant, outcome, pattern));
CREATE TABLE scale_snapshots (revision_id int PRIMARY KEY, course json, provider json,
    accreditations json, commensurate bool);
CREATE TABLE scale_evaluations (revision_id int, variant int, answers json,
    PRIMARY KEY (revision_id, variant));
CREATE TABLE scale_numbers (rn bigint PRIMARY KEY, number text, number_key text);
"""

USERS = """
INSERT INTO users (id, email, password_hash, full_name, credentials, profession, license_number,
                   license_state, role, active, created_at, password_changed_at)
SELECT %(base)s::int + i,
       'learner' || lpad(i::text, 6, '0') || '@scale.example.org',
       %(hash)s,
       (%(first)s::text[])[1 + i %% %(nfirst)s::int] || ' '
           || (%(last)s::text[])[1 + (i / %(nfirst)s::int) %% %(nlast)s::int],
       (%(credentials)s::text[])[1 + i %% 6],
       (%(professions)s::text[])[1 + i %% 6],
       'LIC-' || lpad(i::text, 7, '0'),
       (%(states)s::text[])[1 + i %% %(nstates)s::int],
       'learner', true,
       now() - (i %% 900 + 700) * interval '1 day',
       now() - (i %% 900 + 700) * interval '1 day'
FROM generate_series(%(lo)s::int, %(hi)s::int) AS i
"""

ENROLLMENTS = """
INSERT INTO enrollments (id, user_id, course_id, revision_id, status, enrolled_at, completed_at)
SELECT 3 * (i - 1) + j + 1,
       %(base)s::int + i,
       c.course_id,
       CASE WHEN i %% 2 = 0 THEN c.rev_old ELSE c.rev_new END,
       CASE WHEN j < 2 THEN 'complete' ELSE 'in_progress' END,
       t.enrolled_at,
       CASE WHEN j < 2 THEN t.enrolled_at + ((i + j) %% 20 + 1) * interval '1 day' END
FROM generate_series(%(lo)s::int, %(hi)s::int) AS i
CROSS JOIN generate_series(0, 2) AS j
JOIN scale_courses c ON c.k = (i + j) %% 5
CROSS JOIN LATERAL (
    SELECT now() - ((i * 7 + j * 13) %% 600 + 30) * interval '1 day' AS enrolled_at
) t
"""

RANGE = "e.user_id BETWEEN %(base)s::int + %(lo)s::int AND %(base)s::int + %(hi)s::int"

PROGRESS_COMPLETE = f"""
INSERT INTO lesson_progress (enrollment_id, lesson_id, first_opened_at, completed_at,
                             active_seconds, last_heartbeat_at)
SELECT e.id, l.id,
       e.enrolled_at + l.position * interval '1 hour',
       e.enrolled_at + l.position * interval '1 hour' + interval '40 minutes',
       l.minutes * 60 + e.id %% 300,
       e.enrolled_at + l.position * interval '1 hour' + interval '40 minutes'
FROM enrollments e JOIN lessons l ON l.revision_id = e.revision_id
WHERE {RANGE} AND e.status = 'complete'
"""

PROGRESS_OPEN = f"""
INSERT INTO lesson_progress (enrollment_id, lesson_id, first_opened_at, completed_at,
                             active_seconds, last_heartbeat_at)
SELECT id, lesson_id, opened,
       CASE WHEN (id + position) %% 4 <> 0 THEN opened + interval '40 minutes' END,
       minutes * 45,
       opened + interval '30 minutes'
FROM (
    SELECT e.id, l.id AS lesson_id, l.position, l.minutes,
           e.enrolled_at + l.position * interval '1 hour' AS opened
    FROM enrollments e JOIN lessons l ON l.revision_id = e.revision_id
    WHERE {RANGE} AND e.status = 'in_progress'
      AND l.position < (SELECT max(x.position) FROM lessons x WHERE x.revision_id = e.revision_id)
    ORDER BY l.position, e.id
    LIMIT %(remaining)s::int
) s
"""

ATTEMPTS = f"""
INSERT INTO quiz_attempts (enrollment_id, number, seed, drawn, started_at, submitted_at,
                           responses, results, score, passed)
SELECT e.id, a.number, d.seed, d.drawn,
       e.completed_at - a.back,
       e.completed_at - a.back + interval '25 minutes',
       d.responses, d.results, d.score, d.passed
FROM enrollments e
CROSS JOIN LATERAL (
    SELECT 1 AS number, 'fail' AS outcome, interval '3 days' AS back WHERE e.id %% 2 = 0
    UNION ALL
    SELECT CASE WHEN e.id %% 2 = 0 THEN 2 ELSE 1 END, 'pass', interval '2 hours'
) a
JOIN scale_draws d ON d.revision_id = e.revision_id
                  AND d.variant = (e.id + a.number) %% {DRAW_VARIANTS}
                  AND d.outcome = a.outcome
                  AND d.pattern = (e.id / {DRAW_VARIANTS}) %% {PATTERNS}
WHERE {RANGE} AND e.status = 'complete'
"""

EVALUATIONS = f"""
INSERT INTO evaluations (enrollment_id, answers, attested, submitted_at)
SELECT e.id, v.answers, true, e.completed_at
FROM enrollments e
JOIN scale_evaluations v ON v.revision_id = e.revision_id AND v.variant = e.id %% 3
WHERE {RANGE} AND e.status = 'complete'
"""

CERTIFICATES = f"""
INSERT INTO certificates (number, number_key, enrollment_id, user_id, course_id, revision_id,
                          issued_at, completion_date, ce_hours, snapshot, pdf, sha256, status,
                          revoked_at, revoked_reason)
SELECT n.number, n.number_key, e.id, e.user_id, e.course_id, e.revision_id,
       e.completed_at + interval '5 minutes',
       (e.completed_at AT TIME ZONE 'UTC')::date,
       r.ce_hours,
       json_build_object(
           'number', n.number,
           'issued_at', to_char((e.completed_at + interval '5 minutes') AT TIME ZONE 'UTC',
                                'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00',
           'completion_date', to_char(e.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
           'participant', json_build_object(
               'name', u.full_name,
               'credentials', u.credentials,
               'display_name', u.full_name || ', ' || u.credentials,
               'profession', (%(labels)s::text[])[array_position(%(professions)s::text[],
                                                                 u.profession)],
               'license_number', u.license_number,
               'license_state', u.license_state),
           'course', s.course,
           'provider', s.provider,
           'accreditations', s.accreditations,
           'commensurate_statement', s.commensurate,
           'verification_url', %(base_url)s || '/verify/' || n.number),
       p.pdf,
       encode(sha256(p.pdf), 'hex'),
       CASE WHEN e.id %% 997 = 0 THEN 'revoked' ELSE 'valid' END,
       CASE WHEN e.id %% 997 = 0 THEN e.completed_at + interval '30 days' END,
       CASE WHEN e.id %% 997 = 0 THEN 'issued_in_error' END
FROM (
    SELECT e.*, row_number() OVER (ORDER BY e.id) AS rn
    FROM enrollments e WHERE {RANGE} AND e.status = 'complete'
) e
JOIN scale_numbers n ON n.rn = e.rn
JOIN course_revisions r ON r.id = e.revision_id
JOIN scale_snapshots s ON s.revision_id = e.revision_id
JOIN users u ON u.id = e.user_id
CROSS JOIN LATERAL (
    SELECT convert_to('%%PDF-1.7' || chr(10) || '%%' || n.number || chr(10)
                      || repeat('0 0 0 rg 1 1 1 RG q Q ', 1500) || chr(10) || '%%%%EOF',
                      'UTF8') AS pdf
) p
"""


def conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def load_fixtures(conn, fixtures: dict) -> None:
    from psycopg.types.json import Json

    with conn.cursor() as cur:
        cur.execute(FIXTURE_TABLES)
        cur.executemany("INSERT INTO scale_courses VALUES (%s, %s, %s, %s)", fixtures["courses"])
        cur.executemany(
            "INSERT INTO scale_draws VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    rev,
                    variant,
                    outcome,
                    pattern,
                    t["seed"],
                    Json(t["drawn"]),
                    Json(t["responses"]),
                    Json(t["results"]),
                    t["score"],
                    t["passed"],
                )
                for rev, variant, outcome, pattern, t in fixtures["draws"]
            ],
        )
        cur.executemany(
            "INSERT INTO scale_snapshots VALUES (%s, %s, %s, %s, %s)",
            [(r, Json(c), Json(p), Json(a), m) for r, c, p, a, m in fixtures["snapshots"]],
        )
        cur.executemany(
            "INSERT INTO scale_evaluations VALUES (%s, %s, %s)",
            [(r, v, Json(a)) for r, v, a in fixtures["evaluations"]],
        )
    conn.commit()


def seed(conn, lo: int, hi: int, base_url: str) -> float:
    """Seed learners lo..hi (inclusive) and everything they did; return the seconds it took."""
    from werkzeug.security import generate_password_hash

    from ce_platform.accounts.models import PROFESSIONS as LABELS
    from ce_platform.certificates import numbers

    n = hi - lo + 1
    params = {
        "base": USER_BASE,
        "lo": lo,
        "hi": hi,
        "hash": generate_password_hash(secrets.token_hex(16), method="scrypt"),
        "first": FIRST,
        "last": LAST,
        "nfirst": len(FIRST),
        "nlast": len(LAST),
        "credentials": CREDENTIALS,
        "professions": PROFESSIONS,
        "states": STATES,
        "nstates": len(STATES),
        "labels": [LABELS[p] for p in PROFESSIONS],
        "base_url": base_url,
    }
    started = time.perf_counter()

    def step(label: str, sql: str, extra: dict | None = None) -> int:
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(sql, {**params, **(extra or {})})
            rows = cur.rowcount
        conn.commit()
        say(f"    {label:<34} {rows:>10,} rows  {time.perf_counter() - start:6.1f} s")
        return rows

    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    step("users", USERS)
    step("enrollments", ENROLLMENTS)
    done = step("lesson progress (complete)", PROGRESS_COMPLETE)
    step(
        "lesson progress (in progress)",
        PROGRESS_OPEN,
        {"remaining": max(0, PROGRESS_PER_LEARNER * n - done)},
    )
    step("quiz attempts", ATTEMPTS)
    step("evaluations", EVALUATIONS)
    with conn.cursor() as cur:
        start = time.perf_counter()
        cur.execute(
            f"SELECT count(*) FROM enrollments e WHERE {RANGE} AND e.status = 'complete'", params
        )
        wanted = cur.fetchone()[0]
        cur.execute("TRUNCATE scale_numbers")
        made: set[str] = set()
        while len(made) < wanted:
            made.add(numbers.new_number())
        with cur.copy("COPY scale_numbers (rn, number, number_key) FROM STDIN") as copy:
            for rn, number in enumerate(sorted(made), start=1):
                copy.write_row((rn, number, numbers.normalize(number)))
    conn.commit()
    say(
        f"    {'certificate numbers (Python, COPY)':<34} {wanted:>10,} rows  "
        f"{time.perf_counter() - start:6.1f} s"
    )
    step("certificates (30 KB PDF each)", CERTIFICATES)
    with conn.cursor() as cur:
        for table in ("users", "enrollments"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    conn.commit()
    start = time.perf_counter()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
    finally:
        conn.autocommit = False
    say(f"    {'VACUUM (ANALYZE)':<34} {'':>10}       {time.perf_counter() - start:6.1f} s")
    return time.perf_counter() - started


def table_counts(conn) -> dict[str, int]:
    counts = {}
    with conn.cursor() as cur:
        for table in (
            "users",
            "enrollments",
            "lesson_progress",
            "quiz_attempts",
            "evaluations",
            "certificates",
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT pg_database_size(current_database())")
        counts["database bytes"] = cur.fetchone()[0]
    conn.rollback()
    return counts


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    label: str
    learner_facing: bool
    samples: list[float]
    statements: int
    note: str = ""

    @property
    def p50(self) -> float:
        return ms(percentile(self.samples, 0.50))

    @property
    def p95(self) -> float:
        return ms(percentile(self.samples, 0.95))

    @property
    def worst(self) -> float:
        return ms(max(self.samples))


@dataclass
class Probe:
    name: str
    label: str
    learner_facing: bool
    calls: list[Callable[[], object]]  # one per sampled subject, used in turn
    repeats: int
    budget: float  # seconds; fewer samples if one call is slow
    passes: int = 1


@dataclass
class Captured:
    endpoint: str
    statement: str
    parameters: object


def shape(statement: str) -> str:
    """A statement with its literal lists folded, to EXPLAIN each kind of query once."""
    folded = re.sub(r"\(\s*%\(\w+\)s(?:\s*,\s*%\(\w+\)s)+\s*\)", "(...)", statement)
    return re.sub(r"%\(\w+?\)s", "?", folded)


def measure(app, probes: list[Probe], capture: bool) -> tuple[list[Figure], list[Captured]]:
    """Time each probe through the test client (no app context held, as under a server)."""
    from sqlalchemy import event

    from ce_platform.extensions import db

    with app.app_context():
        engine = db.engine
    figures: list[Figure] = []
    captured: list[Captured] = []
    current: list[str] = [""]
    statements: list[int] = [0]

    def listen(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements[0] += 1
        if capture:
            captured.append(Captured(current[0], statement, parameters))

    counts: dict[str, int] = {}
    for probe in probes:
        if probe.learner_facing:
            for call in probe.calls[:3]:  # warm-up: templates, pools, caches
                call()
        statements[0] = 0
        current[0] = probe.name
        event.listen(engine, "before_cursor_execute", listen)
        try:
            probe.calls[0]()  # also the warm-up of a report
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        counts[probe.name] = statements[0]

    # Passes go round the pages in turn, so a slow spell on the machine (a checkpoint writing
    # out the seed, another process) falls on one pass of every page rather than on every pass
    # of one page; each page keeps its pass with the lowest p95.
    passes: dict[str, list[list[float]]] = {probe.name: [] for probe in probes}
    spent: dict[str, float] = {probe.name: 0.0 for probe in probes}
    for number in range(max(probe.passes for probe in probes)):
        for probe in probes:
            if number >= probe.passes or spent[probe.name] > probe.budget:
                continue
            samples: list[float] = []
            began = time.perf_counter()
            for index in range(probe.repeats):
                call = probe.calls[index % len(probe.calls)]
                start = time.perf_counter()
                call()
                samples.append(time.perf_counter() - start)
                if spent[probe.name] + time.perf_counter() - began > probe.budget:
                    break
            spent[probe.name] += time.perf_counter() - began
            passes[probe.name].append(samples)

    for probe in probes:
        samples = min(passes[probe.name], key=lambda x: percentile(x, 0.95))
        taken = sum(len(x) for x in passes[probe.name])
        note = (
            ""
            if taken == probe.repeats * probe.passes
            else f"{taken} of {probe.repeats * probe.passes} samples within {probe.budget:g} s"
        )
        count = counts[probe.name]
        figures.append(Figure(probe.name, probe.label, probe.learner_facing, samples, count, note))
        say(
            f"    {probe.label:<44} p50 {ms(percentile(samples, 0.5)):8.1f} ms  "
            f"p95 {ms(percentile(samples, 0.95)):8.1f} ms  n={len(samples):<4} SQL {count}"
            + (f"  [{note}]" if note else "")
        )
    return figures, captured


def uncached(app, cache: str, call):
    """`call`, with the app's per-process cache of that name emptied first: the figure of a
    report as its first viewer (or the first after another attempt is submitted) waits for it."""

    def run():
        app.extensions.get("ce_caches", {}).pop(cache, None)
        return call()

    return run


def signed_in(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}.0"  # id.session generation
        session["_fresh"] = True
    return client


def expect(client, path: str, headers: dict | None = None, status: int = 200):
    def call():
        response = client.get(path, headers=headers or {})
        check(response.status_code == status, f"{path}: HTTP {response.status_code}")
        return response

    return call


def probes(app, conn, hi: int, admin_id: int, token: str, slug: str, args) -> list[Probe]:
    """Requests for learners and certificates spread over the whole id range seeded so far."""
    step = max(1, hi // args.subjects)
    learners = [USER_BASE + i for i in range(1 + step // 2, hi + 1, step)][: args.subjects]
    with conn.cursor() as cur:
        cur.execute(
            "SELECT number FROM certificates WHERE user_id = ANY(%s) AND status = 'valid' "
            "ORDER BY user_id",
            (learners,),
        )
        certificate_numbers = [row[0] for row in cur.fetchall()][: args.subjects]
    conn.rollback()
    check(len(certificate_numbers) >= 5, "too few certificates to sample")
    clients = [signed_in(app, user_id) for user_id in learners]
    anonymous = app.test_client()
    admin = signed_in(app, admin_id)
    bearer = {"Authorization": f"Bearer {token}"}
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    out = [
        Probe(
            "dashboard",
            "GET /my-courses (dashboard)",
            True,
            [expect(c, "/my-courses") for c in clients],
            args.samples,
            120,
            args.passes,
        ),
        Probe(
            "transcript",
            "GET /certificates (transcript)",
            True,
            [expect(c, "/certificates") for c in clients],
            args.samples,
            120,
            args.passes,
        ),
        Probe(
            "verify",
            "GET /api/v1/verify/<number>",
            True,
            [expect(anonymous, f"/api/v1/verify/{n}") for n in certificate_numbers],
            args.samples,
            120,
            args.passes,
        ),
    ]
    reports = [
        (
            "/reports/",
            "reports_index",
            "GET /reports/ (courses with counts, HTML)",
            "/reports/",
            {},
            admin,
        ),
        (
            "/api/v1/reports/courses/<slug>/roster",
            "roster",
            "GET roster (JSON API, first page)",
            f"/api/v1/reports/courses/{slug}/roster",
            bearer,
            anonymous,
        ),
        (
            "/reports/courses/<slug>/",
            "roster_page",
            "GET roster (HTML, page 1)",
            f"/reports/courses/{slug}/",
            {},
            admin,
        ),
        (
            "/api/v1/reports/courses/<slug>/item-analysis",
            "item_analysis",
            "GET item analysis (JSON API, first view)",
            f"/api/v1/reports/courses/{slug}/item-analysis",
            bearer,
            anonymous,
        ),
        (
            "/api/v1/reports/courses/<slug>/item-analysis",
            "item_analysis_repeat",
            "GET item analysis (JSON API, repeat view)",
            f"/api/v1/reports/courses/{slug}/item-analysis",
            bearer,
            anonymous,
        ),
    ]
    for rule, name, label, path, headers, client in reports:
        if rule not in routes:
            say(f"    (no route {rule} in this application: not measured)")
            continue
        call = expect(client, path, headers)
        if name == "item_analysis":
            call = uncached(app, "item-analysis", call)
        out.append(Probe(name, label, False, [call], args.report_samples, args.report_budget))
    return out


# --- EXPLAIN -----------------------------------------------------------------------------------


@dataclass
class Plan:
    endpoint: str
    statement: str
    lines: list[str]
    execution_ms: float
    seq_scans: list[str]


def _short(line: str, width: int = 200) -> str:
    """A plan line with long literal arrays folded (a 500-id IN list says nothing)."""
    line = re.sub(
        r"'\{([^}]{40,})\}'", lambda m: "'{" + f"{m.group(1).count(',') + 1} values" + "}'", line
    )
    return line if len(line) <= width else line[: width - 3] + "..."


def explain(app, captured: list[Captured], plan_lines: int) -> list[Plan]:
    """EXPLAIN (ANALYZE, BUFFERS) each distinct SELECT the endpoints issued, with the same
    parameters, in a transaction that is rolled back. A sequential scan is flagged when its
    table holds at least LARGE_ROWS rows."""
    from ce_platform.extensions import db

    seen: set[tuple[str, str]] = set()
    plans = []
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples >= %s",
                (LARGE_ROWS,),
            )
            large = {name for name, _ in cursor.fetchall()}
            raw.rollback()
            for item in captured:
                text = item.statement.strip()
                if not text.upper().startswith("SELECT") or "pg_advisory" in text:
                    continue
                key = (item.endpoint, shape(text))
                if key in seen:
                    continue
                seen.add(key)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, item.parameters)
                lines = [_short(row[0]) for row in cursor.fetchall()]
                raw.rollback()
                execution = next(
                    (
                        float(m.group(1))
                        for line in lines
                        if (m := re.search(r"Execution Time: ([\d.]+)", line))
                    ),
                    0.0,
                )
                scans = []
                for line in lines:
                    m = re.search(
                        r"Seq Scan on (\w+).*?actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", line
                    )
                    if m and m.group(1) in large:
                        scans.append(f"{m.group(1)} ({int(m.group(2)):,} rows out)")
                if len(lines) > plan_lines:
                    lines = [*lines[: plan_lines - 3], "...", *lines[-2:]]
                plans.append(Plan(item.endpoint, " ".join(text.split()), lines, execution, scans))
        finally:
            raw.close()
    return plans


RETRIED = (
    "roster",
    "roster_page",
    "reports_index",
)  # measured again once the candidate indexes exist
# Indexes to try before adding them through a migration. Empty: the one this bench recommended,
# ix_users_full_name (the roster's ORDER BY users.full_name), is now created by the migrations.
# Try another with --candidate-index "CREATE INDEX ..." (repeatable).
CANDIDATE_INDEXES: list[str] = []


@dataclass
class Indexed:
    created: list[tuple[str, float]]
    figures: list[Figure]
    plans: list[Plan]


def try_indexes(app, conn, statements: list[str], retried: list[Probe], plan_lines: int) -> Indexed:
    """Create the candidate indexes, measure the reports again and keep the plans using them."""
    created = []
    say(f"\n[indexes] {len(statements)} candidate index(es)")
    for sql in statements:
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.commit()
        created.append((sql, time.perf_counter() - start))
        say(f"    {sql} ({created[-1][1]:.1f} s)")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
    finally:
        conn.autocommit = False
    names = [m.group(1) for sql in statements if (m := re.search(r"INDEX\s+(\w+)", sql, re.I))]
    figures, captured = measure(app, retried, capture=True)
    plans = [
        p for p in explain(app, captured, plan_lines) if any(n in "\n".join(p.lines) for n in names)
    ]
    return Indexed(created, figures, plans)


# --- report ------------------------------------------------------------------------------------


def report(
    info: dict,
    sizes: list[tuple[int, dict[str, int], float]],
    small: list[Figure],
    full: list[Figure],
    plans: list[Plan],
    indexed: Indexed | None,
    notes: list[str],
) -> tuple[str, list[str]]:
    missed = []
    md = [
        "## Scale on PostgreSQL (`bench/scale.py`)",
        "",
        f"Run on {info['date']}: {info['nproc']} cores ({info['cpu']}), {info['system']}, "
        f"Python {info['python']}, PostgreSQL {info['postgres']} (default settings: "
        f"shared_buffers {info['shared_buffers']}). Requests go through Flask's test client in "
        "process, one at a time, each for another learner or certificate spread over the whole "
        "id range seeded so far. Load average (1/5/15 min) at the end: "
        f"{info['load_end']}.",
        "",
        "| learners | users | enrollments | lesson progress | quiz attempts | evaluations "
        "| certificates | database | seeding |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for learners, counts, seconds in sizes:
        md.append(
            f"| {learners:,} | {counts['users']:,} | {counts['enrollments']:,} | "
            f"{counts['lesson_progress']:,} | {counts['quiz_attempts']:,} | "
            f"{counts['evaluations']:,} | {counts['certificates']:,} | "
            f"{counts['database bytes'] / 2**20:,.0f} MB | {seconds:.0f} s |"
        )
    small_n, full_n = sizes[0][0], sizes[-1][0]
    md += [
        "",
        f"| request | SQL | p50 / p95 at {small_n:,} (ms) | p50 / p95 at {full_n:,} (ms) "
        "| p95 full / small | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    by_name = {f.name: f for f in small}
    for f in full:
        s = by_name.get(f.name)
        if s is None:
            continue
        ratio = f.p95 / s.p95
        target = f"<= {LEARNER_TARGET}" if f.learner_facing else "(report)"
        result = ""
        if f.name == "item_analysis":
            target = f"p50 <= {ITEM_ANALYSIS_TARGET_MS:,} ms at full size"
            result = "met" if f.p50 <= ITEM_ANALYSIS_TARGET_MS else "MISSED"
            if f.p50 > ITEM_ANALYSIS_TARGET_MS:
                missed.append(f"{f.label}: p50 at full size = {f.p50:,.0f} ms")
        if f.learner_facing:
            result = "met" if ratio <= LEARNER_TARGET else "MISSED"
            if ratio > LEARNER_TARGET:
                missed.append(f"{f.label}: p95 full/small = {ratio:.2f}")
        notes_here = "; ".join(x for x in (s.note, f.note) if x)
        md.append(
            f"| {f.label}{f' ({notes_here})' if notes_here else ''} | {f.statements} | "
            f"{s.p50:,.1f} / {s.p95:,.1f} | {f.p50:,.1f} / {f.p95:,.1f} | {ratio:.2f} | "
            f"{target} | {result} |"
        )
    md.append("")
    flagged = [p for p in plans if p.seq_scans]
    md.append(
        f"EXPLAIN (ANALYZE, BUFFERS) at {full_n:,} learners: {len(plans)} distinct queries; "
        + (
            "sequential scans of large tables in: "
            + "; ".join(f"{p.endpoint}: {', '.join(p.seq_scans)}" for p in flagged)
            if flagged
            else "every one reads the large tables through an index"
        )
        + ". The plans:"
    )
    md.append("")
    for p in plans:
        md += [
            f"`{p.endpoint}` ({p.execution_ms:.2f} ms): `{p.statement[:160]}"
            f"{'...' if len(p.statement) > 160 else ''}`",
            "",
            "```",
            *p.lines,
            "```",
            "",
        ]
    if indexed:
        before = {f.name: f for f in full}
        md += [
            "### With the candidate indexes",
            "",
            "Created at full size, then the reports were measured again:",
            "",
            *[f"- `{sql}` ({seconds:.1f} s)" for sql, seconds in indexed.created],
            "",
            "| request | p50 / p95 without (ms) | p50 / p95 with (ms) |",
            "| --- | ---: | ---: |",
        ]
        for f in indexed.figures:
            b = before[f.name]
            md.append(f"| {f.label} | {b.p50:,.1f} / {b.p95:,.1f} | {f.p50:,.1f} / {f.p95:,.1f} |")
        md += ["", "The plans that use them:", ""]
        for p in indexed.plans:
            md += [f"`{p.endpoint}` ({p.execution_ms:.2f} ms):", "", "```", *p.lines, "```", ""]
        if not indexed.plans:
            md += ["(no plan uses them)", ""]
    if notes:
        md += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    md.append(
        "**Targets MISSED:** " + "; ".join(missed) + "."
        if missed
        else "**Targets met** (p95 full/small <= 1.5 for the dashboard, the transcript and "
        f"verification; item analysis first view p50 <= {ITEM_ANALYSIS_TARGET_MS:,} ms)."
    )
    return "\n".join(md).rstrip() + "\n", missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000, help="full size (100,000)")
    parser.add_argument("--small", type=int, default=None, help="first size (a tenth)")
    parser.add_argument("--samples", type=int, default=100, help="requests per page (100)")
    parser.add_argument("--subjects", type=int, default=40, help="learners sampled (40)")
    parser.add_argument(
        "--passes", type=int, default=3, help="passes per page; the lowest p95 is kept (3)"
    )
    parser.add_argument("--report-samples", type=int, default=3, help="report requests (3)")
    parser.add_argument(
        "--report-budget", type=float, default=30, help="seconds per report figure (30)"
    )
    parser.add_argument("--plan-lines", type=int, default=40, help="lines per plan (40)")
    parser.add_argument(
        "--candidate-index",
        action="append",
        default=None,
        help="an index to try at full size (repeatable; default: CANDIDATE_INDEXES, now empty)",
    )
    parser.add_argument(
        "--no-candidates", action="store_true", help="try no candidate index at all"
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/results.md")
    args = parser.parse_args(argv)
    small_n = args.small or max(1, args.learners // 10)
    if args.no_candidates:
        args.candidate_index = []
    elif args.candidate_index is None:
        args.candidate_index = list(CANDIDATE_INDEXES)
    if args.learners < 100 or not 0 < small_n < args.learners:
        parser.error("--learners must be at least 100 and --small between 1 and --learners")

    import psycopg

    clean_up_on_sigterm()
    started = time.perf_counter()
    info = machine()
    notes = [
        "The rate limit of the verification endpoint (30 a minute per address) is switched off "
        "in the in-process application (RATELIMIT_ENABLED = False): the bench sends hundreds of "
        "look-ups from one address.",
        "The dummy PDFs are compressible, so PostgreSQL's TOAST keeps them small on disk; real "
        "ones are not. No hot query reads the `pdf` column (it is deferred).",
        f"Attempts reuse a set of seeds per revision ({DRAW_VARIANTS} draws x {PATTERNS} answer "
        "patterns x pass/fail), each drawn with the application's draw(), so drawn, responses "
        "and results have the real shape and size.",
    ]
    secret = secrets.token_hex(32)
    try:
        with postgres_database("scale") as url:
            info["postgres"] = postgres_version(url)
            say(f"PostgreSQL {info['postgres']}; {args.learners:,} learners ({small_n:,} first)")
            env = server_env(url, secret)
            start = time.perf_counter()
            flask_cli(env, "db", "upgrade")
            flask_cli(env, "courses", "sync", "courses/")
            app = make_app(url, secret)
            fixtures = build_fixtures(app)
            from sqlalchemy import text

            from ce_platform.accounts import services as accounts
            from ce_platform.extensions import db

            with app.app_context():
                admin = accounts.register_user(
                    db.session,
                    email="admin@scale.example.org",
                    password="scale correct horse battery",
                    full_name="Avery Admin",
                    role="admin",
                    settings=accounts.Settings(
                        password_min_length=12, hash_method="pbkdf2:sha256:1000"
                    ),
                )
                token, _ = accounts.issue_api_token(db.session, admin, timedelta(hours=6))
                admin_id = admin.id
                db.session.commit()
                slug = db.session.execute(
                    text("SELECT slug FROM courses ORDER BY slug LIMIT 1")
                ).scalar_one()
            say(
                f"migrated, synced courses/, published revision 2 of each, computed "
                f"{len(fixtures['draws'])} attempt templates in {time.perf_counter() - start:.1f} s"
            )
            sizes = []
            with psycopg.connect(conninfo(url)) as conn:
                info["shared_buffers"] = conn.execute("SHOW shared_buffers").fetchone()[0]
                load_fixtures(conn, fixtures)
                say(f"\n[small] seeding learners 1..{small_n:,}")
                took = seed(conn, 1, small_n, app.config["BASE_URL"])
                counts = table_counts(conn)
                sizes.append((small_n, counts, took))
                say(f"  seeded in {took:.1f} s: {counts}")
                say(f"[small] measuring (roster and item analysis of {slug})")
                small, _ = measure(
                    app, probes(app, conn, small_n, admin_id, token, slug, args), capture=False
                )

                say(f"\n[full] seeding learners {small_n + 1:,}..{args.learners:,}")
                took = seed(conn, small_n + 1, args.learners, app.config["BASE_URL"])
                counts = table_counts(conn)
                sizes.append((args.learners, counts, took))
                say(f"  seeded in {took:.1f} s: {counts}")
                say("[full] measuring")
                full, captured = measure(
                    app, probes(app, conn, args.learners, admin_id, token, slug, args), capture=True
                )
                say(f"\nEXPLAIN (ANALYZE, BUFFERS) of {len(captured)} captured statements")
                plans = explain(app, captured, args.plan_lines)
                indexed = None
                if args.candidate_index:
                    indexed = try_indexes(
                        app,
                        conn,
                        args.candidate_index,
                        [
                            p
                            for p in probes(app, conn, args.learners, admin_id, token, slug, args)
                            if p.name in RETRIED
                        ],
                        args.plan_lines,
                    )
            with app.app_context():
                db.engine.dispose()
    except PostgresUnavailable as exc:
        print(f"FAIL: PostgreSQL is needed for this benchmark: {exc}", file=sys.stderr)
        return 1
    except BenchFailure as exc:
        print(f"FAIL: {exc}", file=sys.stderr, flush=True)
        return 1
    info["load_end"] = load_average()
    section, _missed = report(info, sizes, small, full, plans, indexed, notes)
    say("\n" + section)
    if not args.no_write:
        write_section("scale.py", section)
        say("written to bench/results.md")
    say(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
