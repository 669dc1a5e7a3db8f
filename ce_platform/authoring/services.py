"""Authoring rules: draft workspaces, file edits, lessons, media, preview, publish and history.

A draft holds a course folder's files (course.md, NN-slug.md lessons, quiz.md, media/) in the
database. Publishing goes through `catalog.publish_course`, exactly as `flask courses sync`
does, so a web publish and a folder sync of the same files make the same revision.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import escape
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from ce_platform import content
from ce_platform.accounts.models import User
from ce_platform.authoring.models import Draft, DraftFile
from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Course, CourseRevision, RevisionFile
from ce_platform.content.media import MEDIA_EXTENSIONS, check_media_file, extension
from ce_platform.content.parse import COURSE_FILE, LESSON_FILE, MAX_SLUG_LENGTH, QUIZ_FILE
from ce_platform.content.parse import add_years as _add_years
from ce_platform.content.quiz import parse_quiz
from ce_platform.content.sourcefile import read_markdown
from ce_platform.core.errors import (
    BusinessRuleError,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
)
from ce_platform.core.models import utcnow

MAX_TEXT_BYTES = 512 * 1024  # one Markdown file
MAX_MEDIA_BYTES = 2 * 1024 * 1024  # one media file
MAX_PATH_LENGTH = 300  # DraftFile.path
SLUG = re.compile(r"^[a-z0-9-]+$")
MEDIA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TEXT_KINDS = ("course", "lesson", "quiz")
KIND_LABELS = {"course": "Course page", "lesson": "Lesson", "quiz": "Post-test", "media": "Media"}
MAX_TITLE_LENGTH = 300


# -- paths --------------------------------------------------------------------------------------


def path_problem(path: object) -> str | None:
    """Say why a path cannot be a course file (None when it can); the message names the path."""
    if not isinstance(path, str) or not path:
        return "the path is empty"
    shown = path if len(path) <= 80 else path[:77] + "..."
    if len(path) > MAX_PATH_LENGTH:
        return f'"{shown}" is longer than {MAX_PATH_LENGTH} characters'
    if "\\" in path:
        return f'"{shown}" contains a backslash; use "/" between folders'
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return f'"{shown}" contains a control character'
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return f'"{shown}" is an absolute path'
    parts = path.split("/")
    if ".." in parts:
        return f'"{shown}" leaves the course folder (".." in the path)'
    if any(part in ("", ".") for part in parts):
        return f'"{shown}" has an empty or "." folder name'
    if len(parts) == 1:
        if path in (COURSE_FILE, QUIZ_FILE):
            return None
        match = LESSON_FILE.match(path)
        if match is not None and len(match.group(2)) <= MAX_SLUG_LENGTH:
            return None
        if path.lower().endswith(".md"):
            return (
                f'"{shown}" is not a course file name: use course.md, quiz.md or NN-slug.md '
                "for a lesson (digits, a dash, lower-case letters, digits and dashes)"
            )
        ext = extension(path)
        kind = f'file type ".{ext}"' if ext else "a file without an extension"
        return (
            f'"{shown}": {kind} is not allowed; a course holds course.md, quiz.md, NN-slug.md '
            "lessons and media/ images"
        )
    if parts[0] != "media":
        return f'"{shown}": folders other than media/ are not allowed'
    if len(parts) > 2:
        return f'"{shown}": folders inside media/ are not allowed'
    ext = extension(path)
    if ext not in MEDIA_EXTENSIONS:
        kind = f'file type ".{ext}"' if ext else "a file without an extension"
        return f'"{shown}": {kind} is not allowed in media/ ({", ".join(MEDIA_EXTENSIONS)})'
    if not MEDIA_NAME.match(parts[1]):
        return (
            f'"{shown}": media names use letters, digits, ".", "_" and "-" and start with a '
            "letter or digit"
        )
    return None


def file_kind(path: str) -> str:
    """course | quiz | lesson | media for a valid path; ValidationError naming the problem."""
    problem = path_problem(path)
    if problem is not None:
        raise ValidationError(f"Invalid file path: {problem}.", {"path": problem})
    if path == COURSE_FILE:
        return "course"
    if path == QUIZ_FILE:
        return "quiz"
    if path.startswith("media/"):
        return "media"
    return "lesson"


def kind_of(path: str) -> str:
    """The kind of a stored path, without validation (files copied from a revision)."""
    if path == COURSE_FILE:
        return "course"
    if path == QUIZ_FILE:
        return "quiz"
    if path.startswith("media/"):
        return "media"
    return "lesson" if LESSON_FILE.match(path) else "other"


def slugify(text: str) -> str:
    """A lesson or course slug from a title: lower-case letters, digits and single dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].strip("-")


