"""One Markdown file of a course: decoding, front-matter splitting and line bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import Diagnostic, diag
from .provider import normalize_text
from .yamlmap import YamlDocument, YamlMapping

_FENCES = ("---",)
_CLOSERS = ("---", "...")


@dataclass
class MarkdownFile:
    """A decoded .md file split into front matter and body, remembering where the body starts."""

    path: str  # diagnostic path, "<slug>/<file>"
    text: str
    front_matter: YamlMapping | None  # None when absent or unusable
    has_front_matter: bool
    body: str
    body_first_line: int  # file line of the body's first line


def decode(data: bytes | str, path: str, diags: list[Diagnostic]) -> str | None:
    """Decode UTF-8 strictly; a bad byte is an F001 at its line."""
    if isinstance(data, str):
        return normalize_text(data)
    try:
        return normalize_text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.append(diag(path, line, "F001", f"file is not valid UTF-8 (byte {exc.start})"))
        return None


def read_markdown(
    text: str, path: str, diags: list[Diagnostic], *, front_matter_required: bool = True
) -> MarkdownFile:
    """Split front matter from body; line 1 is the opening `---`, YAML starts on line 2."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() not in _FENCES:
        if front_matter_required:
            diags.append(
                diag(path, 1, "F002", 'front matter missing: the file must start with a "---" line')
            )
        return MarkdownFile(path, text, None, False, text, 1)
    closing = next(
        (index for index in range(1, len(lines)) if lines[index].rstrip() in _CLOSERS), None
    )
    if closing is None:
        diags.append(diag(path, 1, "F003", 'front matter is not closed by a "---" line'))
        return MarkdownFile(path, text, None, True, "", len(lines) + 1)
    yaml_text = "\n".join(lines[1:closing])
    doc = YamlDocument(yaml_text, path, 2, diags)
    mapping = doc.root_mapping("front matter")
    body = "\n".join(lines[closing + 1 :])
    return MarkdownFile(path, text, mapping, True, body, closing + 2)
