"""The workspace pages themselves: the home list of workspaces and a workspace's documents list,
and the mixins every workspace page is built on."""

import functools
import hashlib

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.http import Http404, HttpResponseNotModified
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.views.generic import ListView

from accounts.release import release_fingerprint
from workspaces import permissions
from workspaces.documents.models import DocumentStatus
from workspaces.lookup import workspace_with_role
from workspaces.models import Workspace, WorkspaceChat, WorkspaceDocument, WorkspaceUser, count_of


class LenientPaginationMixin:
    """A page number past the end or not a number shows the nearest page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


# Past this, a page number is read as Django's paginator reads one past the end (its last page).
MAX_PAGE_WANTED = 1_000_000


def page_wanted(number) -> int:
    """The page number asked for, as `Paginator.get_page` reads it: 1 when absent or not a number;
    0 (no page: the caller asks the paginator) when larger than any offset a database takes."""
    try:
        wanted = int(number) if number not in (None, "") else 1
    except (TypeError, ValueError):
        return 1
    return 0 if wanted > MAX_PAGE_WANTED else wanted


class HomeView(LoginRequiredMixin, LenientPaginationMixin, ListView):
    """The workspaces the signed-in user may see, as cards."""

    template_name = "workspaces/home.html"
    context_object_name = "workspaces"
    paginate_by = 24

    def get_queryset(self):
        latest_chat = WorkspaceChat.objects.filter(workspace=OuterRef("pk")).order_by("-created_at")
        return (
            Workspace.objects.for_user(self.request.user)
            .annotate(
                document_total=count_of(WorkspaceDocument),
                last_activity=Subquery(latest_chat.values("created_at")[:1]),
            )
            .order_by("name", "pk")
        )


NO_SUCH_WORKSPACE = "No workspace matches the given query."


class WorkspaceMixin(LoginRequiredMixin):
    """Resolves the workspace from the URL within what the user may see: 404 otherwise.

    `required_action` (a `workspaces.permissions` action) is what the page needs beyond
    seeing the workspace; without it the page answers 403 with the reason."""

    required_action = permissions.SEE

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.workspace = self.get_workspace(kwargs["slug"])
        self.may = permissions.permissions_in(request.user, self.workspace)
        if not self.may[permissions.SEE]:
            raise Http404(NO_SUCH_WORKSPACE)
        if not self.may[self.required_action]:
            raise PermissionDenied(permissions.REFUSALS.get(self.required_action, ""))
        self.resolve_within_workspace()
        return super().dispatch(request, *args, **kwargs)

    def get_workspace(self, slug: str) -> Workspace:
        """The workspace named by the address, with the visitor's role (`workspaces.lookup`): whether
        they may see it is asked of `permissions` next. Http404 when there is none."""
        workspace = workspace_with_role(user=self.request.user, slug=slug)
        if workspace is None:
            raise Http404(NO_SUCH_WORKSPACE)
        return workspace

    def resolve_within_workspace(self):
        """Hook, run once the workspace is known: load what the page needs, raise Http404 or PermissionDenied."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(workspace=self.workspace, may=self.may, **kwargs)


class WorkspaceDetailView(WorkspaceMixin, LenientPaginationMixin, ListView):
    """The documents of a workspace: filter by file name, sort by name or date."""

    template_name = "workspaces/workspace_detail.html"
    context_object_name = "documents"
    paginate_by = 50
    SORTS = {
        "-date": ("-created_at", "-id"),
        "date": ("created_at", "id"),
        "name": (Lower("filename"), "id"),
        "-name": (Lower("filename").desc(), "-id"),
    }

    def get_workspace(self, slug):
        """With its number of members, which the page shows (who may see it: `dispatch`)."""
        workspaces = Workspace.objects.with_role_of(self.request.user).annotate(member_total=count_of(WorkspaceUser))
        workspace = workspaces.filter(slug=slug).first()
        if workspace is None:
            raise Http404(NO_SUCH_WORKSPACE)
        return workspace

    def get_queryset(self):
        self.sort = self.request.GET.get("sort") if self.request.GET.get("sort") in self.SORTS else "-date"
        self.filename_filter = self.request.GET.get("q", "").replace("\x00", "").strip()[:200]
        documents = self.workspace.documents.all()
        if self.filename_filter:
            documents = documents.filter(filename__icontains=self.filename_filter)
        return documents.order_by(*self.SORTS[self.sort])

    def get_paginator(self, queryset, per_page, *args, **kwargs):
        """Unfiltered, the list counts what the list's version already counted (no COUNT query of its own)."""
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        if not self.filename_filter:
            paginator.count = self.document_totals["count"]
        return paginator

    def get(self, request, *args, **kwargs):
        self.document_totals = document_totals(self.workspace)
        self.list_version = document_list_version(self.document_totals, request, self.may)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        list_version = self.list_version
        member_count = self.workspace.member_total
        total = self.document_totals["count"]
        return {
            **context,
            "member_count": member_count,
            "document_total": total,
            "sort": self.sort,
            "filename_filter": self.filename_filter,
            "list_version": list_version,
            "document_list_key": document_list_key(self.workspace, list_version, member_count),
            **(upload_limits() if self.may[permissions.UPLOAD] else {}),
        }