def check_slug(slug: str, what: str = "slug") -> str:
    slug = (slug or "").strip()
    if not slug or not SLUG.match(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise ValidationError(
            f"The {what} must use only lower-case letters, digits and dashes "
            f"(at most {MAX_SLUG_LENGTH} characters).",
            {what.replace(" ", "_"): "not a slug"},
        )
    return slug


def decode_text(path: str, data: bytes) -> str:
    """UTF-8 text of a Markdown file, or a ValidationError naming the file and line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            f'"{path}" is not valid UTF-8 text (line {line}, byte {exc.start}); '
            "save it as UTF-8 and try again.",
            {"path": path, "line": line},
        ) from None


def _size(size: int) -> str:
    return f"{size:,} bytes"


def text_problem(path: str, data: bytes) -> str | None:
    """Why bytes cannot be stored as a Markdown file (size, encoding); None when fine."""
    if len(data) > MAX_TEXT_BYTES:
        return (
            f'"{path}" is {_size(len(data))}; the limit for a Markdown file is '
            f"{_size(MAX_TEXT_BYTES)} ({MAX_TEXT_BYTES // 1024} KB)"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f'"{path}" is not valid UTF-8 text (line {line}, byte {exc.start})'
    return None


def media_problem(path: str, data: bytes) -> str | None:
    """Why bytes cannot be stored as a media file (type, size, content, unsafe SVG)."""
    ext = extension(path)
    if ext not in MEDIA_EXTENSIONS:
        return f'"{path}": file type ".{ext}" is not allowed ({", ".join(MEDIA_EXTENSIONS)})'
    if not data:
        return f'"{path}" is empty'
    if len(data) > MAX_MEDIA_BYTES:
        return (
            f'"{path}" is {_size(len(data))}; the limit for a media file is '
            f"{_size(MAX_MEDIA_BYTES)} ({MAX_MEDIA_BYTES // (1024 * 1024)} MB)"
        )
    if ext == "svg":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return f'"{path}" is not a UTF-8 SVG file'
    found: list[content.Diagnostic] = []
    check_media_file(path, data, path, found)
    if found:  # unsafe SVG, or bytes that are not the image type the name says
        return "; ".join(f'"{path}": {d.message}' for d in found)
    return None


# -- access -------------------------------------------------------------------------------------


def is_author(user) -> bool:
    return user is not None and getattr(user, "role", None) in ("instructor", "admin")


def _course_for(session, draft: Draft) -> Course | None:
    """The published course a draft belongs to (also when the slug was synced meanwhile)."""
    if draft.course is not None:
        return draft.course
    return session.scalar(select(Course).where(Course.slug == draft.slug))


def can_edit(session, user, draft: Draft) -> bool:
    """Admins; for a published course, whoever manages it; for a new course, its creator."""
    if not is_author(user):
        return False
    if user.role == "admin":
        return True
    course = _course_for(session, draft)
    if course is not None and course.current_revision is not None:
        return catalog.can_manage(session, user, course)
    return draft.created_by_id == user.id


def unsaved_draft(session, user, slug: str) -> Draft:
    """The course's draft if it has one, else an unsaved copy of its current revision: reading
    a course's authoring pages stores nothing; the first change creates the draft."""
    draft, _created = open_draft(session, user, slug, create=False)
    if draft is not None:
        return draft
    course = session.scalar(select(Course).where(Course.slug == slug))
    revision = course.current_revision
    now = utcnow()
    return Draft(  # never added to the session
        slug=slug,
        course=course,
        based_on_revision_id=revision.id,
        created_at=now,
        updated_at=revision.published_at or now,
        files=[
            DraftFile(path=path, data=data, updated_at=revision.published_at or now)
            for path, data in sorted(catalog.export_files(revision).items())
        ],
    )


def open_draft(session, user, slug: str, *, create: bool = True) -> tuple[Draft | None, bool]:
    """The draft of a course the user may edit, made from the current revision on first open.

    Returns (draft, created). With create=False a missing draft of a published course is
    (None, False) after the access check. Learners get Forbidden; a draft of an unpublished
    course that is not the user's is NotFound, so its existence does not leak.
    """
    if not is_author(user):
        raise Forbidden("Authoring is for instructors and administrators.")
    draft = session.scalar(select(Draft).where(Draft.slug == slug))
    if draft is not None:
        if not can_edit(session, user, draft):
            if _course_for(session, draft) is None:
                raise NotFound(f"There is no course or draft '{slug}'.")
            raise Forbidden(f"You do not manage the course '{slug}'.")
        return draft, False
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_revision is None:
        raise NotFound(f"There is no course or draft '{slug}'.")
    if not catalog.can_manage(session, user, course):
        raise Forbidden(f"You do not manage the course '{slug}'.")
    if not create:
        return None, False
    revision = course.current_revision
    try:
        with session.begin_nested():
            draft = Draft(
                slug=slug,
                course=course,
                based_on_revision_id=revision.id,
                created_by_id=user.id,
                files=[
                    DraftFile(path=path, data=data)
                    for path, data in sorted(catalog.export_files(revision).items())
                ],
            )
            session.add(draft)
            session.flush()
    except IntegrityError:  # opened at the same moment in another request
        draft = session.scalar(select(Draft).where(Draft.slug == slug))
        if draft is None:
            raise
        return draft, False
    return draft, True


def draft_files(draft: Draft) -> dict[str, bytes]:
    return {f.path: bytes(f.data) for f in draft.files}


def _touch(draft: Draft) -> None:
    draft.updated_at = utcnow()


# -- the author's course list -------------------------------------------------------------------


@dataclass
class CourseRow:
    """One line of "Courses I teach": a published course and/or a draft, with its draft status."""

    slug: str
    title: str
    course: Course | None
    draft: Draft | None
    status: str  # new | unchanged | changed | no_draft
    behind: bool = False  # a newer revision was published after the draft was opened

    @property
    def status_label(self) -> str:
        return {
            "new": "New course, never published",
            "unchanged": "Draft matches the published revision",
            "changed": "Draft has unpublished changes",
            "no_draft": "Published; no draft opened yet",
        }[self.status]


def _differing_drafts(session, drafts: list[Draft]) -> set[int]:
    """Ids of drafts whose files differ from their course's current revision (SQL aggregates)."""
    linked = [d for d in drafts if d.course is not None and d.course.current_revision_id]
    if not linked:
        return set()
    ids = [d.id for d in linked]
    revision_of = {d.id: d.course.current_revision_id for d in linked}
    published = aliased(RevisionFile)
    matched = dict(
        session.execute(
            select(DraftFile.draft_id, func.count())
            .join(Draft, Draft.id == DraftFile.draft_id)
            .join(Course, Course.id == Draft.course_id)
            .join(
                published,
                and_(
                    published.revision_id == Course.current_revision_id,
                    published.path == DraftFile.path,
                    published.data == DraftFile.data,
                ),
            )
            .where(DraftFile.draft_id.in_(ids))
            .group_by(DraftFile.draft_id)
        ).all()
    )
    in_draft = dict(
        session.execute(
            select(DraftFile.draft_id, func.count())
            .where(DraftFile.draft_id.in_(ids))
            .group_by(DraftFile.draft_id)
        ).all()
    )
    in_revision = dict(
        session.execute(
            select(RevisionFile.revision_id, func.count())
            .where(RevisionFile.revision_id.in_(set(revision_of.values())))
            .group_by(RevisionFile.revision_id)
        ).all()
    )
    return {
        draft_id
        for draft_id in ids
        if not (
            matched.get(draft_id, 0)
            == in_draft.get(draft_id, 0)
            == in_revision.get(revision_of[draft_id], 0)
        )
    }


def front_matter_title(data: bytes | None, fallback: str) -> str:
    """The title a course.md or lesson gives itself, read leniently for a list."""
    if not data:
        return fallback
    diagnostics: list[content.Diagnostic] = []
    source = read_markdown(data.decode("utf-8", errors="replace"), COURSE_FILE, diagnostics)
    if source.front_matter is not None:
        value = source.front_matter.raw("title")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return fallback


def author_courses(session, user) -> list[CourseRow]:
    """The courses a user manages and the new-course drafts they may edit, with draft status."""
    courses = catalog.managed_courses(session, user)
    by_course = {
        d.course_id: d
        for d in session.scalars(
            select(Draft)
            .where(Draft.course_id.in_([c.id for c in courses]))
            .options(selectinload(Draft.course))
        )
    }
    new_query = select(Draft).where(Draft.course_id.is_(None)).order_by(Draft.slug)
    if user.role != "admin":
        new_query = new_query.where(Draft.created_by_id == user.id)
    new_drafts = list(session.scalars(new_query))
    differing = _differing_drafts(session, list(by_course.values()))
    titles = dict(
        session.execute(
            select(DraftFile.draft_id, DraftFile.data).where(
                DraftFile.draft_id.in_([d.id for d in new_drafts]), DraftFile.path == COURSE_FILE
            )
        ).all()
    )
    rows: list[CourseRow] = []
    for course in courses:
        draft = by_course.get(course.id)
        if draft is None:
            status = "no_draft"
        else:
            status = "changed" if draft.id in differing else "unchanged"
        rows.append(
            CourseRow(
                slug=course.slug,
                title=course.current_revision.title,
                course=course,
                draft=draft,
                status=status,
                behind=draft is not None
                and draft.based_on_revision_id != course.current_revision_id,
            )
        )
    taken = {row.slug for row in rows}
    for draft in new_drafts:
        if draft.slug not in taken:
            title = front_matter_title(titles.get(draft.id), draft.slug)
            rows.append(CourseRow(draft.slug, title, None, draft, "new"))
    rows.sort(key=lambda row: row.title.lower())
    return rows


# -- creating a course --------------------------------------------------------------------------

NEW_COURSE_MD = """\
---
title: {title}
summary: One or two sentences on what this course covers and who it is for.
level: introductory
format: asynchronous
ce_hours: 0.25
credits: {{general: 0.25}}
accreditations: []
objectives:
  - Describe the first thing learners will be able to do after this course.
authors:
  - {{name: {author}, credentials: {credentials}, disclosure: {disclosure}}}
instructors: [{email}]
released: {released}
review_by: {review_by}
evolving: false
commercial_support: No commercial support was received for this course.
---
## Overview

Who this course is for, what it covers, how credit is earned, and the references it uses.
"""

NEW_LESSON_MD = """\
---
title: {title}
---
Write the lesson here in Markdown: headings, lists, tables, footnotes and admonitions work.
"""

NEW_QUIZ_MD = """\
---
passing_score: 75
max_attempts: 3
questions_per_attempt: 1
shuffle: true
reveal: after_pass
---

## first-question
objectives: 1
Replace this prompt with the first post-test question.

- [x] The correct answer
- [ ] A wrong answer
  > Feedback a learner sees for this option.
- [ ] Another wrong answer

> The explanation shown once the learner has passed.

## second-question
objectives: 1
Every objective needs at least two questions, and the pool twice the questions drawn.

- [ ] One wrong answer
- [ ] Another wrong one
- [x] The right answer

> The explanation shown once the learner has passed.
"""


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Give the course a title.", {"title": "required"})
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(
            f"The title is longer than {MAX_TITLE_LENGTH} characters.", {"title": "too long"}
        )
    return title


def new_course_files(title: str, user: User, today: date) -> dict[str, bytes]:
    """A small course that validates (warnings only) and names its creator as instructor."""
    course_md = NEW_COURSE_MD.format(
        title=_yaml_string(title),
        author=_yaml_string(user.full_name),
        credentials=_yaml_string(user.credentials or "Credentials to be added"),
        disclosure=_yaml_string("No relevant financial relationships."),
        email=_yaml_string(user.email),
        released=today.isoformat(),
        review_by=_add_years(today, 2).isoformat(),
    )
    return {
        COURSE_FILE: course_md.encode(),
        "01-introduction.md": NEW_LESSON_MD.format(title="Introduction").encode(),
        QUIZ_FILE: NEW_QUIZ_MD.encode(),
    }


def create_course_draft(session, user, slug: str, title: str, *, today: date) -> Draft:
    """Start a new course as a draft; the slug must be free among courses and drafts."""
    if not is_author(user):
        raise Forbidden("Authoring is for instructors and administrators.")
    title = check_title(title)
    # A blank slug is the title's: the form suggests it, and a page without script does too.
    slug = check_slug(slug.strip() or slugify(title)[:MAX_SLUG_LENGTH].strip("-"), "slug")
    taken = session.scalar(select(Course.id).where(Course.slug == slug)) or session.scalar(
        select(Draft.id).where(Draft.slug == slug)
    )
    if taken:
        raise Conflict(f"The slug '{slug}' is already used by another course.", {"slug": "taken"})
    draft = Draft(
        slug=slug,
        created_by_id=user.id,
        files=[
            DraftFile(path=path, data=data)
            for path, data in new_course_files(title, user, today).items()
        ],
    )
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"The slug '{slug}' is already used by another course.", {"slug": "taken"}
        ) from None
    return draft


