"""Media uploads: type by extension and content, size limit, unsafe SVG refused."""

from __future__ import annotations

import pytest

from tests.authoring.conftest import (
    API,
    BASE,
    INSTRUCTOR,
    PNG,
    SLUG,
    draft_snapshot,
    error_message,
    png_bytes,
    upload,
)

LESSON_WITH_IMAGE = "---\ntitle: Lesson 1\n---\nThe figure:\n\n![A dot](media/dot.png)\n"
SAFE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#1f5f8b"/></svg>'
)


def test_a_png_is_accepted_and_served_at_the_revision_media_url_after_publish(client, author, api):
    response = upload(client, "dot.png", PNG)
    assert response.status_code == 302
    assert "media/dot.png uploaded." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert draft_snapshot()["media/dot.png"] == PNG

    api.login(INSTRUCTOR)
    saved = api.put(f"{API}/files/01-lesson-1.md", json={"markdown": LESSON_WITH_IMAGE})
    assert saved.status_code == 200
    published = api.post(f"{API}/publish")
    assert published.status_code == 201, published.get_json()
    number = published.get_json()["revision"]["number"]

    media = client.get(f"/courses/{SLUG}/r{number}/media/dot.png")
    assert media.status_code == 200
    assert media.data == PNG and media.mimetype == "image/png"
    lesson = client.get(f"/courses/{SLUG}/lessons/lesson-1").get_data(as_text=True)
    assert f'src="/courses/{SLUG}/r{number}/media/dot.png"' in lesson


def test_the_editor_preview_points_images_at_the_draft_media(client, author, api):
    upload(client, "dot.png", PNG)
    api.login(INSTRUCTOR)
    body = api.post(
        "/api/v1/authoring/preview",
        json={"path": "01-lesson-1.md", "markdown": LESSON_WITH_IMAGE, "course": SLUG},
    ).get_json()
    assert f'src="{BASE}/media/dot.png"' in body["html"]
    assert not [d for d in body["diagnostics"] if d["code"] == "M003"]


def test_an_image_over_the_size_limit_is_refused(client, author):
    client.get(f"{BASE}/")
    before = draft_snapshot()
    big = png_bytes() + b"\0" * (2 * 1024 * 1024)
    response = upload(client, "big.png", big)
    assert response.status_code == 400
    message = error_message(response)
    assert (
        f'"media/big.png" is {len(big):,} bytes; the limit for a media file is 2,097,152 bytes'
    ) in message
    assert draft_snapshot() == before


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("photo.png", b"\xff\xd8\xff\xe0 a jpeg in disguise", "does not look like a .png image"),
        ("photo.jpg", PNG, "does not look like a .jpg image"),
        ("anim.gif", b"GIF12a not really", "does not look like a .gif image"),
        ("pic.webp", b"RIFF\0\0\0\0WAVE", "does not look like a .webp image"),
        ("notes.svg", b"just text", "does not look like an SVG image"),
        ("tool.exe", b"MZ\x90\x00", 'file type ".exe" is not allowed'),
        ("page.html", b"<p>hi</p>", 'file type ".html" is not allowed'),
        ("empty.png", b"", '"media/empty.png" is empty'),
        (".hidden.png", PNG, "start with a letter or digit"),
    ],
)
def test_a_file_whose_type_or_content_is_wrong_is_refused(client, author, name, data, problem):
    client.get(f"{BASE}/")
    before = draft_snapshot()
    response = upload(client, name, data)
    assert response.status_code == 400
    assert problem in error_message(response)
    assert draft_snapshot() == before


MALICIOUS_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "javascript href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'
    ),
    "external image": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>'
    ),
    "data href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="data:image/svg+xml;base64,PHN2Zz4="/></svg>'
    ),
    "foreignObject": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div>x</div></foreignObject></svg>'
    ),
    "entity": b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"></svg>',
}


@pytest.mark.parametrize("case", list(MALICIOUS_SVGS))
def test_a_malicious_svg_is_refused(client, author, case):
    client.get(f"{BASE}/")
    before = draft_snapshot()
    response = upload(client, "figure.svg", MALICIOUS_SVGS[case])
    assert response.status_code == 400
    assert "unsafe SVG" in error_message(response)
    assert draft_snapshot() == before


def test_a_plain_svg_is_accepted(client, author):
    assert upload(client, "figure.svg", SAFE_SVG).status_code == 302
    assert draft_snapshot()["media/figure.svg"] == SAFE_SVG


def test_media_can_also_be_written_and_read_through_the_api(author_api):
    created = author_api.put(f"{API}/files/media/dot.png", data=PNG)
    assert created.status_code == 201
    assert created.get_json()["file"] == {
        "path": "media/dot.png",
        "kind": "media",
        "size": len(PNG),
        "updated_at": created.get_json()["file"]["updated_at"],
    }
    read = author_api.get(f"{API}/files/media/dot.png")
    assert read.status_code == 200 and read.data == PNG
    assert read.mimetype == "application/octet-stream"
    refused = author_api.put(f"{API}/files/media/evil.svg", data=MALICIOUS_SVGS["onload"])
    assert refused.status_code == 400
    assert "unsafe SVG" in refused.get_json()["error"]["message"]
    as_json = author_api.put(f"{API}/files/media/dot.png", json={"markdown": "x"})
    assert as_json.status_code == 400


def test_a_media_file_can_be_deleted(client, author):
    upload(client, "dot.png", PNG)
    from tests.authoring.conftest import post_form

    response = post_form(client, f"{BASE}/files/delete", {"path": "media/dot.png"})
    assert response.status_code == 302
    assert "media/dot.png" not in draft_snapshot()
