"""System check: semantic search on PostgreSQL needs pgvector; without it retrieval stays lexical."""

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connection

PGVECTOR_MISSING = (
    "PostgreSQL has no pgvector here: semantic search is off and retrieval stays lexical (BM25)."
)
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
