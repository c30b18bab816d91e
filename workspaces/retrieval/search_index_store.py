"""The search index's folders (`search_index.py`): their schema, how words are read, what a folder
records of itself, and the lock that keeps one writer per folder on a host.

Words are read as FTS5 reads them, near enough: split at anything not a letter or digit,
lower-cased, accents folded, English (Snowball) stems; words over 40 characters dropped.
"""

import fcntl
import json
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connection

from workspaces.models import Workspace

ANALYZER = "docent"
TEXT = "text"
# Part of every folder's identity: a release that reads words or stores fields differently
# raises it, and every host rebuilds its folders from the passages.
INDEX_FORMAT = 1


@dataclass
class Opened:
    """One workspace's index as this process reads it, and the version it holds."""

    index: tantivy.Index
    searcher: tantivy.Searcher
    version: int
    folder: Path
    identity: str


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("passage", stored=True, indexed=True)
    builder.add_integer_field("document", stored=False, indexed=True)
    builder.add_text_field(TEXT, stored=False, tokenizer_name=ANALYZER)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


SCHEMA = _schema()
WORDS = _analyzer()


def tokens(text: str) -> list[str]:
    """The index's terms for `text`, as its passages were read."""
    return WORDS.analyze(text)


def folder_of(workspace: Workspace) -> Path:
    return Path(settings.SEARCH_INDEX_DIR) / str(workspace.pk)


def identity(workspace: Workspace) -> str:
    """What tells this workspace's folder from another's: a database recreated (or restored by other
    means than `manage.py restore`) may give another workspace the same id."""
    return f"{INDEX_FORMAT}:{workspace.slug}@{workspace.created_at.isoformat()}"


def read_state(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "docent.json").read_text())
    except (OSError, ValueError):
        return None


def write_state(folder: Path, state: dict) -> None:
    scratch = folder / "docent.json.tmp"
    scratch.write_text(json.dumps(state))
    scratch.replace(folder / "docent.json")


def forget_state(folder: Path) -> None:
    """The folder is no longer trusted: the next search there rebuilds it."""
    with suppress(OSError):  # nothing there, or not even a folder
        (folder / "docent.json").unlink()


def open_index(folder: Path, version: int, workspace: Workspace) -> Opened:
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
    index.register_tokenizer(ANALYZER, WORDS)
    return Opened(index=index, searcher=index.searcher(), version=version, folder=folder,
                  identity=identity(workspace))


def new_index(folder: Path) -> tantivy.Index:
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
    index.register_tokenizer(ANALYZER, WORDS)
    return index


def database_version(workspace: Workspace) -> int | None:
    """The workspace's search version as the database holds it now; None when it is gone."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT "searchVersion" FROM workspaces WHERE id = %s', [workspace.pk])
        row = cursor.fetchone()
    return row[0] if row else None


@contextmanager
def folder_lock(folder: Path, *, wait_seconds: float | None = None):
    """This host's one writer of a folder: an exclusive lock on `<folder>.lock` beside it (a
    rebuild empties the folder itself). Threads and processes alike wait for it: for ever, or
    `wait_seconds` at most (then TimeoutError)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "a") as lock:
        if wait_seconds is None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{folder} is being written by another process") from None
                    time.sleep(0.01)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
