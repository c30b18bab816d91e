"""System checks: semantic search needs pgvector on PostgreSQL, and the local provider its model
files; without them retrieval stays lexical."""

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connection

PGVECTOR_MISSING = (
    "PostgreSQL has no pgvector here: semantic search is off and retrieval stays lexical (BM25)."
)
PGVECTOR_HINT = (
    "Install the pgvector extension on the server, then run `manage.py retrieval_reembed` "
    "(it adds the vector column and index and embeds the passages)."
)
LOCAL_MODEL_HINT = "Until then retrieval stays lexical (BM25); `manage.py retrieval_reembed` fetches and embeds."


def _embedding_provider() -> str:
    """The `embedding_provider` setting; "none" before the database is migrated (or reachable)."""
    from settings_app.services import setting_get

    try:
        return setting_get("embedding_provider")
    except DatabaseError:
        return "none"


def pgvector_check(app_configs=None, **kwargs):
    if connection.vendor != "postgresql" or _embedding_provider() == "none":
        return []
    from workspaces.retrieval.vectors import pgvector_ready

    try:
        if pgvector_ready():
            return []
    except DatabaseError:
        return []  # not migrated yet: nothing to say about vectors
    return [CheckWarning(PGVECTOR_MISSING, hint=PGVECTOR_HINT, id="retrieval.W001")]


def local_model_check(app_configs=None, **kwargs):
    """With `embedding_provider` = local: the model's folder, or why there is none yet."""
    if _embedding_provider() != "local":
        return []
    from workspaces.retrieval.model_files import ModelUnavailable, local_model_folder

    try:
        local_model_folder()
    except ModelUnavailable as exc:
        return [CheckWarning(exc.message, hint=LOCAL_MODEL_HINT, id="retrieval.W002")]
    return []
