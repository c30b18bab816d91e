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
  be written or read (a folder that cannot be read is rebuilt). A rebuild that a gap or a
  restore asks for during a search follows the same rule. `manage.py search_index_build` builds
  every workspace's folder ahead (a deploy step).

The folders themselves (schema, how words are read, the lock): `search_index_store.py`.
"""

import logging
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connections

from workspaces.documents.models import DocumentStatus
from workspaces.models import Workspace
from workspaces.retrieval.search_index_store import (
    SCHEMA,
    TEXT,
    Opened,
    database_version,
    folder_lock,
    folder_of,
    forget_state,
    identity,
    new_index,
    open_index,
    read_state,
    tokens,
    write_state,
)

__all__ = ["SCHEMA", "TEXT", "folder_of", "opened_for", "search_index_build", "search_index_prune", "tokens"]

logger = logging.getLogger(__name__)

CHUNK = 2_000  # passages read from the database at a time
WRITER_HEAP = 50_000_000  # bytes tantivy buffers before it writes a segment
# A build buffers about 1 KB a passage (up to this), so a large workspace is one segment, not
# several: a search reads each segment's lists (5 segments made common words 3× slower).
BUILD_HEAP_MAX = 300_000_000
# Indexes a process keeps open (each holds a thread and its files' maps): the most recently used.
MAX_OPEN = 64
# How long a search waits for another process of the host writing the folder (a sync takes
# milliseconds; a rebuild, seconds to minutes, while the database ranks).
SEARCH_LOCK_WAIT = 2.0

_opened: OrderedDict[Path, Opened] = OrderedDict()
_building: set[Path] = set()
_process_lock = threading.Lock()


def opened_for(workspace: Workspace) -> Opened | None:
    """The workspace's index holding at least every change up to `workspace.search_version` (as
    the row was read: a request's own snapshot), brought up to the database's latest when it is
    behind; None while this host has none (being built, or the folder cannot be written or read)."""
    folder = folder_of(workspace)
    current = _opened.get(folder)
    if current is not None and current.version >= workspace.search_version and current.identity == identity(workspace):
        return current
    version = database_version(workspace)
    if version is None:
        return None
    try:
        return _brought_up_to(workspace, folder, version)
    except (OSError, ValueError) as error:  # a full disk, a damaged folder: the database ranks meanwhile
        logger.warning("The search index of workspace %s is unusable, to be rebuilt: %s", workspace.pk, error)
        with _process_lock:
            _opened.pop(folder, None)
        forget_state(folder)
        return None


def _brought_up_to(workspace: Workspace, folder: Path, version: int) -> Opened | None:
    state = read_state(folder)
    if state is not None and state.get("identity") == identity(workspace) and state["version"] == version:
        return _remember(open_index(folder, version, workspace))  # another process of this host applied it
    if folder in _building:
        return None  # this process builds it: the database ranks meanwhile
    try:
        with folder_lock(folder, wait_seconds=SEARCH_LOCK_WAIT):
            return _remember(_synced(workspace, folder, defer_large=True))
    except TimeoutError:  # another process rebuilds it: the database ranks meanwhile
        return None


def _remember(opened: Opened | None) -> Opened | None:
    if opened is not None:
        with _process_lock:
            _opened[opened.folder] = opened
            _opened.move_to_end(opened.folder)
            while len(_opened) > MAX_OPEN:
                _opened.popitem(last=False)
    return opened


def _synced(workspace: Workspace, folder: Path, *, defer_large: bool) -> Opened | None:
    """Under the folder's lock: the index with every change the database holds applied; built
    afresh when the folder is missing, another workspace's, ahead of the database (restored from
    a backup) or behind a gap in the change log. `defer_large`: a search's call, which leaves the
    build of a workspace over SEARCH_INDEX_INLINE_PASSAGES to a background thread (None meanwhile)."""
    from workspaces.retrieval.models import IndexChange

    state, target = read_state(folder), database_version(workspace) or 0
    changes = None
    if state is not None and state.get("identity") == identity(workspace) and state["version"] <= target:
        version = state["version"]
        if version == target:
            return open_index(folder, version, workspace)
        changes = list(
            IndexChange.objects.filter(workspace_id=workspace.pk, version__gt=version, version__lte=target)
            .order_by("version").values_list("version", "document_id")
        )
        if len({number for number, _ in changes}) != target - version:  # a version missing: pruned away
            changes = None
    if changes is None:
        if defer_large and _passage_count(workspace) > settings.SEARCH_INDEX_INLINE_PASSAGES:
            _build_in_background(workspace, folder)
            return None
        return _rebuilt(workspace, folder)
    opened = open_index(folder, version, workspace)
    documents = sorted({document for _, document in changes})
    writer = opened.index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for document in documents:
        writer.delete_documents_by_term("document", document)
    _add_passages(writer, workspace, documents)
    writer.commit()
    writer.wait_merging_threads()
    write_state(folder, {"identity": identity(workspace), "version": target})
    opened.index.reload()
    return Opened(opened.index, opened.index.searcher(), target, folder, opened.identity)


def _rebuilt(workspace: Workspace, folder: Path) -> Opened:
    """Every ready passage of the workspace in a new index; then the changes made meanwhile."""
    version = database_version(workspace) or 0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = new_index(folder)
    heap = min(BUILD_HEAP_MAX, max(WRITER_HEAP, _passage_count(workspace) * 1_000))
    writer = index.writer(heap_size=heap, num_threads=1)
    _add_passages(writer, workspace, None)
    writer.commit()
    writer.wait_merging_threads()
    write_state(folder, {"identity": identity(workspace), "version": version})
    return _synced(workspace, folder, defer_large=False)


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
            with folder_lock(folder):
                _remember(_synced(workspace, folder, defer_large=False))
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
    with folder_lock(folder):
        opened = _remember(_synced(workspace, folder, defer_large=False))
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
            with folder_lock(folder):
                shutil.rmtree(folder, ignore_errors=True)
            with _process_lock:
                _opened.pop(folder, None)
