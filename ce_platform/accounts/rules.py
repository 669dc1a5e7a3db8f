"""The length and character rules of account fields, shared by the forms, the API and the CLI.

A name is printed on every page, certificate and transcript, so what the database column can
hold is also the most any path may store, and text that can reorder or hide what is printed
(control characters, bidirectional overrides, lone surrogates) is refused everywhere alike.
"""

from __future__ import annotations

import unicodedata

from wtforms.validators import ValidationError as FormValidationError

from ce_platform.core.errors import ValidationError

# The column sizes of accounts.models.User (a test keeps them equal).
MAX_LENGTHS: dict[str, int] = {
    "email": 254,
    "full_name": 200,
    "credentials": 100,
    "license_number": 64,
}
# Long enough for any passphrase; short enough that hashing it costs nothing extra.
PASSWORD_MAX_LENGTH = 1024

LABELS = {
    "email": "Email",
    "full_name": "Full name",
    "credentials": "Credentials",
    "license_number": "License number",
    "password": "Password",
}

# Formatting characters that change how the surrounding text is displayed.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: str, max_length: int) -> str | None:
    """Say what is wrong with one line of text a person typed, or None when it is fine."""
    if len(value) > max_length:
        return f"at most {max_length} characters"
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return "contains an invalid character (a lone surrogate)"
        if category == "Cc":
            return "contains a control character"
        if char in _BIDI_CONTROLS:
            return "contains a text-direction control character"
    return None


def clean_text(name: str, value: str) -> str:
    """Return the stripped value of the account field `name`, or raise naming the problem."""
    value = value.strip()
    problem = text_problem(value, MAX_LENGTHS[name])
    if problem is not None:
        raise ValidationError(f"{LABELS[name]}: {problem}.", {name: problem})
    return value


def check_password_text(password: str) -> None:
    """Refuse passwords that cannot be hashed as typed or would only burn CPU."""
    if len(password) > PASSWORD_MAX_LENGTH:
        message = f"Password must be at most {PASSWORD_MAX_LENGTH} characters."
        raise ValidationError(message, {"password": message})
    if any(unicodedata.category(char) == "Cs" for char in password):
        message = "Password contains an invalid character (a lone surrogate)."
        raise ValidationError(message, {"password": message})


class PlainText:
    """WTForms validator: the same character rules as the services apply."""

    def __init__(self, max_length: int):
        self.max = max_length

    def __call__(self, form, field) -> None:
        problem = text_problem((field.data or "").strip(), self.max)
        if problem is not None:
            raise FormValidationError(f"{field.label.text.split(' (')[0]}: {problem}.")
