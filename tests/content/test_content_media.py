"""Media files and the links that point at them."""

from __future__ import annotations

import pytest

from .coursekit import COURSE_MD, PNG_BYTES, QUIZ_MD, SLUG, found, line_of, replace_line

LESSON = f"{SLUG}/01-introduction.md"
READING = " ".join(["reading"] * 3280)


def lesson_with(body: str) -> str:
    return f"---\ntitle: Intro\n---\n{body}\n\n{READING}\n"


@pytest.mark.parametrize(
    "name", ["media/a.png", "media/b.JPG", "media/c.jpeg", "media/d.gif", "media/e.webp"]
)
def test_image_types_are_accepted(files, parse, name):
    content = {
        "png": PNG_BYTES,
        "jpg": b"\xff\xd8\xff\xe0rest",
        "jpeg": b"\xff\xd8\xff\xe0rest",
        "gif": b"GIF89a....",
        "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    }[name.rsplit(".", 1)[1].lower()]
    files[name] = content

    course, diags = parse(files)

    assert diags == []
    assert course.files[name] == content


@pytest.mark.parametrize(
    "name", ["media/notes.pdf", "media/page.html", "media/noext", "media/x.js"]
)
def test_other_media_types_are_errors(files, parse, name):
    files[name] = b"whatever"

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(f"{SLUG}/{name}", 1, "error", "M001")}


def test_image_whose_bytes_do_not_match_its_extension_is_a_warning(files, parse):
    files["media/fake.png"] = b"<html><script>alert(1)</script></html>"

    course, diags = parse(files)

    assert course is not None
    assert found(diags) == {(f"{SLUG}/media/fake.png", 1, "warning", "M006")}


SAFE_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>
  <rect width="10" height="10" fill="url(#g)"/>
  <use xlink:href="#g"/>
  <text>Receptor binding</text>
</svg>
"""  # noqa: E501


def test_plain_svg_is_accepted(files, parse):
    files["media/diagram.svg"] = SAFE_SVG.encode()

    course, diags = parse(files)

    assert diags == []
    assert course is not None


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<rect onload="alert(1)"/>',
        '<rect onclick = "alert(1)"/>',
        '<a href="javascript:alert(1)"><text>x</text></a>',
        '<image href="https://evil.example/track.png"/>',
        '<image xlink:href="data:image/png;base64,AAAA"/>',
        '<use href="//evil.example/sprite.svg#a"/>',
        "<foreignObject><div>html</div></foreignObject>",
        "<style>@import url(https://evil.example/x.css);</style>",
    ],
)
def test_svg_with_active_or_external_content_is_an_error_at_that_line(files, parse, evil):
    svg = SAFE_SVG.replace("  <text>Receptor binding</text>", f"  <text>ok</text>\n  {evil}")
    files["media/diagram.svg"] = svg.encode()

    course, diags = parse(files)

    assert course is None
    assert {d.code for d in diags} == {"M002"}
    assert (f"{SLUG}/media/diagram.svg", line_of(svg, evil), "error", "M002") in found(diags)


def test_svg_with_entity_declarations_is_an_error(files, parse):
    svg = '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n]>\n<svg></svg>\n'
    files["media/bomb.svg"] = svg.encode()

    _, diags = parse(files)

    assert found(diags) == {(f"{SLUG}/media/bomb.svg", 3, "error", "M002")}


@pytest.mark.parametrize(
    "reference",
    [
        "![missing](media/missing.png)",
        'An image ![missing](media/missing.png "with a title") inline.',
        "A [link](./media/missing.png).",
        '<img src="media/missing.png" alt="raw html">',
        "[ref]: media/missing.png",
    ],
)
def test_reference_to_missing_media_is_an_error_at_its_line(files, parse, reference):
    lesson = lesson_with(f"## Figure\n\nSome text.\n\n{reference}")
    files["01-introduction.md"] = lesson

    course, diags = parse(files)

    assert course is None
    assert found(diags) == {(LESSON, line_of(lesson, reference), "error", "M003")}
    assert "media/missing.png" in diags[0].message


def test_missing_media_in_overview_and_quiz_is_reported_where_it_is_referenced(files, parse):
    course_md = replace_line(COURSE_MD, "media/figure.png", "media/gone.png")
    quiz = replace_line(QUIZ_MD, "- [ ] Another wrong one", "- [ ] ![gone](media/gone.svg)")
    files["course.md"] = course_md
    files["quiz.md"] = quiz

    _, diags = parse(files)

    assert found(diags) == {
        (f"{SLUG}/course.md", line_of(course_md, "media/gone.png"), "error", "M003"),
        (f"{SLUG}/quiz.md", line_of(quiz, "media/gone.svg"), "error", "M003"),
    }


def test_percent_encoded_media_name_resolves(files, parse):
    files["media/my figure.png"] = PNG_BYTES
    files["01-introduction.md"] = lesson_with(
        "![a](media/my%20figure.png) ![b](<media/my figure.png>)"
    )

    course, diags = parse(files)

    assert diags == []
    assert course is not None


@pytest.mark.parametrize(
    "reference",
    [
        "![up](../other-course/media/x.png)",
        "[up](media/../../secrets.txt)",
        "[abs](/etc/passwd)",
        "![win](C:\\images\\x.png)",
        '<img src="../x.png">',
    ],
)
def test_links_that_leave_the_course_folder_are_errors(files, parse, reference):
    lesson = lesson_with(f"Text.\n\n{reference}")
    files["01-introduction.md"] = lesson

    _, diags = parse(files)

    assert found(diags) == {(LESSON, line_of(lesson, reference), "error", "M004")}


@pytest.mark.parametrize(
    "reference",
    [
        "[click](javascript:alert(1))",
        "![pixel](data:image/png;base64,AAAA)",
        "[file](file:///etc/passwd)",
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_links_with_schemes_the_renderer_removes_are_errors(files, parse, reference):
    lesson = lesson_with(f"Text.\n\n{reference}")
    files["01-introduction.md"] = lesson

    _, diags = parse(files)

    assert found(diags) == {(LESSON, line_of(lesson, reference), "error", "M005")}


def test_web_links_anchors_and_mail_are_fine(files, parse):
    files["01-introduction.md"] = lesson_with(
        "[doi](https://doi.org/10.1000/1) [site](http://example.org) [mail](mailto:a@example.org) "
        "[top](#top) [other lesson](02-next.md)"
    )

    _, diags = parse(files)

    assert diags == []


def test_links_inside_code_are_not_checked(files, parse):
    files["01-introduction.md"] = lesson_with(
        "Write `![x](media/nope.png)` to embed.\n\n```\n[a](../../etc)\n```"
    )

    _, diags = parse(files)

    assert diags == []


def test_media_prefix_rewrites_media_urls_in_every_fragment(files, parse):
    quiz = replace_line(QUIZ_MD, "- [ ] Another wrong one", "- [ ] ![fig](media/figure.png)")
    files["quiz.md"] = quiz
    files["01-introduction.md"] = lesson_with("![fig](media/figure.png) [see](media/figure.png)")

    course, diags = parse(files, media_prefix="/media/test-course/3/")

    assert diags == []
    assert 'src="/media/test-course/3/figure.png"' in course.overview_html
    assert 'src="/media/test-course/3/figure.png"' in course.lessons[0].html
    assert 'href="/media/test-course/3/figure.png"' in course.lessons[0].html
    assert 'src="/media/test-course/3/figure.png"' in course.quiz.questions[0].options[2].html
    assert course.files["01-introduction.md"].count(b"](media/figure.png)") == 2
