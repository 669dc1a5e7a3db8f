"""Programs: a folder under courses/_programs/ whose program.md bundles courses by a rule.

Pure Python like the rest of content/: a program folder (a dict of file name -> bytes) becomes
a validated `ProgramSource` plus line-numbered diagnostics (codes R001-R009).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, diag, has_errors, sort_key
from .folders import read_course_folder
from .parse import SLUG, compute_content_hash
from .render import render_markdown
from .sourcefile import decode, read_markdown

PROGRAMS_DIR = "_programs"
PROGRAM_FILE = "program.md"
PROGRAM_REQUIRED_KEYS = ("title", "summary", "objectives", "courses", "rule")
PROGRAM_OPTIONAL_KEYS = ("order",)
COURSES_KEYS = ("required", "elective")
RULE = re.compile(r"^all required(?: plus (?P<count>[0-9]+) electives?)?$")


@dataclass(frozen=True)
class ProgramSource:
    """A validated program: the course slugs it pins, its rule, and its rendered overview."""

    slug: str
    title: str
    summary: str
    objectives: list[str]
    required: list[str]
    electives: list[str]
    electives_needed: int
    order: list[str]  # every course of the program, in the order learners are advised to take
    rule: str
    overview_md: str
    overview_html: str
    content_hash: str
    files: dict[str, bytes]


def _course_list(
    courses, key: str, known: Collection[str], seen: dict[str, int], path: str, diags: list
) -> list[str]:
    """Read courses.required or courses.elective; unknown and repeated slugs are reported."""
    found: list[str] = []
    if courses is None or not courses.has(key):
        return found
    for slug, line in courses.string_list(key) or []:
        if not SLUG.match(slug):
            diags.append(diag(path, line, "R003", f'"{slug}" is not a course slug ([a-z0-9-]+)'))
        elif slug in seen:
            diags.append(
                diag(
                    path,
                    line,
                    "R004",
                    f'course "{slug}" is listed twice (first on line {seen[slug]})',
                )
            )
        elif slug not in known:
            diags.append(
                diag(path, line, "R003", f'unknown course "{slug}" (no such course folder)')
            )
        else:
            seen[slug] = line
            found.append(slug)
            continue
        seen.setdefault(slug, line)
    return found


def parse_program(
    slug: str, files: Mapping[str, bytes], *, known_courses: Collection[str]
) -> tuple[ProgramSource | None, list[Diagnostic]]:
    """Validate one program folder against the course slugs that exist; never raises."""
    diags: list[Diagnostic] = []
    path = f"{PROGRAMS_DIR}/{slug}/{PROGRAM_FILE}"
    if not SLUG.match(slug):
        diags.append(diag(path, 1, "R001", f'program slug "{slug}" is not a slug ([a-z0-9-]+)'))
    for name in sorted(files):
        if name != PROGRAM_FILE:
            diags.append(
                diag(
                    f"{PROGRAMS_DIR}/{slug}/{name}",
                    1,
                    "R008",
                    f'unexpected file "{name}": a program folder holds only {PROGRAM_FILE}',
                )
            )
    if PROGRAM_FILE not in files:
        diags.append(diag(path, 1, "R002", f"{PROGRAM_FILE} missing"))
        return None, sorted(diags, key=sort_key)
    text = decode(files[PROGRAM_FILE], path, diags)
    if text is None:
        return None, sorted(diags, key=sort_key)
    source = read_markdown(text, path, diags)
    fm = source.front_matter
    if fm is None:
        return None, sorted(diags, key=sort_key)
    fm.check_keys(PROGRAM_REQUIRED_KEYS + PROGRAM_OPTIONAL_KEYS, PROGRAM_REQUIRED_KEYS)
    title = fm.string("title")
    summary = fm.string("summary")
    objectives = [text for text, _line in fm.string_list("objectives") or []]
    if fm.has("objectives") and not objectives:
        fm.invalid("objectives", "must list at least one objective")

    courses = fm.mapping("courses")
    seen: dict[str, int] = {}
    if courses is not None:
        courses.check_keys(COURSES_KEYS, ("required",))
    required = _course_list(courses, "required", known_courses, seen, path, diags)
    electives = _course_list(courses, "elective", known_courses, seen, path, diags)
    if courses is not None and not required and not electives:
        diags.append(diag(path, fm.line_of("courses"), "R009", "the program names no courses"))

    rule = fm.string("rule")
    electives_needed = 0
    if rule is not None:
        match = RULE.match(" ".join(rule.lower().split()))
        if match is None:
            diags.append(
                diag(
                    path,
                    fm.line_of("rule"),
                    "R005",
                    f'rule "{rule}" is not "all required" or "all required plus N elective(s)"',
                )
            )
        else:
            electives_needed = int(match["count"] or 0)
            listed = len(courses.sequence("elective") or []) if courses is not None else 0
            if electives_needed > listed:
                diags.append(
                    diag(
                        path,
                        fm.line_of("rule"),
                        "R006",
                        f"rule asks for {electives_needed} elective(s) but the program lists "
                        f"{listed}",
                    )
                )
            if electives_needed == 0 and listed:
                diags.append(
                    diag(
                        path,
                        fm.line_of("rule"),
                        "R006",
                        "the rule asks for no electives, yet the program lists some",
                    )
                )

    order = list(required) + list(electives)
    if fm.has("order"):
        given = fm.string_list("order") or []
        members = set(seen)
        named: set[str] = set()
        for item, line in given:
            if item not in members:
                diags.append(
                    diag(
                        path, line, "R007", f'order names "{item}", which the program does not list'
                    )
                )
            elif item in named:
                diags.append(diag(path, line, "R007", f'order names "{item}" twice'))
            named.add(item)
        missing = [s for s in seen if s not in named]
        if missing:
            diags.append(
                diag(path, fm.line_of("order"), "R007", f"order leaves out {', '.join(missing)}")
            )
        order = [item for item, _line in given if item in set(order)]

    if not source.body.strip():
        diags.append(diag(path, source.body_first_line, "R010", "the overview (body) is empty"))
    try:
        rendered = render_markdown(source.body).html
    except Exception as exc:  # noqa: BLE001 - pathological input is reported, not raised
        diags.append(
            diag(
                path,
                source.body_first_line,
                "F012",
                f"Markdown could not be rendered: {type(exc).__name__}",
            )
        )
        rendered = ""

    diags = sorted(diags, key=sort_key)
    if has_errors(diags) or title is None or summary is None or rule is None:
        return None, diags
    return (
        ProgramSource(
            slug=slug,
            title=title,
            summary=summary,
            objectives=objectives,
            required=required,
            electives=electives,
            electives_needed=electives_needed,
            order=order,
            rule=" ".join(rule.split()),
            overview_md=source.body,
            overview_html=rendered,
            content_hash=compute_content_hash(files),
            files=dict(files),
        ),
        diags,
    )


def load_programs(
    root: Path, known_courses: Collection[str]
) -> list[tuple[str, ProgramSource | None, list[Diagnostic]]]:
    """Every program folder under root/_programs/, each with its own diagnostics."""
    base = Path(root) / PROGRAMS_DIR
    if not base.is_dir():
        return []
    results = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            files = read_course_folder(folder)
        except OSError as exc:
            path = f"{PROGRAMS_DIR}/{folder.name}/{PROGRAM_FILE}"
            results.append((folder.name, None, [diag(path, 1, "R002", f"unreadable: {exc}")]))
            continue
        program, diags = parse_program(folder.name, files, known_courses=known_courses)
        results.append((folder.name, program, diags))
    return results
