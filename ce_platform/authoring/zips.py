"""Course folders as zip files: the layout `flask courses export` writes, read back safely.

An export holds `<slug>/...` plus `provider.yml` at the root, so unzipping it and running
`flask courses sync` on the folder round-trips. An import is checked entry by entry before
anything is decompressed in full, and nothing is ever written to disk.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from ce_platform.authoring.services import (
    MAX_MEDIA_BYTES,
    MAX_TEXT_BYTES,
    media_problem,
    path_problem,
    text_problem,
)
from ce_platform.catalog.services import PROVIDER_FILE
from ce_platform.content.parse import COURSE_FILE
from ce_platform.core.errors import ValidationError

MAX_ENTRIES = 500
MAX_TOTAL_BYTES = 20 * 1024 * 1024  # uncompressed, all entries together
MAX_RATIO = 100  # uncompressed size / compressed size, per entry
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same files always make the same zip


def course_zip(slug: str, files: Mapping[str, bytes], provider_text: str | None) -> bytes:
    """Zip a course folder as `<slug>/<path>` entries plus `provider.yml` at the root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = [(f"{slug}/{path}", bytes(data)) for path, data in sorted(files.items())]
        if provider_text is not None:
            entries.append((PROVIDER_FILE, provider_text.encode("utf-8")))
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


@dataclass
class ZipCourse:
    """A course folder read from a zip: its files, the folder name it had, its provider.yml."""

    files: dict[str, bytes]
    folder: str | None
    provider_text: str | None
    ignored: list[str]


def _is_hidden(name: str) -> bool:
    """Dotfiles and macOS metadata: skipped, as `flask courses sync` skips dotfiles."""
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


def _refuse(entry: str | None, problem: str) -> ValidationError:
    shown = entry if entry is None or len(entry) <= 120 else entry[:117] + "..."
    message = f'Zip refused: entry "{shown}" {problem}.' if entry else f"Zip refused: {problem}."
    return ValidationError(message, {"entry": entry, "problem": problem})


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Unsafe names, links and encryption, decided from the central directory alone."""
    name = info.filename
    if "\\" in name:
        return "uses a backslash in its path"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "has an absolute path"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return 'leaves the folder ("..")'
    if any(part in ("", ".") for part in parts):
        return 'has an empty or "." folder name'
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip tool recorded no Unix type
    if kind == stat.S_IFLNK:
        return "is a symbolic link"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is a device, pipe or socket, not a file"
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return "uses a compression method other than deflate"
    return None


def _limit_for(name: str) -> tuple[int, str]:
    """The size limit of an entry by its name: media files, else text (Markdown, provider.yml)."""
    if name.lower().endswith((".md", ".yml", ".yaml")):
        return MAX_TEXT_BYTES, "a text file"
    return MAX_MEDIA_BYTES, "a media file"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.0f} KB"


def read_course_zip(data: bytes) -> ZipCourse:
    """Read a zipped course folder in memory, refusing anything unsafe with a clear message.

    Accepted layouts: `<folder>/course.md ...` with an optional `provider.yml` at the root,
    or the course files themselves at the root.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse(None, "the file is not a readable zip archive") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(None, f"it has {len(infos)} entries; the limit is {MAX_ENTRIES}")
        total = 0
        seen: set[str] = set()
        entries: list[zipfile.ZipInfo] = []
        ignored: list[str] = []
        for info in infos:
            problem = _entry_problem(info)
            if problem is not None:
                raise _refuse(info.filename, problem)
            if info.filename in seen:
                raise _refuse(info.filename, "appears twice")
            seen.add(info.filename)
            if info.is_dir():
                continue
            if _is_hidden(info.filename):
                ignored.append(info.filename)
                continue
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise _refuse(
                    info.filename,
                    f"takes the unpacked size of the zip past {_size(MAX_TOTAL_BYTES)} "
                    "(a zip bomb?)",
                )
            limit, what = _limit_for(info.filename)
            if info.file_size > limit:
                raise _refuse(
                    info.filename,
                    f"unpacks to {_size(info.file_size)}; the limit for {what} is {_size(limit)}",
                )
            if info.file_size and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _refuse(
                    info.filename,
                    f"is compressed {ratio} to 1; more than {MAX_RATIO} to 1 looks like a zip bomb",
                )
            entries.append(info)

        folder, relative = _layout([info.filename for info in entries])
        files: dict[str, bytes] = {}
        provider_text: str | None = None
        for info in entries:
            path = relative[info.filename]
            if path is None:  # provider.yml at the root
                raw = _read(archive, info, MAX_TEXT_BYTES)
                try:
                    provider_text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise _refuse(info.filename, "is not valid UTF-8 text") from None
                continue
            problem = path_problem(path)
            if problem is not None:
                raise _refuse(info.filename, f"is not a course file: {problem}")
            raw = _read(archive, info, _limit_for(info.filename)[0])
            if path.startswith("media/"):
                problem = media_problem(path, raw)
            else:
                problem = text_problem(path, raw)
            if problem is not None:
                raise _refuse(info.filename, f"is refused: {problem}")
            files[path] = raw
        if COURSE_FILE not in files:
            raise _refuse(None, "it has no course.md, neither at the root nor in one folder")
        return ZipCourse(files, folder, provider_text, ignored)


def _layout(names: list[str]) -> tuple[str | None, dict[str, str | None]]:
    """Map entry names to course paths; None marks the root provider.yml."""
    if COURSE_FILE in names:  # the course files at the root
        return None, {name: None if name == PROVIDER_FILE else name for name in names}
    folders = {name.split("/", 1)[0] for name in names if "/" in name}
    loose = [name for name in names if "/" not in name and name != PROVIDER_FILE]
    if loose:
        raise _refuse(
            loose[0],
            "is at the root next to a course folder; put course files either all at the root "
            "or all in one folder",
        )
    if len(folders) != 1:
        listed = ", ".join(sorted(folders)[:5]) or "none"
        raise _refuse(None, f"it must hold one course folder, not {len(folders)} ({listed})")
    folder = folders.pop()
    mapping: dict[str, str | None] = {}
    for name in names:
        mapping[name] = None if name == PROVIDER_FILE else name.split("/", 1)[1]
    return folder, mapping


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Decompress at most limit bytes, whatever the header claims; a lie is refused."""
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError) as exc:
        raise _refuse(info.filename, f"cannot be read ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - zlib errors and unsupported methods
        raise _refuse(info.filename, f"cannot be read ({type(exc).__name__})") from None
    if len(data) > limit:
        raise _refuse(info.filename, f"unpacks to more than its limit of {limit} bytes")
    return data
