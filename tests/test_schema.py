"""The migrated database carries every table and column of the seed schema."""

import pytest
from django.db import connection

SEED_SCHEMA = {
    "workspace_documents": {
        "id", "docId", "filename", "docpath", "workspaceId", "metadata", "createdAt", "lastUpdatedAt",
    },
    "invites": {"id", "code", "status", "claimedBy", "createdAt", "createdBy", "lastUpdatedAt"},
    "system_settings": {"id", "label", "value", "createdAt", "lastUpdatedAt"},
    "users": {"id", "username", "password", "role", "suspended", "createdAt", "lastUpdatedAt"},
    "workspace_chats": {"id", "workspaceId", "prompt", "response", "include", "user_id", "createdAt", "lastUpdatedAt"},
    "workspace_users": {"id", "user_id", "workspace_id", "createdAt", "lastUpdatedAt"},
    "workspaces": {
        "id", "name", "slug", "openAiPrompt", "openAiHistory", "topN", "similarityThreshold", "chatMode",
        "chatProvider", "chatModel", "createdAt", "lastUpdatedAt",
    },
}


@pytest.mark.django_db
def test_every_seed_table_and_column_exists_in_the_migrated_database():
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table, columns in SEED_SCHEMA.items():
            assert table in tables, f"missing table {table}"
            found = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            assert columns <= found, f"{table} lacks {sorted(columns - found)}"


@pytest.mark.django_db
def test_seed_unique_columns_are_unique():
    with connection.cursor() as cursor:
        for table, column in (("users", "username"), ("invites", "code"), ("system_settings", "label"),
                              ("workspace_documents", "docId"), ("workspaces", "slug")):
            constraints = connection.introspection.get_constraints(cursor, table)
            assert any(c["unique"] and c["columns"] == [column] for c in constraints.values()), (table, column)
