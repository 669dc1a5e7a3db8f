"""CE Broker numbers in provider.yml and course.md: read when right, diagnosed at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ce_platform.content import load_provider, parse_provider

from .coursekit import COURSE_MD, PROVIDER_YML, SLUG, found, line_of, replace_line

COURSE = f"{SLUG}/course.md"
REAL_PROVIDER = Path(__file__).resolve().parents[2] / "courses" / "provider.yml"
PROVIDER_CE_BROKER = """\
ce_broker:
  provider_tracking: "12345"
  professions:
    nurse: RN
    social_worker: SW
"""


def with_ce_broker(course_md: str, block: str) -> str:
    return replace_line(course_md, "evolving: true\n", "evolving: true\n" + block)


def test_provider_ce_broker_numbers_are_read():
    provider, diags = parse_provider(PROVIDER_YML + PROVIDER_CE_BROKER)

    assert diags == []
    assert provider.ce_broker.provider_tracking == "12345"
    assert provider.ce_broker.professions == {"nurse": "RN", "social_worker": "SW"}


def test_shipped_specimen_provider_has_a_fictitious_tracking_number_of_zeros():
    provider, _diags = load_provider(REAL_PROVIDER)

    assert provider.specimen
    assert provider.ce_broker.provider_tracking == "0000"


@pytest.mark.parametrize(
    "number, hint",
    [("50-12345", 'without the "50-" prefix'), ("12 345", "digits only")],
)
def test_provider_tracking_number_with_prefix_or_spaces_is_p011_at_its_line(number, hint):
    text = PROVIDER_YML + PROVIDER_CE_BROKER.replace('"12345"', f'"{number}"')

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {("provider.yml", line_of(text, "provider_tracking"), "error", "P011")}
    assert hint in diags[0].message


def test_zero_provider_tracking_number_is_only_for_a_specimen_provider():
    text = PROVIDER_YML + PROVIDER_CE_BROKER.replace('"12345"', '"0000"')

    provider, diags = parse_provider(text)
    assert provider is None
    assert found(diags) == {("provider.yml", line_of(text, "provider_tracking"), "error", "P011")}

    specimen, diags = parse_provider("specimen: true\n" + text)
    assert specimen is not None and [d.code for d in diags] == ["P009"]


def test_unknown_profession_or_malformed_code_is_p012_at_its_line():
    text = PROVIDER_YML + PROVIDER_CE_BROKER.replace("social_worker: SW", "dentist: DN")
    text = text.replace("nurse: RN", 'nurse: "R N"')

    provider, diags = parse_provider(text)

    assert provider is None
    assert found(diags) == {
        ("provider.yml", line_of(text, "dentist"), "error", "P012"),
        ("provider.yml", line_of(text, "nurse:"), "error", "P012"),
    }


def test_course_ce_broker_numbers_are_read(files, parse):
    block = "ce_broker:\n  course_tracking: 20123\n  subject_areas: {ethics: ETH, general: GEN}\n"
    files["course.md"] = with_ce_broker(COURSE_MD, block)

    course, diags = parse(files)

    assert diags == []
    assert course.ce_broker.course_tracking == "20123"
    assert course.ce_broker.course_id is None
    assert course.ce_broker.subject_areas == {"ethics": "ETH", "general": "GEN"}


def test_course_without_ce_broker_has_no_numbers(files, parse):
    course, diags = parse(files)

    assert diags == []
    assert course.ce_broker.course_tracking is None and course.ce_broker.subject_areas == {}


def test_course_tracking_number_with_its_prefix_is_c022_at_its_line(files, parse):
    course_md = with_ce_broker(COURSE_MD, 'ce_broker: {course_tracking: "20-123456"}\n')
    files["course.md"] = course_md

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "ce_broker"), "error", "C022")}
    assert 'without the "20-" prefix' in diags[0].message


def test_ce_broker_without_course_number_or_id_is_c022(files, parse):
    course_md = with_ce_broker(COURSE_MD, "ce_broker: {subject_areas: {ethics: ETH}}\n")
    files["course.md"] = course_md

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "ce_broker"), "error", "C022")}


def test_subject_area_of_unknown_credit_category_is_c023_at_its_line(files, parse):
    block = "ce_broker:\n  course_id: ETH-101\n  subject_areas:\n    ethics: ETH\n    law: LAW\n"
    course_md = with_ce_broker(COURSE_MD, block)
    files["course.md"] = course_md

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(COURSE, line_of(course_md, "law: LAW"), "error", "C023")}
