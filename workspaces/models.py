import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import STAFF_ROLES
from config.models import TimestampedModel


def count_of(model, field="workspace"):
    """A correlated COUNT(*) per workspace row: one query for the whole changelist."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


MAX_TOP_N = 50
MAX_HISTORY_LENGTH = 100


class ChatMode(models.TextChoices):
    CHAT = "chat", "Chat (keeps the conversation)"
    QUERY = "query", "Query (answers only from documents)"


class ChatProvider(models.TextChoices):
    RETRIEVAL = "retrieval", "Retrieval (built in)"
    OPENAI_COMPATIBLE = "openai-compatible", "OpenAI-compatible server"


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The one rule for who sees a workspace: admins and managers all, members their own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in STAFF_ROLES:
            return self.all()
        return self.filter(memberships__user=user)


class Workspace(TimestampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="WorkspaceUser", related_name="workspaces", blank=True
    )
    system_prompt = models.TextField(
        blank=True, db_column="openAiPrompt", help_text="Empty: the default_system_prompt setting."
    )
    history_length = models.PositiveIntegerField(
        default=20, db_column="openAiHistory", validators=[MaxValueValidator(MAX_HISTORY_LENGTH)],
        help_text=f"How many earlier chats go with a question (0–{MAX_HISTORY_LENGTH}).",
    )
    top_n = models.PositiveIntegerField(
        default=4, db_column="topN", validators=[MinValueValidator(1), MaxValueValidator(MAX_TOP_N)],
        help_text=f"How many passages an answer cites (1–{MAX_TOP_N}).",
    )
    similarity_threshold = models.FloatField(
        default=0.25,
        db_column="similarityThreshold",
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0–1: the share of the question's words a passage must contain to be used.",
    )
    chat_mode = models.CharField(max_length=8, choices=ChatMode.choices, default=ChatMode.CHAT, db_column="chatMode")
    chat_provider = models.CharField(
        max_length=32,
        choices=ChatProvider.choices,
        blank=True,
        db_column="chatProvider",
        help_text="Empty: the chat_provider setting.",
    )
    chat_model = models.CharField(
        max_length=120, blank=True, db_column="chatModel", help_text="Empty: the llm_model setting."
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        db_table = "workspaces"
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(similarity_threshold__gte=0, similarity_threshold__lte=1),
                name="workspaces_threshold_0_1",
                violation_error_message="The similarity threshold must be between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(top_n__gte=1, top_n__lte=MAX_TOP_N),
                name="workspaces_top_n_range",
                violation_error_message=f"The number of sources must be between 1 and {MAX_TOP_N}.",
            ),
            models.CheckConstraint(
                condition=models.Q(history_length__lte=MAX_HISTORY_LENGTH),
                name="workspaces_history_range",
                violation_error_message=f"The history length must be between 0 and {MAX_HISTORY_LENGTH}.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        self.slug = self._unique_slug()
        try:
            with transaction.atomic():
                return super().save(*args, **kwargs)
        except IntegrityError:
            # Another workspace took the slug between the check and the insert.
            self.slug = f"{self.slug[:60]}-{secrets.token_hex(3)}"
            return super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("workspaces:detail", kwargs={"slug": self.slug})

    def _unique_slug(self):
        base = slugify(self.name)[:60] or "workspace"
        slug = base
        while Workspace.objects.filter(slug=slug).exists():
            slug = f"{base}-{secrets.token_hex(3)}"
        return slug


class WorkspaceUser(TimestampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="memberships"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, db_column="workspace_id", related_name="memberships"
    )

    class Meta:
        db_table = "workspace_users"
        verbose_name = "member"
        constraints = [models.UniqueConstraint(fields=("user", "workspace"), name="workspace_users_unique")]

    def __str__(self):
        return f"{self.user} in {self.workspace}"


class WorkspaceDocument(TimestampedModel):
    doc_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, db_column="docId")
    filename = models.CharField(max_length=255, help_text="The name the uploader gave, for display only.")
    docpath = models.CharField(max_length=255, editable=False, help_text="Where the file lives in storage.")
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, db_column="workspaceId", related_name="documents"
    )
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "workspace_documents"
        verbose_name = "document"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("workspace", "created_at"), name="documents_ws_created"),
            models.Index(fields=("workspace", "filename"), name="documents_ws_filename"),
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
        return reverse(
            "workspaces:passage", kwargs={"slug": self.workspace.slug, "doc_id": self.doc_id, "position": position}
        )

    def passage_page_number(self, position: int, *, per_page: int) -> int | None:
        """The page (1-based) of the document page showing passage `position`; None if there is no such passage."""
        counts = self.passages.aggregate(
            before=models.Count("pk", filter=models.Q(position__lt=position)),
            found=models.Count("pk", filter=models.Q(position=position)),
        )
        return counts["before"] // per_page + 1 if counts["found"] else None

    @property
    def kind_label(self):
        """A short human name of the file type, from the content type found at upload."""
        return DOCUMENT_KIND_LABELS.get((self.metadata or {}).get("content_type"), "File")


DOCUMENT_KIND_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "text/plain": "Text",
    "text/markdown": "Markdown",
    "text/csv": "CSV",
    "text/html": "HTML",
}


class DocumentPassage(TimestampedModel):
    """A slice of a document's text, the unit of search and of citations.

    Full-text indexes live outside the ORM (see migration 0002): an FTS5 table
    kept in sync by triggers on SQLite, a generated tsvector column with a GIN
    index on PostgreSQL. `workspaces.search.search_passages` is their one reader.
    """

    document = models.ForeignKey(
        WorkspaceDocument, on_delete=models.CASCADE, db_column="documentId", related_name="passages",
        db_index=False,  # the (document, position) unique index serves lookups by document
    )
    position = models.PositiveIntegerField(help_text="1 for the first passage of the document.")
    text = models.TextField()

    class Meta:
        db_table = "document_passages"
        verbose_name = "passage"
        ordering = ("document", "position")
        constraints = [
            models.UniqueConstraint(fields=("document", "position"), name="document_passages_unique_position"),
        ]

    def __str__(self):
        return f"{self.document_id} #{self.position}"


class WorkspaceChatQuerySet(models.QuerySet):
    def history_for(self, *, user, workspace):
        """A member's visible chats in a workspace: always filtered by both."""
        return self.filter(user=user, workspace=workspace, include=True)


class WorkspaceChat(TimestampedModel):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, db_column="workspaceId", related_name="chats"
    )
    prompt = models.TextField()
    response = models.JSONField(default=dict, help_text="The answer text, its sources, provider, model, timings.")
    include = models.BooleanField(default=True, help_text="False once the member cleared the chat.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_column="user_id",
        related_name="chats",
    )

    objects = WorkspaceChatQuerySet.as_manager()

    class Meta:
        db_table = "workspace_chats"
        verbose_name = "chat"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("workspace", "user", "include", "id"), name="chats_history"),
            models.Index(fields=("workspace", "created_at"), name="chats_ws_created"),
            models.Index(fields=("-created_at", "-id"), name="chats_created"),  # the admin chat log's order
        ]

    def __str__(self):
        return self.prompt[:60]

    @property
    def answer_text(self):
        return (self.response or {}).get("text", "")
