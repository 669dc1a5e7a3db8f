"""Preview: sanitized HTML of one file and line-numbered diagnostics of the whole draft."""

from __future__ import annotations

import re
from pathlib import Path

from tests import factories
from tests.authoring.conftest import BASE, SLUG, draft_snapshot, line_of, text, token


def quiz_without_correct_option() -> str:
    quiz = factories.course_files()["quiz.md"].decode()
    return quiz.replace("- [x] Right answer 2", "- [ ] Right answer 2")


def test_api_preview_reports_a_question_without_correct_option_at_its_heading(author_api):
    quiz = quiz_without_correct_option()
    response = author_api.post(
        "/api/v1/authoring/preview", json={"path": "quiz.md", "markdown": quiz, "course": SLUG}
    )
    assert response.status_code == 200, response.get_json()
    diagnostics = response.get_json()["diagnostics"]
    q003 = [d for d in diagnostics if d["code"] == "Q003"]
    assert q003 == [
        {
            "path": f"{SLUG}/quiz.md",
            "line": line_of(quiz, "## q2"),
            "severity": "error",
            "code": "Q003",
            "message": 'question "q2" has no correct option',
        }
    ]
    assert line_of(quiz, "## q2") == 20  # the factories' quiz: front matter, then q1


def test_preview_lists_the_edited_file_first_and_the_rest_of_the_course_after(author_api):
    author_api.put(
        f"/api/v1/authoring/courses/{SLUG}/files/course.md",
        json={"markdown": factories.course_files()["course.md"].decode() + "\n[a](../x.md)\n"},
    )
    lesson = "---\ntitle: One\nminutes: zero\n---\nText.\n"
    response = author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "01-lesson-1.md", "markdown": lesson, "course": SLUG},
    )
    diagnostics = response.get_json()["diagnostics"]
    paths = [d["path"] for d in diagnostics]
    assert paths[0] == f"{SLUG}/01-lesson-1.md"
    assert f"{SLUG}/course.md" in paths
    assert paths.index(f"{SLUG}/course.md") > max(
        i for i, p in enumerate(paths) if p == f"{SLUG}/01-lesson-1.md"
    )
    own = next(d for d in diagnostics if d["path"] == f"{SLUG}/01-lesson-1.md")
    assert own["line"] == 3 and own["code"] == "F008"  # minutes: not an integer


def test_preview_renders_the_lesson_body_to_sanitized_html(author_api):
    lesson = "---\ntitle: One\n---\n## Heading\n\nSome *text*.[^1]\n\n[^1]: A reference.\n"
    body = author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "01-lesson-1.md", "markdown": lesson, "course": SLUG},
    ).get_json()
    assert '<h2 id="heading">Heading</h2>' in body["html"]
    assert "<em>text</em>" in body["html"] and 'class="footnote"' in body["html"]
    assert "title: One" not in body["html"]  # front matter is not content


def test_preview_without_a_course_checks_only_that_file(author_api):
    body = author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "02-notes.md", "markdown": "No front matter here."},
    ).get_json()
    assert [(d["code"], d["line"]) for d in body["diagnostics"]] == [("F002", 1)]
    assert body["html"] == "<p>No front matter here.</p>"
    assert body["diagnostics"][0]["path"].endswith("/02-notes.md")


def test_preview_does_not_save_anything(author_api):
    author_api.get(f"/api/v1/authoring/courses/{SLUG}/files")
    before = draft_snapshot()
    author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "quiz.md", "markdown": "changed", "course": SLUG},
    )
    assert draft_snapshot() == before


def test_preview_refuses_media_and_unknown_paths(author_api):
    for path in ("media/x.png", "../quiz.md", "notes.txt", "sub/01-a.md"):
        response = author_api.post(
            "/api/v1/authoring/preview", json={"path": path, "markdown": "x", "course": SLUG}
        )
        assert response.status_code == 400, path
        assert response.get_json()["error"]["message"]


def test_page_preview_endpoint_takes_the_session_and_a_csrf_header(client, author):
    editor = f"{BASE}/edit/quiz.md"
    csrf = token(client, editor)
    quiz = quiz_without_correct_option()
    response = client.post(
        f"{BASE}/preview",
        json={"path": "quiz.md", "markdown": quiz, "course": SLUG},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    codes = [(d["code"], d["line"]) for d in response.get_json()["diagnostics"]]
    assert ("Q003", line_of(quiz, "## q2")) in codes
    without_token = client.post(f"{BASE}/preview", json={"path": "quiz.md", "markdown": quiz})
    assert without_token.status_code == 400


def test_page_preview_endpoint_answers_json_errors(client, author):
    csrf = token(client, f"{BASE}/")
    response = client.post(
        f"{BASE}/preview",
        json={"path": "../../etc/passwd", "markdown": "x"},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 400
    assert "leaves the course folder" in response.get_json()["error"]["message"]


def test_preview_button_works_without_javascript_and_saves_nothing(client, author):
    csrf = token(client, f"{BASE}/edit/quiz.md")  # opens the draft
    before = draft_snapshot()
    quiz = quiz_without_correct_option()
    response = client.post(
        f"{BASE}/edit/quiz.md", data={"csrf_token": csrf, "markdown": quiz, "action": "preview"}
    )
    assert response.status_code == 200
    html = text(response)
    line = line_of(quiz, "## q2")
    assert (
        f"{SLUG}/quiz.md:{line}: error: Q003: question &#34;q2&#34; has no correct option" in html
    )
    assert "not saved yet" in html
    # The submitted text is shown back in the textarea.
    assert re.search(r"<textarea[^>]*>\n---\npassing_score: 75", html)
    assert draft_snapshot() == before


def test_editor_page_shows_the_preview_and_loads_the_script(client, author):
    html = text(client.get(f"{BASE}/edit/01-lesson-1.md"))
    assert '<h2 id="lesson-1-heading">Lesson 1 heading</h2>' in html
    assert 'data-preview-url="/authoring/courses/test-course/preview"' in html
    assert "/static/js/authoring.js" in html
    assert '<label for="markdown">' in html


def test_the_script_sends_json_with_the_csrf_header_and_writes_diagnostics_as_text(app):
    script = (Path(app.static_folder) / "js" / "authoring.js").read_text()
    assert '"X-CSRFToken": token' in script
    assert "setTimeout(refresh, 400)" in script
    assert "innerHTML = result.body.html" in script
    assert ".innerHTML" not in script.replace("previewBox.innerHTML = result.body.html", "")
    assert "li.textContent = text" in script and "button.textContent = text" in script


def test_api_preview_reports_a_question_without_objectives_line_at_its_heading(author_api):
    quiz = factories.course_files()["quiz.md"].decode().replace("## q3\nobjectives: 1\n", "## q3\n")
    response = author_api.post(
        "/api/v1/authoring/preview", json={"path": "quiz.md", "markdown": quiz, "course": SLUG}
    )
    assert response.status_code == 200, response.get_json()
    q014 = [d for d in response.get_json()["diagnostics"] if d["code"] == "Q014"]
    assert [(d["path"], d["line"], d["severity"]) for d in q014] == [
        (f"{SLUG}/quiz.md", line_of(quiz, "## q3"), "error")
    ]
