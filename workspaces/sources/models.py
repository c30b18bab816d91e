"""Sources of a workspace: a watched folder on the server or web pages, kept in sync.

The source row is the sync's record: its settings, the lease that lets one sync run at a
time (`lease_until`), when the next scheduled sync is due, and what the last sync did
(counts and errors). Each file or page the source found is a `SourceItem`, which remembers
the checksum of what was ingested and the document it became.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.base import TimestampedModel

MAX_PAGES_CAP = 1000
MAX_DEPTH_CAP = 10
MAX_LOCATION_LENGTH = 500
MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60


class SourceKind(models.TextChoices):
    FOLDER = "folder", _("Folder on the server")
    PAGE = "page", _("One web page")
    SITE = "site", _("Web site section")


class OnRemoval(models.TextChoices):
    KEEP = "keep", _("Keep its document, marked as removed upstream")
    REMOVE = "remove", _("Remove its document")


class SyncOutcome(models.TextChoices):
    NEVER = "", _("Not synced yet")
    OK = "ok", _("Synced")
    PARTIAL = "partial", _("Synced with errors")
    FAILED = "failed", _("Failed")


class WorkspaceSource(TimestampedModel):
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, db_column="workspaceId", related_name="sources"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=SourceKind.choices)
    location = models.CharField(
        max_length=MAX_LOCATION_LENGTH,
        help_text=_("A folder under a root the operator allows (SOURCE_FOLDER_ROOTS), or an http(s) address."),
    )
    on_removal = models.CharField(
        max_length=8, choices=OnRemoval.choices, default=OnRemoval.KEEP, db_column="onRemoval",
        help_text=_("What happens to the document of a file or page that disappeared upstream."),
    )
    max_pages = models.PositiveIntegerField(
        default=50, db_column="maxPages", validators=[MinValueValidator(1), MaxValueValidator(MAX_PAGES_CAP)],
        help_text=format_lazy(_("A site section: at most this many pages per sync (1–{max})."), max=MAX_PAGES_CAP),
    )
    max_depth = models.PositiveIntegerField(
        default=2, db_column="maxDepth", validators=[MaxValueValidator(MAX_DEPTH_CAP)],
        help_text=format_lazy(
            _("A site section: links followed this many steps from the first page (0–{max})."), max=MAX_DEPTH_CAP,
        ),
    )
    interval_minutes = models.PositiveIntegerField(
        default=60, db_column="intervalMinutes",
        validators=[MinValueValidator(MIN_INTERVAL_MINUTES), MaxValueValidator(MAX_INTERVAL_MINUTES)],
        help_text=format_lazy(
            _("How often it syncs by itself, in minutes ({min}–{max})."),
            min=MIN_INTERVAL_MINUTES, max=MAX_INTERVAL_MINUTES,
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_column="createdBy",
        related_name="+",
    )
    # The sync's record (workspaces/sources/sync.py).
    next_sync_at = models.DateTimeField(null=True, blank=True, db_column="nextSyncAt")
    sync_queued_at = models.DateTimeField(null=True, blank=True, db_column="syncQueuedAt")
    lease_until = models.DateTimeField(
        null=True, blank=True, db_column="leaseUntil", help_text="A sync holds the source until then (empty: none)."
    )
    lease_token = models.CharField(max_length=32, blank=True, default="", db_column="leaseToken")
    last_sync_started_at = models.DateTimeField(null=True, blank=True, db_column="lastSyncStartedAt")
    last_sync_finished_at = models.DateTimeField(null=True, blank=True, db_column="lastSyncFinishedAt")
    last_outcome = models.CharField(
        max_length=8, choices=SyncOutcome.choices, blank=True, default=SyncOutcome.NEVER, db_column="lastOutcome"
    )
    last_added = models.PositiveIntegerField(default=0, db_column="lastAdded")
    last_changed = models.PositiveIntegerField(default=0, db_column="lastChanged")
    last_removed = models.PositiveIntegerField(default=0, db_column="lastRemoved")
    last_failed = models.PositiveIntegerField(default=0, db_column="lastFailed")
    last_errors = models.JSONField(
        default=list, blank=True, db_column="lastErrors",
        help_text="What went wrong in the last sync: [{item, message}], the first ones only.",
    )

    class Meta:
        app_label = "workspaces"
        db_table = "workspace_sources"
        verbose_name = "source"
        ordering = ("name", "id")
        indexes = [models.Index(fields=("next_sync_at",), name="sources_next_sync")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SourceKind.values), name="sources_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(on_removal__in=OnRemoval.values), name="sources_on_removal_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(max_pages__gte=1, max_pages__lte=MAX_PAGES_CAP), name="sources_max_pages_range"
            ),
            models.CheckConstraint(condition=models.Q(max_depth__lte=MAX_DEPTH_CAP), name="sources_max_depth_range"),
            models.CheckConstraint(
                condition=models.Q(
                    interval_minutes__gte=MIN_INTERVAL_MINUTES, interval_minutes__lte=MAX_INTERVAL_MINUTES
                ),
                name="sources_interval_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workspaces:source", kwargs={"slug": self.workspace.slug, "pk": self.pk})

    @property
    def is_web(self) -> bool:
        return self.kind in (SourceKind.PAGE, SourceKind.SITE)


class SourceItem(TimestampedModel):
    """A file or page a source found: its checksum when last ingested, and its document."""

    source = models.ForeignKey(WorkspaceSource, on_delete=models.CASCADE, db_column="sourceId", related_name="items")
    key = models.CharField(
        max_length=MAX_LOCATION_LENGTH, help_text="The file's path in the folder, or the page's address."
    )
    sha256 = models.CharField(max_length=64, blank=True, default="")
    document = models.ForeignKey(
        "workspaces.WorkspaceDocument", null=True, blank=True, on_delete=models.SET_NULL, db_column="documentId",
        related_name="+",
    )
    removed_upstream_at = models.DateTimeField(null=True, blank=True, db_column="removedUpstreamAt")
    error = models.TextField(blank=True, default="")

    class Meta:
        app_label = "workspaces"
        db_table = "workspace_source_items"
        verbose_name = "source item"
        ordering = ("source", "key")
        constraints = [models.UniqueConstraint(fields=("source", "key"), name="source_items_unique_key")]

    def __str__(self):
        return self.key
