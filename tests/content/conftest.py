"""Fixtures for the course-format tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ce_platform.content import Diagnostic, Provider, parse_course, parse_provider

from .coursekit import PROVIDER_YML, SLUG, TODAY, valid_files


@pytest.fixture
def provider() -> Provider:
    parsed, diags = parse_provider(PROVIDER_YML)
    assert diags == []
    assert parsed is not None
    return parsed


@pytest.fixture
def files() -> dict[str, bytes | str]:
    return valid_files()


@pytest.fixture
def parse(provider: Provider) -> Callable[..., tuple[object, list[Diagnostic]]]:
    """Parse course files with the test provider and a fixed today."""

    def run(course_files: dict[str, bytes | str], **kwargs: object):
        kwargs.setdefault("provider", provider)
        kwargs.setdefault("today", TODAY)
        return parse_course(SLUG, course_files, **kwargs)  # type: ignore[arg-type]

    return run
