from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from accounts.views_sso import SsoCancelledView
from workspaces.insights.views import MyInsightsView
from workspaces.operations.health import healthz, livez
from workspaces.retrieval.views import EverywhereSearchView
from workspaces.views import HomeView
from workspaces.views_owner import WorkspaceCreateView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("search/", EverywhereSearchView.as_view(), name="search"),
    # The page scripts' words in the reader's language; base.html asks with ?l=<language>, so a
    # browser keeps one copy per language.
    path("jsi18n/", cache_control(max_age=86400)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("workspaces/new/", WorkspaceCreateView.as_view(), name="workspace_create"),
    path("account/insights/", MyInsightsView.as_view(), name="my_insights"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    # Single sign-on: allauth's OpenID Connect start and return (/oidc/<provider>/login/…); its
    # other pages are not mounted. Names allauth reverses lead to the site's own pages.
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("login/cancelled/", SsoCancelledView.as_view(), name="socialaccount_login_cancelled"),
    path("accounts/login/", RedirectView.as_view(pattern_name="accounts:login"), name="account_login"),
    path("w/", include("workspaces.urls")),
    path("api/openai/v1/", include("workspaces.api.openai.urls")),
    path("api/", include("workspaces.api.urls")),
]
