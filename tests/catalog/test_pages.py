"""Catalog, course, lesson and media pages."""

from __future__ import annotations

import re

import pytest

from ce_platform.content import render as content_render
from tests import factories


@pytest.fixture
def course():
    return factories.course("test-course", title="Test Course")


def test_catalog_lists_open_courses(client, course):
    html = client.get("/").get_data(as_text=True)
    assert "Test Course" in html and "/courses/test-course" in html


def test_course_page_and_api_state_the_commercial_support(client, api, course):
    html = client.get("/courses/test-course").get_data(as_text=True)
    body = api.get("/api/v1/courses/test-course").get_json()

    assert "Commercial support" in html
    assert "No commercial support was received for this course." in html
    assert body["commercial_support"] == "No commercial support was received for this course."


def test_catalog_hides_a_course_past_its_review_date(client):
    factories.course(
        "old-course", title="Old Course", released="2019-01-01", review_by="2020-06-30"
    )
    factories.course("new-course", title="New Course")
    html = client.get("/").get_data(as_text=True)
    assert "New Course" in html and "Old Course" not in html


def test_catalog_filters_by_category_level_and_hours(client):
    ethics = factories.course_files(title="Ethics Course")
    ethics["course.md"] = ethics["course.md"].replace(b"{general: 0.25}", b"{ethics: 0.25}")
    factories.course("ethics-course", files=ethics)
    factories.course("general-course", title="General Course")
    by_category = client.get("/?category=ethics").get_data(as_text=True)
    assert "Ethics Course" in by_category and "General Course" not in by_category
    assert "General Course" not in client.get("/?level=advanced").get_data(as_text=True)
    assert "General Course" in client.get("/?level=introductory").get_data(as_text=True)
    assert "General Course" in client.get("/?hours=0.5").get_data(as_text=True)


def test_course_page_shows_what_a_board_reviewer_looks_for(client):
    factories.course("test-course", evolving=True, released="2026-06-01", review_by="2027-06-01")
    html = client.get("/courses/test-course").get_data(as_text=True)
    for expected in (
        "Describe the first thing.",  # objectives
        "Jamie Author, PhD",  # authors with credentials
        "No relevant financial relationships.",  # disclosures
        "0.25 general",  # hours by category
        "Introductory",
        "Asynchronous, self-paced online home study (reading-based)",
        "Test Institute of Continuing Education, provider #1234, is approved as an ACE provider",
        "approval period: 2026-01-01 - 2028-12-31",
        "New and evolving area",
        "75%",  # passing score, stated before starting
        "at most 3 attempts",
        "Lesson 1",
    ):
        assert expected in html, expected


def test_unknown_course_is_404(client):
    assert client.get("/courses/nope").status_code == 404


def test_lesson_needs_sign_in(client, course):
    response = client.get("/courses/test-course/lessons/lesson-1")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_lesson_page_shows_stored_html_toc_and_neighbours(client, auth, course):
    factories.user("learner@example.org")
    auth.login()
    html = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    assert 'id="lesson-2-heading"' in html  # heading anchors
    assert 'href="#a-subsection"' in html  # table of contents
    assert 'rel="prev" href="/courses/test-course/lessons/lesson-1"' in html
    assert 'rel="next" href="/courses/test-course/lessons/lesson-3"' in html
    assert client.get("/courses/test-course/lessons/nope").status_code == 404


def test_lesson_contents_box_folds_on_phones_and_stays_open_without_script(client, auth, course):
    factories.user("learner@example.org")
    auth.login()
    html = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    toc = html.split('<nav class="toc card" aria-label="On this page">')[1].split("</nav>")[0]
    assert '<details open data-close-below="56rem">' in toc
    assert "<summary><h2>On this page</h2></summary>" in toc and 'href="#a-subsection"' in toc
    script = re.search(r'<script src="(/static/js/toc\.js)" defer>', html).group(1)
    with client.get(script) as response:
        assert response.status_code == 200 and "data-close-below" in response.get_data(as_text=True)


def test_lesson_request_does_no_markdown_rendering(client, auth, course, monkeypatch):
    factories.user("learner@example.org")
    auth.login()

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown was rendered during a request")

    monkeypatch.setattr(content_render.markdown.Markdown, "convert", refuse)
    monkeypatch.setattr(content_render, "render_markdown", refuse)
    response = client.get("/courses/test-course/lessons/lesson-1")
    assert response.status_code == 200
    assert "Lesson text for learners." in response.get_data(as_text=True)


def test_media_is_served_with_its_type_and_no_traversal(client):
    files = factories.course_files()
    files["media/chart.png"] = b"\x89PNG\r\n\x1a\nfake"
    files["01-lesson-1.md"] += b"\n![Chart](media/chart.png)\n"
    factories.course("media-course", files=files)
    ok = client.get("/courses/media-course/r1/media/chart.png")
    assert ok.status_code == 200 and ok.mimetype == "image/png"
    assert ok.data == files["media/chart.png"]
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    for bad in (
        "/courses/media-course/r1/media/../course.md",
        "/courses/media-course/r1/media/%2e%2e/course.md",
        "/courses/media-course/r1/media/..%2fcourse.md",
        "/courses/media-course/r1/media/../../../../etc/passwd",
        "/courses/media-course/r1/media/quiz.md",
        "/courses/media-course/r2/media/chart.png",
    ):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert b"Right answer" not in response.data


def test_lesson_html_links_media_of_its_own_revision(client, auth):
    files = factories.course_files()
    files["media/chart.png"] = b"\x89PNG\r\n\x1a\nfake"
    files["01-lesson-1.md"] += b"\n![Chart](media/chart.png)\n"
    factories.course("media-course", files=files)
    factories.user("learner@example.org")
    auth.login()
    html = client.get("/courses/media-course/lessons/lesson-1").get_data(as_text=True)
    assert 'src="/courses/media-course/r1/media/chart.png"' in html


def test_pages_link_a_favicon_that_is_served_and_describe_themselves(client, course):
    html = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
    with client.get(icon) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).startswith("<svg")
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["Location"] == icon
    assert re.search(r'<meta name="description" content="Self-paced continuing education', html)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    summary = course.current_revision.summary
    assert f'<meta name="description" content="{summary}">' in page
