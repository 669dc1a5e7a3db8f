"""Accreditation statements a board reviewer accepts: credit words from the course's credits,
the learner's own board first in its unit, and specimen providers that say so everywhere."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.certificates.services import lead_with_learners_board
from ce_platform.extensions import db
from tests import factories
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token

EVERY_BOARD = "[apa, ace, nbcc, ancc]"
APA = "is approved by the American Psychological Association"
ACE = "is approved as an ACE provider"
NBCC = "has been approved by NBCC as an Approved Continuing Education Provider"
ANCC = (
    "is accredited as a provider of nursing continuing professional development by the "
    "American Nurses Credentialing Center's Commission on Accreditation"
)


def pdf_text(data: bytes) -> str:
    """Page text with whitespace collapsed, so line breaks do not split a phrase."""
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def accreditation_text(text: str) -> str:
    """The statements block of the certificate: after its heading, before the signer."""
    return text.split("ACCREDITATION", 1)[1].split("Pat Signer, PhD", 1)[0]


def issue_for(api, profession: str, **course_kwargs) -> Certificate:
    """Publish a course, take it as a clinician of this profession, return the certificate."""
    factories.course("test-course", accreditations=EVERY_BOARD, **course_kwargs)
    factories.user("learner@example.org", **{**factories.CLINICIAN, "profession": profession})
    api.login()
    complete_course(api)
    response = api.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    number = response.get_json()["certificate"]["number"]
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def test_ethics_certificate_ace_statement_and_credit_box_agree(api):
    certificate = issue_for(api, "social_worker", credits="{ethics: 0.25}")

    text = pdf_text(certificate.pdf)

    assert "0.25 continuing education credits — 0.25 ethics" in text
    assert "Social workers completing this course receive 0.25 ethics continuing education" in text
    assert "clinical" not in text
    assert certificate.snapshot["course"]["commercial_support"] == (
        "No commercial support was received for this course."
    )


def test_statements_name_every_credit_category_of_a_mixed_course(api):
    certificate = issue_for(
        api, "social_worker", ce_hours="0.5", credits="{ethics: 0.25, general: 0.25}"
    )

    text = pdf_text(certificate.pdf)

    assert "0.5 continuing education credits — 0.25 ethics, 0.25 general" in text
    assert "receive 0.25 ethics and 0.25 general continuing education credits" in text
    assert "receive 0.25 ethics and 0.25 general contact hours" in text


@pytest.mark.parametrize(
    ("profession", "lead", "key", "unit"),
    [
        ("social_worker", ACE, "ace", "continuing education credits"),
        ("nurse", ANCC, "ancc", "contact hours"),
        ("counselor", NBCC, "nbcc", "clock hours"),
        ("mft", NBCC, "nbcc", "clock hours"),
        ("psychologist", APA, "apa", "CE credits"),
    ],
)
def test_certificate_leads_with_the_learners_board_in_its_unit(api, profession, lead, key, unit):
    certificate = issue_for(api, profession)

    text = pdf_text(certificate.pdf)
    statements = accreditation_text(text)

    first = min(
        statements.find(phrase) for phrase in (APA, ACE, NBCC, ANCC) if phrase in statements
    )
    assert statements.find(lead) == first
    assert f"0.25 {unit} — 0.25 general" in text
    assert all(phrase in statements for phrase in (APA, ACE, NBCC, ANCC))
    snapshot = certificate.snapshot
    assert [a["key"] for a in snapshot["accreditations"]][0] == key
    assert [a["lead"] for a in snapshot["accreditations"]] == [True, False, False, False]
    assert snapshot["credit_unit"] == unit
    embedded = json.loads(PdfReader(io.BytesIO(certificate.pdf)).attachments["certificate.json"][0])
    assert embedded == snapshot


def test_profession_no_board_serves_keeps_course_order_and_ce_hours(api):
    certificate = issue_for(api, "other")

    text = pdf_text(certificate.pdf)

    assert "0.25 CE hours — 0.25 general" in text
    assert [a["key"] for a in certificate.snapshot["accreditations"]] == [
        "apa",
        "ace",
        "nbcc",
        "ancc",
    ]
    assert not any(a["lead"] for a in certificate.snapshot["accreditations"])


def test_nurse_certificate_uses_the_ancc_accredited_provider_wording(api):
    certificate = issue_for(api, "nurse")

    text = pdf_text(certificate.pdf)

    assert ANCC in text
    assert "receive 0.25 general contact hours" in text
    assert "approved as a provider of nursing" not in text


def test_subtitle_extracts_as_separate_text(api):
    certificate = issue_for(api, "psychologist")

    lines = PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text().splitlines()

    assert "Certificate of Completion" in lines
    assert "Continuing Education" in lines
    assert "Certificate of CompletionContinuing Education" not in " ".join(lines)


def test_reissue_after_a_profession_change_leads_with_the_new_board(api, client, auth):
    certificate = issue_for(api, "social_worker")
    assert api.patch("/api/v1/me", json={"profession": "nurse"}).status_code == 200
    auth.login("learner@example.org")

    response = client.post(
        f"/certificates/{certificate.number}/reissue",
        data={"csrf_token": csrf_token(client, f"/certificates/{certificate.number}")},
    )

    assert response.status_code == 302
    replacement_number = response.headers["Location"].rsplit("/", 1)[1]
    replacement = db.session.scalar(
        select(Certificate).where(Certificate.number == replacement_number)
    )
    assert replacement.snapshot["accreditations"][0]["key"] == "ancc"
    assert replacement.snapshot["credit_unit"] == "contact hours"
    assert "0.25 contact hours — 0.25 general" in pdf_text(replacement.pdf)


def test_physician_leads_with_an_accme_style_statement_when_the_provider_has_one():
    printed = [
        {"key": "apa", "unit": "CE credits", "professions": ["psychologist"], "statement": "A"},
        {
            "key": "accme",
            "unit": "AMA PRA Category 1 Credits",
            "professions": ["physician"],
            "statement": "M",
        },
    ]

    ordered, unit = lead_with_learners_board(printed, "physician")
    without, fallback = lead_with_learners_board(printed[:1], "physician")

    assert [s["key"] for s in ordered] == ["accme", "apa"] and ordered[0]["lead"]
    assert unit == "AMA PRA Category 1 Credits"
    assert [s["lead"] for s in without] == [False] and fallback == "CE hours"
