"""Configuration: safe laptop defaults, overridden by CE_* environment variables and .env."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "BASE_URL": "http://localhost:5000",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Request bodies: pages may upload course media and zips; the JSON API takes far less.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "API_MAX_BODY": 1024 * 1024,
    "API_TOKEN_TTL_HOURS": 24 * 30,
    "PASSWORD_MIN_LENGTH": 12,
    "PASSWORD_HASH_METHOD": "scrypt",
    "PASSWORD_RESET_MAX_AGE": 60 * 60,
    # Guessing passwords (OWASP Authentication Cheat Sheet: throttle per account and per
    # address). Per address: a whole office behind one NAT signs in through it, so it is
    # loose and only stops sprays over many accounts. Per account: failed sign-ins on the page
    # and the token endpoint together; the account waits out the window, then may try again.
    "LOGIN_RATE_LIMIT": "30 per minute",
    "TOKEN_RATE_LIMIT": "30 per minute",
    "ACCOUNT_LOGIN_RATE_LIMIT": "10 per 15 minutes",
    # Wrong current passwords when changing the password, per account (page and API).
    "PASSWORD_CHANGE_RATE_LIMIT": "5 per 15 minutes",
    "RESET_RATE_LIMIT": "5 per minute",
    # PDFs rendered on request (transcripts, issuing and reissuing certificates), per account.
    "PDF_RATE_LIMIT": "10 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": True,
    "MAIL_SENDER": "no-reply@example.org",
    "RETENTION_YEARS": 7,
    "TRUSTED_PROXIES": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Anonymous catalog pages are served from memory; each server process reads the current
    # revisions again after this many seconds (0 renders every request).
    "CATALOG_CACHE_SECONDS": 10,
    # The issuer's Ed25519 key file (outside the database, mode 0600). Unset: certificates are
    # issued as before, without a verifiable credential.
    "CREDENTIAL_KEY_FILE": None,
    # Background jobs (ce_platform/jobs): unset is a SQLite queue in instance/ worked by a
    # thread of the web process; redis://… is shared by `flask jobs worker` processes.
    "QUEUE_URL": None,
    "QUEUE_IN_PROCESS": None,  # None: yes unless CE_QUEUE_URL names Redis
    "JOB_MAX_ATTEMPTS": 5,
    "JOB_RETRY_BASE_SECONDS": 10,
    # Render certificate PDFs inside the request instead of in a job (tests, tiny installs).
    "RENDER_INLINE": False,
    "EMAIL_VERIFY_MAX_AGE": 3 * 24 * 60 * 60,
    # "You haven't finished" after this many days without activity; evaluation pending after
    # this many days since the post-test was passed.
    "REMINDER_DAYS": 7,
    "EVALUATION_REMINDER_DAYS": 2,
    # "License renewal approaching" this many days before the renewal date, if hours are owed.
    "RENEWAL_REMINDER_DAYS": 60,
}

# Environment names that differ from the Flask/extension setting they feed.
RENAMED = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
}


def base_url_is_local(base_url: str) -> bool:
    """A certificate printed with a local verification link can never be checked by a board."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_base_url_warning(base_url: str) -> str | None:
    """Say what to set when certificates would link to this machine, else None."""
    if not base_url_is_local(base_url):
        return None
    return (
        f"CE_BASE_URL is {base_url}: certificates issued now print a verification link and QR "
        "code that only this machine can open. Set CE_BASE_URL to the site's public https:// "
        "address before issuing real certificates."
    )


class ConfigError(SystemExit):
    """A setting is missing or wrong; start-up stops with one line that says what to set."""


def load(app, overrides: dict | None) -> None:
    """Fill app.config from defaults, then CE_* variables, then explicit overrides (tests)."""
    app.config.update(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
        Path(app.instance_path) / "ce_platform.sqlite3"
    )
    app.config.from_prefixed_env("CE")
    for env_name, key in RENAMED.items():
        if env_name in app.config:
            app.config[key] = app.config.pop(env_name)
    if overrides:
        app.config.update(overrides)

    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")

    if not app.config.get("SECRET_KEY"):
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = "dev-only-insecure-key"
        else:
            raise ConfigError(
                "CE_SECRET_KEY is not set: export CE_SECRET_KEY=<long random string> "
                "(or put it in .env) before starting ce_platform"
            )

    if app.config["QUEUE_IN_PROCESS"] is None:
        url = app.config["QUEUE_URL"] or ""
        app.config["QUEUE_IN_PROCESS"] = not url.startswith(("redis://", "rediss://", "unix://"))

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        os.makedirs(app.instance_path, exist_ok=True)
    if uri.startswith("postgresql://"):
        # psycopg 3 is the supported driver; accept the bare scheme people paste.
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "postgresql+psycopg://" + uri[len("postgresql://") :]
        )
