import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts import rules
from accounts.base import DocentError, TimestampedModel
from accounts.preferences import Language, Theme
from accounts.roles import Role, WorkspaceRole
from accounts.validators import USERNAME_HELP_TEXT, USERNAME_MAX_LENGTH, normalize_username, username_validators


def new_session_salt() -> str:
    return secrets.token_hex(16)


class UserQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role=Role.ADMIN)

    def active_admins(self):
        return self.filter(role=Role.ADMIN, suspended=False)

    def manageable_by(self, user):
        """The users `user` may see and edit in the admin (accounts.rules.roles_managed_by)."""
        return self.filter(role__in=rules.roles_managed_by(user))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(username=normalize_username(username))

    def create_user(self, username, password=None, **fields):
        user = self.model(username=normalize_username(username), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **fields):
        fields["role"] = Role.ADMIN
        return self.create_user(username, password, **fields)


SERVICE_ACCOUNT_ROLE = "A service account holds the member role only: its keys must never act as an admin or manager."


class User(TimestampedModel, AbstractBaseUser):
    """A person who signs in. `role` and `suspended` are the only stored truth:
    staff access, superuser power and `is_active` are derived from them."""

    username = models.CharField(
        max_length=USERNAME_MAX_LENGTH, unique=True, validators=username_validators, help_text=USERNAME_HELP_TEXT,
        error_messages={"unique": "That username is taken. Choose another."},
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.DEFAULT, db_index=True)
    suspended = models.BooleanField(default=False, db_index=True)
    # Mixed into the session hash: a new value ends every session of the user (on suspension).
    session_salt = models.CharField(max_length=32, default=new_session_salt, editable=False, db_column="sessionSalt")
    email = models.EmailField(
        blank=True, help_text="Optional: where a password reset link is sent, when email is set up."
    )
    daily_message_limit = models.PositiveIntegerField(
        null=True, blank=True, db_column="dailyMessageLimit",
        help_text="Questions this person may ask per day. Empty: the daily_message_limit setting; 0: no limit.",
    )
    is_service_account = models.BooleanField(
        default=False, db_column="isServiceAccount",
        help_text="A service account never signs in on the site: it acts only through the API keys an admin gives it.",
    )
    role_from_groups = models.BooleanField(
        default=False, db_column="roleFromGroups", editable=False,
        help_text="The role was given by an identity provider's group, and goes when the group does.",
    )
    invite = models.ForeignKey(
        "Invite", null=True, blank=True, on_delete=models.SET_NULL, db_column="inviteId", related_name="claimants",
        editable=False, help_text="The invite this account was created with.",
    )
    theme = models.CharField(
        max_length=8, choices=Theme.choices, default=Theme.SYSTEM,
        help_text="Light or dark pages, or as this person's system says. They choose it in the top bar.",
    )
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.BROWSER, blank=True,
        help_text="The site's language for this person; empty: as their browser says. Chosen on their account page.",
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "users"
        ordering = ("username",)
        constraints = [
            # Stored lower-case, so the unique index is a case-insensitive one.
            models.CheckConstraint(condition=models.Q(username=Lower("username")), name="users_username_lower"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="users_role_valid"),
        ]

    def __str__(self):
        return self.username

    def clean(self):
        self.username = normalize_username(self.username)
        if self.is_service_account and self.role != Role.DEFAULT:
            raise ValidationError({"role": SERVICE_ACCOUNT_ROLE})

    @classmethod
    def normalize_username(cls, username):
        return normalize_username(username)

    @property
    def is_active(self):
        return not self.suspended

    @property
    def is_staff(self):
        return rules.runs_the_admin(self)

    @property
    def is_superuser(self):
        return rules.is_admin(self)

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, salted per user so that suspending ends every session
        for good (restoring the account does not revive them)."""
        key_salt = "accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_salt}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def has_perm(self, perm, obj=None):
        return self.has_module_perms(perm.split(".", 1)[0])

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        return rules.may_use_admin_app(self, app_label)


def generate_invite_code() -> str:
    return secrets.token_urlsafe(24)


INVITE_CODE_PATTERN = r"[A-Za-z0-9_-]{20,64}"
MAX_INVITE_USES = 500


class InviteStatus(models.TextChoices):
    """What is stored; `Invite.state` adds "expired", which comes with time."""

    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Used up")
    DISABLED = "disabled", _("Revoked")


EXPIRED = "expired"


INVITE_EXPIRY_PAST = gettext_noop(
    "Choose a time in the future: an invite that has already expired could never be used."
)


def invite_expiry_check(*, expires_at, invite: "Invite | None" = None) -> None:
    """Refuse an expiry that has passed, unless `invite` has it already (its other fields edited).
    The invite services and the model's clean() (the admin form) ask this one rule."""
    if expires_at is None or expires_at > timezone.now():
        return
    if invite is not None and invite.pk and Invite.objects.filter(pk=invite.pk, expires_at=expires_at).exists():
        return
    raise DocentError(INVITE_EXPIRY_PAST)


