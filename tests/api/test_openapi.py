"""The OpenAPI document and the URL map describe the same API, in both directions."""

from __future__ import annotations

import re

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        path = path.replace("{attempt_id}", "{id}").replace("{lesson_slug}", "{lesson}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def documented(document) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_document_is_openapi_3_1_with_the_error_body(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert routes(app) - documented(document) == set(), "routes missing from the document"
    assert documented(document) - routes(app) == set(), "documented paths with no route"


def test_every_operation_documents_its_errors_with_the_error_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert any(s.startswith("2") for s in statuses), (path, method)
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)
            if "requestBody" in operation:
                assert {"400", "413"} <= statuses, (path, method)


def test_api_reference_page_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    html = client.get("/api-reference").get_data(as_text=True)
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in html


def test_submit_and_attempt_responses_document_the_missed_objectives(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    missed = {"$ref": "#/components/schemas/MissedObjective"}
    submit = document["paths"]["/api/v1/quiz/attempts/{id}/submit"]["post"]["responses"]["200"]
    grade = submit["content"]["application/json"]["schema"]["properties"]
    assert grade["missed_objectives"] == {"type": "array", "items": missed}
    attempt = schemas["Attempt"]["properties"]
    assert attempt["missed_objectives"] == {"type": "array", "items": missed}
    objective = schemas["MissedObjective"]["properties"]
    assert set(objective) == {"number", "objective", "lessons"}
    assert set(objective["lessons"]["items"]["properties"]) == {"slug", "title", "url"}