# -- reading and writing files ------------------------------------------------------------------


@dataclass
class FileInfo:
    path: str
    kind: str
    size: int
    updated_at: datetime

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "size": self.size,
            "updated_at": self.updated_at.isoformat(),
        }


def list_files(session, draft: Draft) -> list[FileInfo]:
    """Paths, kinds and sizes without loading the bytes; lessons in course order."""
    if draft.id is None:  # an unsaved draft (unsaved_draft): its files are in memory
        rows = [(f.path, len(f.data), f.updated_at) for f in draft.files]
    else:
        rows = session.execute(
            select(DraftFile.path, func.length(DraftFile.data), DraftFile.updated_at)
            .where(DraftFile.draft_id == draft.id)
            .order_by(DraftFile.path)
        ).all()
    files = [FileInfo(path, kind_of(path), int(size or 0), updated) for path, size, updated in rows]
    order = {"course": 0, "lesson": 1, "quiz": 2, "media": 3, "other": 4}
    return sorted(files, key=lambda f: (order[f.kind], _lesson_key(f.path), f.path))


def _lesson_key(path: str) -> int:
    match = LESSON_FILE.match(path)
    return int(match.group(1)) if match else 0


def get_file(draft: Draft, path: str) -> DraftFile:
    for draft_file in draft.files:
        if draft_file.path == path:
            return draft_file
    raise NotFound(f"The draft has no file '{path}'.")


