from django.urls import path

from workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("<slug:slug>/", views.WorkspaceDetailView.as_view(), name="detail"),
    path("<slug:slug>/documents/upload/", views.DocumentUploadView.as_view(), name="upload"),
    path("<slug:slug>/documents/<uuid:doc_id>/", views.DocumentDetailView.as_view(), name="document"),
    path("<slug:slug>/documents/<uuid:doc_id>/download/", views.DocumentDownloadView.as_view(), name="download"),
    path("<slug:slug>/documents/<uuid:doc_id>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path(
        "<slug:slug>/documents/<uuid:doc_id>/passages/<int:position>/",
        views.PassageRedirectView.as_view(),
        name="passage",
    ),
    path("<slug:slug>/search/", views.SearchView.as_view(), name="search"),
    path("<slug:slug>/chat/", views.ChatView.as_view(), name="chat"),
    path("<slug:slug>/chat/clear/", views.ChatClearView.as_view(), name="chat_clear"),
    path("<slug:slug>/chat/export.<str:format>", views.ChatExportView.as_view(), name="chat_export"),
]
