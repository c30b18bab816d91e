"""What else an owner runs on the site: the workspace's activity (audit trail), re-indexing its
documents, and creating workspaces (whoever creates one owns it)."""

import pytest

from accounts.models import AuditAction, AuditEvent
from settings_app.services import setting_set
from tests.factories import AdminFactory, UserFactory, WorkspaceDocumentFactory, WorkspaceUserFactory
from workspaces.documents.models import WorkspaceDocument
from workspaces.models import NAME_TAKEN, Workspace, WorkspaceUser
from workspaces.services import membership_add

pytestmark = pytest.mark.django_db


def test_the_activity_tab_lists_what_happened_in_the_workspace_only(owner, owner_client, workspace, other_user):
    UserFactory(username="nina")
    membership_add(actor=owner, workspace=workspace, username="nina", role="viewer")
    AuditEvent.objects.create(action=AuditAction.MEMBER_ADDED, username="someone", detail="Elsewhere: otto")
    body = owner_client.get(f"/w/{workspace.slug}/activity/").content.decode()
    assert "Member added" in body and "Research: nina as viewer" in body
    assert "Elsewhere: otto" not in body


def test_the_activity_tab_is_for_owners_only(member_client, workspace):
    assert member_client.get(f"/w/{workspace.slug}/activity/").status_code == 403
    assert f"/w/{workspace.slug}/activity/" not in member_client.get(f"/w/{workspace.slug}/").content.decode()


def test_the_activity_tab_is_paginated_with_a_fixed_number_of_queries(owner_client, workspace,
                                                                      django_assert_max_num_queries):
    """One page of events is one query, however many events there are."""
    AuditEvent.objects.bulk_create([
        AuditEvent(action=AuditAction.UPLOAD, username="olga", detail=f"file-{n}.txt", workspace=workspace)
        for n in range(120)
    ])
    with django_assert_max_num_queries(10):
        body = owner_client.get(f"/w/{workspace.slug}/activity/?page=2").content.decode()
    assert body.count("Document uploaded") == 50 and "Page 2 of 3" in body


def test_the_owner_requeues_every_ready_document_for_re_indexing(owner_client, workspace, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run at once
    ready = WorkspaceDocumentFactory(workspace=workspace)
    failed = WorkspaceDocumentFactory(workspace=workspace, status="failed")
    response = owner_client.post(f"/w/{workspace.slug}/documents/reindex/")
    assert response.status_code == 302
    assert "1 document queued for re-indexing" in owner_client.get(response["Location"]).content.decode()
    assert WorkspaceDocument.objects.get(pk=ready.pk).reindexing
    assert not WorkspaceDocument.objects.get(pk=failed.pk).reindexing
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENTS_REINDEXED, workspace=workspace).exists()


def test_an_editor_cannot_re_index_the_workspace(client, workspace):
    editor = UserFactory(username="eddie")
    WorkspaceUserFactory(user=editor, workspace=workspace, role="editor")
    document = WorkspaceDocumentFactory(workspace=workspace)
    client.force_login(editor)
    assert client.post(f"/w/{workspace.slug}/documents/reindex/").status_code == 403
    assert not WorkspaceDocument.objects.get(pk=document.pk).reindexing


def test_members_create_workspaces_only_while_the_setting_allows_and_own_what_they_create(member_client):
    assert member_client.get("/workspaces/new/").status_code == 403
    assert "/workspaces/new/" not in member_client.get("/").content.decode()
    setting_set(label="members_create_workspaces", value=True)
    assert "/workspaces/new/" in member_client.get("/").content.decode()
    response = member_client.post("/workspaces/new/", {"name": "Field notes", "description": "Birds."})
    created = Workspace.objects.get(name="Field notes")
    assert response.status_code == 302 and response["Location"] == f"/w/{created.slug}/"
    assert WorkspaceUser.objects.get(workspace=created).user.username == "mia"
    assert WorkspaceUser.objects.get(workspace=created).role == "owner"
    assert AuditEvent.objects.get(action=AuditAction.WORKSPACE_CREATED).workspace == created


def test_a_name_taken_whatever_its_case_is_an_inline_error(member_client, workspace):
    setting_set(label="members_create_workspaces", value=True)
    response = member_client.post("/workspaces/new/", {"name": "RESEARCH"})
    assert response.status_code == 400 and NAME_TAKEN in response.content.decode()
    assert Workspace.objects.count() == 1


def test_an_admin_who_creates_a_workspace_in_the_admin_becomes_its_owner(client):
    admin = AdminFactory(username="ada")
    client.force_login(admin)
    response = client.post("/admin/workspaces/workspace/add/", {
        "name": "Fresh", "chat_mode": "chat", "history_length": 20, "top_n": 4, "similarity_threshold": 0.25,
        "semantic_weight": 0.5, "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302
    assert WorkspaceUser.objects.get(workspace__name="Fresh").user == admin
    assert WorkspaceUser.objects.get(workspace__name="Fresh").role == "owner"
