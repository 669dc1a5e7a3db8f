"""The certificate PDF: what it prints, PDF/A-3a tagging, the embedded JSON, and no network.

These call ce_platform.certificates.pdf directly: no Flask app and no database.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from pypdf import PdfReader

from ce_platform.certificates.pdf import (
    TEMPLATES_DIR,
    CertificateResourceRefused,
    PackageOnlyURLFetcher,
    qr_svg,
    render_certificate_pdf,
    snapshot_json_bytes,
)

# WeasyPrint 70 opens its bundled sRGB profile for the PDF/A output intent and never closes it;
# the ResourceWarning surfaces as an unraisable exception. Only that one is ignored here.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <_io.FileIO name=.*sRGB2014\.icc"
    ":pytest.PytestUnraisableExceptionWarning"
)
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"

PROVIDER = "Example Institute for Psychedelic Education (example provider)"
SNAPSHOT = {
    "number": "CE-7K3M-9QPX-2F4T",
    "issued_at": "2026-11-21T22:10:00+00:00",
    "completion_date": "2026-11-21",
    "participant": {
        "name": "Dana Clinician",
        "credentials": "LCSW",
        "display_name": "Dana Clinician, LCSW",
        "profession": "Social worker",
        "license_number": "SW-12345",
        "license_state": "OR",
    },
    "course": {
        "slug": "ethics-psychedelic-practice",
        "title": "Ethics of Psychedelic-Informed Practice",
        "revision": 3,
        "released": "2026-11-01",
        "content_hash": "3f1c9a0e" * 8,
        "level": "intermediate",
        "format": "Asynchronous, self-paced online home study (reading-based)",
        "ce_hours": "1.0",
        "credits": [{"category": "ethics", "hours": "1.0"}],
        "authors": [
            {"name": "Laura K. Bennett", "credentials": "PhD"},
            {"name": "Marcus Ortega", "credentials": "MSW, LCSW"},
        ],
        "commercial_support": "No commercial support was received for this course.",
    },
    "provider": {
        "name": PROVIDER,
        "address": "100 Example Street, Suite 200, Portland, OR 97201",
        "signer": {"name": "Dana Reyes, PhD", "title": "CE Program Director"},
        "specimen": False,
    },
    "accreditations": [
        {
            "key": "ace",
            "body": "ASWB Approved Continuing Education (ACE)",
            "provider_number": "1234",
            "approval_start": "2026-01-01",
            "approval_end": "2028-12-31",
            "commensurate": False,
            "unit": "continuing education credits",
            "professions": ["social_worker"],
            "lead": True,
            "statement": (
                f"{PROVIDER}, provider #1234, is approved as an ACE provider to offer social work "
                "continuing education by the Association of Social Work Boards (ASWB) Approved "
                "Continuing Education (ACE) program. Regulatory boards are the final authority "
                "on courses accepted for continuing education credit. ACE provider approval "
                "period: 2026-01-01 - 2028-12-31. Social workers completing this course receive "
                "1.0 ethics continuing education credits."
            ),
        },
        {
            "key": "apa",
            "body": "American Psychological Association",
            "provider_number": None,
            "approval_start": None,
            "approval_end": None,
            "commensurate": False,
            "statement": (
                f"{PROVIDER} is approved by the American Psychological Association to sponsor "
                f"continuing education for psychologists. {PROVIDER} maintains responsibility "
                "for this program and its content."
            ),
        },
        {
            "key": "nbcc",
            "body": "National Board for Certified Counselors",
            "provider_number": "5678",
            "approval_start": None,
            "approval_end": None,
            "commensurate": False,
            "statement": (
                f"{PROVIDER} has been approved by NBCC as an Approved Continuing Education "
                "Provider, ACEP No. 5678. Programs that do not qualify for NBCC credit are "
                f"clearly identified. {PROVIDER} is solely responsible for all aspects of the "
                "programs."
            ),
        },
        {
            "key": "ancc",
            "body": "American Nurses Credentialing Center",
            "provider_number": "P4321",
            "approval_start": "2025-07-01",
            "approval_end": "2028-06-30",
            "commensurate": True,
            "statement": (
                f"{PROVIDER} (provider P4321) is accredited as a provider of nursing continuing "
                "professional development by the American Nurses Credentialing Center's "
                "Commission on Accreditation. Nurses completing this activity receive "
                "1.0 contact hours."
            ),
        },
    ],
    "commensurate_statement": True,
    "credit_unit": "continuing education credits",
    "verification_url": "https://ce.example.org/verify/CE-7K3M-9QPX-2F4T",
}


def page_text(pdf: bytes) -> str:
    """Page 1's text with whitespace collapsed, so line breaks do not split a phrase."""
    return " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_certificate_pdf(SNAPSHOT)


