"""Mail sent on registration: the owner of the address learns what happened, the caller never."""

from __future__ import annotations

from ce_platform.accounts import services
from ce_platform.jobs import services as jobs

# The answer to every accepted registration, page or API, new address or taken.
REGISTERED_MESSAGE = (
    "Thank you. Sign in with your email and password to continue. If the address already had "
    "an account, we have emailed its owner instead."
)


def queue_registration_mail(session, email: str, *, existing: bool) -> None:
    """Ask a new account to confirm its address, or tell an existing one's owner of the try."""
    user = services.get_user_by_email(session, services.normalize_email(email))
    if user is None:
        return
    if existing:
        jobs.send_message(session, "registration_attempt", user_id=user.id)
    else:
        services.request_verification(session, user)
