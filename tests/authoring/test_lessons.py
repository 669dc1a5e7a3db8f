"""The draft workspace: lessons added, renamed, reordered, deleted; files saved; my courses."""

from __future__ import annotations

from tests.authoring.conftest import (
    API,
    BASE,
    SLUG,
    draft_snapshot,
    error_message,
    post_form,
    text,
)

LESSONS = ["01-lesson-1.md", "02-lesson-2.md", "03-lesson-3.md"]


def lesson_paths() -> list[str]:
    return sorted(p for p in draft_snapshot() if p[0].isdigit())


def test_add_lesson_appends_a_numbered_file_from_the_title(client, author):
    response = post_form(client, f"{BASE}/lessons", {"title": "Safety: Planning & Aftercare"})
    assert response.status_code == 302
    files = draft_snapshot()
    assert "04-safety-planning-aftercare.md" in files
    assert files["04-safety-planning-aftercare.md"].startswith(
        b'---\ntitle: "Safety: Planning & Aftercare"\n---\n'
    )
    explicit = post_form(client, f"{BASE}/lessons", {"title": "Two", "slug": "second-part"})
    assert explicit.status_code == 302
    assert "05-second-part.md" in draft_snapshot()


def test_add_lesson_refuses_a_slug_already_used(client, author):
    response = post_form(client, f"{BASE}/lessons", {"title": "Again", "slug": "lesson-2"})
    assert response.status_code == 409
    assert "already exists" in error_message(response)
    assert lesson_paths() == LESSONS


def test_rename_changes_the_slug_and_keeps_number_and_content(client, workspace):
    before = draft_snapshot()["02-lesson-2.md"]
    response = post_form(
        client, f"{BASE}/lessons/rename", {"path": "02-lesson-2.md", "slug": "dosing"}
    )
    assert response.status_code == 302
    files = draft_snapshot()
    assert files["02-dosing.md"] == before and "02-lesson-2.md" not in files
    bad = post_form(client, f"{BASE}/lessons/rename", {"path": "02-dosing.md", "slug": "No Way"})
    assert bad.status_code == 400
    taken = post_form(
        client, f"{BASE}/lessons/rename", {"path": "02-dosing.md", "slug": "lesson-3"}
    )
    assert taken.status_code == 409


def test_moving_a_lesson_reorders_and_renumbers(client, workspace):
    content = draft_snapshot()
    response = post_form(
        client, f"{BASE}/lessons/move", {"path": "03-lesson-3.md", "direction": "up"}
    )
    assert response.status_code == 302
    assert lesson_paths() == ["01-lesson-1.md", "02-lesson-3.md", "03-lesson-2.md"]
    files = draft_snapshot()
    assert files["02-lesson-3.md"] == content["03-lesson-3.md"]
    post_form(client, f"{BASE}/lessons/move", {"path": "01-lesson-1.md", "direction": "down"})
    assert lesson_paths() == ["01-lesson-3.md", "02-lesson-1.md", "03-lesson-2.md"]
    post_form(client, f"{BASE}/lessons/move", {"path": "01-lesson-3.md", "direction": "up"})
    assert lesson_paths() == ["01-lesson-3.md", "02-lesson-1.md", "03-lesson-2.md"]


def test_the_reordered_draft_publishes_lessons_in_the_new_order(client, author, api):
    post_form(client, f"{BASE}/lessons/move", {"path": "02-lesson-2.md", "direction": "up"})
    api.login("instructor@example.org")
    assert api.post(f"{API}/publish").status_code == 201
    course = api.get(f"/api/v1/courses/{SLUG}").get_json()
    assert [lesson["slug"] for lesson in course["lessons"]] == ["lesson-2", "lesson-1", "lesson-3"]


def test_deleting_every_lesson_is_allowed_but_publishing_then_fails(client, author):
    for path in LESSONS:
        assert post_form(client, f"{BASE}/files/delete", {"path": path}).status_code == 302
    assert lesson_paths() == []
    response = post_form(client, f"{BASE}/publish", token_from=f"{BASE}/")
    assert response.status_code == 422
    assert f"{SLUG}/course.md:1: error: L004: the course has no lessons" in text(response)


def test_course_md_and_quiz_md_cannot_be_deleted(client, author):
    response = post_form(client, f"{BASE}/files/delete", {"path": "quiz.md"})
    assert response.status_code == 422
    assert "quiz.md" in draft_snapshot()


def test_saving_normalizes_line_endings_and_keeps_an_unchanged_file_unchanged(client, workspace):
    editor = f"{BASE}/edit/01-lesson-1.md"
    original = draft_snapshot()["01-lesson-1.md"]
    crlf = original.decode().replace("\n", "\r\n")
    response = post_form(client, editor, {"markdown": crlf, "action": "save"}, token_from=editor)
    assert response.status_code == 302
    assert draft_snapshot()["01-lesson-1.md"] == original
    listing = text(client.get("/authoring/"))
    assert "Draft matches the published revision" in listing


def test_my_courses_shows_when_the_draft_differs_from_the_published_revision(client, author):
    assert "Published; no draft opened yet" in text(client.get("/authoring/"))
    editor = f"{BASE}/edit/01-lesson-1.md"
    post_form(
        client,
        editor,
        {"markdown": "---\ntitle: Lesson 1\n---\nChanged.\n", "action": "save"},
        token_from=editor,
    )
    listing = text(client.get("/authoring/"))
    assert "Draft has unpublished changes" in listing
    overview = text(client.get(f"{BASE}/"))
    assert "<td>changed</td>" in overview


def test_discarding_the_draft_goes_back_to_the_published_files(client, workspace):
    published = draft_snapshot()
    post_form(client, f"{BASE}/files/delete", {"path": "02-lesson-2.md"})
    assert post_form(client, f"{BASE}/discard", token_from=f"{BASE}/").status_code == 302
    assert draft_snapshot() == published


def test_an_oversized_or_misnamed_file_is_not_saved(client, author, api):
    api.login("instructor@example.org")
    big = "---\ntitle: Big\n---\n" + "x" * (512 * 1024)
    response = api.put(f"{API}/files/01-lesson-1.md", json={"markdown": big})
    assert response.status_code == 400
    assert (
        "the limit for a Markdown file is 524,288 bytes" in response.get_json()["error"]["message"]
    )
    for path in ("../escape.md", "notes.txt", "1-Bad.md", "media/../../x.md", "a\\b.md"):
        response = api.put(f"{API}/files/{path}", json={"markdown": "x"})
        assert response.status_code in (400, 404), path
    assert lesson_paths() == LESSONS


def test_the_new_course_form_creates_a_draft_and_reports_problems(client, author):
    response = post_form(client, "/authoring/courses", {"slug": "new-one", "title": "New One"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/authoring/courses/new-one/")
    assert "New One" in text(client.get("/authoring/"))
    again = post_form(client, "/authoring/courses", {"slug": "new-one", "title": "Again"})
    assert again.status_code == 409
    assert "already used" in error_message(again)
    bad = post_form(client, "/authoring/courses", {"slug": "Bad!", "title": "Bad"})
    assert bad.status_code == 400
    assert 'value="Bad!"' in text(bad)  # the form keeps what was typed
