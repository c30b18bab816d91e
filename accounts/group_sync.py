"""What an identity provider's groups give a person, applied at every sign-in through it (OpenID
Connect or LDAP), not only the first: the highest role a mapped group gives (`GroupRole`), and
whatever the apps above register (the workspaces app: its group → workspace mappings).

A role given by groups goes with them: someone no longer in any mapped group falls back to the
member role. A role an admin gave by hand, with no mapped group involved, stays as it is. The
last active admin is never demoted this way (an empty groups claim must not lock Docent out).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import rules
from accounts.audit import audit_record
from accounts.models import AuditAction, GroupRole, User
from accounts.roles import Role

ROLE_RANK = {Role.DEFAULT: 0, Role.MANAGER: 1, Role.ADMIN: 2}

# (apply, grants) pairs registered by the apps above: `apply(user=, groups=, request=)` runs after
# the role, in the same transaction; `grants(groups)` says whether those groups give anything.
_appliers: dict[str, tuple[Callable[..., None], Callable[[frozenset], bool]]] = {}


def group_applier_register(name: str, *, apply: Callable[..., None], grants: Callable[[frozenset], bool]) -> None:
    _appliers[name] = (apply, grants)


def groups_normalize(raw) -> frozenset:
    """A groups claim as sent (a list, one string, nothing) -> a set of names; Keycloak's
    full paths ("/staff/editors") also match their last part ("editors")."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, Iterable):
        return frozenset()
    names = set()
    for item in raw:
        if isinstance(item, str) and item.strip():
            names.add(item.strip())
            names.add(item.strip().rstrip("/").rsplit("/", 1)[-1])
    return frozenset(names)


def groups_grant_anything(groups: frozenset) -> bool:
    """Whether any of `groups` is mapped to a role or (an applier's answer) a workspace."""
    if GroupRole.objects.filter(group__in=groups).exists():
        return True
    return any(grants(groups) for _, grants in _appliers.values())


def _role_from(groups: frozenset) -> str | None:
    roles = GroupRole.objects.filter(group__in=groups).values_list("role", flat=True)
    return max(roles, key=lambda role: ROLE_RANK[role], default=None)


@transaction.atomic
def groups_apply(*, user: User, groups: frozenset, request=None, source: str) -> None:
    """Bring `user`'s role and (through the appliers) workspaces in line with `groups`."""
    role = _role_from(groups)
    before = user.role
    if role is not None:
        user.role, user.role_from_groups = role, True
    elif user.role_from_groups:
        user.role, user.role_from_groups = Role.DEFAULT, False
    if before == Role.ADMIN and user.role != Role.ADMIN and not user.suspended and not (
        User.objects.active_admins().exclude(pk=user.pk).exists()
    ):
        user.role = Role.ADMIN  # the last active admin stays one
    if user.pk is None:
        user.save()
    else:
        User.objects.filter(pk=user.pk).update(role=user.role, role_from_groups=user.role_from_groups)
    if before != user.role:
        audit_record(AuditAction.ROLE_CHANGED, request=request, user=user,
                     detail=f"{before} -> {user.role} (groups from {source})")
    for apply, _ in _appliers.values():
        apply(user=user, groups=groups, request=request)


GROUP_ROLES_ADMINS_ONLY = "Only admins map groups to roles: a mapping can make people admins."


def group_role_save(*, actor: User, mapping: GroupRole, request=None) -> GroupRole:
    if not rules.is_admin(actor):
        raise PermissionDenied(GROUP_ROLES_ADMINS_ONLY)
    mapping.full_clean()
    mapping.save()
    audit_record(AuditAction.GROUP_MAPPING_CHANGED, request=request, user=actor, detail=f"saved {mapping}")
    return mapping


def group_role_delete(*, actor: User, mapping: GroupRole, request=None) -> None:
    if not rules.is_admin(actor):
        raise PermissionDenied(GROUP_ROLES_ADMINS_ONLY)
    audit_record(AuditAction.GROUP_MAPPING_CHANGED, request=request, user=actor, detail=f"deleted {mapping}")
    mapping.delete()
