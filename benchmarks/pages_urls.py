"""Docent's URLs, plus the anchor of `make bench-pages` (issue 30): a minimal login-required ListView
over the same 50 documents the workspace page shows. Served only by the benchmark's settings."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.template import engines
from django.urls import include, path
from django.views.generic import ListView

from workspaces.models import WorkspaceDocument

MINIMAL = engines["django"].from_string(
    "<!doctype html><title>Documents</title><table>{% for document in object_list %}<tr><td>{{ document.filename }}"
    "</td><td>{{ document.status }}</td><td>{{ document.created_at|date:'j M Y' }}</td></tr>{% endfor %}</table>"
)


class MinimalDocumentList(LoginRequiredMixin, ListView):
    def get_queryset(self):
        return WorkspaceDocument.objects.filter(workspace__slug=self.kwargs["slug"]).order_by("-created_at")[:50]

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        return HttpResponse(MINIMAL.render(context, self.request))


urlpatterns = [
    path("bench/minimal/<slug:slug>/", MinimalDocumentList.as_view()),
    path("", include("config.urls")),
]
