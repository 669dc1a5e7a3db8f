"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

tests/api/test_openapi.py checks it against the URL map in both directions, so a route
cannot be added or removed without its description.
"""

from __future__ import annotations

import re

from flask import current_app

from ce_platform.accounts.models import PROFESSIONS
from ce_platform.api import bp, schemas

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    schema = {"type": "object", "properties": properties, **extra}
    if required is None:
        required = list(properties)
    if required:
        schema["required"] = required
    return schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


SCHEMAS: dict[str, dict] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": STRING,
                    "message": STRING,
                    "details": {},
                }
            )
        }
    ),
    "User": obj(
        {
            "id": INTEGER,
            "email": {"type": "string", "format": "email"},
            "full_name": STRING,
            "credentials": STRING,
            "profession": {"type": "string", "enum": list(PROFESSIONS)},
            "license_number": STRING,
            "license_state": STRING,
            "role": {"type": "string", "enum": ["learner", "instructor", "admin"]},
        }
    ),
    "CourseSummary": obj(
        {
            "slug": STRING,
            "title": STRING,
            "summary": STRING,
            "ce_hours": NUMBER,
            "credits": {"type": "object", "additionalProperties": NUMBER},
            "level": STRING,
            "lesson_count": INTEGER,
        }
    ),
    "Course": obj(
        {
            "slug": STRING,
            "title": STRING,
            "summary": STRING,
            "ce_hours": NUMBER,
            "credits": {"type": "object", "additionalProperties": NUMBER},
            "level": STRING,
            "lesson_count": INTEGER,
            "revision": INTEGER,
            "format": STRING,
            "evolving": BOOLEAN,
            "objectives": array(STRING),
            "authors": array(
                obj({"name": STRING, "credentials": STRING, "disclosure": STRING}, required=[])
            ),
            "commercial_support": STRING,
            "specimen_provider": BOOLEAN,
            "accreditations": array(obj({"body": STRING, "statement": STRING})),
            "open_for_enrollment": BOOLEAN,
            "lessons": array(obj({"slug": STRING, "title": STRING, "minutes": INTEGER})),
            "quiz": obj(
                dict.fromkeys(("passing_score", "max_attempts", "questions_per_attempt"), INTEGER)
            ),
        }
    ),
    "Requirement": obj({"code": STRING, "label": STRING, "met": BOOLEAN, "detail": STRING}),
    "Enrollment": obj(
        {
            "id": INTEGER,
            "course": STRING,
            "title": STRING,
            "revision": INTEGER,
            "status": {
                "type": "string",
                "enum": ["in_progress", "awaiting_post_test", "awaiting_evaluation", "complete"],
            },
            "progress": INTEGER,
            "seat_time": obj(
                {"floor_minutes": INTEGER, "active_seconds": INTEGER, "minutes_needed": INTEGER}
            ),
            "enrolled_at": DATETIME,
            "completed_at": NULLABLE_DATETIME,
            "requirements": array(ref("Requirement")),
            "unmet": array(STRING),
        }
    ),
    "AttemptQuestion": obj(
        {
            "id": STRING,
            "prompt_html": STRING,
            "multiple": BOOLEAN,
            "kind": STRING,
            "options": array(obj({"id": STRING, "html": STRING})),
        }
    ),
    "QuestionResult": obj(
        {
            "id": STRING,
            "prompt_html": STRING,
            "correct": BOOLEAN,
            "explanation_html": STRING,
            "options": array(
                obj(
                    {
                        "id": STRING,
                        "html": STRING,
                        "chosen": BOOLEAN,
                        "correct": BOOLEAN,
                        "feedback_html": STRING,
                    }
                )
            ),
        }
    ),
    "MissedObjective": obj(
        {
            "number": INTEGER,
            "objective": STRING,
            "lessons": array(obj({"slug": STRING, "title": STRING, "url": STRING})),
        },
        description="A course objective measured by an item the failed attempt got wrong, with "
        "the lessons that teach it; never the items or the key.",
    ),
    "Attempt": obj(
        {
            "id": INTEGER,
            "number": INTEGER,
            "started_at": DATETIME,
            "submitted_at": NULLABLE_DATETIME,
            "questions": array(ref("AttemptQuestion")),
            "score": INTEGER,
            "passed": BOOLEAN,
            "missed_objectives": array(ref("MissedObjective")),
            "results": array(ref("QuestionResult")),
        },
        required=["id", "number", "started_at", "submitted_at", "questions"],
    ),
    "Certificate": obj(
        {
            "number": STRING,
            "course": STRING,
            "title": STRING,
            "revision": INTEGER,
            "issued_at": STRING,
            "completion_date": {"type": "string", "format": "date"},
            "ce_hours": NUMBER,
            "credits": {"type": "object", "additionalProperties": NUMBER},
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "sha256": {"type": ["string", "null"]},
            "verification_url": STRING,
            "superseded_by": {"type": ["string", "null"]},
        }
    ),
    "Verification": obj(
        {
            "number": STRING,
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "valid": BOOLEAN,
            "learner_name": STRING,
            "course": STRING,
            "completion_date": STRING,
            "issued_at": STRING,
            "ce_hours": STRING,
            "revoked_at": {"type": ["string", "null"]},
            "revoked_reason": {"type": ["string", "null"]},
            "superseded_by": {"type": ["string", "null"]},
            "specimen": BOOLEAN,
            "notice": {"type": ["string", "null"]},
            "provider": STRING,
            "format": STRING,
            "credits": array(obj({"category": STRING, "hours": STRING})),
            "boards": array(
                obj(
                    {
                        "body": STRING,
                        "provider_number": {"type": ["string", "null"]},
                        "hours": STRING,
                        "unit": STRING,
                    }
                )
            ),
            "superseded_by_url": {"type": ["string", "null"]},
            "pdf_ready": BOOLEAN,
        }
    ),
    # Request bodies: the same Pydantic models that validate them (api/schemas.py).
    **{model.__name__: schemas.schema(model) for model in schemas.BODIES},
}
RENDER_STATUS = {"type": "string", "enum": ["rendering", "ready"]}

ERRORS = {
    "400": "The request body or a parameter is malformed; details names the fields.",
    "401": "No valid bearer token.",
    "403": "The token's account may not do this.",
    "404": "No such object (or not visible to this account).",
    "409": "Conflicts with the current state (already done).",
    "413": "The request body is too large.",
    "422": "Well formed, but a rule forbids it; details says which.",
    "429": "Too many requests; wait and retry.",
}


def _responses(ok: dict[str, tuple[str, dict | None]], errors: tuple[str, ...]) -> dict:
    out = {}
    for status, (description, schema) in ok.items():
        entry: dict = {"description": description}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        out[status] = entry
    for status in errors:
        out[status] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": ref("Error")}},
        }
    return out


def op(
    summary: str,
    ok: dict[str, tuple[str, dict | None]],
    *,
    errors: tuple[str, ...] = (),
    body: dict | None = None,
    auth: bool = True,
    params: tuple[tuple[str, dict], ...] = (),
    query: tuple[tuple[str, dict], ...] = (),
    raw: dict | None = None,
) -> dict:
    """One operation; `raw` replaces the JSON success content (PDF, CSV)."""
    errors = tuple(dict.fromkeys(("401",) * auth + errors + ("429",) * (not auth)))
    operation: dict = {"summary": summary, "responses": _responses(ok, errors)}
    if raw:
        operation["responses"].update(raw)
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
        operation["responses"].setdefault(
            "400",
            {
                "description": ERRORS["400"],
                "content": {"application/json": {"schema": ref("Error")}},
            },
        )
        operation["responses"].setdefault(
            "413",
            {
                "description": ERRORS["413"],
                "content": {"application/json": {"schema": ref("Error")}},
            },
        )
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": schema} for name, schema in params
    ]
    parameters += [{"name": name, "in": "query", "schema": schema} for name, schema in query]
    if parameters:
        operation["parameters"] = parameters
    operation["security"] = [{"bearer": []}] if auth else []
    return operation


SLUG = ("slug", {"type": "string", "pattern": "^[a-z0-9-]+$"})
LESSON = ("lesson", {"type": "string", "pattern": "^[a-z0-9-]+$"})
NUMBER_PARAM = ("number", STRING)
ATTEMPT_ID = ("id", {"type": "integer", "minimum": 1})


def core_paths() -> dict:
    return {
        "/api/v1/auth/register": {
            "post": op(
                "Create a learner account; the answer never tells whether the email was taken",
                {
                    "202": (
                        "Accepted: a new account was created, or the email already had one and "
                        "its owner was told by mail. The address gets a message either way.",
                        obj({"message": STRING}),
                    )
                },
                errors=("429",),
                body=ref("Register"),
                auth=False,
            )
        },
        "/api/v1/auth/token": {
            "post": op(
                "Exchange email and password for a bearer token",
                {
                    "200": (
                        "A new token (shown once; only its hash is stored)",
                        obj({"token": STRING, "expires_at": DATETIME, "user": ref("User")}),
                    )
                },
                errors=("401", "429"),
                body=ref("TokenRequest"),
                auth=False,
            ),
            "delete": op("Revoke the token used for this request", {"204": ("Revoked", None)}),
        },
        "/api/v1/me": {
            "get": op(
                "The signed-in account", {"200": ("The account", obj({"user": ref("User")}))}
            ),
            "patch": op(
                "Update profile fields",
                {"200": ("The account", obj({"user": ref("User")}))},
                body=ref("ProfileUpdate"),
            ),
        },
        "/api/v1/me/password": {
            "post": op(
                "Change the password: every session and API token ends except this token",
                {"204": ("Changed", None)},
                errors=("400", "429"),
                body=ref("PasswordChange"),
            )
        },
        "/api/v1/courses": {
            "get": op(
                "Courses open to new learners",
                {"200": ("The catalog", obj({"courses": array(ref("CourseSummary"))}))},
                auth=False,
            )
        },
        "/api/v1/courses/{slug}": {
            "get": op(
                "One course",
                {
                    "200": (
                        "The course",
                        ref("Course"),
                    )
                },
                errors=("404",),
                auth=False,
                params=(SLUG,),
            )
        },
        "/api/v1/courses/{slug}/lessons/{lesson}": {
            "get": op(
                "One lesson (of the learner's pinned revision when enrolled)",
                {
                    "200": (
                        "The lesson",
                        obj(
                            {
                                "slug": STRING,
                                "title": STRING,
                                "html": STRING,
                                "position": INTEGER,
                                "minutes": INTEGER,
                            }
                        ),
                    )
                },
                errors=("404",),
                params=(SLUG, LESSON),
            )
        },
        "/api/v1/courses/{slug}/enrollment": {
            "post": op(
                "Enroll (idempotent)",
                {
                    "201": ("Enrolled", obj({"enrollment": ref("Enrollment")})),
                    "200": ("Already enrolled", obj({"enrollment": ref("Enrollment")})),
                },
                errors=("404", "422"),
                params=(SLUG,),
            )
        },
        "/api/v1/enrollments": {
            "get": op(
                "The learner's enrollments with every requirement met or unmet",
                {"200": ("Enrollments", obj({"enrollments": array(ref("Enrollment"))}))},
            )
        },
        "/api/v1/courses/{slug}/lessons/{lesson}/complete": {
            "post": op(
                "Mark a lesson complete",
                {
                    "200": (
                        "Progress",
                        obj({"progress": {"type": "object"}, "enrollment": ref("Enrollment")}),
                    )
                },
                errors=("404", "422"),
                params=(SLUG, LESSON),
            )
        },
        "/api/v1/courses/{slug}/lessons/{lesson}/heartbeat": {
            "post": op(
                "Seat-time heartbeat, sent only while the lesson is visible: credits the time "
                "since the enrollment's previous heartbeat on any lesson, at most 60 s",
                {
                    "200": (
                        "Seconds credited and active minutes still needed",
                        obj({"credited": INTEGER, "minutes_needed": INTEGER}),
                    )
                },
                errors=("404", "422"),
                params=(SLUG, LESSON),
            )
        },
        "/api/v1/courses/{slug}/quiz/attempts": {
            "post": op(
                "Start a post-test attempt, or get the open one",
                {
                    "201": ("Started", obj({"attempt": ref("Attempt")})),
                    "200": ("The open attempt", obj({"attempt": ref("Attempt")})),
                },
                errors=("404", "422"),
                params=(SLUG,),
            )
        },
        "/api/v1/quiz/attempts/{id}": {
            "get": op(
                "One of the learner's attempts",
                {"200": ("The attempt", obj({"attempt": ref("Attempt")}))},
                errors=("404",),
                params=(ATTEMPT_ID,),
            )
        },
        "/api/v1/quiz/attempts/{id}/submit": {
            "post": op(
                "Submit answers; graded once on the server",
                {
                    "200": (
                        "The grade",
                        obj(
                            {
                                "score": INTEGER,
                                "passed": BOOLEAN,
                                "attempts_left": {"type": ["integer", "null"]},
                                "missed_objectives": array(ref("MissedObjective")),
                                "results": array(ref("QuestionResult")),
                            },
                            required=["score", "passed", "attempts_left"],
                        ),
                    )
                },
                errors=("404", "409"),
                body=ref("AttemptAnswers"),
                params=(ATTEMPT_ID,),
            )
        },
        "/api/v1/courses/{slug}/evaluation": {
            "get": op(
                "The evaluation questions",
                {
                    "200": (
                        "Questions",
                        obj(
                            {
                                "questions": array({"type": "object"}),
                                "attestation": STRING,
                                "submitted": BOOLEAN,
                            }
                        ),
                    )
                },
                errors=("404", "422"),
                params=(SLUG,),
            ),
            "post": op(
                "Submit the evaluation with the attestation",
                {"201": ("Recorded", obj({"enrollment": ref("Enrollment")}))},
                errors=("404", "409", "422"),
                body=ref("EvaluationAnswers"),
                params=(SLUG,),
            ),
        },
        "/api/v1/certificates": {
            "get": op(
                "The learner's certificates and totals",
                {
                    "200": (
                        "Transcript",
                        obj(
                            {
                                "certificates": array(ref("Certificate")),
                                "total_hours": NUMBER,
                                "by_category": {"type": "object", "additionalProperties": NUMBER},
                            }
                        ),
                    )
                },
            )
        },
        "/api/v1/courses/{slug}/certificate": {
            "post": op(
                "Issue the certificate once every requirement is met (idempotent)",
                {
                    "201": (
                        "Issued; status says whether the PDF is ready or still rendering",
                        obj({"certificate": ref("Certificate"), "status": RENDER_STATUS}),
                    ),
                    "200": (
                        "Already issued",
                        obj({"certificate": ref("Certificate"), "status": RENDER_STATUS}),
                    ),
                },
                errors=("404", "422"),
                params=(SLUG,),
            )
        },
        "/api/v1/certificates/{number}/credential": {
            "get": op(
                "The certificate's signed Open Badges 3.0 credential (owner only; 404 when the "
                "site has no issuer key)",
                {
                    "200": (
                        "An OpenBadgeCredential with a DataIntegrityProof (eddsa-rdfc-2022)",
                        {"type": "object", "additionalProperties": True},
                    )
                },
                errors=("404",),
                params=(NUMBER_PARAM,),
            )
        },
        "/api/v1/certificates/{number}.pdf": {
            "get": op(
                "Download the stored PDF (owner, the course's instructors, admins)",
                {},
                errors=("404",),
                params=(NUMBER_PARAM,),
                raw={
                    "200": {
                        "description": "The PDF exactly as issued; ETag is its SHA-256",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    "304": {"description": "Not modified"},
                    "202": {
                        "description": "The PDF is still rendering; ask again after Retry-After "
                        "seconds",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {
                                "schema": obj({"number": STRING, "status": RENDER_STATUS})
                            }
                        },
                    },
                },
            )
        },
        "/api/v1/verify/{number}": {
            "get": op(
                "Public verification (no email, no licence number)",
                {"200": ("Status and facts", ref("Verification"))},
                errors=("404",),
                auth=False,
                params=(NUMBER_PARAM,),
            )
        },
        "/api/v1/verify": {
            "post": op(
                "Public bulk verification for boards: up to 100 numbers, each answered as the "
                "single lookup answers it, or not_found",
                {
                    "200": (
                        "One result per number, in the order given",
                        obj(
                            {
                                "results": array(
                                    {
                                        "oneOf": [
                                            ref("Verification"),
                                            obj(
                                                {
                                                    "number": STRING,
                                                    "found": BOOLEAN,
                                                    "status": {"const": "not_found"},
                                                }
                                            ),
                                        ]
                                    }
                                )
                            }
                        ),
                    )
                },
                errors=("400",),
                auth=False,
                body=ref("VerifyMany"),
            )
        },
        "/api/v1/openapi.json": {
            "get": op(
                "This document",
                {"200": ("OpenAPI 3.1", {"type": "object"})},
                auth=False,
            )
        },
    }


# Features add their paths here at import (name -> callable returning a paths dict).
EXTRA_PATHS: list = []


def _operation_ids() -> dict[tuple[str, str], str]:
    """Name each operation after its view function, so ids follow the code and never repeat."""
    ids = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        path = path.replace("{attempt_id}", "{id}").replace("{lesson_slug}", "{lesson}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            ids[(path, method.lower())] = rule.endpoint.removeprefix("api.")
    return ids


def _name_operations(paths: dict) -> None:
    """Give every operation an operationId, a tag (its resource) and a description."""
    ids = _operation_ids()
    for path, item in paths.items():
        tag = path.removeprefix("/api/v1/").split("/")[0]
        for method, operation in item.items():
            operation.setdefault("operationId", ids.get((path, method), f"{method}_{path}"))
            operation.setdefault("tags", [tag])
            operation.setdefault("description", operation["summary"] + ".")


def document() -> dict:
    paths = core_paths()
    for extra in EXTRA_PATHS:
        paths.update(extra())
    _name_operations(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ce_platform API",
            "version": "1",
            "contact": {"name": "ce_platform", "url": current_app.config["BASE_URL"]},
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
            "description": "Continuing-education courses, post-tests and certificates. "
            "Authenticate with 'Authorization: Bearer <token>' from POST /api/v1/auth/token.",
        },
        "servers": [{"url": current_app.config["BASE_URL"]}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return document()
