"""The workspace a page's address names, with the visitor's role there, in SQL written once per process
(issue 30).

Every workspace page starts with this lookup. Django took 1.1 ms a request to build and compile
`Workspace.objects.for_user(user).with_role_of(user).filter(slug=slug)` (a join for the rule, a
subquery for the role) before the database ran it in 0.1 ms. This reads the workspace by its slug
with `member_role` and `member_role_user` as `with_role_of` annotates them; whether the visitor may
see it is then asked of `permissions.permissions_in`, the one place the rule lives, which reads
that role without a query. The SQL comes from the models' own table and column names; every value
is a parameter; it runs on SQLite and PostgreSQL alike.
"""

import functools

from django.db import connections, router

from workspaces.models import Workspace, WorkspaceUser


def workspace_with_role(*, user, slug: str) -> Workspace | None:
    """The workspace whose slug is `slug`, as `Workspace.objects.with_role_of(user).filter(slug=slug)`
    gives it (None when there is none); `user` is a signed-in user."""
    using = router.db_for_read(Workspace)
    found = list(Workspace.objects.db_manager(using).raw(_workspace_sql(using), [user.pk, slug]))
    if not found:
        return None
    found[0].member_role_user = user.pk  # whose role `member_role` is (permissions.role_in reads it)
    return found[0]


@functools.cache
def _workspace_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    columns = ", ".join(f"w.{quote(field.column)}" for field in Workspace._meta.concrete_fields)
    member = {name: quote(WorkspaceUser._meta.get_field(name).column) for name in ("user", "workspace", "role")}
    # The model's own table and column names; every value is a parameter. (user, workspace) is unique:
    # one membership at most.
    return (
        f"SELECT {columns}, m.{member['role']} AS member_role "  # noqa: S608
        f"FROM {quote(Workspace._meta.db_table)} w LEFT JOIN {quote(WorkspaceUser._meta.db_table)} m "
        f"ON m.{member['workspace']} = w.{quote(Workspace._meta.pk.column)} AND m.{member['user']} = %s "
        f"WHERE w.{quote(Workspace._meta.get_field('slug').column)} = %s"
    )
