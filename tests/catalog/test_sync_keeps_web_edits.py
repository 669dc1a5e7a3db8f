"""`flask courses sync` publishes a folder only when it changed since it was last synced, and
never over a revision an instructor published on the web (unless --force)."""

from __future__ import annotations

from sqlalchemy import func, select

from ce_platform.authoring import services as authoring
from ce_platform.catalog.models import Course, CourseRevision
from ce_platform.extensions import db
from tests import factories

INSTRUCTOR = "instructor@example.org"  # named in the factories' course.md


def _course(slug: str = "alpha") -> Course:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == slug))


def _revisions() -> int:
    return db.session.scalar(select(func.count()).select_from(CourseRevision))


def _publish_from_the_web(slug: str = "alpha") -> CourseRevision:
    """An instructor edits lesson 1 in the authoring workspace and publishes it."""
    instructor = factories.user(INSTRUCTOR, role="instructor", full_name="Ira Instructor")
    draft, _ = authoring.open_draft(db.session, instructor, slug)
    text = authoring.draft_files(draft)["01-lesson-1.md"].decode()
    authoring.write_text(
        db.session, draft, "01-lesson-1.md", text.replace("Lesson text", "Web-edited text")
    )
    outcome = authoring.publish_draft(db.session, draft, published_by_id=instructor.id)
    db.session.commit()
    return outcome.revision


def test_sync_leaves_a_web_edited_course_alone_and_names_the_revision(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    assert runner.invoke(args=["courses", "sync", str(tmp_path)]).exit_code == 0
    web = _publish_from_the_web()
    assert web.number == 2

    result = runner.invoke(args=["courses", "sync", str(tmp_path)])

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("alpha:")]
    assert len(lines) == 1
    assert "revision 2 was published on the web by instructor@example.org" in lines[0]
    assert "`flask courses export alpha DEST`" in lines[0]
    assert "--force" in lines[0]
    assert _course().current_revision.number == 2
    assert "Web-edited text" in _course().current_revision.lessons[0].html
    assert _revisions() == 2


def test_sync_leaves_a_web_edit_alone_even_when_the_folder_changed_too(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    _publish_from_the_web()
    lesson = tmp_path / "alpha" / "02-lesson-2.md"
    lesson.write_text(lesson.read_text().replace("Lesson text", "Folder-edited text"))

    result = runner.invoke(args=["courses", "sync", str(tmp_path)])

    assert "alpha: left alone: revision 2 was published on the web" in result.output
    assert _course().current_revision.number == 2 and _revisions() == 2


def test_sync_force_publishes_the_folder_over_a_web_edit(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    _publish_from_the_web()

    result = runner.invoke(args=["courses", "sync", "--force", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "alpha: updated (revision 3)" in result.output
    current = _course().current_revision
    assert current.number == 3 and current.published_by_id is None
    assert "Web-edited text" not in current.lessons[0].html
    # The folder is now what was last synced: a plain sync changes nothing.
    again = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert "alpha: unchanged (revision 3)" in again.output and _revisions() == 3


def test_exporting_the_web_edit_into_the_folder_makes_sync_agree(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    _publish_from_the_web()

    assert runner.invoke(args=["courses", "export", "alpha", str(tmp_path)]).exit_code == 0
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])

    assert "alpha: unchanged (revision 2)" in result.output
    lesson = tmp_path / "alpha" / "01-lesson-1.md"
    lesson.write_text(lesson.read_text().replace("Web-edited text", "Then edited in the folder"))
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert "alpha: updated (revision 3)" in result.output


def test_sync_publishes_only_folders_that_changed_since_the_last_sync(runner, tmp_path):
    factories.write_courses_root(
        tmp_path, {"alpha": factories.course_files(), "beta": factories.course_files()}
    )
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    lesson = tmp_path / "beta" / "02-lesson-2.md"
    lesson.write_text(lesson.read_text().replace("Lesson text", "Revised lesson text"))

    result = runner.invoke(args=["courses", "sync", str(tmp_path)])

    assert "alpha: unchanged (revision 1)" in result.output
    assert "beta: updated (revision 2)" in result.output
    assert _course("beta").synced_hash == _course("beta").current_revision.content_hash