def _put(draft: Draft, path: str, data: bytes) -> tuple[DraftFile, bool]:
    """Store bytes at a path, updating the row in place (the path is unique per draft), and
    mark the draft as edited."""
    _touch(draft)
    now = utcnow()
    for draft_file in draft.files:
        if draft_file.path == path:
            if draft_file.data != data:
                draft_file.data = data
                draft_file.updated_at = now
            return draft_file, False
    draft_file = DraftFile(path=path, data=data, updated_at=now)
    draft.files.append(draft_file)
    return draft_file, True


def normalize_newlines(text: str) -> str:
    """Browsers send textareas with CRLF; course files use LF like the folders on disk."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_text(session, draft: Draft, path: str, text: str) -> tuple[DraftFile, bool]:
    """Save one Markdown file (course.md, quiz.md or a lesson); returns (file, created)."""
    if file_kind(path) not in TEXT_KINDS:
        raise ValidationError(
            f'"{path}" is a media file; upload it instead of sending text.', {"path": "media"}
        )
    if not isinstance(text, str):
        raise ValidationError("The Markdown must be text.", {"markdown": "must be a string"})
    try:
        data = normalize_newlines(text).encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            f'"{path}" cannot be stored as UTF-8 text.', {"markdown": "not UTF-8"}
        ) from None
    problem = text_problem(path, data)
    if problem is not None:
        raise ValidationError(f"{problem}.", {"path": path})
    draft_file, created = _put(draft, path, data)
    session.flush()
    return draft_file, created


def save_media(session, draft: Draft, filename: str, data: bytes) -> tuple[DraftFile, bool]:
    """Store an uploaded image under media/, after the type, size and content checks."""
    name = (filename or "").strip()
    if "/" in name or "\\" in name:
        raise ValidationError(
            f'"{name}": give a plain file name, without folders.', {"file": "path"}
        )
    path = f"media/{name}"
    problem = path_problem(path)
    if problem is not None:
        raise ValidationError(f"{problem}.", {"file": problem})
    problem = media_problem(path, data)
    if problem is not None:
        raise ValidationError(f"Refused: {problem}.", {"file": problem})
    draft_file, created = _put(draft, path, data)
    session.flush()
    return draft_file, created


def write_file(session, draft: Draft, path: str, data: bytes) -> tuple[DraftFile, bool]:
    """Store raw bytes at a path: media go through the media checks, text must be UTF-8."""
    kind = file_kind(path)
    if kind == "media":
        return save_media(session, draft, path.split("/", 1)[1], data)
    return write_text(session, draft, path, decode_text(path, data))


def delete_file(session, draft: Draft, path: str) -> None:
    """Delete a lesson or a media file; course.md and quiz.md are edited, never deleted."""
    if path in (COURSE_FILE, QUIZ_FILE):
        raise BusinessRuleError(f"{path} cannot be deleted; every course needs it. Edit it.")
    draft_file = get_file(draft, path)
    draft.files.remove(draft_file)
    _touch(draft)
    session.flush()


# -- lessons ------------------------------------------------------------------------------------


def lesson_files(draft: Draft) -> list[DraftFile]:
    """Lesson files in course order (by number, then name), as the parser orders them."""
    found = []
    for draft_file in draft.files:
        match = LESSON_FILE.match(draft_file.path)
        if match is not None:
            found.append((int(match.group(1)), draft_file.path, draft_file))
    return [draft_file for _number, _path, draft_file in sorted(found, key=lambda t: t[:2])]


@dataclass
class LessonEntry:
    path: str
    slug: str
    title: str


def lesson_entries(draft: Draft) -> list[LessonEntry]:
    """The lessons in course order with their slug and the title their front matter gives."""
    return [
        LessonEntry(f.path, _lesson_parts(f.path)[1], front_matter_title(bytes(f.data), f.path))
        for f in lesson_files(draft)
    ]


def _lesson_parts(path: str) -> tuple[str, str]:
    match = LESSON_FILE.match(path)
    if match is None:
        raise NotFound(f"'{path}' is not a lesson of this draft.")
    return match.group(1), match.group(2)


def _number_width(count: int) -> int:
    return max(2, len(str(count)))


def add_lesson(session, draft: Draft, title: str, slug: str | None = None) -> DraftFile:
    """Append a lesson after the last one, from a small template with its title."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError("Give the lesson a title.", {"title": "required"})
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError("The lesson title is too long.", {"title": "too long"})
    slug = check_slug(slug, "lesson slug") if slug else (slugify(title) or "lesson")
    lessons = lesson_files(draft)
    if any(_lesson_parts(f.path)[1] == slug for f in lessons):
        raise Conflict(f"A lesson with the slug '{slug}' already exists.", {"slug": "taken"})
    number = max((int(_lesson_parts(f.path)[0]) for f in lessons), default=0) + 1
    path = f"{number:0{_number_width(number)}d}-{slug}.md"
    body = NEW_LESSON_MD.format(title=_yaml_string(title))
    draft_file, _created = _put(draft, path, body.encode())
    session.flush()
    return draft_file


