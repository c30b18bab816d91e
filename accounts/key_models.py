"""The API key table. Only a SHA-256 hash of each secret is stored; the public id part of the
secret finds the row (see accounts.api_keys for why a fast hash is the right one here)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.base import TimestampedModel

SCOPE_READ = "read"
SCOPE_ASK = "ask"
SCOPE_WRITE = "write"
SCOPE_MANAGE = "manage"


class ApiScope(models.TextChoices):
    READ = SCOPE_READ, _("read: workspaces, documents, search")
    ASK = SCOPE_ASK, _("ask: questions, chat history")
    WRITE = SCOPE_WRITE, _("write: upload, delete, re-index")
    MANAGE = SCOPE_MANAGE, _("manage: members and settings of workspaces you own")


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        """Neither revoked nor expired (whether its user may still use it is `api_key_authenticate`'s)."""
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        return self.filter(unexpired, revoked_at__isnull=True)

    def with_limit_count(self):
        """Each key with `limited_to`: how many workspaces it is limited to (0: none), in the same query."""
        limited = ApiKey.workspaces.through.objects.filter(apikey=models.OuterRef("pk")).order_by().values("apikey")
        counted = models.Subquery(limited.annotate(n=models.Count("pk")).values("n")[:1])
        return self.annotate(limited_to=Coalesce(counted, 0))


class ApiKey(TimestampedModel):
    """A personal key for the API: acts as its user, never beyond `scopes` and `workspaces`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. “upload script”.")
    public_id = models.CharField(max_length=16, unique=True, editable=False, db_column="publicId")
    secret_hash = models.CharField(max_length=64, editable=False, db_column="secretHash")
    scopes = models.JSONField(default=list, help_text="Any of read, ask, write, manage.")
    workspaces = models.ManyToManyField(
        "workspaces.Workspace", db_table="api_key_workspaces", blank=True, related_name="api_keys",
        help_text="Empty: every workspace the user may use.",
    )
    expires_at = models.DateTimeField(null=True, blank=True, db_column="expiresAt", help_text="Empty: never.")
    revoked_at = models.DateTimeField(null=True, blank=True, db_column="revokedAt")
    last_used_at = models.DateTimeField(null=True, blank=True, db_column="lastUsedAt")
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, db_column="lastUsedIp")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_column="createdBy",
        related_name="+", help_text="Who made it (an admin, for a service account).",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        db_table = "api_keys"
        ordering = ("-created_at", "-id")
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def prefix(self) -> str:
        """The part of the secret that is not secret: how people tell their keys apart."""
        return f"dct_{self.public_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def restricted(self) -> bool:
        """Limited to chosen workspaces (the M2M is read once per key and request)."""
        return bool(self.workspace_ids)

    @property
    def workspace_ids(self) -> frozenset:
        """Read once; no query at all for a key loaded with `limited_to` = 0 (`with_limit_count`)."""
        if "_workspace_ids" not in self.__dict__:
            if self.__dict__.get("limited_to") == 0:
                self.__dict__["_workspace_ids"] = frozenset()
            else:
                self.__dict__["_workspace_ids"] = frozenset(self.workspaces.values_list("pk", flat=True))
        return self.__dict__["_workspace_ids"]
