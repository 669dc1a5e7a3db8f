"""Shared checks for numbers and paths that arrive as text (query strings, forms, URL parts).

`str.isdigit()` accepts "²" and Arabic-Indic digits that `int()` then refuses or reads, and
`int()` refuses more than 4,300 digits; a database refuses integers beyond 64 bits. Every
whole number a request carries goes through `whole_number` instead.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

from ce_platform.core.errors import ValidationError

# The largest id a database column can hold (signed 64 bits).
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def whole_number(raw: object) -> int | None:
    """The int that ASCII decimal text of at most 18 digits names, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if abs(raw) <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    return int(text) if _ASCII_DIGITS.fullmatch(text) else None


def bounded_int(raw: str | None, name: str, *, default: int, minimum: int = 1, maximum: int) -> int:
    """Read a query or form argument as a whole number in a range, or raise naming it."""
    if raw is None or raw.strip() == "":
        return default
    value = whole_number(raw)
    if value is None or not minimum <= value <= maximum:
        message = f"{name} must be a whole number from {minimum} to {maximum}."
        raise ValidationError(message, {name: f"integer {minimum}-{maximum}"})
    return value


def same_site_path(target: str | None) -> str | None:
    """Return `target` if it is a path on this site that is safe to redirect to, else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if _CONTROL.search(target):  # a CR/LF would split the Location header; \ reads as /
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class IdConverter(IntegerConverter):
    """`<int:...>` limited to what a database id can be: a larger number is a plain 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
