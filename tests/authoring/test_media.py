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
    # Each of these passed the pattern filter that the allow-list replaced.
    "prefixed script": (
        b'<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(1)</svg:script>'
        b"</svg:svg>"
    ),
    "entity-encoded javascript link": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:alert(1)">'
        b"<text>x</text></a></svg>"
    ),
    "escaped css import": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@\\69mport "https://evil.example/x.css";'
        b"</style></svg>"
    ),
    "set an event handler": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5">'
        b'<set attributeName="onmouseover" to="alert(1)"/></rect></svg>'
    ),
    "handler element": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ev="http://www.w3.org/2001/xml-events">'
        b'<handler ev:event="load" type="application/ecmascript">alert(1)</handler></svg>'
    ),
    "animate a link": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" '
        b'values="javascript:alert(1)"/><text>x</text></a></svg>'
    ),
    "html script in its own namespace": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
        b"alert(1)</h:script></svg>"
    ),
    "stylesheet processing instruction": (
        b'<?xml-stylesheet href="https://evil.example/x.css"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    ),
    "css url to outside": (
        b'<svg xmlns="http://www.w3.org/2000/svg">'
        b'<rect style="fill: url( https://evil.example/track.png )"/></svg>'
    ),
    "external filter": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect filter="url(https://evil.example/f#x)"/>'
        b"</svg>"
    ),
    "doctype without entities": b'<!DOCTYPE svg SYSTEM "https://evil.example/svg.dtd"><svg/>',
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


def test_a_drawing_with_gradients_text_styles_and_internal_references_is_accepted(client, author):
    drawing = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<!-- exported from a drawing program -->\n"
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' viewBox="0 0 100 50" width="100" height="50" role="img" aria-labelledby="t">\n'
        b'  <title id="t">Receptor occupancy</title>\n'
        b"  <style>.label { font: 4px sans-serif; fill: #333 } @media print { .x { fill: #000 } }"
        b"</style>\n"
        b'  <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#fff"/>'
        b'<stop offset="1" stop-color="#1f5f8b"/></linearGradient>'
        b'<marker id="m" markerWidth="4" markerHeight="4" refX="2" refY="2">'
        b'<path d="M0,0 L4,2 L0,4 z"/></marker>'
        b'<filter id="f"><feGaussianBlur stdDeviation="1"/></filter></defs>\n'
        b'  <g transform="translate(5 5)" filter="url(#f)">'
        b'<rect width="40" height="20" rx="2" fill="url(#g)" stroke="#000" stroke-width="0.5"/>'
        b'<line x1="0" y1="30" x2="40" y2="30" marker-end="url(#m)" style="stroke: #000"/>'
        b'<use xlink:href="#dot" x="50"/><circle id="dot" cx="5" cy="5" r="2"/>'
        b'<text class="label" x="2" y="12">5-HT<tspan dy="-1">2A</tspan></text></g>\n'
        b"</svg>\n"
    )
    assert upload(client, "drawing.svg", drawing).status_code == 302
    assert draft_snapshot()["media/drawing.svg"] == drawing


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
