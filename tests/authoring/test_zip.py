"""Zip export and import: the `courses export` layout, round trips, and every bad zip refused."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from tests import factories
from tests.authoring.conftest import (
    API,
    BASE,
    PNG,
    SLUG,
    course_entries,
    draft_snapshot,
    error_message,
    import_zip,
    make_zip,
    revision_count,
    symlink_info,
)

LESSON_WITH_IMAGE = "---\ntitle: Lesson 1\n---\nA figure:\n\n![A dot](media/dot.png)\n"


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def low_entropy(size: int) -> bytes:
    """Bytes that deflate about 6 to 1: well under the ratio limit, far from random."""
    return os.urandom(size).translate(bytes(b"ab"[i % 2] for i in range(256)))


def publish_with_media(api) -> int:
    assert api.put(f"{API}/files/media/dot.png", data=PNG).status_code == 201
    response = api.put(f"{API}/files/01-lesson-1.md", json={"markdown": LESSON_WITH_IMAGE})
    assert response.status_code == 200
    published = api.post(f"{API}/publish")
    assert published.status_code == 201, published.get_json()
    return published.get_json()["revision"]["number"]


def test_revision_zip_equals_the_folder_export_and_syncs_unchanged(
    client, auth, author_api, runner, tmp_path
):
    number = publish_with_media(author_api)
    auth.login("instructor@example.org")
    response = client.get(f"{BASE}/r{number}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"{SLUG}-r{number}.zip" in response.headers["Content-Disposition"]
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "provider.yml" in archive.namelist()
        assert all(n == "provider.yml" or n.startswith(f"{SLUG}/") for n in archive.namelist())
        archive.extractall(unzipped)

    exported = tmp_path / "exported"
    result = runner.invoke(args=["courses", "export", SLUG, str(exported)])
    assert result.exit_code == 0, result.output
    from_zip, from_export = tree(unzipped), tree(exported)
    assert sorted(from_zip) == sorted(from_export)
    for path in from_export:
        assert from_zip[path] == from_export[path], path
    assert f"{SLUG}/media/dot.png" in from_zip

    synced = runner.invoke(args=["courses", "sync", str(unzipped)])
    assert synced.exit_code == 0, synced.output
    assert f"{SLUG}: unchanged (revision {number})" in synced.output


def test_draft_zip_imports_back_unchanged(client, author):
    exported = client.get(f"{BASE}/draft.zip")
    assert exported.status_code == 200
    before = draft_snapshot()
    response = import_zip(client, exported.data)
    assert response.status_code == 302
    assert draft_snapshot() == before


def test_import_replaces_the_draft_and_publishes_as_a_new_revision(client, author, api):
    files = factories.course_files(lessons=2, lesson_body="Imported from a zip.")
    data = make_zip([*course_entries(files=files), ("provider.yml", factories.PROVIDER_YML)])
    response = import_zip(client, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 4 file(s) into the draft" in page
    assert "provider.yml was not imported" in page
    assert draft_snapshot() == files
    api.login("instructor@example.org")
    assert api.post(f"{API}/publish").status_code == 201
    assert revision_count() == 2


def test_import_accepts_the_course_files_at_the_root(client, author):
    files = factories.course_files(lesson_body="At the root.")
    response = import_zip(client, make_zip(list(files.items())))
    assert response.status_code == 302
    assert draft_snapshot() == files


def test_import_skips_hidden_and_system_files_like_the_folder_sync(client, author):
    files = factories.course_files()
    entries = [
        *course_entries(files=files),
        (f"{SLUG}/.DS_Store", b"\0\0\0\1Bud1"),
        (f"__MACOSX/{SLUG}/._course.md", b"\0\5\26\7"),
        (f"{SLUG}/media/.gitkeep", b""),
    ]
    response = import_zip(client, make_zip(entries))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 hidden or system file(s) were skipped" in page
    assert draft_snapshot() == files


BAD_ZIPS = {
    "ratio bomb": (
        lambda: make_zip(
            [*course_entries(), (f"{SLUG}/04-bomb.md", b"---\ntitle: x\n---\n" + b"a" * 400_000)]
        ),
        f'entry "{SLUG}/04-bomb.md" is compressed',
        "looks like a zip bomb",
    ),
    "size bomb": (
        lambda: make_zip(
            [
                *course_entries(),
                *((f"{SLUG}/media/f{n}.png", low_entropy(1_950_000)) for n in range(11)),
            ],
            level=1,
        ),
        f'entry "{SLUG}/media/f10.png" takes the unpacked size of the zip past 20.0 MB',
        "zip bomb",
    ),
    "oversized entry": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/media/huge.png", low_entropy(3_000_000))]),
        f'entry "{SLUG}/media/huge.png" unpacks to 2.9 MB',
        "the limit for a media file is 2.0 MB",
    ),
    "dot-dot path": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/../evil.md", b"x")]),
        f'entry "{SLUG}/../evil.md"',
        'leaves the folder ("..")',
    ),
    "absolute path": (
        lambda: make_zip([*course_entries(), ("/etc/cron.d/evil", b"x")]),
        'entry "/etc/cron.d/evil"',
        "has an absolute path",
    ),
    "drive path": (
        lambda: make_zip([*course_entries(), ("C:/evil.md", b"x")]),
        'entry "C:/evil.md"',
        "has an absolute path",
    ),
    "backslash path": (
        lambda: make_zip([*course_entries(), (f"{SLUG}\\..\\evil.md", b"x")]),
        "evil.md",
        "uses a backslash",
    ),
    "symlink entry": (
        lambda: make_zip([*course_entries(), (symlink_info(f"{SLUG}/media/x.png"), "/etc/passwd")]),
        f'entry "{SLUG}/media/x.png"',
        "is a symbolic link",
    ),
    "non-UTF-8 Markdown": (
        lambda: make_zip(
            [*course_entries(), (f"{SLUG}/04-latin.md", b"---\ntitle: caf\xe9\n---\n")]
        ),
        f'entry "{SLUG}/04-latin.md"',
        "is not valid UTF-8 text (line 2",
    ),
    "executable": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/setup.exe", b"MZ\x90\x00")]),
        f'entry "{SLUG}/setup.exe"',
        'file type ".exe" is not allowed',
    ),
    "html page": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/index.html", b"<script>x</script>")]),
        f'entry "{SLUG}/index.html"',
        'file type ".html" is not allowed',
    ),
    "html in media": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/media/page.html", b"<p>x</p>")]),
        f'entry "{SLUG}/media/page.html"',
        'file type ".html" is not allowed in media/',
    ),
    "nested folder": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/extra/01-more.md", b"x")]),
        f'entry "{SLUG}/extra/01-more.md"',
        "folders other than media/ are not allowed",
    ),
    "too many entries": (
        lambda: make_zip(
            [*course_entries(), *((f"{SLUG}/media/i{n}.png", PNG) for n in range(500))]
        ),
        "it has 505 entries",
        "the limit is 500",
    ),
    "two course folders": (
        lambda: make_zip([*course_entries(), *course_entries("another-course")]),
        "it must hold one course folder, not 2",
        "another-course",
    ),
    "no course.md": (
        lambda: make_zip([(f"{SLUG}/01-only.md", b"---\ntitle: x\n---\n")]),
        "it has no course.md",
        "",
    ),
    "unsafe SVG": (
        lambda: make_zip(
            [*course_entries(), (f"{SLUG}/media/x.svg", b"<svg onload='alert(1)'></svg>")]
        ),
        f'entry "{SLUG}/media/x.svg"',
        "unsafe SVG",
    ),
    "dot segment": (
        lambda: make_zip([*course_entries(), (f"{SLUG}/./01-dot.md", b"x")]),
        f'entry "{SLUG}/./01-dot.md"',
        'has an empty or "." folder name',
    ),
    "not a zip": (lambda: b"PK\x03\x04 this is not really a zip", "not a readable zip", ""),
}


@pytest.mark.parametrize("case", list(BAD_ZIPS))
def test_bad_zip_is_refused_with_a_clear_message_and_changes_nothing(client, author, case):
    build, names_entry, names_problem = BAD_ZIPS[case]
    client.get(f"{BASE}/")
    before = draft_snapshot()
    response = import_zip(client, build())
    assert response.status_code == 400, case
    message = error_message(response)
    assert "Zip refused" in message
    assert names_entry in message, message
    assert names_problem in message, message
    assert draft_snapshot() == before
    assert revision_count() == 1


def test_a_zip_with_a_lying_size_header_is_refused(client, author):
    data = bytearray(make_zip([*course_entries(), (f"{SLUG}/04-x.md", b"---\n" + b"y" * 5000)]))
    # Shrink the declared size of the last entry in its local and central headers.
    name = f"{SLUG}/04-x.md".encode()
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        start = data.rfind(header, 0, data.rfind(name))
        size_at = start + (22 if header == b"PK\x03\x04" else 24)
        data[size_at : size_at + 4] = (10).to_bytes(4, "little")
    client.get(f"{BASE}/")
    before = draft_snapshot()
    response = import_zip(client, bytes(data))
    assert response.status_code == 400
    assert f'entry "{SLUG}/04-x.md"' in error_message(response)
    assert draft_snapshot() == before
