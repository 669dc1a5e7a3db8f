"""YAML with line numbers: typed reads of a mapping that report a Diagnostic per problem.

PyYAML's composed nodes carry marks, so each diagnostic points at the offending key, not line 1.
Nothing here raises on bad input; every read returns None (or a default) and records why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, diag

_MISSING: Any = object()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _type_name(value: Any) -> str:
    """Name a YAML value's type the way an author thinks of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _error_line(exc: BaseException, text: str, line_offset: int) -> int:
    """Find the best file line for a YAML exception."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + line_offset
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + line_offset
    return line_offset


def _yaml_message(exc: BaseException, line_offset: int = 1) -> str:
    """Turn a YAML exception into a one-line message without the noisy mark dump."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    problem_mark = getattr(exc, "problem_mark", None)
    if (
        context
        and context_mark is not None
        and problem_mark is not None
        and (context_mark.line != problem_mark.line)
    ):
        context = f"{context} started on line {context_mark.line + line_offset}"
    if problem:
        return f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return f"YAML syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


class YamlDocument:
    """One parsed YAML document: the composed node tree plus a loader that can build values."""

    def __init__(self, text: str, path: str, line_offset: int, diagnostics: list[Diagnostic]):
        self.path = path
        self.line_offset = line_offset
        self.diagnostics = diagnostics
        self.root: Node | None = None
        self.ok = False
        self._loader: yaml.SafeLoader | None = None
        try:
            loader = yaml.SafeLoader(text)
            self.root = loader.get_single_node()
            self._loader = loader
            self.ok = True
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            diagnostics.append(
                diag(
                    path,
                    _error_line(exc, text, line_offset),
                    "F004",
                    _yaml_message(exc, line_offset),
                )
            )

    def line(self, node: Node) -> int:
        """Map a node to its 1-based line in the file."""
        return int(node.start_mark.line) + self.line_offset

    def construct(self, node: Node, name: str) -> Any:
        """Build the Python value of a node; an unbuildable value is an F010 at its line."""
        if self._loader is None:
            return _MISSING
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            text = str(exc)
            reason = getattr(exc, "problem", None) or (text.splitlines()[0] if text else "")
            self.diagnostics.append(
                diag(self.path, self.line(node), "F010", f'"{name}" has an invalid value: {reason}')
            )
            return _MISSING

    def root_mapping(self, what: str) -> YamlMapping | None:
        """Return the top-level mapping; an empty document counts as an empty mapping."""
        if not self.ok:
            return None
        if self.root is None:
            return YamlMapping(self, None, prefix="", start_line=1)
        if not isinstance(self.root, MappingNode):
            self.diagnostics.append(
                diag(self.path, self.line(self.root), "F005", f"{what} must be a YAML mapping")
            )
            return None
        return YamlMapping(self, self.root, prefix="", start_line=1)  # missing keys: line 1