def document_totals(workspace) -> dict:
    """What the documents list's version is made of (one query): counts by state, progress, last change.
    The same values as `workspace.documents.aggregate(count=Count("pk"), changed=Max("last_updated_at"),
    reindexing=Count("pk", filter=Q(reindexing=True)), progress=Sum(…), …)`, written out once per process:
    compiling that aggregate took Django 1.4 ms a page view, twenty times what the database took to run it.
    (`changed` is only compared, never shown: SQLite gives it as text.)"""
    using = router.db_for_read(WorkspaceDocument)
    sql = _document_totals_sql(using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*(status.value for status in DocumentStatus), workspace.pk])
        row = cursor.fetchone()
    return dict(zip(("count", "changed", "reindexing", "progress", "progress_total", *DocumentStatus.values),
                    row, strict=True))


@functools.cache
def _document_totals_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    column = {field: quote(WorkspaceDocument._meta.get_field(field).column)
              for field in ("last_updated_at", "reindexing", "progress_done", "progress_total", "status", "workspace")}
    counted = [
        "COUNT(*)", f"MAX({column['last_updated_at']})", f"COUNT(CASE WHEN {column['reindexing']} THEN 1 END)",
        f"SUM({column['progress_done']})", f"SUM({column['progress_total']})",
        *(f"COUNT(CASE WHEN {column['status']} = %s THEN 1 END)" for _ in DocumentStatus),
    ]
    # The model's own table and column names; every value is a parameter.
    table = quote(WorkspaceDocument._meta.db_table)
    return f"SELECT {', '.join(counted)} FROM {table} WHERE {column['workspace']} = %s"  # noqa: S608


def document_list_version(documents: dict, request, may) -> str:
    """An ETag for the documents list as this request would show it, from `document_totals`: it changes
    when a document is added, removed or changes state, so the page's script fetches the list only then."""
    seen = f"{sorted(documents.items())}|{request.GET.urlencode()}|{may[permissions.UPLOAD]}"
    return f'W/"{hashlib.sha256(seen.encode()).hexdigest()[:32]}"'


def document_list_key(workspace, list_version: str, member_count: int) -> str:
    """What the rendered documents list depends on beyond its version: the workspace (its links), the
    member count it shows, and the language and time zone it is written in. The list's template caches
    its HTML under this key, so a page view renders the 50 rows only after something changed."""
    seen = f"{workspace.pk}|{workspace.slug}|{list_version}|{member_count}|{get_language()}"
    seen += f"|{get_current_timezone_name()}|{release_fingerprint()}"
    return hashlib.sha256(seen.encode()).hexdigest()[:32]


class DocumentListFragmentView(WorkspaceDetailView):
    """The documents list of the workspace page alone (count, table or empty state), for the
    page's script (static/js/live-list.js): 304 while it has not changed (If-None-Match)."""

    template_name = "workspaces/documents/_document_list.html"

    def get(self, request, *args, **kwargs):
        self.document_totals = document_totals(self.workspace)
        self.list_version = document_list_version(self.document_totals, request, self.may)
        if request.headers.get("If-None-Match") == self.list_version:
            return HttpResponseNotModified(headers={"ETag": self.list_version})
        response = super(WorkspaceDetailView, self).get(request, *args, **kwargs)
        response["ETag"] = self.list_version
        response["Cache-Control"] = "private, no-cache"
        return response


def upload_limits() -> dict:
    """What the drop zone states and checks in the browser (the server checks again)."""
    from workspaces.documents.kinds import ACCEPTED_EXTENSIONS
    from workspaces.documents.services import MB, upload_limit_bytes

    limit = upload_limit_bytes()
    return {"limit_bytes": limit, "limit_mb": limit // MB, "accepted_extensions": ACCEPTED_EXTENSIONS}
