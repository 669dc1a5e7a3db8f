from pathlib import Path

from ce_platform.content.programs import parse_program
from tests.programs.conftest import PROGRAM_MD

KNOWN = {"course-a", "course-b", "course-c", "course-d"}
PATH = "_programs/p/program.md"


def diagnostics(text: str) -> list[tuple[str, int]]:
    source, found = parse_program("p", {"program.md": text.encode()}, known_courses=KNOWN)
    if any(d.is_error for d in found):
        assert source is None
    return [(d.code, d.line) for d in found]


def test_valid_program_parses_with_no_diagnostics():
    source, found = parse_program("p", {"program.md": PROGRAM_MD.encode()}, known_courses=KNOWN)
    assert found == []
    assert source.required == ["course-a", "course-b"]
    assert source.electives == ["course-c", "course-d"]
    assert source.electives_needed == 1
    assert source.order == ["course-a", "course-b", "course-c", "course-d"]


def test_unknown_course_slug_is_r003_at_its_line():
    text = PROGRAM_MD.replace("    - course-b\n", "    - no-such-course\n")
    assert ("R003", 9) in diagnostics(text)


def test_course_listed_twice_is_r004_at_the_second_listing():
    text = PROGRAM_MD.replace("    - course-d\n", "    - course-a\n")
    assert ("R004", 12) in diagnostics(text)


def test_rule_asking_for_more_electives_than_listed_is_r006_at_the_rule():
    text = PROGRAM_MD.replace("plus 1 elective", "plus 3 electives")
    assert ("R006", 13) in diagnostics(text)


def test_malformed_rule_is_r005():
    text = PROGRAM_MD.replace("all required plus 1 elective", "most of them")
    assert ("R005", 13) in diagnostics(text)


def test_order_that_leaves_a_course_out_or_names_a_stranger_is_r007():
    text = PROGRAM_MD.replace(
        "rule: all required plus 1 elective\n",
        "rule: all required plus 1 elective\norder:\n  - course-b\n  - course-x\n",
    )
    found = diagnostics(text)
    assert ("R007", 16) in found  # course-x is not in the program
    assert ("R007", 14) in found  # the order leaves course-a, course-c and course-d out


def test_extra_file_in_a_program_folder_is_r008():
    source, found = parse_program(
        "p", {"program.md": PROGRAM_MD.encode(), "notes.txt": b"x"}, known_courses=KNOWN
    )
    assert source is None and [d.code for d in found] == ["R008"]


def test_shipped_courses_validate_with_the_program_and_only_the_specimen_warning(runner):
    root = Path(__file__).resolve().parents[2] / "courses"
    result = runner.invoke(args=["courses", "validate", str(root)])
    assert result.exit_code == 0, result.output
    assert "7 course(s), 1 program(s): 0 error(s), 1 warning(s)" in result.output
    assert "P009" in result.output and "R0" not in result.output
