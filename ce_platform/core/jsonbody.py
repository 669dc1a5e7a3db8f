"""Parse JSON from requests without letting its shape reach the code as a 500.

Python's parser raises RecursionError on deep nesting and a plain ValueError for integers of
more than 4,300 digits, and accepts lone surrogates that no database or encoder takes. Every
JSON body (the API's `json_body` and Flask's `request.get_json`) is read here instead.
"""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32


class MalformedJSON(ValueError):
    """The body is not JSON the application accepts; the message says why."""


def _refuse_constant(name: str) -> Any:
    raise MalformedJSON(f"{name} is not a JSON number")


def loads_untrusted(data: str | bytes) -> Any:
    """Parse JSON a client sent, or raise MalformedJSON with a message fit for the client."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except MalformedJSON:
        raise
    except RecursionError:
        raise MalformedJSON(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise MalformedJSON("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise MalformedJSON(str(exc)) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise MalformedJSON(str(exc).split(";")[0]) from None
    _check_shape(value)
    return value


def _check_shape(value: Any) -> None:
    """Walk the parsed value without recursion: bounded depth, no lone surrogates."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise MalformedJSON(f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        message = "a string holds a lone surrogate (\\ud800-\\udfff), which is not UTF-8 text"
        raise MalformedJSON(message) from None


class UntrustedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading request bodies through loads_untrusted."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_untrusted(s)
