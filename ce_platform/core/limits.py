"""Keys for rate limits that count per account rather than per address."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user


def signed_in_account() -> str:
    """Count per signed-in account (API token or session); anonymous callers per address."""
    api_user = g.get("api_user")
    if api_user is not None:
        return f"account:{api_user.id}"
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"address:{get_remote_address()}"


def pdf_rendering_limit() -> str:
    return current_app.config["PDF_RATE_LIMIT"]


def sign_in_account() -> str:
    """Count failed sign-ins per email address asked for, known or not (page form or JSON)."""
    from ce_platform.core.jsonbody import MalformedJSON, loads_untrusted

    email = request.form.get("email") if request.form else None
    if email is None and request.is_json:
        try:
            body = loads_untrusted(request.get_data(cache=True) or b"")
        except MalformedJSON:
            body = None
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or not email.strip():
        return f"address:{get_remote_address()}"
    return "sign-in:" + email.strip().lower()[:254]


def account_sign_in_limit() -> str:
    return current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"]


def password_change_limit() -> str:
    return current_app.config["PASSWORD_CHANGE_RATE_LIMIT"]
