"""The audit trail's table and the actions it records (`accounts.audit.audit_record` writes it)."""

from django.conf import settings
from django.db import models

from accounts.validators import USERNAME_MAX_LENGTH


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED = "sign_in_locked", "Sign-in locked out"
    SIGN_OUT = "sign_out", "Signed out"
    SUSPENDED = "suspended", "Suspended"
    UNSUSPENDED = "unsuspended", "Unsuspended"
    INVITE_CLAIMED = "invite_claimed", "Invite claimed"
    INVITE_REFUSED = "invite_refused", "Invite sign-up refused (username taken)"
    UPLOAD = "upload", "Document uploaded"
    DOCUMENT_DELETED = "document_deleted", "Document deleted"
    PASSWORD_RESET_ISSUED = "password_reset_issued", "Password reset link issued"
    PASSWORD_RESET = "password_reset", "Password reset"
    PASSWORD_RESET_THROTTLED = "password_reset_throttled", "Password reset refused (too many requests)"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset link asked for by email"
    # What admins, managers and owners change (issue 22, must-have 7): detail says from -> to.
    PRIVATE_CHATS_CHANGED = "private_chats_changed", "Private chats switched"
    WORKSPACE_CHANGED = "workspace_changed", "Workspace settings changed"
    WORKSPACE_CREATED = "workspace_created", "Workspace created"
    WORKSPACE_DELETED = "workspace_deleted", "Workspace deleted"
    SETTING_CHANGED = "setting_changed", "System setting changed"
    MODEL_CHANGED = "model_changed", "Language model settings changed"
    INVITE_ISSUED = "invite_issued", "Invite issued"
    INVITE_CHANGED = "invite_changed", "Invite changed"
    INVITE_REVOKED = "invite_revoked", "Invite revoked"
    MEMBER_ADDED = "member_added", "Member added"
    MEMBER_REMOVED = "member_removed", "Member removed"
    MEMBER_ROLE_CHANGED = "member_role_changed", "Member's workspace role changed"
    ROLE_CHANGED = "role_changed", "Role changed"
    USER_CREATED = "user_created", "User created"
    USER_DELETED = "user_deleted", "User deleted"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    API_KEY_NEW_ADDRESS = "api_key_new_address", "API key used from a new address"
    DOCUMENTS_REINDEXED = "documents_reindexed", "Documents queued for re-indexing"
    # Single sign-on and two-factor (issue 25)
    SSO_REFUSED = "sso_refused", "Single sign-on refused (no account allowed)"
    SSO_ACCOUNT_CREATED = "sso_account_created", "Account created by single sign-on"
    SSO_LINKED = "sso_linked", "Identity linked to an account"
    SECOND_FACTOR_ENABLED = "second_factor_enabled", "Two-factor turned on"
    SECOND_FACTOR_DISABLED = "second_factor_disabled", "Two-factor turned off"
    RECOVERY_CODES_NEW = "recovery_codes_new", "New recovery codes"
    GROUP_MAPPING_CHANGED = "group_mapping_changed", "Group mapping changed"


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
