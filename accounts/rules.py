"""The rules about people alone: who runs Docent, who manages whom, who may do what in the admin.

`workspaces.permissions` builds every rule about a workspace on these; callers outside
`accounts` ask there. Each function takes a user (or None) and reads only its `role` and
`suspended`: no query.
"""

from accounts.roles import Role

STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
# Admin apps only an admin opens; a manager runs everything else in the admin.
# allauth's apps (linked identities, authenticators, provider apps) are for admins alone: a manager
# must not reset an admin's second factor.
ADMIN_ONLY_APPS = frozenset({"settings_app", "account", "socialaccount", "mfa"})


def is_active(user) -> bool:
    """Signed in and not suspended."""
    return user is not None and user.is_authenticated and not user.suspended


def is_admin(user) -> bool:
    return is_active(user) and user.role == Role.ADMIN


def is_manager(user) -> bool:
    return is_active(user) and user.role == Role.MANAGER


def runs_the_admin(user) -> bool:
    """Admins and managers: they sign in to /admin/, issue invites and reset links."""
    return is_active(user) and user.role in STAFF_ROLES


def may_use_admin_app(user, app_label: str) -> bool:
    return runs_the_admin(user) and (user.role == Role.ADMIN or app_label not in ADMIN_ONLY_APPS)


def roles_managed_by(user) -> frozenset:
    """The global roles of the people `user` may see, edit, suspend and delete (and grant):
    admins every role, managers everyone but admins, others nobody."""
    if is_admin(user):
        return frozenset(Role.values)
    if is_manager(user):
        return frozenset(Role.values) - {Role.ADMIN}
    return frozenset()


def may_manage_role(actor, role: str) -> bool:
    """May `actor` change someone who holds (or will hold) `role`?"""
    return role in roles_managed_by(actor)


def may_issue_invites(user) -> bool:
    """Also asked when an invite is claimed: a link stops working when its issuer may no longer issue."""
    return runs_the_admin(user)


# The workspaces a user sees (the account page, the workspaces a key may be limited to): the
# workspaces app answers with its permission module, registered when Django starts, since
# accounts imports no app above it.
_visible_workspaces: list = []


def visible_workspaces_register(answer) -> None:
    """`answer(user)` is the queryset of the workspaces `user` sees."""
    _visible_workspaces[:] = [answer]


def visible_workspaces(user):
    return _visible_workspaces[0](user)


# Whether someone who does not run the admin (a workspace's owner) may still grant what an invite
# they issued grants: the workspaces app answers with its permission module (registered at start).
_invite_grants: list = []


def invite_grants_register(answer) -> None:
    """`answer(issuer, invite)`: may `issuer` still grant `invite`'s role in each of its workspaces?"""
    _invite_grants[:] = [answer]


def may_keep_invite(issuer, invite) -> bool:
    """Also asked when an invite is claimed: admins' and managers' invites work while they run the admin;
    an owner's invite works while they are active and may still grant what it grants."""
    if may_issue_invites(issuer):
        return True
    return is_active(issuer) and bool(_invite_grants) and _invite_grants[0](issuer, invite)
