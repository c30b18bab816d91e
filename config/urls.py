from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from workspaces.insights.views import MyInsightsView
from workspaces.operations.health import healthz, livez
from workspaces.views import HomeView
from workspaces.views_owner import WorkspaceCreateView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("workspaces/new/", WorkspaceCreateView.as_view(), name="workspace_create"),
    path("account/insights/", MyInsightsView.as_view(), name="my_insights"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("w/", include("workspaces.urls")),
    path("api/openai/v1/", include("workspaces.api.openai.urls")),
    path("api/", include("workspaces.api.urls")),
]
