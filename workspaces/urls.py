from django.urls import path

from workspaces import views, views_owner, views_team
from workspaces.chats import views as chat_views
from workspaces.chats import views_actions as chat_actions
from workspaces.chats import views_fetched as chat_fetched
from workspaces.documents import reading_views
from workspaces.documents import views as document_views
from workspaces.insights import views as insight_views
from workspaces.retrieval import views as retrieval_views
from workspaces.sources import views as source_views

app_name = "workspaces"

urlpatterns = [
    path("<slug:slug>/", views.WorkspaceDetailView.as_view(), name="detail"),
    path("<slug:slug>/documents/upload/", document_views.DocumentUploadView.as_view(), name="upload"),
    path("<slug:slug>/documents/status/", document_views.DocumentStatusView.as_view(), name="document_status"),
    path("<slug:slug>/documents/<uuid:doc_id>/", reading_views.DocumentDetailView.as_view(), name="document"),
    path(
        "<slug:slug>/documents/<uuid:doc_id>/retry/", document_views.DocumentRetryView.as_view(),
        name="document_retry",
    ),
    path(
        "<slug:slug>/documents/<uuid:doc_id>/download/", document_views.DocumentDownloadView.as_view(),
        name="download",
    ),
    path(
        "<slug:slug>/documents/<uuid:doc_id>/delete/", document_views.DocumentDeleteView.as_view(),
        name="document_delete",
    ),
    path(
        "<slug:slug>/documents/<uuid:doc_id>/passages/<int:position>/",
        reading_views.PassageRedirectView.as_view(),
        name="passage",
    ),
    path("<slug:slug>/members/", views_team.MembersView.as_view(), name="members"),
    path(
        "<slug:slug>/members/<int:membership_id>/", views_team.MembershipChangeView.as_view(), name="membership"
    ),
    path("<slug:slug>/settings/", views_team.WorkspaceSettingsView.as_view(), name="settings"),
    path("<slug:slug>/invites/", views_owner.InvitesView.as_view(), name="invites"),
    path("<slug:slug>/invites/<int:invite_id>/revoke/", views_owner.InviteRevokeView.as_view(), name="invite_revoke"),
    path("<slug:slug>/activity/", views_owner.ActivityView.as_view(), name="activity"),
    path("<slug:slug>/documents/reindex/", views_owner.ReindexView.as_view(), name="reindex"),
    path("<slug:slug>/documents/list/", views.DocumentListFragmentView.as_view(), name="document_list"),
    path("<slug:slug>/insights/", insight_views.WorkspaceInsightsView.as_view(), name="insights"),
    path("<slug:slug>/sources/", source_views.SourcesView.as_view(), name="sources"),
    path("<slug:slug>/sources/new/", source_views.SourceCreateView.as_view(), name="source_add"),
    path("<slug:slug>/sources/<int:pk>/", source_views.SourceDetailView.as_view(), name="source"),
    path("<slug:slug>/sources/<int:pk>/edit/", source_views.SourceUpdateView.as_view(), name="source_edit"),
    path("<slug:slug>/sources/<int:pk>/sync/", source_views.SourceSyncView.as_view(), name="source_sync"),
    path("<slug:slug>/sources/<int:pk>/delete/", source_views.SourceDeleteView.as_view(), name="source_delete"),
    path("<slug:slug>/search/", retrieval_views.SearchView.as_view(), name="search"),
    path("<slug:slug>/chat/", chat_views.ChatView.as_view(), name="chat"),
    path("<slug:slug>/chat/new/", chat_views.ChatView.as_view(new_thread=True), name="chat_new"),
    path("<slug:slug>/chat/t/<int:thread>/", chat_views.ChatView.as_view(), name="chat_thread"),
    path("<slug:slug>/chat/t/<int:thread>/rename/", chat_actions.ThreadRenameView.as_view(), name="chat_rename"),
    path("<slug:slug>/chat/t/<int:thread>/delete/", chat_actions.ThreadDeleteView.as_view(), name="chat_delete"),
    path("<slug:slug>/chat/stream/", chat_fetched.ChatStreamView.as_view(), name="chat_stream"),
    path("<slug:slug>/chat/<int:pk>/", chat_fetched.ChatAnswerView.as_view(), name="chat_answer"),
    path("<slug:slug>/chat/<int:pk>/feedback/", chat_actions.ChatFeedbackView.as_view(), name="chat_feedback"),
    path("<slug:slug>/chat/<int:pk>/sources/<int:number>/", chat_fetched.ChatSourceView.as_view(), name="chat_source"),
    path("<slug:slug>/chat/clear/", chat_actions.ChatClearView.as_view(), name="chat_clear"),
    path("<slug:slug>/chat/export.<str:format>", chat_actions.ChatExportView.as_view(), name="chat_export"),
]
