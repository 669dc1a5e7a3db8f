"""The authoring pages as a newcomer meets them: reading stores nothing, saving says whether
the file still has errors, the headings do not clash with the learner's, and a new course's
slug comes from its title."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ce_platform.authoring.models import Draft
from ce_platform.extensions import db
from tests.authoring.conftest import BASE, SLUG
from tests.conftest import csrf_token


def _drafts() -> int:
    return db.session.scalar(select(func.count(Draft.id)))


def _flashes(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="flash flash-(\w+)">([^<]+)</p>', html)


def test_reading_a_course_in_authoring_creates_no_draft_until_the_first_save(client, author):
    for path in ("/", "/edit/course.md", "/history", "/draft.zip", "/r1.zip"):
        assert client.get(f"{BASE}{path}").status_code == 200, path
    token = csrf_token(client, f"{BASE}/edit/course.md")
    preview = client.post(
        f"{BASE}/preview",
        json={"path": "quiz.md", "markdown": "---\n---\n"},
        headers={"X-CSRFToken": token},
    )
    assert preview.status_code == 200
    assert _drafts() == 0
    page = client.get(f"{BASE}/edit/01-lesson-1.md").get_data(as_text=True)
    source = re.search(r"<textarea[^>]*>\n(.*?)</textarea>", page, re.S).group(1)
    markdown = source.replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">")
    markdown = markdown.replace("&amp;", "&") + "\nOne more line.\n"
    saved = client.post(
        f"{BASE}/edit/01-lesson-1.md",
        data={"markdown": markdown, "action": "save", "csrf_token": token},
    )
    assert saved.status_code == 302
    assert _drafts() == 1


def test_saving_a_file_with_errors_says_so_instead_of_success(client, author):
    token = csrf_token(client, f"{BASE}/edit/01-lesson-1.md")
    broken = "---\ntitle: [unclosed\n---\nText.\n"
    response = client.post(
        f"{BASE}/edit/01-lesson-1.md",
        data={"markdown": broken, "action": "save", "csrf_token": token},
        follow_redirects=True,
    )
    [(category, message)] = _flashes(response.get_data(as_text=True))
    assert category == "error"
    assert re.match(r"01-lesson-1\.md saved in the draft with \d+ errors?: fix", message)

    fine = "---\ntitle: Lesson 1\n---\n## Lesson 1 heading\n\nPlain text.\n"
    response = client.post(
        f"{BASE}/edit/01-lesson-1.md",
        data={"markdown": fine, "action": "save", "csrf_token": token},
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        ("success", "01-lesson-1.md saved in the draft. Publish the course to make it live.")
    ]


def test_authoring_pages_are_headed_courses_i_teach(client, author):
    index = client.get("/authoring/").get_data(as_text=True)
    assert "<h1>Courses I teach</h1>" in index and "My courses</h1>" not in index
    overview = client.get(f"{BASE}/").get_data(as_text=True)
    assert '<a href="/authoring/">Courses I teach</a>' in overview


def test_new_course_slug_is_suggested_from_the_title(client, author):
    form = client.get("/authoring/").get_data(as_text=True)
    assert 'data-slug-from="new-title"' in form and "js/authoring.js" in form
    response = client.post(
        "/authoring/courses",
        data={
            "title": "Trauma-Informed Care: A Primer",
            "slug": "",
            "csrf_token": csrf_token(client, "/authoring/"),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/authoring/courses/trauma-informed-care-a-primer/"
    assert db.session.scalar(select(Draft.slug).where(Draft.slug != SLUG)) == (
        "trauma-informed-care-a-primer"
    )
