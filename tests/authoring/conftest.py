"""Authoring fixtures: a published course, its instructor, other accounts, zip helpers."""

from __future__ import annotations

import html as html_lib
import io
import re
import stat
import struct
import zipfile
import zlib

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ce_platform.authoring.models import Draft
from ce_platform.catalog.models import Course, CourseRevision
from ce_platform.extensions import db
from tests import factories
from tests.conftest import csrf_token

INSTRUCTOR = "instructor@example.org"  # named in the factories' course.md
OTHER = "other.instructor@example.org"
ADMIN = "admin@example.org"
LEARNER = "learner@example.org"
SLUG = "test-course"
BASE = f"/authoring/courses/{SLUG}"
API = f"/api/v1/authoring/courses/{SLUG}"


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A real, minimal RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x10\x60\x90" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png_bytes()


@pytest.fixture
def instructor():
    return factories.user(INSTRUCTOR, role="instructor", full_name="Ira Instructor")


@pytest.fixture
def other_instructor():
    return factories.user(OTHER, role="instructor", full_name="Olu Other")


@pytest.fixture
def admin():
    return factories.user(ADMIN, role="admin", full_name="Ada Admin")


@pytest.fixture
def learner():
    return factories.user(LEARNER, full_name="Lee Learner")


@pytest.fixture
def course(instructor):
    return factories.course(SLUG, title="Test Course")


@pytest.fixture
def author(auth, instructor, course):
    """The course's instructor, signed in to the pages."""
    auth.login(INSTRUCTOR)
    return auth


@pytest.fixture
def workspace(client, author):
    """The instructor signed in with the course's authoring page opened."""
    assert client.get(f"{BASE}/").status_code == 200
    return author


@pytest.fixture
def author_api(api, instructor, course):
    """The course's instructor, signed in to the API."""
    api.login(INSTRUCTOR)
    return api


def token(client, path: str = "/authoring/") -> str:
    return csrf_token(client, path)


def post_form(client, path: str, data: dict | None = None, *, token_from: str = "/authoring/"):
    form = {"csrf_token": token(client, token_from), **(data or {})}
    return client.post(path, data=form)


def text(response) -> str:
    return response.get_data(as_text=True)


def revision_count(slug: str = SLUG) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(CourseRevision)
        .join(Course, Course.id == CourseRevision.course_id)
        .where(Course.slug == slug)
    )


def draft_snapshot(slug: str = SLUG) -> dict[str, bytes]:
    db.session.expire_all()
    draft = db.session.scalar(select(Draft).where(Draft.slug == slug))
    if draft is not None:
        return {f.path: bytes(f.data) for f in draft.files}
    # No change yet: the author works on a copy of the current revision.
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_revision is None:
        return {}
    return {f.path: bytes(f.data) for f in course.current_revision.files}


def line_of(source: bytes | str, needle: str) -> int:
    """1-based line of the first line that starts with needle."""
    lines = (source.decode() if isinstance(source, bytes) else source).split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(needle))


def make_zip(entries, *, compression=zipfile.ZIP_DEFLATED, level: int | None = None) -> bytes:
    """entries: (name, bytes) pairs or ZipInfo/bytes pairs, written as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=level) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def course_entries(folder: str = SLUG, files: dict[str, bytes] | None = None):
    files = files or factories.course_files()
    return [(f"{folder}/{path}", data) for path, data in files.items()]


def post_multipart(client, path: str, fields: dict, token_from: str):
    """POST a form with files, encoded in memory (large bodies would go through a temp file)."""
    values = {"csrf_token": token(client, token_from), **fields}
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def import_zip(client, data: bytes, name: str = "course.zip"):
    return post_multipart(
        client, f"{BASE}/import", {"archive": FileStorage(io.BytesIO(data), name)}, f"{BASE}/"
    )


def upload(client, name: str, data: bytes):
    return post_multipart(
        client, f"{BASE}/media", {"file": FileStorage(io.BytesIO(data), name)}, f"{BASE}/"
    )


def error_message(response) -> str:
    """The text of the page's error summary, tags removed."""
    html = text(response)
    match = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', html, re.S)
    assert match, html[:2000]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))))
