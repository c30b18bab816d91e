"""Passage vectors in the database, and the nearest ones to a query vector.

PostgreSQL with pgvector: the `embedding vector` column and its HNSW index (cosine),
per dimension a partial index (migration 0007 makes the one for 384). SQLite, and
PostgreSQL without pgvector: search in numpy over the workspace's vectors, read from the
`vector` bytes every database keeps (a system check and the Language model page say which
path runs: `search_path`). On SQLite (the project's Python cannot load
SQLite extensions; where one can, sqlite-vec 0.1.9 took 140 ms at 200,000 vectors in a
`vec0` table, against 9 ms here: docs/benchmarks.md), the matrix kept per process and reloaded when
`passages_embed` or a re-embed adds vectors (a version in the cache). Up to
EXACT_SCAN_LIMIT vectors the scan is exact. Above it, reading the whole float32 matrix
(1.5 KB a vector: 300 MB, 48 ms at 200,000 on one thread) would cost more than the rest of a search,
so the scan goes in two steps, as pgvector's HNSW trades exactness for speed: each
vector's signs (one bit a dimension, 48 bytes for 384) are compared with the query's, and
the RERANK_SHARE of vectors that agree most (at least RERANK_MIN) are ranked by their
exact cosine (9 ms at 200,000).
"""

import functools
import logging
import threading
import uuid

import numpy as np
from django.core.cache import cache
from django.db import connection, connections
from pgvector import Vector

logger = logging.getLogger(__name__)

# HNSW's candidate list while searching (pgvector's default is 40): 2.5 times the 40 candidates
# hybrid search asks for. At 200,000 vectors a search takes 5 ms at 100 and 13 ms at 200.
HNSW_EF_SEARCH = 100
MAX_MATRICES = 8
# With numpy's BLAS on one thread (workspaces.apps), the exact scan takes 5 ms at 20,000 vectors
# of 384 dimensions, 12.5 at 50,000 and 48 at 200,000; the two-step one 2.4, 3.5 and 9.
EXACT_SCAN_LIMIT = 20_000
RERANK_SHARE = 0.02
RERANK_MIN = 2_000
VERSION_KEY = "retrieval:vectors:{workspace}:{model}"
_MATRICES: dict = {}
_LOCK = threading.Lock()

POSTGRESQL_NEAREST = """
    SELECT v."passageId", 1 - ((v.embedding::vector({dim})) <=> %s::vector({dim})) AS similarity
    FROM passage_vectors v
    JOIN document_passages p ON p.id = v."passageId"
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE d."workspaceId" = %s AND d.status = 'ready'
        AND v.model = %s AND v.dimensions = {dim} AND v.embedding IS NOT NULL
    ORDER BY (v.embedding::vector({dim})) <=> %s::vector({dim})
    LIMIT %s
"""
WORKSPACE_VECTORS = """
    SELECT v."passageId", v.vector FROM passage_vectors v
    JOIN document_passages p ON p.id = v."passageId"
    JOIN workspace_documents d ON d.id = p."documentId"
    WHERE d."workspaceId" = %s AND d.status = 'ready' AND v.model = %s AND v.dimensions = %s
"""


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


def pgvector_ready(alias: str = "default") -> bool:
    """Whether this PostgreSQL database has pgvector's column (False on SQLite)."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return False
    return _pgvector_ready(conn.settings_dict["NAME"], conn.settings_dict.get("HOST"), conn.settings_dict.get("PORT"))


@functools.lru_cache(maxsize=8)
def _pgvector_ready(name, host, port) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'passage_vectors' AND column_name = 'embedding'"
        )
        return cursor.fetchone() is not None


def pgvector_install() -> bool:
    """Add pgvector's column and the default index if the server offers the extension; whether it is there."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cursor.execute("ALTER TABLE passage_vectors ADD COLUMN IF NOT EXISTS embedding vector")
    _pgvector_ready.cache_clear()
    return True


def pgvector_index_ensure(dimensions: int) -> None:
    """The HNSW index for vectors of `dimensions` (a new model may bring a new size)."""
    dim = int(dimensions)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [f"passage_vectors_hnsw_{dim}"])
        if cursor.fetchone() is not None:
            return
        cursor.execute(
            f"""CREATE INDEX IF NOT EXISTS passage_vectors_hnsw_{dim} ON passage_vectors
            USING hnsw ((embedding::vector({dim})) vector_cosine_ops) WHERE dimensions = {dim}"""
        )


def pgvector_store(rows: list[tuple[int, np.ndarray]]) -> None:
    """Copy vectors into pgvector's column (PostgreSQL with pgvector only)."""
    if not rows or not pgvector_ready():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE passage_vectors v SET embedding = s.e::vector FROM unnest(%s::bigint[], %s::text[]) AS s(id, e) '
            'WHERE v."passageId" = s.id',
            [[pid for pid, _ in rows], [Vector(vector).to_text() for _, vector in rows]],
        )


