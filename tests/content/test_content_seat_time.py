"""course.md: the seat-time floor (min_minutes) and the review rule of evolving courses."""

from __future__ import annotations

from .coursekit import COURSE_MD, SLUG, found, line_of, replace_line

COURSE = f"{SLUG}/course.md"


def with_course_md(files: dict, course_md: str) -> dict:
    files["course.md"] = course_md
    return files


def test_seat_time_floor_defaults_to_half_the_credited_minutes(files, parse):
    course, diags = parse(files)  # ce_hours: 0.5, no min_minutes

    assert diags == []
    assert course.min_minutes == 0
    assert course.seat_time_floor == 15


def test_min_minutes_above_the_default_raises_the_floor(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\nmin_minutes: 40\n")

    course, diags = parse(with_course_md(files, course_md))

    assert diags == []
    assert course.seat_time_floor == 40


def test_min_minutes_below_half_the_credited_minutes_warns_and_names_the_floor(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true\n", "evolving: true\nmin_minutes: 2\n")

    course, diags = parse(with_course_md(files, course_md))

    assert course is not None
    assert found(diags) == {(COURSE, line_of(course_md, "min_minutes:"), "warning", "C020")}
    assert "min_minutes (2)" in diags[0].message
    assert "15 minutes" in diags[0].message
    assert course.seat_time_floor == 15


def test_evolving_course_reviewed_more_than_twelve_months_after_release_is_an_error(files, parse):
    course_md = replace_line(COURSE_MD, "review_by: 2026-12-31", "review_by: 2027-01-02")

    course, diags = parse(with_course_md(files, course_md))

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "review_by:"), "error", "C021")}
    assert "2027-01-01 or earlier" in diags[0].message


def test_evolving_course_reviewed_exactly_twelve_months_after_release_is_fine(files, parse):
    course_md = replace_line(COURSE_MD, "review_by: 2026-12-31", "review_by: 2027-01-01")

    course, diags = parse(with_course_md(files, course_md))

    assert diags == []
    assert course.evolving is True


def test_a_course_that_is_not_evolving_may_wait_three_years_for_review(files, parse):
    course_md = replace_line(COURSE_MD, "evolving: true", "evolving: false")
    course_md = replace_line(course_md, "review_by: 2026-12-31", "review_by: 2028-12-31")

    course, diags = parse(with_course_md(files, course_md))

    assert diags == []
    assert course.evolving is False