class YamlMapping:
    """Typed, line-aware access to one YAML mapping; each failed read records a diagnostic."""

    def __init__(
        self, doc: YamlDocument, node: MappingNode | None, *, prefix: str, start_line: int
    ):
        self.doc = doc
        self.prefix = prefix
        self.start_line = start_line
        self.entries: dict[str, tuple[Node, Node]] = {}
        if node is None:
            return
        pairs = list(node.value)
        if doc._loader is not None:
            try:
                doc._loader.flatten_mapping(node)  # resolve `<<: *anchor` merges, keeping marks
                pairs = list(node.value)
            except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
                self._add(doc.line(node), "F004", _yaml_message(exc, doc.line_offset))
        for key_node, value_node in pairs:
            if not isinstance(key_node, ScalarNode) or not isinstance(key_node.value, str):
                self._add(doc.line(key_node), "F008", f"{self._where()}keys must be plain names")
                continue
            key = key_node.value
            if key in self.entries:
                self._add(doc.line(key_node), "F009", f'duplicate key "{self.prefix}{key}"')
                continue
            self.entries[key] = (key_node, value_node)

    # -- bookkeeping -------------------------------------------------------------------------

    def _where(self) -> str:
        """Prefix messages about a nested mapping with its name."""
        return f'in "{self.prefix.rstrip(".")}": ' if self.prefix else ""

    def _add(self, line: int, code: str, message: str) -> None:
        """Record one diagnostic in the document's list."""
        self.doc.diagnostics.append(diag(self.doc.path, line, code, message))

    def name(self, key: str) -> str:
        """Name a key the way messages quote it, nested keys with their parents."""
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        """Tell whether a key is present (whatever its value)."""
        return key in self.entries

    def key_names(self) -> list[str]:
        """Keys in file order."""
        return list(self.entries)

    def line_of(self, key: str) -> int:
        """Line of a key, or of the mapping itself when the key is absent."""
        if key in self.entries:
            return self.doc.line(self.entries[key][0])
        return self.start_line

    def value_line(self, key: str) -> int:
        """Line of a key's value node (differs from the key for block lists and mappings)."""
        if key in self.entries:
            return self.doc.line(self.entries[key][1])
        return self.start_line

    def check_keys(self, known: Iterable[str], required: Iterable[str] = ()) -> None:
        """Report unknown keys at their line and missing required keys at the mapping's line."""
        known_set = set(known)
        for key, (key_node, _value) in self.entries.items():
            if key not in known_set:
                allowed = ", ".join(sorted(known_set))
                self._add(
                    self.doc.line(key_node),
                    "F006",
                    f'unknown key "{self.name(key)}" (allowed: {allowed})',
                )
        for key in required:
            if key not in self.entries:
                self._add(self.start_line, "F007", f'required key "{self.name(key)}" is missing')

    def raw(self, key: str) -> Any:
        """Constructed value of a key, or _MISSING when absent or unbuildable."""
        if key not in self.entries:
            return _MISSING
        return self.doc.construct(self.entries[key][1], self.name(key))

    def _wrong_type(self, key: str, expected: str, value: Any) -> None:
        """Record an F008 naming the key and the expected type."""
        self._add(
            self.line_of(key),
            "F008",
            f'"{self.name(key)}" must be {expected}, not {_type_name(value)}',
        )

    def invalid(self, key: str, message: str) -> None:
        """Record an F010 for a key's value at the key's line."""
        self._add(self.line_of(key), "F010", f'"{self.name(key)}" {message}')

    # -- typed reads -------------------------------------------------------------------------

    def string(self, key: str, *, allow_empty: bool = False) -> str | None:
        """A stripped string; None when absent or wrong."""
        value = self.raw(key)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self._wrong_type(key, "a string", value)
            return None
        value = value.strip()
        if not value and not allow_empty:
            self.invalid(key, "must not be empty")
            return None
        return value

    def optional_string(self, key: str) -> tuple[bool, str | None]:
        """A string that may be null; returns (ok, value)."""
        value = self.raw(key)
        if value is _MISSING:
            return (key not in self.entries, None)
        if value is None:
            return True, None
        if not isinstance(value, str):
            self._wrong_type(key, "a quoted string or null", value)
            return False, None
        return True, value.strip()

    def integer(
        self, key: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        """An integer within bounds; booleans are not integers here."""
        value = self.raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong_type(key, "an integer", value)
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                self.invalid(key, f"must be at least {minimum}, not {value}")
            elif minimum is None:
                self.invalid(key, f"must be at most {maximum}, not {value}")
            else:
                self.invalid(key, f"must be between {minimum} and {maximum}, not {value}")
            return None
        return value

    def number(self, key: str) -> Decimal | None:
        """A finite int or float as an exact Decimal (from its shortest repr)."""
        value = self.raw(key)
        if value is _MISSING:
            return None
        return self.to_decimal(key, value)

    def to_decimal(self, key: str, value: Any) -> Decimal | None:
        """Convert a YAML number to Decimal, recording F008/F010 on failure."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong_type(key, "a number", value)
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.invalid(key, "must be a finite number")
            return None
        return Decimal(str(value))

    def boolean(self, key: str) -> bool | None:
        """A YAML true/false; a quoted "yes" is a string, not a boolean."""
        value = self.raw(key)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            self._wrong_type(key, "true or false", value)
            return None
        return value

    def day(self, key: str) -> date | None:
        """A calendar date: an unquoted YAML date or a quoted YYYY-MM-DD string."""
        value = self.raw(key)
        if value is _MISSING:
            return None
        if isinstance(value, datetime):
            self._wrong_type(key, "a date (YYYY-MM-DD)", value)
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                self.invalid(key, f"must be a date (YYYY-MM-DD), not {value[:40]!r}")
                return None
        self._wrong_type(key, "a date (YYYY-MM-DD)", value)
        return None

    def choice(self, key: str, choices: Iterable[str]) -> str | None:
        """A string from a fixed set."""
        allowed = list(choices)
        value = self.string(key)
        if value is None:
            return None
        if value not in allowed:
            self.invalid(key, f"must be one of {', '.join(allowed)}, not {value[:40]!r}")
            return None
        return value

    def sequence(self, key: str) -> list[tuple[Node, int]] | None:
        """The item nodes of a list with their lines; None when absent or not a list."""
        if key not in self.entries:
            return None
        node = self.entries[key][1]
        if not isinstance(node, SequenceNode):
            value = self.raw(key)
            if value is not _MISSING:
                self._wrong_type(key, "a list", value)
            return None
        return [(item, self.doc.line(item)) for item in node.value]

    def string_list(self, key: str) -> list[tuple[str, int]] | None:
        """A list of non-empty strings with each item's line; bad items are reported and skipped."""
        items = self.sequence(key)
        if items is None:
            return None
        result: list[tuple[str, int]] = []
        for index, (node, line) in enumerate(items):
            value = self.doc.construct(node, f"{self.name(key)}[{index + 1}]")
            if value is _MISSING:
                continue
            if not isinstance(value, str):
                self._add(
                    line,
                    "F008",
                    f'"{self.name(key)}" item {index + 1} must be a string, '
                    f"not {_type_name(value)}",
                )
                continue
            if not value.strip():
                self._add(line, "F010", f'"{self.name(key)}" item {index + 1} must not be empty')
                continue
            result.append((value.strip(), line))
        return result

    def integer_list(self, key: str, *, minimum: int = 1) -> list[tuple[int, int]] | None:
        """A list of whole numbers with each item's line; bad items are reported and skipped."""
        items = self.sequence(key)
        if items is None:
            return None
        result: list[tuple[int, int]] = []
        for index, (node, line) in enumerate(items):
            value = self.doc.construct(node, f"{self.name(key)}[{index + 1}]")
            if value is _MISSING:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                self._add(
                    line,
                    "F008",
                    f'"{self.name(key)}" item {index + 1} must be a whole number, '
                    f"not {_type_name(value)}",
                )
                continue
            if value < minimum:
                self._add(
                    line, "F010", f'"{self.name(key)}" item {index + 1} must be at least {minimum}'
                )
                continue
            result.append((value, line))
        return result

    def mapping(self, key: str) -> YamlMapping | None:
        """A nested mapping; None when absent or not a mapping."""
        if key not in self.entries:
            return None
        node = self.entries[key][1]
        if not isinstance(node, MappingNode):
            value = self.raw(key)
            if value is not _MISSING:
                self._wrong_type(key, "a mapping", value)
            return None
        return YamlMapping(
            self.doc, node, prefix=f"{self.name(key)}.", start_line=self.doc.line(node)
        )

    def item_mapping(self, node: Node, line: int, name: str) -> YamlMapping | None:
        """A list item that must be a mapping (e.g. one author)."""
        if not isinstance(node, MappingNode):
            value = self.doc.construct(node, name)
            if value is not _MISSING:
                self._add(line, "F008", f'"{name}" must be a mapping, not {_type_name(value)}')
            return None
        return YamlMapping(self.doc, node, prefix=f"{name}.", start_line=line)


def is_email(value: str) -> bool:
    """Accept the obvious shape of an e-mail address; the accounts layer validates for real."""
    return bool(_EMAIL.match(value))
