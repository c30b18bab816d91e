from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from workspaces.admin import count_of
from workspaces.models import Workspace, WorkspaceChat, WorkspaceDocument


class HomeView(LoginRequiredMixin, ListView):
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


class WorkspaceMixin(LoginRequiredMixin):
    """Resolves the workspace from the URL within what the user may see: 404 otherwise."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.workspace = get_object_or_404(Workspace.objects.for_user(request.user), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(workspace=self.workspace, **kwargs)


class WorkspaceDetailView(WorkspaceMixin, DetailView):
    template_name = "workspaces/workspace_detail.html"

    def get_object(self, queryset=None):
        return self.workspace
