"""Mail sent on registration: the owner of the address learns what happened, the caller never."""

from __future__ import annotations

from flask import current_app, url_for

from ce_platform.core.mail import send_mail

# The answer to every accepted registration, page or API, new address or taken.
REGISTERED_MESSAGE = (
    "Thank you. Sign in with your email and password to continue. If the address already had "
    "an account, we have emailed its owner instead."
)


def send_registration_mail(to: str, *, existing: bool) -> None:
    """Tell the address's owner whether an account was created or one already existed."""
    base = current_app.config["BASE_URL"]
    if existing:
        send_mail(
            to,
            "Someone tried to create an account with your email",
            "Someone tried to create a new account with this email address, which already "
            "has one. If it was you, sign in with your password, or reset it here:\n"
            f"{base}{url_for('accounts.reset_request')}\n\n"
            "If it was not you, you can ignore this message.",
        )
    else:
        send_mail(
            to,
            "Your account is ready",
            "Your continuing-education account is ready. Sign in here:\n"
            f"{base}{url_for('accounts.login')}\n\n"
            "If you did not create it, reset its password here and tell us:\n"
            f"{base}{url_for('accounts.reset_request')}",
        )
