"""Whatever an author writes, preview and published pages carry no script."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ce_platform.catalog.models import Course, Lesson, Question
from ce_platform.extensions import db
from tests import factories
from tests.authoring.conftest import API, SLUG, text

# Payloads a lesson may contain that still validate (no link the validator refuses).
PUBLISHABLE = [
    "<script>alert(1)</script>",
    "<SCRIPT>document.write(1)</SCRIPT >",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//>",
    '<div onclick="alert(1)">click</div>',
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    "<style>body{background:url(evil)}</style>",
    '<p style="behavior:url(evil)">styled</p>',
    '<math><mi xlink:href="evil">x</mi></math>',
    '<form action="https://evil.example"><button>go</button></form>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="#" onmouseover="alert(1)">hover</a>',
    "{: onclick=alert(1) }\nA paragraph with attr_list.",
]
# Payloads the validator refuses (M005) and the renderer neutralizes in a preview anyway.
REFUSED = [
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
]

TAG = re.compile(r"<[^>]*>")
DANGEROUS_IN_TAG = re.compile(
    r"^<\s*/?\s*(script|iframe|object|embed|style|svg|math|form|frame)\b"
    r"|\bon[a-z]+\s*=|javascript:|vbscript:|data:|\bstyle\s*=|srcdoc|formaction",
    re.I,
)
NEVER = re.compile(r"<\s*script|onerror\s*=|javascript:", re.I)


def lesson_with(payloads: list[str]) -> str:
    return "---\ntitle: Lesson 1\n---\n" + "\n\n".join(payloads) + "\n\nThe end.\n"


def assert_clean(html: str) -> None:
    """No script anywhere, and no tag or attribute that could run one."""
    found = NEVER.search(html)
    assert found is None, html[max(0, found.start() - 80) : found.end() + 80]
    for tag in TAG.findall(html):
        assert DANGEROUS_IN_TAG.search(tag) is None, tag


@pytest.mark.parametrize("payload", PUBLISHABLE + REFUSED)
def test_preview_html_is_sanitized(author_api, payload):
    body = author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "01-lesson-1.md", "markdown": lesson_with([payload]), "course": SLUG},
    ).get_json()
    assert_clean(body["html"])


def test_quiz_preview_is_sanitized(author_api):
    quiz = factories.course_files()["quiz.md"].decode()
    quiz = quiz.replace("Which option is right for question 1?", PUBLISHABLE[2])
    quiz = quiz.replace("Right answer 2", "<script>alert(2)</script> right")
    quiz = quiz.replace("Feedback for wrong 3a.", '<img src=x onerror="alert(3)">')
    body = author_api.post(
        "/api/v1/authoring/preview", json={"path": "quiz.md", "markdown": quiz, "course": SLUG}
    ).get_json()
    assert "right" in body["html"]
    assert_clean(body["html"])


def test_links_the_renderer_removes_are_reported_before_publishing(author_api):
    body = author_api.post(
        "/api/v1/authoring/preview",
        json={"path": "01-lesson-1.md", "markdown": lesson_with(REFUSED), "course": SLUG},
    ).get_json()
    codes = {d["code"] for d in body["diagnostics"] if d["path"] == f"{SLUG}/01-lesson-1.md"}
    assert codes == {"M004", "M005"}  # a protocol-relative URL, then the unsafe schemes
    assert (
        author_api.put(
            f"{API}/files/01-lesson-1.md", json={"markdown": lesson_with(REFUSED)}
        ).status_code
        == 200
    )
    assert author_api.post(f"{API}/publish").status_code == 422


def test_published_lessons_and_questions_are_sanitized(client, auth, author_api):
    assert (
        author_api.put(
            f"{API}/files/01-lesson-1.md", json={"markdown": lesson_with(PUBLISHABLE)}
        ).status_code
        == 200
    )
    quiz = factories.course_files()["quiz.md"].decode()
    quiz = quiz.replace("Which option is right for question 1?", "<script>alert(1)</script>Q?")
    quiz = quiz.replace("Right answer 2", '<img src=x onerror="alert(2)"> right')
    assert author_api.put(f"{API}/files/quiz.md", json={"markdown": quiz}).status_code == 200
    published = author_api.post(f"{API}/publish")
    assert published.status_code == 201, published.get_json()

    revision_id = db.session.scalar(select(Course.current_revision_id).where(Course.slug == SLUG))
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.revision_id == revision_id, Lesson.slug == "lesson-1")
    )
    assert "The end." in lesson.html
    assert_clean(lesson.html)
    for question in db.session.scalars(select(Question).where(Question.revision_id == revision_id)):
        assert_clean(question.prompt_html)
        for option in question.options:
            assert_clean(option["html"])

    auth.login("instructor@example.org")
    page = text(client.get(f"/courses/{SLUG}/lessons/lesson-1"))
    article = page[page.index("<article") : page.index("</article>")]
    assert "The end." in article
    assert_clean(article)