def rename_lesson(session, draft: Draft, path: str, new_slug: str) -> DraftFile:
    """Change the slug part of a lesson's file name (and so its URL in the next revision)."""
    draft_file = get_file(draft, path)
    number, _old = _lesson_parts(path)
    new_slug = check_slug(new_slug, "lesson slug")
    new_path = f"{number}-{new_slug}.md"
    if new_path == path:
        return draft_file
    if any(_lesson_parts(f.path)[1] == new_slug for f in lesson_files(draft)):
        raise Conflict(f"A lesson with the slug '{new_slug}' already exists.", {"slug": "taken"})
    draft_file.path = new_path
    draft_file.updated_at = utcnow()
    _touch(draft)
    session.flush()
    return draft_file


def reorder_lessons(session, draft: Draft, order: list[str]) -> None:
    """Put the lessons in this order and renumber them 01, 02, ... (gaps and ties go away)."""
    lessons = lesson_files(draft)
    if sorted(order) != sorted(f.path for f in lessons):
        raise ValidationError(
            "Give every lesson of the draft exactly once.", {"order": "must list every lesson"}
        )
    by_path = {f.path: f for f in lessons}
    width = _number_width(len(order))
    targets = {
        path: f"{index:0{width}d}-{_lesson_parts(path)[1]}.md"
        for index, path in enumerate(order, start=1)
    }
    moving = [by_path[path] for path, target in targets.items() if path != target]
    if not moving:
        return
    # Two steps, so that no intermediate state repeats a path (unique per draft).
    for draft_file in moving:
        draft_file.path = f".reorder-{draft_file.id}"
    session.flush()
    now = utcnow()
    for path, target in targets.items():
        if path != target:
            by_path[path].path = target
            by_path[path].updated_at = now
    _touch(draft)
    session.flush()


