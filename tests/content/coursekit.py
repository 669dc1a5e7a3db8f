"""Shared test data for the course-format tests: a small valid course each test breaks once."""

from __future__ import annotations

from datetime import date

from ce_platform.content import Diagnostic

SLUG = "test-course"
TODAY = date(2026, 6, 1)

PROVIDER_YML = """\
name: Example Provider
address: 1 Example Street, Portland, OR 97201
signer:
  name: Dana Reyes, PhD
  title: CE Program Director
accreditations:
  apa:
    body: American Psychological Association
    provider_number: null
    statement: "{provider} is approved by the APA. {credits} {unit}."
  ace:
    body: ASWB ACE
    provider_number: "1234"
    approval_period: {start: 2026-01-01, end: 2028-12-31}
    formats: [asynchronous]
    statement: >-
      {provider}, provider #{provider_number}, approval period {approval_start} - {approval_end}.
  live-only:
    body: Live Events Board
    formats: [live]
    statement: "{provider} offers live events."
"""

# Line numbers matter: tests assert on them (line 1 is the opening ---).
COURSE_MD = """\
---
title: Testing the Course Format
summary: A short course used by the tests.
level: intermediate
format: asynchronous
ce_hours: 0.5
credits: {general: 0.25, ethics: 0.25}
accreditations: [apa, ace]
objectives:
  - Describe the course format.
  - Explain how validation works.
authors:
  - {name: Ada Author, credentials: PhD, disclosure: No relevant financial relationships.}
instructors: [teacher@example.org]
released: 2026-01-01
review_by: 2026-12-31
evolving: true
commercial_support: No commercial support was received for this course.
---
# Overview

This course is for clinicians. See ![a figure](media/figure.png).
"""

QUIZ_MD = """\
---
passing_score: 80
max_attempts: 3
questions_per_attempt: 3
shuffle: true
reveal: after_pass
---

## first-question
objectives: 1
Which option is right?

- [ ] Wrong one
  > Not this one.
- [x] Right one
- [ ] Another wrong one

> Because it is right.

## second-question
objectives: 2
Select all that apply.

- [x] Yes
- [x] Also yes
- [ ] No

## third-question
objectives: 1, 2
Pick the **bold** one.

- [ ] plain
- [x] **bold**
- [ ] italic

## fourth-question
objectives: 1
Which colour is the sky on a clear day?

- [ ] Green
- [x] Blue
- [ ] Red
- [ ] Grey

## fifth-question
objectives: 2
Which number is even?

- [ ] Three
- [x] Four
- [ ] Five
- [ ] Seven
"""

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

# 3300 reading words + 3 questions + 5 minutes = 30 minutes = 0.5 h, matching ce_hours.
LESSON_WORDS = 3300 - 9  # the overview above has 9 reading words


def lesson_md(title: str = "Introduction", words: int = LESSON_WORDS) -> str:
    """A lesson with a given number of reading words."""
    body = " ".join(["reading"] * words)
    return f"---\ntitle: {title}\n---\n{body}\n"


def valid_files() -> dict[str, bytes | str]:
    """A fresh copy of the valid test course."""
    return {
        "course.md": COURSE_MD,
        "01-introduction.md": lesson_md(),
        "quiz.md": QUIZ_MD,
        "media/figure.png": PNG_BYTES,
    }


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the nth line containing needle (so tests state lines by content)."""
    seen = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def replace_line(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, failing loudly when the fixture text changed."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def found(diags: list[Diagnostic]) -> set[tuple[str, int, str, str]]:
    """Diagnostics as (path, line, severity, code) for exact comparisons."""
    return {(d.path, d.line, d.severity, d.code) for d in diags}


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def exact_line(text: str, wanted: str, occurrence: int = -1) -> int:
    """1-based line of a line equal to wanted (the last one by default)."""
    numbers = [n for n, line in enumerate(text.split("\n"), start=1) if line == wanted]
    if not numbers:
        raise AssertionError(f"no line equal to {wanted!r}")
    return numbers[occurrence]
