"""Publishing a draft: all or nothing, through the same catalog service as `courses sync`."""

from __future__ import annotations

from sqlalchemy import func, select

from ce_platform.catalog.models import Course, CourseRevision, Lesson
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.authoring.conftest import (
    API,
    BASE,
    INSTRUCTOR,
    LEARNER,
    SLUG,
    draft_snapshot,
    line_of,
    post_form,
    revision_count,
    text,
)
from tests.conftest import ApiClient

NEW_LESSON = "---\ntitle: Lesson 1\n---\n## Rewritten\n\nThe second edition of this lesson.\n"


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def current_revision_id(slug: str = SLUG) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Course.current_revision_id).where(Course.slug == slug))


def break_the_draft(api) -> str:
    """Save a quiz with a question that has no correct option; return its text."""
    quiz = factories.course_files()["quiz.md"].decode()
    quiz = quiz.replace("- [x] Right answer 2", "- [ ] Right answer 2")
    response = api.put(f"{API}/files/quiz.md", json={"markdown": quiz})
    assert response.status_code == 200, response.get_json()
    response = api.put(f"{API}/files/01-lesson-1.md", json={"markdown": NEW_LESSON})
    assert response.status_code == 200
    return quiz


def test_publish_with_errors_changes_nothing_in_the_api(author_api):
    quiz = break_the_draft(author_api)
    before = (draft_snapshot(), revision_count(), current_revision_id(), audit_count())
    response = author_api.post(f"{API}/publish")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "unprocessable" and "nothing was published" in error["message"]
    diagnostics = error["details"]["diagnostics"]
    assert {
        "path": f"{SLUG}/quiz.md",
        "line": line_of(quiz, "## q2"),
        "severity": "error",
        "code": "Q003",
        "message": 'question "q2" has no correct option',
    } in diagnostics
    assert (draft_snapshot(), revision_count(), current_revision_id(), audit_count()) == before
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.revision_id == before[2], Lesson.slug == "lesson-1")
    )
    assert "Rewritten" not in lesson.html  # the live course still shows the old lesson


def test_publish_with_errors_lists_them_on_the_page_with_file_and_line(client, auth, author_api):
    quiz = break_the_draft(author_api)
    auth.login(INSTRUCTOR)
    before = (draft_snapshot(), revision_count(), current_revision_id())
    response = post_form(client, f"{BASE}/publish", token_from=f"{BASE}/")
    assert response.status_code == 422
    html = text(response)
    assert "Nothing was published" in html
    assert (
        f"{SLUG}/quiz.md:{line_of(quiz, '## q2')}: error: Q003: "
        "question &#34;q2&#34; has no correct option"
    ) in html
    assert (draft_snapshot(), revision_count(), current_revision_id()) == before


def test_publish_creates_a_revision_and_enrolled_learners_stay_pinned(api, author_api, learner):
    learner_api = ApiClient(api.client)
    learner_api.login(LEARNER)
    assert learner_api.post(f"/api/v1/courses/{SLUG}/enrollment").status_code == 201
    old_html = learner_api.get(f"/api/v1/courses/{SLUG}/lessons/lesson-1").get_json()["html"]

    assert author_api.put(
        f"{API}/files/01-lesson-1.md", json={"markdown": NEW_LESSON}
    ).status_code in (200, 201)
    response = author_api.post(f"{API}/publish")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "updated" and body["revision"]["number"] == 2
    assert len(body["revision"]["content_hash"]) == 64
    assert revision_count() == 2

    pinned = learner_api.get(f"/api/v1/courses/{SLUG}/lessons/lesson-1").get_json()["html"]
    assert pinned == old_html and "Rewritten" not in pinned

    newcomer = ApiClient(api.client)
    factories.user("newcomer@example.org")
    newcomer.login("newcomer@example.org")
    assert newcomer.post(f"/api/v1/courses/{SLUG}/enrollment").status_code == 201
    fresh = newcomer.get(f"/api/v1/courses/{SLUG}/lessons/lesson-1").get_json()["html"]
    assert '<h2 id="rewritten">Rewritten</h2>' in fresh

    published = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "course.published")
        .order_by(AuditEvent.id.desc())
    )
    assert published.data["revision"] == 2
    assert published.actor_id == db.session.scalar(
        select(CourseRevision.published_by_id).where(CourseRevision.number == 2)
    )


