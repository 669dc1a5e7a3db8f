"""Account rules: registration, credentials, profile, password reset and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ce_platform.accounts import rules
from ce_platform.accounts.models import PROFESSIONS, US_STATES, ApiToken, User
from ce_platform.core import audit
from ce_platform.core.access import ROLES
from ce_platform.core.errors import Conflict, NotFound, ValidationError
from ce_platform.core.models import utcnow
from ce_platform.jobs import services as jobs

# A hash to compare against when the email is unknown, so a failed login costs the same time.
_DUMMY_HASH_CACHE: dict[str, str] = {}


@dataclass(frozen=True)
class Settings:
    """The account settings a service needs, passed in so services never read the app."""

    password_min_length: int = 12
    hash_method: str = "scrypt"

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(config["PASSWORD_MIN_LENGTH"], config["PASSWORD_HASH_METHOD"])


def normalize_email(raw: str) -> str:
    """Return the canonical lower-cased address, or raise naming the problem."""
    raw = rules.clean_text("email", raw)
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"Email: {exc}", {"email": str(exc)}) from None
    return result.normalized.lower()


def check_password_rules(password: str, settings: Settings) -> None:
    rules.check_password_text(password)
    if len(password) < settings.password_min_length:
        message = f"Password must be at least {settings.password_min_length} characters."
        raise ValidationError(message, {"password": message})


def _check_profile_fields(profession: str, license_state: str) -> None:
    if profession not in PROFESSIONS:
        choices = ", ".join(PROFESSIONS)
        raise ValidationError(
            f"Profession must be one of: {choices}.", {"profession": f"one of {choices}"}
        )
    if license_state and license_state not in US_STATES:
        raise ValidationError(
            "License state must be a two-letter US state or territory code.",
            {"license_state": "two-letter state code"},
        )


def registration_problems(
    *,
    email: str,
    password: str,
    full_name: str,
    profession: str,
    license_state: str = "",
    settings: Settings = Settings(),
) -> dict[str, str]:
    """Every problem of a registration at once, by field, in words that follow the field's
    label, so a form can show them all in one round."""
    problems: dict[str, str] = {}
    try:
        normalize_email(email)
    except ValidationError as exc:
        problems["email"] = exc.details["email"]
    if len(password) < settings.password_min_length:
        problems["password"] = f"Use at least {settings.password_min_length} characters."
    if not full_name.strip():
        problems["full_name"] = "Enter your name as it should appear on certificates."
    if profession not in PROFESSIONS:
        problems["profession"] = "Choose your profession."
    if license_state.strip() and license_state.strip().upper() not in US_STATES:
        problems["license_state"] = "Choose a US state or territory."
    return problems


def get_user_by_email(session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def register_user(
    session,
    *,
    email: str,
    password: str,
    full_name: str,
    profession: str = "other",
    credentials: str = "",
    license_number: str = "",
    license_state: str = "",
    role: str = "learner",
    settings: Settings = Settings(),
) -> User:
    """Create an account; a taken email (in any case) is a conflict."""
    email = normalize_email(email)
    full_name = rules.clean_text("full_name", full_name)
    if not full_name:
        raise ValidationError("Full name is required.", {"full_name": "required"})
    check_password_rules(password, settings)
    license_state = license_state.strip().upper()
    _check_profile_fields(profession, license_state)
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.", {"role": "unknown"})
    if get_user_by_email(session, email) is not None:
        # Spend the hashing time anyway, so the answer's timing does not tell the two apart.
        generate_password_hash(password, method=settings.hash_method)
        raise Conflict("An account with this email already exists.", {"email": "taken"})
    user = User(
        email=email,
        password_hash=generate_password_hash(password, method=settings.hash_method),
        full_name=full_name,
        profession=profession,
        credentials=rules.clean_text("credentials", credentials),
        license_number=rules.clean_text("license_number", license_number),
        license_state=license_state,
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(
    session, email: str, password: str, settings: Settings = Settings()
) -> User | None:
    """Return the active user these credentials belong to, else None (same cost either way)."""
    if len(email) > rules.MAX_LENGTHS["email"] or len(password) > rules.PASSWORD_MAX_LENGTH:
        return None  # no account has such an email or password; do not spend hashing on it
    user = get_user_by_email(session, email)
    if user is None:
        dummy = _DUMMY_HASH_CACHE.setdefault(
            settings.hash_method, generate_password_hash("x" * 16, method=settings.hash_method)
        )
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def update_profile(
    session,
    user: User,
    *,
    full_name: str,
    profession: str,
    credentials: str = "",
    license_number: str = "",
    license_state: str = "",
    actor_id: int | None = None,
) -> User:
    """Change the printed identity of a user, recording old and new values in the audit log."""
    full_name = rules.clean_text("full_name", full_name)
    if not full_name:
        raise ValidationError("Full name is required.", {"full_name": "required"})
    license_state = license_state.strip().upper()
    _check_profile_fields(profession, license_state)
    new = {
        "full_name": full_name,
        "credentials": rules.clean_text("credentials", credentials),
        "profession": profession,
        "license_number": rules.clean_text("license_number", license_number),
        "license_state": license_state,
    }
    changes = {
        name: {"from": getattr(user, name), "to": value}
        for name, value in new.items()
        if getattr(user, name) != value
    }
    for name, value in new.items():
        setattr(user, name, value)
    if changes:
        # Certificates print these fields, so who changed them from what is kept.
        audit.record(
            session,
            "user.profile_changed",
            actor_id=actor_id if actor_id is not None else user.id,
            subject_type="user",
            subject_id=user.id,
            data=changes,
        )
    session.flush()
    return user


def set_password(
    session,
    user: User,
    new_password: str,
    settings: Settings = Settings(),
    *,
    keep_token: str | None = None,
) -> None:
    """Replace the password and end every session and API token signed in with the old one.

    `keep_token` is the raw bearer token of the caller who changed it through the API.
    """
    check_password_rules(new_password, settings)
    user.password_hash = generate_password_hash(new_password, method=settings.hash_method)
    user.password_changed_at = utcnow()
    end_sessions(session, user)
    revoke_api_tokens(session, user, keep_token=keep_token)
    jobs.send_message(session, "password_changed", user_id=user.id)


def reset_password(session, user: User, new_password: str, settings: Settings = Settings()) -> None:
    """Set the password from a reset link, and record that it happened."""
    set_password(session, user, new_password, settings)
    audit.record(
        session, "user.password_reset", actor_id=user.id, subject_type="user", subject_id=user.id
    )


def record_failed_sign_in(session, email: str, *, channel: str) -> None:
    """Keep a trace of a refused sign-in, against the account when the email names one."""
    user = get_user_by_email(session, email)
    audit.record(
        session,
        "user.sign_in_failed",
        actor_id=None,
        subject_type="user" if user is not None else "email",
        subject_id=user.id if user is not None else email.strip().lower()[:254],
        data={"channel": channel},
    )


def record_account_created(session, user: User, *, channel: str) -> None:
    """Record an account made outside self-registration (the CLI, an administrator)."""
    audit.record(
        session,
        "user.created",
        actor_id=None,
        subject_type="user",
        subject_id=user.id,
        data={"channel": channel, "email": user.email, "role": user.role},
    )


def change_password(
    session,
    user: User,
    current: str,
    new_password: str,
    settings: Settings = Settings(),
    *,
    keep_token: str | None = None,
) -> None:
    if not check_password_hash(user.password_hash, current):
        raise ValidationError(
            "The current password is not correct.", {"current_password": "incorrect"}
        )
    set_password(session, user, new_password, settings, keep_token=keep_token)


def end_sessions(session, user: User) -> None:
    """Make every session cookie of the user useless, copies saved earlier included."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()


