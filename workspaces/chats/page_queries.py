"""The chat page's busiest queries, written out in SQL once per process (issue 30).

Django took longer to compile them (a page of turns with their versions and count: about 1 ms;
the page of conversations with their count and the cited documents that still exist: 0.5 ms
each) than the database took to run them. The SQL is
built from the models' own table and column names, every value is a parameter, and each
function says which ORM query it stands for; it runs on SQLite and PostgreSQL alike.
"""

import functools
import uuid

from django.db import connections, router

from workspaces.chats.models import ChatThread, WorkspaceChat
from workspaces.documents.models import WorkspaceDocument


def listed_threads(*, user, workspace, bottom: int, size: int) -> list[ChatThread]:
    """The conversations `bottom` to `bottom + size` of `ChatThread.objects.listed_for(user=user,
    workspace=workspace)` (its filter and order), each with `threads_total` (how many it lists)."""
    using = router.db_for_read(ChatThread)
    params = [user.pk, workspace.pk, size, bottom]
    return list(ChatThread.objects.db_manager(using).raw(_listed_threads_sql(using), params))


@functools.cache
def _listed_threads_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    column = {name: quote(ChatThread._meta.get_field(name).column)
              for name in ("id", "user", "workspace", "include", "last_asked_at")}
    columns = ", ".join(quote(field.column) for field in ChatThread._meta.concrete_fields)
    # The model's own table and column names; every value is a parameter.
    return (
        f"SELECT {columns}, COUNT(*) OVER () AS threads_total FROM {quote(ChatThread._meta.db_table)} "  # noqa: S608
        f"WHERE {column['user']} = %s AND {column['workspace']} = %s AND {column['include']} "
        f"ORDER BY {column['last_asked_at']} DESC, {column['id']} DESC LIMIT %s OFFSET %s"
    )


def turn_page_chats(thread: ChatThread, *, bottom: int, size: int) -> list[WorkspaceChat]:
    """The chats of a page of turns, oldest first: the roots `bottom` to `bottom + size` of
    `threads.turn_roots(thread)` and their visible later versions, each with `turns_total` (how many
    turns the thread shows). As `thread.chats.filter(Q(pk__in=page) | Q(version_of__in=page),
    include=True).annotate(turns_total=…).order_by("id")` with `page` those roots' ids."""
    using = router.db_for_read(WorkspaceChat)
    params = [thread.pk, thread.pk, thread.pk, size, bottom, thread.pk, size, bottom]  # count, chats, page twice
    return list(WorkspaceChat.objects.db_manager(using).raw(_turn_page_sql(using), params))


@functools.cache
def _turn_page_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    table = quote(WorkspaceChat._meta.db_table)
    pk, thread, include, version_of = (
        quote(WorkspaceChat._meta.get_field(name).column) for name in ("id", "thread", "include", "version_of")
    )
    columns = ", ".join(f"c.{quote(field.column)}" for field in WorkspaceChat._meta.concrete_fields)
    roots = f"FROM {table} r WHERE r.{thread} = %s AND r.{include} AND r.{version_of} IS NULL"
    page = f"SELECT r.{pk} {roots} ORDER BY r.{pk} DESC LIMIT %s OFFSET %s"
    # The model's own table and column names; every value is a parameter.
    return (
        f"SELECT {columns}, (SELECT COUNT(*) {roots}) AS turns_total FROM {table} c "  # noqa: S608
        f"WHERE c.{thread} = %s AND c.{include} AND (c.{pk} IN ({page}) OR c.{version_of} IN ({page})) "
        f"ORDER BY c.{pk}"
    )


def live_doc_ids(workspace, doc_ids, *, kept: bool = True) -> set[str]:
    """Which of `doc_ids` (as answers store them) are documents of `workspace` still: as
    `workspace.documents.filter(doc_id__in=doc_ids).values_list("doc_id", flat=True)`, as text.
    An id that is not a UUID (a hand-edited answer) names no document.

    `kept`: the answer is kept per process under the workspace's `search_version` as `workspace` was
    read (a page's, at its start). An answer cites only ready documents, and a ready document stays
    ready until it is deleted (a re-index, even a failed one, keeps it ready); deleting a ready
    document, or taking it out of ready, moves `search_version` in the same transaction (migration
    0022's triggers). A caller holding `workspace` for longer (a stream) asks with `kept=False`."""
    using = router.db_for_read(WorkspaceDocument)
    read = _live_doc_ids if kept else _live_doc_ids.__wrapped__
    return set(read(using, workspace.pk, workspace.search_version, frozenset(map(str, doc_ids))))


@functools.lru_cache(maxsize=1024)
def _live_doc_ids(using: str, workspace_id: int, search_version: int, doc_ids: frozenset) -> frozenset:
    connection = connections[using]
    field = WorkspaceDocument._meta.get_field("doc_id")
    wanted = set()
    for doc_id in doc_ids:
        try:
            wanted.add(uuid.UUID(doc_id))
        except ValueError:
            continue
    if not wanted:
        return frozenset()
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote(field.column)} FROM {quote(WorkspaceDocument._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(WorkspaceDocument._meta.get_field('workspace').column)} = %s "
        f"AND {quote(field.column)} IN ({', '.join(['%s'] * len(wanted))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, *(field.get_db_prep_value(value, connection) for value in wanted)])
        return frozenset(str(uuid.UUID(str(row[0]))) for row in cursor.fetchall())
