from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from workspaces.operations.health import healthz, livez
from workspaces.retrieval.views import EverywhereSearchView
from workspaces.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("search/", EverywhereSearchView.as_view(), name="search"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("w/", include("workspaces.urls")),
    path("api/openai/v1/", include("workspaces.api.openai.urls")),
    path("api/", include("workspaces.api.urls")),
]
