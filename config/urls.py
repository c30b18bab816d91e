from django.contrib import admin
from django.urls import include, path

from settings_app.views import healthz, livez
from workspaces.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("w/", include("workspaces.urls")),
]
