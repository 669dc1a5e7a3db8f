"""The parser never raises: garbage in, diagnostics out."""

from __future__ import annotations

import pytest

from ce_platform.content import Diagnostic, parse_course, parse_provider

from .coursekit import COURSE_MD, QUIZ_MD, SLUG, TODAY, valid_files

BILLION_LAUGHS = (
    "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "title: *f\nobjectives: *f\nauthors: *f\n---\n"
)

NASTY_TEXTS = [
    "",
    "---",
    "---\n---",
    "---\n...\n",
    "\ufeff---\n\ufeff: x\n---\n",
    "---\n: :\n---\n",
    "---\n[unclosed\n---\n",
    "---\n!!python/object:os.system {}\n---\n",
    "---\ntitle: !!python/name:os.system\n---\n",
    "---\ntitle: !custom tag\n---\n",
    "---\n? [complex, key]\n: value\n---\n",
    "---\n<<: {title: merged}\n---\n",
    "---\n<<: 5\n---\n",
    "---\na: &a [*a]\n---\n",
    "---\nce_hours: 1e400\ncredits: {general: .nan}\n---\n",
    "---\nce_hours: 99999999999999999999999999999999\n---\n",
    "---\nreleased: 2026-99-99\nreview_by: 0000-01-01\n---\n",
    "---\nreleased: 2026-01-01 10:00:00\n---\n",
    "---\nauthors: [[[[]]]]\nobjectives: [{}, [], null]\ninstructors: [1, true]\n---\n",
    "---\n" + "[" * 2000 + "\n---\n",
    "---\nx: " + "{a: " * 500 + "1" + "}" * 500 + "\n---\n",
    BILLION_LAUGHS,
    "\x00\x01\x02\x7f",
    "---\ntitle: \x00\n---\n",
    "\r\r\r---\r\r",
    ">" * 5000 + " deep",
    "- " * 3000 + "deep list",
    "## \n## \n## ##\n- [x]\n- [ ]\n> \n",
    "## q\n- [x] a\n  > " + "x" * 100000,
    "```\n## unterminated fence\n- [x] a\n",
    "[" * 1000 + "](" * 1000,
    "<" * 10000,
    "![a](media/" + "%" * 1000 + ")",
    "[^1]\n\n[^1]: [^1]",
    "*[" + "A" * 1000 + "]: x\n" + "A" * 1000,
    "\U0001f600 " * 1000,
    "\ud800 lone surrogate",
]


def assert_reported_not_raised(course, diags: list[Diagnostic]) -> None:
    assert isinstance(diags, list)
    assert all(isinstance(d, Diagnostic) for d in diags)
    assert "F999" not in {d.code for d in diags}, [str(d) for d in diags if d.code == "F999"]
    if course is None:
        assert any(d.severity == "error" for d in diags)


@pytest.mark.parametrize("name", ["course.md", "quiz.md", "01-introduction.md"])
@pytest.mark.parametrize("text", NASTY_TEXTS, ids=range(len(NASTY_TEXTS)))
def test_nasty_text_in_any_file_gives_diagnostics_not_exceptions(provider, name, text):
    files = valid_files()
    files[name] = text

    course, diags = parse_course(SLUG, files, provider=provider, today=TODAY)

    assert_reported_not_raised(course, diags)


@pytest.mark.parametrize("text", NASTY_TEXTS, ids=range(len(NASTY_TEXTS)))
def test_nasty_provider_text_gives_diagnostics_not_exceptions(text):
    provider, diags = parse_provider(text)

    assert all(isinstance(d, Diagnostic) for d in diags)
    assert "F999" not in {d.code for d in diags}


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"course.md": None},
        {"course.md": 42, "quiz.md": ["list"]},
        {42: b"x", None: b"y"},
        {"../escape.md": b"x", "/abs.md": b"x", "media//x.png": b"x", "": b""},
        {"media/x.svg": b"\xff\xfe<\x00s\x00v\x00g\x00", "media/y.png": b""},
        {"course.md": bytes(range(256)) * 10},
        {"course.md": b"---\ntitle: \xc3\x28\n---\n", "quiz.md": b"\xed\xa0\x80"},
        {"01-a.md": COURSE_MD, "02-b.md": QUIZ_MD, "quiz.md": COURSE_MD, "course.md": QUIZ_MD},
        {"course.md": bytearray(COURSE_MD.encode()), "quiz.md": memoryview(QUIZ_MD.encode())},
    ],
    ids=range(10),
)
def test_garbage_file_mappings_give_diagnostics_not_exceptions(provider, files):
    course, diags = parse_course(SLUG, files, provider=provider, today=TODAY)

    assert course is None
    assert_reported_not_raised(course, diags)


@pytest.mark.parametrize("slug", ["", "../..", "UPPER", "a/b", "x" * 1000])
def test_bad_slugs_give_diagnostics_not_exceptions(provider, slug):
    course, diags = parse_course(slug, valid_files(), provider=provider, today=TODAY)

    assert course is None
    assert "C001" in {d.code for d in diags}


def test_random_text_never_raises():
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")

    fragments = strategies.sampled_from(
        ["---\n", "## q\n", "- [x] a\n", "- [ ] b\n", "  > f\n", "> e\n", "title: x\n", ": ",
         "[", "]", "(media/x.png)", "\n", "`", "```\n", "{", "}", "&a ", "*a ", "!!", "\t"]
    )  # fmt: skip
    texts = strategies.one_of(
        strategies.text(max_size=200),
        strategies.lists(fragments, max_size=40).map("".join),
    )

    @hypothesis.settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(course=texts, quiz=texts, lesson=texts)
    def check(course: str, quiz: str, lesson: str) -> None:
        files = {"course.md": course, "quiz.md": quiz, "01-a.md": lesson}
        result, diags = parse_course(SLUG, files, provider=None, today=TODAY)
        assert_reported_not_raised(result, diags)

    check()
