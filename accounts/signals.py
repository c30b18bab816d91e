from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.audit import audit_record
from accounts.models import AuditAction

# How the session was signed in (password, password+totp, oidc:<provider>, ldap), kept in it:
# accounts.second_factor asks whether a password was involved.
SIGN_IN_METHOD_KEY = "docent.sign_in_method"


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs):
    method = getattr(user, "sign_in_method", "")
    if request is not None and hasattr(request, "session"):
        request.session[SIGN_IN_METHOD_KEY] = method or "password"
    audit_record(AuditAction.SIGN_IN, request=request, user=user, detail=method)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(AuditAction.SIGN_OUT, request=request, user=user)
