"""Benchmark `flask courses sync`: a full import versus a no-op re-sync of unchanged folders.

Run from the repository root:

    python bench/sync.py                       # 50 generated courses x 10 lessons
    python bench/sync.py --courses 20 --lessons 5

Scenario A syncs the shipped courses/ folder; scenario B syncs a generated corpus of realistic
size. Each sync runs the way the CLI does it: load provider.yml, then publish_course() and a
commit per course folder. Every database is a fresh SQLite file in a temporary directory, built
with the real migrations; nothing is left behind. Absolute times depend on the machine; compare
the ratios, which are taken in the same run. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from flask_migrate import upgrade  # noqa: E402

from ce_platform import content, create_app  # noqa: E402
from ce_platform.catalog import services  # noqa: E402
from ce_platform.extensions import db  # noqa: E402

SHIPPED = REPO / "courses"
REPEATS = 3
QUESTIONS_PER_ATTEMPT = 10


def say(message: str) -> None:
    print(message, flush=True)


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# --- database and sync -------------------------------------------------------------------------


@contextmanager
def fresh_app() -> Iterator[object]:
    """An app on a new, migrated SQLite file in a temporary directory (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="ce-bench-db-") as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "TESTING": True,
            }
        )
        with app.app_context():
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


def course_folders(root: Path) -> list[Path]:
    """The folders `flask courses sync` walks, in its order."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def sync(root: Path) -> tuple[float, dict[str, str]]:
    """Sync a courses root as the CLI does; return (seconds, slug -> status)."""
    db.session.remove()  # start like a new CLI process: an empty identity map
    statuses: dict[str, str] = {}
    start = time.perf_counter()
    provider, provider_diags = content.load_provider(root / services.PROVIDER_FILE)
    if provider is None or content.has_errors(provider_diags):
        fail(f"{root / services.PROVIDER_FILE}: " + "; ".join(map(str, provider_diags)))
    for folder in course_folders(root):
        outcome = services.publish_course(
            db.session, folder.name, content.read_course_folder(folder), provider
        )
        if outcome.status == "rejected":
            db.session.rollback()
        else:
            db.session.commit()
        statuses[folder.name] = outcome.status
    elapsed = time.perf_counter() - start
    db.session.remove()
    return elapsed, statuses


def expect(statuses: dict[str, str], wanted: str, what: str) -> None:
    """Fail loudly unless every course reported the wanted status."""
    wrong = {slug: status for slug, status in statuses.items() if status != wanted}
    if not statuses or wrong:
        counts = dict(Counter(statuses.values()))
        fail(f"{what}: expected every course '{wanted}', got {counts}; first: {list(wrong)[:5]}")


@dataclass
class Result:
    scenario: str
    courses: int
    lessons: int
    full: list[float] = field(default_factory=list)
    no_op: list[float] = field(default_factory=list)


def lesson_count(root: Path) -> int:
    return sum(
        1
        for folder in course_folders(root)
        for name in content.read_course_folder(folder)
        if "/" not in name and name.endswith(".md") and name not in ("course.md", "quiz.md")
    )


# --- scenario A: the shipped courses -----------------------------------------------------------


def scenario_shipped() -> Result:
    folders = course_folders(SHIPPED)
    result = Result("A shipped courses/", len(folders), lesson_count(SHIPPED))
    say(
        f"[A] {result.courses} shipped courses, {result.lessons} lessons; {REPEATS} fresh databases"
    )
    for run in range(1, REPEATS + 1):
        with fresh_app():
            full, statuses = sync(SHIPPED)
            expect(statuses, "created", f"[A] run {run} full sync")
            no_op, statuses = sync(SHIPPED)
            expect(statuses, "unchanged", f"[A] run {run} re-sync")
            result.full.append(full)
            result.no_op.append(no_op)
            say(f"[A] run {run}: full {full:.3f} s, no-op re-sync {no_op:.3f} s")
    return result


# --- scenario B: a generated corpus ------------------------------------------------------------

WORDS = """
client clinician session assessment integration preparation dosage setting support consent
safety screening history medication interaction risk benefit evidence trial outcome measure
response remission relapse follow-up referral boundary supervision documentation record
practice protocol guideline standard review policy training competence scope license state
federal program access equity culture community family experience memory emotion anxiety
depression trauma insight meaning change process plan goal value belief attention breathing
music environment room facilitator team nurse psychologist counselor worker physician patient
participant study sample effect size placebo blinding expectancy bias limitation follow
careful clear brief early late acute gradual stable common rare serious mild moderate severe
private shared written verbal informed voluntary ongoing structured reliable valid useful
describe explain identify compare assess monitor discuss document revisit adjust refer plan
""".split()  # noqa: SIM905
TOPICS = [
    "screening", "consent", "integration", "pharmacology", "ethics", "harm reduction",
    "documentation", "supervision", "cultural humility", "trauma-informed care",
]  # fmt: skip
ADMONITIONS = ["note", "tip", "warning", "important", "info"]
CATEGORIES = ["clinical", "ethics", "cultural"]
LEVELS = ["introductory", "intermediate", "advanced"]

GENERATED_PROVIDER = """\
# Generated by bench/sync.py; fictitious.
name: Bench Institute of Continuing Education
address: 1 Benchmark Way, Salem, OR 97301
signer: {name: "Pat Signer, PhD", title: CE Program Director}
accreditations:
  apa:
    body: American Psychological Association
    provider_number: null
    statement: >-
      {provider} is approved by the American Psychological Association to sponsor continuing
      education for psychologists. {provider} maintains responsibility for this program.
  ace:
    body: ASWB Approved Continuing Education (ACE)
    provider_number: "1234"
    approval_period: {start: 2026-01-01, end: 2028-12-31}
    formats: [asynchronous]
    statement: >-
      {provider}, provider #{provider_number}, is approved as an ACE provider. ACE provider
      approval period: {approval_start} - {approval_end}. Social workers completing this course
      receive {credits} {unit}.