def test_through_the_pages_an_edit_reaches_new_enrollments_only(client, auth, learner, course):
    auth.login(LEARNER)
    post_form(client, f"/courses/{SLUG}/enroll", token_from=f"/courses/{SLUG}")
    assert "Lesson text for learners." in text(client.get(f"/courses/{SLUG}/lessons/lesson-1"))
    auth.logout()

    auth.login(INSTRUCTOR)
    editor = f"{BASE}/edit/01-lesson-1.md"
    saved = post_form(client, editor, {"markdown": NEW_LESSON, "action": "save"}, token_from=editor)
    assert saved.status_code == 302
    published = post_form(client, f"{BASE}/publish", token_from=f"{BASE}/")
    assert published.status_code == 302
    assert published.headers["Location"].endswith(f"{BASE}/history")
    history = text(client.get(f"{BASE}/history"))
    assert "Published revision 2." in history
    auth.logout()

    auth.login(LEARNER)
    pinned = text(client.get(f"/courses/{SLUG}/lessons/lesson-1"))
    assert "Lesson text for learners." in pinned and "Rewritten" not in pinned
    auth.logout()
    factories.user("newcomer@example.org")
    auth.login("newcomer@example.org")
    post_form(client, f"/courses/{SLUG}/enroll", token_from=f"/courses/{SLUG}")
    assert "The second edition of this lesson." in text(
        client.get(f"/courses/{SLUG}/lessons/lesson-1")
    )


def test_publishing_an_unchanged_draft_makes_no_revision(author_api):
    response = author_api.post(f"{API}/publish")
    assert response.status_code == 200
    assert response.get_json()["status"] == "unchanged"
    assert response.get_json()["revision"]["number"] == 1
    assert revision_count() == 1


def test_web_publish_and_folder_sync_make_the_same_revision(author_api, runner, tmp_path):
    assert author_api.put(
        f"{API}/files/01-lesson-1.md", json={"markdown": NEW_LESSON}
    ).status_code in (200, 201)
    web = author_api.post(f"{API}/publish").get_json()["revision"]
    files = factories.course_files()
    files["01-lesson-1.md"] = NEW_LESSON.encode()
    factories.write_courses_root(tmp_path, {SLUG: files})
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}: unchanged (revision {web['number']})" in result.output


def test_a_new_course_from_the_template_publishes_and_names_its_creator(api, course):
    factories.user("new.author@example.org", role="instructor", full_name="Nia Author")
    api.login("new.author@example.org")
    created = api.post(
        "/api/v1/authoring/courses", json={"slug": "brand-new", "title": "Brand: New"}
    )
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()["draft"]
    assert [f["path"] for f in draft["files"]] == ["course.md", "01-introduction.md", "quiz.md"]
    response = api.post("/api/v1/authoring/courses/brand-new/publish")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "created"
    assert all(d["severity"] == "warning" for d in response.get_json()["diagnostics"])
    revision = db.session.scalar(
        select(CourseRevision)
        .join(Course, Course.id == CourseRevision.course_id)
        .where(Course.slug == "brand-new")
    )
    assert revision.title == "Brand: New"
    assert revision.instructors == ["new.author@example.org"]
    assert revision.authors[0]["name"] == "Nia Author"
    # The creator still manages the course once it is published.
    assert api.get("/api/v1/authoring/courses/brand-new/files").status_code == 200


def test_a_new_course_cannot_reuse_a_slug(author_api):
    response = author_api.post("/api/v1/authoring/courses", json={"slug": SLUG, "title": "Again"})
    assert response.status_code == 409
    bad = author_api.post("/api/v1/authoring/courses", json={"slug": "Bad Slug", "title": "X"})
    assert bad.status_code == 400


def test_publishing_needs_a_known_provider(api, instructor):
    api.login(INSTRUCTOR)
    assert api.post(
        "/api/v1/authoring/courses", json={"slug": "first", "title": "First"}
    ).status_code in (200, 201)
    response = api.post("/api/v1/authoring/courses/first/publish")
    assert response.status_code == 422
    assert "No provider.yml is known yet" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(Course).where(Course.slug == "first")) is None


def test_a_publish_with_only_warnings_goes_through(author_api):
    quiz = factories.course_files()["quiz.md"].decode()
    cued = quiz.replace("- [ ] Wrong answer 1b", "- [ ] None of the above")  # Q019
    assert author_api.put(f"{API}/files/quiz.md", json={"markdown": cued}).status_code in (
        200,
        201,
    )
    response = author_api.post(f"{API}/publish")
    assert response.status_code == 201
    assert "Q019" in {d["code"] for d in response.get_json()["diagnostics"]}
