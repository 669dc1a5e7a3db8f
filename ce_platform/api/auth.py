"""/api/v1/auth: register, and create or revoke a bearer token."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ce_platform.accounts import services as accounts
from ce_platform.accounts.notices import REGISTERED_MESSAGE, queue_registration_mail
from ce_platform.api import bearer_token, bp, token_required, validated
from ce_platform.api.me import user_json
from ce_platform.api.schemas import Register, TokenRequest
from ce_platform.core.errors import AuthenticationRequired, Conflict
from ce_platform.core.limits import account_sign_in_limit, sign_in_account
from ce_platform.extensions import db, limiter


@bp.post("/auth/register")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def register():
    data = validated(Register)
    existing = False
    try:
        accounts.register_user(
            db.session,
            email=data.email,
            password=data.password,
            full_name=data.full_name,
            profession=data.profession,
            credentials=data.credentials or "",
            license_number=data.license_number or "",
            license_state=data.license_state or "",
            settings=accounts.Settings.from_config(current_app.config),
        )
    except Conflict:
        # As on the registration page: the same answer for a taken address, so the API never
        # tells whether an email is registered; the mail tells the owner what happened.
        db.session.rollback()
        existing = True
    queue_registration_mail(db.session, data.email.strip(), existing=existing)
    db.session.commit()
    return {"message": REGISTERED_MESSAGE}, 202


def _failed(response) -> bool:
    return response.status_code != 200


@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["TOKEN_RATE_LIMIT"], deduct_when=_failed)
@limiter.shared_limit(
    account_sign_in_limit,
    scope="sign-in-account",
    key_func=sign_in_account,
    deduct_when=_failed,
)
def create_token():
    data = validated(TokenRequest)
    user = accounts.authenticate(
        db.session,
        data.email,
        data.password,
        accounts.Settings.from_config(current_app.config),
    )
    if user is None:
        accounts.record_failed_sign_in(db.session, data.email, channel="api")
        db.session.commit()
        raise AuthenticationRequired("Email or password is not correct.")
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    raw, token = accounts.issue_api_token(db.session, user, ttl)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at.isoformat(), "user": user_json(user)}


@bp.delete("/auth/token")
@token_required
def revoke_token():
    accounts.revoke_api_token(db.session, bearer_token())
    db.session.commit()
    return "", 204
