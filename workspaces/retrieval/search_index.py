"""Each workspace's passages in a tantivy index on this host's disk: BM25 at a search engine's speed.

The database stays the record; the index is derived data each host keeps for itself under
SEARCH_INDEX_DIR (one folder per workspace), so any number of web hosts share one database and
none shares a folder. How an index stays exact:

- Triggers (migration 0022) raise `workspaces.searchVersion` and write a
  `retrieval_index_changes` row (workspace, version, document) whenever a document is added,
  deleted or has its status set (one version a row on SQLite, a statement on PostgreSQL). The
  raise locks the workspace's row, so versions are taken in commit order and without gaps:
  version v is visible only once every version below it is.
- A folder records the version it has applied (`docent.json`). A search is given the workspace
  row its request read; when the index this process holds is older than that row's version, the
  database's latest version is read and the changes after the index's applied first (each named
  document deleted from the index, then its passages added again if it is ready now: applying
  one twice changes nothing). A search thus sees every change committed before its request read
  the workspace, at no query when nothing changed (a row held for long sees the index as old as
  it: read it again, `refresh_from_db`, to see later changes).
- One process of a host writes at a time (an exclusive lock on `<folder>.lock`);
  the others wait for it and re-read. A gap in the change log (rows pruned after
  INDEX_CHANGES_KEPT_DAYS), a folder ahead of the database, or a workspace id reused rebuilds
  the folder from the passages. A restore (`operations/backup.py`) moves every version far
  ahead and empties the log, so every host rebuilds.
- A workspace without a folder on this host gets one on its first search: during the search
  when it holds at most SEARCH_INDEX_INLINE_PASSAGES passages; else in a background thread,
  the search ranking in the database meanwhile (`bm25.py`), as it does when the folder cannot
  be written. `manage.py search_index_build` builds every workspace's folder ahead (a deploy step).

Words are read as FTS5 reads them, near enough: split at anything not a letter or digit,
lower-cased, accents folded, English (Snowball) stems; words over 40 characters dropped.
"""

import fcntl
import json
import logging
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connection, connections

from workspaces.documents.models import DocumentStatus
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

ANALYZER = "docent"
TEXT = "text"
CHUNK = 2_000  # passages read from the database at a time
WRITER_HEAP = 50_000_000  # bytes tantivy buffers before it writes a segment
# A build buffers about 1 KB a passage (up to this), so a large workspace is one segment, not
# several: a search reads each segment's lists (5 segments made common words 3× slower).
BUILD_HEAP_MAX = 300_000_000


@dataclass
class Opened:
    """One workspace's index as this process reads it, and the version it holds."""

    index: tantivy.Index
    searcher: tantivy.Searcher
    version: int
    folder: Path
    identity: str


_opened: dict[Path, Opened] = {}
_building: set[Path] = set()
_process_lock = threading.Lock()


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


def _identity(workspace: Workspace) -> str:
    """What tells this workspace from another that later got its id (SQLite reuses ids)."""
    return f"{workspace.slug}@{workspace.created_at.isoformat()}"


def _read_state(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "docent.json").read_text())
    except (OSError, ValueError):
        return None


def _write_state(folder: Path, state: dict) -> None:
    scratch = folder / "docent.json.tmp"
    scratch.write_text(json.dumps(state))
    scratch.replace(folder / "docent.json")


def _open(folder: Path, version: int, identity: str) -> Opened:
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
    index.register_tokenizer(ANALYZER, WORDS)
    return Opened(index=index, searcher=index.searcher(), version=version, folder=folder, identity=identity)


def opened_for(workspace: Workspace) -> Opened | None:
    """The workspace's index holding at least every change up to `workspace.search_version` (as
    the row was read: a request's own snapshot), brought up to the database's latest when it is
    behind; None while this host has none (being built, or the folder cannot be written)."""
    folder = folder_of(workspace)
    current = _opened.get(folder)
    if current is not None and current.version >= workspace.search_version and current.identity == _identity(workspace):
        return current
    version = _database_version(workspace)
    if version is None:
        return None
    try:
        return _brought_up_to(workspace, folder, version)
    except (OSError, ValueError) as error:  # a full disk, a damaged folder: the database ranks meanwhile
        logger.warning("The search index of workspace %s is unusable: %s", workspace.pk, error)
        _opened.pop(folder, None)
        return None


