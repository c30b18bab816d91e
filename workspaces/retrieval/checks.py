"""System checks: semantic search needs pgvector on PostgreSQL, and the local provider its model
files; without them retrieval stays lexical."""

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connection

PGVECTOR_MISSING = (
    "PostgreSQL has no pgvector here: semantic search is off and retrieval stays lexical (BM25)."
)
LOCAL_MODEL_HINT = "Until then retrieval stays lexical (BM25); `manage.py retrieval_reembed` fetches and embeds."
PGVECTOR_HINT = (
    "Install the pgvector extension on the server, then run `manage.py retrieval_reembed` "
    "(it adds the vector column and index and embeds the passages)."
)


def pgvector_check(app_configs=None, **kwargs):
    if connection.vendor != "postgresql":
        return []
    try:
        from workspaces.retrieval.vectors import pgvector_ready

        if pgvector_ready():
            return []
        from settings_app.services import setting_get

        if setting_get("embedding_provider") == "none":
            return []
    except DatabaseError:
        return []  # not migrated yet, or no database: nothing to say about vectors
    return [CheckWarning(PGVECTOR_MISSING, hint=PGVECTOR_HINT, id="retrieval.W001")]


def local_model_check(app_configs=None, **kwargs):
    """With `embedding_provider` = local: the model's folder, or why there is none yet."""
    try:
        from settings_app.services import setting_get

        if setting_get("embedding_provider") != "local":
            return []
    except DatabaseError:
        return []
    from workspaces.retrieval.model_files import ModelUnavailable, local_model_folder

    try:
        local_model_folder()
    except ModelUnavailable as exc:
        return [CheckWarning(exc.message, hint=LOCAL_MODEL_HINT, id="retrieval.W002")]
    return []
