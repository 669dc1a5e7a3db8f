"""What the credential says: OB3's schema, the certificate's facts, and only the fields allowed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from ce_platform.certificates import services as certificates
from ce_platform.credentials import services
from ce_platform.credentials.contexts import CREDENTIALS_V2, OB_V3P0
from ce_platform.extensions import db
from tests import factories
from tests.credentials.conftest import stored_credential

SCHEMA = json.loads(
    (Path(__file__).parent / "schema" / "achievementcredential.json").read_text(encoding="utf-8")
)


def owner_credential(api, number: str) -> dict:
    response = api.get(f"/api/v1/certificates/{number}/credential")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_credential_is_valid_against_1edtech_ob3_schema(signed, completed):
    credential = owner_credential(completed, signed)

    jsonschema.Draft201909Validator(SCHEMA).validate(credential)
    assert credential["@context"] == [CREDENTIALS_V2, OB_V3P0]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_schema_check_catches_a_credential_without_subject(signed, completed):
    credential = owner_credential(completed, signed)
    del credential["credentialSubject"]

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(SCHEMA).validate(credential)


def test_credential_carries_the_certificates_facts(signed, completed):
    credential = owner_credential(completed, signed)
    certificate = certificates.find_certificate(db.session, signed)
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]

    assert credential["id"] == f"https://ce.example.org/credentials/{signed}"
    assert credential["issuer"]["id"] == "did:web:ce.example.org"
    assert credential["issuer"]["name"] == certificate.snapshot["provider"]["name"]
    assert credential["issuer"]["address"]["type"] == ["Address"]
    assert credential["validFrom"] == certificate.snapshot["issued_at"].replace("+00:00", "Z")
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["name"] == "Ethics in Testing Practice"
    assert achievement["creditsAvailable"] == float(certificate.ce_hours)
    assert achievement["alignment"][0]["targetUrl"] == "https://ce.example.org/courses/test-course"
    assert subject["creditsEarned"] == float(certificate.ce_hours)
    assert subject["activityEndDate"].startswith(certificate.completion_date.isoformat())
    assert subject["result"][0]["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert subject["name"] == "Dana Clinician, LCSW"
    assert certificate.sha256 in credential["evidence"][0]["description"]
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert 0 <= int(status["statusListIndex"]) < 131072


def test_subject_is_identified_by_a_salted_hash_of_the_email(signed, completed):
    identity = owner_credential(completed, signed)["credentialSubject"]["identifier"][0]

    expected = hashlib.sha256(("learner@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert identity["hashed"] is True
    assert "learner@example.org" not in json.dumps(owner_credential(completed, signed))


def test_license_number_is_left_out_unless_the_learner_opts_in(signed, completed):
    credential = owner_credential(completed, signed)

    assert "licenseNumber" not in credential["credentialSubject"]
    assert "SW-12345" not in json.dumps(credential)


def test_license_number_goes_in_once_the_learner_opted_in(issuer_key, completed, learner):
    services.set_preference(
        db.session, learner.id, public_subject=False, include_license_number=True
    )
    number = completed.post("/api/v1/courses/test-course/certificate").get_json()["certificate"][
        "number"
    ]

    assert owner_credential(completed, number)["credentialSubject"]["licenseNumber"] == "SW-12345"


def test_proof_checks_out_and_a_changed_name_does_not(signed, completed):
    issuer = services.configured_issuer()
    credential = owner_credential(completed, signed)

    assert services.verify_document(credential, issuer)
    credential["credentialSubject"]["name"] = "Dana Clinician, LCSW."
    assert not services.verify_document(credential, issuer)


def test_issuing_twice_keeps_one_credential(signed, completed):
    certificate = certificates.find_certificate(db.session, signed)
    first = stored_credential(signed)

    again = services.issue_for_certificate(db.session, certificate)

    assert again.id == first.id


def test_only_the_owner_gets_the_credential_from_the_api(signed, api):
    factories.user("other@example.org")
    api.login("other@example.org")

    response = api.get(f"/api/v1/certificates/{signed}/credential")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"]


def test_reissue_supersedes_the_old_credential_and_signs_a_new_one(signed, completed, learner):
    learner.full_name = "Dana Q. Clinician"
    db.session.commit()
    old = certificates.find_certificate(db.session, signed)

    replacement = certificates.reissue(
        db.session, old, actor_id=learner.id, base_url="https://ce.example.org"
    )
    db.session.commit()

    assert stored_credential(signed).revoked is True
    new = stored_credential(replacement.number)
    assert new is not None and new.revoked is False
    assert new.document["credentialSubject"]["name"].startswith("Dana Q. Clinician")
    assert new.document["evidence"][0]["description"].endswith(replacement.sha256)


def test_background_render_issues_the_credential_once_the_pdf_hash_exists(
    issuer_key, completed, app, monkeypatch
):
    from tests.conftest import run_jobs

    monkeypatch.setitem(app.config, "RENDER_INLINE", False)
    issued = completed.post("/api/v1/courses/test-course/certificate")
    assert issued.get_json()["status"] == "rendering"
    number = issued.get_json()["certificate"]["number"]
    assert stored_credential(number) is None
    assert completed.get(f"/api/v1/certificates/{number}/credential").status_code == 404

    assert run_jobs() >= 1
    credential = stored_credential(number)
    assert credential is not None
    pdf = completed.get(f"/api/v1/certificates/{number}.pdf")
    assert pdf.status_code == 200
    digest = hashlib.sha256(pdf.data).hexdigest()
    assert credential.document["evidence"][0]["description"].endswith(digest)
    served = completed.get(f"/api/v1/certificates/{number}/credential")
    assert served.status_code == 200 and served.get_json()["id"].endswith(number)
