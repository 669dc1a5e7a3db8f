"""What a board clerk sees: provider, credit by category and board, format, and bulk checks."""

from __future__ import annotations

from ce_platform.certificates import services as certificates
from ce_platform.extensions import db
from tests.accounts.test_api import assert_error

FORMAT = "Asynchronous, self-paced online home study (reading-based)"
BOARDS = [  # sorted by body: the certificate's own order would tell the learner's profession
    {
        "body": "ASWB Approved Continuing Education (ACE)",
        "provider_number": "1234",
        "hours": "0.25",
        "unit": "continuing education credits",
    },
    {
        "body": "American Psychological Association",
        "provider_number": None,
        "hours": "0.25",
        "unit": "CE credits",
    },
]


def test_verify_api_shows_provider_credit_by_category_and_board_format_and_date(api, issued):
    api.token = None

    body = api.get(f"/api/v1/verify/{issued['number']}").get_json()

    assert body["provider"] == "Test Institute of Continuing Education"
    assert body["format"] == FORMAT
    assert body["completion_date"] == issued["completion_date"]
    assert body["credits"] == [{"category": "general", "hours": "0.25"}]
    assert body["boards"] == BOARDS
    assert body["superseded_by_url"] is None
    text = str(body)
    for private in ("SW-12345", "learner@example.org", "Social worker", "social_worker"):
        assert private not in text


def test_verify_page_shows_the_same_facts_without_private_data(client, issued):
    html = client.get(f"/verify/{issued['number']}").get_data(as_text=True)

    for expected in (
        "Test Institute of Continuing Education",
        FORMAT,
        issued["completion_date"],
        "0.25 general",
        "ASWB Approved Continuing Education (ACE) (provider 1234): 0.25 continuing education",
        "American Psychological Association: 0.25 CE credits",
    ):
        assert expected in html
    assert html.index("ASWB Approved") < html.index("American Psychological Association")
    for private in ("SW-12345", "learner@example.org", "Social worker"):
        assert private not in html


def test_bulk_verify_answers_each_number_as_the_single_lookup_does(api, issued):
    api.token = None
    numbers = [issued["number"].lower(), "CE-0000-0000-0000-0000", "not a number"]

    response = api.post("/api/v1/verify", json={"numbers": numbers})

    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    single = api.get(f"/api/v1/verify/{issued['number']}").get_json()
    assert results == [
        {"found": True, **single},
        {"number": "CE-0000-0000-0000-0000", "found": False, "status": "not_found"},
        {"number": "not a number", "found": False, "status": "not_found"},
    ]


def test_bulk_verify_shows_revocation_reason_and_date_and_the_successor_link(api, client, issued):
    certificate = certificates.find_certificate(db.session, issued["number"])
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="issued_in_error", note="Private note."
    )
    db.session.commit()
    api.token = None

    [result] = api.post("/api/v1/verify", json={"numbers": [issued["number"]]}).get_json()[
        "results"
    ]

    assert result["status"] == "revoked" and result["valid"] is False
    assert result["revoked_reason"] == certificate.revoked_reason_public
    assert result["revoked_at"] == certificate.revoked_at.date().isoformat()
    assert "Private note." not in str(result)


def test_superseded_certificate_links_to_its_successor(api, completed, issued):
    completed.patch("/api/v1/me", json={"full_name": "Dana Married-Name"})
    old = certificates.find_certificate(db.session, issued["number"])
    new = certificates.reissue(db.session, old, actor_id=None, base_url="http://ce.example")
    db.session.commit()
    api.token = None

    body = api.get(f"/api/v1/verify/{issued['number']}").get_json()

    assert body["status"] == "superseded" and body["superseded_by"] == new.number
    assert body["superseded_by_url"] == f"http://localhost/verify/{new.number}"
    bulk = api.post("/api/v1/verify", json={"numbers": [issued["number"]]}).get_json()
    assert bulk["results"][0]["superseded_by_url"] == body["superseded_by_url"]


def test_bulk_verify_refuses_malformed_requests_with_the_error_body(api):
    api.token = None
    cases = [
        {"numbers": []},
        {"numbers": ["CE-0000-0000-0000-0000"] * 101},
        {"numbers": [42]},
        {"numbers": ["x" * 65]},
        {"numbers": "CE-0000-0000-0000-0000"},
        {},
    ]
    for body in cases:
        response = api.post("/api/v1/verify", json=body)
        assert_error(response, 400, "validation_error")
        assert "numbers" in response.get_json()["error"]["details"]


def test_bulk_verify_takes_100_numbers_and_is_rate_limited(api, issued):
    api.token = None
    numbers = [issued["number"]] * 100
    for _ in range(10):
        response = api.post("/api/v1/verify", json={"numbers": numbers})
        assert response.status_code == 200
        assert len(response.get_json()["results"]) == 100
    assert_error(api.post("/api/v1/verify", json={"numbers": numbers}), 429, "rate_limited")
