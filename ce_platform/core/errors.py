"""One exception hierarchy for business rules, rendered as an HTML page or the API error body."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class CEError(Exception):
    """A request could not be served for a reason the caller can act on."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationError(CEError):
    status = 400
    code = "validation_error"


class AuthenticationRequired(CEError):
    status = 401
    code = "unauthorized"


class Forbidden(CEError):
    status = 403
    code = "forbidden"


class NotFound(CEError):
    status = 404
    code = "not_found"


class Conflict(CEError):
    status = 409
    code = "conflict"


class PayloadTooLarge(CEError):
    status = 413
    code = "payload_too_large"


class BusinessRuleError(CEError):
    """The request is well formed but a rule of the domain forbids it (HTTP 422)."""

    status = 422
    code = "unprocessable"


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


# Features add links to the error page of a request about a course (a URL with a `slug`):
# each takes the slug and returns (label, url) or None. The catalog links the course page,
# learning the learner's next step there.
COURSE_ERROR_LINKS: list[Callable[[str], tuple[str, str] | None]] = []


def course_links(status: int) -> list[tuple[str, str]]:
    """Where to go from a refused request about a course, instead of only the catalog."""
    slug = (request.view_args or {}).get("slug")
    if status not in (409, 422) or not isinstance(slug, str):
        return []
    from ce_platform.extensions import db

    db.session.rollback()  # nothing of a refused request is kept; read what is committed
    links = []
    for hook in COURSE_ERROR_LINKS:
        link = hook(slug)
        if link is not None and link not in links:
            links.append(link)
    return links


def wants_json() -> bool:
    """API paths always answer JSON, whatever the client accepts."""
    return request.path.startswith("/api/")


def error_body(status: int, code: str, message: str, details: Any = None):
    return jsonify({"error": {"code": code, "message": message, "details": details}}), status


def _render(status: int, code: str, message: str, details: Any = None, headers=None):
    if wants_json():
        response, _ = error_body(status, code, message, details)
        response.status_code = status
    else:
        template = (
            f"errors/{status}.html" if status in (403, 404, 429, 500) else "errors/error.html"
        )
        response = current_app.make_response(
            (
                render_template(
                    template,
                    status=status,
                    message=message,
                    details=details,
                    links=course_links(status),
                ),
                status,
            )
        )
    if headers:
        for name, value in headers:
            if name.lower() in ("allow", "retry-after") or name.lower().startswith("x-ratelimit"):
                response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CEError)
    def handle_ce_error(exc: CEError):
        return _render(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        status = exc.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = exc.description or exc.name
        if status == 429:
            message = (
                f"Too many requests: the limit is {exc.description}. Wait a minute and try again."
            )
        headers = exc.get_response().headers.items() if status in (405, 429) else None
        return _render(status, code, message, None, headers=headers)

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(exc: OperationalError):
        # The database is down, restarting or (SQLite) locked by another writer: nothing was
        # committed, and the client may retry.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.orig)
        # Render the outage page as for an anonymous visitor: loading the signed-in user (the
        # layout shows their name) would query the database again and end in a bare 500.
        from flask import g

        from ce_platform.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        response = _render(
            503,
            "database_unavailable",
            "The service is briefly unavailable; please try again. Repeating the request is safe.",
        )
        response.headers["Retry-After"] = "2"
        return response

    @app.teardown_appcontext
    def close_session_after_lost_connection(exc):
        """Close the session before Flask-SQLAlchemy's own teardown does.

        If the database dropped the connection after the view had its answer, the closing
        ROLLBACK fails; the connection is already invalidated and nothing uncommitted survives,
        so the answer stands instead of becoming a bare 500.
        """
        from ce_platform.extensions import db

        try:
            db.session.remove()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning("database connection lost while closing the session: %s", error.orig)
            db.session.remove()

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return _render(500, "internal_error", "Something went wrong on our side; it is logged.")
        return _render(500, "internal_error", "")
