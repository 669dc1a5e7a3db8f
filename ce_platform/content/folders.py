"""Course folders on disk: read one, write one back (export), load a whole courses/ tree."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from .diagnostics import Diagnostic, diag
from .model import CourseSource, Provider
from .parse import COURSE_FILE, parse_course, unsafe_path_reason
from .provider import PROVIDER_FILE, accreditation_keys, load_provider


def _walk_files(folder: Path) -> list[str]:
    """List regular files under a folder as posix paths, skipping dotfiles and symlinks."""
    found: list[str] = []
    for directory, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".") and not os.path.islink(os.path.join(directory, name))
        )
        relative_dir = Path(directory).relative_to(folder)
        for name in sorted(filenames):
            full = os.path.join(directory, name)
            if name.startswith(".") or os.path.islink(full) or not os.path.isfile(full):
                continue
            found.append((relative_dir / name).as_posix())
    return sorted(found)


def read_course_folder(folder: Path) -> dict[str, bytes]:
    """Read every file of a course folder (media/ included) as exact bytes, skipping dotfiles."""
    folder = Path(folder)
    return {name: (folder / name).read_bytes() for name in _walk_files(folder)}


def write_course_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    """Make a folder hold exactly these files (export); dotfiles already there are left alone.

    Files on disk that are not in the mapping are deleted, so read_course_folder() afterwards
    returns the mapping unchanged. Raises ValueError for a path that could leave the folder.
    """
    folder = Path(folder)
    for name in files:
        reason = unsafe_path_reason(name) if isinstance(name, str) else "not a string"
        if reason is not None:
            raise ValueError(f"unsafe course file path {name!r}: {reason}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in _walk_files(folder):
        if name not in files:
            (folder / name).unlink()
    for directory, dirnames, _filenames in os.walk(folder, topdown=False):
        for name in dirnames:
            path = Path(directory) / name
            if not name.startswith(".") and not path.is_symlink() and not any(path.iterdir()):
                path.rmdir()
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != bytes(data):
            target.write_bytes(bytes(data))


def provider_accreditation_keys(path: Path) -> list[str] | None:
    """The accreditation keys of a provider.yml that failed to parse, when it still names them."""
    try:
        return accreditation_keys(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def load_courses(
    root: Path, *, media_prefix: Callable[[str], str] | None = None
) -> tuple[
    Provider | None,
    list[tuple[str, CourseSource | None, list[Diagnostic]]],
    list[Diagnostic],
]:
    """Load provider.yml and every course folder under root, each with its own diagnostics."""
    root = Path(root)
    provider, provider_diags = load_provider(root / PROVIDER_FILE)
    keys = None if provider is not None else provider_accreditation_keys(root / PROVIDER_FILE)
    results: list[tuple[str, CourseSource | None, list[Diagnostic]]] = []
    try:
        folders = sorted(
            entry
            for entry in root.iterdir()
            if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith((".", "_"))
        )
    except OSError:
        return provider, results, provider_diags  # P001 already says the root is unusable
    for folder in folders:
        slug = folder.name
        try:
            files = read_course_folder(folder)
        except OSError as exc:
            message = f"course folder could not be read: {exc.strerror or exc}"
            results.append((slug, None, [diag(f"{slug}/{COURSE_FILE}", 1, "F011", message)]))
            continue
        prefix = media_prefix(slug) if media_prefix is not None else None
        course, diags = parse_course(
            slug, files, provider=provider, media_prefix=prefix, accreditation_keys=keys
        )
        results.append((slug, course, diags))
    return provider, results, provider_diags
