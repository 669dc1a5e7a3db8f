"""Hypothesis against the two parsers of untrusted input: course folders and answer sheets.

The course parser never raises: any file mapping gives diagnostics (and no F999, its own
"internal error" fallback). The grader never accepts an answer that is not in the attempt: every
malformed sheet is a ValidationError that leaves the attempt open, and every accepted sheet is
graded from the attempt's own option tokens.

Runs are reproducible (derandomized, no example database in the repository).
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ce_platform.catalog.models import Question
from ce_platform.content import CODES, Diagnostic, has_errors, parse_course
from ce_platform.core.errors import ValidationError
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.learning.conftest import finish_lessons, start

TODAY = date(2026, 6, 1)
SLUG = "fuzzed-course"

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # no .hypothesis example database in the repository
    derandomize=True,  # the same examples on every run, so CI is reproducible
    # Course files are large by design (a whole course is one example).
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the course parser ---------------------------------------------------------------------

PATHS = [
    "course.md", "quiz.md", "01-intro.md", "02-second-lesson.md", "10-x.md", "1-a.md",
    "01-intro.MD", "01_intro.md", "01-Intro.md", "00-.md", "-01-a.md", "01-a.md.bak",
    "media/figure.png", "media/diagram.svg", "media/sub/photo.jpg", "media/x.exe", "media/",
    "media/.hidden.png", "notes.txt", "README.md", "provider.yml", ".DS_Store",
    "../escape.md", "/etc/passwd", "media/../course.md", "a\\b.md", "course.md/", "",
    "Course.md", "quiz.md ", "\u00e9-lesson.md", "01-\u0430.md",
]  # fmt: skip

FRAGMENTS = [
    "---\n", "---", "...\n", "title: X\n", "title:\n", "title: [a, b]\n", "ce_hours: 0.3\n",
    "ce_hours: -1\n", "ce_hours: .inf\n", "credits: {general: 1}\n", "credits: [general]\n",
    "objectives: []\n", "authors: [{name: A}]\n", "accreditations: [apa, apa, nope]\n",
    "released: 2026-13-45\n", "review_by: yesterday\n", "passing_score: 101\n",
    "max_attempts: -3\n", "questions_per_attempt: 0\n", "shuffle: maybe\n", "reveal: never\n",
    "min_minutes: 1e9\n", "minutes: []\n", "&a x\n", "*a\n", "<<: *a\n", "? [k]\n: v\n",
    "!!python/object/apply:os.system [ls]\n", "key: !!binary aGk=\n", "\t- tab\n",
    "## q1\n", "## Q 1\n", "## q1\n## q1\n", "##\n", "- [x] Right\n", "- [ ] Wrong\n",
    "- [X] Upper\n", "- [x]\n", "- [ ]\n", "  > feedback\n", "> explanation\n", "> \n",
    "1. numbered\n", "* star\n", "```\n", "~~~\n", "<script>alert(1)</script>\n",
    "<svg onload=alert(1)>\n", "[link](javascript:alert(1))\n", "![img](media/figure.png)\n",
    "![img](media/missing.png)\n", "![img](../../etc/passwd)\n", "[^1]\n", "[^1]: note\n",
    "| a | b |\n|---|---|\n", "<!-- comment\n", "\ufeff", "\r\n", "\x00", "\u202e", "\n\n",
]  # fmt: skip

texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join),
)
contents = st.one_of(texts, texts.map(str.encode), st.binary(max_size=300))
paths = st.one_of(
    st.sampled_from(PATHS),
    st.from_regex(r"\A[0-9]{1,3}-[a-z0-9-]{0,12}\.md\Z"),
    st.from_regex(r"\Amedia/[a-z0-9._-]{1,12}\Z"),
    st.text(max_size=30),
)
mappings = st.dictionaries(paths, contents, max_size=8)


def _encode(lines: list[str]) -> bytes:
    return "\n".join(lines).encode(errors="surrogateescape")


@st.composite
def mutated_courses(draw) -> dict[str, bytes | str]:
    """A valid course from the factories, then lines deleted, inserted, swapped or cut."""
    files: dict[str, bytes] = dict(
        factories.course_files(
            lessons=draw(st.integers(1, 3)),
            questions=draw(st.integers(1, 6)),
            multiple=draw(st.integers(0, 2)),
        )
    )
    for _ in range(draw(st.integers(1, 8))):
        path = draw(st.sampled_from(sorted(files)))
        # surrogateescape keeps bytes an earlier mutation made invalid, byte for byte.
        lines = files[path].decode(errors="surrogateescape").split("\n")
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "insert", "replace", "swap", "cut", "bytes"]))
        if operation == "delete":
            del lines[at]
        elif operation == "insert":
            lines.insert(at, draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40))))
        elif operation == "replace":
            lines[at] = draw(st.sampled_from(FRAGMENTS)).rstrip("\n")
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "cut":
            lines = lines[:at]
        if operation == "bytes":
            files[path] = _encode(lines) + draw(st.binary(min_size=1, max_size=20))
        else:
            files[path] = _encode(lines)
    if draw(st.booleans()):
        extra = draw(mappings)
        files.update(extra)
    if draw(st.integers(0, 9)) == 0:
        files.pop(draw(st.sampled_from(sorted(files))), None)
    return files


def _assert_diagnostics_not_exceptions(course, diagnostics) -> None:
    assert isinstance(diagnostics, list)
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.code in CODES and diagnostic.severity == CODES[diagnostic.code][0]
        assert isinstance(diagnostic.path, str) and diagnostic.line >= 1
    internal = [str(d) for d in diagnostics if d.code == "F999"]
    assert not internal, internal  # the parser's catch-all: a bug it swallowed
    if course is None:
        assert has_errors(diagnostics)
    else:
        assert not has_errors(diagnostics)


@FUZZ
@given(files=mappings, with_provider=st.booleans())
def test_parser_turns_any_file_mapping_into_diagnostics(files, with_provider):
    provider = factories.provider() if with_provider else None

    course, diagnostics = parse_course(SLUG, files, provider=provider, today=TODAY)

    _assert_diagnostics_not_exceptions(course, diagnostics)


@settings(FUZZ, max_examples=200)
@given(files=mutated_courses())
def test_parser_turns_any_mutation_of_a_valid_course_into_diagnostics(files):
    course, diagnostics = parse_course(SLUG, files, provider=factories.provider(), today=TODAY)

    _assert_diagnostics_not_exceptions(course, diagnostics)


def test_unmutated_factory_course_parses_cleanly():
    # The mutations start from a course the parser accepts, or they would prove little.
    course, diagnostics = parse_course(
        SLUG, factories.course_files(), provider=factories.provider(), today=TODAY
    )
    assert course is not None, [str(d) for d in diagnostics]


# --- the quiz grader -----------------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


SHAPES = [
    "right", "missing", "extra", "duplicate", "foreign token", "forged token", "empty",
    "two options", "not a list", "not a string", "wild", "junk",
]  # fmt: skip


def _sheets(drawn: list[dict], kinds: dict[str, str]) -> st.SearchStrategy:
    """Answer sheets for one attempt: right-shaped ones, ones broken in one place, wild ones."""
    keys = [item["key"] for item in drawn]
    own = {item["key"]: [o["token"] for o in item["options"]] for item in drawn}
    every_token = sorted({t for tokens in own.values() for t in tokens})
    token_like = st.one_of(
        st.sampled_from(every_token),  # a real token, maybe of another question
        st.sampled_from(every_token).map(str.upper),
        st.sampled_from(every_token).map(lambda t: t[:-1]),
        st.sampled_from(every_token).map(lambda t: f" {t}"),
        st.from_regex(r"\A[0-9a-f]{12}\Z"),
        st.text(max_size=14),
    )
    other_keys = st.one_of(
        st.sampled_from(keys).map(str.upper),
        st.sampled_from(keys).map(lambda k: k + " "),
        st.text(max_size=10),
        st.integers(),
        st.none(),
        st.tuples(st.sampled_from(keys)),
    )

    def well_formed(key: str) -> st.SearchStrategy:
        if kinds[key] == "single":
            return st.lists(st.sampled_from(own[key]), min_size=1, max_size=1)
        return st.lists(st.sampled_from(own[key]), min_size=1, unique=True)

    def anything_for(key: str) -> st.SearchStrategy:
        mine = st.sampled_from(own[key])
        return st.one_of(
            st.lists(mine, max_size=4),  # empty, duplicates, too many for a single choice
            st.lists(st.one_of(mine, token_like), max_size=4),
            st.lists(st.one_of(mine, JUNK), min_size=1, max_size=3),
            mine,  # a bare token, not in a list
            st.tuples(mine),
            st.frozensets(mine, max_size=2),
            JUNK,
        )

    @st.composite
    def sheets(draw):
        shape = draw(st.sampled_from(SHAPES))
        if shape == "junk":
            return draw(st.one_of(JUNK, st.lists(st.sampled_from(every_token), max_size=3)))
        if shape == "wild":
            return {key: draw(anything_for(key)) for key in keys}
        sheet = {key: draw(well_formed(key)) for key in keys}
        key = draw(st.sampled_from(keys))
        mine, chosen = own[key], sheet[key]
        if shape == "missing":
            del sheet[key]
        elif shape == "extra":
            sheet[draw(other_keys)] = draw(well_formed(key))
        elif shape == "duplicate":
            sheet[key] = [*chosen, draw(st.sampled_from(chosen))]
        elif shape == "foreign token":
            foreign = draw(st.sampled_from([t for t in every_token if t not in mine]))
            sheet[key] = draw(st.permutations([*chosen[:-1], foreign]))
        elif shape == "forged token":
            forged = draw(token_like.filter(lambda t: t not in every_token))
            sheet[key] = [*chosen, forged]
        elif shape == "empty":
            sheet[key] = []
        elif shape == "two options":
            sheet[key] = draw(st.lists(st.sampled_from(mine), min_size=2, max_size=2, unique=True))
        elif shape == "not a list":
            sheet[key] = draw(st.one_of(st.sampled_from(mine), st.tuples(*map(st.just, chosen)),
                                        st.just(frozenset(chosen)), JUNK))  # fmt: skip
        elif shape == "not a string":
            sheet[key] = [*chosen, draw(JUNK.filter(lambda v: not isinstance(v, str)))]
        return sheet

    return sheets()


def _expected(drawn: list[dict], kinds: dict[str, str], sheet) -> bool:
    """Whether a sheet is a complete, well-formed answer to exactly this attempt."""
    if not isinstance(sheet, dict) or set(sheet) != {item["key"] for item in drawn}:
        return False
    for item in drawn:
        chosen = sheet[item["key"]]
        tokens = {o["token"] for o in item["options"]}
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            return False
        if not chosen or not set(chosen) <= tokens or len(set(chosen)) != len(chosen):
            return False
        if kinds[item["key"]] == "single" and len(chosen) != 1:
            return False
    return True


def _score(drawn: list[dict], sheet: dict) -> int:
    """The grade recomputed from the answer key in the database."""
    correct = 0
    for item in drawn:
        question = db.session.get(Question, item["question_id"])
        key = {o["id"] for o in question.options if o["correct"]}
        by_token = {o["token"]: o["id"] for o in item["options"]}
        correct += {by_token[t] for t in sheet[item["key"]]} == key
    return round(100 * correct / len(drawn))


def _submitted_at(attempt_id: int):
    return db.session.scalar(select(QuizAttempt.submitted_at).where(QuizAttempt.id == attempt_id))


def test_grader_accepts_only_sheets_made_of_the_attempts_own_tokens(api, monkeypatch):
    # The attempt is built here rather than in fixtures: hypothesis runs many examples per
    # test call, and one real attempt serves them all, each example in a savepoint rolled back.
    factories.user("learner@example.org")
    factories.course("test-course", questions=4, multiple=2, shuffle=True)
    factories.seed_drawing(monkeypatch, "test-course", "q1", "multi-1")  # both kinds drawn
    api.login()
    assert api.post("/api/v1/courses/test-course/enrollment").status_code == 201
    finish_lessons(api)
    attempt_id = start(api)["id"]
    attempt = db.session.get(QuizAttempt, attempt_id)
    drawn = attempt.drawn
    kinds = {item["key"]: db.session.get(Question, item["question_id"]).kind for item in drawn}
    assert set(kinds.values()) == {"single", "multiple"}
    every_token = {o["token"] for item in drawn for o in item["options"]}
    seen = {"accepted": 0, "refused": 0}

    @settings(FUZZ, max_examples=200)
    @given(sheet=_sheets(drawn, kinds))
    def check(sheet) -> None:
        savepoint = db.session.begin_nested()
        try:
            try:
                grade = services.submit_attempt(db.session, attempt, sheet)
            except ValidationError:
                assert not _expected(drawn, kinds, sheet), sheet
                assert _submitted_at(attempt_id) is None
                seen["refused"] += 1
                return
            assert _expected(drawn, kinds, sheet), sheet
            assert {t for chosen in sheet.values() for t in chosen} <= every_token
            assert 0 <= grade.score <= 100
            assert grade.score == _score(drawn, sheet)
            assert _submitted_at(attempt_id) is not None
            seen["accepted"] += 1
        finally:
            savepoint.rollback()
            db.session.expire_all()

    check()

    assert seen["accepted"] > 0 and seen["refused"] > 0, seen
    assert _submitted_at(attempt_id) is None  # every example was rolled back
    right = factories.answer_sheet(attempt_id)
    assert services.submit_attempt(db.session, attempt, right).score == 100
