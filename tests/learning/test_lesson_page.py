"""The lesson page: the revision a learner reads, the per-process outline of published lessons,
and how little a repeat visit asks of the database."""

from __future__ import annotations

from sqlalchemy import select

from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import CourseRevision
from ce_platform.extensions import db
from tests import factories
from tests.conftest import csrf_token


def _enroll(client, slug: str = "test-course") -> None:
    token = csrf_token(client, f"/courses/{slug}")
    assert client.post(f"/courses/{slug}/enroll", data={"csrf_token": token}).status_code == 302


def test_an_enrolled_learner_keeps_reading_their_revision_after_a_new_one(
    client, auth, learner, course
):
    auth.login()
    _enroll(client)
    assert "Lesson text for learners." in client.get(
        "/courses/test-course/lessons/lesson-1"
    ).get_data(as_text=True)
    factories.course("test-course", files=factories.course_files(lesson_body="Rewritten text."))
    pinned = client.get("/courses/test-course/lessons/lesson-1").get_data(as_text=True)
    assert "Lesson text for learners." in pinned and "Rewritten text." not in pinned
    assert "Lesson 1 of 3" in pinned
    # Someone not enrolled previews the current revision.
    factories.user("reader@example.org")
    auth.logout()
    auth.login("reader@example.org")
    preview = client.get("/courses/test-course/lessons/lesson-1").get_data(as_text=True)
    assert "Rewritten text." in preview and "You are previewing this lesson" in preview


def test_the_page_links_its_neighbours_and_refuses_unknown_lessons(client, auth, learner, course):
    auth.login()
    _enroll(client)
    middle = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    assert 'rel="prev" href="/courses/test-course/lessons/lesson-1"' in middle
    assert 'rel="next" href="/courses/test-course/lessons/lesson-3"' in middle
    last = client.get("/courses/test-course/lessons/lesson-3").get_data(as_text=True)
    assert 'rel="next"' not in last and "Back to the course page" in last
    assert client.get("/courses/test-course/lessons/lesson-9").status_code == 404
    assert client.get("/courses/no-such-course/lessons/lesson-1").status_code == 404


def test_an_outline_is_read_once_and_keyed_by_publication(app, course, statements):
    revision = db.session.scalar(select(CourseRevision))
    first = catalog.revision_outline(db.session, revision.id, revision.published_at)
    assert [lesson.slug for lesson in first.lessons] == ["lesson-1", "lesson-2", "lesson-3"]
    assert "Lesson text for learners." in first.lessons[0].html
    statements.clear()
    assert catalog.revision_outline(db.session, revision.id, revision.published_at) is first
    assert statements == []
    # A row that reused the id of a deleted one has another publication time: read afresh.
    other = catalog.revision_outline(db.session, revision.id, "another publication")
    assert other is not first and statements != []


def test_a_repeat_visit_reads_the_user_enrollment_and_progress_only(
    client, auth, learner, course, statements
):
    auth.login()
    _enroll(client)
    client.get("/courses/test-course/lessons/lesson-2")
    statements.clear()
    html = client.get("/courses/test-course/lessons/lesson-2").get_data(as_text=True)
    assert "Mark lesson complete" in html
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3, reads  # the user; course + enrollment + revision; the progress
    assert not any("FROM lessons" in s for s in reads)
