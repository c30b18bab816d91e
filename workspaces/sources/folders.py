"""Watched folders: where they may be, and reading their files safely.

A folder source must lie under one of the roots the operator lists in SOURCE_FOLDER_ROOTS,
after every symlink is resolved; so must every file read from it (a symlink inside the
folder that points elsewhere is refused, and folder symlinks are not followed). Hidden
files and folders (a name starting with ".") and files of types Docent does not read are
left alone. A file is copied before it is hashed and ingested, so what is hashed is what is
stored even if the file changes meanwhile.
"""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File

from accounts.base import DocentError
from workspaces.documents.kinds import ACCEPTED_EXTENSIONS

NO_ROOTS = "No folder may be watched on this server: the operator has not set SOURCE_FOLDER_ROOTS."
NOT_ABSOLUTE = "Give the folder's full path (starting with /)."
NOT_UNDER_ROOTS = "“{path}” is not inside a folder this server allows ({roots})."
NOT_A_FOLDER = "“{path}” is not a folder on the server (or Docent may not read it)."
ESCAPES = "this file is a link to somewhere outside the allowed folders"
TOO_LARGE = "larger than the {limit} MB an upload may be"
COPY_CHUNK = 1024 * 1024


class FolderRefused(DocentError):
    """A folder (or file) that may not be read."""


def allowed_roots() -> list[Path]:
    roots = []
    for entry in settings.SOURCE_FOLDER_ROOTS:
        if entry.strip():
            try:
                roots.append(Path(entry.strip()).resolve(strict=True))
            except OSError:
                continue
    return roots


def _is_under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def folder_resolve(location: str) -> Path:
    """The real folder `location` names, or FolderRefused: absolute, existing, a folder, and
    under an allowed root once symlinks are resolved."""
    roots = allowed_roots()
    if not roots:
        raise FolderRefused(NO_ROOTS)
    location = (location or "").strip()
    if not os.path.isabs(location) or "\x00" in location:
        raise FolderRefused(NOT_ABSOLUTE)
    # Outside the roots is refused before anything else, so nobody learns what exists elsewhere.
    try:
        resolved = Path(location).resolve(strict=False)
    except (OSError, RuntimeError, ValueError):
        resolved = None
    if resolved is None or not _is_under(resolved, roots):
        raise FolderRefused(NOT_UNDER_ROOTS.format(path=location, roots=", ".join(str(root) for root in roots)))
    try:
        resolved = Path(location).resolve(strict=True)
    except (OSError, RuntimeError):
        raise FolderRefused(NOT_A_FOLDER.format(path=location)) from None
    if not _is_under(resolved, roots) or not resolved.is_dir() or not os.access(resolved, os.R_OK | os.X_OK):
        raise FolderRefused(NOT_A_FOLDER.format(path=location))
    return resolved


def _readable_name(name: str) -> bool:
    if name.startswith("."):
        return False
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return extension in ACCEPTED_EXTENSIONS


def folder_files(folder: Path, *, unreadable: list) -> Iterator[tuple[str, Path]]:
    """(key, path) of each file Docent reads in `folder` and below, in a stable order; the key
    is the path relative to the folder, with "/" between its parts. Folder symlinks are not
    followed; hidden names are skipped. A subfolder that cannot be listed is added to
    `unreadable` (its files are then unknown, not gone)."""
    for current, folders, files in os.walk(folder, followlinks=False, onerror=unreadable.append):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if _readable_name(name):
                path = Path(current) / name
                yield path.relative_to(folder).as_posix(), path


@contextmanager
def file_copy(path: Path, *, max_bytes: int):
    """A private copy of the file at `path` (a Django File) and its SHA-256, or FolderRefused.

    The file is opened without following a final symlink, and the path of what was opened
    must lie under the allowed roots (checked through /proc/self/fd where there is one)."""
    roots = allowed_roots()
    resolved = path.resolve(strict=True)
    if not _is_under(resolved, roots):
        raise FolderRefused(ESCAPES)
    descriptor = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as original, tempfile.TemporaryFile() as copy:
        opened = Path(f"/proc/self/fd/{descriptor}")
        if opened.exists() and not _is_under(Path(os.readlink(opened)), roots):
            raise FolderRefused(ESCAPES)
        digest, size = hashlib.sha256(), 0
        while chunk := original.read(COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FolderRefused(TOO_LARGE.format(limit=max_bytes // (1024 * 1024)), code="too_large")
            digest.update(chunk)
            copy.write(chunk)
        copy.seek(0)
        yield File(copy, name=path.name), digest.hexdigest()
