"""What retrieval stores beside the passages: their vectors and, on PostgreSQL, BM25 statistics.

`PassageVector` holds one vector per passage with the model that made it and its
dimension, so a query only ever compares vectors of the model it was embedded
with. The vector is kept as float32 bytes on every database (exact search in
numpy on SQLite); on PostgreSQL with pgvector, migration 0007 adds an `embedding
vector` column beside it with an HNSW index (see `workspaces.retrieval.vectors`).

`TermStat` and `WorkspaceStat` are BM25's statistics on PostgreSQL (document
frequency of each lexeme in a workspace; passage count and total length),
maintained by triggers on `document_passages` (migration 0007), so every door
that writes passages keeps them right. Like the full-text index they are derived
data: no timestamps, never edited by hand. SQLite's FTS5 keeps its own.
"""

from django.db import models

from accounts.base import TimestampedModel


class PassageVector(TimestampedModel):
    passage = models.OneToOneField(
        "workspaces.DocumentPassage", on_delete=models.CASCADE, primary_key=True, db_column="passageId",
        related_name="vector",
    )
    model = models.CharField(max_length=200, help_text="The embedding model that made the vector.")
    dimensions = models.PositiveIntegerField()
    text_sha256 = models.CharField(max_length=64, help_text="Of the passage text embedded: changed text re-embeds.")
    vector = models.BinaryField(help_text="float32, little-endian, L2-normalised.")

    class Meta:
        app_label = "workspaces"
        db_table = "passage_vectors"
        verbose_name = "passage vector"
        indexes = [models.Index(fields=("model", "dimensions"), name="passage_vectors_model")]

    def __str__(self):
        return f"{self.passage_id} ({self.model})"


class TermStat(models.Model):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, db_column="workspaceId", related_name="+", db_index=False
    )
    term = models.TextField()
    df = models.IntegerField(help_text="How many of the workspace's passages contain the term.")

    class Meta:
        app_label = "workspaces"
        db_table = "retrieval_term_stats"
        constraints = [models.UniqueConstraint(fields=("workspace", "term"), name="retrieval_term_stats_unique")]

    def __str__(self):
        return f"{self.term} ({self.df})"


class WorkspaceStat(models.Model):
    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, primary_key=True, db_column="workspaceId", related_name="+"
    )
    passages = models.BigIntegerField()
    total_length = models.BigIntegerField(db_column="totalLength", help_text="Words in all passages together.")

    class Meta:
        app_label = "workspaces"
        db_table = "retrieval_workspace_stats"

    def __str__(self):
        return f"{self.workspace_id}: {self.passages} passages"


class IndexChange(models.Model):
    """A document of a workspace added, deleted or given a status: what each host's search index
    applies next (`search_index.py`). Written only by the database's triggers (migration 0022):
    every `workspaces.searchVersion` value has one row or more (PostgreSQL gives the documents of
    one statement one version); kept INDEX_CHANGES_KEPT_DAYS."""

    # Not a foreign key: deleting a workspace deletes its documents, whose triggers write here
    # after the rows of the workspace would have gone; `search_index_prune` forgets them.
    workspace_id = models.BigIntegerField(db_column="workspaceId")
    version = models.BigIntegerField(null=True, help_text="Empty only within the statement that logged it.")
    document_id = models.BigIntegerField(db_column="documentId")
    created_at = models.DateTimeField(db_column="createdAt")

    class Meta:
        app_label = "workspaces"
        db_table = "retrieval_index_changes"
        indexes = [
            models.Index(fields=("created_at",), name="index_changes_age"),
            models.Index(fields=("workspace_id", "version"), name="index_changes_version"),
            models.Index(
                fields=("workspace_id",), condition=models.Q(version__isnull=True), name="index_changes_unversioned"
            ),
        ]

    def __str__(self):
        return f"{self.workspace_id} v{self.version}: document {self.document_id}"
