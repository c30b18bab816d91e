"""The semantic half of a hybrid search, run beside its lexical half.

A hybrid search embeds the query (5–10 ms), finds the nearest passage vectors (numpy
on SQLite, HNSW on PostgreSQL) and scores those passages by BM25 for the blend (on
SQLite 10 ms for 50: FTS5 tokenizes them), while the same request ranks passages by their
words. Both halves wait outside Python (ONNX Runtime, numpy, the database), so with a
spare CPU the slower half alone sets the time (provided no library's idle threads spin
on the CPUs: numpy's BLAS runs on one thread, `workspaces.apps`, and ONNX Runtime's
threads sleep, `embeddings.py`). The semantic half runs in a small pool
of threads, each with its own database connection, kept as long as CONN_MAX_AGE allows.
It runs inline instead inside a transaction (another connection would not see the
transaction's rows, as in most tests) and when every pool thread is busy (under load,
waiting for a thread would cost more than it saves).
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from django.db import close_old_connections, connection

from workspaces.models import Workspace
from workspaces.retrieval.bm25 import lexical_scores
from workspaces.retrieval.embeddings import Embedder, EmbeddingError, embedder_current
from workspaces.retrieval.model_files import MESSAGE_NO_MODEL, MESSAGE_NOT_DOWNLOADED
from workspaces.retrieval.vectors import nearest

logger = logging.getLogger(__name__)

THREADS = 4
WAITING_FOR_MODEL = (MESSAGE_NO_MODEL, MESSAGE_NOT_DOWNLOADED)
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="docent-semantic")
_FREE = threading.BoundedSemaphore(THREADS)


class Nearest(NamedTuple):
    """The query's vector, {passage id: cosine} of its nearest passages, and {passage id: BM25}
    of those of them holding a word of the query (None when not scored here)."""

    vector: np.ndarray | None
    cosines: dict[int, float]
    bm25: dict[int, float] | None


def current_embedder() -> Embedder | None:
    """The configured embedder, or None when semantic search is off or cannot run (logged)."""
    try:
        return embedder_current()
    except EmbeddingError as exc:  # the model not there yet is the normal state of a fresh install
        logger.log(logging.DEBUG if exc.message in WAITING_FOR_MODEL else logging.WARNING,
                   "semantic search skipped: %s", exc.message)
        return None


def nearest_passages(
    embedder: Embedder, query: str, terms: list[str] | None, workspace: Workspace, limit: int
) -> Nearest:
    """The `limit` passages of the workspace nearest to `query`, or nothing when the provider
    fails: the search then stays lexical. With `terms` (the query's search words) they are also
    scored by BM25, for a caller that runs this beside its own lexical ranking."""
    try:
        vector = embedder.embed([query], purpose="query")[0]
    except EmbeddingError as exc:
        logger.warning("semantic search skipped: %s", exc.message)
        return Nearest(None, {}, None)
    cosines = dict(nearest(workspace_id=workspace.pk, model=embedder.name, vector=vector, limit=limit))
    if terms is None:
        return Nearest(vector, cosines, None)
    scores = lexical_scores(workspace=workspace, terms=terms, limit=len(cosines), passage_ids=list(cosines))
    return Nearest(vector, cosines, dict(scores))


def nearest_passages_started(
    embedder: Embedder, query: str, terms: list[str], workspace: Workspace, limit: int
) -> Callable[[], Nearest]:
    """Start `nearest_passages` beside the caller; returns the function that waits for its result
    (and raises what it raised). Run inline instead, the passages are not scored by BM25 here:
    the caller scores only those its own ranking missed, with the statistics it has read."""
    if connection.in_atomic_block or not _FREE.acquire(blocking=False):
        result = nearest_passages(embedder, query, None, workspace, limit)
        return lambda: result
    return _POOL.submit(_in_pool_thread, embedder, query, terms, workspace, limit).result


def _in_pool_thread(*args) -> Nearest:
    # This thread's connection lives as a request's does: kept between tasks while healthy and
    # within CONN_MAX_AGE (connecting anew cost more than the HNSW search), closed when that is 0.
    close_old_connections()
    try:
        return nearest_passages(*args)
    finally:
        close_old_connections()
        _FREE.release()
