"""Certificates and transcripts pass PDF/A-3a and PDF/UA-1 in an independent validator.

The validator is page-validation (veraPDF's rule set, run offline); the structure it checks is
also read back with pypdf: PDF/UA identification, lists holding their items directly, and the
transcript's metadata, output intent, trailer ID and attached data.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import page
import pytest
from pypdf import PdfReader

from ce_platform.certificates.pdf import render_certificate_pdf
from tests import factories
from tests.certificates.conftest import complete_course
from tests.certificates.test_pdf import SNAPSHOT

NAMES = {
    "ascii": "Dana Clinician",
    "non-latin": (
        "Αλεξάνδρα Παπαδοπούλου-Κωνσταντινίδου Ёлкина-Преображенская Ψυχογιού Шереметьева-Воронцова"
    ),
}
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def assert_conforms(pdf: bytes) -> None:
    for profile in ("3a", "ua1"):
        report = page.validate_pdf_bytes(pdf, profile=profile)
        failures = [(f.rule_id, f.message) for f in report.failures]
        assert report.is_compliant, (profile, failures)


def xmp(pdf: bytes) -> ET.Element:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return ET.fromstring(root["/Metadata"].get_object().get_data())


def pdfua_part(pdf: bytes) -> list[str]:
    return [e.text for e in xmp(pdf).iter() if e.tag == PDFUAID + "part"]


def struct_kinds(pdf: bytes) -> list[tuple[str, list[str]]]:
    """(structure type, its children's structure types) for every element of the tree."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(node):
        node = node.get_object()
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        children = [k.get_object() for k in kids if hasattr(k.get_object(), "get")]
        children = [c for c in children if "/S" in c]
        if "/S" in node:
            found.append((node["/S"], [c["/S"] for c in children]))
        for child in children:
            walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def certificate_for(name: str) -> bytes:
    participant = {**SNAPSHOT["participant"], "name": name, "display_name": f"{name}, LCSW"}
    return render_certificate_pdf({**SNAPSHOT, "participant": participant})


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_certificate_passes_pdf_a_3a_and_pdf_ua_1(name):
    pdf = certificate_for(name)

    assert_conforms(pdf)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "".join(name.split()) in "".join(text.split())  # the name may wrap


def test_certificate_declares_pdf_ua_1_and_its_lists_hold_items_directly():
    pdf = certificate_for(NAMES["ascii"])

    assert pdfua_part(pdf) == ["1"]
    lists = [children for kind, children in struct_kinds(pdf) if kind == "/L"]
    assert lists, "the facts are tagged as lists"
    for children in lists:
        assert set(children) <= {"/LI", "/Caption", "/L"}, children


def test_certificate_title_heading_is_separate_from_the_subtitle():
    text = PdfReader(io.BytesIO(certificate_for(NAMES["ascii"]))).pages[0].extract_text()

    assert "Certificate of Completion\nContinuing Education" in text


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_transcript_passes_pdf_a_3a_and_pdf_ua_1_with_its_data_attached(
    api, client, auth, course, name
):
    factories.user("learner@example.org", **{**factories.CLINICIAN, "full_name": name})
    api.login()
    complete_course(api)
    assert api.post("/api/v1/courses/test-course/certificate").status_code == 201
    auth.login("learner@example.org")

    pdf = client.get("/certificates/transcript.pdf").data

    assert_conforms(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    (attached,) = reader.attachments["transcript.csv"]
    assert attached == client.get("/certificates/transcript.csv").data
    assert pdfua_part(pdf) == ["1"]
    titles = ["".join(e.itertext()) for e in xmp(pdf).iter() if e.tag == DC_TITLE]
    assert titles and name in titles[0]
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert len(reader.trailer["/ID"]) == 2
    assert root["/AF"][0].get_object()["/AFRelationship"] == "/Data"
