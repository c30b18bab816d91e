from django.urls import path

from workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("<slug:slug>/", views.WorkspaceDetailView.as_view(), name="detail"),
]