"""


class Writer:
    """Deterministic pseudo-prose for one course."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, low: int, high: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]

    def sentence(self, low: int = 8, high: int = 20, *, plain: bool = False) -> str:
        words = self.words(low, high)
        words[0] = words[0][0].upper() + words[0][1:]
        if plain:
            return " ".join(words) + "."
        if len(words) > 6 and self.rng.random() < 0.25:
            i = self.rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        if len(words) > 6 and self.rng.random() < 0.15:
            i = self.rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        return " ".join(words) + "."

    def paragraph(self, sentences: tuple[int, int] = (3, 6)) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    def title(self, low: int = 2, high: int = 5) -> str:
        text = " ".join(self.words(low, high))
        return text[0].upper() + text[1:]


def lesson_body(w: Writer, number: int, target_words: int) -> str:
    """One lesson: headings, a table, an admonition, a list, a footnote; about target words."""
    kind = w.rng.choice(ADMONITIONS)
    rows = "\n".join(
        f"| {w.title(1, 3)} | {w.sentence(5, 10)} | {w.sentence(4, 8)} |" for _ in range(4)
    )
    head = f"""\
## {w.title()}

{w.paragraph()}

{w.paragraph()}[^1]

| Aspect | What to do | Why it matters |
| --- | --- | --- |
{rows}

!!! {kind} "{w.title(2, 4)}"
    {w.paragraph((2, 3))}

### {w.title()}

{w.paragraph()}

- {w.sentence(5, 12)}
- {w.sentence(5, 12)}
- {w.sentence(5, 12)}
- {w.sentence(5, 12)}

## {w.title()}
"""
    tail = f"""
[^1]: Author A, Author B. {w.title(4, 8)}. *J Bench Stud*. 20{10 + number % 15}; \
{number}:{100 + number}-{110 + number}.
"""
    paragraphs: list[str] = []
    while content.count_words(head + "\n".join(paragraphs) + tail) < target_words:
        paragraphs.append("\n" + w.paragraph() + "\n")
    return head + "".join(paragraphs) + tail


def question(w: Writer, qid: str, multiple: bool) -> str:
    prompt = w.sentence(15, 30)[:-1] + "?" + (" Select all that apply." if multiple else "")
    correct = {0, 2} if multiple else {w.rng.randrange(4)}
    lines = [f"## {qid}", prompt, ""]
    for index in range(4):
        lines.append(f"- [{'x' if index in correct else ' '}] {w.sentence(5, 14)}")
        if index not in correct:
            lines.append(f"  > {w.sentence(8, 16)}")
    lines += ["", f"> {w.paragraph((2, 3))}", ""]
    return "\n".join(lines)


