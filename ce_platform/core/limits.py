"""Keys for rate limits that count per account rather than per address."""

from __future__ import annotations

from flask import current_app, g
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
