"""The semantic half of a hybrid search, run beside its lexical half.

A hybrid search embeds the query (5–10 ms) and finds the nearest passage vectors
(numpy on SQLite, HNSW on PostgreSQL) while the same request ranks passages by their
words. Both halves wait outside Python (ONNX Runtime, numpy, the database), so with a
spare CPU the slower half alone sets the time. The semantic half runs in a small pool
of threads, each with its own database connection, kept as long as CONN_MAX_AGE allows.
It runs inline instead inside a transaction (another connection would not see the
transaction's rows, as in most tests) and when every pool thread is busy (under load,
waiting for a thread would cost more than it saves).
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.db import close_old_connections, connection

from workspaces.retrieval.embeddings import Embedder, EmbeddingError, embedder_current
from workspaces.retrieval.vectors import nearest

logger = logging.getLogger(__name__)

THREADS = 4
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="docent-semantic")
_FREE = threading.BoundedSemaphore(THREADS)

Nearest = tuple[np.ndarray | None, dict[int, float]]


def current_embedder() -> Embedder | None:
    """The configured embedder, or None when semantic search is off or cannot run (logged)."""
    try:
        return embedder_current()
    except EmbeddingError as exc:
        logger.warning("semantic search skipped: %s", exc.message)
        return None


def nearest_passages(embedder: Embedder, query: str, workspace_id: int, limit: int) -> Nearest:
    """(the query's vector, {passage id: cosine} of its `limit` nearest passages in the workspace),
    or (None, {}) when the provider fails: the search then stays lexical."""
    try:
        vector = embedder.embed([query])[0]
    except EmbeddingError as exc:
        logger.warning("semantic search skipped: %s", exc.message)
        return None, {}
    return vector, dict(nearest(workspace_id=workspace_id, model=embedder.name, vector=vector, limit=limit))


def nearest_passages_started(embedder: Embedder, query: str, workspace_id: int, limit: int) -> Callable[[], Nearest]:
    """Start `nearest_passages` beside the caller; returns the function that waits for its result
    (and raises what it raised)."""
    if connection.in_atomic_block or not _FREE.acquire(blocking=False):
        result = nearest_passages(embedder, query, workspace_id, limit)
        return lambda: result
    return _POOL.submit(_in_pool_thread, embedder, query, workspace_id, limit).result


def _in_pool_thread(*args) -> Nearest:
    # This thread's connection lives as a request's does: kept between tasks while healthy and
    # within CONN_MAX_AGE (connecting anew cost more than the HNSW search), closed when that is 0.
    close_old_connections()
    try:
        return nearest_passages(*args)
    finally:
        close_old_connections()
        _FREE.release()
