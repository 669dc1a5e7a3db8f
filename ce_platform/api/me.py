"""/api/v1/me: the signed-in account."""

from __future__ import annotations

from flask import current_app, g

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import User
from ce_platform.api import bearer_token, bp, token_required, validated
from ce_platform.api.schemas import PasswordChange, ProfileUpdate
from ce_platform.core.limits import password_change_limit, signed_in_account
from ce_platform.extensions import db, limiter

PROFILE_FIELDS = ("full_name", "credentials", "profession", "license_number", "license_state")


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "credentials": user.credentials,
        "profession": user.profession,
        "license_number": user.license_number,
        "license_state": user.license_state,
        "role": user.role,
    }


@bp.get("/me")
@token_required
def me():
    return {"user": user_json(g.api_user)}


@bp.patch("/me")
@token_required
def update_me():
    data = validated(ProfileUpdate).model_dump(exclude_none=True)
    user: User = g.api_user
    current = user_json(user)
    merged = {k: data.get(k, current[k]) for k in PROFILE_FIELDS}
    accounts.update_profile(db.session, user, **merged)
    db.session.commit()
    return {"user": user_json(user)}


@bp.post("/me/password")
@token_required
@limiter.shared_limit(
    password_change_limit,
    scope="password-change",
    key_func=signed_in_account,
    deduct_when=lambda response: response.status_code != 204,
)
def change_password():
    """Change the password; every other session and token ends, the caller's token stays."""
    data = validated(PasswordChange)
    accounts.change_password(
        db.session,
        g.api_user,
        data.current_password,
        data.new_password,
        accounts.Settings.from_config(current_app.config),
        keep_token=bearer_token(),
    )
    db.session.commit()
    return "", 204
