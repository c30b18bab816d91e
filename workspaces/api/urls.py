from django.urls import path
from django.views.generic import TemplateView

from workspaces.api.v1 import api

urlpatterns = [
    path("v1/docs/", TemplateView.as_view(template_name="api/docs.html"), name="api_docs"),
    path("v1/", api.urls),
]
