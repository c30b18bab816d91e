import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.base import TimestampedModel
from workspaces.addresses import filled_address
from workspaces.documents.kinds import label_for_content_type


class DocumentStatus(models.TextChoices):
    """Where a document is in ingestion. Only `ready` documents are searched and cited."""

    QUEUED = "queued", _("Queued")
    EXTRACTING = "extracting", _("Reading")
    INDEXING = "indexing", _("Indexing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (DocumentStatus.QUEUED, DocumentStatus.EXTRACTING, DocumentStatus.INDEXING)


class WorkspaceDocument(TimestampedModel):
    doc_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, db_column="docId")
    filename = models.CharField(max_length=255, help_text="The name the uploader gave, for display only.")
    docpath = models.CharField(max_length=255, editable=False, help_text="Where the file lives in storage.")
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, db_column="workspaceId", related_name="documents"
    )
    metadata = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_column="uploadedBy",
        related_name="+", help_text="Empty: the system (import command) or a deleted user.",
    )
    # Ingestion state (workspaces/documents/ingestion.py): the row is the job's record.
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    status_reason = models.TextField(blank=True, default="", help_text="Why processing failed, in words for people.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    reindexing = models.BooleanField(
        default=False, help_text="A ready document being re-indexed: its current passages serve until the new ones."
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Runs started for this document; a task carries the number it was queued for."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the run holding this document (empty: not claimed)."
    )

    class Meta:
        app_label = "workspaces"
        db_table = "workspace_documents"
        verbose_name = "document"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("workspace", "created_at"), name="documents_ws_created"),
            models.Index(fields=("workspace", "filename"), name="documents_ws_filename"),
            models.Index(fields=("status", "heartbeat_at"), name="documents_status_heartbeat"),
            # Search joins its candidate passages to the workspace's ready documents.
            models.Index(fields=("workspace", "id"), condition=models.Q(status="ready"), name="documents_ws_ready"),
        ]
        constraints = [
            # The same file twice in one workspace is refused, even when two uploads race.
            models.UniqueConstraint(models.F("workspace"), KT("metadata__sha256"), name="documents_ws_sha256_unique"),
        ]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("workspaces:document", kwargs={"slug": self.workspace.slug, "doc_id": self.doc_id})

    def passage_url(self, position: int) -> str:
        """Where citations link: a redirect to the page of the document page that shows the passage."""
        return passage_url(workspace_slug=self.workspace.slug, doc_id=self.doc_id, position=position)

    @property
    def is_processing(self) -> bool:
        return self.status in ACTIVE_STATUSES or self.reindexing

    @property
    def kind_label(self):
        """A short human name of the file type, from the content type found at upload."""
        return label_for_content_type((self.metadata or {}).get("content_type"))


def passage_url(*, workspace_slug: str, doc_id, position: int) -> str:
    """The one address of a passage (citations, search results): stable whatever the page layout.
    A page links dozens: filled in from the pattern reversed once (`workspaces.addresses`)."""
    return filled_address("workspaces:passage", slug=workspace_slug, doc_id=uuid.UUID(str(doc_id)),
                          position=int(position))


class DocumentPassage(TimestampedModel):
    """A slice of a document's text, the unit of search and of citations.

    Full-text indexes live outside the ORM (see migrations 0002 and 0010): an FTS5
    table over heading_path and text kept in sync by triggers on SQLite, a
    generated tsvector column over both with a GIN index on PostgreSQL.
    `workspaces.retrieval` is their one reader.
    """

    document = models.ForeignKey(
        WorkspaceDocument, on_delete=models.CASCADE, db_column="documentId", related_name="passages",
        db_index=False,  # the (document, position) unique index serves lookups by document
    )
    position = models.PositiveIntegerField(help_text="1 for the first passage of the document.")
    text = models.TextField()
    heading_path = models.TextField(
        blank=True, default="", help_text="The headings the passage sits under, outermost first, joined by ›."
    )
    page_start = models.PositiveIntegerField(null=True, blank=True, help_text="The page it starts on (PDF).")
    page_end = models.PositiveIntegerField(null=True, blank=True, help_text="The page it ends on (PDF).")
    word_count = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for passages made before 0010.")
    blocks = models.JSONField(
        default=list, blank=True, help_text="The document blocks the page renders for this passage."
    )

    class Meta:
        app_label = "workspaces"
        db_table = "document_passages"
        verbose_name = "passage"
        ordering = ("document", "position")
        constraints = [
            models.UniqueConstraint(fields=("document", "position"), name="document_passages_unique_position"),
        ]

    def __str__(self):
        return f"{self.document_id} #{self.position}"

    @property
    def block_list(self):
        from workspaces.documents.blocks import Block

        return [Block.from_json(item) for item in self.blocks or []]

    @property
    def section(self) -> str:
        """The innermost heading the passage sits under ("Annual leave"), or ""."""
        return self.heading_path.rsplit("›", 1)[-1].strip()