def move_lesson(session, draft: Draft, path: str, offset: int) -> None:
    """Move one lesson up (-1) or down (+1) and renumber."""
    order = [f.path for f in lesson_files(draft)]
    if path not in order:
        raise NotFound(f"'{path}' is not a lesson of this draft.")
    index = order.index(path)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    reorder_lessons(session, draft, order)


# -- replacing all files (zip import, discarding the draft) -------------------------------------


def replace_files(session, draft: Draft, files: Mapping[str, bytes]) -> None:
    """Make the draft hold exactly these files, updating rows in place where paths persist."""
    now = utcnow()
    for draft_file in list(draft.files):
        if draft_file.path not in files:
            draft.files.remove(draft_file)
    session.flush()
    existing = {f.path: f for f in draft.files}
    for path, data in sorted(files.items()):
        current = existing.get(path)
        if current is None:
            draft.files.append(DraftFile(path=path, data=bytes(data), updated_at=now))
        elif current.data != data:
            current.data = bytes(data)
            current.updated_at = now
    _touch(draft)
    session.flush()


def discard_changes(session, draft: Draft) -> CourseRevision:
    """Start the draft again from the course's current revision."""
    course = _course_for(session, draft)
    if course is None or course.current_revision is None:
        raise BusinessRuleError("This course was never published; there is nothing to go back to.")
    revision = course.current_revision
    replace_files(session, draft, catalog.export_files(revision))
    draft.course = course
    draft.based_on_revision_id = revision.id
    session.flush()
    return revision


@dataclass
class ImportResult:
    files: int
    folder: str | None
    notes: list[str] = field(default_factory=list)


def import_zip(session, draft: Draft, data: bytes) -> ImportResult:
    """Replace the draft's files with a zip of the folder format; a refused zip changes nothing."""
    from ce_platform.authoring import zips

    imported = zips.read_course_zip(data)
    replace_files(session, draft, imported.files)
    notes = []
    if imported.folder is not None and imported.folder != draft.slug:
        notes.append(f'The zip\'s folder "{imported.folder}" was imported as "{draft.slug}".')
    if imported.ignored:
        shown = ", ".join(imported.ignored[:3]) + (", ..." if len(imported.ignored) > 3 else "")
        notes.append(
            f"{len(imported.ignored)} hidden or system file(s) were skipped, as `flask courses "
            f"sync` skips them: {shown}."
        )
    if imported.provider_text is not None:
        notes.append(
            "provider.yml was not imported: the provider is shared by every course and changes "
            "only through `flask courses sync`."
        )
    return ImportResult(len(imported.files), imported.folder, notes)


# -- provider, preview and publish --------------------------------------------------------------