def revoke_api_tokens(session, user: User, *, keep_token: str | None = None) -> None:
    """Revoke every live API token of the user except the raw `keep_token`."""
    kept = _hash_token(keep_token) if keep_token else None
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        if token.token_hash != kept:
            token.revoked_at = utcnow()
    session.flush()


def user_for_session(session, session_id: str) -> User | None:
    """The user a session cookie names, if it is of the user's current generation."""
    user_id, _, generation = session_id.partition(".")
    if not (_is_ascii_number(user_id) and _is_ascii_number(generation)):
        return None  # includes cookies from before session generations existed
    if int(user_id) > 2**63 - 1:
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_generation != int(generation):
        return None
    return user


def _is_ascii_number(text: str) -> bool:
    return 0 < len(text) <= 19 and text.isascii() and text.isdigit()


def set_role(session, user: User, role: str, *, actor_id: int | None) -> User:
    if role not in ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(ROLES)}.", {"role": "unknown"})
    old = user.role
    user.role = role
    audit.record(
        session,
        "user.role_changed",
        actor_id=actor_id,
        subject_type="user",
        subject_id=user.id,
        data={"from": old, "to": role},
    )
    return user


# --- password reset -------------------------------------------------------------------------

RESET_SALT = "ce-password-reset"


def _password_fingerprint(user: User) -> str:
    """A digest of the current hash: a reset link dies as soon as the password changes."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(secret_key: str, user: User) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    return serializer.dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def user_for_reset_token(session, secret_key: str, token: str, max_age: int) -> User:
    """Return the user a valid, unexpired, unused reset link belongs to, else raise."""
    serializer = URLSafeTimedSerializer(secret_key, salt=RESET_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError("This reset link has expired. Ask for a new one.") from None
    except BadSignature:
        raise ValidationError("This reset link is not valid. Ask for a new one.") from None
    user = session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not hmac.compare_digest(_password_fingerprint(user), str(data.get("fp"))):
        raise ValidationError("This reset link has already been used. Ask for a new one.")
    return user


# --- email verification and the reminders preference ---------------------------------------

VERIFY_SALT = "ce-email-verification"
UNSUBSCRIBE_SALT = "ce-unsubscribe-reminders"


def make_verification_token(secret_key: str, user: User) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt=VERIFY_SALT)
    return serializer.dumps({"uid": user.id, "email": user.email})


def verify_email(session, secret_key: str, token: str, max_age: int) -> User:
    """Confirm the address a signed, unexpired link was sent to; each link works once."""
    serializer = URLSafeTimedSerializer(secret_key, salt=VERIFY_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError("This confirmation link has expired. Ask for a new one.") from None
    except BadSignature:
        raise ValidationError("This confirmation link is not valid.") from None
    user = session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        raise ValidationError("This confirmation link is not valid.")
    if user.email_verified_at is not None:
        raise ValidationError("This confirmation link has already been used.")
    confirm_email(session, user, actor_id=user.id)
    return user


def confirm_email(session, user: User, *, actor_id: int | None) -> None:
    """Record the address as confirmed (by its link, or by an operator who checked it)."""
    if user.email_verified_at is not None:
        return
    user.email_verified_at = utcnow()
    audit.record(
        session, "user.email_verified", actor_id=actor_id, subject_type="user", subject_id=user.id
    )
    session.flush()


def request_verification(session, user: User) -> None:
    """Queue a (new) confirmation link for an account whose address is not confirmed yet."""
    if user.email_verified_at is None:
        jobs.send_message(session, "verify_email", user_id=user.id)


def make_unsubscribe_token(secret_key: str, user: User) -> str:
    return URLSafeTimedSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps({"uid": user.id})


def user_for_unsubscribe_token(session, secret_key: str, token: str) -> User:
    """The account an unsubscribe link was mailed to (it never expires: RFC 8058)."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise NotFound("This unsubscribe link is not valid.") from None
    user = session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None:
        raise NotFound("This unsubscribe link is not valid.")
    return user


def set_reminders(session, user: User, enabled: bool) -> None:
    """Turn reminder mail on or off; transactional mail (certificates, password) still comes."""
    if user.reminders != enabled:
        user.reminders = enabled
        audit.record(
            session,
            "user.reminders_changed",
            actor_id=user.id,
            subject_type="user",
            subject_id=user.id,
            data={"reminders": enabled},
        )
    session.flush()


# --- API tokens -----------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(session, user: User, ttl: timedelta) -> tuple[str, ApiToken]:
    """Create a random bearer token; only its SHA-256 is stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(user=user, token_hash=_hash_token(raw), expires_at=utcnow() + ttl)
    session.add(token)
    session.flush()
    return raw, token


def user_for_api_token(session, raw: str) -> User | None:
    token = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # one query per API request, not two
        .where(ApiToken.token_hash == _hash_token(raw))
    )
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not token.user.active:
        return None
    return token.user


def revoke_api_token(session, raw: str) -> None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    if token is None or token.revoked_at is not None:
        raise NotFound("This token is unknown or already revoked.")
    token.revoked_at = utcnow()
    session.flush()