@pytest.fixture(scope="module")
def text(pdf) -> str:
    return page_text(pdf)


@pytest.mark.parametrize(
    "printed",
    [
        "Certificate of Completion",
        "Continuing Education",
        "Dana Clinician, LCSW",
        "Social worker",
        "License SW-12345 (OR)",
        "Ethics of Psychedelic-Informed Practice",
        "November 21, 2026",
        "COURSE RELEASED November 1, 2026",
        "1.0 continuing education credits — 1.0 ethics",
        "Intermediate",
        "Asynchronous, self-paced online home study (reading-based)",
        "Laura K. Bennett, PhD",
        "Marcus Ortega, MSW, LCSW",
        PROVIDER,
        "100 Example Street, Suite 200, Portland, OR 97201",
        "approved by the American Psychological Association to sponsor continuing education",
        "Regulatory boards are the final authority on courses accepted",
        "Programs that do not qualify for NBCC credit are clearly identified",
        "American Nurses Credentialing Center's Commission on Accreditation",
        "Participants should claim only the credit commensurate with the extent of their "
        "participation.",
        "Dana Reyes, PhD",
        "CE Program Director",
        "CE-7K3M-9QPX-2F4T",
        "https://ce.example.org/verify/CE-7K3M-9QPX-2F4T",
    ],
)
def test_certificate_prints_every_required_field(text, printed):
    assert printed in text


def test_certificate_is_one_landscape_letter_page(pdf):
    reader = PdfReader(BytesIO(pdf))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


def pdfa_identification(xmp: bytes) -> dict:
    """pdfaid:part and pdfaid:conformance, whether written as attributes or as elements."""
    found = {}
    for element in ET.fromstring(xmp).iter():
        for key in ("part", "conformance"):
            if (value := element.get(PDFAID + key)) is not None:
                found[key] = value
            if element.tag == PDFAID + key:
                found[key] = element.text
    return found


def test_pdf_declares_pdf_a_3a_and_is_tagged(pdf):
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]

    assert pdfa_identification(root["/Metadata"].get_object().get_data()) == {
        "part": "3",
        "conformance": "A",
    }
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/StructTreeRoot"].get_object()["/K"]
    assert root["/Lang"] == "en"
    assert reader.metadata.title == "CE Certificate CE-7K3M-9QPX-2F4T"
    assert reader.metadata.author == PROVIDER


def test_snapshot_json_is_embedded_as_certificate_json(pdf):
    reader = PdfReader(BytesIO(pdf))

    assert list(reader.attachments) == ["certificate.json"]
    (data,) = reader.attachments["certificate.json"]
    assert data == snapshot_json_bytes(SNAPSHOT)
    assert json.loads(data) == SNAPSHOT
    filespec = reader.trailer["/Root"]["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data"


def test_snapshot_json_is_canonical():
    data = snapshot_json_bytes({"b": "é", "a": [1, 2]})

    assert data == '{"a":[1,2],"b":"é"}'.encode()


def test_qr_code_is_inline_svg_for_the_verification_url():
    svg = qr_svg(SNAPSHOT["verification_url"])

    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
    assert SNAPSHOT["verification_url"] in svg  # in the <title>, the figure's alternate text


def test_renders_again_without_network(monkeypatch, text):
    def refuse(*args, **kwargs):
        raise OSError("network access during certificate rendering")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    pdf = render_certificate_pdf(SNAPSHOT)

    assert pdf.startswith(b"%PDF-")
    assert page_text(pdf) == text


@pytest.mark.parametrize(
    "url",
    [
        "https://fonts.example.com/serif.woff2",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/logo.png",
        "file:///etc/passwd",
        (TEMPLATES_DIR / "certificates" / ".." / ".." / ".." / "setup.cfg").resolve().as_uri(),
    ],
)
def test_fetcher_refuses_the_network_and_files_outside_the_package(url):
    with pytest.raises(CertificateResourceRefused):
        PackageOnlyURLFetcher().fetch(url)


def test_fetcher_serves_the_certificate_stylesheet():
    css = (TEMPLATES_DIR / "certificates" / "certificate.css").as_uri()

    response = PackageOnlyURLFetcher().fetch(css)

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_without_profession_or_license_no_license_line_is_printed():
    snapshot = copy.deepcopy(SNAPSHOT)
    snapshot["participant"].update(profession="", license_number="", license_state="")
    snapshot["accreditations"] = snapshot["accreditations"][1:2]  # APA, which names no one
    snapshot["commensurate_statement"] = False

    text = page_text(render_certificate_pdf(snapshot))

    assert "Dana Clinician, LCSW" in text
    assert "License" not in text
    assert "Social worker" not in text
    assert "commensurate" not in text
