"""Media files and links: allowed image types, safe SVG, references that resolve in the folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from .diagnostics import Diagnostic, diag
from .render import URL_SCHEMES
from .svg import check_svg

MEDIA_DIR = "media/"
MEDIA_EXTENSIONS: tuple[str, ...] = ("png", "jpg", "jpeg", "gif", "webp", "svg")

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_LINK = re.compile(r"\]\(\s*(<[^>\n]*>|[^\s)]+)")
_REFERENCE_DEF = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*(<[^>\n]*>|\S+)")
_HTML_URL = re.compile(r"""\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def extension(path: str) -> str:
    """Lower-case extension without the dot ("" when none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_media_file(rel_path: str, data: bytes, diag_path: str, diags: list[Diagnostic]) -> None:
    """Accept only image types; reject active SVG; warn when bytes do not match the extension."""
    ext = extension(rel_path)
    if ext not in MEDIA_EXTENSIONS:
        allowed = ", ".join(MEDIA_EXTENSIONS)
        diags.append(
            diag(diag_path, 1, "M001", f'file type ".{ext}" is not allowed in media/ ({allowed})')
        )
        return
    if ext == "svg":
        text = data.decode("utf-8", errors="replace")
        if "<svg" not in text.lower():
            diags.append(diag(diag_path, 1, "M006", "file does not look like an SVG image"))
            return
        for line, reason in svg_problems(text):
            diags.append(diag(diag_path, line, "M002", f"unsafe SVG: {reason}"))
        return
    if ext == "webp":
        looks_right = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    else:
        looks_right = data.startswith(_MAGIC[ext])
    if not looks_right:
        diags.append(diag(diag_path, 1, "M006", f"file content does not look like a .{ext} image"))


def svg_problems(text: str) -> list[tuple[int, str]]:
    """Find what an SVG holds beyond the allow-list, each with its line (see content/svg.py)."""
    return check_svg(text)


def iter_markdown_urls(markdown_text: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Yield (file line, URL) of links, images and raw-HTML src/href, skipping code."""
    fence: str | None = None
    for offset, line in enumerate(markdown_text.split("\n")):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        line_no = first_line + offset
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for found in _INLINE_LINK.finditer(text):
            yield line_no, found.group(1)
        found_def = _REFERENCE_DEF.match(text)
        if found_def:
            yield line_no, found_def.group(1)
        for found in _HTML_URL.finditer(text):
            yield line_no, next(group for group in found.groups() if group is not None)


def check_references(
    markdown_text: str,
    first_line: int,
    diag_path: str,
    media_files: set[str],
    diags: list[Diagnostic],
) -> None:
    """Report links that leave the folder, use unsafe schemes, or name missing media."""
    for line, url in iter_markdown_urls(markdown_text, first_line):
        problem = url_problem(url, media_files)
        if problem is not None:
            code, message = problem
            diags.append(diag(diag_path, line, code, message))


def url_problem(url: str, media_files: set[str]) -> tuple[str, str] | None:
    """Classify one URL written in content; None when it is fine."""
    target = url.strip()
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1].strip()
    shown = target if len(target) <= 80 else target[:77] + "..."
    if not target or target.startswith(("#", "?")):
        return None
    if _DRIVE.match(target) or target.startswith(("/", "\\")):
        return "M004", f'link "{shown}" is an absolute path; use media/... or a full https:// URL'
    scheme = _SCHEME.match(target)
    if scheme is not None:
        if scheme.group(1).lower() in URL_SCHEMES:
            return None
        return (
            "M005",
            f'link "{shown}" uses the {scheme.group(1).lower()}: scheme, which is removed',
        )
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    segments = re.split(r"[/\\]", path)
    if ".." in segments or ".." in re.split(r"[/\\]", unquote(path)):
        return "M004", f'link "{shown}" leaves the course folder'
    while path.startswith("./"):
        path = path[2:]
    if path.startswith(MEDIA_DIR) and path not in media_files and unquote(path) not in media_files:
        return "M003", f'media file "{path}" does not exist'
    return None
