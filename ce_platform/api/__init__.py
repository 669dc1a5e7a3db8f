"""The JSON API under /api/v1: bearer tokens only, one error body, one module per resource."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import pydantic
from flask import Blueprint, current_app, g, request

from ce_platform.accounts import services as accounts
from ce_platform.core.errors import AuthenticationRequired, ValidationError
from ce_platform.core.jsonbody import MalformedJSON, loads_untrusted
from ce_platform.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _limit_body_size() -> None:
    request.max_content_length = current_app.config["API_MAX_BODY"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_required(view: Callable) -> Callable:
    """Authenticate by bearer token alone; a session cookie is never consulted here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        raw = bearer_token()
        if raw is None:
            raise AuthenticationRequired("Send 'Authorization: Bearer <token>'.")
        user = accounts.user_for_api_token(db.session, raw)
        if user is None:
            raise AuthenticationRequired("The token is unknown, expired or revoked.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


def json_body() -> dict[str, Any]:
    """Return the request's JSON object, or raise 400 saying what is wrong with it."""
    if not request.mimetype or request.mimetype != "application/json":
        raise ValidationError("Send a JSON body with 'Content-Type: application/json'.")
    raw = request.get_data(cache=True)
    try:
        data = loads_untrusted(raw or b"")
    except MalformedJSON as exc:
        raise ValidationError(f"Malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationError("The JSON body must be an object.")
    return data


Model = TypeVar("Model", bound=pydantic.BaseModel)


def validated(model: type[Model]) -> Model:
    """Parse the JSON body into `model`; `details` names every problem, enums list their values."""
    data = json_body()
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = {}
        for error in exc.errors(include_url=False):
            # Named by the innermost key (a field, or a question id in `answers`), as before.
            keys = [i for i, part in enumerate(error["loc"]) if isinstance(part, str)]
            name = str(error["loc"][keys[-1]]) if keys else "body"
            within = "".join(f"[{part}]" for part in error["loc"][keys[-1] + 1 if keys else 0 :])
            if error["type"] == "extra_forbidden" and not within:
                problems[name] = "unknown field"
            elif error["type"] == "missing" and not within:
                problems[name] = "required"
            else:
                problems.setdefault(name, f"{within} {error['msg']}".strip())
        listed = "; ".join(f"{k}: {v}" for k, v in problems.items())
        raise ValidationError(f"Invalid fields: {listed}", problems) from None


def init_app(app) -> None:
    from ce_platform.api import (  # noqa: F401  (routes register on import)
        admin,
        auth,
        authoring,
        certificates,
        courses,
        learning,
        me,
        openapi,
        reports,
    )

    app.register_blueprint(bp)