def generated_course(index: int, lessons: int, today: date) -> dict[str, bytes]:
    """One valid course folder; ce_hours is computed from the generated word count."""
    w = Writer(index)
    topic = TOPICS[index % len(TOPICS)]
    files: dict[str, str] = {}
    overview = f"""\
## Overview

{w.paragraph()}

{w.paragraph()}

### Who this course is for

{w.paragraph((2, 4))}
"""
    word_count = content.count_words(overview)
    for number in range(1, lessons + 1):
        body = lesson_body(w, number, w.rng.randint(620, 840))
        word_count += content.count_words(body)
        title = w.title(3, 6)
        files[f"{number:02d}-part-{number}-{w.rng.choice(WORDS)}.md"] = (
            f"---\ntitle: {title}\n---\n{body}"
        )

    ce_hours = content.estimate_hours(word_count, QUESTIONS_PER_ATTEMPT)
    pool = max(8, math.ceil(6 * ce_hours), QUESTIONS_PER_ATTEMPT) + 2
    second = Decimal("0.25") if ce_hours >= Decimal("0.5") else Decimal(0)
    credits = {"general": ce_hours - second}
    if second:
        credits[CATEGORIES[index % len(CATEGORIES)]] = second
    credit_lines = "\n".join(f"  {k}: {content.format_hours(v)}" for k, v in credits.items())
    released = today - timedelta(days=30 + index)
    review_by = released + timedelta(days=2 * 365)  # well inside 3 years, after today
    objectives = "\n".join(f"  - {w.sentence(8, 14, plain=True)}" for _ in range(3))
    files["course.md"] = f"""\
---
title: Bench course {index:03d} on {topic}
summary: {w.sentence(12, 24, plain=True)}
level: {LEVELS[index % len(LEVELS)]}
format: asynchronous
ce_hours: {content.format_hours(ce_hours)}
credits:
{credit_lines}
accreditations: [apa, ace]
objectives:
{objectives}
authors:
  - {{name: Jamie Author, credentials: PhD, disclosure: No relevant financial relationships.}}
  - {{name: Sam Writer, credentials: LCSW, disclosure: No relevant financial relationships.}}
instructors: [instructor@example.org]
released: {released.isoformat()}
review_by: {review_by.isoformat()}
evolving: {"true" if index % 2 else "false"}
commercial_support: No commercial support was received for this course.
---
{overview}"""
    quiz = [
        "---",
        "passing_score: 75",
        "max_attempts: 3",
        f"questions_per_attempt: {QUESTIONS_PER_ATTEMPT}",
        "shuffle: true",
        "reveal: after_pass",
        "---",
        "",
    ]
    for n in range(1, pool + 1):
        quiz.append(question(w, f"q{n:02d}-{w.rng.choice(WORDS)}", multiple=n % 4 == 0))
    files["quiz.md"] = "\n".join(quiz)
    return {name: text.encode() for name, text in files.items()}


def write_corpus(root: Path, courses: int, lessons: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / services.PROVIDER_FILE).write_text(GENERATED_PROVIDER, encoding="utf-8")
    today = date.today()
    for index in range(1, courses + 1):
        content.write_course_folder(
            root / f"bench-course-{index:03d}", generated_course(index, lessons, today)
        )


def validate_corpus(root: Path) -> None:
    """Every generated course must parse with no errors (what `flask courses validate` does)."""
    start = time.perf_counter()
    provider, results, provider_diags = content.load_courses(root)
    elapsed = time.perf_counter() - start
    everything = list(provider_diags)
    for _slug, _source, diagnostics in results:
        everything.extend(diagnostics)
    errors = [d for d in everything if d.severity == content.ERROR]
    warnings = [d for d in everything if d.severity != content.ERROR]
    rejected = [slug for slug, source, _ in results if source is None]
    say(
        f"[B] validated {len(results)} courses in {elapsed:.2f} s: "
        f"{len(errors)} error(s), {len(warnings)} warning(s)"
    )
    for diagnostic in warnings[:5]:
        say(f"    warning: {diagnostic}")
    if provider is None or errors or rejected:
        for diagnostic in errors[:10]:
            print(f"    {diagnostic}", file=sys.stderr)
        fail(f"the generated corpus does not validate ({len(rejected)} course(s) rejected)")


def scenario_generated(courses: int, lessons: int) -> Result:
    result = Result("B generated", courses, courses * lessons)
    with tempfile.TemporaryDirectory(prefix="ce-bench-courses-") as tmp:
        root = Path(tmp) / "courses"
        start = time.perf_counter()
        write_corpus(root, courses, lessons)
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        say(
            f"[B] wrote {courses} courses x {lessons} lessons ({size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - start:.2f} s"
        )
        validate_corpus(root)
        with fresh_app():
            full, statuses = sync(root)
            expect(statuses, "created", "[B] full sync")
            result.full.append(full)
            say(f"[B] full sync {full:.2f} s")
            for run in range(1, REPEATS + 1):
                no_op, statuses = sync(root)
                expect(statuses, "unchanged", f"[B] re-sync {run}")
                result.no_op.append(no_op)
                say(f"[B] no-op re-sync {run}: {no_op:.2f} s")
    return result


# --- report ------------------------------------------------------------------------------------


def report(results: list[Result]) -> None:
    header = (
        f"{'scenario':<20} {'courses':>7} {'lessons':>7} {'full s':>8} {'no-op s':>8} "
        f"{'full/no-op':>10} {'no-op ms/course':>15} {'no-op % of full':>15}"
    )
    say("")
    say(f"median of {REPEATS} runs (scenario B's full sync: 1 run)")
    say(header)
    say("-" * len(header))
    for r in results:
        full = statistics.median(r.full)
        no_op = statistics.median(r.no_op)
        say(
            f"{r.scenario:<20} {r.courses:>7} {r.lessons:>7} {full:>8.3f} {no_op:>8.3f} "
            f"{full / no_op:>10.2f} {1000 * no_op / r.courses:>15.1f} {100 * no_op / full:>14.0f}%"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=50, help="generated courses (default 50)")
    parser.add_argument("--lessons", type=int, default=10, help="lessons per course (default 10)")
    args = parser.parse_args(argv)
    if args.courses < 1 or args.lessons < 1:
        parser.error("--courses and --lessons must be at least 1")
    started = time.perf_counter()
    results = [scenario_shipped(), scenario_generated(args.courses, args.lessons)]
    report(results)
    say(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
