import pytest

from ce_platform.content.programs import parse_program
from ce_platform.extensions import db
from ce_platform.programs import services
from tests import factories

PROGRAM_MD = """---
title: Testing Foundations
summary: A path through the test courses.
objectives:
  - Complete the test courses.
courses:
  required:
    - course-a
    - course-b
  elective:
    - course-c
    - course-d
rule: all required plus 1 elective
---
The overview of the program.
"""


@pytest.fixture
def program():
    """Four published courses and a program requiring two of them plus one elective."""
    for slug, title in (
        ("course-a", "Course A"),
        ("course-b", "Course B"),
        ("course-c", "Course C"),
        ("course-d", "Course D"),
    ):
        factories.course(slug, title=title)
    source, diagnostics = parse_program(
        "testing-foundations",
        {"program.md": PROGRAM_MD.encode()},
        known_courses={"course-a", "course-b", "course-c", "course-d"},
    )
    assert source is not None, [str(d) for d in diagnostics]
    revision, _status = services.sync_program(db.session, source)
    db.session.commit()
    return revision.program
