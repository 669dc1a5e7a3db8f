"""Diagnostics print in the documented format, every code is documented, the package is pure."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import ce_platform.content as content
from ce_platform.content import CODES, Diagnostic, diagnostics

PACKAGE_DIR = Path(content.__file__).resolve().parent
ALLOWED_THIRD_PARTY = {"markdown", "nh3", "frontmatter", "yaml", "defusedxml"}


def test_diagnostic_prints_as_path_line_severity_code_message():
    d = Diagnostic(
        "pharmacology/quiz.md", 14, "error", "Q003", 'question "x" has no correct option'
    )

    assert str(d) == 'pharmacology/quiz.md:14: error: Q003: question "x" has no correct option'


def test_diagnostics_are_immutable_and_hashable():
    d = Diagnostic("provider.yml", 1, "warning", "P006", "m")

    with pytest.raises(AttributeError):
        d.line = 2  # type: ignore[misc]
    assert {d, Diagnostic("provider.yml", 1, "warning", "P006", "m")} == {d}


def test_every_code_is_documented_in_the_module_table_with_its_severity():
    table = dict(re.findall(r"^([A-Z]\d{3}) (error|warning) ", diagnostics.__doc__ or "", re.M))

    assert table == {code: severity for code, (severity, _summary) in CODES.items()}


def test_every_code_used_in_the_package_is_in_the_table():
    used: set[str] = set()
    for path in PACKAGE_DIR.glob("*.py"):
        if path.name == "diagnostics.py":
            continue
        used |= set(re.findall(r'"([FPCLQMR]\d{3})"', path.read_text(encoding="utf-8")))

    assert used <= set(CODES)
    assert set(CODES) - used == set()


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_content_package_imports_only_stdlib_and_its_allowed_libraries(path):
    outside = _imported_roots(path) - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY

    assert outside == set(), f"{path.name} imports {outside}"
