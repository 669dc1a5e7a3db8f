"""course.md: front-matter keys, types, CE rules, and the CourseSource a valid folder yields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ce_platform.content import FORMAT_WORDING, CourseSource, parse_course

from .coursekit import COURSE_MD, PNG_BYTES, QUIZ_MD, SLUG, found, line_of, replace_line

COURSE = f"{SLUG}/course.md"
AUTHOR_LINE = (
    "  - {name: Ada Author, credentials: PhD, disclosure: No relevant financial relationships.}"
)


def with_course(files: dict, course_md: str) -> dict:
    files["course.md"] = course_md
    return files


def test_valid_course_parses_without_diagnostics(files, parse):
    course, diags = parse(files)

    assert diags == []
    assert isinstance(course, CourseSource)
    assert course.slug == SLUG
    assert course.title == "Testing the Course Format"
    assert course.summary == "A short course used by the tests."
    assert course.level == "intermediate"
    assert course.format == "asynchronous"
    assert course.format_wording == FORMAT_WORDING["asynchronous"]
    assert course.ce_hours == Decimal("0.5")
    assert course.credits == {"general": Decimal("0.25"), "ethics": Decimal("0.25")}
    assert course.accreditations == ["apa", "ace"]
    assert course.objectives == ["Describe the course format.", "Explain how validation works."]
    assert [(a.name, a.credentials) for a in course.authors] == [("Ada Author", "PhD")]
    assert course.authors[0].disclosure == "No relevant financial relationships."
    assert course.instructors == ["teacher@example.org"]
    assert course.released == date(2026, 1, 1)
    assert course.review_by == date(2026, 12, 31)
    assert course.evolving is True
    assert course.min_minutes == 0
    assert [lesson.slug for lesson in course.lessons] == ["introduction"]
    assert [q.id for q in course.quiz.questions] == [
        "first-question",
        "second-question",
        "third-question",
        "fourth-question",
        "fifth-question",
    ]
    assert '<img alt="a figure" src="media/figure.png">' in course.overview_html
    assert (
        course.overview_toc_html
        == '<ul>\n<li><a href="#overview" rel="noopener noreferrer">Overview</a></li>\n</ul>'
    )


def test_course_files_hold_every_file_as_exact_bytes(files, parse):
    course, _ = parse(files)

    assert set(course.files) == {"course.md", "01-introduction.md", "quiz.md", "media/figure.png"}
    assert course.files["course.md"] == COURSE_MD.encode("utf-8")
    assert course.files["media/figure.png"] == PNG_BYTES


def test_optional_keys_take_their_defaults(files, parse):
    course_md = replace_line(COURSE_MD, "instructors: [teacher@example.org]\n", "")
    course_md = replace_line(course_md, "evolving: true\n", "")

    course, diags = parse(with_course(files, course_md))

    assert diags == []
    assert course.instructors == []
    assert course.evolving is False
    assert course.min_minutes == 0


def test_min_minutes_is_read_when_given(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\nmin_minutes: 25\n")

    course, diags = parse(with_course(files, course_md))

    assert diags == []
    assert course.min_minutes == 25


def test_missing_required_key_is_an_error_on_line_1(files, parse):
    course_md = replace_line(COURSE_MD, "summary: A short course used by the tests.\n", "")

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, 1, "error", "F007")}
    assert '"summary"' in diags[0].message


def test_commercial_support_statement_is_read(files, parse):
    course, diags = parse(files)

    assert diags == []
    assert course.commercial_support == "No commercial support was received for this course."


def test_missing_commercial_support_is_an_error_naming_the_key(files, parse):
    course_md = replace_line(
        COURSE_MD, "commercial_support: No commercial support was received for this course.\n", ""
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, 1, "error", "F007")}
    assert '"commercial_support"' in diags[0].message


def test_empty_commercial_support_is_an_error_at_its_line(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "commercial_support: No commercial support was received for this course.",
        'commercial_support: ""',
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "commercial_support:"), "error", "F010")}


def test_unknown_key_is_an_error_at_its_line(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\ncolour: blue\n")

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "colour:"), "error", "F006")}
    assert '"colour"' in diags[0].message


def test_duplicate_key_is_an_error_at_the_second_occurrence(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\ntitle: Again\n")

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "title: Again"), "error", "F009")}


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("ce_hours: 0.5", "ce_hours: half", "ce_hours"),
        ("title: Testing the Course Format", "title: [a, b]", "title"),
        ("evolving: true", "evolving: maybe", "evolving"),
        ("released: 2026-01-01", "released: 20260101", "released"),
        ("credits: {general: 0.25, ethics: 0.25}", "credits: 0.5", "credits"),
        ("accreditations: [apa, ace]", "accreditations: apa", "accreditations"),
        ("instructors: [teacher@example.org]", "instructors: teacher@example.org", "instructors"),
    ],
)
def test_wrong_type_is_an_error_naming_the_key_at_its_line(files, parse, old, new, key):
    course_md = replace_line(COURSE_MD, old, new)

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert (COURSE, line_of(course_md, new), "error", "F008") in found(diags)
    assert any(f'"{key}"' in d.message for d in diags if d.code == "F008")


def test_credit_amount_of_wrong_type_is_an_error_at_the_category_line(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "credits: {general: 0.25, ethics: 0.25}",
        "credits:\n  general: 0.25\n  ethics: lots",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "ethics: lots"), "error", "F008")}
    assert '"credits.ethics"' in diags[0].message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("level: intermediate", "level: expert"),
        ("format: asynchronous", "format: live-webinar"),
        ("title: Testing the Course Format", 'title: ""'),
        ("evolving: true", "evolving: true\nmin_minutes: -5"),
    ],
)
def test_invalid_value_is_an_error_at_its_line(files, parse, old, new):
    course_md = replace_line(COURSE_MD, old, new)
    bad_line = new.split("\n")[-1]

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, bad_line), "error", "F010")}


@pytest.mark.parametrize("hours", ["0.3", "0", "-1", "1.1"])
def test_ce_hours_must_be_a_positive_multiple_of_a_quarter(files, parse, hours):
    course_md = replace_line(COURSE_MD, "ce_hours: 0.5", f"ce_hours: {hours}")

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert (COURSE, line_of(course_md, "ce_hours:"), "error", "C003") in found(diags)


def test_credits_that_do_not_sum_to_ce_hours_are_an_error_at_the_credits_line(files, parse):
    course_md = replace_line(
        COURSE_MD, "credits: {general: 0.25, ethics: 0.25}", "credits: {general: 0.25}"
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "credits:"), "error", "C005")}
    assert "0.25" in diags[0].message and "0.5" in diags[0].message


def test_unknown_credit_category_is_an_error_at_the_category_line(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "credits: {general: 0.25, ethics: 0.25}",
        "credits:\n  general: 0.25\n  spiritual: 0.25",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "spiritual:"), "error", "C004")}


def test_negative_credit_is_an_error(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "credits: {general: 0.25, ethics: 0.25}",
        "credits:\n  general: 0.75\n  ethics: -0.25",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "ethics: -0.25"), "error", "F010")}


def test_unknown_accreditation_is_an_error_at_its_list_item(files, parse):
    course_md = replace_line(
        COURSE_MD, "accreditations: [apa, ace]", "accreditations:\n  - apa\n  - acme"
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "  - acme"), "error", "C006")}
    assert '"acme"' in diags[0].message


def test_accreditation_keys_are_not_checked_without_a_provider(files):
    course_md = replace_line(COURSE_MD, "accreditations: [apa, ace]", "accreditations: [acme]")
    files["course.md"] = course_md

    course, diags = parse_course(SLUG, files, provider=None, today=date(2026, 6, 1))

    assert diags == []
    assert course.accreditations == ["acme"]


def test_accreditation_that_does_not_approve_the_format_is_an_error(files, parse):
    course_md = replace_line(COURSE_MD, "accreditations: [apa, ace]", "accreditations: [live-only]")

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "accreditations:"), "error", "C007")}


def test_accreditation_listed_twice_is_an_error(files, parse):
    course_md = replace_line(COURSE_MD, "accreditations: [apa, ace]", "accreditations: [apa, apa]")

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "accreditations:"), "error", "C008")}


def test_course_without_accreditations_is_only_a_warning(files, parse):
    course_md = replace_line(COURSE_MD, "accreditations: [apa, ace]", "accreditations: []")

    course, diags = parse(with_course(files, course_md))

    assert course is not None
    assert found(diags) == {(COURSE, line_of(course_md, "accreditations:"), "warning", "C009")}


def test_empty_objectives_are_an_error(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "objectives:\n  - Describe the course format.\n  - Explain how validation works.",
        "objectives: []",
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "objectives:"), "error", "C010")}


def test_objective_that_is_not_text_is_an_error_at_its_item(files, parse):
    course_md = replace_line(
        COURSE_MD, "  - Explain how validation works.", "  - {nested: mapping}"
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "{nested: mapping}"), "error", "F008")}


def test_missing_objectives_key_is_an_error(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "objectives:\n  - Describe the course format.\n  - Explain how validation works.\n",
        "",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, 1, "error", "F007")}
    assert '"objectives"' in diags[0].message


def test_empty_authors_are_an_error(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "authors:\n  - {name: Ada Author, credentials: PhD, disclosure: No relevant financial "
        "relationships.}",
        "authors: []",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "authors:"), "error", "C011")}


def test_author_without_disclosure_is_an_error_at_the_author(files, parse):
    course_md = replace_line(
        COURSE_MD,
        AUTHOR_LINE,
        "  - {name: Ada Author, credentials: PhD}\n  - name: Bo Writer\n    credentials: MD\n"
        "    disclosure: None.\n    affiliation: Example",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {
        (COURSE, line_of(course_md, "name: Ada Author"), "error", "F007"),
        (COURSE, line_of(course_md, "affiliation: Example"), "error", "F006"),
    }
    assert any('"authors[1].disclosure"' in d.message for d in diags)


def test_author_that_is_not_a_mapping_is_an_error(files, parse):
    course_md = replace_line(
        COURSE_MD,
        AUTHOR_LINE,
        "  - Ada Author, PhD",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "Ada Author, PhD"), "error", "F008")}


def test_review_by_more_than_three_years_after_release_is_an_error(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true", "evolving: false")
    course_md = replace_line(course_md, "review_by: 2026-12-31", "review_by: 2029-01-02")

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "review_by:"), "error", "C012")}


def test_review_by_exactly_three_years_after_release_is_fine(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true", "evolving: false")
    course_md = replace_line(course_md, "review_by: 2026-12-31", "review_by: 2029-01-01")

    course, diags = parse(with_course(files, course_md))

    assert diags == []
    assert course.review_by == date(2029, 1, 1)


def test_review_by_not_after_release_is_an_error(files, parse):
    course_md = replace_line(COURSE_MD, "review_by: 2026-12-31", "review_by: 2025-12-31")

    _, diags = parse(with_course(files, course_md), today=date(2025, 6, 1))

    assert found(diags) == {(COURSE, line_of(course_md, "review_by:"), "error", "C013")}


def test_past_review_date_is_only_a_warning(files, parse):
    course, diags = parse(files, today=date(2029, 1, 1))

    assert course is not None
    assert found(diags) == {(COURSE, line_of(COURSE_MD, "review_by:"), "warning", "C014")}


def test_dates_may_be_quoted_iso_strings(files, parse):
    course_md = replace_line(COURSE_MD, "released: 2026-01-01", 'released: "2026-01-01"')

    course, diags = parse(with_course(files, course_md))

    assert diags == []
    assert course.released == date(2026, 1, 1)


def test_impossible_date_is_an_error_at_its_line(files, parse):
    course_md = replace_line(COURSE_MD, "released: 2026-01-01", "released: 2026-02-30")

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "released:"), "error", "F010")}


def test_instructor_that_is_not_an_email_is_an_error_at_its_item(files, parse):
    course_md = replace_line(
        COURSE_MD,
        "instructors: [teacher@example.org]",
        "instructors:\n  - teacher@example.org\n  - not-an-email",
    )

    _, diags = parse(with_course(files, course_md))

    assert found(diags) == {(COURSE, line_of(course_md, "not-an-email"), "error", "F010")}


def test_yaml_syntax_error_is_reported_at_the_broken_line(files, parse):
    course_md = replace_line(
        COURSE_MD, "summary: A short course used by the tests.", "summary: A: short: course"
    )

    course, diags = parse(with_course(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "summary:"), "error", "F004")}


def test_missing_front_matter_is_an_error(files, parse):
    _, diags = parse(with_course(files, "# Just a heading\n\nNo front matter.\n"))

    assert (COURSE, 1, "error", "F002") in found(diags)


def test_unclosed_front_matter_is_an_error(files, parse):
    _, diags = parse(with_course(files, "---\ntitle: x\nsummary: y\n"))

    assert found(diags) == {(COURSE, 1, "error", "F003")}


def test_front_matter_that_is_not_a_mapping_is_an_error(files, parse):
    _, diags = parse(with_course(files, "---\n- a list\n---\nBody\n"))

    assert found(diags) == {(COURSE, 2, "error", "F005")}


def test_non_utf8_course_file_is_an_error_at_the_bad_line(files, parse):
    files["course.md"] = COURSE_MD.encode("utf-8").replace(b"A short course", b"A sh\xffort course")

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(COURSE, line_of(COURSE_MD, "summary:"), "error", "F001")}


def test_missing_course_file_is_an_error(files, parse):
    del files["course.md"]

    course, diags = parse(files)

    assert course is None
    assert (COURSE, 1, "error", "C002") in found(diags)


def test_folder_name_that_is_not_a_slug_is_an_error(files, provider):
    _, diags = parse_course("Bad_Slug", files, provider=provider, today=date(2026, 6, 1))

    assert ("Bad_Slug/course.md", 1, "error", "C001") in found(diags)


def test_windows_line_endings_and_bom_keep_line_numbers(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\ncolour: blue\n")
    files["course.md"] = ("\ufeff" + course_md.replace("\n", "\r\n")).encode("utf-8")

    _, diags = parse(files)

    assert found(diags) == {(COURSE, line_of(course_md, "colour:"), "error", "F006")}


def test_every_problem_in_every_file_is_reported_in_one_run(files, parse):
    course_md = replace_line(COURSE_MD, "level: intermediate", "level: expert")
    course_md = replace_line(course_md, "ce_hours: 0.5", "ce_hours: 0.6")
    course_md = replace_line(course_md, "review_by: 2026-12-31", "review_by: 2031-01-01")
    files["course.md"] = course_md
    files["02-intro.md"] = "---\ntitle: Second\nlength: 3\n---\nText\n"
    files["bad name.md"] = "---\ntitle: x\n---\n"
    quiz = replace_line(QUIZ_MD, "- [x] Right one", "- [ ] Right one")
    files["quiz.md"] = quiz
    files["media/notes.pdf"] = b"%PDF"

    course, diags = parse(files)

    assert course is None
    assert found(diags) >= {
        (COURSE, line_of(course_md, "level:"), "error", "F010"),
        (COURSE, line_of(course_md, "ce_hours:"), "error", "C003"),
        (COURSE, line_of(course_md, "review_by:"), "error", "C012"),
        (f"{SLUG}/02-intro.md", 3, "error", "F006"),
        (f"{SLUG}/bad name.md", 1, "error", "L001"),
        (f"{SLUG}/quiz.md", line_of(quiz, "## first-question"), "error", "Q003"),
        (f"{SLUG}/media/notes.pdf", 1, "error", "M001"),
    }


def test_diagnostics_come_sorted_by_file_and_line(files, parse):
    course_md = replace_line(COURSE_MD, "level: intermediate", "level: expert")
    files["course.md"] = replace_line(course_md, "evolving: true", "evolving: 3")

    _, diags = parse(files)

    assert [(d.path, d.line) for d in diags] == sorted((d.path, d.line) for d in diags)
