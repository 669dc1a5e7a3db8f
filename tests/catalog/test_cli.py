"""`flask courses validate|sync|export` on the shipped courses and on folders the tests write."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from ce_platform import content
from ce_platform.catalog.models import Course, CourseRevision, Lesson
from ce_platform.extensions import db
from tests import factories

SHIPPED = Path(__file__).resolve().parents[2] / "courses"
SHIPPED_SLUGS = {
    "psychedelic-pharmacology",
    "set-setting-integration",
    "harm-reduction-screening",
    "ethics-psychedelic-practice",
    "cultural-historical-context",
    "psychedelic-care-across-settings",
    "ketamine-assisted-psychotherapy",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_shipped_courses_validate_without_errors_or_course_warnings(runner):
    result = runner.invoke(args=["courses", "validate", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    # The only warning is the one every specimen provider gets.
    lines = result.output.strip().split("\n")
    assert [line.split(": ")[2] for line in lines[:-1]] == ["P009"]
    assert lines[-1] == f"{len(SHIPPED_SLUGS)} course(s), 1 program(s): 0 error(s), 1 warning(s)"


def test_shipped_courses_meet_the_catalog_rules():
    provider, results, provider_diags = content.load_courses(SHIPPED)
    assert not content.has_errors(provider_diags)
    assert {slug for slug, _, _ in results} == SHIPPED_SLUGS
    for slug, source, diagnostics in results:
        assert source is not None, [str(d) for d in diagnostics]
        assert len(source.lessons) >= 3, slug
        assert source.objectives, slug
        pool = len(source.quiz.questions)
        assert pool >= 8 and pool >= 6 * source.ce_hours, slug
        # Declared hours agree with the estimator (no C-level hours warning).
        assert not [d for d in diagnostics if "estimate" in d.message], slug
    credits = {slug: source.credits for slug, source, _ in results}
    assert set(credits["ethics-psychedelic-practice"]) == {"ethics"}
    assert set(credits["cultural-historical-context"]) == {"cultural"}


def test_each_sample_author_of_the_shipped_courses_has_one_name_and_one_set_of_credentials():
    _, results, _ = content.load_courses(SHIPPED)
    seen: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for _, source, _ in results:
        for author in source.authors:
            words = author.name.split()
            seen.setdefault((words[0], words[-1]), set()).add((author.name, author.credentials))
    assert {person: forms for person, forms in seen.items() if len(forms) > 1} == {}


def test_validate_reports_every_error_and_exits_1(runner, tmp_path):
    broken = factories.course_files()
    broken["course.md"] = broken["course.md"].replace(b"ce_hours: 0.25", b"ce_hours: 0.3")
    broken["quiz.md"] = broken["quiz.md"].replace(b"- [x] Right answer 2", b"- [ ] Right answer 2")
    factories.write_courses_root(tmp_path, {"broken": broken, "fine": factories.course_files()})
    result = runner.invoke(args=["courses", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "broken/course.md:6: error:" in result.output
    assert (
        "broken/quiz.md:" in result.output
        and 'question "q2" has no correct option' in result.output
    )
    assert "fine/" not in result.output  # the valid course has nothing to report


def test_provider_error_does_not_hide_course_diagnostics_in_validate_or_sync(runner, tmp_path):
    files = factories.course_files()
    files["course.md"] = files["course.md"].replace(b"[apa, ace]", b"[apa, ace, accme]")
    factories.write_courses_root(tmp_path, {"broken": files})
    provider_yml = tmp_path / "provider.yml"
    provider_yml.write_text(
        provider_yml.read_text().replace("address: 1 Test Way, Salem, OR 97301\n", "")
    )

    for command in ("validate", "sync"):
        result = runner.invoke(args=["courses", command, str(tmp_path)])

        assert result.exit_code == 1
        assert 'provider.yml:1: error: F007: required key "address" is missing' in result.output
        assert 'broken/course.md:8: error: C006: unknown accreditation "accme"' in result.output
    assert count(CourseRevision) == 0


def test_validate_reports_a_quiz_whose_key_is_always_the_longest_option(runner, tmp_path):
    cued = factories.course_files()
    cued["quiz.md"] = cued["quiz.md"].replace(b"- [x] Right answer", b"- [x] The right answer")
    factories.write_courses_root(tmp_path, {"cued": cued})

    result = runner.invoke(args=["courses", "validate", str(tmp_path)])

    assert result.exit_code == 1
    heading = cued["quiz.md"].decode().split("\n").index("## q1") + 1
    assert (
        f"cued/quiz.md:{heading}: error: Q018: the correct option is the uniquely longest "
        "in 13 of 13 single-answer questions" in result.output
    )


def test_sync_creates_then_changes_nothing(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    first = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "alpha: created (revision 1)" in first.output
    before = (count(CourseRevision), count(Lesson))
    second = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert second.exit_code == 0
    assert "alpha: unchanged (revision 1)" in second.output
    assert (count(CourseRevision), count(Lesson)) == before


def test_changed_lesson_makes_a_new_revision_and_keeps_the_old(runner, tmp_path):
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files()})
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    lesson = tmp_path / "alpha" / "02-lesson-2.md"
    lesson.write_text(lesson.read_text().replace("Lesson text", "Revised lesson text"))
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert "alpha: updated (revision 2)" in result.output
    course = db.session.scalar(select(Course).where(Course.slug == "alpha"))
    assert [r.number for r in course.revisions] == [1, 2]
    assert course.current_revision.number == 2
    old, new = course.revisions
    assert "Revised lesson text" in new.lessons[1].html
    assert "Revised lesson text" not in old.lessons[1].html
    assert old.content_hash != new.content_hash


def test_one_broken_course_does_not_stop_the_others(runner, tmp_path):
    broken = factories.course_files()
    del broken["quiz.md"]
    factories.write_courses_root(tmp_path, {"alpha": factories.course_files(), "broken": broken})
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert result.exit_code == 1
    assert "alpha: created (revision 1)" in result.output
    assert "broken: rejected" in result.output
    assert "broken/quiz.md:1: error:" in result.output
    slugs = db.session.scalars(select(Course.slug)).all()
    assert slugs == ["alpha"]


def test_export_then_resync_changes_nothing(runner, tmp_path):
    source = tmp_path / "src"
    files = factories.course_files()
    files["media/figure.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    files["01-lesson-1.md"] += b"\n![A figure](media/figure.svg)\n"
    factories.write_courses_root(source, {"alpha": files})
    assert runner.invoke(args=["courses", "sync", str(source)]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(args=["courses", "export", "alpha", str(out)])
    assert result.exit_code == 0, result.output
    assert content.read_course_folder(out / "alpha") == content.read_course_folder(source / "alpha")
    assert (out / "provider.yml").read_text() == (source / "provider.yml").read_text()
    before = count(CourseRevision)
    again = runner.invoke(args=["courses", "sync", str(out)])
    assert "alpha: unchanged (revision 1)" in again.output
    assert count(CourseRevision) == before


def test_export_of_unknown_course_fails(runner, tmp_path):
    result = runner.invoke(args=["courses", "export", "nope", str(tmp_path)])
    assert result.exit_code != 0
    assert "no course 'nope'" in result.output


def test_sync_of_shipped_courses_loads_every_shipped_course(runner):
    result = runner.invoke(args=["courses", "sync", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert set(db.session.scalars(select(Course.slug))) == SHIPPED_SLUGS
