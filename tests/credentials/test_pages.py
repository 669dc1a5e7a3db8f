"""The learner's side: the certificate page's links, the public copy, and the settings."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests import factories
from tests.conftest import csrf_token


def test_certificate_page_offers_download_linkedin_and_qr(signed, auth, client):
    auth.login()

    html = client.get(f"/certificates/{signed}").get_data(as_text=True)

    assert "Download credential (JSON)" in html
    assert f"/certificates/{signed}/credential.json" in html
    linkedin = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html).group(1)
    query = parse_qs(urlsplit(linkedin.replace("&amp;", "&")).query)
    assert query["certId"] == [signed]
    assert query["certUrl"] == [f"https://ce.example.org/verify/{signed}"]
    assert query["name"] == ["Ethics in Testing Practice"]
    assert "<svg" in html and f"https://ce.example.org/credentials/{signed}" in html


def test_download_is_the_owners_full_signed_credential(signed, auth, client):
    auth.login()

    response = client.get(f"/certificates/{signed}/credential.json")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["credentialSubject"]["name"] == "Dana Clinician, LCSW"


def test_someone_elses_download_is_404(signed, auth, client):
    factories.user("other@example.org")
    auth.login("other@example.org")

    assert client.get(f"/certificates/{signed}/credential.json").status_code == 404


def test_public_copy_leaves_out_the_subject_until_the_learner_makes_it_public(signed, auth, client):
    hidden = client.get(f"/credentials/{signed}").get_json()
    auth.login()
    token = csrf_token(client, "/credentials/settings")
    saved = client.post(
        "/credentials/settings", data={"csrf_token": token, "public_subject": "yes"}
    )
    auth.logout()
    shown = client.get(f"/credentials/{signed}").get_json()

    assert "name" not in hidden["credentialSubject"]
    assert "identifier" not in hidden["credentialSubject"]
    assert "Dana" not in str(hidden)
    assert hidden["proof"][0]["proofValue"]  # signed as it is, not cut from the full one
    assert saved.status_code == 302
    assert shown["credentialSubject"]["name"] == "Dana Clinician, LCSW"


def test_settings_refuse_a_post_without_csrf_token(signed, auth, client):
    auth.login()

    response = client.post("/credentials/settings", data={"public_subject": "yes"})

    assert response.status_code == 400
    assert "name" not in client.get(f"/credentials/{signed}").get_json()["credentialSubject"]


def test_did_document_and_issuer_profile_are_published(signed, client):
    did = client.get("/.well-known/did.json").get_json()
    profile = client.get("/credentials/issuer").get_json()

    assert did["id"] == "did:web:ce.example.org"
    assert did["assertionMethod"] == [m["id"] for m in did["verificationMethod"]]
    assert profile["id"] == "did:web:ce.example.org"
    assert profile["type"] == ["Profile"]
    assert profile["name"]


def test_revoked_certificate_page_offers_no_linkedin_link(signed, auth, client):
    from ce_platform.certificates import services as certificates
    from ce_platform.extensions import db

    certificate = certificates.find_certificate(db.session, signed)
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Wrong learner."
    )
    db.session.commit()
    auth.login()

    html = client.get(f"/certificates/{signed}").get_data(as_text=True)

    assert "Add to LinkedIn" not in html
    assert "its credential still carries a valid signature" in html
