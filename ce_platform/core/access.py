"""Role checks for HTML views; the JSON API has its own bearer-token guard in api/."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_login import current_user

from ce_platform.core.errors import Forbidden

ROLES = ("learner", "instructor", "admin")


def roles_required(*roles: str) -> Callable:
    """Let the view run only for a signed-in user whose role is one of `roles` (admins always)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            from ce_platform.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != "admin" and current_user.role not in roles:
                raise Forbidden("Your account does not have access to this page.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
