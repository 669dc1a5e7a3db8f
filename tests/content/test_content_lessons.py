"""Lesson files: naming, numbering, front matter, minutes and rendering."""

from __future__ import annotations

from .coursekit import SLUG, found, lesson_md


def test_lessons_are_ordered_by_number_not_by_name(files, parse):
    del files["01-introduction.md"]
    files["10-tenth.md"] = lesson_md("Tenth", 1000)
    files["2-second.md"] = lesson_md("Second", 1000)
    files["01-first.md"] = lesson_md("First", 1291)

    course, diags = parse(files)

    assert diags == []
    assert [(lesson.number, lesson.slug, lesson.path) for lesson in course.lessons] == [
        (1, "first", "01-first.md"),
        (2, "second", "2-second.md"),
        (10, "tenth", "10-tenth.md"),
    ]
    assert [lesson.title for lesson in course.lessons] == ["First", "Second", "Tenth"]


def test_lesson_file_with_a_bad_name_is_an_error(files, parse):
    files["intro.md"] = lesson_md("Intro", 10)
    files["03-Upper_Case.md"] = lesson_md("Upper", 10)

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {
        (f"{SLUG}/intro.md", 1, "error", "L001"),
        (f"{SLUG}/03-Upper_Case.md", 1, "error", "L001"),
    }


def test_duplicate_lesson_number_is_an_error_at_the_second_file(files, parse):
    files["1-again.md"] = lesson_md("Again", 10)

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(f"{SLUG}/1-again.md", 1, "error", "L002")}
    assert "01-introduction.md" in diags[0].message


def test_duplicate_lesson_slug_is_an_error(files, parse):
    files["02-introduction.md"] = lesson_md("Again", 10)

    _, diags = parse(files)

    assert found(diags) == {(f"{SLUG}/02-introduction.md", 1, "error", "L003")}


def test_course_without_lessons_is_an_error(files, parse):
    del files["01-introduction.md"]

    course, diags = parse(files)

    assert course is None
    assert (f"{SLUG}/course.md", 1, "error", "L004") in found(diags)


def test_lesson_without_title_is_an_error(files, parse):
    files["01-introduction.md"] = "---\nminutes: 10\n---\nBody text.\n"

    _, diags = parse(files)

    assert (f"{SLUG}/01-introduction.md", 1, "error", "F007") in found(diags)


def test_lesson_unknown_key_is_an_error_at_its_line(files, parse):
    files["01-introduction.md"] = "---\ntitle: Intro\nauthor: me\n---\nBody text.\n"

    _, diags = parse(files)

    assert (f"{SLUG}/01-introduction.md", 3, "error", "F006") in found(diags)


def test_lesson_minutes_must_be_a_positive_integer(files, parse):
    files["01-introduction.md"] = "---\ntitle: Intro\nminutes: 0\n---\nBody.\n"
    files["02-more.md"] = "---\ntitle: More\n\nminutes: ten\n---\nBody.\n"

    _, diags = parse(files)

    assert found(diags) >= {
        (f"{SLUG}/01-introduction.md", 3, "error", "F010"),
        (f"{SLUG}/02-more.md", 4, "error", "F008"),
    }


def test_lesson_without_front_matter_is_an_error(files, parse):
    files["01-introduction.md"] = "# Intro\n\nBody.\n"

    _, diags = parse(files)

    assert (f"{SLUG}/01-introduction.md", 1, "error", "F002") in found(diags)


def test_lesson_minutes_are_estimated_from_words_unless_declared(files, parse):
    files["01-introduction.md"] = lesson_md("Long", 3000)
    files["02-short.md"] = lesson_md("Short", 10)
    files["03-exact.md"] = lesson_md("Exact", 150)
    files["04-declared.md"] = "---\ntitle: Declared\nminutes: 12\n---\nA few words here.\n"

    course, diags = parse(files)

    assert diags == []
    lessons = {lesson.title.lower(): lesson for lesson in course.lessons}
    assert lessons["long"].minutes == 20 and lessons["long"].declared_minutes is None
    assert lessons["short"].minutes == 1
    assert lessons["exact"].minutes == 1
    assert lessons["declared"].minutes == 12 and lessons["declared"].declared_minutes == 12
    assert lessons["declared"].word_count == 4


def test_lesson_keeps_its_markdown_body_and_renders_html_and_toc(files, parse):
    files["01-introduction.md"] = (
        "---\ntitle: Intro\n---\n## Mechanism\n\nPsilocybin acts[^1].\n\n"
        "[^1]: Author A. Title. Journal. 2020.\n" + " ".join(["reading"] * 3270) + "\n"
    )

    course, diags = parse(files)

    assert diags == []
    lesson = course.lessons[0]
    assert lesson.body.startswith("## Mechanism\n")
    assert '<h2 id="mechanism">Mechanism</h2>' in lesson.html
    assert 'class="footnote-ref"' in lesson.html
    assert lesson.toc_html.startswith("<ul>") and 'href="#mechanism"' in lesson.toc_html


def test_lesson_without_headings_has_empty_toc(files, parse):
    course, _ = parse(files)

    assert course.lessons[0].toc_html == ""


def test_unexpected_files_are_errors(files, parse):
    files["notes/todo.md"] = "x"
    files["README.txt"] = "x"

    _, diags = parse(files)

    assert found(diags) == {
        (f"{SLUG}/notes/todo.md", 1, "error", "F011"),
        (f"{SLUG}/README.txt", 1, "error", "F011"),
    }


def test_overview_words_count_towards_the_course_word_count(files, parse):
    course, _ = parse(files)

    assert course.word_count == 3300
    assert course.word_count == sum(lesson.word_count for lesson in course.lessons) + 9


def test_non_utf8_lesson_is_an_error_at_the_bad_line(files, parse):
    files["01-introduction.md"] = b"---\ntitle: Intro\n---\nfine\ncaf\xe9\n"

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(f"{SLUG}/01-introduction.md", 5, "error", "F001")}