def pgvector_backfill(batch_size: int = 1000) -> int:
    """Copy every stored vector that pgvector's column lacks into it (after a restore, or once a
    server gains the extension); returns how many. PostgreSQL with pgvector only."""
    if not pgvector_ready():
        return 0
    done = 0
    with connection.cursor() as cursor:  # the column lives outside the ORM
        cursor.execute("SELECT DISTINCT dimensions FROM passage_vectors WHERE embedding IS NULL")
        for (dimensions,) in cursor.fetchall():
            pgvector_index_ensure(dimensions)
        while True:
            cursor.execute(
                'SELECT "passageId", vector FROM passage_vectors WHERE embedding IS NULL LIMIT %s', [batch_size]
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            pgvector_store([(pid, from_bytes(data)) for pid, data in rows])
            done += len(rows)


def search_path() -> str:
    """How this database finds the nearest vectors: "pgvector" (HNSW) or "numpy"."""
    return "pgvector" if pgvector_ready() else "numpy"


def vectors_changed(*, workspace_id: int, model: str) -> None:
    """Tell every process that the workspace's vectors of `model` changed (SQLite's matrices reload)."""
    cache.set(VERSION_KEY.format(workspace=workspace_id, model=model), uuid.uuid4().hex, timeout=None)


def nearest(*, workspace_id: int, model: str, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """(passage id, cosine similarity) of the `limit` passages nearest to `vector`, best first."""
    if limit < 1:
        return []
    if pgvector_ready():
        dim = int(vector.shape[0])
        text = Vector(vector).to_text()
        with connection.cursor() as cursor:
            cursor.execute(f"SET hnsw.ef_search = {max(HNSW_EF_SEARCH, limit)}")
            cursor.execute(POSTGRESQL_NEAREST.format(dim=dim), [text, workspace_id, model, text, limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
    ids, matrix, signs = _workspace_matrix(workspace_id, model, int(vector.shape[0]))
    return nearest_in_matrix(ids, matrix, signs, vector, limit)


def nearest_in_matrix(
    ids: np.ndarray, matrix: np.ndarray, signs: np.ndarray | None, vector: np.ndarray, limit: int
) -> list[tuple[int, float]]:
    """`nearest` over one matrix of unit vectors (rows named by `ids`): every row's cosine when
    `signs` is None, else only the rows whose `signs` (`sign_bits(matrix)`) agree most with the query's."""
    if not len(ids):
        return []
    query = vector.astype(np.float32)
    rows = None
    if signs is not None:
        query_signs = sign_bits(query)
        # Counted in 16 bits: bitwise_count gives 8, which would wrap at 256 differing signs
        # (unrelated vectors of 1,024 dimensions or more differ in about half of them).
        differing = np.zeros(len(ids), dtype=np.uint16)
        for column, word in zip(signs, query_signs, strict=True):
            differing += np.bitwise_count(column ^ word)
        shortlist = min(len(ids), max(RERANK_MIN, limit, int(len(ids) * RERANK_SHARE)))
        rows = np.argpartition(differing, shortlist - 1)[:shortlist]
    similarities = (matrix if rows is None else matrix[rows]) @ query
    count = min(limit, len(similarities))
    best = np.argpartition(-similarities, count - 1)[:count]
    best = best[np.argsort(-similarities[best], kind="stable")]
    named = best if rows is None else rows[best]
    return [(int(ids[i]), float(similarities[j])) for i, j in zip(named, best, strict=True)]


def sign_bits(vectors: np.ndarray) -> np.ndarray:
    """Each vector's signs, one bit a dimension, as 64-bit words: (words, rows) for a matrix
    (one contiguous array per word, which numpy scans fastest), (words,) for one vector."""
    bits = np.packbits(vectors > 0, axis=-1)
    padding = (-bits.shape[-1]) % 8
    if padding:
        bits = np.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, padding)])
    words = np.ascontiguousarray(bits).view(np.uint64)
    return np.ascontiguousarray(words.T) if words.ndim == 2 else words


def similarities(*, model: str, vector: np.ndarray, passage_ids: list[int]) -> dict[int, float]:
    """Cosine similarity of `vector` with each listed passage's stored vector of `model`."""
    if not passage_ids:
        return {}
    from workspaces.retrieval.models import PassageVector

    # By primary key alone: with the model in the filter, SQLite chose the (model, dimensions)
    # index and read every vector of the model (150 ms at 200,000 passages).
    rows = PassageVector.objects.filter(passage_id__in=passage_ids).values_list("passage_id", "model", "vector")
    dimensions = int(vector.shape[0])
    return {
        pid: float(from_bytes(data) @ vector)
        for pid, name, data in rows
        if name == model and len(data) == dimensions * 4
    }


def _workspace_matrix(workspace_id, model, dimensions):
    version = cache.get(VERSION_KEY.format(workspace=workspace_id, model=model))
    key = (connection.settings_dict["NAME"], workspace_id, model, dimensions)
    with _LOCK:
        cached = _MATRICES.get(key)
    if cached is not None and version is not None and cached[0] == version:
        return cached[1:]
    if version is None:
        version = uuid.uuid4().hex
        cache.set(VERSION_KEY.format(workspace=workspace_id, model=model), version, timeout=None)
    with connection.cursor() as cursor:
        cursor.execute(WORKSPACE_VECTORS, [workspace_id, model, dimensions])
        rows = cursor.fetchall()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    matrix = np.frombuffer(b"".join(bytes(row[1]) for row in rows), dtype="<f4").reshape(len(rows), dimensions)
    signs = sign_bits(matrix) if len(ids) > EXACT_SCAN_LIMIT else None
    with _LOCK:
        while len(_MATRICES) >= MAX_MATRICES:
            _MATRICES.pop(next(iter(_MATRICES)))
        _MATRICES[key] = (version, ids, matrix, signs)
    return ids, matrix, signs
