"""Revision history and per-file diffs between any two revisions (or the draft)."""

from __future__ import annotations

import html

from tests.authoring.conftest import API, BASE, INSTRUCTOR, PNG, text

NEW_LESSON = "---\ntitle: Lesson 1\n---\n## Lesson 1 heading\n\nA rewritten paragraph.\n"


def publish_second_revision(api) -> None:
    assert api.put(f"{API}/files/01-lesson-1.md", json={"markdown": NEW_LESSON}).status_code == 200
    assert api.put(f"{API}/files/media/dot.png", data=PNG).status_code == 201
    assert api.delete(f"{API}/files/03-lesson-3.md").status_code == 200
    assert api.post(f"{API}/publish").status_code == 201


def test_history_lists_every_revision_with_its_publisher(client, auth, author_api):
    publish_second_revision(author_api)
    auth.login(INSTRUCTOR)
    page = text(client.get(f"{BASE}/history"))
    assert "Ira Instructor" in page  # revision 2, published on the web
    assert "command line" in page  # revision 1, published by the factories like `courses sync`
    assert page.index('<th scope="row">2 <span class="tag">current</span>') < page.index(
        '<th scope="row">1</th>'
    )
    assert f'href="{BASE}/diff?from=1&amp;to=2"' in page


def test_diff_between_two_revisions_is_a_unified_diff_per_file(client, auth, author_api):
    publish_second_revision(author_api)
    auth.login(INSTRUCTOR)
    response = client.get(f"{BASE}/diff?from=1&to=2")
    assert response.status_code == 200
    page = html.unescape(text(response))
    assert "--- r1/01-lesson-1.md" in page and "+++ r2/01-lesson-1.md" in page
    assert "-Lesson text for learners." in page
    assert "+A rewritten paragraph." in page
    assert "-### A subsection" in page
    summary = page[page.index("<h2>Summary</h2>") : page.index("Line by line")]
    assert "<code>media/dot.png</code></th><td>binary file added</td>" in summary
    assert "03-lesson-3.md</code></a></th><td>removed</td>" in summary
    assert "<code>course.md</code></th><td>unchanged</td>" in summary


def test_diff_of_the_draft_against_the_published_revision(client, auth, author_api):
    author_api.put(f"{API}/files/quiz.md", json={"markdown": "---\nshuffle: false\n---\n"})
    auth.login(INSTRUCTOR)
    page = html.unescape(text(client.get(f"{BASE}/diff?from=1&to=draft")))
    assert "+++ draft/quiz.md" in page
    assert "-shuffle: true" in page and "+shuffle: false" in page


def test_diff_refuses_unknown_revisions_and_bad_parameters(client, auth, author_api):
    auth.login(INSTRUCTOR)
    assert client.get(f"{BASE}/diff?from=1&to=9").status_code == 404
    assert client.get(f"{BASE}/diff?from=abc&to=1").status_code == 400


def test_diff_reports_binary_files_as_changed_or_unchanged():
    from ce_platform.authoring.services import diff_files

    diffs = {
        d.path: d
        for d in diff_files(
            {"media/a.png": PNG, "media/b.png": PNG, "x.md": b"one\n"},
            {"media/a.png": PNG, "media/b.png": PNG + b"\0", "x.md": b"two\n"},
            "r1",
            "r2",
        )
    }
    assert diffs["media/a.png"].summary == "binary file unchanged"
    assert diffs["media/b.png"].summary == "binary file changed"
    assert diffs["x.md"].lines == ["--- r1/x.md", "+++ r2/x.md", "@@ -1 +1 @@", "-one", "+two"]
