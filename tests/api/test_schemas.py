"""The published document carries the API's closed sets, and the API enforces them the same way."""

from __future__ import annotations

from openapi_spec_validator import validate

from ce_platform.accounts.models import PROFESSIONS
from tests import factories

NEW_USER = {
    "email": "sam@example.org",
    "password": "twelve chars ok",
    "full_name": "Sam Ortiz",
    "profession": "psychologist",
}


def test_generated_document_passes_openapi_spec_validator(client):
    validate(client.get("/api/v1/openapi.json").get_json())


def test_every_operation_has_a_unique_operation_id_a_tag_and_a_description(client):
    document = client.get("/api/v1/openapi.json").get_json()
    ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["tags"] and operation["description"], (path, method)
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    assert "register" in ids and "update_me" in ids


def test_document_lists_the_professions_the_api_enforces(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Register"]["properties"]["profession"]["enum"] == list(PROFESSIONS)
    update = schemas["ProfileUpdate"]["properties"]["profession"]["anyOf"]
    assert {"type": "string", "enum": list(PROFESSIONS)}.items() <= update[0].items()
    assert schemas["User"]["properties"]["profession"]["enum"] == list(PROFESSIONS)
    assert schemas["User"]["properties"]["role"]["enum"] == ["learner", "instructor", "admin"]


def test_register_body_schema_is_the_one_that_validates(client):
    register = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Register"]
    assert register["additionalProperties"] is False
    assert register["properties"]["full_name"]["maxLength"] == 200
    assert register["properties"]["password"]["maxLength"] == 1024
    assert register["properties"]["email"]["examples"]


def test_profession_outside_the_enum_is_a_400_naming_the_allowed_values(api):
    response = api.post("/api/v1/auth/register", json={**NEW_USER, "profession": "Psychologist"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    for value in PROFESSIONS:
        assert f"'{value}'" in error["message"]
    assert "profession" in error["details"]


def test_patch_me_with_a_capitalised_profession_names_the_allowed_values(api):
    factories.user(email="learner@example.org")
    api.login()
    response = api.patch("/api/v1/me", json={"profession": "Nurse"})
    assert response.status_code == 400
    assert "'nurse'" in response.get_json()["error"]["details"]["profession"]


def test_wrong_types_and_unknown_fields_are_named_in_details(api):
    response = api.post(
        "/api/v1/auth/token", json={"email": 5, "password": "x" * 1025, "remember": True}
    )
    assert response.status_code == 400
    details = response.get_json()["error"]["details"]
    assert set(details) == {"email", "password", "remember"}
    assert details["remember"] == "unknown field"
    assert "1024" in details["password"]


def test_full_name_longer_than_the_form_allows_is_refused_by_the_schema(api):
    response = api.post("/api/v1/auth/register", json={**NEW_USER, "full_name": "x" * 201})
    assert response.status_code == 400
    assert "200" in response.get_json()["error"]["details"]["full_name"]


def test_license_state_is_an_enum_in_either_case_and_other_codes_are_400(api):
    schemas = api.client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    states = schemas["Register"]["properties"]["license_state"]["anyOf"][0]["enum"]
    assert {"", "WA", "wa"} <= set(states) and "ZZ" not in states
    response = api.post("/api/v1/auth/register", json={**NEW_USER, "license_state": "0"})
    assert response.status_code == 400
    assert "'WA'" in response.get_json()["error"]["details"]["license_state"]


def test_bulk_verify_body_refuses_unknown_fields_as_documented(api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/verify"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/VerifyMany"}
    verify_many = document["components"]["schemas"]["VerifyMany"]
    assert verify_many["additionalProperties"] is False
    assert verify_many["properties"]["numbers"]["maxItems"] == 100
    response = api.post("/api/v1/verify", json={"numbers": ["CE-1"], "extra": 1})
    assert response.status_code == 400


def test_every_json_request_body_is_a_model_that_validates_it(client):
    from ce_platform.api.schemas import BODIES

    document = client.get("/api/v1/openapi.json").get_json()
    names = {model.__name__ for model in BODIES}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                ref = content["application/json"]["schema"]["$ref"]
                assert ref.removeprefix("#/components/schemas/") in names, (path, method)


def test_role_outside_the_enum_is_a_400_naming_the_roles(api):
    factories.user("admin@example.org", role="admin")
    target = factories.user("kim@example.org")
    api.login("admin@example.org")
    response = api.patch(f"/api/v1/admin/users/{target.id}", json={"role": "superuser"})
    assert response.status_code == 400
    message = response.get_json()["error"]["details"]["role"]
    assert all(f"'{role}'" in message for role in ("learner", "instructor", "admin"))
