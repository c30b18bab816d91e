import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.base import TimestampedModel
from accounts.roles import WorkspaceRole
from settings_app.choices import ChatProvider
from workspaces.chats.choices import ChatMode


def count_of(model, field="workspace"):
    """A correlated COUNT(*) per workspace row: one query for the whole changelist."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


MAX_TOP_N = 50
# Calibrated with `make eval` (docs/benchmarks.md): most off-topic questions refused, answerable ones kept.
DEFAULT_RELEVANCE_THRESHOLD = 0.4
MAX_HISTORY_LENGTH = 100
NAME_TAKEN = gettext_noop("A workspace with this name already exists (names are compared without regard to case).")


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The workspaces `user` may see: the rule itself is `permissions.visible_workspaces`."""
        from workspaces.permissions import visible_workspaces

        return visible_workspaces(user, self)

    def with_role_of(self, user):
        """Each workspace with `member_role`: `user`'s membership role there (None: not a member),
        and `member_role_user`, whose role it is, so `permissions.permissions_in` needs no query."""
        if user is None or not user.is_authenticated:
            return self
        role = WorkspaceUser.objects.filter(workspace=OuterRef("pk"), user=user).values("role")[:1]
        return self.annotate(
            member_role=Subquery(role), member_role_user=models.Value(user.pk, output_field=models.IntegerField())
        )


class Workspace(TimestampedModel):
    name = models.CharField(
        max_length=120, help_text=_("No two workspaces may share a name, whatever the case of its letters.")
    )
    description = models.TextField(
        blank=True, max_length=2000,
        help_text=_("A sentence or two on the workspace's home card: what is in it."),
    )
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="WorkspaceUser", related_name="workspaces", blank=True
    )
    system_prompt = models.TextField(
        _("instructions for the model"), blank=True, db_column="openAiPrompt",
        help_text=_("What a language model is told before each question. Empty: the server's default instructions "
                    "(System settings → Default instructions for the model)."),
    )
    history_length = models.PositiveIntegerField(
        default=20, db_column="openAiHistory", validators=[MaxValueValidator(MAX_HISTORY_LENGTH)],
        verbose_name=_("earlier questions remembered"),
        help_text=format_lazy(
            _("How many earlier questions and answers go with a new one, so that a follow-up like “and "
              "for Lisbon?” makes sense (0–{max}; 0: none)."), max=MAX_HISTORY_LENGTH,
        ),
    )
    top_n = models.PositiveIntegerField(
        default=4, db_column="topN", validators=[MinValueValidator(1), MaxValueValidator(MAX_TOP_N)],
        verbose_name=_("sources per answer"),
        help_text=format_lazy(_("How many passages of the documents an answer may draw on and cite (1–{max})."),
                              max=MAX_TOP_N),
    )
    similarity_threshold = models.FloatField(
        default=DEFAULT_RELEVANCE_THRESHOLD,
        db_column="similarityThreshold",
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        verbose_name=_("how sure before answering"),
        help_text=_("From 0 to 1. Docent answers only when the best passage matches the question at least this "
                    "well (its rarer words count most); below it, it says that no document answers. Higher: fewer "
                    "answers, each better founded."),
    )
    chat_mode = models.CharField(
        _("conversation"), max_length=8, choices=ChatMode.choices, default=ChatMode.CHAT, db_column="chatMode",
        help_text=_("Chat keeps the conversation, so follow-ups build on earlier answers; Query answers each "
                    "question on its own, from the documents only."),
    )
    chat_provider = models.CharField(
        max_length=32,
        choices=ChatProvider.choices,
        blank=True,
        db_column="chatProvider",
        verbose_name=_("answers come from"),
        help_text=_("Docent itself from the passages it finds, or a language model server. Empty: as the server "
                    "says (System settings → Answers come from)."),
    )
    chat_model = models.CharField(
        _("model"), max_length=120, blank=True, db_column="chatModel",
        help_text=_("The language model that answers. Empty: the server's model (System settings → Model name)."),
    )
    semantic_weight = models.FloatField(
        default=0.5,
        db_column="semanticWeight",
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        verbose_name="meaning versus words",
        help_text="From 0 to 1, when search by meaning is on: 0 finds passages by matching words only, 1 by "
        "meaning only, 0.5 weighs both alike.",
    )

    fallback_to_builtin = models.BooleanField(
        default=False,
        help_text=_("When the language model fails before answering, answer with the built-in answer (labelled so)."),
    )

    private_chats = models.BooleanField(
        default=False, db_column="privateChats",
        verbose_name=_("private chats"),
        help_text=_("Hide the text of questions and answers from admins and managers: the chat log still shows who "
                    "asked and when."),
    )
    ocr_languages = models.CharField(
        max_length=100, default="eng", db_column="ocrLanguages", verbose_name=_("OCR languages"),
        validators=[
            RegexValidator(r"^[a-z][a-z0-9_]{1,31}(\+[a-z][a-z0-9_]{1,31})*$", _("Language codes joined by +.")),
        ],
        help_text=_("The languages scans and images are read in, as Tesseract names them, joined by +: "
                    "eng, deu, eng+deu. Only languages installed on the server."),
    )
    private_chats_since = models.DateTimeField(
        null=True, blank=True, db_column="privateChatsSince",
        help_text="When private chats was last switched (either way); empty: as it was when the workspace began.",
    )
    search_version = models.BigIntegerField(
        default=0, editable=False, db_column="searchVersion",
        help_text="Raised by the database whenever a document is added, deleted or has its status set "
                  "(retrieval.search_index): never saved from a loaded row.",
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        db_table = "workspaces"
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="workspaces_name_lower_unique", violation_error_message=NAME_TAKEN
            ),
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
        if not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None \
                and not kwargs.get("force_insert"):
            # `search_version` is the database's: a row loaded before a document changed must not lower it.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "search_version" and field.attname not in deferred
            ]
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
    role = models.CharField(max_length=16, choices=WorkspaceRole.choices, default=WorkspaceRole.VIEWER)
    from_groups = models.BooleanField(
        default=False, db_column="fromGroups", editable=False,
        help_text="Given by an identity provider's group (workspaces.group_access): it goes when the group does.",
    )

    class Meta:
        db_table = "workspace_users"
        verbose_name = "member"
        constraints = [
            models.UniqueConstraint(fields=("user", "workspace"), name="workspace_users_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=WorkspaceRole.values), name="workspace_users_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace}"


# The domains' models belong to this app (label "workspaces"); importing them here registers them.
from workspaces.chats.models import ChatThread, WorkspaceChat  # noqa: E402
from workspaces.documents.models import DocumentPassage, WorkspaceDocument  # noqa: E402
from workspaces.group_models import GroupWorkspace  # noqa: E402
from workspaces.retrieval.models import IndexChange, PassageVector, TermStat, WorkspaceStat  # noqa: E402
from workspaces.sources.models import SourceItem, WorkspaceSource  # noqa: E402

__all__ = [
    "ChatMode", "ChatProvider", "ChatThread", "DocumentPassage", "GroupWorkspace", "IndexChange", "PassageVector",
    "SourceItem",
    "TermStat", "Workspace", "WorkspaceChat", "WorkspaceDocument", "WorkspaceRole", "WorkspaceSource", "WorkspaceStat",
    "WorkspaceUser", "count_of",
]