def _database_version(workspace: Workspace) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute('SELECT "searchVersion" FROM workspaces WHERE id = %s', [workspace.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _brought_up_to(workspace: Workspace, folder: Path, version: int) -> Opened | None:
    state = _read_state(folder)
    if state is not None and state.get("identity") == _identity(workspace) and state["version"] <= version:
        if state["version"] == version:  # another process of this host applied it
            return _remember(_open(folder, version, _identity(workspace)))
    elif _passage_count(workspace) > settings.SEARCH_INDEX_INLINE_PASSAGES:
        _build_in_background(workspace, folder)
        return None
    with _folder_lock(folder):
        return _remember(_synced(workspace, folder))


def _remember(opened: Opened | None) -> Opened | None:
    if opened is not None:
        _opened[opened.folder] = opened
    return opened


@contextmanager
def _folder_lock(folder: Path):
    """This host's one writer of a folder: an exclusive lock on `<folder>.lock` beside it (a
    rebuild empties the folder itself). Threads and processes alike wait for it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _synced(workspace: Workspace, folder: Path) -> Opened:
    """Under the folder's lock: the index with every change the database holds applied; built
    afresh when the folder is missing, another workspace's, ahead of the database (restored from
    a backup) or behind a gap in the change log."""
    from workspaces.retrieval.models import IndexChange

    state, target = _read_state(folder), _database_version(workspace) or 0
    if state is None or state.get("identity") != _identity(workspace) or state["version"] > target:
        return _rebuilt(workspace, folder)
    version = state["version"]
    if version == target:
        return _open(folder, version, _identity(workspace))
    changes = list(
        IndexChange.objects.filter(workspace_id=workspace.pk, version__gt=version, version__lte=target)
        .order_by("version").values_list("version", "document_id")
    )
    if len({number for number, _ in changes}) != target - version:  # a version missing: pruned away
        return _rebuilt(workspace, folder)
    opened = _open(folder, version, _identity(workspace))
    documents = sorted({document for _, document in changes})
    writer = opened.index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for document in documents:
        writer.delete_documents_by_term("document", document)
    _add_passages(writer, workspace, documents)
    writer.commit()
    writer.wait_merging_threads()
    _write_state(folder, {"identity": _identity(workspace), "version": target})
    opened.index.reload()
    return Opened(opened.index, opened.index.searcher(), target, folder, opened.identity)


def _rebuilt(workspace: Workspace, folder: Path) -> Opened:
    """Every ready passage of the workspace in a new index; then the changes made meanwhile."""
    version = _database_version(workspace) or 0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
    index.register_tokenizer(ANALYZER, WORDS)
    heap = min(BUILD_HEAP_MAX, max(WRITER_HEAP, _passage_count(workspace) * 1_000))
    writer = index.writer(heap_size=heap, num_threads=1)
    _add_passages(writer, workspace, None)
    writer.commit()
    writer.wait_merging_threads()
    _write_state(folder, {"identity": _identity(workspace), "version": version})
    return _synced(workspace, folder)


def _add_passages(writer, workspace: Workspace, documents: list[int] | None) -> None:
    from workspaces.documents.models import DocumentPassage

    passages = DocumentPassage.objects.filter(
        document__workspace=workspace, document__status=DocumentStatus.READY
    )
    if documents is not None:
        passages = passages.filter(document_id__in=documents)
    rows = passages.order_by("pk").values_list("pk", "document_id", "heading_path", "text")
    for pk, document, heading_path, text in rows.iterator(chunk_size=CHUNK):
        writer.add_document(tantivy.Document(
            passage=pk, document=document, text=f"{heading_path}\n{text}" if heading_path else text,
        ))


def _passage_count(workspace: Workspace) -> int:
    from workspaces.documents.models import DocumentPassage

    return DocumentPassage.objects.filter(document__workspace=workspace).count()


def _build_in_background(workspace: Workspace, folder: Path) -> None:
    with _process_lock:
        if folder in _building:
            return
        _building.add(folder)

    def build():
        try:
            with _folder_lock(folder):
                _synced(workspace, folder)
        except Exception:
            logger.exception("Building the search index of workspace %s failed", workspace.pk)
        finally:
            connections.close_all()  # this thread's own connections, which nothing else would close
            with _process_lock:
                _building.discard(folder)

    threading.Thread(target=build, daemon=True, name=f"search-index-{workspace.pk}").start()


def search_index_build(*, workspace: Workspace) -> int:
    """Bring the workspace's folder on this host up to date now (built if missing); its passages."""
    folder = folder_of(workspace)
    with _folder_lock(folder):
        opened = _remember(_synced(workspace, folder))
    return opened.searcher.num_docs


def search_index_prune(*, days: int | None = None) -> None:
    """Forget changes older than INDEX_CHANGES_KEPT_DAYS (a host further behind rebuilds) and
    remove this host's folders of workspaces that are gone."""
    from datetime import timedelta

    from django.utils import timezone

    from workspaces.retrieval.models import IndexChange

    days = settings.INDEX_CHANGES_KEPT_DAYS if days is None else days
    IndexChange.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    IndexChange.objects.exclude(workspace_id__in=Workspace.objects.values("pk")).delete()
    root = Path(settings.SEARCH_INDEX_DIR)
    if not root.is_dir():
        return
    existing = {str(pk) for pk in Workspace.objects.values_list("pk", flat=True)}
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in existing:
            with _folder_lock(folder):
                shutil.rmtree(folder, ignore_errors=True)
            _opened.pop(folder, None)
