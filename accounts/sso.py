"""Single sign-on: who an identity from a provider (OpenID Connect or LDAP) signs in as, and whether it may.

An identity the provider vouches for signs in to, in order:
1. the account it signed in to before (allauth's SocialAccount row; LDAP: the same username);
2. an existing account with the same email address, only when the provider says the address
   is verified (an unverified claim could name anyone's address);
3. a new member account, only when allowed: the person opened an invite link first (the invite
   is used, and its workspaces granted), their verified address is in one of the
   `sso_allowed_email_domains`, or one of their groups is mapped to a role or a workspace.
Otherwise a refusal page and an `sso_refused` audit row. A suspended account or a service
account stays out whatever the provider says. Every refusal is a `sign_in_failed` row too, so
single sign-on counts toward the same lockout as passwords (accounts.signin).
"""

import re
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.audit import audit_record, client_ip
from accounts.base import DocentError
from accounts.group_sync import groups_apply, groups_grant_anything
from accounts.invites import InviteUnavailable, invite_claim_identity
from accounts.lockout import LOCKED_OUT, SERVICE_ACCOUNT_MESSAGE, SUSPENDED_MESSAGE, is_locked_out, lockout_minutes
from accounts.models import AuditAction, User
from accounts.roles import Role
from accounts.rules import STAFF_ROLES
from accounts.sign_in_policy import sign_in_policy
from accounts.validators import USERNAME_MAX_LENGTH

NO_ACCOUNT = (
    "Your organisation signed you in, but this Docent has no account for you and may not create one. "
    "Ask an administrator for an invite link, open it, and sign in from there."
)
AMBIGUOUS_EMAIL = (
    "More than one account here has your email address, so Docent cannot tell which is yours. "
    "Ask an administrator to sort it out."
)

PROTECTED_ACCOUNT = (
    "An account here has your email address, but it is an administrator's or manager's, or it uses "
    "two-factor, so Docent does not link it to a sign-in from elsewhere by address alone. Ask an "
    "administrator to link it."
)


class SsoRefused(DocentError):
    default_code = "forbidden"


@dataclass(frozen=True)
class Identity:
    """What a provider says about someone. `source` names it in the audit trail (oidc:keycloak, ldap)."""

    source: str
    subject: str
    email: str = ""
    email_verified: bool = False
    preferred_username: str = ""
    groups: frozenset = field(default_factory=frozenset)

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower() if "@" in self.email else ""


def _refuse(identity: Identity, *, request, username: str, message: str, code: str, action=None) -> SsoRefused:
    if action:
        who = identity.email or identity.subject
        audit_record(action, request=request, username=username, detail=f"{identity.source}: {who}")
    audit_record(AuditAction.SIGN_IN_FAILED, request=request, username=username, detail=identity.source)
    return SsoRefused(message, code=code)


def username_for(identity: Identity) -> str:
    """A free username from the preferred username or the address: lower-case, the username rule's
    characters, a number added when taken."""
    wanted = identity.preferred_username or identity.email.partition("@")[0] or identity.subject
    base = re.sub(r"[^a-z0-9._@-]", "", wanted.strip().lower())
    base = re.sub(r"^[^a-z]+", "", base)[: USERNAME_MAX_LENGTH - 4] or "user"
    base = base if len(base) >= 2 else f"{base}-user"
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _account_for_email(identity: Identity, *, request) -> User | None:
    if not (identity.email and identity.email_verified):
        return None
    matches = list(User.objects.filter(email__iexact=identity.email, is_service_account=False)[:2])
    if len(matches) > 1:
        raise _refuse(identity, request=request, username=identity.email, message=AMBIGUOUS_EMAIL, code="conflict")
    if matches and _protected(matches[0]):
        raise _refuse(identity, request=request, username=matches[0].username, message=PROTECTED_ACCOUNT,
                      code="forbidden", action=AuditAction.SSO_REFUSED)
    return matches[0] if matches else None


def _protected(user: User) -> bool:
    """Accounts an address alone never takes over: staff (admins, managers, the break-glass admin)
    and accounts with a second factor, whose owners chose more than a password."""
    if user.role in STAFF_ROLES or user.username == sign_in_policy().break_glass_username:
        return True
    return Authenticator.objects.filter(user_id=user.pk).exists()


def _account_create(identity: Identity, *, request, invite_code: str | None) -> User:
    if invite_code:
        try:
            return invite_claim_identity(code=invite_code, username=username_for(identity), email=identity.email,
                                         request=request)
        except InviteUnavailable as refusal:
            raise _refuse(identity, request=request, username=identity.email or identity.subject,
                          message=refusal.message, code="gone", action=AuditAction.SSO_REFUSED) from None
    policy = sign_in_policy()
    allowed = (identity.email_verified and identity.domain in policy.allowed_email_domains) or (
        groups_grant_anything(identity.groups)
    )
    if not allowed:
        raise _refuse(identity, request=request, username=identity.email or identity.subject, message=NO_ACCOUNT,
                      code="forbidden", action=AuditAction.SSO_REFUSED)
    for _ in range(3):  # two first sign-ins racing for one name: the loser takes the next number
        try:
            with transaction.atomic():
                user = User.objects.create_user(username_for(identity), None, email=identity.email, role=Role.DEFAULT)
            break
        except IntegrityError:
            continue
    else:
        raise _refuse(identity, request=request, username=identity.email, message=NO_ACCOUNT, code="conflict")
    audit_record(AuditAction.SSO_ACCOUNT_CREATED, request=request, user=user, detail=identity.source)
    return user


def identity_sign_in(
    *, identity: Identity, known: User | None, request, invite_code: str | None = None
) -> tuple[User, bool]:
    """The account `identity` signs in to now, its role and workspaces brought in line with its
    groups; `True` with it when the identity is new to that account (link it). Raises SsoRefused."""
    user = known or _account_for_email(identity, request=request)
    lockout_name = user.username if user else (identity.email or identity.subject)
    if is_locked_out(username=lockout_name, ip=client_ip(request)):
        audit_record(AuditAction.SIGN_IN_LOCKED, request=request, username=lockout_name, detail=identity.source)
        raise SsoRefused(gettext(LOCKED_OUT) % {"minutes": lockout_minutes()}, code="locked_out")
    is_new_link = known is None
    linked_by_email = is_new_link and user is not None
    if user is None:
        user = _account_create(identity, request=request, invite_code=invite_code)
    if user.suspended:
        raise _refuse(identity, request=request, username=user.username, message=SUSPENDED_MESSAGE, code="suspended")
    if user.is_service_account:
        raise _refuse(identity, request=request, username=user.username, message=SERVICE_ACCOUNT_MESSAGE,
                      code="forbidden")
    if linked_by_email:
        audit_record(AuditAction.SSO_LINKED, request=request, user=user, detail=f"{identity.source} by verified email")
    groups_apply(user=user, groups=identity.groups, request=request, source=identity.source)
    user.refresh_from_db()
    user.sign_in_method = identity.source
    return user, is_new_link
