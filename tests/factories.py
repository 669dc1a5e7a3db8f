"""Build records through the real services so tests start from valid states."""

from __future__ import annotations

import itertools

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import User
from ce_platform.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
FAST = accounts.Settings(password_min_length=12, hash_method="pbkdf2:sha256:1000")


def user(
    email: str | None = None,
    *,
    role: str = "learner",
    full_name: str = "Alex Rivera",
    password: str = PASSWORD,
    **profile,
) -> User:
    email = email or f"user{next(_counter)}@example.org"
    profile.setdefault("profession", "psychologist")
    created = accounts.register_user(
        db.session,
        email=email,
        password=password,
        full_name=full_name,
        role=role,
        settings=FAST,
        **profile,
    )
    db.session.commit()
    return created
