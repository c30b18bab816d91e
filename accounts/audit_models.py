"""The audit trail's table and the actions it records (`accounts.audit.audit_record` writes it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import USERNAME_MAX_LENGTH


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in locked out")
    SIGN_OUT = "sign_out", _("Signed out")
    SUSPENDED = "suspended", _("Suspended")
    UNSUSPENDED = "unsuspended", _("Unsuspended")
    INVITE_CLAIMED = "invite_claimed", _("Invite claimed")
    INVITE_REFUSED = "invite_refused", _("Invite sign-up refused (username taken)")
    UPLOAD = "upload", _("Document uploaded")
    DOCUMENT_DELETED = "document_deleted", _("Document deleted")
    PASSWORD_RESET_ISSUED = "password_reset_issued", _("Password reset link issued")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_RESET_THROTTLED = "password_reset_throttled", _("Password reset refused (too many requests)")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset link asked for by email")
    # What admins, managers and owners change (issue 22, must-have 7): detail says from -> to.
    PRIVATE_CHATS_CHANGED = "private_chats_changed", _("Private chats switched")
    WORKSPACE_CHANGED = "workspace_changed", _("Workspace settings changed")
    WORKSPACE_CREATED = "workspace_created", _("Workspace created")
    WORKSPACE_DELETED = "workspace_deleted", _("Workspace deleted")
    SETTING_CHANGED = "setting_changed", _("System setting changed")
    MODEL_CHANGED = "model_changed", _("Language model settings changed")
    INVITE_ISSUED = "invite_issued", _("Invite issued")
    INVITE_CHANGED = "invite_changed", _("Invite changed")
    INVITE_REVOKED = "invite_revoked", _("Invite revoked")
    MEMBER_ADDED = "member_added", _("Member added")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    MEMBER_ROLE_CHANGED = "member_role_changed", _("Member's workspace role changed")
    ROLE_CHANGED = "role_changed", _("Role changed")
    USER_CREATED = "user_created", _("User created")
    USER_DELETED = "user_deleted", _("User deleted")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    API_KEY_NEW_ADDRESS = "api_key_new_address", _("API key used from a new address")
    DOCUMENTS_REINDEXED = "documents_reindexed", _("Documents queued for re-indexing")
    # Single sign-on and two-factor (issue 25)
    SSO_REFUSED = "sso_refused", _("Single sign-on refused (no account allowed)")
    SSO_ACCOUNT_CREATED = "sso_account_created", _("Account created by single sign-on")
    SSO_LINKED = "sso_linked", _("Identity linked to an account")
    SECOND_FACTOR_ENABLED = "second_factor_enabled", _("Two-factor turned on")
    SECOND_FACTOR_DISABLED = "second_factor_disabled", _("Two-factor turned off")
    RECOVERY_CODES_NEW = "recovery_codes_new", _("New recovery codes")
    GROUP_MAPPING_CHANGED = "group_mapping_changed", _("Group mapping changed")


class AuditEvent(models.Model):
    """The audit trail the admin reads; failed sign-ins here also drive the lockout,
    so it holds across every worker and host."""

    action = models.CharField(max_length=32, choices=AuditAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=USERNAME_MAX_LENGTH + 32, blank=True, help_text="As typed or as it was.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    # The workspace an event happened in, for the owner's Activity tab (events recorded before
    # it was kept, and events about people or the system, have none).
    workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_column="workspaceId",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, db_column="createdAt")

    class Meta:
        db_table = "audit_events"
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("action", "username", "created_at"), name="audit_action_username"),
            models.Index(fields=("action", "ip_address", "created_at"), name="audit_action_ip"),
            models.Index(fields=("workspace", "-created_at", "-id"), name="audit_workspace_created"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.username}"