class Invite(TimestampedModel):
    """A code that creates up to `max_uses` member accounts and grants them workspaces with `role`."""

    code = models.CharField(max_length=64, unique=True, default=generate_invite_code, editable=False)
    status = models.CharField(max_length=16, choices=InviteStatus.choices, default=InviteStatus.PENDING, db_index=True)
    claimed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, db_column="claimedBy", related_name="claimed_invites"
    )
    claimed_at = models.DateTimeField(null=True, blank=True, db_column="claimedAt")
    # Nullable (the seed says required) so deleting a user keeps the invites they issued.
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, db_column="createdBy", related_name="created_invites"
    )
    workspaces = models.ManyToManyField(
        "workspaces.Workspace", db_table="invite_workspaces", blank=True, related_name="invites",
        help_text="The workspaces the new member joins.",
    )
    role = models.CharField(
        max_length=16, default=WorkspaceRole.VIEWER, choices=WorkspaceRole.choices,
        help_text="The role the new member gets in each of these workspaces.",
    )
    max_uses = models.PositiveIntegerField(
        default=1, db_column="maxUses", validators=[MinValueValidator(1), MaxValueValidator(MAX_INVITE_USES)],
        help_text=f"How many people may sign up with this link (1–{MAX_INVITE_USES}).",
    )
    use_count = models.PositiveIntegerField(default=0, db_column="useCount", editable=False)
    expires_at = models.DateTimeField(
        null=True, blank=True, db_column="expiresAt", help_text="Empty: the link never expires."
    )

    class Meta:
        db_table = "invites"
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=InviteStatus.values), name="invites_status_valid"),
            models.CheckConstraint(
                condition=models.Q(use_count__lte=models.F("max_uses"), max_uses__gte=1), name="invites_uses_range"
            ),
        ]

    def __str__(self):
        return f"Invite {self.code[:8]}… ({self.state_label})"

    def clean(self):
        """The admin's form asks the services' rule (`invite_expiry_check`), shown on the field."""
        try:
            invite_expiry_check(expires_at=self.expires_at, invite=self)
        except DocentError as error:
            raise ValidationError({"expires_at": error.message}) from error

    @property
    def state(self) -> str:
        """pending, claimed (used up), disabled (revoked) or expired."""
        if self.status == InviteStatus.PENDING and self.expires_at is not None and self.expires_at <= timezone.now():
            return EXPIRED
        return self.status

    @property
    def state_label(self) -> str:
        return "Expired" if self.state == EXPIRED else self.get_status_display()

    def get_absolute_url(self):
        return reverse("accounts:invite", kwargs={"code": self.code})



class PasswordResetLink(TimestampedModel):
    """A one-time link that lets `user` choose a new password. Only a hash of its token is
    stored, so the table does not hold working links."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_reset_links")
    token_hash = models.CharField(max_length=64, unique=True, db_column="tokenHash")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, db_column="createdBy", related_name="+",
        help_text="Empty: the user asked for it themselves.",
    )
    expires_at = models.DateTimeField(db_column="expiresAt")
    used_at = models.DateTimeField(null=True, blank=True, db_column="usedAt")

    class Meta:
        db_table = "password_reset_links"
        ordering = ("-created_at",)

    def __str__(self):
        return f"Password reset for {self.user}"


# Models of the accounts app kept in modules of their own (imported here: Django registers them,
# and `from accounts.models import AuditAction` keeps working).
from accounts.audit_models import AuditAction, AuditEvent  # noqa: E402, F401
from accounts.group_models import GroupRole  # noqa: E402, F401
from accounts.key_models import ApiKey  # noqa: E402, F401
