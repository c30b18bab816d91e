"""System checks and the one status line: which path semantic search takes on this database, and
whether the local provider has its model files (without them retrieval stays lexical)."""

from django.core.checks import Info
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connection

PATH_NUMPY_POSTGRESQL = (
    "PostgreSQL has no pgvector here: hybrid search finds the nearest passage vectors in numpy, "
    "as on SQLite (exact up to 20,000 passages a workspace, two-step above)."
)
PGVECTOR_HINT = (
    "For HNSW in the database at scale, install the pgvector extension on the server, then run "
    "`manage.py retrieval_reembed` (it adds the vector column and index and copies the vectors)."
)
LOCAL_MODEL_HINT = (
    "Until then retrieval stays lexical (BM25); the ingestion worker (or `manage.py retrieval_reembed`) "
    "fetches it and embeds the passages."
)
STATUS_LEXICAL = "Search: lexical (BM25) only: embedding_provider is none."
STATUS_WAITING = "Search: lexical (BM25) until the embedding model is ready: {reason}"
STATUS_HYBRID = (
    "Search: hybrid (BM25 + {model}), nearest vectors by {path}; {embedded:,} of {passages:,} passages embedded."
)
PATH_NAMES = {"pgvector": "pgvector (HNSW in PostgreSQL)", "numpy": "numpy (in the web process)"}


def _embedding_provider() -> str:
    """The `embedding_provider` setting; "none" before the database is migrated (or reachable)."""
    from settings_app.services import setting_get

    try:
        return setting_get("embedding_provider")
    except DatabaseError:
        return "none"


def pgvector_check(app_configs=None, **kwargs):
    """On PostgreSQL with a provider set: says the vector search runs in numpy when pgvector is missing."""
    if connection.vendor != "postgresql" or _embedding_provider() == "none":
        return []
    from workspaces.retrieval.vectors import search_path

    try:
        if search_path() == "pgvector":
            return []
    except DatabaseError:
        return []  # not migrated yet: nothing to say about vectors
    return [Info(PATH_NUMPY_POSTGRESQL, hint=PGVECTOR_HINT, id="retrieval.I001")]


def local_model_check(app_configs=None, **kwargs):
    """With `embedding_provider` = local: the model's folder, or why there is none yet."""
    if _embedding_provider() != "local":
        return []
    from workspaces.retrieval.model_files import MESSAGE_NOT_DOWNLOADED, ModelUnavailable, local_model_folder

    try:
        local_model_folder()
    except ModelUnavailable as exc:
        if exc.message == MESSAGE_NOT_DOWNLOADED:  # a fresh install: the worker fetches it
            return [Info(exc.message, hint=LOCAL_MODEL_HINT, id="retrieval.I002")]
        return [CheckWarning(exc.message, hint=LOCAL_MODEL_HINT, id="retrieval.W002")]
    return []


def retrieval_status() -> str:
    """One sentence for the admin: lexical or hybrid, with which model, vector path and coverage."""
    from workspaces.documents.models import DocumentPassage
    from workspaces.retrieval.embeddings import EmbeddingError, embedder_current
    from workspaces.retrieval.models import PassageVector
    from workspaces.retrieval.vectors import search_path

    try:
        embedder = embedder_current()
    except EmbeddingError as exc:
        return STATUS_WAITING.format(reason=exc.message)
    if embedder is None:
        return STATUS_LEXICAL
    return STATUS_HYBRID.format(
        model=embedder.name, path=PATH_NAMES[search_path()],
        embedded=PassageVector.objects.filter(model=embedder.name).count(),
        passages=DocumentPassage.objects.count(),
    )
