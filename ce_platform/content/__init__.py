"""The course format: parse, validate and render course folders (pure Python, no Flask, no DB).

See COURSE_FORMAT.md for the format, docs/architecture.md ("Assessment integrity") for the quiz
objectives lines and answer-cue rules, and `diagnostics` for the table of diagnostic codes.
"""

from .diagnostics import CODES, ERROR, WARNING, Diagnostic, has_errors
from .estimate import count_words, estimate_hours, estimate_minutes, lesson_minutes
from .folders import load_courses, read_course_folder, write_course_folder
from .model import (
    CREDIT_CATEGORIES,
    FORMAT_WORDING,
    LEVELS,
    REVEAL_POLICIES,
    Accreditation,
    Author,
    CourseSource,
    LessonSource,
    OptionSource,
    Provider,
    QuestionSource,
    QuizSource,
    Signer,
    format_hours,
    seat_time_floor,
)
from .parse import compute_content_hash, parse_course
from .provider import load_provider, parse_provider
from .render import Rendered, render_markdown, sanitize_html

__all__ = [
    "CODES",
    "CREDIT_CATEGORIES",
    "ERROR",
    "FORMAT_WORDING",
    "LEVELS",
    "REVEAL_POLICIES",
    "WARNING",
    "Accreditation",
    "Author",
    "CourseSource",
    "Diagnostic",
    "LessonSource",
    "OptionSource",
    "Provider",
    "QuestionSource",
    "QuizSource",
    "Rendered",
    "Signer",
    "compute_content_hash",
    "count_words",
    "estimate_hours",
    "estimate_minutes",
    "format_hours",
    "has_errors",
    "lesson_minutes",
    "load_courses",
    "load_provider",
    "parse_course",
    "parse_provider",
    "read_course_folder",
    "render_markdown",
    "sanitize_html",
    "seat_time_floor",
    "write_course_folder",
]
