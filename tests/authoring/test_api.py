"""The authoring API: list, read, write and delete a draft's files; create courses."""

from __future__ import annotations

from tests import factories
from tests.authoring.conftest import API, SLUG, draft_snapshot


def test_files_lists_the_draft_opened_from_the_published_revision(author_api):
    response = author_api.get(f"{API}/files")
    assert response.status_code == 200
    files = response.get_json()["files"]
    assert [f["path"] for f in files] == [
        "course.md",
        "01-lesson-1.md",
        "02-lesson-2.md",
        "03-lesson-3.md",
        "quiz.md",
    ]
    published = factories.course_files()
    assert {f["path"]: f["size"] for f in files} == {p: len(d) for p, d in published.items()}
    assert {f["kind"] for f in files} == {"course", "lesson", "quiz"}
    assert all(f["updated_at"] for f in files)


def test_read_and_write_one_file_as_markdown(author_api):
    read = author_api.get(f"{API}/files/quiz.md")
    assert read.status_code == 200
    assert read.get_json()["markdown"] == factories.course_files()["quiz.md"].decode()
    changed = read.get_json()["markdown"].replace("passing_score: 75", "passing_score: 80")
    written = author_api.put(f"{API}/files/quiz.md", json={"markdown": changed})
    assert written.status_code == 200
    assert written.get_json()["file"]["size"] == len(changed.encode())
    assert author_api.get(f"{API}/files/quiz.md").get_json()["markdown"] == changed


def test_put_creates_a_new_lesson_and_delete_removes_it(author_api):
    lesson = "---\ntitle: Four\n---\nBody.\n"
    created = author_api.put(f"{API}/files/04-four.md", json={"markdown": lesson})
    assert created.status_code == 201
    assert draft_snapshot()["04-four.md"] == lesson.encode()
    assert author_api.delete(f"{API}/files/04-four.md").status_code == 200
    assert "04-four.md" not in draft_snapshot()
    assert author_api.get(f"{API}/files/04-four.md").status_code == 404


def test_write_validates_the_body_and_the_path(author_api):
    assert author_api.put(f"{API}/files/quiz.md", json={"text": "x"}).status_code == 400
    assert author_api.put(f"{API}/files/quiz.md", data="x").status_code == 400
    refused = author_api.put(f"{API}/files/notes.txt", json={"markdown": "x"})
    assert refused.status_code == 400
    assert 'file type ".txt" is not allowed' in refused.get_json()["error"]["message"]
    surrogate = author_api.put(
        f"{API}/files/quiz.md",
        data=b'{"markdown": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 400
    assert "UTF-8" in surrogate.get_json()["error"]["message"]


def test_unknown_courses_are_not_found(author_api):
    assert author_api.get("/api/v1/authoring/courses/nope/files").status_code == 404


def test_my_courses_in_the_api(author_api):
    courses = author_api.get("/api/v1/authoring/courses").get_json()["courses"]
    assert courses == [
        {"slug": SLUG, "title": "Test Course", "status": "no_draft", "published_revision": 1}
    ]
    author_api.put(f"{API}/files/quiz.md", json={"markdown": "changed"})
    courses = author_api.get("/api/v1/authoring/courses").get_json()["courses"]
    assert courses[0]["status"] == "changed"


def test_the_openapi_document_describes_the_authoring_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/authoring/courses/{slug}/files/{path}"]) == {"get", "put", "delete"}
    publish = paths["/api/v1/authoring/courses/{slug}/publish"]["post"]["responses"]
    assert {"201", "422"} <= set(publish)