def provider_for(session, course: Course | None) -> content.Provider:
    """The provider a publish uses: the course's current revision's, else the latest published."""
    revision = course.current_revision if course is not None else None
    if revision is None:
        revision = session.scalar(
            select(CourseRevision)
            .join(Course, Course.current_revision_id == CourseRevision.id)
            .order_by(CourseRevision.published_at.desc(), CourseRevision.id.desc())
            .limit(1)
        )
    if revision is None:
        raise BusinessRuleError(
            "No provider.yml is known yet: publish the first course with "
            "`flask courses sync` so the platform knows its CE provider."
        )
    provider, diagnostics = content.parse_provider(revision.provider_source)
    if provider is None:
        raise BusinessRuleError(
            "The provider.yml of the published course has errors; fix it with "
            "`flask courses sync`.",
            {"diagnostics": diagnostics_json(diagnostics)},
        )
    return provider


def preview_provider(session, course: Course | None) -> content.Provider | None:
    """The provider to check accreditation keys against in a preview, when one is known."""
    try:
        return provider_for(session, course)
    except BusinessRuleError:
        return None


def preview_sources(session, user, slug: str) -> tuple[dict[str, bytes], content.Provider | None]:
    """What a preview validates against: the draft's files, else the published revision's."""
    draft, _created = open_draft(session, user, slug, create=False)
    if draft is not None:
        return draft_files(draft), preview_provider(session, _course_for(session, draft))
    course = session.scalar(select(Course).where(Course.slug == slug))
    return catalog.export_files(course.current_revision), preview_provider(session, course)


def diagnostics_json(diagnostics: list[content.Diagnostic]) -> list[dict]:
    return [
        {
            "path": d.path,
            "line": d.line,
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
        }
        for d in diagnostics
    ]


@dataclass
class Preview:
    """Sanitized HTML of one file and the diagnostics of the whole draft with that file."""

    html: str
    diagnostics: list[content.Diagnostic]

    def to_json(self) -> dict:
        return {"html": self.html, "diagnostics": diagnostics_json(self.diagnostics)}


def _quiz_html(text: str, path: str, media_prefix: str | None) -> str:
    """The post-test as an author checks it: prompts, options marked correct, feedback."""
    scratch: list[content.Diagnostic] = []
    source = read_markdown(text, path, scratch, front_matter_required=False)
    quiz = parse_quiz(source, scratch, media_prefix=media_prefix).quiz
    parts: list[str] = []
    for question in quiz.questions:
        parts.append("<div>")
        kind = "select all that apply" if question.kind == "multiple" else "one answer"
        parts.append(f"<h3>{escape(question.id)} <small>({kind})</small></h3>")
        parts.append(question.prompt_html)
        parts.append("<ul>")
        for option in question.options:
            mark = "<strong>✓ correct:</strong> " if option.correct else ""
            parts.append(f"<li>{mark}{option.html}")
            if option.feedback_html:
                parts.append(f"<blockquote>{option.feedback_html}</blockquote>")
            parts.append("</li>")
        parts.append("</ul>")
        if question.explanation_html:
            parts.append(f"<blockquote>{question.explanation_html}</blockquote>")
        parts.append("</div>")
    return content.sanitize_html("\n".join(parts))


def render_file(path: str, text: str, media_prefix: str | None) -> str:
    """Sanitized HTML of one Markdown file: the body of a lesson or course.md, or the quiz."""
    text = normalize_newlines(text)
    if path == QUIZ_FILE:
        return _quiz_html(text, path, media_prefix)
    scratch: list[content.Diagnostic] = []
    source = read_markdown(text, path, scratch)
    return content.render_markdown(source.body, media_prefix=media_prefix).html


def preview(
    slug: str | None,
    path: str,
    markdown: str,
    files: Mapping[str, bytes] | None,
    *,
    provider: content.Provider | None,
    media_prefix: str | None,
    today: date | None = None,
) -> Preview:
    """Render one file and validate the whole draft with that file replaced.

    Diagnostics of the edited file come first, then the rest of the course's. Without a
    course (files=None) only the edited file's own diagnostics are returned.
    """
    if file_kind(path) not in TEXT_KINDS:
        raise ValidationError(f'"{path}" is a media file; only Markdown is previewed.')
    if not isinstance(markdown, str):
        raise ValidationError("The Markdown must be text.", {"markdown": "must be a string"})
    try:
        data = normalize_newlines(markdown).encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("The Markdown is not valid UTF-8 text.") from None
    if len(data) > MAX_TEXT_BYTES:
        raise ValidationError(f"{text_problem(path, data)}.")
    html = render_file(path, markdown, media_prefix)
    label = slug or "preview"
    course_files = dict(files) if files is not None else {}
    course_files[path] = data
    _source, diagnostics = content.parse_course(
        label, course_files, provider=provider, media_prefix=media_prefix, today=today
    )
    own = f"{label}/{path}"
    if files is None:
        diagnostics = [d for d in diagnostics if d.path == own and d.code != "M003"]
    diagnostics.sort(key=lambda d: d.path != own)  # stable: the edited file first
    return Preview(html, diagnostics)


def publish_draft(session, draft: Draft, *, published_by_id: int | None) -> catalog.SyncOutcome:
    """Validate the whole draft and publish it as the next revision, or change nothing.

    The catalog's publish_course parses the files before it writes anything and returns
    "rejected" with every diagnostic; that raises BusinessRuleError (422) here, with the
    diagnostics in details. It runs in a SAVEPOINT, so a failure part-way leaves no trace.
    """
    provider = provider_for(session, _course_for(session, draft))
    files = draft_files(draft)
    try:
        with session.begin_nested():
            outcome = catalog.publish_course(
                session, draft.slug, files, provider, published_by_id=published_by_id
            )
            if outcome.status == "rejected":
                raise _Rejected(outcome)
    except _Rejected as rejected:
        diagnostics = rejected.outcome.diagnostics
        errors = sum(1 for d in diagnostics if d.is_error)
        raise BusinessRuleError(
            f"The draft has {errors} error(s); nothing was published. Fix them and try again.",
            {"diagnostics": diagnostics_json(diagnostics)},
        ) from None
    except IntegrityError:
        raise Conflict(
            "Another revision of this course was published at the same moment; try again."
        ) from None
    revision = outcome.revision
    if draft.course is None:
        draft.course = revision.course
    draft.based_on_revision_id = revision.id
    session.flush()
    return outcome


class _Rejected(Exception):
    def __init__(self, outcome: catalog.SyncOutcome):
        super().__init__(outcome.status)
        self.outcome = outcome


# -- history and diffs --------------------------------------------------------------------------


@dataclass
class RevisionEntry:
    number: int
    title: str
    content_hash: str
    published_at: datetime
    published_by: str | None
    is_current: bool


def course_of_draft(session, draft: Draft) -> Course | None:
    return _course_for(session, draft)


def revision_history(session, course: Course | None) -> list[RevisionEntry]:
    """Every revision of a course, newest first, with who published it."""
    if course is None:
        return []
    rows = session.execute(
        select(
            CourseRevision.id,
            CourseRevision.number,
            CourseRevision.title,
            CourseRevision.content_hash,
            CourseRevision.published_at,
            User.full_name,
        )
        .outerjoin(User, User.id == CourseRevision.published_by_id)
        .where(CourseRevision.course_id == course.id)
        .order_by(CourseRevision.number.desc())
    ).all()
    return [
        RevisionEntry(
            number, title, content_hash, published_at, name, rid == course.current_revision_id
        )
        for rid, number, title, content_hash, published_at, name in rows
    ]


def find_revision(session, course: Course | None, number: int) -> CourseRevision:
    """One revision of a course, by number."""
    if course is None:
        raise NotFound("This course has no published revisions yet.")
    revision = session.scalar(
        select(CourseRevision).where(
            CourseRevision.course_id == course.id, CourseRevision.number == number
        )
    )
    if revision is None:
        raise NotFound(f"Course '{course.slug}' has no revision {number}.")
    return revision


def revision_files(session, course: Course | None, number: int) -> dict[str, bytes]:
    """The files of one revision of a course, by number, as published."""
    revision = find_revision(session, course, number)
    return dict(
        session.execute(
            select(RevisionFile.path, RevisionFile.data).where(
                RevisionFile.revision_id == revision.id
            )
        ).all()
    )


@dataclass
class FileDiff:
    path: str
    status: str  # added | removed | changed | unchanged
    binary: bool
    lines: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.binary:
            return f"binary file {self.status}"
        return self.status


def _as_text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def diff_files(
    old: Mapping[str, bytes], new: Mapping[str, bytes], old_label: str, new_label: str
) -> list[FileDiff]:
    """A unified diff per file between two versions of a course folder."""
    diffs: list[FileDiff] = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before is None:
            status = "added"
        elif after is None:
            status = "removed"
        elif before == after:
            status = "unchanged"
        else:
            status = "changed"
        before_text, after_text = _as_text(before), _as_text(after)
        if before_text is None or after_text is None:
            diffs.append(FileDiff(path, status, True))
            continue
        lines = []
        if status != "unchanged":
            lines = list(
                difflib.unified_diff(
                    before_text.splitlines(),
                    after_text.splitlines(),
                    fromfile=f"{old_label}/{path}" if before is not None else "/dev/null",
                    tofile=f"{new_label}/{path}" if after is not None else "/dev/null",
                    lineterm="",
                )
            )
        diffs.append(FileDiff(path, status, False, lines))
    return diffs


def draft_changes(session, draft: Draft) -> dict[str, str]:
    """Per path: added | changed | unchanged | removed, against the current revision."""
    course = _course_for(session, draft)
    current = course.current_revision if course is not None else None
    published = catalog.export_files(current) if current is not None else {}
    files = draft_files(draft)
    changes = {}
    for path in set(files) | set(published):
        if path not in published:
            changes[path] = "added"
        elif path not in files:
            changes[path] = "removed"
        else:
            changes[path] = "unchanged" if files[path] == published[path] else "changed"
    return changes
